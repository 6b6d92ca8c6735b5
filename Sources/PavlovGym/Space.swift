/// One element of a space: what an environment observes or is asked to do.
public indirect enum Point: Equatable, Sendable {
  /// An element of a `discrete` space.
  case int(Int)
  /// An element of a `box` space, flattened row-major (the space keeps the shape).
  case reals([Double])
  /// An element of a `multiDiscrete` space.
  case ints([Int])
  /// An element of a `text` space.
  case text(String)
  /// An element of a `tuple` space: one point per component.
  case tuple([Point])
  /// An element of a `dict` space: the values in the space's (sorted) key order.
  case dict(keys: [String], values: [Point])

  /// A short description for error messages: `3`, `[0.1, -2]`, `[1, 0, 2]`, `"go north"`,
  /// `(3, "a")`, `{pos: 3, text: "a"}`.
  public var description: String {
    switch self {
    case .int(let value): return String(value)
    case .reals(let values): return "[" + values.map { formatReal($0) }.joined(separator: ", ") + "]"
    case .ints(let values): return "[" + values.map(String.init).joined(separator: ", ") + "]"
    case .text(let string): return "\"" + string + "\""
    case .tuple(let items): return "(" + items.map(\.description).joined(separator: ", ") + (items.count == 1 ? ",)" : ")")
    case .dict(let keys, let values): return "{" + zip(keys, values).map { "\($0): \($1.description)" }.joined(separator: ", ") + "}"
    }
  }
}

/// Short text of a double for spaces and messages: integers without a point ("1"), others to
/// 8 significant digits like NumPy's float32 printing ("0.41887902", "-inf").
func formatReal(_ value: Double) -> String {
  if value == value.rounded(), Swift.abs(value) < 1e15 { return String(Int(value)) }
  guard value.isFinite, value != 0 else { return String(value) }
  var scale = 1.0, digits = 0
  while Swift.abs(value) * scale < 1e7 && digits < 40 { scale *= 10; digits += 1 }
  let rounded = (value * scale).rounded() / scale
  return String(rounded)
}

