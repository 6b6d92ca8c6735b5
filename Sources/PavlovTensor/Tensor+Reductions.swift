import PavlovCore
/// Sums and means over all elements or along one axis, with their backward rules.
extension Tensor {
  func checkedAxis(_ axis: Int, _ op: String) throws -> Int {
    let a = axis < 0 ? axis + rank : axis
    guard a >= 0 && a < rank else {
      throw CoreError("\(op): axis \(axis) is out of range for a tensor of rank \(rank) (shape \(Shape.describe(shape)))")
    }
    return a
  }

  /// The sum of all elements (a scalar), or along `axis` (removed unless `keepdim`).
  public func sum(axis: Int? = nil, keepdim: Bool = false) throws -> Tensor {
    let x = self
    if isInteger { return try integerSum(axis: axis, keepdim: keepdim) }
    guard let axis else {
      // Accumulate in Double so long sums keep float32 accuracy.
      var total = 0.0
      data.withUnsafeBufferPointer { for v in $0 { total += Double(v) } }
      let outShape: [Int] = keepdim ? [Int](repeating: 1, count: rank) : []
      return Tensor.result(outShape, [Float(total)], "sum", [x]) { g in [Tensor.full(x.shape, g.data[0])] }
    }
    let a = try checkedAxis(axis, "sum")
    let outer = Shape.count(Array(shape[..<a])), n = shape[a], inner = Shape.count(Array(shape[(a + 1)...]))
    var out = [Float](repeating: 0, count: outer * inner)
    data.withUnsafeBufferPointer { d in
      for o in 0..<outer {
        for i in 0..<inner {
          var total = 0.0
          for k in 0..<n { total += Double(d[(o * n + k) * inner + i]) }
          out[o * inner + i] = Float(total)
        }
      }
    }
    var kept = shape
    kept[a] = 1
    let outShape = keepdim ? kept : shape.enumerated().filter { $0.offset != a }.map(\.element)
    return Tensor.result(outShape, out, "sum", [x]) { g in
      // Every element along the axis receives the gradient of its sum.
      [Tensor(shape: kept, data: g.data).broadcastCopy(to: x.shape)]
    }
  }

  /// The mean of all elements, or along `axis`.
  public func mean(axis: Int? = nil, keepdim: Bool = false) throws -> Tensor {
    let n = axis.map { shape[(try? checkedAxis($0, "mean")) ?? 0] } ?? count
    guard n > 0 else { throw CoreError("mean of an empty tensor (shape \(Shape.describe(shape)))") }
    return try sum(axis: axis, keepdim: keepdim) / Float(n)
  }

  /// This tensor's values repeated along broadcast axes to fill `target` (no autograd).
  func broadcastCopy(to target: [Int]) -> Tensor {
    let strides = Shape.broadcastStrides(shape, to: target)
    let zeros = [Int](repeating: 0, count: target.count)
    var out = [Float](repeating: 0, count: Shape.count(target))
    data.withUnsafeBufferPointer { d in
      Broadcast.forEachIndex(target, strides, zeros) { io, ia, _ in out[io] = d[ia] }
    }
    return Tensor(shape: target, data: out)
  }

  /// Sums of int64 / bool tensors stay exact int64 (as in PyTorch).
  private func integerSum(axis: Int?, keepdim: Bool) throws -> Tensor {
    guard let axis else {
      return Tensor(shape: keepdim ? [Int](repeating: 1, count: rank) : [], ints: [ints.reduce(0, &+)])
    }
    let (a, outer, n, inner) = try axisLayout(axis, "sum")
    var out = [Int64](repeating: 0, count: outer * inner)
    for o in 0..<outer { for k in 0..<n { for i in 0..<inner { out[o * inner + i] &+= ints[(o * n + k) * inner + i] } } }
    var kept = shape
    kept[a] = 1
    return Tensor(shape: keepdim ? kept : shape.enumerated().filter { $0.offset != a }.map(\.element), ints: out)
  }

  /// The variance with Bessel's `correction` (1 by default, as in PyTorch; 0 for NumPy's).
  public func variance(axis: Int? = nil, keepdim: Bool = false, correction: Int = 1) throws -> Tensor {
    let n = try axis.map { shape[try checkedAxis($0, "var")] } ?? count
    guard correction >= 0 else { throw CoreError("var: correction cannot be negative, got \(correction)", hint: "1 (Bessel's, the default) or 0") }
    guard n - correction > 0 else {
      throw CoreError("var: \(n) values leave no degrees of freedom with correction \(correction)", hint: "use correction: 0 for a single value")
    }
    let centered = try self - (try mean(axis: axis, keepdim: true))
    return try (centered * centered).sum(axis: axis, keepdim: keepdim) / Float(n - correction)
  }

  public func standardDeviation(axis: Int? = nil, keepdim: Bool = false, correction: Int = 1) throws -> Tensor {
    try variance(axis: axis, keepdim: keepdim, correction: correction).sqrt()
  }

  /// Running sums along `axis` (same shape); the gradient is the reversed running sum.
  public func cumsum(axis: Int) throws -> Tensor {
    let (_, outer, n, inner) = try axisLayout(axis, "cumsum")
    if isInteger {
      var out = ints
      for o in 0..<outer { for i in 0..<inner { for k in 1..<Swift.max(n, 1) { let j = (o * n + k) * inner + i; out[j] &+= out[j - inner] } } }
      return Tensor(shape: shape, ints: out)
    }
    var out = data
    for o in 0..<outer { for i in 0..<inner { for k in 1..<Swift.max(n, 1) { let j = (o * n + k) * inner + i; out[j] += out[j - inner] } } }
    return Tensor.result(shape, out, "cumsum", [self]) { g in
      var grad = g.data
      for o in 0..<outer { for i in 0..<inner {
        var k = n - 2
        while k >= 0 { let j = (o * n + k) * inner + i; grad[j] += grad[j + inner]; k -= 1 }
      } }
      return [Tensor(shape: g.shape, data: grad)]
    }
  }
}
