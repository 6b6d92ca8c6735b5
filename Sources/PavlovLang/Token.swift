/// The kinds of token the lexer produces.
public enum TokenKind: Equatable {
  case int(Int)
  case float(Double)
  case string(String)
  /// An f-string's raw body (between the quotes, escapes not yet processed) and where it starts.
  case fstring(raw: [UInt8], bodyOffset: Int)
  case identifier(String)
  case keyword(Keyword)
  case symbol(Symbol)
  case newline
  case eof
}

public enum Keyword: String, CaseIterable {
  case `let`, fn, `if`, elif, `else`, `while`, `for`, `in`, `break`, `continue`, `return`
  case `try`, `catch`, `throw`, `import`, `as`, and, or, not, `true`, `false`, `nil`
}

public enum Symbol: String, CaseIterable {
  case lparen = "(", rparen = ")", lbracket = "[", rbracket = "]", lbrace = "{", rbrace = "}"
  case comma = ",", colon = ":", semicolon = ";", dot = ".", dotdot = "..", arrow = "=>"
  case plus = "+", minus = "-", star = "*", slash = "/", slashslash = "//", percent = "%"
  case starstar = "**", at = "@"
  case assign = "=", plusAssign = "+=", minusAssign = "-=", starAssign = "*=", slashAssign = "/="
  case eq = "==", ne = "!=", lt = "<", le = "<=", gt = ">", ge = ">="
}

public struct Token {
  public let kind: TokenKind
  public let line: Int
  public let column: Int
  /// Byte offset and byte length in the source.
  public let offset: Int
  public let length: Int

  public func location(in file: SourceFile) -> SourceLocation {
    SourceLocation(file: file, line: line, column: column, length: length)
  }

  /// How the token reads in an error message.
  public var display: String {
    switch kind {
    case .int(let i): return String(i)
    case .float(let d): return String(d)
    case .string: return "string"
    case .fstring: return "f-string"
    case .identifier(let s): return "`\(s)`"
    case .keyword(let k): return "`\(k.rawValue)`"
    case .symbol(let s): return "`\(s.rawValue)`"
    case .newline: return "end of line"
    case .eof: return "end of input"
    }
  }
}
