import PavlovGym
import PavlovLang
import PavlovTensor

/// A Gymnasium space as a Pavlov value. `sample()` draws from the generator it was made with:
/// an env's spaces share the env's seeded samplers, free-standing ones the session generator.
final class SpaceValue: PObject {
  let space: Space
  let generator: SeededGenerator

  nonisolated(unsafe) static let nativeType: NativeType = SpaceBindings.makeType()

  init(_ space: Space, generator: SeededGenerator) {
    self.space = space
    self.generator = generator
    super.init(type: SpaceValue.nativeType)
  }

  override var displayString: String { space.description }

  override func isEqual(to other: PObject) -> Bool { (other as? SpaceValue)?.space == space }

  override func contains(_ item: Value) throws(PavlovError) -> Bool? {
    guard let point = try? SpaceBindings.point(item, for: space, "in") else { return false }
    return space.contains(point)
  }
}

/// `discrete`, `box`, `multi_discrete` and the conversions between Pavlov values and points of a
/// space: observations come out as ints (discrete) or tensors (float32 for boxes, int64 for
/// multi-discrete); actions go in as ints, numbers, lists or tensors.
enum SpaceBindings {
  static func register(_ r: Registry) {
    r.addType(SpaceValue.nativeType)
    r.function("discrete", [Param("n", doc: "how many elements (n ≥ 1)", range: .count), Param("start", default: .int(0), doc: "the smallest element", range: .finite)],
               doc: "The space {start, ..., start + n - 1} (Gymnasium's Discrete), for actions or observations.") { args in
      let n = try args.int(0)
      return .object(SpaceValue(.discrete(n: n, start: try args.int(1)), generator: Stdlib.generator(for: args.interpreter).split()))
    }
    r.function("box", [
      Param("low", doc: "the lower bound: a number (every element) or a list/tensor (one per element); -inf for none"),
      Param("high", doc: "the upper bound, likewise; inf for none"),
      Param("shape", default: .null, doc: "the shape, e.g. [4] (nil: taken from a list bound, else [1])"),
    ], doc: "A box of real vectors low ≤ x ≤ high (Gymnasium's Box), for observations or continuous actions.") { args in
      let space = try CoreBridge.run { try box(args) }
      return .object(SpaceValue(space, generator: Stdlib.generator(for: args.interpreter).split()))
    }
    r.function("multi_discrete", [Param("nvec", doc: "a list of sizes: element i ranges over 0..<nvec[i]")],
               doc: "Several discrete choices at once (Gymnasium's MultiDiscrete).") { args in
      let nvec = try ints(args[0], "multi_discrete", "nvec")
      guard !nvec.isEmpty, nvec.allSatisfy({ $0 >= 1 }) else {
        throw PavlovError.runtime("multi_discrete: nvec must be a non-empty list of sizes ≥ 1, got \(nvec)")
      }
      return .object(SpaceValue(.multiDiscrete(nvec: nvec), generator: Stdlib.generator(for: args.interpreter).split()))
    }
    r.function("text", [
      Param("max_length", doc: "the most characters a string may have (at most 10000)", range: .between(1, 10_000)),
      Param("min_length", default: .int(1), doc: "the fewest characters (Gymnasium's default 1)", range: .between(0, 10_000)),
      Param("charset", default: .null, doc: "the characters allowed, as a string (nil: Gymnasium's digits and ASCII letters)"),
    ], doc: "Strings of min_length to max_length characters from charset (Gymnasium's Text), for text observations and actions.") { args in
      let maxLength = try args.int(0), minLength = try args.int(1)
      guard minLength <= maxLength else { throw PavlovError.runtime("text: min_length \(minLength) is above max_length \(maxLength)") }
      var charset = Space.alphanumeric
      if !args.isNull(2) {
        var seen = Set<Character>()
        charset = try args.string(2).filter { seen.insert($0).inserted }
        guard !charset.isEmpty else { throw PavlovError.runtime("text: the charset is empty", hint: "give the allowed characters as a string, e.g. \"abc \"") }
      }
      return .object(SpaceValue(.text(minLength: minLength, maxLength: maxLength, charset: charset), generator: Stdlib.generator(for: args.interpreter).split()))
    }
    r.function("tuple", [Param("spaces", doc: "a list of spaces, one per component")],
               doc: "Several spaces side by side, an element being a list with one element of each (Gymnasium's Tuple).") { args in
      guard case .list(let list) = args[0], !list.items.isEmpty else {
        throw PavlovError.runtime("tuple: expected a non-empty list of spaces, got \(Format.repr(args[0], limit: 40))", hint: "tuple([discrete(3), box(0, 1, [2])])")
      }
      let spaces = try list.items.enumerated().map { i, item -> Space in
        guard case .object(let s as SpaceValue) = item else { throw PavlovError.runtime("tuple: component \(i) is \(item.typeName), not a space") }
        return s.space
      }
      return .object(SpaceValue(.tuple(spaces), generator: Stdlib.generator(for: args.interpreter).split()))
    }
    r.function("dict", [Param("spaces", doc: "a record of spaces, e.g. {position: discrete(9), text: text(40)}")],
               doc: "Named spaces, an element being a record with one element of each, keys sorted (Gymnasium's Dict).") { args in
      guard case .record(let record) = args[0], record.count > 0 else {
        throw PavlovError.runtime("dict: expected a non-empty record of spaces, got \(Format.repr(args[0], limit: 40))", hint: "dict({position: discrete(9), goal: discrete(9)})")
      }
      let items = try zip(record.keys, record.values).map { key, item -> (String, Space) in
        let name = key.text
        guard case .object(let s as SpaceValue) = item else { throw PavlovError.runtime("dict: \(name) is \(item.typeName), not a space") }
        return (name, s.space)
      }
      return .object(SpaceValue(Space.dict(items), generator: Stdlib.generator(for: args.interpreter).split()))
    }
  }

