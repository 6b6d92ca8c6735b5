/// One parameter of a builtin: its name, its default (nil = required), and a line of doc.
public struct Param {
  public enum Kind {
    /// Taken by position or by name.
    case positional
    /// Collects the remaining positional arguments into a list (`print(a, b, c)`).
    case variadic
    /// Only by name, after a variadic parameter (`print(..., sep: " ")`).
    case keywordOnly
    /// Collects every labeled argument no other parameter names into a record, in call order
    /// (`make("FrozenLake-v1", is_slippery: false)`: options that depend on another argument).
    case keywords
  }

  public let name: String
  public let defaultValue: Value?
  public let kind: Kind
  public let doc: String
  /// The numbers it accepts, if it is a number (nil: the builtin checks its own argument).
  public let range: ParamRange?

  public init(_ name: String, default defaultValue: Value? = nil, kind: Kind = .positional, doc: String = "", range: ParamRange? = nil) {
    self.name = name
    self.defaultValue = defaultValue
    self.kind = kind
    self.doc = doc
    self.range = range
  }

  /// Its doc line with the range it accepts: "the learning rate (> 0)".
  public var described: String {
    guard let range else { return doc }
    let text: String
    if case .int? = defaultValue, range == .finite { text = "any int" } else { text = range.text }
    return doc.isEmpty ? "(\(text))" : "\(doc) (\(text))"
  }

  /// How `:help` shows it: `lr: 0.001`, `*values`, `xs`.
  public var signature: String {
    switch kind {
    case .variadic: return "*\(name)"
    case .keywords: return "**\(name)"
    default:
      guard let d = defaultValue else { return name }
      return "\(name): \(Format.repr(d))"
    }
  }
}

/// The arguments of a builtin call, already matched to its parameters (one slot per
/// parameter, defaults filled in). They live on the evaluator's stack: no allocation per call.
public struct Args {
  public unowned(unsafe) let interpreter: Interpreter
  @usableFromInline let base: UnsafeMutablePointer<Value>
  public let count: Int
  /// `self` for a method call; `.null` for a plain function.
  public let receiver: Value
  @usableFromInline unowned(unsafe) let function: BuiltinFunction

  @inlinable public subscript(i: Int) -> Value { base[i] }

  /// "f: argument `x` must be EXPECTED, got TYPE (VALUE)".
  public func typeError(_ i: Int, _ expected: String) -> PavlovError { function.typeError(i, base[i], expected) }

  @inlinable public func int(_ i: Int) throws(PavlovError) -> Int {
    let v = try unrangedInt(i)
    if function.hasRanges { try checkRange(i, Double(v)) }
    return v
  }

  @inlinable public func float(_ i: Int) throws(PavlovError) -> Double {
    let v = try unrangedFloat(i)
    if function.hasRanges { try checkRange(i, v) }
    return v
  }

  /// "f: argument `x` must be > 0, got -1" when parameter `i` declares a range `x` is outside.
  public func checkRange(_ i: Int, _ x: Double) throws(PavlovError) {
    guard i < function.params.count, let range = function.params[i].range, !range.contains(x) else { return }
    let param = function.params[i]
    let owner = function.ownerName.map { "\($0)." } ?? ""
    throw PavlovError.runtime("\(owner)\(function.name): argument `\(param.name)` must be \(range.text), got \(Format.repr(base[i], limit: 40))",
                              hint: param.doc.isEmpty ? nil : "\(param.name): \(param.doc)")
  }

  @inlinable func unrangedInt(_ i: Int) throws(PavlovError) -> Int {
    switch base[i] {
    case .int(let v): return v
    case .bool(let b): return b ? 1 : 0
    case .float(let d) where d == d.rounded() && abs(d) < 9.0e15: return Int(d)
    case .object(let o):
      switch o.scalarValue {
      case .int(let v): return v
      case .bool(let b): return b ? 1 : 0
      case .float(let d) where d == d.rounded() && abs(d) < 9.0e15: return Int(d)
      default: throw typeError(i, "an int")
      }
    default: throw typeError(i, "an int")
    }
  }

