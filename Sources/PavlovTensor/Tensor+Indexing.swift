import PavlovCore
/// One component of an index expression `t[i, a:b, idx]`.
public enum IndexComponent {
  /// A single position (negative counts from the end); removes the axis.
  case position(Int)
  /// Python's slice, with nil meaning "from the start" / "to the end" / step 1.
  case slice(Int?, Int?, Int?)
  /// An int64 tensor of positions (the axis is replaced by the index's shape), or a bool mask
  /// covering as many axes as it has (the masked elements, in row-major order).
  case tensor(Tensor)
  /// All of an axis (`:`).
  public static let all = IndexComponent.slice(nil, nil, nil)
}

/// Indexing by ints, slices and index tensors (NumPy's basic and advanced indexing), and
/// in-place assignment through the same index.
extension Tensor {
  /// A tensor whose element k is this tensor's element `source[k]`, keeping the dtype; the
  /// gradient of a float tensor is scattered back (adding where a source repeats).
  public func picking(_ shape: [Int], _ source: [Int], _ name: String) -> Tensor {
    if isInteger {
      var out = [Int64](repeating: 0, count: source.count)
      ints.withUnsafeBufferPointer { d in for k in 0..<source.count { out[k] = d[source[k]] } }
      return Tensor(shape: shape, ints: out, dtype: dtype)
    }
    var out = [Float](repeating: 0, count: source.count)
    data.withUnsafeBufferPointer { d in for k in 0..<source.count { out[k] = d[source[k]] } }
    let x = self
    return Tensor.result(shape, out, name, [x]) { g in
      var grad = [Float](repeating: 0, count: x.count)
      g.data.withUnsafeBufferPointer { gd in for k in 0..<source.count { grad[source[k]] += gd[k] } }
      return [Tensor(shape: x.shape, data: grad)]
    }
  }

  /// `t[components...]`: the result and, for assignment, the offset of each result element.
  public func index(_ components: [IndexComponent]) throws -> Tensor {
    let (shape, offsets) = try indexOffsets(components)
    return picking(shape, offsets, "index")
  }

  /// `t[components...] = value`, in place (value broadcasts to the indexed shape). Not recorded by
  /// autograd, so it refuses tensors that are part of a gradient computation while autograd is on.
  public func assign(_ components: [IndexComponent], _ value: Tensor) throws {
    if Autograd.enabled && tracksGradient {
      throw CoreError("cannot assign into a tensor that takes part in a gradient computation",
                        hint: "build the new values with where(...) or cat(...), or assign inside no_grad(() => ...) for initialisation")
    }
    let (shape, offsets) = try indexOffsets(components)
    guard let common = Shape.broadcast(shape, value.shape), common == shape else {
      throw CoreError("index assignment: a value of shape \(Shape.describe(value.shape)) cannot fill the indexed shape \(Shape.describe(shape))",
                        hint: "the value must broadcast to the indexed part, e.g. a number or a tensor of shape \(Shape.describe(shape))")
    }
    var filled = value.shape == shape ? value : value.broadcastCopy(to: shape)
    if value.isInteger && value.shape != shape { filled = Tensor.converting(shape: shape, filled.data, to: value.dtype) }
    for k in 0..<offsets.count {
      let o = offsets[k]
      if isInteger && filled.isInteger {
        let v = dtype == .bool ? (filled.ints[k] != 0 ? 1 : 0) : filled.ints[k]
        ints[o] = v
        data[o] = Float(v)
      } else {
        setElement(o, filled.data[k])
      }
    }
  }

