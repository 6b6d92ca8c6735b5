/// The one JSON writer: compact (`{"a":1,"b":[2,3]}`) or indented like Python's
/// `json.dumps(indent=n)`. Members are written in their order; finite floats use the shortest
/// text that reads back to the same bits.
public struct JSONWriter {
  public private(set) var out: [UInt8] = []
  let indent: Int?

  public init(indent: Int? = nil) {
    self.indent = indent
  }

  /// One value as a JSON text.
  public static func string(_ value: JSONValue, indent: Int? = nil) throws(CoreError) -> String {
    var writer = JSONWriter(indent: indent)
    try writer.write(value)
    return String(decoding: writer.out, as: UTF8.self)
  }

  /// `s` as a JSON string literal, quotes included.
  public static func quoted(_ s: String) -> String {
    var writer = JSONWriter()
    writer.writeString(s)
    return String(decoding: writer.out, as: UTF8.self)
  }

  /// Appends one value; NaN and infinities are errors (JSON has neither).
  public mutating func write(_ value: JSONValue) throws(CoreError) {
    try write(value, depth: 0)
  }

  private mutating func newline(_ depth: Int) {
    guard let indent else { return }
    out.append(0x0A)
    out.append(contentsOf: repeatElement(0x20, count: indent * depth))
  }

  private mutating func write(_ value: JSONValue, depth: Int) throws(CoreError) {
    switch value {
    case .null:
      out.append(contentsOf: "null".utf8)
    case .bool(let b):
      out.append(contentsOf: (b ? "true" : "false").utf8)
    case .int(let i):
      out.append(contentsOf: String(i).utf8)
    case .float(let d):
      guard d.isFinite else {
        throw CoreError("\(d) cannot be written as JSON, which has no NaN or Infinity", hint: "replace it first, or store it as a string")
      }
      out.append(contentsOf: d.description.utf8)
    case .string(let s):
      writeString(s)
    case .array(let items):
      out.append(UInt8(ascii: "["))
      for (k, item) in items.enumerated() {
        if k > 0 { out.append(UInt8(ascii: ",")) }
        newline(depth + 1)
        try write(item, depth: depth + 1)
      }
      if !items.isEmpty { newline(depth) }
      out.append(UInt8(ascii: "]"))
    case .object(let members):
      out.append(UInt8(ascii: "{"))
      for (k, member) in members.enumerated() {
        if k > 0 { out.append(UInt8(ascii: ",")) }
        newline(depth + 1)
        writeString(member.key)
        out.append(UInt8(ascii: ":"))
        if indent != nil { out.append(0x20) }
        try write(member.value, depth: depth + 1)
      }
      if !members.isEmpty { newline(depth) }
      out.append(UInt8(ascii: "}"))
    }
  }

  /// A string literal: quotes, backslashes and control characters escaped, the rest as UTF-8.
  public mutating func writeString(_ s: String) {
    out.append(0x22)
    for b in s.utf8 {
      switch b {
      case 0x22: out.append(0x5C); out.append(0x22)
      case 0x5C: out.append(0x5C); out.append(0x5C)
      case 0x0A: out.append(0x5C); out.append(UInt8(ascii: "n"))
      case 0x0D: out.append(0x5C); out.append(UInt8(ascii: "r"))
      case 0x09: out.append(0x5C); out.append(UInt8(ascii: "t"))
      case 0x08: out.append(0x5C); out.append(UInt8(ascii: "b"))
      case 0x0C: out.append(0x5C); out.append(UInt8(ascii: "f"))
      case 0..<0x20: out.append(contentsOf: "\\u\(hex4(UInt32(b)))".utf8)
      default: out.append(b)
      }
    }
    out.append(0x22)
  }

  /// Appends raw bytes (a separator, a newline between JSON Lines).
  public mutating func append(_ byte: UInt8) { out.append(byte) }
}