  @inlinable func unrangedFloat(_ i: Int) throws(PavlovError) -> Double {
    switch base[i] {
    case .float(let d): return d
    case .int(let v): return Double(v)
    case .bool(let b): return b ? 1 : 0
    case .object(let o):
      switch o.scalarValue {
      case .float(let d): return d
      case .int(let v): return Double(v)
      case .bool(let b): return b ? 1 : 0
      default: throw typeError(i, "a number")
      }
    default: throw typeError(i, "a number")
    }
  }

  public func string(_ i: Int) throws(PavlovError) -> String {
    if case .string(let s) = base[i] { return s.value }
    throw typeError(i, "a string")
  }

  public func list(_ i: Int) throws(PavlovError) -> PList {
    if case .list(let l) = base[i] { return l }
    throw typeError(i, "a list")
  }

  public func record(_ i: Int) throws(PavlovError) -> PRecord {
    if case .record(let r) = base[i] { return r }
    throw typeError(i, "a record")
  }

  public func bool(_ i: Int) throws(PavlovError) -> Bool {
    if case .bool(let b) = base[i] { return b }
    throw typeError(i, "true or false")
  }

  public func callable(_ i: Int) throws(PavlovError) -> Value {
    if case .function = base[i] { return base[i] }
    throw typeError(i, "a function")
  }

  public func isNull(_ i: Int) -> Bool { base[i].isNull }

  /// Calls a Pavlov function value from Swift (for `map`, `sorted(key:)`, callbacks).
  public func call(_ f: Value, _ arguments: [Value], labels: [String]? = nil) throws(PavlovError) -> Value {
    try interpreter.call(f, arguments, labels: labels)
  }
}

/// A function implemented in Swift and exposed to Pavlov, with the documentation `:help` shows.
public final class BuiltinFunction: Callable {
  /// Builtin bodies may throw any error; a non-Pavlov error becomes a runtime error at the call.
  public typealias Body = (Args) throws -> Value
  /// Optional direct entries for calls with no arguments or one positional argument, which
  /// skip matching arguments to parameters. They must behave exactly like `body`.
  public typealias Fast0 = (Interpreter) throws -> Value
  public typealias Fast1 = (Interpreter, Value) throws -> Value
  public var fast0: Fast0?
  public var fast1: Fast1?
  /// Optional direct entry for a method called with one positional argument (`m.remove(k)`):
  /// the method, the receiver and the argument, with no value stack and no `Args`. It must
  /// behave exactly like `body`.
  public typealias Method1 = (BuiltinFunction, _ receiver: Value, _ argument: Value) throws -> Value
  public var method1: Method1?

  public let params: [Param]
  public let doc: String
  public let body: Body
  /// The name of the type this is a method of, if any (for `:help list.push`). A name, not a
  /// weak reference: a weak reference gives the type a side table, which slows every
  /// retain and release of it (measured on `xs.push` loops).
  public internal(set) var ownerName: String?
  let hasVariadic: Bool
  /// The `.keywords` parameter that takes otherwise unknown labels, if any.
  let keywordsIndex: Int?
  /// The variadic parameter comes first and every later one has a default (print, min, zip).
  let variadicFirst: Bool
  let requiredCount: Int
  /// Some parameter declares a range, so `Args.int` and `Args.float` check it.
  @usableFromInline let hasRanges: Bool

  public init(name: String, params: [Param] = [], doc: String, body: @escaping Body) {
    self.params = params
    self.doc = doc
    self.body = body
    self.hasVariadic = params.contains { $0.kind == .variadic }
    self.keywordsIndex = params.firstIndex { $0.kind == .keywords }
    self.variadicFirst = params.first?.kind == .variadic && params.dropFirst().allSatisfy { $0.defaultValue != nil }
    self.requiredCount = params.filter { $0.kind == .positional && $0.defaultValue == nil }.count
    self.hasRanges = params.contains { $0.range != nil }
    super.init(name: name, kind: .builtin)
  }

