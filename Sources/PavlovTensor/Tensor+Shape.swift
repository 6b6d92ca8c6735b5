import PavlovCore
/// Reshaping, axis moves, and joining and cutting tensors. All keep the dtype.
extension Tensor {
  /// The same elements in a new shape (one size may be -1: inferred). Shares the storage until
  /// either tensor is written (copy-on-write), so it costs no copy.
  public func reshaped(_ newShape: [Int]) throws -> Tensor {
    var target = newShape
    if let unknown = target.firstIndex(of: -1) {
      var known = target
      known.remove(at: unknown)
      guard !known.contains(-1) else { throw CoreError("reshape: only one size can be -1 (inferred), got \(Shape.describe(newShape))") }
      let knownCount = try AllocationLimit.elements(known, "reshape")
      guard knownCount > 0, count % knownCount == 0 else {
        throw CoreError("reshape: cannot fit \(count) elements into \(Shape.describe(newShape))")
      }
      target[unknown] = count / knownCount
    }
    guard target.allSatisfy({ $0 >= 0 }), try AllocationLimit.elements(target, "reshape") == count else {
      throw CoreError("reshape: shape \(Shape.describe(shape)) (\(count) elements) cannot become \(Shape.describe(newShape))")
    }
    if isInteger { return Tensor(shape: target, ints: ints, dtype: dtype) }
    let x = self
    return Tensor.result(target, data, "reshape", [x]) { g in [Tensor(shape: x.shape, data: g.data)] }
  }

  /// Entry `i` of the first axis (a tensor of one rank less), with its gradient.
  public func select(_ i: Int) throws -> Tensor {
    guard rank >= 1 else { throw CoreError("cannot index a scalar tensor", hint: "read its value with item()") }
    let n = shape[0]
    guard i >= 0 && i < n else { throw CoreError("index \(i) out of range for tensor of length \(n)") }
    let width = n == 0 ? 0 : count / n
    return picking(Array(shape.dropFirst()), Array((i * width)..<((i + 1) * width)), "select")
  }

  /// The transpose of a matrix (for rank > 2, the last two axes swap; a vector is unchanged).
  public func transposed() throws -> Tensor {
    if rank < 2 { return self }
    return try transposed(rank - 2, rank - 1)
  }

  /// Axes `a` and `b` swapped.
  public func transposed(_ a: Int, _ b: Int) throws -> Tensor {
    var order = Array(0..<rank)
    let i = try checkedAxis(a, "transpose"), j = try checkedAxis(b, "transpose")
    order.swapAt(i, j)
    return try permuted(order)
  }

  /// The axes in a new order: `permuted([1, 0])` is the transpose of a matrix.
  public func permuted(_ order: [Int]) throws -> Tensor {
    let axes = try order.map { try checkedAxis($0, "permute") }
    guard axes.count == rank, Set(axes).count == rank else {
      throw CoreError("permute: \(order) is not an ordering of the \(rank) axes of shape \(Shape.describe(shape))")
    }
    if axes == Array(0..<rank) { return self }
    let strides = Shape.strides(shape)
    let outShape = axes.map { shape[$0] }
    let moved = axes.map { strides[$0] }
    var source = [Int](repeating: 0, count: count)
    let zeros = [Int](repeating: 0, count: rank)
    Broadcast.forEachIndex(outShape, moved, zeros) { io, ia, _ in source[io] = ia }
    return picking(outShape, source, "permute")
  }

  /// A size-1 axis inserted at `axis` (which may be `rank`, or negative).
  public func unsqueezed(_ axis: Int) throws -> Tensor {
    let a = axis < 0 ? axis + rank + 1 : axis
    guard a >= 0 && a <= rank else { throw CoreError("unsqueeze: axis \(axis) is out of range for rank \(rank)") }
    var s = shape
    s.insert(1, at: a)
    return try reshaped(s)
  }

  /// Size-1 axes removed (all of them, or only `axis`).
  public func squeezed(_ axis: Int? = nil) throws -> Tensor {
    guard let axis else { return try reshaped(shape.filter { $0 != 1 }) }
    let a = try checkedAxis(axis, "squeeze")
    guard shape[a] == 1 else { return self }
    var s = shape
    s.remove(at: a)
    return try reshaped(s)
  }

  /// Axes `start...end` merged into one (all axes by default).
  public func flattened(start: Int = 0, end: Int = -1) throws -> Tensor {
    if rank == 0 { return try reshaped([1]) }
    let a = try checkedAxis(start, "flatten"), b = try checkedAxis(end, "flatten")
    guard a <= b else { return self }
    let merged = Shape.count(Array(shape[a...b]))
    return try reshaped(Array(shape[..<a]) + [merged] + Array(shape[(b + 1)...]))
  }

