import PavlovCore
import CPavlovKernels

/// Element loops for binary operations under NumPy broadcasting, and the reverse reduction
/// that backward rules need (a gradient summed back to an input's shape).
enum Broadcast {
  /// The four arithmetic operations, run by the vectorized C kernels: a closure called per
  /// element cost ~2 ns an element (the residual adds alone took 4% of a GPT training step).
  enum Arithmetic {
    case add, subtract, multiply, divide

    var kernel: Kernels.Arithmetic {
      switch self {
      case .add: pv_add
      case .subtract: pv_sub
      case .multiply: pv_mul
      case .divide: pv_div
      }
    }

    func apply(_ x: Float, _ y: Float) -> Float {
      switch self {
      case .add: x + y
      case .subtract: x - y
      case .multiply: x * y
      case .divide: x / y
      }
    }
  }

  /// `a op b` after broadcasting. Equal shapes, a scalar side, and a side that repeats along
  /// the leading axes (a bias row) run in the kernels; other broadcasts fall back to the index
  /// walk.
  static func binary(_ a: Tensor, _ b: Tensor, _ name: String, _ op: Arithmetic) throws -> ([Int], [Float]) {
    guard let shape = a.shape == b.shape ? a.shape : Shape.broadcast(a.shape, b.shape) else {
      throw CoreError.shapes(name, a.shape, b.shape, hint: "sizes must match or be 1 along each axis, aligned from the right")
    }
    let n = shape == a.shape ? a.count : try AllocationLimit.elements(shape, name)
    // Each operand is walked whole (step 1), repeated as one value (step 0), or repeated as a
    // row of `width` values over the leading axes.
    let width: Int
    if a.count == n && (b.count == n || b.count == 1) || b.count == n && a.count == 1 {
      width = n
    } else if a.count == n, repeatsAlongLeadingAxes(b.shape, in: shape) {
      width = b.count
    } else if b.count == n, repeatsAlongLeadingAxes(a.shape, in: shape) {
      width = a.count
    } else {
      return try binary(a, b, name, op.apply)
    }
    var out = [Float].uninitialized(n)
    guard n > 0 else { return (shape, out) }
    let kernel = op.kernel
    a.data.withUnsafeBufferPointer { pa in
      b.data.withUnsafeBufferPointer { pb in
        out.withUnsafeMutableBufferPointer { po in
          guard let x = pa.baseAddress, let y = pb.baseAddress, let o = po.baseAddress else { return }
          let aStep = a.count == 1 && n > 1 ? 0 : 1, bStep = b.count == 1 && n > 1 ? 0 : 1
          if width == n {
            Parallel.forEachPart(n, minimumPerPart: Kernels.parallelGrain) { _, range in
              kernel(x + aStep * range.lowerBound, Int32(aStep), y + bStep * range.lowerBound, Int32(bStep), o + range.lowerBound, range.count)
            }
          } else {
            let rows = n / width, aRow = a.count == n ? width : 0, bRow = b.count == n ? width : 0
            Parallel.forEachPart(rows, minimumPerPart: Swift.max(1, Kernels.parallelGrain / width)) { _, range in
              for r in range { kernel(x + r * aRow, 1, y + r * bRow, 1, o + r * width, width) }
            }
          }
        }
      }
    }
    return (shape, out)
  }

  /// Whether `small`, aligned right under `shape`, is `shape`'s trailing axes with only 1s (or
  /// nothing) before them: its elements then repeat as one contiguous row.
  static func repeatsAlongLeadingAxes(_ small: [Int], in shape: [Int]) -> Bool {
    let trimmed = small.drop { $0 == 1 }
    return trimmed.count <= shape.count && Array(shape.suffix(trimmed.count)) == Array(trimmed)
  }

  /// Applies `op` element by element after broadcasting; returns the output shape and data.
  static func binary(_ a: Tensor, _ b: Tensor, _ name: String, _ op: (Float, Float) -> Float) throws -> ([Int], [Float]) {
    if a.shape == b.shape { return (a.shape, elementwise(a.data, b.data, op)) }
    guard let shape = Shape.broadcast(a.shape, b.shape) else {
      throw CoreError.shapes(name, a.shape, b.shape, hint: "sizes must match or be 1 along each axis, aligned from the right")
    }
    let n = try AllocationLimit.elements(shape, name)
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
    if repeatsAlongLeadingAxes(shape, in: gradient.shape), !out.isEmpty {
      // A row repeated over the leading axes: its gradient is the column sums, in row order.
      gradient.data.withUnsafeBufferPointer { g in
        out.withUnsafeMutableBufferPointer { o in
          pv_column_sums_add(g.baseAddress, gradient.count / o.count, o.count, o.baseAddress)
        }
      }
      return Tensor(shape: shape, data: out)
    }
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