  /// "f: argument `x` must be EXPECTED, got TYPE (VALUE)", for `value` given as argument `i`.
  public func typeError(_ i: Int, _ value: Value, _ expected: String) -> PavlovError {
    let param = i < params.count ? params[i].name : "#\(i)"
    return .runtime("\(name): argument `\(param)` must be \(expected), got \(value.typeName) (\(Format.repr(value, limit: 40)))")
  }

  /// `name(a, b: 1, *rest)`.
  public var signature: String {
    let qualified = ownerName.map { "\($0).\(name)" } ?? name
    return "\(qualified)(\(params.map(\.signature).joined(separator: ", ")))"
  }
}

/// A property of a native type: a getter and, if assignable, a setter.
public struct Property {
  public let doc: String
  public let get: (Value) throws -> Value
  public let set: ((Value, Value) throws -> Void)?
}

/// A type of value with methods and properties: the built-in list, string and record types,
/// and every native type later layers register (env, tensor, model...).
public final class NativeType {
  public let name: String
  public let doc: String
  public private(set) var methods: [String: BuiltinFunction] = [:]
  public private(set) var properties: [String: Property] = [:]
  /// What `obj(args)` calls for instances of this type (models are callable); nil: not callable.
  public var call: BuiltinFunction?

  public init(name: String, doc: String) {
    self.name = name
    self.doc = doc
  }

  /// Registers `value.name(params...)`. Inside `body`, `args.receiver` is the value.
  @discardableResult
  public func method(_ name: String, _ params: [Param] = [], doc: String, _ body: @escaping BuiltinFunction.Body) -> BuiltinFunction {
    let f = BuiltinFunction(name: name, params: params, doc: doc, body: body)
    f.ownerName = self.name
    methods[name] = f
    return f
  }

  /// Registers a read-only (or, with `set`, assignable) property `value.name`.
  public func property(_ name: String, doc: String,
                       get: @escaping (Value) throws -> Value,
                       set: ((Value, Value) throws -> Void)? = nil) {
    properties[name] = Property(doc: doc, get: get, set: set)
  }

  /// Every member name, for completion and "did you mean" hints.
  public var memberNames: [String] { (Array(methods.keys) + Array(properties.keys)).sorted() }
}

/// The builtins one interpreter knows: free functions and the types that carry methods.
/// Later layers add theirs through `function(...)` and `addType(...)`, and `:help` reads them back.
/// Not thread-safe: a lookup may register a deferred group, so a registry belongs to the
/// thread of its one interpreter.
public final class Registry {
  /// The builtins registered so far (a deferred group's once one of its names was looked up).
  private var built: [String: BuiltinFunction] = [:]
  /// Names declared by `deferred`, each to the registration that makes it.
  private var pending: [String: DeferredRegistration] = [:]
  /// The deferred registration running now (its `function` calls are checked against its names).
  private var building: DeferredRegistration?
  public private(set) var types: [String: NativeType] = [:]
  /// Families group builtins in `:help` and the generated reference ("core", "random", "io"...).
  public private(set) var families: [(name: String, members: [String])] = []
  private var currentFamily = "core"

  public let nilType = NativeType(name: "nil", doc: "The absence of a value.")
  public let boolType = NativeType(name: "bool", doc: "true or false.")
  public let intType = NativeType(name: "int", doc: "A 64-bit integer; overflow is an error, not a wrap.")
  public let floatType = NativeType(name: "float", doc: "A 64-bit floating-point number.")
  public let stringType = NativeType(name: "string", doc: "Immutable Unicode text, indexed by character.")
  public let listType = NativeType(name: "list", doc: "A mutable sequence; assignment shares it (like Python's list).")
  public let recordType = NativeType(name: "record", doc: "An ordered map from string (or int) keys to values: `{lr: 0.1}`; read as `r.lr` or `r[\"lr\"]`.")
  public let rangeType = NativeType(name: "range", doc: "A lazy sequence of ints: `a..b` or `range(a, b, step)`.")
  public let functionType = NativeType(name: "function", doc: "A function: user-defined, a lambda, a builtin or a bound method.")