/// Gymnasium's spaces: `Discrete(n, start)`, `Box(low, high, shape)`, `MultiDiscrete(nvec)`,
/// `Text(max_length, min_length, charset)`, and the composites `Tuple` and `Dict` (keys sorted,
/// as Gymnasium sorts a plain dict's). Box bounds may be infinite; sampling then follows
/// Gymnasium (normal where both bounds are infinite, shifted exponential where one is).
public indirect enum Space: Equatable, Sendable {
  case discrete(n: Int, start: Int)
  case box(low: [Double], high: [Double], shape: [Int])
  case multiDiscrete(nvec: [Int])
  /// Strings of `minLength`...`maxLength` characters, each from `charset`.
  case text(minLength: Int, maxLength: Int, charset: [Character])
  case tuple([Space])
  /// Components by name, the keys sorted.
  case dict(keys: [String], spaces: [Space])

  /// Gymnasium's default character set for `Text`: digits and ASCII letters.
  public static let alphanumeric: [Character] = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")

  /// A dict space from named components in any order (stored sorted by key).
  public static func dict(_ items: [(String, Space)]) -> Space {
    let sorted = items.sorted { $0.0 < $1.0 }
    return .dict(keys: sorted.map(\.0), spaces: sorted.map(\.1))
  }

  public static func discrete(_ n: Int) -> Space { .discrete(n: n, start: 0) }

  /// A box whose every element shares the same bounds.
  public static func box(low: Double, high: Double, shape: [Int]) -> Space {
    let count = shape.reduce(1, *)
    return .box(low: Array(repeating: low, count: count), high: Array(repeating: high, count: count), shape: shape)
  }

  /// The number of scalars in one element (1 for `discrete`).
  public var flatCount: Int {
    switch self {
    case .discrete: return 1
    case .box(_, _, let shape): return shape.reduce(1, *)
    case .multiDiscrete(let nvec): return nvec.count
    case .text(_, let maxLength, _): return maxLength
    case .tuple(let spaces), .dict(_, let spaces): return spaces.reduce(0) { $0 + $1.flatCount }
    }
  }

  /// Gymnasium's text for the space: `Discrete(2)`, `Box(-inf, inf, (4,))`, `MultiDiscrete([3 3])`.
  public var description: String {
    switch self {
    case .discrete(let n, let start): return start == 0 ? "Discrete(\(n))" : "Discrete(\(n), start=\(start))"
    case .box(let low, let high, let shape):
      let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
      // Like Gymnasium, a bound shared by every element prints as one number.
      func bounds(_ values: [Double]) -> String {
        Set(values).count <= 1 ? formatBound(values.first ?? 0) : "[" + values.map(formatBound).joined(separator: " ") + "]"
      }
      return "Box(\(bounds(low)), \(bounds(high)), \(shapeText))"
    case .multiDiscrete(let nvec): return "MultiDiscrete([" + nvec.map(String.init).joined(separator: " ") + "])"
    case .text(let minLength, let maxLength, let charset):
      let shown = charset.count > 12 ? String(charset.prefix(12)) + "…" : String(charset)
      return "Text(\(minLength), \(maxLength), charset=\(shown))"
    case .tuple(let spaces): return "Tuple(" + spaces.map(\.description).joined(separator: ", ") + ")"
    case .dict(let keys, let spaces): return "Dict(" + zip(keys, spaces).map { "'\($0)': \($1.description)" }.joined(separator: ", ") + ")"
    }
  }

  private func formatBound(_ value: Double) -> String {
    value.isInfinite ? (value > 0 ? "inf" : "-inf") : formatReal(value)
  }

  /// Whether `point` is an element of this space (right kind, right size, within bounds).
  public func contains(_ point: Point) -> Bool {
    switch (self, point) {
    case (.discrete(let n, let start), .int(let value)): return value >= start && value < start + n
    case (.box(let low, let high, _), .reals(let values)):
      guard values.count == low.count else { return false }
      for i in values.indices where !(values[i] >= low[i] && values[i] <= high[i]) { return false }
      return true
    case (.multiDiscrete(let nvec), .ints(let values)):
      guard values.count == nvec.count else { return false }
      for i in values.indices where values[i] < 0 || values[i] >= nvec[i] { return false }
      return true
    case (.text(let minLength, let maxLength, let charset), .text(let string)):
      return (minLength...maxLength).contains(string.count) && string.allSatisfy { charset.contains($0) }
    case (.tuple(let spaces), .tuple(let items)):
      return spaces.count == items.count && zip(spaces, items).allSatisfy { $0.contains($1) }
    case (.dict(let keys, let spaces), .dict(let pointKeys, let values)):
      return keys == pointKeys && zip(spaces, values).allSatisfy { $0.contains($1) }
    default: return false
    }
  }

  /// A uniformly random element (Gymnasium's rules for unbounded boxes), drawn from `generator`.
  public func sample(_ generator: SeededGenerator) -> Point {
    switch self {
    case .discrete(let n, let start): return .int(start + generator.nextInt(below: n))
    case .box(let low, let high, _):
      var values = [Double](repeating: 0, count: low.count)
      for i in values.indices {
        let lo = low[i], hi = high[i]
        switch (lo.isFinite, hi.isFinite) {
        case (true, true): values[i] = lo + (hi - lo) * generator.nextDouble()
        case (false, false): values[i] = generator.nextGaussian()
        case (true, false): values[i] = lo + exponential(generator)
        case (false, true): values[i] = hi - exponential(generator)
        }
      }
      return .reals(values)
    case .multiDiscrete(let nvec): return .ints(nvec.map { generator.nextInt(below: $0) })
    case .text(let minLength, let maxLength, let charset):
      // Gymnasium's: a uniform length, then uniform characters.
      let length = minLength + generator.nextInt(below: maxLength - minLength + 1)
      return .text(String((0..<length).map { _ in charset[generator.nextInt(below: charset.count)] }))
    case .tuple(let spaces): return .tuple(spaces.map { $0.sample(generator) })
    case .dict(let keys, let spaces): return .dict(keys: keys, values: spaces.map { $0.sample(generator) })
    }
  }

  private func exponential(_ generator: SeededGenerator) -> Double {
    -SeededGenerator.portableLog(1 - generator.nextDouble())
  }

  /// Why `point` is not in the space, for an error message ("" when it is).
  public func whyNotContains(_ point: Point) -> String {
    if contains(point) { return "" }
    switch (self, point) {
    case (.discrete(let n, let start), .int(let value)):
      return "\(value) is outside \(description): use an integer from \(start) to \(start + n - 1)"
    case (.box(let low, let high, _), .reals(let values)):
      if values.count != low.count { return "expected \(low.count) numbers, got \(values.count)" }
      for i in values.indices where !(values[i] >= low[i] && values[i] <= high[i]) {
        return "element \(i) is \(formatReal(values[i])), outside [\(formatBound(low[i])), \(formatBound(high[i]))]"
      }
      return ""
    case (.multiDiscrete(let nvec), .ints(let values)):
      if values.count != nvec.count { return "expected \(nvec.count) integers, got \(values.count)" }
      for i in values.indices where values[i] < 0 || values[i] >= nvec[i] {
        return "element \(i) is \(values[i]), outside 0..<\(nvec[i])"
      }
      return ""
    case (.text(let minLength, let maxLength, let charset), .text(let string)):
      if !(minLength...maxLength).contains(string.count) {
        return "the text has \(string.count) characters; \(description) takes \(minLength) to \(maxLength)"
      }
      let bad = string.first { !charset.contains($0) }.map { String($0) } ?? ""
      return "the character \"\(bad)\" is not in the space's charset"
    case (.tuple(let spaces), .tuple(let items)):
      if spaces.count != items.count { return "expected \(spaces.count) components, got \(items.count)" }
      for (i, (space, item)) in zip(spaces, items).enumerated() where !space.contains(item) {
        return "component \(i): \(space.whyNotContains(item))"
      }
      return ""
    case (.dict(let keys, let spaces), .dict(let pointKeys, let values)):
      if keys != pointKeys { return "expected the keys \(keys.joined(separator: ", ")), got \(pointKeys.joined(separator: ", "))" }
      for (key, (space, value)) in zip(keys, zip(spaces, values)) where !space.contains(value) {
        return "\(key): \(space.whyNotContains(value))"
      }
      return ""
    case (.discrete, _): return "\(description) takes an integer, got \(point.description)"
    case (.box, _): return "\(description) takes a list of numbers, got \(point.description)"
    case (.multiDiscrete, _): return "\(description) takes a list of integers, got \(point.description)"
    case (.text, _): return "\(description) takes a string, got \(point.description)"
    case (.tuple, _): return "\(description) takes a list of components, got \(point.description)"
    case (.dict, _): return "\(description) takes a record, got \(point.description)"
    }
  }
}