  private static func box(_ args: Args) throws -> Space {
    let low = try bound(args[0], "low"), high = try bound(args[1], "high")
    var shape: [Int]
    if args.isNull(2) {
      shape = [Swift.max(low.count, high.count)]
    } else if case .int(let n) = args[2] {
      shape = [n]
    } else {
      shape = try ints(args[2], "box", "shape")
    }
    guard !shape.isEmpty, shape.allSatisfy({ $0 >= 1 }) else { throw PavlovError.runtime("box: the shape must be sizes ≥ 1, got \(shape)") }
    let count = try AllocationLimit.elements(shape, "box")
    func spread(_ values: [Double], _ name: String) throws -> [Double] {
      if values.count == 1 { return Array(repeating: values[0], count: count) }
      guard values.count == count else {
        throw PavlovError.runtime("box: \(name) has \(values.count) values but the shape \(shape) holds \(count)",
                                  hint: "give one number for every element, or one value per element")
      }
      return values
    }
    let lows = try spread(low, "low"), highs = try spread(high, "high")
    for i in 0..<count where !(lows[i] <= highs[i]) {
      throw PavlovError.runtime("box: low[\(i)] = \(lows[i]) is above high[\(i)] = \(highs[i])")
    }
    return .box(low: lows, high: highs, shape: shape)
  }

  private static func bound(_ value: Value, _ name: String) throws -> [Double] {
    switch value {
    case .int(let v): return [Double(v)]
    case .float(let v): return [v]
    default: return try reals(value, "box", name)
    }
  }

  // MARK: - Conversions