  /// The tensors joined along an existing axis; all other sizes must match.
  public static func cat(_ tensors: [Tensor], axis: Int = 0) throws -> Tensor {
    guard let first = tensors.first else { throw CoreError("cat: needs at least one tensor") }
    let a = try first.checkedAxis(axis, "cat")
    let dtype = tensors.allSatisfy { $0.dtype == first.dtype } ? first.dtype : .float32
    for t in tensors {
      var u = t.shape, v = first.shape
      guard u.count == v.count else { throw CoreError.shapes("cat", first.shape, t.shape, hint: "all tensors need the same rank") }
      u[a] = 0
      v[a] = 0
      guard u == v else { throw CoreError.shapes("cat along axis \(axis)", first.shape, t.shape, hint: "sizes must match on every other axis") }
    }
    let outer = Shape.count(Array(first.shape[..<a]))
    let inner = Shape.count(Array(first.shape[(a + 1)...]))
    let widths = tensors.map { $0.shape[a] * inner }
    let total = widths.reduce(0, +)
    var outShape = first.shape
    outShape[a] = tensors.map { $0.shape[a] }.reduce(0, +)
    if dtype.isInteger {
      var out = [Int64]()
      out.reserveCapacity(outer * total)
      for o in 0..<outer { for (t, w) in zip(tensors, widths) { out.append(contentsOf: t.ints[(o * w)..<((o + 1) * w)]) } }
      return Tensor(shape: outShape, ints: out, dtype: dtype)
    }
    var out = [Float]()
    out.reserveCapacity(outer * total)
    for o in 0..<outer { for (t, w) in zip(tensors, widths) { out.append(contentsOf: t.data[(o * w)..<((o + 1) * w)]) } }
    return result(outShape, out, "cat", tensors) { g in
      var grads: [Tensor?] = []
      var start = 0
      for (t, w) in zip(tensors, widths) {
        var part = [Float]()
        part.reserveCapacity(outer * w)
        for o in 0..<outer { part.append(contentsOf: g.data[(o * total + start)..<(o * total + start + w)]) }
        grads.append(Tensor(shape: t.shape, data: part))
        start += w
      }
      return grads
    }
  }

  /// The tensors (all of one shape) stacked along a new axis.
  public static func stack(_ tensors: [Tensor], axis: Int = 0) throws -> Tensor {
    guard let first = tensors.first else { throw CoreError("stack: needs at least one tensor") }
    for t in tensors where t.shape != first.shape {
      throw CoreError.shapes("stack", first.shape, t.shape, hint: "every tensor must have the same shape")
    }
    return try cat(tensors.map { try $0.unsqueezed(axis) }, axis: axis)
  }

  /// Consecutive pieces along `axis` with the given sizes (which must add up to the axis size).
  public func split(sizes: [Int], axis: Int = 0) throws -> [Tensor] {
    let a = try checkedAxis(axis, "split")
    guard sizes.allSatisfy({ $0 >= 0 }), sizes.reduce(0, +) == shape[a] else {
      throw CoreError("split: sizes \(sizes) do not add up to \(shape[a]), the size of axis \(axis) (shape \(Shape.describe(shape)))")
    }
    var pieces: [Tensor] = []
    var start = 0
    for s in sizes {
      var components = [IndexComponent](repeating: .all, count: a)
      components.append(.slice(start, start + s, 1))
      pieces.append(try index(components))
      start += s
    }
    return pieces
  }

  /// Pieces of `size` along `axis` (the last may be smaller), like torch.split with an int.
  public func split(size: Int, axis: Int = 0) throws -> [Tensor] {
    guard size > 0 else { throw CoreError("split: the piece size must be positive, got \(size)") }
    let n = shape[try checkedAxis(axis, "split")]
    return try split(sizes: stride(from: 0, to: n, by: size).map { Swift.min(size, n - $0) }, axis: axis)
  }

  /// The lower triangle of the last two axes (elements with column - row <= k); the rest 0.
  public func tril(_ k: Int = 0) throws -> Tensor { try triangle("tril") { row, col in col - row <= k } }
  /// The upper triangle of the last two axes (elements with column - row >= k); the rest 0.
  public func triu(_ k: Int = 0) throws -> Tensor { try triangle("triu") { row, col in col - row >= k } }

  private func triangle(_ name: String, _ keep: (Int, Int) -> Bool) throws -> Tensor {
    guard rank >= 2 else { throw CoreError("\(name): needs a matrix (rank >= 2), got shape \(Shape.describe(shape))") }
    let rows = shape[rank - 2], cols = shape[rank - 1]
    var mask = [Float](repeating: 0, count: rows * cols)
    for r in 0..<rows { for c in 0..<cols where keep(r, c) { mask[r * cols + c] = 1 } }
    if isInteger {
      var out = ints
      for k in 0..<count where mask[k % (rows * cols)] == 0 { out[k] = 0 }
      return Tensor(shape: shape, ints: out, dtype: dtype)
    }
    return try self * Tensor(shape: [rows, cols], data: mask)
  }
}
