/// A JSON syntax error: what was expected, where (the byte offset and its line and column), and
/// how to fix it.
public struct JSONSyntaxError: ExplainedError, Sendable {
  public let message: String
  public let hint: String?
  /// The byte offset in the parsed buffer.
  public let offset: Int
  public let line: Int
  public let column: Int

  public var place: String? { "line \(line), column \(column)" }
}

/// The one JSON parser (RFC 8259, over UTF-8 bytes): the language's `json_parse` and
/// `read_jsonl`, safetensors headers, tokenizer files, preference files and checkpoints all read
/// through it. Objects keep their members in order; numbers without fraction or exponent that fit
/// in 64 bits become ints. Strings must be valid UTF-8. Nesting is capped (`maxDepth`) so hostile
/// input gives an error, never a stack overflow. Errors say what was expected, at which byte, and
/// how to fix it.
public struct JSONParser {
  /// What to do with a key that appears twice in one object.
  public enum DuplicateKeys: Sendable {
    /// Keep every member (readers take the last, as Python's `json` does).
    case keep
    /// An error (formats whose keys name things, such as safetensors headers).
    case reject
  }

  public static let defaultMaxDepth = 512

  let bytes: UnsafeBufferPointer<UInt8>
  var pos: Int
  let end: Int
  var depth = 0
  let maxDepth: Int
  let duplicateKeys: DuplicateKeys
  /// Reads Python's `NaN`, `Infinity` and `-Infinity` tokens (what `json.dumps` writes for
  /// non-finite floats, as in Minari's space descriptions); strict JSON refuses them.
  let allowsNonFinite: Bool

  init(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int?, maxDepth: Int, duplicateKeys: DuplicateKeys,
       allowsNonFinite: Bool = false) {
    self.bytes = bytes
    self.pos = start
    self.end = end ?? bytes.count
    self.maxDepth = maxDepth
    self.duplicateKeys = duplicateKeys
    self.allowsNonFinite = allowsNonFinite
  }

  /// Parses exactly one value in `bytes[start..<end]`, with only whitespace around it.
  public static func parse(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int = 0, to end: Int? = nil,
                           maxDepth: Int = defaultMaxDepth, duplicateKeys: DuplicateKeys = .keep,
                           allowsNonFinite: Bool = false) throws(JSONSyntaxError) -> JSONValue {
    var parser = JSONParser(bytes, from: start, to: end, maxDepth: maxDepth, duplicateKeys: duplicateKeys, allowsNonFinite: allowsNonFinite)
    parser.skipUTF8BOM()
    parser.skipWhitespace()
    let value = try parser.parseValue()
    parser.skipWhitespace()
    if parser.pos < parser.end {
      throw parser.error("unexpected \(parser.describe(parser.pos)) after the JSON value",
                         hint: "a JSON text holds exactly one value; wrap several in [...], or use read_jsonl for one value per line")
    }
    return value
  }

  /// Parses a Swift string.
  public static func parse(_ text: String, maxDepth: Int = defaultMaxDepth, duplicateKeys: DuplicateKeys = .keep,
                           allowsNonFinite: Bool = false) throws(JSONSyntaxError) -> JSONValue {
    try parse(Array(text.utf8), maxDepth: maxDepth, duplicateKeys: duplicateKeys, allowsNonFinite: allowsNonFinite)
  }

  /// Parses bytes (a file, a header, a line).
  public static func parse(_ bytes: some Collection<UInt8>, maxDepth: Int = defaultMaxDepth,
                           duplicateKeys: DuplicateKeys = .keep, allowsNonFinite: Bool = false) throws(JSONSyntaxError) -> JSONValue {
    let result = Array(bytes).withUnsafeBufferPointer { buffer -> Result<JSONValue, JSONSyntaxError> in
      do throws(JSONSyntaxError) {
        return .success(try parse(buffer, maxDepth: maxDepth, duplicateKeys: duplicateKeys, allowsNonFinite: allowsNonFinite))
      } catch {
        return .failure(error)
      }
    }
    return try result.get()
  }

