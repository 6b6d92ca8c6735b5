/// A JSON value as every part of Pavlov reads and writes it: objects keep their members in the
/// order written (so files round-trip and diff cleanly), and whole numbers that fit in 64 bits
/// stay ints apart from floats (so sizes, offsets and seeds keep every digit).
public indirect enum JSONValue: Sendable {
  case null
  case bool(Bool)
  case int(Int)
  case float(Double)
  case string(String)
  case array([JSONValue])
  /// Members in the order written; a parser asked to keep duplicate keys keeps them all.
  case object([(key: String, value: JSONValue)])

  /// What a value is, for messages ("expected an object, got a list").
  public var kind: String {
    switch self {
    case .null: return "null"
    case .bool: return "a boolean"
    case .int, .float: return "a number"
    case .string: return "a string"
    case .array: return "a list"
    case .object: return "an object"
    }
  }

  /// The member named `key` of an object (the last one, if a key is repeated); nil otherwise.
  public subscript(key: String) -> JSONValue? {
    guard case .object(let members) = self else { return nil }
    return members.last(where: { $0.key == key })?.value
  }

  public var string: String? { if case .string(let s) = self { return s } else { return nil } }
  public var int: Int? { if case .int(let i) = self { return i } else { return nil } }
  public var bool: Bool? { if case .bool(let b) = self { return b } else { return nil } }
  public var array: [JSONValue]? { if case .array(let a) = self { return a } else { return nil } }
  /// A number as a double (an int converted).
  public var double: Double? {
    switch self {
    case .int(let i): return Double(i)
    case .float(let d): return d
    default: return nil
    }
  }
}

extension JSONValue: Equatable {
  public static func == (a: JSONValue, b: JSONValue) -> Bool {
    switch (a, b) {
    case (.null, .null): return true
    case (.bool(let x), .bool(let y)): return x == y
    case (.int(let x), .int(let y)): return x == y
    case (.float(let x), .float(let y)): return x.bitPattern == y.bitPattern
    case (.string(let x), .string(let y)): return x == y
    case (.array(let x), .array(let y)): return x == y
    case (.object(let x), .object(let y)):
      return x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    default: return false
    }
  }
}
