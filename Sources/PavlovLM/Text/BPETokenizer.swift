import PavlovCore
/// A byte-level byte-pair-encoding tokenizer (the GPT-2 scheme, written from its description).
///
/// Ids: the special tokens (`<eos>` = 0, then the user's), then the 256 bytes, then one token
/// per learned merge, in the order learned. Text is cut into chunks by `WordSplitter` and each
/// chunk's UTF-8 bytes are merged, lowest-numbered merge first, as training did; merges never
/// cross chunks or special tokens. Every text encodes (any byte has a token), and decoding
/// joins the tokens' bytes, so decode(encode(s)) == s for every string. Decoding ids that do
/// not form whole characters (a model's output cut mid-character) gives U+FFFD for the pieces.
/// Encoding caches words in the tokenizer, so one tokenizer must not encode on two threads at once.
public final class BPETokenizer: Tokenizer {
  public let specials: SpecialTokens
  /// The learned merges in order: merge k joins `left` and `right` into the id `firstMergeID + k`.
  public let merges: [(left: Int32, right: Int32)]
  /// The merged id of each pair; a lower id is an earlier merge.
  private let mergeIDs: [UInt64: Int32]
  /// Every token's bytes, by id (a special's are its text's).
  private let tokenBytes: [[UInt8]]
  /// Token ids of recently encoded chunks; emptied when it reaches `cacheLimit` entries.
  private var cache: [[UInt8]: [Int32]] = [:]
  private let cacheLimit = 100_000

  /// The id of byte 0 (the bytes follow the specials).
  public var firstByteID: Int32 { Int32(specials.count) }
  /// The id the first merge made.
  public var firstMergeID: Int32 { firstByteID + 256 }

  /// Learns merges from `texts` until there are `vocabularySize` tokens (specials, bytes and
  /// merges together) or no pair of tokens occurs twice.
  public convenience init(training texts: [String], vocabularySize: Int, specials: [String] = []) throws {
    let specials = try SpecialTokens(extra: specials)
    let base = specials.count + 256
    guard vocabularySize >= base else {
      let plural = specials.count == 1 ? "" : "s"
      throw CoreError("a vocabulary size of \(vocabularySize) is too small: the 256 byte tokens and \(specials.count) special token\(plural) need \(base)",
                           hint: "ask for at least \(base); small models use a few hundred to a few thousand")
    }
    guard vocabularySize <= BPETokenizer.maxVocabularySize else {
      throw CoreError("a vocabulary size of \(vocabularySize) is too large (at most \(BPETokenizer.maxVocabularySize))")
    }
    var counts: [ArraySlice<UInt8>: Int] = [:]
    for text in texts {
      let bytes = Array(text.utf8)
      specials.split(bytes, plain: { range in
        WordSplitter.forEachWord(in: bytes, range) { counts[bytes[$0], default: 0] += 1 }
      }, special: { _ in })
    }
    let first = Int32(specials.count)
    var trainer = BPETrainer(words: counts.map { (word, count) in (word.map { first + Int32($0) }, count) })
    let merges = trainer.learn(limit: vocabularySize - base, firstID: first + 256)
    try self.init(specials: specials, merges: merges)
  }

  /// The largest vocabulary training accepts.
  public static let maxVocabularySize = 1 << 24
  /// Real merges spell short pieces of text (GPT-2's longest token is 128 bytes); these caps stop
  /// a hostile file whose merges each double the last token from asking for 2^k bytes.
  public static let maxTokenBytes = 1 << 16
  public static let maxTotalTokenBytes = 1 << 28

  /// A tokenizer with exactly these specials and merges (as a saved one lists them). Each merge
  /// must join two existing non-special tokens.
  public init(specials: SpecialTokens, merges: [(left: Int32, right: Int32)]) throws {
    let first = Int32(specials.count)
    var bytes = (0..<specials.count).map(specials.utf8) + (0..<256).map { [UInt8($0)] }
    var ids: [UInt64: Int32] = [:]
    guard merges.count <= Self.maxVocabularySize else {
      throw CoreError("\(merges.count) merges are more than the limit of \(Self.maxVocabularySize)", hint: "the file has too many merges")
    }
    var total = 256
    for (k, (a, b)) in merges.enumerated() {
      for side in [a, b] {
        guard side >= 0 && Int(side) < bytes.count else {
          throw CoreError("merges[\(k)]: id \(side) is not a token yet (merge \(k) can join ids \(first) to \(bytes.count - 1))",
                               hint: "a merge joins byte tokens and tokens made by earlier merges")
        }
        guard side >= first else {
          throw CoreError("merges[\(k)]: id \(side) is the special token \"\(specials.texts[Int(side)])\"",
                               hint: "special tokens are never merged; byte tokens start at id \(first)")
        }
      }
      let key = BPETrainer.key(a, b)
      guard ids[key] == nil else { throw CoreError("merges[\(k)]: the pair [\(a), \(b)] is merged twice", hint: "each pair is merged once") }
      let length = bytes[Int(a)].count + bytes[Int(b)].count
      guard length <= Self.maxTokenBytes else {
        throw CoreError("merges[\(k)]: the pair [\(a), \(b)] makes a token of \(length) bytes, more than the limit of \(Self.maxTokenBytes)",
                        hint: "a merge spells a short piece of text; a file whose merges keep doubling a token is damaged or hostile")
      }
      total += length
      guard total <= Self.maxTotalTokenBytes else {
        throw CoreError("merges[\(k)]: the tokens spell more than \(Self.maxTotalTokenBytes) bytes in all", hint: "the file has too many or too long merges")
      }
      ids[key] = first + 256 + Int32(k)
      bytes.append(bytes[Int(a)] + bytes[Int(b)])
    }
    self.specials = specials
    self.merges = merges
    mergeIDs = ids
    tokenBytes = bytes
  }