  // MARK: Scanning helpers

  mutating func skipUTF8BOM() {
    if end - pos >= 3, bytes[pos] == 0xEF, bytes[pos + 1] == 0xBB, bytes[pos + 2] == 0xBF { pos += 3 }
  }

  @inline(__always)
  mutating func skipWhitespace() {
    while pos < end {
      switch bytes[pos] {
      case 0x20, 0x09, 0x0A, 0x0D: pos += 1
      default: return
      }
    }
  }

  func error(_ message: String, at offset: Int? = nil, hint: String? = nil) -> JSONSyntaxError {
    let offset = offset ?? pos
    let (line, column) = Self.lineAndColumn(bytes, offset)
    return JSONSyntaxError(message: message, hint: hint, offset: offset, line: line, column: column)
  }

  /// How the character at `offset` reads in a message: `'x'`, `a newline`, `end of input`.
  func describe(_ offset: Int) -> String {
    guard offset < end else { return "end of input" }
    let b = bytes[offset]
    switch b {
    case 0x0A: return "a newline"
    case 0x0D: return "a carriage return"
    case 0x09: return "a tab"
    case 0x20..<0x7F: return "'\(String(UnicodeScalar(b)))'"
    case 0..<0x20, 0x7F: return "the control character U+\(hex4(UInt32(b)))"
    default:
      let length = min(4, end - offset)
      // The character if the bytes start a valid UTF-8 sequence, else the byte itself.
      let lead = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC2 ? 2 : 0
      if lead > 0, lead <= length,
         let text = String(validating: UnsafeBufferPointer(rebasing: bytes[offset..<(offset + lead)]), as: UTF8.self),
         let scalar = text.unicodeScalars.first {
        return "'\(String(scalar))'"
      }
      return "byte 0x\(String(b, radix: 16))"
    }
  }

  /// The 1-based line and column (in characters) of `offset`, counting from `start`.
  public static func lineAndColumn(_ bytes: UnsafeBufferPointer<UInt8>, _ offset: Int, from start: Int = 0) -> (line: Int, column: Int) {
    var line = 1, column = 1
    var i = start
    let stop = min(offset, bytes.count)
    while i < stop {
      let b = bytes[i]
      if b == 0x0A {
        line += 1
        column = 1
      } else if b & 0xC0 != 0x80 {
        column += 1
      }
      i += 1
    }
    return (line, column)
  }

  // MARK: Values

  mutating func parseValue() throws(JSONSyntaxError) -> JSONValue {
    guard pos < end else { throw error("expected a JSON value, got end of input") }
    switch bytes[pos] {
    case UInt8(ascii: "{"): return try parseObject()
    case UInt8(ascii: "["): return try parseArray()
    case UInt8(ascii: "\""): return .string(try parseString())
    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
    case UInt8(ascii: "t"): try literal("true"); return .bool(true)
    case UInt8(ascii: "f"): try literal("false"); return .bool(false)
    case UInt8(ascii: "n"): try literal("null"); return .null
    case UInt8(ascii: "N"), UInt8(ascii: "I"):
      if allowsNonFinite && matches("NaN") { pos += 3; return .float(.nan) }
      if allowsNonFinite && matches("Infinity") { pos += 8; return .float(.infinity) }
      if matches("NaN") || matches("Infinity") {
        throw error("NaN and Infinity are not JSON values", hint: "write null, or a string such as \"nan\", instead")
      }
      if matches("None") { throw error("`None` is not JSON", hint: "JSON writes it as null") }
      throw unexpectedValue()
    case UInt8(ascii: "T"), UInt8(ascii: "F"):
      if matches("True") || matches("False") { throw error("`True`/`False` are not JSON", hint: "JSON writes them in lowercase: true, false") }
      throw unexpectedValue()
    case UInt8(ascii: "'"):
      throw error("expected a JSON value, got a single quote", hint: "JSON strings use double quotes: \"text\"")
    case UInt8(ascii: "+"), UInt8(ascii: "."):
      throw error("expected a JSON value, got \(describe(pos))", hint: "JSON numbers have no leading '+' or '.': write 0.5, not .5 or +0.5")
    default:
      throw unexpectedValue()
    }
  }