  /// An observation as a Pavlov value.
  /// `count` points of `space`, row-major, as one tensor of shape (count, ...element): float32
  /// for a box, int64 for discrete and multi-discrete values.
  static func rows(_ flat: [Double], count: Int, _ space: Space) -> Value {
    switch space {
    case .text, .tuple, .dict:
      // Strings and records do not stack into a tensor: a list, one element per row.
      let width = space.flatCount
      return .list(PList((0..<count).map { value(space.unflatten(flat[($0 * width)..<(($0 + 1) * width)]), space: space) }))
    default: break
    }
    let shape = [count] + space.elementShape
    if case .box = space { return TensorValue.wrap(Tensor(shape: shape, data: flat.map { Float($0) })) }
    return TensorValue.wrap(Tensor(shape: shape, ints: flat.map { Int64($0) }))
  }

  static func value(_ point: Point, space: Space) -> Value {
    switch point {
    case .int(let v): return .int(v)
    case .reals(let values):
      var shape = [values.count]
      if case .box(_, _, let boxShape) = space, boxShape.reduce(1, *) == values.count { shape = boxShape }
      return TensorValue.wrap(Tensor(shape: shape, data: values.map { Float($0) }))
    case .ints(let values): return TensorValue.wrap(Tensor(shape: [values.count], ints: values.map { Int64($0) }))
    case .text(let string): return .str(string)
    case .tuple(let items):
      return .list(PList(zip(items, components(space, items.count)).map { value($0, space: $1) }))
    case .dict(let keys, let values):
      return .record(PRecord(zip(keys, zip(values, components(space, values.count))).map { ($0, value($1.0, space: $1.1)) }))
    }
  }

  /// The spaces of a composite's `count` components (the space itself for each, should the
  /// point not match it: only a box's shape depends on the space).
  private static func components(_ space: Space, _ count: Int) -> [Space] {
    switch space {
    case .tuple(let spaces), .dict(_, let spaces): if spaces.count == count { return spaces }
    default: break
    }
    return [Space](repeating: space, count: count)
  }

  /// A Pavlov value as an element of `space` (not yet checked against its bounds).
  static func point(_ value: Value, for space: Space, _ context: String, what: String = "the action") throws -> Point {
    switch space {
    case .discrete:
      return .int(try integer(value, context, what))
    case .box:
      switch value {
      case .int(let v): return .reals([Double(v)])
      case .float(let v): return .reals([v])
      default: return .reals(try reals(value, context, what))
      }
    case .multiDiscrete:
      return .ints(try ints(value, context, what))
    case .text:
      guard case .string(let s) = value else { throw PavlovError.runtime("\(context): \(what) must be a string, got \(value.typeName) (\(Format.repr(value, limit: 40)))") }
      return .text(s.value)
    case .tuple(let spaces):
      guard case .list(let list) = value, list.items.count == spaces.count else {
        throw PavlovError.runtime("\(context): \(what) must be a list of \(spaces.count) components for \(space.description), got \(Format.repr(value, limit: 40))")
      }
      return .tuple(try zip(list.items, spaces).enumerated().map { i, pair in try point(pair.0, for: pair.1, context, what: "\(what)[\(i)]") })
    case .dict(let keys, let spaces):
      guard case .record(let record) = value else {
        throw PavlovError.runtime("\(context): \(what) must be a record with keys \(keys.joined(separator: ", ")), got \(value.typeName)")
      }
      let given = Set(record.keys.map(\.text))
      if given != Set(keys) {
        throw PavlovError.runtime("\(context): \(what) has the keys \(record.keys.map(\.text).sorted().joined(separator: ", ")); \(space.description) needs \(keys.joined(separator: ", "))")
      }
      return .dict(keys: keys, values: try zip(keys, spaces).map { key, component in
        try point(record[key] ?? .null, for: component, context, what: "\(what).\(key)")
      })
    }
  }

  static func integer(_ value: Value, _ context: String, _ what: String) throws -> Int {
    switch value {
    case .int(let v): return v
    case .bool(let b): return b ? 1 : 0
    case .float(let d) where d == d.rounded() && Swift.abs(d) < 9e15: return Int(d)
    case .object(let o):
      if let scalar = o.scalarValue { return try integer(scalar, context, what) }
    default: break
    }
    throw PavlovError.runtime("\(context): \(what) must be an integer, got \(value.typeName) (\(Format.repr(value, limit: 40)))")
  }

