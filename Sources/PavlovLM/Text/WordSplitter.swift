/// Cuts text into the chunks that byte-pair encoding learns and applies merges within (never
/// across), following GPT-2's pre-tokenizer: a run of letters, a run of digits or a run of
/// other symbols, each with at most one leading space (" the", " 42", " ..."), and runs of
/// whitespace. A whitespace run followed by a word leaves its last space to that word, so
/// "a  b" is "a", " ", " b" and " b" is the same token wherever it appears.
///
/// Unlike GPT-2: combining marks count as letters (decomposed accents stay in their word), and
/// English contractions ('s, 't, ...) are not special cases ("'" is an other symbol).
enum WordSplitter {
  enum Kind: UInt8 { case space, letter, digit, other }

  /// Calls `body` with the byte range of each chunk of `text[range]` (valid UTF-8), in order.
  static func forEachWord(in text: [UInt8], _ range: Range<Int>, _ body: (Range<Int>) throws -> Void) rethrows {
    var i = range.lowerBound
    let end = range.upperBound
    while i < end {
      var start = i
      var (v, n) = UTF8Scalars.decode(text, i)
      var kind = self.kind(v)
      if kind == .space {
        var j = i + n, last = i
        while j < end {
          let (w, m) = UTF8Scalars.decode(text, j)
          if self.kind(w) != .space { break }
          last = j
          j += m
        }
        guard j < end && text[last] == 0x20 else {
          try body(i..<j)
          i = j
          continue
        }
        // A word follows and the run ends with a plain space: that space starts the word.
        if last > i { try body(i..<last) }
        start = last
        i = j
        (v, n) = UTF8Scalars.decode(text, i)
        kind = self.kind(v)
      }
      var j = i + n
      while j < end {
        let (w, m) = UTF8Scalars.decode(text, j)
        if self.kind(w) != kind { break }
        j += m
      }
      try body(start..<j)
      i = j
    }
  }

  @inline(__always)
  static func kind(_ v: UInt32) -> Kind {
    if v < 0x80 {
      switch v {
      case 0x09...0x0D, 0x20: return .space
      case 0x30...0x39: return .digit
      case 0x41...0x5A, 0x61...0x7A: return .letter
      default: return .other
      }
    }
    guard let scalar = Unicode.Scalar(v) else { return .other }
    let p = scalar.properties
    if p.isWhitespace { return .space }
    switch p.generalCategory {
    case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
         .nonspacingMark, .spacingMark, .enclosingMark:
      return .letter
    case .decimalNumber, .letterNumber, .otherNumber: return .digit
    default: return .other
    }
  }
}
