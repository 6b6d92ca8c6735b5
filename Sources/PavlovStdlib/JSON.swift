import PavlovLang

// MARK: - Parsing

/// A JSON syntax error: what was expected, at which byte of the input, and how to fix it.
struct JSONSyntaxError: Error {
  var message: String
  var offset: Int
  var hint: String?
}

/// An RFC 8259 parser over UTF-8 bytes. Objects become records (keys in input order), arrays
/// lists, null nil; numbers without fraction or exponent that fit in 64 bits become ints.
/// Nesting is capped (`maxDepth`) so hostile input gives an error, never a stack overflow.
struct JSONParser {
  static let maxDepth = 512

  let bytes: UnsafeBufferPointer<UInt8>
  var pos: Int
  let end: Int
  var depth = 0

  init(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int = 0, to end: Int? = nil) {
    self.bytes = bytes
    self.pos = start
    self.end = end ?? bytes.count
  }

  /// Parses exactly one value, with only whitespace around it.
  static func parse(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int = 0, to end: Int? = nil) throws(JSONSyntaxError) -> Value {
    var parser = JSONParser(bytes, from: start, to: end)
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
  static func parse(_ text: String) throws(JSONSyntaxError) -> Value {
    var copy = text
    let result = copy.withUTF8 { buffer -> Result<Value, JSONSyntaxError> in
      do throws(JSONSyntaxError) { return .success(try parse(buffer)) } catch { return .failure(error) }
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
    JSONSyntaxError(message: message, offset: offset ?? pos, hint: hint)
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
      let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[offset..<(offset + length)]), as: UTF8.self)
      if let scalar = text.unicodeScalars.first { return "'\(String(scalar))'" }
      return "byte 0x\(String(b, radix: 16))"
    }
  }

  /// The 1-based line and column (in characters) of `offset`, counting from `start`.
  static func lineAndColumn(_ bytes: UnsafeBufferPointer<UInt8>, _ offset: Int, from start: Int = 0) -> (line: Int, column: Int) {
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

  mutating func parseValue() throws(JSONSyntaxError) -> Value {
    guard pos < end else { throw error("expected a JSON value, got end of input") }
    switch bytes[pos] {
    case UInt8(ascii: "{"): return try parseObject()
    case UInt8(ascii: "["): return try parseArray()
    case UInt8(ascii: "\""): return .str(try parseString())
    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
    case UInt8(ascii: "t"): try literal("true"); return .bool(true)
    case UInt8(ascii: "f"): try literal("false"); return .bool(false)
    case UInt8(ascii: "n"): try literal("null"); return .null
    case UInt8(ascii: "N"), UInt8(ascii: "I"):
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
    if depth > Self.maxDepth {
      throw error("nesting deeper than \(Self.maxDepth) levels", hint: "JSON nested this deeply is not supported; flatten the data")
    }
  }

  mutating func parseArray() throws(JSONSyntaxError) -> Value {
    let open = pos
    try enter()
    pos += 1
    skipWhitespace()
    var items: [Value] = []
    if pos < end, bytes[pos] == UInt8(ascii: "]") {
      pos += 1
      depth -= 1
      return .list(PList(items))
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
        return .list(PList(items))
      default:
        throw error("expected ',' or ']' after an array item, got \(describe(pos))")
      }
    }
  }

  mutating func parseObject() throws(JSONSyntaxError) -> Value {
    let open = pos
    try enter()
    pos += 1
    skipWhitespace()
    let record = PRecord()
    if pos < end, bytes[pos] == UInt8(ascii: "}") {
      pos += 1
      depth -= 1
      return .record(record)
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
      let key = try parseString()
      skipWhitespace()
      guard pos < end, bytes[pos] == UInt8(ascii: ":") else {
        throw error("expected ':' after the key \(Format.quoted(key)), got \(describe(pos))")
      }
      pos += 1
      skipWhitespace()
      record[key] = try parseValue()
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
        return .record(record)
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
        let s = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<pos]), as: UTF8.self)
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
        pos += 1
        return String(decoding: out, as: UTF8.self)
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

  mutating func parseNumber() throws(JSONSyntaxError) -> Value {
    let start = pos
    var isInteger = true
    if bytes[pos] == UInt8(ascii: "-") { pos += 1 }
    guard pos < end, isDigit(bytes[pos]) else {
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

extension String {
  /// `'x'` → `x` (for messages built from `describe`).
  var trimmingQuotes: String {
    if count >= 2, hasPrefix("'"), hasSuffix("'") { return String(dropFirst().dropLast()) }
    return self
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

  /// `.loss`, `[3].obs`, `["learning rate"]`.
  var renderedPath: String {
    var out = ""
    for component in path.reversed() {
      switch component {
      case .index(let i): out += "[\(i)]"
      case .key(.int(let i)): out += "[\(i)]"
      case .key(.string(let s)):
        if isPlainName(s) { out += "." + s } else { out += "[\(Format.quoted(s))]" }
      }
    }
    return out
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

/// Serializes values as JSON: compact (`{"a":1,"b":[2,3]}`) or indented like Python's
/// `json.dumps(indent=n)`. Finite floats use the shortest text that reads back exactly.
struct JSONWriter {
  static let maxDepth = JSONParser.maxDepth

  var out: [UInt8] = []
  let indent: Int?
  private var open = Set<ObjectIdentifier>()

  init(indent: Int? = nil) {
    self.indent = indent
  }

  /// One value as a JSON text.
  static func string(_ value: Value, indent: Int? = nil) throws(JSONWriteError) -> String {
    var writer = JSONWriter(indent: indent)
    try writer.write(value)
    return String(decoding: writer.out, as: UTF8.self)
  }

  mutating func write(_ value: Value) throws(JSONWriteError) {
    try write(value, depth: 0)
  }

  private mutating func newline(_ depth: Int) {
    guard let indent else { return }
    out.append(0x0A)
    out.append(contentsOf: repeatElement(0x20, count: indent * depth))
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

  private mutating func write(_ value: Value, depth: Int) throws(JSONWriteError) {
    switch value {
    case .null, .undefined:
      out.append(contentsOf: "null".utf8)
    case .bool(let b):
      out.append(contentsOf: (b ? "true" : "false").utf8)
    case .int(let i):
      out.append(contentsOf: String(i).utf8)
    case .float(let d):
      if d.isNaN {
        throw JSONWriteError(problem: "is nan; JSON has no NaN", hint: "replace it first (for example with nil), or store it as a string")
      }
      if d.isInfinite {
        throw JSONWriteError(problem: "is \(d < 0 ? "-inf" : "inf"); JSON has no Infinity",
                             hint: "replace it first (for example with nil or a large number), or store it as a string")
      }
      out.append(contentsOf: d.description.utf8)
    case .string(let s):
      writeString(s.value)
    case .cell(let c):
      try write(c.value, depth: depth)
    case .range(let r):
      out.append(UInt8(ascii: "["))
      for k in 0..<r.count {
        if k > 0 { out.append(UInt8(ascii: ",")) }
        newline(depth + 1)
        out.append(contentsOf: String(r.element(k)).utf8)
      }
      if r.count > 0 { newline(depth) }
      out.append(UInt8(ascii: "]"))
    case .list(let l):
      let id = ObjectIdentifier(l)
      try enter(id, depth: depth)
      out.append(UInt8(ascii: "["))
      for (k, item) in l.items.enumerated() {
        if k > 0 { out.append(UInt8(ascii: ",")) }
        newline(depth + 1)
        do throws(JSONWriteError) {
          try write(item, depth: depth + 1)
        } catch {
          var e = error
          e.path.append(.index(k))
          throw e
        }
      }
      if !l.items.isEmpty { newline(depth) }
      out.append(UInt8(ascii: "]"))
      open.remove(id)
    case .record(let r):
      let id = ObjectIdentifier(r)
      try enter(id, depth: depth)
      out.append(UInt8(ascii: "{"))
      for (k, key) in r.keys.enumerated() {
        if k > 0 { out.append(UInt8(ascii: ",")) }
        newline(depth + 1)
        writeString(key.text)
        out.append(UInt8(ascii: ":"))
        if indent != nil { out.append(0x20) }
        do throws(JSONWriteError) {
          try write(r.values[k], depth: depth + 1)
        } catch {
          var e = error
          e.path.append(.key(key))
          throw e
        }
      }
      if r.count > 0 { newline(depth) }
      out.append(UInt8(ascii: "}"))
      open.remove(id)
    case .function(let f):
      throw JSONWriteError(problem: "is a function (`\(f.name)`); JSON holds only nil, bools, numbers, strings, lists and records",
                           hint: "leave functions out of data you write")
    case .object(let o):
      throw JSONWriteError(problem: "is \(article(o.type.name)) \(o.type.name); JSON holds only nil, bools, numbers, strings, lists and records",
                           hint: "convert it to plain data first (a list or record)")
    }
  }

  private mutating func writeString(_ s: String) {
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
      var text = try args.string(0)
      return try text.withUTF8 { (buffer) throws(PavlovError) -> Value in
        do throws(JSONSyntaxError) {
          return try JSONParser.parse(buffer)
        } catch {
          let (line, column) = JSONParser.lineAndColumn(buffer, error.offset)
          throw PavlovError.runtime("json_parse: line \(line), column \(column): \(error.message)", hint: error.hint)
        }
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
        return .str(try JSONWriter.string(args[0], indent: indent))
      } catch {
        throw error.pavlovError("json_string")
      }
    }
  }
}
