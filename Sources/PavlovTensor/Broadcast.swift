/// Element loops for binary operations under NumPy broadcasting, and the reverse reduction
/// that backward rules need (a gradient summed back to an input's shape).
enum Broadcast {
  /// Applies `op` element by element after broadcasting; returns the output shape and data.
  static func binary(_ a: Tensor, _ b: Tensor, _ name: String, _ op: (Float, Float) -> Float) throws -> ([Int], [Float]) {
    if a.shape == b.shape { return (a.shape, elementwise(a.data, b.data, op)) }
    guard let shape = Shape.broadcast(a.shape, b.shape) else {
      throw TensorError.shapes(name, a.shape, b.shape, hint: "sizes must match or be 1 along each axis, aligned from the right")
    }
    let n = Shape.count(shape)
    var out = [Float](repeating: 0, count: n)
    if b.count == 1 {
      let y = b.data[0]
      a.data.withUnsafeBufferPointer { x in for i in 0..<n { out[i] = op(x[i], y) } }
      return (shape, out)
    }
    if a.count == 1 {
      let x = a.data[0]
      b.data.withUnsafeBufferPointer { y in for i in 0..<n { out[i] = op(x, y[i]) } }
      return (shape, out)
    }
    let sa = Shape.broadcastStrides(a.shape, to: shape), sb = Shape.broadcastStrides(b.shape, to: shape)
    a.data.withUnsafeBufferPointer { x in
      b.data.withUnsafeBufferPointer { y in
        forEachIndex(shape, sa, sb) { io, ia, ib in out[io] = op(x[ia], y[ib]) }
      }
    }
    return (shape, out)
  }

  /// Visits every element of `shape` with its offsets in two strided operands.
  static func forEachIndex(_ shape: [Int], _ sa: [Int], _ sb: [Int], _ body: (Int, Int, Int) -> Void) {
    let rank = shape.count
    let n = Shape.count(shape)
    guard n > 0 else { return }
    var index = [Int](repeating: 0, count: rank)
    var ia = 0, ib = 0
    for io in 0..<n {
      body(io, ia, ib)
      // Advance the multi-index like an odometer, keeping the operand offsets in step.
      var axis = rank - 1
      while axis >= 0 {
        index[axis] += 1
        ia += sa[axis]
        ib += sb[axis]
        if index[axis] < shape[axis] { break }
        ia -= sa[axis] * shape[axis]
        ib -= sb[axis] * shape[axis]
        index[axis] = 0
        axis -= 1
      }
    }
  }

  /// Sums `gradient` (shaped like a broadcast result) back to `shape`.
  static func reduce(_ gradient: Tensor, to shape: [Int]) -> Tensor {
    if gradient.shape == shape { return gradient }
    var out = [Float](repeating: 0, count: Shape.count(shape))
    let target = Shape.broadcastStrides(shape, to: gradient.shape)
    let zeros = [Int](repeating: 0, count: gradient.shape.count)
    gradient.data.withUnsafeBufferPointer { g in
      forEachIndex(gradient.shape, target, zeros) { io, it, _ in out[it] += g[io] }
    }
    return Tensor(shape: shape, data: out)
  }

  /// `op` element by element over two equal-length buffers, split over the cores when large
  /// (every element is independent, so the split changes no bit).
  static func elementwise(_ a: [Float], _ b: [Float], _ op: (Float, Float) -> Float) -> [Float] {
    let count = Swift.min(a.count, b.count)
    var out = [Float].uninitialized(count)
    a.withUnsafeBufferPointer { x in
      b.withUnsafeBufferPointer { y in
        out.withUnsafeMutableBufferPointer { o in
          withoutActuallyEscaping(op) { op in
            Parallel.forEachPart(count, minimumPerPart: Kernels.parallelGrain) { _, range in
              for i in range { o[i] = op(x[i], y[i]) }
            }
          }
        }
      }
    }
    return out
  }
}
