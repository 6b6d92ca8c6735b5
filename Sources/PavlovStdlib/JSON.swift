import PavlovCore
import PavlovLang

// MARK: - Reading

extension JSONValue {
  /// As a Pavlov value: objects become records (members in order, a repeated key's last value
  /// at its first place), arrays lists, null nil.
  var pavlovValue: Value {
    switch self {
    case .null: return .null
    case .bool(let b): return .bool(b)
    case .int(let i): return .int(i)
    case .float(let d): return .float(d)
    case .string(let s): return .str(s)
    case .array(let items): return .list(PList(items.map(\.pavlovValue)))
    case .object(let members):
      let record = PRecord()
      for member in members { record[member.key] = member.value.pavlovValue }
      return .record(record)
    }
  }
}

extension JSONSyntaxError {
  /// "json_parse: line 3, column 7: expected ':' ...".
  func pavlovError(_ function: String) -> PavlovError {
    .runtime("\(function): \(placedMessage)", hint: hint)
  }
}

// MARK: - Writing

/// Why a value cannot be written as JSON; `path` is filled in innermost-first as the error
/// travels up, so the happy path pays nothing for it.
struct JSONWriteError: Error {
  enum Component { case key(RecordKey), index(Int) }
  var problem: String
  var hint: String?
  var path: [Component] = []

  /// `.loss`, `[3].obs`, `["learning rate"]`; a path hundreds of levels deep shows its two
  /// ends, so the message stays readable.
  var renderedPath: String {
    func text(_ component: Component) -> String {
      switch component {
      case .index(let i): return "[\(i)]"
      case .key(.int(let i)): return "[\(i)]"
      case .key(.string(let s)): return isPlainName(s) ? "." + s : "[\(Format.quoted(s))]"
      }
    }
    let parts = path.reversed().map(text)
    guard parts.count > 16 else { return parts.joined() }
    return parts.prefix(6).joined() + "…(\(parts.count - 12) more levels)…" + parts.suffix(6).joined()
  }

  /// "json_string: value at .loss is nan; JSON has no NaN".
  func pavlovError(_ function: String) -> PavlovError {
    let place = path.isEmpty ? "value" : "value at \(renderedPath)"
    return .runtime("\(function): \(place) \(problem)", hint: hint)
  }
}

func isPlainName(_ s: String) -> Bool {
  guard let first = s.utf8.first, first == UInt8(ascii: "_") || (first | 0x20 >= 0x61 && first | 0x20 <= 0x7A) else { return false }
  return s.utf8.allSatisfy { $0 == UInt8(ascii: "_") || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) }
}

/// Pavlov values as JSON values: checks what JSON cannot hold (NaN, functions, objects, cycles,
/// nesting past the parser's cap) and says where, by the path from the top.
struct JSONConversion {
  static let maxDepth = JSONParser.defaultMaxDepth
  private var open = Set<ObjectIdentifier>()

  /// One value as a JSON text (compact, or indented by `indent` spaces a level).
  static func string(_ value: Value, indent: Int? = nil) throws(JSONWriteError) -> String {
    var writer = JSONWriter(indent: indent)
    try write(value, to: &writer)
    return String(decoding: writer.out, as: UTF8.self)
  }

  /// One value as a JSON value.
  static func value(_ value: Value) throws(JSONWriteError) -> JSONValue {
    var conversion = JSONConversion()
    return try conversion.json(value, depth: 0)
  }

  /// Appends one value to `writer`.
  static func write(_ value: Value, to writer: inout JSONWriter) throws(JSONWriteError) {
    var conversion = JSONConversion()
    let json = try conversion.json(value, depth: 0)
    do {
      try writer.write(json)
    } catch {
      throw JSONWriteError(problem: error.message, hint: error.hint)  // unreachable: floats are checked above
    }
  }

  private mutating func enter(_ id: ObjectIdentifier, depth: Int) throws(JSONWriteError) {
    if open.contains(id) {
      throw JSONWriteError(problem: "contains itself (a cycle); JSON cannot represent cycles",
                           hint: "copy the data without the back-reference before writing it")
    }
    if depth >= Self.maxDepth {
      throw JSONWriteError(problem: "is nested deeper than \(Self.maxDepth) levels", hint: "flatten the data before writing it")
    }
    open.insert(id)
  }

