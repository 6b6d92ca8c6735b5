/// Points as plain numbers, for wrappers and vector envs that treat every observation as a row
/// of reals (a discrete value becomes its integer as a Double).
extension Point {
  /// How many numbers `writeReals` writes.
  var realCount: Int {
    switch self {
    case .int: return 1
    case .reals(let values): return values.count
    case .ints(let values): return values.count
    case .text: return 0
    case .tuple(let items), .dict(_, let items): return items.reduce(0) { $0 + $1.realCount }
    }
  }

  /// Whether the point is numbers only (no text anywhere in it).
  public var isNumeric: Bool {
    switch self {
    case .int, .reals, .ints: return true
    case .text: return false
    case .tuple(let items), .dict(_, let items): return items.allSatisfy(\.isNumeric)
    }
  }

  /// The point's numbers, flattened row-major (a composite's components in order; text has none:
  /// `Space.flatten` encodes it).
  public var asReals: [Double] {
    switch self {
    case .int(let value): return [Double(value)]
    case .reals(let values): return values
    case .ints(let values): return values.map(Double.init)
    case .text: return []
    case .tuple(let items), .dict(_, let items): return items.flatMap(\.asReals)
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
    case .text: break
    case .tuple(let items), .dict(_, let items):
      var at = offset
      for item in items {
        item.writeReals(into: buffer, at: at)
        at += item.realCount
      }
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
    case (.text, .text): return self == other
    case (.tuple(let x), .tuple(let y)): return x.count == y.count && zip(x, y).allSatisfy { $0.hasSameShape(as: $1) }
    case (.dict(let k, let x), .dict(let l, let y)): return k == l && zip(x, y).allSatisfy { $0.hasSameShape(as: $1) }
    default: return false
    }
  }

  /// Whether every element is numbers only (no text space anywhere inside).
  public var isNumeric: Bool {
    switch self {
    case .discrete, .box, .multiDiscrete: return true
    case .text: return false
    case .tuple(let spaces), .dict(_, let spaces): return spaces.allSatisfy(\.isNumeric)
    }
  }

  /// One element as `flatCount` numbers, Gymnasium's `flatten` but for a discrete value, which
  /// stays its integer (not one-hot): a text is its characters' positions in the charset, padded
  /// to `maxLength` with `charset.count`; a composite, its components' rows in order. (The caller
  /// checked `contains`.)
  public func flatten(_ point: Point) -> [Double] {
    switch (self, point) {
    case (.text(_, let maxLength, let charset), .text(let string)):
      var out = [Double](repeating: Double(charset.count), count: maxLength)
      for (i, c) in string.prefix(maxLength).enumerated() { out[i] = Double(charset.firstIndex(of: c) ?? charset.count) }
      return out
    case (.tuple(let spaces), .tuple(let items)), (.dict(_, let spaces), .dict(_, let items)):
      return zip(spaces, items).flatMap { $0.flatten($1) }
    default:
      return point.asReals
    }
  }

  /// The element a row of `flatten` stands for.
  public func unflatten(_ values: ArraySlice<Double>) -> Point {
    var start = values.startIndex
    func next(_ space: Space) -> Point {
      let part = values[start..<(start + space.flatCount)]
      start += space.flatCount
      return space.unflatten(part)
    }
    // Rows from outside (a script's numbers) may hold anything: out-of-range values become ones
    // the space does not contain, never a trap.
    func integer(_ x: Double) -> Int { x.isFinite && Swift.abs(x) < 1e15 ? Int(x.rounded(.towardZero)) : Int.min }
    switch self {
    case .discrete: return .int(integer(values.first ?? 0))
    case .box: return .reals(Array(values))
    case .multiDiscrete: return .ints(values.map(integer))
    case .text(_, _, let charset):
      return .text(String(values.prefix { $0 >= 0 && $0 < Double(charset.count) }.map { charset[Int($0)] }))
    case .tuple(let spaces): return .tuple(spaces.map(next))
    case .dict(let keys, let spaces): return .dict(keys: keys, values: spaces.map(next))
    }
  }

  /// The shape of one element as an array (`[]` for a discrete value, `[n]` for multi-discrete).
  public var elementShape: [Int] {
    switch self {
    case .discrete: return []
    case .box(_, _, let shape): return shape
    case .multiDiscrete(let nvec): return [nvec.count]
    case .text(_, let maxLength, _): return [maxLength]
    case .tuple, .dict: return [flatCount]
    }
  }

  /// The smallest box holding every element, elementwise (a discrete space as its integer range).
  var boundingBox: (low: [Double], high: [Double]) {
    switch self {
    case .discrete(let n, let start): return ([Double(start)], [Double(start + n - 1)])
    case .box(let low, let high, _): return (low, high)
    case .multiDiscrete(let nvec): return (nvec.map { _ in 0 }, nvec.map { Double($0 - 1) })
    case .text(_, let maxLength, let charset):
      return ([Double](repeating: 0, count: maxLength), [Double](repeating: Double(charset.count), count: maxLength))
    case .tuple(let spaces), .dict(_, let spaces):
      let boxes = spaces.map(\.boundingBox)
      return (boxes.flatMap(\.low), boxes.flatMap(\.high))
    }
  }
}
