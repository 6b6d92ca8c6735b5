import PavlovTensor

/// Forward passes of one observation through an MLP (linear layers with tanh, ReLU or identity
/// between them) into scratch rows allocated once, reading the layers' weights in place.
///
/// Acting needs one row at a time, where building tensors (and their autograd bookkeeping) per
/// step would cost more than the arithmetic; this path allocates nothing after `init`.
public final class MLPForward {
  private let layers: [Linear]
  private let activations: [Activation.Function]
  private let rows: [UnsafeMutableBufferPointer<Float>]
  public let inputSize: Int
  public let outputSize: Int

  /// Nil when `model` is not a Sequential of Linear and (tanh, ReLU, identity) layers.
  public init?(_ model: Module) {
    guard let sequential = model as? Sequential else { return nil }
    var layers: [Linear] = [], activations: [Activation.Function] = []
    for (_, layer) in sequential.children {
      if let linear = layer as? Linear {
        if layers.count > activations.count { activations.append(.identity) }
        layers.append(linear)
      } else if let activation = layer as? Activation, [.tanh, .relu, .identity].contains(activation.function),
                layers.count == activations.count + 1 {
        activations.append(activation.function)
      } else {
        return nil
      }
    }
    guard let first = layers.first, let last = layers.last else { return nil }
    if activations.count < layers.count { activations.append(.identity) }
    self.layers = layers
    self.activations = activations
    inputSize = first.inputs
    outputSize = last.outputs
    rows = layers.map { layer in
      let row = UnsafeMutableBufferPointer<Float>.allocate(capacity: layer.outputs)
      row.initialize(repeating: 0)
      return row
    }
  }

  deinit {
    for row in rows { row.deallocate() }
  }

  /// The outputs for `input` (`inputSize` values); valid until the next call.
  public func callAsFunction(_ input: UnsafeBufferPointer<Float>) -> UnsafeBufferPointer<Float> {
    var source = UnsafePointer<Float>(input.baseAddress!)
    for k in layers.indices {
      let layer = layers[k], out = rows[k]
      let n = layer.outputs, m = layer.inputs
      layer.weight.data.withUnsafeBufferPointer { w in
        for o in 0..<n { out[o] = Self.dot(w.baseAddress! + o * m, source, m) }
      }
      if let bias = layer.bias {
        bias.data.withUnsafeBufferPointer { b in for o in 0..<n { out[o] += b[o] } }
      }
      switch activations[k] {
      case .relu: for o in 0..<n where !(out[o] > 0) { out[o] = 0 }
      case .tanh: PortableMath.tanh(out)
      default: break
      }
      source = UnsafePointer(out.baseAddress!)
    }
    return UnsafeBufferPointer(rows[rows.count - 1])
  }

  /// The index of the largest output for `input` (the first one on ties, as argmax).
  public func argmax(_ input: UnsafeBufferPointer<Float>) -> Int {
    let out = self(input)
    var best = 0
    for i in 1..<out.count where out[i] > out[best] { best = i }
    return best
  }

  /// Σ a[i]·b[i] with eight partial sums, so the loop vectorizes.
  @inline(__always)
  private static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
    var acc = SIMD8<Float>()
    var i = 0
    while i + 8 <= n {
      acc += UnsafeRawPointer(a + i).loadUnaligned(as: SIMD8<Float>.self) * UnsafeRawPointer(b + i).loadUnaligned(as: SIMD8<Float>.self)
      i += 8
    }
    var sum = acc.sum()
    while i < n { sum += a[i] * b[i]; i += 1 }
    return sum
  }
}
