import PavlovCore
/// The small JSON subset a safetensors header needs, without Foundation: a strict parser
/// (RFC 8259 syntax, UTF-8, duplicate keys rejected, nesting bounded) and a compact writer.
enum HeaderJSON {
  case object([(String, HeaderJSON)])
  case array([HeaderJSON])
  case string(String)
  /// A number as written, so integers keep every digit (sizes and offsets are integers).
  case number(String)
  case bool(Bool)
  case null

  /// What a value is, for error messages ("expected a list, got a string").
  var kind: String {
    switch self {
    case .object: return "an object"
    case .array: return "a list"
    case .string: return "a string"
    case .number: return "a number"
    case .bool: return "a boolean"
    case .null: return "null"
    }
  }

  /// The value of an integer number (no fraction, no exponent, within Int); nil otherwise.
  var integer: Int? {
    guard case .number(let text) = self else { return nil }
    let digits = text.hasPrefix("-") ? text.dropFirst() : Substring(text)
    guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
    return Int(text)
  }

  // MARK: - Parsing

  /// Parses one JSON value filling `bytes` (surrounding whitespace allowed).
  static func parse(_ bytes: ArraySlice<UInt8>) throws -> HeaderJSON {
    var parser = Parser(bytes: Array(bytes))
    parser.skipSpace()
    let value = try parser.value(depth: 0)
    parser.skipSpace()
    if parser.position < parser.bytes.count {
      throw parser.error("unexpected \(parser.describeCurrent()) after the end of the JSON value")
    }
    return value
  }

  private struct Parser {
    let bytes: [UInt8]
    var position = 0
    static let maxDepth = 64

    init(bytes: [UInt8]) { self.bytes = bytes }

    func error(_ problem: String) -> CoreError {
      CoreError("the header is not valid JSON: \(problem) (at byte \(position) of the header)")
    }

    func describeCurrent() -> String {
      guard position < bytes.count else { return "end of header" }
      let b = bytes[position]
      if b >= 0x21 && b < 0x7F { return "character '\(Character(Unicode.Scalar(b)))'" }
      return "byte 0x" + String(b, radix: 16)
    }

    mutating func skipSpace() {
      while position < bytes.count {
        switch bytes[position] {
        case 0x20, 0x09, 0x0A, 0x0D: position += 1
        default: return
        }
      }
    }

    mutating func expect(_ literal: String, _ value: HeaderJSON) throws -> HeaderJSON {
      for b in literal.utf8 {
        guard position < bytes.count, bytes[position] == b else { throw error("unexpected \(describeCurrent())") }
        position += 1
      }
      return value
    }

    mutating func value(depth: Int) throws -> HeaderJSON {
      guard position < bytes.count else { throw error("unexpected end of header") }
      switch bytes[position] {
      case UInt8(ascii: "{"): return try object(depth: depth + 1)
      case UInt8(ascii: "["): return try array(depth: depth + 1)
      case UInt8(ascii: "\""): return .string(try string())
      case UInt8(ascii: "t"): return try expect("true", .bool(true))
      case UInt8(ascii: "f"): return try expect("false", .bool(false))
      case UInt8(ascii: "n"): return try expect("null", .null)
      case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
      default: throw error("unexpected \(describeCurrent())")
      }
    }

    mutating func object(depth: Int) throws -> HeaderJSON {
      guard depth <= Parser.maxDepth else { throw error("nested more than \(Parser.maxDepth) levels deep") }
      position += 1  // {
      var pairs: [(String, HeaderJSON)] = []
      var seen = Set<String>()
      skipSpace()
      if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
        position += 1
        return .object(pairs)
      }
      while true {
        skipSpace()
        guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else {
          throw error("expected a key in double quotes, got \(describeCurrent())")
        }
        let keyStart = position
        let key = try string()
        guard seen.insert(key).inserted else {
          position = keyStart
          throw error("the key \"\(key)\" appears twice")
        }
        skipSpace()
        guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else {
          throw error("expected ':' after a key, got \(describeCurrent())")
        }
        position += 1
        skipSpace()
        pairs.append((key, try value(depth: depth)))
        skipSpace()
        guard position < bytes.count else { throw error("unexpected end of header inside an object") }
        if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
        if bytes[position] == UInt8(ascii: "}") { position += 1; return .object(pairs) }
        throw error("expected ',' or '}' in an object, got \(describeCurrent())")
      }
    }

