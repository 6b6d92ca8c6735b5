import PavlovCore
/// The special tokens a tokenizer's ids start with: `<eos>` (always id 0), then the user's own
/// (control codes such as `<good>`, `<bad>`) in the order given. Input text is searched for
/// their texts before anything else, longest first, so `<good>` is one id, never six characters.
public struct SpecialTokens {
  /// The end-of-text token's text.
  public static let endOfText = "<eos>"

  /// The texts in id order: `texts[0]` is "<eos>".
  public let texts: [String]
  private let bytes: [[UInt8]]
  /// Ids by decreasing length in bytes, so the longest special wins where several start.
  private let longestFirst: [Int]
  /// Whether some special starts with this byte (a cheap test before comparing).
  private let starts: [Bool]

  /// `<eos>` followed by `extra`, which must be non-empty, distinct and not repeat `<eos>`.
  public init(extra: [String]) throws {
    for (k, text) in extra.enumerated() {
      if text.isEmpty {
        throw CoreError("special token \(k) is empty", hint: "give each special token a text such as \"<good>\"")
      }
      if text == SpecialTokens.endOfText {
        throw CoreError("\"<eos>\" is always the first special token (id 0)", hint: "leave it out of specials")
      }
      if let first = extra[..<k].firstIndex(of: text) {
        throw CoreError("the special token \"\(text)\" is given twice (items \(first) and \(k))", hint: "list each special token once")
      }
    }
    texts = [SpecialTokens.endOfText] + extra
    bytes = texts.map { Array($0.utf8) }
    let bytes = self.bytes
    longestFirst = bytes.indices.sorted { bytes[$0].count != bytes[$1].count ? bytes[$0].count > bytes[$1].count : $0 < $1 }
    var starts = [Bool](repeating: false, count: 256)
    for b in bytes { starts[Int(b[0])] = true }
    self.starts = starts
  }

  /// Rebuilds the specials from every text in id order (as a saved tokenizer lists them).
  init(all texts: [String]) throws {
    guard texts.first == SpecialTokens.endOfText else {
      throw CoreError("the first special token must be \"<eos>\", got \(texts.first.map { "\"\($0)\"" } ?? "none")",
                           hint: "\"<eos>\" is always id 0")
    }
    try self.init(extra: Array(texts.dropFirst()))
  }

  /// How many specials there are (they take the ids 0 to count - 1).
  public var count: Int { texts.count }

  /// The id of the special whose text is exactly `text`, if any.
  public func id(of text: String) -> Int? { texts.firstIndex(of: text) }

  /// The UTF-8 bytes of special `id`.
  func utf8(_ id: Int) -> [UInt8] { bytes[id] }

  /// Walks UTF-8 text in order, calling `plain` for each stretch between special tokens (a
  /// range of `text`, never empty) and `special` for each special token's id. A match always
  /// starts and ends on a character boundary: a special's first byte is never a continuation byte.
  func split(_ text: [UInt8], plain: (Range<Int>) throws -> Void, special: (Int) throws -> Void) rethrows {
    var start = 0, i = 0
    while i < text.count {
      if starts[Int(text[i])], let id = match(text, at: i) {
        if start < i { try plain(start..<i) }
        try special(id)
        i += bytes[id].count
        start = i
      } else {
        i += 1
      }
    }
    if start < text.count { try plain(start..<text.count) }
  }

  private func match(_ text: [UInt8], at i: Int) -> Int? {
    for id in longestFirst {
      let b = bytes[id]
      if i + b.count <= text.count, text[i..<(i + b.count)].elementsEqual(b) { return id }
    }
    return nil
  }
}

/// Decoding UTF-8 that is known to be valid (the bytes of a Swift String).
enum UTF8Scalars {
  /// The scalar starting at byte `i` and its length in bytes.
  @inline(__always)
  static func decode(_ b: [UInt8], _ i: Int) -> (value: UInt32, length: Int) {
    let b0 = UInt32(b[i])
    if b0 < 0x80 { return (b0, 1) }
    if b0 < 0xE0 { return ((b0 & 0x1F) << 6 | UInt32(b[i + 1]) & 0x3F, 2) }
    if b0 < 0xF0 { return ((b0 & 0x0F) << 12 | (UInt32(b[i + 1]) & 0x3F) << 6 | UInt32(b[i + 2]) & 0x3F, 3) }
    return ((b0 & 0x07) << 18 | (UInt32(b[i + 1]) & 0x3F) << 12 | (UInt32(b[i + 2]) & 0x3F) << 6 | UInt32(b[i + 3]) & 0x3F, 4)
  }

  /// How many scalars start before byte `end` (the scalar offset of that byte).
  static func count(_ b: [UInt8], before end: Int) -> Int {
    var n = 0
    for k in 0..<end where b[k] & 0xC0 != 0x80 { n += 1 }
    return n
  }
}
