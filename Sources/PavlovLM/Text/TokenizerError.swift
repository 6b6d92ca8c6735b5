/// Why a tokenizer could not be built, loaded or used: what went wrong, and what to do about it.
public struct TokenizerError: Error, CustomStringConvertible {
  public let message: String
  public let hint: String?

  public init(_ message: String, hint: String? = nil) {
    self.message = message
    self.hint = hint
  }

  public var description: String { hint.map { "\(message) (\($0))" } ?? message }

  /// How a character appears in a message: quoted if printable, always with its code point
  /// (`'é' (U+00E9)`, `U+000A (a line feed)`), so invisible characters are still identifiable.
  static func describe(_ scalar: Unicode.Scalar) -> String {
    let hex = String(scalar.value, radix: 16, uppercase: true)
    let code = "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    switch scalar {
    case "\n": return "\(code) (a line feed)"
    case "\t": return "\(code) (a tab)"
    case "\r": return "\(code) (a carriage return)"
    case " ": return "' ' (\(code), a space)"
    default:
      let p = scalar.properties
      if p.generalCategory == .control || p.generalCategory == .format || p.isWhitespace || p.generalCategory == .unassigned {
        return code
      }
      return "'\(Character(scalar))' (\(code))"
    }
  }
}