  public init() {
    for t in [nilType, boolType, intType, floatType, stringType, listType, recordType, rangeType, functionType, SliceValue.nativeType] {
      types[t.name] = t
    }
  }

  /// Subsequent registrations belong to this family in `:help` and the reference docs.
  public func family(_ name: String) { currentFamily = name }

  /// The builtin named `name`, registering its deferred group first if it has not been yet.
  public func function(named name: String) -> BuiltinFunction? {
    if let f = built[name] { return f }
    guard let group = pending[name] else { return nil }
    run(group)
    return built[name]
  }

  /// Every builtin's name, registered or deferred (for completion and "did you mean").
  public var functionNames: [String] { Array(built.keys) + Array(pending.keys) }

  /// Whether `name` is declared by `deferred` and not registered yet.
  public func isDeferred(_ name: String) -> Bool { pending[name] != nil }

  /// Every builtin, deferred ones registered first (for tests and tools that visit them all;
  /// a lookup by name is `function(named:)`, which registers only the group it needs).
  public var allFunctions: [String: BuiltinFunction] {
    while let group = pending.values.first { run(group) }
    return built
  }

  /// Declares builtins whose registration runs when one of them is first looked up: a
  /// trainer's option table instantiates a key path per option, which took a third of every
  /// start (`pavlov -e 'print(1)'`) for builtins most scripts never call. `register` must
  /// register exactly `names` (checked when it runs); they join the current family now, so
  /// `:help` and the docs list them in place.
  public func deferred(_ names: [String], _ register: @escaping (Registry) -> Void) {
    let group = DeferredRegistration(names: names, register: register)
    for name in names {
      checkUnused(name)
      pending[name] = group
      addToFamily(name)
    }
  }

  private func run(_ group: DeferredRegistration) {
    precondition(building == nil, "Registry: a deferred registration looked up another deferred builtin while registering")
    for name in group.names { pending[name] = nil }
    building = group
    let family = currentFamily
    group.register(self)
    currentFamily = family
    building = nil
    let missing = group.names.filter { built[$0] == nil }
    precondition(missing.isEmpty, "Registry: a deferred registration did not register \(missing.joined(separator: ", "))")
  }

  /// A name is given to one builtin only, registered or deferred.
  private func checkUnused(_ name: String) {
    precondition(built[name] == nil && pending[name] == nil, "Registry: a builtin named \(name) is already registered; give the new one another name")
  }

  private func addToFamily(_ name: String) {
    if let i = families.firstIndex(where: { $0.name == currentFamily }) {
      families[i].members.append(name)
    } else {
      families.append((currentFamily, [name]))
    }
  }

  /// Registers a builtin function. A second builtin with a name already taken is refused (a
  /// programming error, caught by any test that registers the library): replacing the first
  /// silently made one of them unreachable and its docs wrong.
  @discardableResult
  public func function(_ name: String, _ params: [Param] = [], doc: String, _ body: @escaping BuiltinFunction.Body) -> BuiltinFunction {
    checkUnused(name)
    let f = BuiltinFunction(name: name, params: params, doc: doc, body: body)
    if let building {
      precondition(building.names.contains(name), "Registry: a deferred registration registered \(name), which it did not declare")
    } else {
      addToFamily(name)
    }
    built[name] = f
    return f
  }

  /// Registers a native type so its methods are documented and completable.
  @discardableResult
  public func addType(_ type: NativeType) -> NativeType {
    types[type.name] = type
    return type
  }

  @inlinable public func type(of value: Value) -> NativeType {
    switch value {
    case .null, .undefined: return nilType
    case .bool: return boolType
    case .int: return intType
    case .float: return floatType
    case .string: return stringType
    case .list: return listType
    case .record: return recordType
    case .range: return rangeType
    case .function: return functionType
    case .object(let o): return o.type
    case .cell(let c): return type(of: c.value)
    }
  }
}

/// Builtins declared by `Registry.deferred` and the code that registers them.
private final class DeferredRegistration {
  let names: [String]
  let register: (Registry) -> Void
  init(names: [String], register: @escaping (Registry) -> Void) {
    self.names = names
    self.register = register
  }
}
