extension Fingerprint {
  /// The tensor's dtype, shape and element bits (little-endian, whatever the machine; every NaN
  /// the same NaN).
  public mutating func add(_ tensor: Tensor) {
    add(tensor.dtype.rawValue)
    add(UInt64(tensor.shape.count))
    for size in tensor.shape { add(UInt64(size)) }
    if tensor.dtype == .float32 {
      for x in tensor.data { add(floatBits: x) }
    } else {
      for x in tensor.ints { add(UInt64(bitPattern: x)) }
    }
  }
}
