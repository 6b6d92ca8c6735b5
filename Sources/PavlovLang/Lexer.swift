/// Turns source bytes into tokens. Newlines are tokens (they end statements) except inside
/// `( )` and `[ ]`, where expressions may span lines; the parser skips them inside `{ }` records.
public struct Lexer {
  let file: SourceFile
  let bytes: [UInt8]
  var pos: Int
  let end: Int
  var line: Int
  var lineStart: Int
  var tokens: [Token] = []
  var diagnostics: [Diagnostic] = []
  /// The last column computed: (line start, offset, column).
  var columnCache: (lineStart: Int, offset: Int, column: Int) = (0, 0, 1)
  /// Open brackets, to decide whether a newline ends a statement.
  var bracketStack: [UInt8] = []

  /// Lexes `file`, or the byte range `range` of it (f-string expressions are lexed in place so
  /// their errors point into the original line).
  public init(file: SourceFile, range: Range<Int>? = nil, line: Int = 1) {
    self.file = file
    self.bytes = file.bytes
    self.pos = range?.lowerBound ?? 0
    self.end = range?.upperBound ?? file.bytes.count
    self.line = line
    self.lineStart = range == nil ? 0 : file.lineStarts[max(0, min(line - 1, file.lineStarts.count - 1))]
    if range != nil { bracketStack = [UInt8(ascii: "(")] } // inside `{...}` of an f-string: newlines are spaces
  }

  public static func tokenize(_ file: SourceFile) -> (tokens: [Token], diagnostics: [Diagnostic]) {
    var lexer = Lexer(file: file)
    lexer.run()
    return (lexer.tokens, lexer.diagnostics)
  }

