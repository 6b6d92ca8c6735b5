import PavlovCore
/// A character-level tokenizer: one id per Unicode scalar seen in the training texts.
///
/// Ids are the special tokens first (`<eos>` = 0, then the user's specials in order), then the
/// distinct characters of the training texts sorted by code point. A "character" is a Unicode
/// scalar, the unit Pavlov strings are indexed by (`s[i]`, `len(s)`), rather than a Swift
/// `Character` (a grapheme cluster): scalars compare exactly (no canonical equivalence, so
/// "é" and "e" + U+0301 stay different) and concatenate without merging, so decode is the
/// exact inverse of encode. Special tokens' texts are cut out of the training texts first,
/// so "<good>" adds no '<', 'g', ... of its own.
public final class CharTokenizer: Tokenizer {
  public let specials: SpecialTokens
  /// The characters after the specials, in id order: `characters[k]` has id `specials.count + k`.
  public let characters: [Unicode.Scalar]
  /// Ids of ASCII characters (-1: not in the vocabulary), then a table for the rest.
  private let asciiIDs: [Int64]
  private let otherIDs: [UInt32: Int64]

  /// Learns the characters of `texts`; `specials` are the extra special tokens after `<eos>`.
  public convenience init(training texts: [String], specials: [String] = []) throws {
    let specials = try SpecialTokens(extra: specials)
    var seen = Set<UInt32>()
    for text in texts {
      let bytes = Array(text.utf8)
      specials.split(bytes, plain: { range in
        var i = range.lowerBound
        while i < range.upperBound {
          let (v, n) = UTF8Scalars.decode(bytes, i)
          seen.insert(v)
          i += n
        }
      }, special: { _ in })
    }
    guard !seen.isEmpty else {
      throw CoreError("the training texts have no characters (\(texts.count) texts)",
                           hint: "pass the texts the model will read, e.g. a list of strings from read_text or read_jsonl")
    }
    try self.init(specials: specials, characters: seen.sorted().compactMap(Unicode.Scalar.init))
  }

  /// A tokenizer with exactly these specials and characters (as a saved one lists them).
  public init(specials: SpecialTokens, characters: [Unicode.Scalar]) throws {
    var ascii = [Int64](repeating: -1, count: 128)
    var other: [UInt32: Int64] = [:]
    for (k, c) in characters.enumerated() {
      let id = Int64(specials.count + k)
      if c.value < 128 {
        guard ascii[Int(c.value)] < 0 else { throw CoreError.duplicate(c, k, Int(ascii[Int(c.value)]) - specials.count) }
        ascii[Int(c.value)] = id
      } else {
        if let earlier = other[c.value] { throw CoreError.duplicate(c, k, Int(earlier) - specials.count) }
        other[c.value] = id
      }
    }
    self.specials = specials
    self.characters = characters
    asciiIDs = ascii
    otherIDs = other
  }

  public var vocabularySize: Int { specials.count + characters.count }
  public var endOfText: Int64 { 0 }
  public var specialTokens: [(text: String, id: Int64)] { specials.texts.enumerated().map { ($1, Int64($0)) } }

  public func encode(_ text: String) throws -> [Int64] {
    let bytes = Array(text.utf8)
    var out: [Int64] = []
    out.reserveCapacity(bytes.count)
    try specials.split(bytes, plain: { range in
      var i = range.lowerBound
      while i < range.upperBound {
        let (v, n) = UTF8Scalars.decode(bytes, i)
        let id = v < 128 ? asciiIDs[Int(v)] : otherIDs[v] ?? -1
        guard id >= 0 else { throw unknown(v, offset: UTF8Scalars.count(bytes, before: i)) }
        out.append(id)
        i += n
      }
    }, special: { out.append(Int64($0)) })
    return out
  }

  public func decode(_ ids: [Int64]) throws -> String {
    var out = String.UnicodeScalarView()
    for (position, id) in ids.enumerated() {
      guard id >= 0 && id < Int64(vocabularySize) else { throw outOfRange(id, at: position) }
      if id < Int64(specials.count) {
        out.append(contentsOf: specials.texts[Int(id)].unicodeScalars)
      } else {
        out.append(characters[Int(id) - specials.count])
      }
    }
    return String(out)
  }

  public func tokenText(_ id: Int64) throws -> String { try decode([id]) }

  public func id(ofToken text: String) -> Int64? {
    if let id = specials.id(of: text) { return Int64(id) }
    let scalars = text.unicodeScalars
    guard scalars.count == 1, let c = scalars.first else { return nil }
    let id = c.value < 128 ? asciiIDs[Int(c.value)] : otherIDs[c.value] ?? -1
    return id >= 0 ? id : nil
  }

  public func json() -> String {
    TokenizerJSON.document(type: "char", specials: specials.texts,
                           field: "tokens", items: [characters.map { JSONWriter.quoted(String($0)) }.joined(separator: ", ")])
  }

  private func unknown(_ v: UInt32, offset: Int) -> CoreError {
    let shown = Unicode.Scalar(v).map(TokenizerText.describe) ?? "U+\(String(v, radix: 16, uppercase: true))"
    return CoreError("the character \(shown) at offset \(offset) is not in the vocabulary",
                          hint: "a char tokenizer knows only the characters of its training texts: train it on texts that contain this one, or use a BPE tokenizer, which encodes any text")
  }
}

extension CoreError {
  static func duplicate(_ c: Unicode.Scalar, _ k: Int, _ earlier: Int) -> CoreError {
    CoreError("tokens[\(k)]: the character \(TokenizerText.describe(c)) is listed twice (also tokens[\(earlier)])", hint: "each character has one id")
  }
}
