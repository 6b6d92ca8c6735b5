/// Pavlov's string escapes — `\n \t \r \0 \\ \" \' \{ \} \u{1F600}` — decoded in one place for
/// string literals (the lexer) and the literal parts of f-strings (the parser).
enum StringEscape {
  enum Failure {
    /// `\q`: not an escape.
    case unknown(UInt8)
    /// `\u` without `{hex}` naming a Unicode scalar.
    case invalidUnicode
  }

  /// Decodes the escape whose letter is `bytes[letter]` (just after the backslash), appending
  /// its UTF-8 to `out`. Returns where decoding stopped (after the escape when it succeeded).
  static func decode(_ bytes: [UInt8], letter: Int, end: Int, into out: inout [UInt8]) -> (next: Int, failure: Failure?) {
    let e = bytes[letter]
    switch e {
    case UInt8(ascii: "n"): out.append(10)
    case UInt8(ascii: "t"): out.append(9)
    case UInt8(ascii: "r"): out.append(13)
    case UInt8(ascii: "0"): out.append(0)
    case UInt8(ascii: "\\"), UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: "{"), UInt8(ascii: "}"): out.append(e)
    case UInt8(ascii: "u"):
      var j = letter + 1
      guard j < end, bytes[j] == UInt8(ascii: "{") else { return (j, .invalidUnicode) }
      j += 1
      let digits = j
      while j < end && bytes[j].isHexDigit { j += 1 }
      guard j < end, bytes[j] == UInt8(ascii: "}"), let v = UInt32(String(decoding: bytes[digits..<j], as: UTF8.self), radix: 16) else {
        return (j, .invalidUnicode)
      }
      j += 1
      guard let scalar = Unicode.Scalar(v) else { return (j, .invalidUnicode) }
      out.append(contentsOf: String(scalar).utf8)
      return (j, nil)
    default:
      return (letter + 1, .unknown(e))
    }
    return (letter + 1, nil)
  }
}