  static func reals(_ value: Value, _ context: String, _ what: String) throws -> [Double] {
    switch value {
    case .int(let v): return [Double(v)]
    case .float(let v): return [v]
    case .list(let list):
      return try list.items.map { item -> Double in
        switch item {
        case .int(let v): return Double(v)
        case .float(let v): return v
        case .object(let o as TensorValue) where o.tensor.count == 1: return Double(o.tensor.data[0])
        default: throw PavlovError.runtime("\(context): \(what) must hold numbers, found \(item.typeName) (\(Format.repr(item, limit: 30)))")
        }
      }
    case .object(let t as TensorValue): return t.tensor.data.map { Double($0) }
    default: throw PavlovError.runtime("\(context): \(what) must be a number, a list of numbers or a tensor, got \(value.typeName)")
    }
  }

  static func ints(_ value: Value, _ context: String, _ what: String) throws -> [Int] {
    switch value {
    case .list(let list): return try list.items.map { try integer($0, context, what) }
    case .object(let t as TensorValue):
      if t.tensor.isInteger { return t.tensor.ints.map { Int($0) } }
      return try t.tensor.data.map { v -> Int in
        guard v == v.rounded(), Swift.abs(v) < 1e9 else { throw PavlovError.runtime("\(context): \(what) must hold integers, found \(v)") }
        return Int(v)
      }
    default: return [try integer(value, context, what)]
    }
  }

  // MARK: - The type

  static func space(_ v: Value) throws -> SpaceValue {
    guard case .object(let s as SpaceValue) = v else { throw PavlovError.runtime("expected a space, got \(v.typeName)") }
    return s
  }