  public var vocabularySize: Int { tokenBytes.count }
  public var endOfText: Int64 { 0 }
  public var specialTokens: [(text: String, id: Int64)] { specials.texts.enumerated().map { ($1, Int64($0)) } }

  public func encode(_ text: String) throws -> [Int64] {
    let bytes = Array(text.utf8)
    var out: [Int64] = []
    out.reserveCapacity(bytes.count / 3)
    specials.split(bytes, plain: { range in
      WordSplitter.forEachWord(in: bytes, range) { word in
        for id in encode(word: bytes[word]) { out.append(Int64(id)) }
      }
    }, special: { out.append(Int64($0)) })
    return out
  }

  /// One chunk's tokens: its bytes, then the earliest-learned merge among adjacent pairs,
  /// leftmost first, until no adjacent pair was ever merged — the tokens training produced.
  /// The candidates wait in a heap ordered by (merge, position) over a linked list of the
  /// bytes, so a long chunk costs O(n log n), not a rescan per merge; an entry whose pair has
  /// since changed is skipped when it surfaces.
  private func encode(word: ArraySlice<UInt8>) -> [Int32] {
    let key = Array(word)
    if let hit = cache[key] { return hit }
    let n = key.count
    guard n > 1 else { return key.map { firstByteID + Int32($0) } }
    var tokens = key.map { firstByteID + Int32($0) }
    var next = Array(1...n), previous = Array(-1..<(n - 1))  // n: no next, -1: no previous
    var heap = BinaryHeap<UInt64>()  // merge id << 32 | position of the pair's left token
    func consider(_ i: Int) {
      let j = next[i]
      if j < n, let id = mergeIDs[BPETrainer.key(tokens[i], tokens[j])] { heap.push(UInt64(id) << 32 | UInt64(i)) }
    }
    for i in 0..<(n - 1) { consider(i) }
    while let top = heap.pop() {
      let id = Int32(top >> 32), i = Int(top & 0xFFFF_FFFF), j = next[i]
      guard tokens[i] >= 0, j < n, mergeIDs[BPETrainer.key(tokens[i], tokens[j])] == id else { continue }
      tokens[i] = id
      tokens[j] = -1
      next[i] = next[j]
      if next[i] < n { previous[next[i]] = i }
      if previous[i] >= 0 { consider(previous[i]) }
      consider(i)
    }
    var out: [Int32] = []
    var i = 0
    while i < n {
      out.append(tokens[i])
      i = next[i]
    }
    if cache.count >= cacheLimit { cache.removeAll(keepingCapacity: true) }
    cache[key] = out
    return out
  }

  public func decode(_ ids: [Int64]) throws -> String {
    var out: [UInt8] = []
    out.reserveCapacity(ids.count * 4)
    for (position, id) in ids.enumerated() {
      guard id >= 0 && id < Int64(tokenBytes.count) else { throw outOfRange(id, at: position) }
      out.append(contentsOf: tokenBytes[Int(id)])
    }
    return String(decoding: out, as: UTF8.self)
  }

  /// The bytes of one token (a special's are its text's UTF-8).
  public func bytes(of id: Int64) throws -> [UInt8] {
    guard id >= 0 && id < Int64(tokenBytes.count) else { throw outOfRange(id) }
    return tokenBytes[Int(id)]
  }

  public func tokenText(_ id: Int64) throws -> String { String(decoding: try bytes(of: id), as: UTF8.self) }

  /// The lowest id whose bytes are `text`'s (two merges can spell the same bytes).
  public func id(ofToken text: String) -> Int64? {
    if let id = specials.id(of: text) { return Int64(id) }
    let target = Array(text.utf8)
    guard !target.isEmpty else { return nil }
    if target.count == 1 { return Int64(firstByteID) + Int64(target[0]) }
    for id in Int(firstMergeID)..<tokenBytes.count where tokenBytes[id] == target { return Int64(id) }
    return nil
  }

  public func json() -> String {
    TokenizerJSON.document(type: "bpe", specials: specials.texts, field: "merges", items: merges.map { "[\($0.left), \($0.right)]" })
  }
}