  func unexpectedValue() -> JSONSyntaxError {
    error("expected a JSON value (object, array, string, number, true, false or null), got \(describe(pos))")
  }

  func matches(_ word: StaticString) -> Bool {
    let count = word.utf8CodeUnitCount
    guard end - pos >= count else { return false }
    let start = word.utf8Start
    for k in 0..<count where bytes[pos + k] != start[k] { return false }
    return true
  }

  mutating func literal(_ word: StaticString) throws(JSONSyntaxError) {
    guard matches(word) else {
      throw error("invalid literal; expected `\(word)`", hint: "JSON's literals are true, false and null (lowercase)")
    }
    pos += word.utf8CodeUnitCount
  }

  mutating func enter() throws(JSONSyntaxError) {
    depth += 1
    if depth > maxDepth {
      throw error("nesting deeper than \(maxDepth) levels", hint: "JSON nested this deeply is not supported; flatten the data")
    }
  }

  mutating func parseArray() throws(JSONSyntaxError) -> JSONValue {
    let open = pos
    try enter()
    pos += 1
    skipWhitespace()
    var items: [JSONValue] = []
    if pos < end, bytes[pos] == UInt8(ascii: "]") {
      pos += 1
      depth -= 1
      return .array(items)
    }
    while true {
      items.append(try parseValue())
      skipWhitespace()
      guard pos < end else {
        let (line, column) = Self.lineAndColumn(bytes, open)
        throw error("expected ',' or ']' after an array item, got end of input",
                    hint: "the array opened at line \(line), column \(column) is not closed")
      }
      switch bytes[pos] {
      case UInt8(ascii: ","):
        pos += 1
        skipWhitespace()
        if pos < end, bytes[pos] == UInt8(ascii: "]") {
          throw error("expected a value after ',', got ']'", hint: "JSON allows no comma after the last item")
        }
      case UInt8(ascii: "]"):
        pos += 1
        depth -= 1
        return .array(items)
      default:
        throw error("expected ',' or ']' after an array item, got \(describe(pos))")
      }
    }
  }

