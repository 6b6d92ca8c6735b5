/// How tokenizers show text in their messages.
enum TokenizerText {
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
