import CPavlovKernels

/// PortableMath's float32 functions: the C kernels' scalar and vector forms (same bits on every
/// kernel path and CPU).
extension PortableMath {
  /// e^x, ln x and ln(1 + x) in float32: the C kernels' scalar forms (same bits everywhere).
  public static func exp(_ x: Float) -> Float { pv_expf(x) }
  public static func log(_ x: Float) -> Float { pv_logf(x) }
  public static func log1p(_ x: Float) -> Float { pv_log1pf(x) }

  /// tanh of each value in place (the vector kernel behind `Tensor.tanh`).
  public static func tanh(_ values: UnsafeMutableBufferPointer<Float>) {
    pv_tanh(values.baseAddress, values.baseAddress, values.count)
  }
}