  mutating func parseObject() throws(JSONSyntaxError) -> JSONValue {
    let open = pos
    try enter()
    pos += 1
    skipWhitespace()
    var members: [(key: String, value: JSONValue)] = []
    var seen = Set<String>()
    if pos < end, bytes[pos] == UInt8(ascii: "}") {
      pos += 1
      depth -= 1
      return .object(members)
    }
    while true {
      guard pos < end else {
        let (line, column) = Self.lineAndColumn(bytes, open)
        throw error("expected a string key, got end of input", hint: "the object opened at line \(line), column \(column) is not closed")
      }
      guard bytes[pos] == UInt8(ascii: "\"") else {
        let b = bytes[pos]
        let looksLikeName = (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == UInt8(ascii: "_")
        throw error("expected a string key in double quotes, got \(describe(pos))",
                    hint: looksLikeName ? "JSON object keys must be quoted: {\"key\": 1}" : (b == UInt8(ascii: "'") ? "JSON strings use double quotes" : nil))
      }
      let keyStart = pos
      let key = try parseString()
      if duplicateKeys == .reject, !seen.insert(key).inserted {
        throw error("the key \(quoted(key)) appears twice in this object", at: keyStart, hint: "each key may appear once")
      }
      skipWhitespace()
      guard pos < end, bytes[pos] == UInt8(ascii: ":") else {
        throw error("expected ':' after the key \(quoted(key)), got \(describe(pos))")
      }
      pos += 1
      skipWhitespace()
      members.append((key, try parseValue()))
      skipWhitespace()
      guard pos < end else {
        let (line, column) = Self.lineAndColumn(bytes, open)
        throw error("expected ',' or '}' after an object value, got end of input",
                    hint: "the object opened at line \(line), column \(column) is not closed")
      }
      switch bytes[pos] {
      case UInt8(ascii: ","):
        pos += 1
        skipWhitespace()
        if pos < end, bytes[pos] == UInt8(ascii: "}") {
          throw error("expected a key after ',', got '}'", hint: "JSON allows no comma after the last member")
        }
      case UInt8(ascii: "}"):
        pos += 1
        depth -= 1
        return .object(members)
      default:
        throw error("expected ',' or '}' after an object value, got \(describe(pos))")
      }
    }
  }

  mutating func parseString() throws(JSONSyntaxError) -> String {
    let open = pos
    pos += 1
    let start = pos
    // Fast path: no escapes.
    while pos < end {
      let b = bytes[pos]
      if b == UInt8(ascii: "\"") {
        let s = try text(UnsafeBufferPointer(rebasing: bytes[start..<pos]), open)
        pos += 1
        return s
      }
      if b == UInt8(ascii: "\\") { break }
      if b < 0x20 { throw controlCharacter(open) }
      pos += 1
    }
    var out = Array(UnsafeBufferPointer(rebasing: bytes[start..<pos]))
    while pos < end {
      let b = bytes[pos]
      if b == UInt8(ascii: "\"") {
        let s = try out.withUnsafeBufferPointer { (buffer) throws(JSONSyntaxError) -> String in try text(buffer, open) }
        pos += 1
        return s
      }
      if b < 0x20 { throw controlCharacter(open) }
      if b != UInt8(ascii: "\\") {
        out.append(b)
        pos += 1
        continue
      }
      let escape = pos
      pos += 1
      guard pos < end else { break }
      let e = bytes[pos]
      pos += 1
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
        var code = try hexQuad(escape)
        if code >= 0xD800 && code <= 0xDBFF {
          guard end - pos >= 2, bytes[pos] == UInt8(ascii: "\\"), bytes[pos + 1] == UInt8(ascii: "u") else {
            throw error("lone surrogate \\u\(hex4(code)) in a string", at: escape,
                        hint: "a high surrogate (\\uD800-\\uDBFF) must be followed by a low one (\\uDC00-\\uDFFF)")
          }
          let second = pos
          pos += 2
          let low = try hexQuad(second)
          guard low >= 0xDC00 && low <= 0xDFFF else {
            throw error("lone surrogate \\u\(hex4(code)) in a string", at: escape,
                        hint: "a high surrogate must be followed by a low one (\\uDC00-\\uDFFF), not \\u\(hex4(low))")
          }
          code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
        } else if code >= 0xDC00 && code <= 0xDFFF {
          throw error("lone surrogate \\u\(hex4(code)) in a string", at: escape,
                      hint: "a low surrogate (\\uDC00-\\uDFFF) must follow a high one (\\uD800-\\uDBFF)")
        }
        // Not a surrogate, so always a valid scalar.
        let scalar = Unicode.Scalar(code) ?? "\u{FFFD}"
        out.append(contentsOf: String(scalar).utf8)
      default:
        pos -= 1
        throw error("invalid escape \\\(describe(pos).trimmingQuotes) in a string", at: escape,
                    hint: "JSON's escapes are \\\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX")
      }
    }
    let (line, column) = Self.lineAndColumn(bytes, open)
    throw error("unterminated string: expected a closing '\"', got end of input",
                hint: "the string starting at line \(line), column \(column) is not closed")
  }

  /// The string of a string's bytes, which must be UTF-8.
  func text(_ utf8: UnsafeBufferPointer<UInt8>, _ open: Int) throws(JSONSyntaxError) -> String {
    guard let s = String(validating: utf8, as: UTF8.self) else {
      throw error("a string is not valid UTF-8", at: open, hint: "JSON text is UTF-8; re-save the file as UTF-8")
    }
    return s
  }