  private mutating func json(_ value: Value, depth: Int) throws(JSONWriteError) -> JSONValue {
    switch value {
    case .null, .undefined:
      return .null
    case .bool(let b):
      return .bool(b)
    case .int(let i):
      return .int(i)
    case .float(let d):
      if d.isNaN {
        throw JSONWriteError(problem: "is nan; JSON has no NaN", hint: "replace it first (for example with nil), or store it as a string")
      }
      if d.isInfinite {
        throw JSONWriteError(problem: "is \(d < 0 ? "-inf" : "inf"); JSON has no Infinity",
                             hint: "replace it first (for example with nil or a large number), or store it as a string")
      }
      return .float(d)
    case .string(let s):
      return .string(s.value)
    case .cell(let c):
      return try json(c.value, depth: depth)
    case .range(let r):
      guard r.count <= PList.maxItems else {
        throw JSONWriteError(problem: "is a range of \(r.count) items, more than \(PList.maxItems) (the list limit)", hint: "write its bounds instead")
      }
      return .array((0..<r.count).map { .int(r.element($0)) })
    case .list(let l):
      let id = ObjectIdentifier(l)
      try enter(id, depth: depth)
      var items: [JSONValue] = []
      items.reserveCapacity(l.items.count)
      for (k, item) in l.items.enumerated() {
        do throws(JSONWriteError) {
          items.append(try json(item, depth: depth + 1))
        } catch {
          var e = error
          e.path.append(.index(k))
          throw e
        }
      }
      open.remove(id)
      return .array(items)
    case .record(let r):
      let id = ObjectIdentifier(r)
      try enter(id, depth: depth)
      var members: [(key: String, value: JSONValue)] = []
      members.reserveCapacity(r.count)
      for (k, key) in r.keys.enumerated() {
        do throws(JSONWriteError) {
          members.append((key.text, try json(r.values[k], depth: depth + 1)))
        } catch {
          var e = error
          e.path.append(.key(key))
          throw e
        }
      }
      open.remove(id)
      return .object(members)
    case .function(let f):
      throw JSONWriteError(problem: "is a function (`\(f.name)`); JSON holds only nil, bools, numbers, strings, lists and records",
                           hint: "leave functions out of data you write")
    case .object(let o):
      throw JSONWriteError(problem: "is \(article(o.type.name)) \(o.type.name); JSON holds only nil, bools, numbers, strings, lists and records",
                           hint: "convert it to plain data first (a list or record)")
    }
  }
}

func article(_ noun: String) -> String {
  guard let first = noun.first else { return "a" }
  return "aeiou".contains(first) ? "an" : "a"
}

// MARK: - Builtins

enum JSONLibrary {
  static func register(_ r: Registry) {
    r.function("json_parse", [Param("text", doc: "a JSON text (RFC 8259)")],
               doc: "Parses JSON: objects become records, arrays lists, null nil; whole numbers stay ints.") { args in
      let text = try args.string(0)
      do throws(JSONSyntaxError) {
        return try JSONParser.parse(text).pavlovValue
      } catch {
        throw error.pavlovError("json_parse")
      }
    }

    r.function("json_string", [Param("value", doc: "nil, a bool, number, string, list or record (nested freely)"),
                               Param("indent", default: .null, doc: "nil for one compact line, or the number of spaces per level")],
               doc: "The value as JSON text: records become objects, lists arrays; NaN, functions and cycles are errors.") { args in
      var indent: Int? = nil
      if !args.isNull(1) {
        let n = try args.int(1)
        guard n >= 0, n <= 64 else {
          throw PavlovError.runtime("json_string: indent must be between 0 and 64, got \(n)", hint: "indent: 2 is usual; nil writes one compact line")
        }
        indent = n
      }
      do throws(JSONWriteError) {
        return .str(try JSONConversion.string(args[0], indent: indent))
      } catch {
        throw error.pavlovError("json_string")
      }
    }
  }
}