  static func makeType() -> NativeType {
    let t = NativeType(name: "space", doc: "A Gymnasium space: discrete(n), box(low, high, shape), multi_discrete(nvec), text(max_length), tuple([...]) or dict({...}).")
    t.method("sample", doc: "A random element (seeded: an env's spaces draw from the env's seed).") { args in
      let s = try space(args.receiver)
      return value(s.space.sample(s.generator), space: s.space)
    }
    t.method("contains", [Param("x", doc: "a candidate element")], doc: "Whether x is an element of the space (also `x in space`).") { args in
      let s = try space(args.receiver)
      guard let p = try? point(args[0], for: s.space, "contains") else { return .bool(false) }
      return .bool(s.space.contains(p))
    }
    t.method("seed", [Param("seed", doc: "an integer")], doc: "Restarts the space's sampler from a seed.") { args in
      try space(args.receiver).generator.reseed(UInt64(bitPattern: Int64(try args.int(0))))
      return .null
    }
    t.property("kind", doc: "\"discrete\", \"box\", \"multi_discrete\", \"text\", \"tuple\" or \"dict\".") { v in
      switch try space(v).space {
      case .discrete: return .str("discrete")
      case .box: return .str("box")
      case .multiDiscrete: return .str("multi_discrete")
      case .text: return .str("text")
      case .tuple: return .str("tuple")
      case .dict: return .str("dict")
      }
    }
    t.method("flatten", [Param("x", doc: "an element of the space")],
             doc: "x as one row of numbers (Gymnasium's flatten, but a discrete value stays its integer): a text as its characters' positions in the charset, padded to max_length with len(charset); a tuple or dict, its components' rows in order.") { args in
      let s = try space(args.receiver)
      let p = try point(args[0], for: s.space, "flatten", what: "x")
      guard s.space.contains(p) else { throw PavlovError.runtime("flatten: \(p.description) is not in \(s.space.description): \(s.space.whyNotContains(p))") }
      return TensorValue.wrap(Tensor(shape: [s.space.flatCount], data: s.space.flatten(p).map { Float($0) }))
    }
    t.method("unflatten", [Param("row", doc: "a row of flat_dim numbers, as flatten makes")], doc: "The element a flattened row stands for.") { args in
      let s = try space(args.receiver)
      let row = try reals(args[0], "unflatten", "the row")
      guard row.count == s.space.flatCount else { throw PavlovError.runtime("unflatten: expected \(s.space.flatCount) numbers for \(s.space.description), got \(row.count)") }
      let element = s.space.unflatten(row[...])
      guard s.space.contains(element) else {
        throw PavlovError.runtime("unflatten: the row stands for \(element.description), which is not in \(s.space.description): \(s.space.whyNotContains(element))")
      }
      return value(element, space: s.space)
    }
    t.property("flat_dim", doc: "How many numbers flatten gives (Gymnasium's flatdim, a discrete value counting 1).") { v in .int(try space(v).space.flatCount) }
    t.property("spaces", doc: "A tuple's component spaces (a list) or a dict's (a record).") { v in
      let s = try space(v)
      switch s.space {
      case .tuple(let spaces): return .list(PList(spaces.map { .object(SpaceValue($0, generator: s.generator)) }))
      case .dict(let keys, let spaces): return .record(PRecord(zip(keys, spaces).map { ($0, .object(SpaceValue($1, generator: s.generator))) }))
      default: throw PavlovError.runtime("only a tuple or dict space has spaces; this is \(s.space.description)")
      }
    }
    t.property("max_length", doc: "A text space's longest string.") { v in
      guard case .text(_, let maxLength, _) = try space(v).space else { throw PavlovError.runtime("only a text space has max_length") }
      return .int(maxLength)
    }
    t.property("min_length", doc: "A text space's shortest string.") { v in
      guard case .text(let minLength, _, _) = try space(v).space else { throw PavlovError.runtime("only a text space has min_length") }
      return .int(minLength)
    }
    t.property("charset", doc: "A text space's characters, as a string.") { v in
      guard case .text(_, _, let charset) = try space(v).space else { throw PavlovError.runtime("only a text space has charset") }
      return .str(String(charset))
    }
    t.property("n", doc: "The number of elements of a discrete space.") { v in
      guard case .discrete(let n, _) = try space(v).space else { throw PavlovError.runtime("only a discrete space has n; this is \(try space(v).space.description)") }
      return .int(n)
    }
    t.property("start", doc: "The smallest element of a discrete space.") { v in
      guard case .discrete(_, let start) = try space(v).space else { throw PavlovError.runtime("only a discrete space has start") }
      return .int(start)
    }
    t.property("shape", doc: "The shape of one element: [] for discrete, the box's shape, [len(nvec)] for multi-discrete, nil for text, tuple and dict (as Gymnasium's).") { v in
      switch try space(v).space {
      case .discrete: return .list(PList([]))
      case .box(_, _, let shape): return .list(PList(shape.map { .int($0) }))
      case .multiDiscrete(let nvec): return .list(PList([.int(nvec.count)]))
      case .text, .tuple, .dict: return .null
      }
    }
    t.property("low", doc: "A box's lower bounds, a tensor of its shape.") { v in
      guard case .box(let low, _, let shape) = try space(v).space else { throw PavlovError.runtime("only a box space has low") }
      return TensorValue.wrap(Tensor(shape: shape, data: low.map { Float($0) }))
    }
    t.property("high", doc: "A box's upper bounds, a tensor of its shape.") { v in
      guard case .box(_, let high, let shape) = try space(v).space else { throw PavlovError.runtime("only a box space has high") }
      return TensorValue.wrap(Tensor(shape: shape, data: high.map { Float($0) }))
    }
    t.property("nvec", doc: "A multi-discrete space's sizes.") { v in
      guard case .multiDiscrete(let nvec) = try space(v).space else { throw PavlovError.runtime("only a multi_discrete space has nvec") }
      return .list(PList(nvec.map { .int($0) }))
    }
    return t
  }
}