    mutating func array(depth: Int) throws -> HeaderJSON {
      guard depth <= Parser.maxDepth else { throw error("nested more than \(Parser.maxDepth) levels deep") }
      position += 1  // [
      var items: [HeaderJSON] = []
      skipSpace()
      if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
        position += 1
        return .array(items)
      }
      while true {
        skipSpace()
        items.append(try value(depth: depth))
        skipSpace()
        guard position < bytes.count else { throw error("unexpected end of header inside a list") }
        if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
        if bytes[position] == UInt8(ascii: "]") { position += 1; return .array(items) }
        throw error("expected ',' or ']' in a list, got \(describeCurrent())")
      }
    }

    mutating func number() throws -> HeaderJSON {
      let start = position
      func digits() -> Int {
        let from = position
        while position < bytes.count, bytes[position] >= 0x30, bytes[position] <= 0x39 { position += 1 }
        return position - from
      }
      if bytes[position] == UInt8(ascii: "-") { position += 1 }
      let intStart = position
      let intDigits = digits()
      guard intDigits > 0 else { throw error("a number needs digits") }
      if intDigits > 1 && bytes[intStart] == UInt8(ascii: "0") {
        position = intStart
        throw error("numbers cannot have leading zeros")
      }
      if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
        position += 1
        guard digits() > 0 else { throw error("a digit must follow the decimal point") }
      }
      if position < bytes.count, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
        position += 1
        if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") { position += 1 }
        guard digits() > 0 else { throw error("a digit must follow the exponent") }
      }
      return .number(String(decoding: bytes[start..<position], as: UTF8.self))
    }

    mutating func hex4() throws -> UInt32 {
      guard position + 4 <= bytes.count else { throw error("unexpected end of header in a \\u escape") }
      var v: UInt32 = 0
      for _ in 0..<4 {
        let b = bytes[position]
        let d: UInt8
        switch b {
        case 0x30...0x39: d = b - 0x30
        case 0x41...0x46: d = b - 0x41 + 10
        case 0x61...0x66: d = b - 0x61 + 10
        default: throw error("\\u must be followed by 4 hex digits")
        }
        v = v << 4 | UInt32(d)
        position += 1
      }
      return v
    }

    mutating func string() throws -> String {
      position += 1  // opening quote
      var out: [UInt8] = []
      while true {
        guard position < bytes.count else { throw error("unterminated string") }
        let b = bytes[position]
        if b == UInt8(ascii: "\"") {
          position += 1
          break
        }
        if b < 0x20 { throw error("control character 0x\(String(b, radix: 16)) inside a string (escape it)") }
        if b != UInt8(ascii: "\\") {
          out.append(b)
          position += 1
          continue
        }
        position += 1
        guard position < bytes.count else { throw error("unterminated string") }
        let e = bytes[position]
        position += 1
        switch e {
        case UInt8(ascii: "\""): out.append(0x22)
        case UInt8(ascii: "\\"): out.append(0x5C)
        case UInt8(ascii: "/"): out.append(0x2F)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "u"):
          var code = try hex4()
          if code >= 0xD800 && code < 0xDC00 {
            guard position + 2 <= bytes.count, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") else {
              throw error("a high surrogate \\u escape must be followed by a low one")
            }
            position += 2
            let low = try hex4()
            guard low >= 0xDC00 && low < 0xE000 else { throw error("invalid low surrogate in a \\u escape") }
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
          } else if code >= 0xDC00 && code < 0xE000 {
            throw error("a lone low surrogate in a \\u escape")
          }
          guard let scalar = Unicode.Scalar(code) else { throw error("invalid \\u escape") }
          out.append(contentsOf: Array(String(Character(scalar)).utf8))
        default:
          position -= 1
          throw error("invalid escape \\\(describeCurrent())")
        }
      }
      let text = String(decoding: out, as: UTF8.self)
      guard text.utf8.elementsEqual(out) else { throw error("a string is not valid UTF-8") }
      return text
    }
  }

  // MARK: - Writing

  /// Compact JSON (no spaces), keys in the order given.
  func write(to out: inout [UInt8]) {
    switch self {
    case .object(let pairs):
      out.append(UInt8(ascii: "{"))
      for (k, (key, value)) in pairs.enumerated() {
        if k > 0 { out.append(UInt8(ascii: ",")) }
        HeaderJSON.string(key).write(to: &out)
        out.append(UInt8(ascii: ":"))
        value.write(to: &out)
      }
      out.append(UInt8(ascii: "}"))
    case .array(let items):
      out.append(UInt8(ascii: "["))
      for (k, item) in items.enumerated() {
        if k > 0 { out.append(UInt8(ascii: ",")) }
        item.write(to: &out)
      }
      out.append(UInt8(ascii: "]"))
    case .string(let s):
      out.append(0x22)
      for b in s.utf8 {
        switch b {
        case 0x22: out.append(contentsOf: [0x5C, 0x22])
        case 0x5C: out.append(contentsOf: [0x5C, 0x5C])
        case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
        case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
        case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
        case 0x08: out.append(contentsOf: [0x5C, UInt8(ascii: "b")])
        case 0x0C: out.append(contentsOf: [0x5C, UInt8(ascii: "f")])
        case 0..<0x20:
          let hex = Array("0123456789abcdef".utf8)
          out.append(contentsOf: Array("\\u00".utf8))
          out.append(hex[Int(b >> 4)])
          out.append(hex[Int(b & 0xF)])
        default: out.append(b)
        }
      }
      out.append(0x22)
    case .number(let text): out.append(contentsOf: Array(text.utf8))
    case .bool(let b): out.append(contentsOf: Array((b ? "true" : "false").utf8))
    case .null: out.append(contentsOf: Array("null".utf8))
    }
  }
}