  /// The shape of `t[components]` and, for each of its elements, the row-major offset it reads.
  func indexOffsets(_ given: [IndexComponent]) throws -> ([Int], [Int]) {
    // Bool masks become int positions (one index tensor per axis they cover), as in NumPy.
    var components: [IndexComponent] = []
    for c in given {
      if case .tensor(let m) = c, m.dtype == .bool {
        components.append(contentsOf: m.nonzeroIndices().map { .tensor($0) })
      } else {
        components.append(c)
      }
    }
    guard components.count <= rank else {
      throw CoreError("too many indices (\(components.count)) for a tensor of rank \(rank) (shape \(Shape.describe(shape)))")
    }
    let hasTensorIndex = components.contains { if case .tensor = $0 { return true } else { return false } }
    let strides = Shape.strides(shape)
    // Each axis becomes one of: dropped (a position), kept (a list of positions), or advanced.
    enum Axis { case kept([Int]), fixed(Int), advanced([Int64], [Int]) }
    var axes: [Axis] = []
    for axis in 0..<rank {
      let n = shape[axis]
      let c = axis < components.count ? components[axis] : .all
      switch c {
      case .position(let i):
        let j = i < 0 ? i + n : i
        guard j >= 0 && j < n else {
          throw CoreError("index \(i) is out of range for axis \(axis) of size \(n) (shape \(Shape.describe(shape)))",
                            hint: n == 0 ? "the axis is empty" : "valid indices are 0 to \(n - 1), or -\(n) to -1 from the end")
        }
        axes.append(hasTensorIndex ? .advanced([Int64(j)], []) : .fixed(j))
      case .slice(let start, let end, let step):
        axes.append(.kept(try Tensor.sliceIndices(n, start, end, step)))
      case .tensor(let t):
        guard t.dtype == .int64 else {
          throw CoreError("index tensors must hold ints (int64) or bools, got \(t.dtype.rawValue)", hint: "convert with .long()")
        }
        var positions = t.ints
        for k in 0..<positions.count {
          let p = positions[k]
          let q = p < 0 ? p + Int64(n) : p
          guard q >= 0 && q < Int64(n) else {
            throw CoreError("index \(p) in an index tensor is out of range for axis \(axis) of size \(n) (shape \(Shape.describe(shape)))")
          }
          positions[k] = q
        }
        axes.append(.advanced(positions, t.shape))
      }
    }
    // The advanced indices broadcast together to one shape.
    var advancedShape: [Int] = []
    var advancedAxes: [Int] = []
    for (axis, a) in axes.enumerated() {
      guard case .advanced(_, let s) = a else { continue }
      advancedAxes.append(axis)
      guard let b = Shape.broadcast(advancedShape, s) else {
        throw CoreError("index tensors of shapes \(Shape.describe(advancedShape)) and \(Shape.describe(s)) do not broadcast together")
      }
      advancedShape = b
    }
    var advancedOffsets: [Int] = [0]
    if !advancedAxes.isEmpty {
      let m = Shape.count(advancedShape)
      advancedOffsets = [Int](repeating: 0, count: m)
      for axis in advancedAxes {
        guard case .advanced(let positions, let s) = axes[axis] else { continue }
        let st = Shape.broadcastStrides(s, to: advancedShape)
        let zeros = [Int](repeating: 0, count: advancedShape.count)
        Broadcast.forEachIndex(advancedShape, st, zeros) { io, ia, _ in advancedOffsets[io] += Int(positions[ia]) * strides[axis] }
      }
    }
    // Output axes: kept axes in order, with the advanced block where the (adjacent) advanced
    // axes were, or first when they are apart (NumPy's rule).
    let adjacent = advancedAxes.isEmpty || advancedAxes.last! - advancedAxes.first! == advancedAxes.count - 1
    var base = 0
    var dims: [(size: Int, positions: [Int]?, stride: Int)] = []  // positions nil: the advanced block
    var placedAdvanced = false
    if !advancedAxes.isEmpty && !adjacent {
      dims.append((0, nil, 0))
      placedAdvanced = true
    }
    for (axis, a) in axes.enumerated() {
      switch a {
      case .fixed(let j): base += j * strides[axis]
      case .kept(let positions): dims.append((positions.count, positions, strides[axis]))
      case .advanced:
        if !placedAdvanced { dims.append((0, nil, 0)); placedAdvanced = true }
      }
    }
    var outShape: [Int] = []
    for d in dims { if d.positions == nil { outShape += advancedShape } else { outShape.append(d.size) } }
    let total = Shape.count(outShape)
    var offsets = [Int]()
    offsets.reserveCapacity(total)
    // Row-major over the output: nested loops over dims, the advanced block as one flat loop.
    func visit(_ d: Int, _ offset: Int) {
      if d == dims.count { offsets.append(offset); return }
      if let positions = dims[d].positions {
        let stride = dims[d].stride
        for p in positions { visit(d + 1, offset + p * stride) }
      } else {
        for a in advancedOffsets { visit(d + 1, offset + a) }
      }
    }
    if total > 0 { visit(0, base) }
    return (outShape, offsets)
  }

  /// The positions a Python slice selects from an axis of size n.
  static func sliceIndices(_ n: Int, _ start: Int?, _ end: Int?, _ step: Int?) throws -> [Int] {
    let st = step ?? 1
    guard st != 0 else { throw CoreError("slice step cannot be zero") }
    func clamp(_ v: Int?, _ fallback: Int, low: Int, high: Int) -> Int {
      guard let v else { return fallback }
      let w = v < 0 ? v + n : v
      return Swift.min(Swift.max(w, low), high)
    }
    if st > 0 {
      let lo = clamp(start, 0, low: 0, high: n), hi = clamp(end, n, low: 0, high: n)
      return lo < hi ? Array(stride(from: lo, to: hi, by: st)) : []
    }
    let hi = clamp(start, n - 1, low: -1, high: n - 1), lo = clamp(end, -1, low: -1, high: n - 1)
    return hi > lo ? Array(stride(from: hi, to: lo, by: st)) : []
  }