  /// True when `text` stops inside an open bracket, brace or string: the REPL then reads another line.
  public static func isIncomplete(_ text: String) -> Bool {
    var entry = EntryContinuation()
    var more = false
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
      more = entry.needsMore(after: String(line))
      if entry.hasUnterminatedString { return false }
    }
    return more
  }

  /// Whether an entry typed (or pasted) line by line is complete, decided one line at a time:
  /// only the open brackets and whether the last token was a binary operator carry over from one
  /// line to the next (strings and comments end on their own line), so an N-line paste costs
  /// O(N), where re-lexing the whole entry at every line cost O(N²).
  public struct EntryContinuation {
    var brackets: [UInt8] = []
    var endsInOperator = false
    /// The last line held an unterminated string: the entry is complete (and will be reported).
    public private(set) var hasUnterminatedString = false

    public init() {}

    /// Takes one more line; true while the entry is still open.
    public mutating func needsMore(after line: String) -> Bool {
      var lexer = Lexer(file: SourceFile(name: "<repl>", text: line))
      lexer.bracketStack = brackets
      lexer.run()
      // An unterminated string is an error, not an open entry: strings end on their own line,
      // so the entry is complete (and will be reported) even inside an open bracket.
      if lexer.diagnostics.contains(where: { $0.message.hasPrefix("unterminated string") }) {
        hasUnterminatedString = true
        return false
      }
      brackets = lexer.bracketStack
      // A line ending in a binary operator, `=` or `=>` continues too.
      if let last = lexer.tokens.last(where: { $0.kind != .newline && $0.kind != .eof }) {
        endsInOperator = false
        if case .symbol(let s) = last.kind {
          switch s {
          case .plus, .minus, .star, .slash, .slashslash, .percent, .starstar, .at, .assign, .plusAssign,
               .minusAssign, .starAssign, .slashAssign, .eq, .ne, .lt, .le, .gt, .ge, .arrow, .comma, .dotdot, .dot:
            endsInOperator = true
          default: break
          }
        }
      }
      return !brackets.isEmpty || endsInOperator
    }
  }

  mutating func run() {
    while true {
      skipSpaceAndComments()
      if pos >= end {
        add(.eof, start: pos, startColumn: pos - lineStart + 1)
        return
      }
      lexToken()
    }
  }

  var column: Int { mutating get { columnOf(pos) } }

  /// The column of `offset`. Columns count characters, not bytes (UTF-8 continuation bytes are
  /// skipped). Counting resumes from the last position asked about on the same line, so a very
  /// long line costs linear time, not quadratic.
  mutating func columnOf(_ offset: Int) -> Int {
    if columnCache.lineStart != lineStart || columnCache.offset > offset {
      columnCache = (lineStart, lineStart, 1)
    }
    var c = columnCache.column
    var i = columnCache.offset
    while i < offset {
      if bytes[i] & 0xC0 != 0x80 { c += 1 }
      i += 1
    }
    columnCache = (lineStart, offset, c)
    return c
  }

  mutating func add(_ kind: TokenKind, start: Int, startColumn: Int, startLine: Int? = nil) {
    tokens.append(Token(kind: kind, line: startLine ?? line, column: startColumn, offset: start, length: max(1, pos - start)))
  }

  mutating func error(_ message: String, at offset: Int, column: Int, hint: String? = nil, length: Int = 1) {
    diagnostics.append(Diagnostic(message, at: SourceLocation(file: file, line: line, column: column, length: length), hint: hint))
  }

  mutating func skipSpaceAndComments() {
    while pos < end {
      let c = bytes[pos]
      if c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") || c == UInt8(ascii: "\r") {
        pos += 1
      } else if c == UInt8(ascii: "#") {
        while pos < end && bytes[pos] != UInt8(ascii: "\n") { pos += 1 }
      } else if c == UInt8(ascii: "\\") && pos + 1 < end && bytes[pos + 1] == UInt8(ascii: "\n") {
        pos += 2 // explicit line continuation
        line += 1
        lineStart = pos
      } else if c == UInt8(ascii: "\n") {
        let insideParens = bracketStack.last.map { $0 != UInt8(ascii: "{") } ?? false
        if !insideParens {
          let col = column
          pos += 1
          // Collapse runs of blank lines into one newline token.
          if case .newline? = tokens.last?.kind {} else if !tokens.isEmpty {
            tokens.append(Token(kind: .newline, line: line, column: col, offset: pos - 1, length: 1))
          }
        } else {
          pos += 1
        }
        line += 1
        lineStart = pos
      } else {
        return
      }
    }
  }

  static func isIdentStart(_ c: UInt8) -> Bool {
    (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c == 95 || c >= 0x80
  }

  static func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }

  func peek(_ k: Int = 0) -> UInt8 { pos + k < end ? bytes[pos + k] : 0 }

  mutating func lexToken() {
    let start = pos
    let startColumn = column
    let c = bytes[pos]
    if Self.isDigit(c) { lexNumber(start: start, startColumn: startColumn); return }
    if c == UInt8(ascii: "f") && (peek(1) == UInt8(ascii: "\"") || peek(1) == UInt8(ascii: "'")) {
      pos += 1
      lexString(start: start, startColumn: startColumn, isFormat: true)
      return
    }
    if Self.isIdentStart(c) {
      while pos < end && (Self.isIdentStart(bytes[pos]) || Self.isDigit(bytes[pos])) { pos += 1 }
      let text = String(decoding: bytes[start..<pos], as: UTF8.self)
      if let k = Keyword(rawValue: text) {
        add(.keyword(k), start: start, startColumn: startColumn)
      } else {
        add(.identifier(text), start: start, startColumn: startColumn)
      }
      return
    }
    if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") {
      lexString(start: start, startColumn: startColumn, isFormat: false)
      return
    }
    lexSymbol(start: start, startColumn: startColumn)
  }

  mutating func lexSymbol(start: Int, startColumn: Int) {
    let c = bytes[pos]
    let found = Self.symbol(c, peek(1))
    guard let (symbol, width) = found else {
      // Skip the whole (possibly multi-byte) character.
      pos += 1
      while pos < end && bytes[pos] & 0xC0 == 0x80 { pos += 1 }
      let text = String(decoding: bytes[start..<pos], as: UTF8.self)
      var hint: String? = nil
      if text == "!" { hint = "use `not` for negation" }
      else if text == "&" || text == "|" { hint = "use `and` / `or`" }
      else if text == "`" { hint = "strings are written in \"double\" or 'single' quotes" }
      error("unexpected character `\(text)`", at: start, column: startColumn, hint: hint)
      return
    }
    pos += width
    switch symbol {
    case .lparen, .lbracket, .lbrace: bracketStack.append(c)
    case .rparen, .rbracket, .rbrace: if !bracketStack.isEmpty { bracketStack.removeLast() }
    default: break
    }
    add(.symbol(symbol), start: start, startColumn: startColumn)
  }

  /// The symbol that starts with the bytes `c` and `n`, and its width (one or two bytes); nil
  /// if none does. A switch on bytes: comparing with `Character`s and looking each one-byte
  /// symbol up by a `String` cost ~4,000 instructions a symbol (half of the prelude's lexing
  /// at every start).
  static func symbol(_ c: UInt8, _ n: UInt8) -> (Symbol, Int)? {
    switch c {
    case UInt8(ascii: "("): return (.lparen, 1)
    case UInt8(ascii: ")"): return (.rparen, 1)
    case UInt8(ascii: "["): return (.lbracket, 1)
    case UInt8(ascii: "]"): return (.rbracket, 1)
    case UInt8(ascii: "{"): return (.lbrace, 1)
    case UInt8(ascii: "}"): return (.rbrace, 1)
    case UInt8(ascii: ","): return (.comma, 1)
    case UInt8(ascii: ":"): return (.colon, 1)
    case UInt8(ascii: ";"): return (.semicolon, 1)
    case UInt8(ascii: "%"): return (.percent, 1)
    case UInt8(ascii: "@"): return (.at, 1)
    case UInt8(ascii: "."): return n == UInt8(ascii: ".") ? (.dotdot, 2) : (.dot, 1)
    case UInt8(ascii: "+"): return n == UInt8(ascii: "=") ? (.plusAssign, 2) : (.plus, 1)
    case UInt8(ascii: "-"): return n == UInt8(ascii: "=") ? (.minusAssign, 2) : (.minus, 1)
    case UInt8(ascii: "*"):
      if n == UInt8(ascii: "*") { return (.starstar, 2) }
      return n == UInt8(ascii: "=") ? (.starAssign, 2) : (.star, 1)
    case UInt8(ascii: "/"):
      if n == UInt8(ascii: "/") { return (.slashslash, 2) }
      return n == UInt8(ascii: "=") ? (.slashAssign, 2) : (.slash, 1)
    case UInt8(ascii: "="):
      if n == UInt8(ascii: ">") { return (.arrow, 2) }
      return n == UInt8(ascii: "=") ? (.eq, 2) : (.assign, 1)
    case UInt8(ascii: "<"): return n == UInt8(ascii: "=") ? (.le, 2) : (.lt, 1)
    case UInt8(ascii: ">"): return n == UInt8(ascii: "=") ? (.ge, 2) : (.gt, 1)
    case UInt8(ascii: "!"): return n == UInt8(ascii: "=") ? (.ne, 2) : nil
    default: return nil
    }
  }

  mutating func lexNumber(start: Int, startColumn: Int) {
    var isFloat = false
    if bytes[pos] == UInt8(ascii: "0") && (peek(1) == UInt8(ascii: "x") || peek(1) == UInt8(ascii: "X")) {
      pos += 2
      let digitsStart = pos
      while pos < end && (bytes[pos].isHexDigit || bytes[pos] == UInt8(ascii: "_")) { pos += 1 }
      let digits = String(decoding: bytes[digitsStart..<pos], as: UTF8.self).replacingUnderscores()
      if let v = Int(digits, radix: 16) { add(.int(v), start: start, startColumn: startColumn) }
      else { error("invalid hexadecimal literal", at: start, column: startColumn, length: pos - start) }
      return
    }
    while pos < end && (Self.isDigit(bytes[pos]) || bytes[pos] == UInt8(ascii: "_")) { pos += 1 }
    // `1..5` is a range, `1.5` a float, `x.0`-like member access is not a thing.
    if peek() == UInt8(ascii: ".") && Self.isDigit(peek(1)) {
      isFloat = true
      pos += 1
      while pos < end && (Self.isDigit(bytes[pos]) || bytes[pos] == UInt8(ascii: "_")) { pos += 1 }
    }
    if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
      var k = 1
      if peek(1) == UInt8(ascii: "+") || peek(1) == UInt8(ascii: "-") { k = 2 }
      if Self.isDigit(peek(k)) {
        isFloat = true
        pos += k
        while pos < end && Self.isDigit(bytes[pos]) { pos += 1 }
      }
    }
    let text = String(decoding: bytes[start..<pos], as: UTF8.self).replacingUnderscores()
    if isFloat {
      add(.float(Double(text) ?? .nan), start: start, startColumn: startColumn)
    } else if let v = Int(text) {
      add(.int(v), start: start, startColumn: startColumn)
    } else {
      error("integer literal \(text) does not fit in 64 bits", at: start, column: startColumn,
            hint: "write it as a float (\(text).0) if an approximate value will do", length: pos - start)
      add(.int(0), start: start, startColumn: startColumn)
    }
    if pos < end && Self.isIdentStart(bytes[pos]) {
      let badStart = pos
      while pos < end && (Self.isIdentStart(bytes[pos]) || Self.isDigit(bytes[pos])) { pos += 1 }
      error("invalid number literal `\(String(decoding: bytes[start..<pos], as: UTF8.self))`", at: badStart, column: startColumn, length: pos - start)
    }
  }

  mutating func lexString(start: Int, startColumn: Int, isFormat: Bool) {
    let quote = bytes[pos]
    let startLine = line
    pos += 1
    let bodyStart = pos
    var out: [UInt8] = []
    while true {
      guard pos < end else {
        error("unterminated string", at: start, column: startColumn, hint: "close it with \(quote == 34 ? "\"" : "'")")
        add(.string(""), start: start, startColumn: startColumn, startLine: startLine)
        return
      }
      let c = bytes[pos]
      if c == quote { break }
      if c == UInt8(ascii: "\n") {
        error("unterminated string (strings end on the line they start; use \\n for a newline)", at: start, column: startColumn)
        add(.string(""), start: start, startColumn: startColumn, startLine: startLine)
        return
      }
      if c == UInt8(ascii: "\\") && !isFormat {
        let escColumn = column
        pos += 1
        guard pos < end else { continue }
        let (next, failure) = StringEscape.decode(bytes, letter: pos, end: end, into: &out)
        pos = next
        switch failure {
        case nil: break
        case .invalidUnicode:
          error("invalid \\u escape; write \\u{1F600}", at: pos, column: escColumn)
        case .unknown(let e):
          error("unknown escape `\\\(String(UnicodeScalar(e)))`", at: pos, column: escColumn,
                hint: "known escapes: \\n \\t \\r \\0 \\\\ \\\" \\' \\u{...}")
        }
        continue
      }
      if c == UInt8(ascii: "\\") && isFormat && pos + 1 < end {
        out.append(c)
        out.append(bytes[pos + 1])
        pos += 2
        continue
      }
      out.append(c)
      pos += 1
    }
    pos += 1 // closing quote
    if isFormat {
      add(.fstring(raw: out, bodyOffset: bodyStart), start: start, startColumn: startColumn, startLine: startLine)
    } else {
      add(.string(String(decoding: out, as: UTF8.self)), start: start, startColumn: startColumn, startLine: startLine)
    }
  }
}

extension UInt8 {
  var isHexDigit: Bool {
    (self >= 48 && self <= 57) || (self >= 97 && self <= 102) || (self >= 65 && self <= 70)
  }
}

extension String {
  func replacingUnderscores() -> String { String(self.filter { $0 != "_" }) }
}
