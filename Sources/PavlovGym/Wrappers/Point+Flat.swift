/// Points as plain numbers, for wrappers and vector envs that treat every observation as a row
/// of reals (a discrete value becomes its integer as a Double).
extension Point {
  /// How many numbers `writeReals` writes.
  var realCount: Int {
    switch self {
    case .int: return 1
    case .reals(let values): return values.count
    case .ints(let values): return values.count
    }
  }

  /// The point's numbers, flattened row-major.
  public var asReals: [Double] {
    switch self {
    case .int(let value): return [Double(value)]
    case .reals(let values): return values
    case .ints(let values): return values.map(Double.init)
    }
  }

  /// Writes the point's numbers into `buffer` from `offset` (the caller checked `realCount`).
  func writeReals(into buffer: UnsafeMutableBufferPointer<Double>, at offset: Int) {
    switch self {
    case .int(let value): buffer[offset] = Double(value)
    case .reals(let values):
      for i in values.indices { buffer[offset + i] = values[i] }
    case .ints(let values):
      for i in values.indices { buffer[offset + i] = Double(values[i]) }
    }
  }
}

extension Space {
  /// The same kind of space with the same size: equal but for a box's bounds, which a dataset
  /// stores as float32 (so the env's and the file's differ in the last digits).
  public func hasSameShape(as other: Space) -> Bool {
    switch (self, other) {
    case (.discrete(let n, let s), .discrete(let m, let t)): return n == m && s == t
    case (.box(_, _, let x), .box(_, _, let y)): return x == y
    case (.multiDiscrete(let x), .multiDiscrete(let y)): return x == y
    default: return false
    }
  }

  /// The shape of one element as an array (`[]` for a discrete value, `[n]` for multi-discrete).
  public var elementShape: [Int] {
    switch self {
    case .discrete: return []
    case .box(_, _, let shape): return shape
    case .multiDiscrete(let nvec): return [nvec.count]
    }
  }

  /// The smallest box holding every element, elementwise (a discrete space as its integer range).
  var boundingBox: (low: [Double], high: [Double]) {
    switch self {
    case .discrete(let n, let start): return ([Double(start)], [Double(start + n - 1)])
    case .box(let low, let high, _): return (low, high)
    case .multiDiscrete(let nvec): return (nvec.map { _ in 0 }, nvec.map { Double($0 - 1) })
    }
  }
}