  func controlCharacter(_ open: Int) -> JSONSyntaxError {
    let b = bytes[pos]
    let name = b == 0x0A ? "a raw newline" : b == 0x09 ? "a raw tab" : "the raw control character U+\(hex4(UInt32(b)))"
    let escape = b == 0x0A ? "\\n" : b == 0x09 ? "\\t" : b == 0x0D ? "\\r" : "\\u\(hex4(UInt32(b)))"
    let (line, column) = Self.lineAndColumn(bytes, open)
    return error("\(name) inside a string (the string started at line \(line), column \(column))",
                 hint: "escape it as \(escape), or check for a missing closing quote")
  }

  /// Reads the 4 hex digits after `\u` (pos is just past the `u`).
  mutating func hexQuad(_ escape: Int) throws(JSONSyntaxError) -> UInt32 {
    var value: UInt32 = 0
    for _ in 0..<4 {
      guard pos < end else {
        throw error("incomplete \\u escape: expected 4 hex digits, got end of input", at: escape)
      }
      let b = bytes[pos]
      let digit: UInt32
      switch b {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(b - UInt8(ascii: "0"))
      case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(b - UInt8(ascii: "a") + 10)
      case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(b - UInt8(ascii: "A") + 10)
      default:
        throw error("invalid \\u escape: expected 4 hex digits, got \(describe(pos))", at: escape,
                    hint: "write \\u followed by exactly 4 hex digits, such as \\u00e9")
      }
      value = value * 16 + digit
      pos += 1
    }
    return value
  }

  mutating func parseNumber() throws(JSONSyntaxError) -> JSONValue {
    let start = pos
    var isInteger = true
    if bytes[pos] == UInt8(ascii: "-") { pos += 1 }
    guard pos < end, isDigit(bytes[pos]) else {
      if allowsNonFinite && matches("Infinity") { pos += 8; return .float(-.infinity) }
      if matches("Infinity") { throw error("-Infinity is not a JSON value", hint: "write null, or a string such as \"-inf\", instead") }
      throw error("expected a digit after '-', got \(describe(pos))")
    }
    if bytes[pos] == UInt8(ascii: "0") {
      pos += 1
      if pos < end, isDigit(bytes[pos]) {
        throw error("a JSON number cannot have a leading zero", at: start, hint: "write 7, not 07")
      }
    } else {
      while pos < end, isDigit(bytes[pos]) { pos += 1 }
    }
    if pos < end, bytes[pos] == UInt8(ascii: ".") {
      isInteger = false
      pos += 1
      guard pos < end, isDigit(bytes[pos]) else {
        throw error("expected a digit after the decimal point, got \(describe(pos))", hint: "write 1.0 or 1, not 1.")
      }
      while pos < end, isDigit(bytes[pos]) { pos += 1 }
    }
    if pos < end, bytes[pos] == UInt8(ascii: "e") || bytes[pos] == UInt8(ascii: "E") {
      isInteger = false
      pos += 1
      if pos < end, bytes[pos] == UInt8(ascii: "+") || bytes[pos] == UInt8(ascii: "-") { pos += 1 }
      guard pos < end, isDigit(bytes[pos]) else {
        throw error("expected a digit in the exponent, got \(describe(pos))")
      }
      while pos < end, isDigit(bytes[pos]) { pos += 1 }
    }
    let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<pos]), as: UTF8.self)
    if isInteger, let i = Int(text) { return .int(i) }
    guard let d = Double(text) else { throw error("invalid number \(text)", at: start) }
    return .float(d)
  }

  @inline(__always) func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
}

func hex4(_ v: UInt32) -> String {
  let digits = String(v, radix: 16, uppercase: true)
  return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
}

/// A key as it appears in a message.
private func quoted(_ key: String) -> String { JSONWriter.quoted(key) }

extension String {
  /// `'x'` → `x` (for messages built from `describe`).
  var trimmingQuotes: String {
    if count >= 2, hasPrefix("'"), hasSuffix("'") { return String(dropFirst().dropLast()) }
    return self
  }
}
