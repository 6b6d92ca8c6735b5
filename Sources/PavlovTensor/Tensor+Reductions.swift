/// Sums and means over all elements or along one axis, with their backward rules.
extension Tensor {
  func checkedAxis(_ axis: Int, _ op: String) throws -> Int {
    let a = axis < 0 ? axis + rank : axis
    guard a >= 0 && a < rank else {
      throw TensorError("\(op): axis \(axis) is out of range for a tensor of rank \(rank) (shape \(Shape.describe(shape)))")
    }
    return a
  }

  /// The sum of all elements (a scalar), or along `axis` (removed unless `keepdim`).
  public func sum(axis: Int? = nil, keepdim: Bool = false) throws -> Tensor {
    let x = self
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
    guard n > 0 else { throw TensorError("mean of an empty tensor (shape \(Shape.describe(shape)))") }
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
}