  /// For a bool tensor: one int64 tensor per axis with the coordinates of its true elements.
  public func nonzeroIndices() -> [Tensor] {
    let strides = Shape.strides(shape)
    var coordinates = [[Int64]](repeating: [], count: rank)
    for (k, v) in data.enumerated() where v != 0 {
      var rest = k
      for axis in 0..<rank {
        coordinates[axis].append(Int64(rest / strides[axis]))
        rest %= strides[axis]
      }
    }
    if rank == 0 { return [] }
    return coordinates.map { Tensor(shape: [$0.count], ints: $0) }
  }
}

/// `gather`, `one_hot` and integer ranges.
extension Tensor {
  /// out[i][j] = self[i][index[i][j]] along `axis` (PyTorch's gather): `index` has this
  /// tensor's rank, and its sizes on the other axes must not exceed this tensor's.
  public func gather(axis: Int, index: Tensor) throws -> Tensor {
    let a = try checkedAxis(axis, "gather")
    guard index.dtype == .int64 else { throw CoreError("gather: the index must be an int64 tensor, got \(index.dtype.rawValue)", hint: "convert with .long()") }
    guard index.rank == rank else {
      throw CoreError("gather: the index has rank \(index.rank) but the tensor has rank \(rank) (shapes \(Shape.describe(index.shape)) and \(Shape.describe(shape)))",
                        hint: "add the missing axis, e.g. actions.unsqueeze(-1)")
    }
    for d in 0..<rank where d != a && index.shape[d] > shape[d] {
      throw CoreError.shapes("gather along axis \(axis)", shape, index.shape, hint: "the index may not be larger than the tensor on other axes")
    }
    let strides = Shape.strides(shape)
    let indexStrides = Shape.strides(index.shape)
    var source = [Int](repeating: 0, count: index.count)
    let n = Int64(shape[a])
    for k in 0..<index.count {
      var rest = k, offset = 0
      for d in 0..<rank {
        let c = rest / indexStrides[d]
        rest %= indexStrides[d]
        if d == a {
          let p = index.ints[k]
          guard p >= -n && p < n else { throw CoreError("gather: index \(p) is out of range for axis \(axis) of size \(n)") }
          offset += Int(p < 0 ? p + n : p) * strides[d]
        } else {
          offset += c * strides[d]
        }
      }
      source[k] = offset
    }
    return picking(index.shape, source, "gather")
  }

  /// Rows of the identity: an int64 tensor of shape index.shape + [classes].
  public static func oneHot(_ index: Tensor, classes: Int) throws -> Tensor {
    guard index.dtype == .int64 else { throw CoreError("one_hot: expected an int64 tensor of class indices, got \(index.dtype.rawValue)") }
    guard classes > 0 else { throw CoreError("one_hot: the number of classes must be positive, got \(classes)") }
    var out = [Int64](repeating: 0, count: try AllocationLimit.elements(index.shape + [classes], "one_hot"))
    for (k, c) in index.ints.enumerated() {
      guard c >= 0 && c < Int64(classes) else { throw CoreError("one_hot: class \(c) is out of range for \(classes) classes (0 to \(classes - 1))") }
      out[k * classes + Int(c)] = 1
    }
    return Tensor(shape: index.shape + [classes], ints: out)
  }

  /// start, start + step, ... up to (not including) end, as an int64 tensor.
  public static func arange(_ start: Int, _ end: Int, step: Int = 1) throws -> Tensor {
    guard step != 0 else { throw CoreError("arange: step cannot be zero") }
    // The count in floating point: end - start may overflow an Int.
    try AllocationLimit.count(((Double(end) - Double(start)) / Double(step)).rounded(.up), "arange")
    let values = Array(stride(from: start, to: end, by: step)).map { Int64($0) }
    return Tensor(shape: [values.count], ints: values)
  }

  /// The n×n identity matrix.
  public static func eye(_ n: Int) throws -> Tensor {
    var out = [Float](repeating: 0, count: try AllocationLimit.elements([n, n], "eye"))
    for i in 0..<n { out[i * n + i] = 1 }
    return Tensor(shape: [n, n], data: out)
  }
}
