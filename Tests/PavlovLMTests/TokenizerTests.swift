import Foundation
@testable import PavlovLM
import PavlovTensor
import XCTest

final class TokenizerTests: XCTestCase {
  // MARK: - Specials

  func testSpecialsAreValidated() {
    assertTokenizerError(try SpecialTokens(extra: ["<good>", ""]), contains: "special token 1 is empty")
    assertTokenizerError(try SpecialTokens(extra: ["<good>", "<bad>", "<good>"]), contains: "\"<good>\" is given twice (items 0 and 2)")
    assertTokenizerError(try SpecialTokens(extra: ["<eos>"]), contains: "\"<eos>\" is always the first special token (id 0)")
  }

  func testSpecialsSplitTextLongestFirst() throws {
    let specials = try SpecialTokens(extra: ["<go", "<good>"])
    let text = Array("a<good>b<gox<eos>".utf8)
    var pieces: [String] = []
    specials.split(text, plain: { pieces.append(String(decoding: text[$0], as: UTF8.self)) }, special: { pieces.append("#\($0)") })
    XCTAssertEqual(pieces, ["a", "#2", "b", "#1", "x", "#0"])
  }

  // MARK: - Character level

  func testCharIdsAreSpecialsThenSortedCharacters() throws {
    let tok = try CharTokenizer(training: ["ba", "c a", "<good>"], specials: ["<good>", "<bad>"])
    XCTAssertEqual(tok.specialTokens.map(\.text), ["<eos>", "<good>", "<bad>"])
    XCTAssertEqual(tok.specialTokens.map(\.id), [0, 1, 2])
    // "<good>" is cut out of the training text, so '<', 'g', 'o', 'd', '>' are not characters.
    XCTAssertEqual(tok.characters, [" ", "a", "b", "c"])
    XCTAssertEqual(tok.vocabularySize, 7)
    XCTAssertEqual(tok.endOfText, 0)
    XCTAssertEqual(try tok.encode("abc a"), [4, 5, 6, 3, 4])
    XCTAssertEqual(try tok.encode("<bad>a<good><eos>"), [2, 4, 1, 0])
    XCTAssertEqual(try tok.decode([2, 4, 1, 0, 3]), "<bad>a<good><eos> ")
    XCTAssertEqual(tok.id(ofToken: "<bad>"), 2)
    XCTAssertEqual(tok.id(ofToken: "c"), 6)
    XCTAssertNil(tok.id(ofToken: "ab"))
    XCTAssertNil(tok.id(ofToken: "z"))
    XCTAssertEqual(try tok.tokenText(5), "b")
  }

  func testCharTokensAreUnicodeScalarsAndRoundTripExactly() throws {
    let composed = "caf\u{E9}", decomposed = "cafe\u{301}", emoji = "👩‍💻"
    let tok = try CharTokenizer(training: [composed, decomposed, emoji])
    // U+00E9 and e + U+0301 are different tokens; the emoji is three scalars (woman, ZWJ, laptop).
    XCTAssertEqual(try tok.encode(composed).count, 4)
    XCTAssertEqual(try tok.encode(decomposed).count, 5)
    XCTAssertEqual(try tok.encode(emoji).count, 3)
    for text in [composed, decomposed, emoji, decomposed + emoji + composed] {
      XCTAssertEqual(Array(try tok.decode(try tok.encode(text)).utf8), Array(text.utf8))
    }
  }

  func testCharUnknownCharacterNamesItItsOffsetAndAFix() throws {
    let tok = try CharTokenizer(training: ["hello world"])
    let error = assertTokenizerError(try tok.encode("héllo"), contains: "the character 'é' (U+00E9) at offset 1 is not in the vocabulary")
    XCTAssertTrue(error?.hint?.contains("training texts") ?? false)
    // Offsets count Unicode scalars (as Pavlov's string indexing does), not bytes.
    assertTokenizerError(try tok.encode("ééé\n"), contains: "at offset 0")
    assertTokenizerError(try tok.encode("hello\n"), contains: "U+000A (a line feed) at offset 5")
    assertTokenizerError(try CharTokenizer(training: ["", "<eos>"]), contains: "the training texts have no characters")
  }

  func testDecodeRejectsIdsOutsideTheVocabulary() throws {
    let tok = try CharTokenizer(training: ["ab"])
    assertTokenizerError(try tok.decode([1, 3]), contains: "id 3 at position 1 is outside the vocabulary (ids 0 to 2)")
    assertTokenizerError(try tok.decode([-1]), contains: "id -1 at position 0")
    let bpe = try BPETokenizer(training: ["ab"], vocabularySize: 257)
    assertTokenizerError(try bpe.decode([257]), contains: "id 257 at position 0 is outside the vocabulary (ids 0 to 256)")
    assertTokenizerError(try bpe.tokenText(-2), contains: "id -2 is outside")
  }

  // MARK: - Word splitting

  func testWordSplitterFollowsGPT2() {
    XCTAssertEqual(words("Hello world!! 42 times"), ["Hello", " world", "!!", " 42", " times"])
    XCTAssertEqual(words("a  b"), ["a", " ", " b"])
    XCTAssertEqual(words("x\n\n  y \t"), ["x", "\n\n ", " y", " \t"])
    XCTAssertEqual(words("it's 3.5"), ["it", "'", "s", " 3", ".", "5"])
    // Combining marks stay in their word; other scripts are letters too.
    XCTAssertEqual(words("cafe\u{301} déjà Привет 日本語"), ["cafe\u{301}", " déjà", " Привет", " 日本語"])
    XCTAssertEqual(words(" "), [" "])
    XCTAssertEqual(words(""), [])
  }

  // MARK: - BPE

  /// Wikipedia's example "aaabdaaabac", by hand. Pairs are counted at every position, so
  /// (a, a) occurs 4 times and is merged first: Z a b d Z a b a c. Then (a, b) and (Z, a) tie
  /// at 2; (a, b) has the smaller ids (98, 99 against 257, 98) and goes first: Z Y d Z Y a c.
  /// Then (Z, Y) occurs twice: X d X a c. No pair occurs twice any more, so training stops.
  func testBPEMergesOnAHandWorkedExample() throws {
    let tok = try BPETokenizer(training: ["aaabdaaabac"], vocabularySize: 1000)
    let a: Int32 = 1 + 97, b: Int32 = 1 + 98, c: Int64 = 1 + 99, d: Int64 = 1 + 100
    XCTAssertEqual(tok.merges.map { [$0.left, $0.right] }, [[a, a], [a, b], [257, 258]])
    XCTAssertEqual(tok.vocabularySize, 260)
    XCTAssertEqual(try tok.encode("aaabdaaabac"), [259, d, 259, Int64(a), c])
    XCTAssertEqual(try tok.tokenText(259), "aaab")
    XCTAssertEqual(tok.id(ofToken: "aa"), 257)
    // Two user specials shift every id by two.
    let shifted = try BPETokenizer(training: ["aaabdaaabac"], vocabularySize: 1000, specials: ["<good>", "<bad>"])
    XCTAssertEqual(shifted.merges.map { [$0.left, $0.right] }, [[a + 2, a + 2], [a + 2, b + 2], [259, 260]])
    XCTAssertEqual(try shifted.encode("<bad>aaab"), [2, 261])
    // The vocabulary size caps the merges.
    XCTAssertEqual(try BPETokenizer(training: ["aaabdaaabac"], vocabularySize: 258).merges.count, 1)
  }

  func testBPEMergesNeverCrossWordsOrSpecials() throws {
    // Words "ab" ×2 and " ab" ×2: (a, b) ×4, then (' ', ab) ×2; "b " never forms (words
    // start with their space), and no pair reaches across the special token "Q".
    let tok = try BPETokenizer(training: ["abQab ab ab ab"], vocabularySize: 400, specials: ["Q"])
    let space: Int32 = 2 + 32, a: Int32 = 2 + 97, b: Int32 = 2 + 98
    XCTAssertEqual(tok.merges.map { [$0.left, $0.right] }, [[a, b], [space, 258]])
    XCTAssertEqual(try tok.encode("abQ ab"), [258, 1, 259])
    XCTAssertEqual(try tok.encode("Qab"), [1, 258])
  }

  func testBPETrainingMatchesANaiveRecount() throws {
    // A small alphabet makes many ties and overlapping pairs (aaa, abab).
    let g = SeededGenerator(seed: 11)
    let texts = (0..<40).map { _ in randomText(g, alphabet: Array("ab c\n"), length: 60) }
    let tok = try BPETokenizer(training: texts, vocabularySize: 330)
    XCTAssertEqual(tok.merges.map { [$0.left, $0.right] }, naiveMerges(texts, limit: 330 - 257))
    XCTAssertGreaterThan(tok.merges.count, 30)
  }

  func testBPEEncodingAppliesMergesAsTrainingDid() throws {
    let g = SeededGenerator(seed: 5)
    let texts = (0..<60).map { _ in randomText(g, alphabet: Array("abcd ,é"), length: 80) }
    let tok = try BPETokenizer(training: texts, vocabularySize: 400)
    for text in texts.prefix(20) + (0..<20).map({ _ in randomText(g, alphabet: Array("abcde é"), length: 50) }) {
      XCTAssertEqual(try tok.encode(text), naiveEncode(tok, text), text)
    }
  }

  func testBPEDecodeInvertsEncodeForRandomUnicode() throws {
    let g = SeededGenerator(seed: 2024)
    let english = "The quick brown fox jumps over the lazy dog. <good> It was fine, really! 1234 times\n\tindented"
    let tok = try BPETokenizer(training: [english, english.uppercased()], vocabularySize: 320, specials: ["<good>", "<bad>"])
    XCTAssertGreaterThan(tok.merges.count, 10)
    let pools: [[Unicode.Scalar]] = [
      Array("abc XYZ 019 .,;!?'\"<>/\\ \n\t\r".unicodeScalars),
      Array("éàüßñ çøå ЖЯж 日本語 한국어 العربية עברית".unicodeScalars),
      ["\u{301}", "\u{308}", "\u{200D}", "\u{FE0F}", "\u{0}", "\u{7F}", "\u{85}", "\u{A0}", "\u{2028}", "\u{3000}", "\u{FEFF}", "\u{FFFD}", "\u{10FFFF}"],
      Array("👩‍💻🇫🇷👍🏽😀".unicodeScalars),
    ]
    for n in 0..<500 {
      var s = String.UnicodeScalarView()
      for _ in 0..<g.nextInt(below: 40) {
        switch g.nextInt(below: 6) {
        case 0: s.append(contentsOf: ["<good>", "<bad>", "<eos>", "<goo", "<"][g.nextInt(below: 5)].unicodeScalars)
        case 1:  // any scalar, surrogates excluded
          var v = UInt32(g.nextInt(below: 0x110000))
          if (0xD800..<0xE000).contains(v) { v -= 0x800 }
          s.append(Unicode.Scalar(v)!)
        default:
          let pool = pools[g.nextInt(below: pools.count)]
          s.append(pool[g.nextInt(below: pool.count)])
        }
      }
      let text = String(s)
      let decoded = try tok.decode(try tok.encode(text))
      XCTAssertEqual(Array(decoded.utf8), Array(text.utf8), "string \(n): \(text.unicodeScalars.map { String($0.value, radix: 16) })")
    }
  }

  func testBPEIsDeterministicAndIgnoresTextOrder() throws {
    let g = SeededGenerator(seed: 3)
    let texts = (0..<200).map { _ in randomText(g, alphabet: Array("abcdefg  "), length: 40) }
    let first = try BPETokenizer(training: texts, vocabularySize: 420)
    let again = try BPETokenizer(training: texts, vocabularySize: 420)
    let reversed = try BPETokenizer(training: texts.reversed(), vocabularySize: 420)
    XCTAssertEqual(first.json(), again.json())
    XCTAssertEqual(first.json(), reversed.json())
  }

  func testBPEVocabularySizeLimits() throws {
    assertTokenizerError(try BPETokenizer(training: ["x"], vocabularySize: 258, specials: ["<good>", "<bad>"]),
                         contains: "a vocabulary size of 258 is too small: the 256 byte tokens and 3 special tokens need 259")
    assertTokenizerError(try BPETokenizer(training: ["x"], vocabularySize: 1 << 30), contains: "too large")
    // No pair repeats: training stops at the bytes.
    let tok = try BPETokenizer(training: ["abcdef"], vocabularySize: 512)
    XCTAssertEqual(tok.vocabularySize, 257)
    XCTAssertEqual(try tok.encode("fed"), [103, 102, 101])
    XCTAssertEqual(try BPETokenizer(training: [], vocabularySize: 300).vocabularySize, 257)
  }

  // MARK: - JSON

  func testJSONRoundTrips() throws {
    let texts = ["Hello \"quoted\" \\ back\\slash\n\ttab \u{1} \u{7F} é 日本 👍", "<good> more text, more text"]
    let tokenizers: [any Tokenizer] = [
      try CharTokenizer(training: texts, specials: ["<good>", "<\"odd\">"]),
      try BPETokenizer(training: texts, vocabularySize: 300, specials: ["<good>"]),
    ]
    for tok in tokenizers {
      let loaded = try TokenizerJSON.load(tok.json(), source: "t.json")
      XCTAssertTrue(type(of: loaded) == type(of: tok))
      XCTAssertEqual(loaded.json(), tok.json())
      XCTAssertEqual(loaded.vocabularySize, tok.vocabularySize)
      XCTAssertEqual(loaded.specialTokens.map(\.text), tok.specialTokens.map(\.text))
      for text in texts { XCTAssertEqual(try loaded.encode(text), try tok.encode(text)) }
    }
  }

  func testJSONLoadErrorsSayWhatIsWrong() {
    func assertLoad(_ json: String, _ fragment: String, line: UInt = #line) {
      let error = assertTokenizerError(try TokenizerJSON.load(json, source: "tok.json"), contains: "tok.json: " + fragment, line: line)
      XCTAssertNotNil(error?.hint, line: line)
    }
    assertLoad("{\"type\": \"char\", ", "not valid JSON")
    assertLoad("{\"specials\": [\"<eos>\"], \"tokens\": []}", "missing field \"type\"")
    assertLoad("{\"type\": \"char\", \"specials\": [\"<eos>\"]}", "missing field \"tokens\"")
    assertLoad("{\"type\": \"bpe\", \"specials\": [\"<eos>\"], \"tokens\": []}", "missing field \"merges\"")
    assertLoad("{\"type\": \"wordpiece\", \"specials\": [\"<eos>\"]}", "field type: \"wordpiece\" is not a tokenizer type")
    assertLoad("{\"type\": \"char\", \"specials\": [\"<good>\"], \"tokens\": []}", "field specials: the first special token must be \"<eos>\"")
    assertLoad("{\"type\": \"char\", \"specials\": [\"<eos>\", 3], \"tokens\": []}", "field specials[1]: expected a string")
    assertLoad("{\"type\": \"char\", \"specials\": [\"<eos>\"], \"tokens\": [\"a\", \"bc\"]}", "tokens[1]: \"bc\" is not one character")
    assertLoad("{\"type\": \"char\", \"specials\": [\"<eos>\"], \"tokens\": [\"a\", \"b\", \"a\"]}", "tokens[2]: the character 'a' (U+0061) is listed twice (also tokens[0])")
    assertLoad("{\"type\": \"bpe\", \"specials\": [\"<eos>\"], \"merges\": [[98, 98], [257, 300]]}", "merges[1]: id 300 is not a token yet")
    assertLoad("{\"type\": \"bpe\", \"specials\": [\"<eos>\"], \"merges\": [[0, 98]]}", "merges[0]: id 0 is the special token \"<eos>\"")
    assertLoad("{\"type\": \"bpe\", \"specials\": [\"<eos>\"], \"merges\": [[98, 98, 1]]}", "merges[0]: expected two token ids [left, right], got [98, 98, 1]")
    assertLoad("{\"type\": \"bpe\", \"specials\": [\"<eos>\"], \"merges\": [[98, \"a\"]]}", "field merges[0][1]: expected an int")
    assertLoad("{\"type\": \"bpe\", \"specials\": [\"<eos>\"], \"merges\": [[98, 99], [98, 99]]}", "merges[1]: the pair [98, 99] is merged twice")
    // Issue 23: a 500-byte file whose merges each double the last token asked for 2^k bytes.
    let doubling = (0..<60).map { k in k == 0 ? "[98, 98]" : "[\(256 + k), \(256 + k)]" }.joined(separator: ", ")
    assertLoad("{\"type\": \"bpe\", \"specials\": [\"<eos>\"], \"merges\": [\(doubling)]}",
               "merges[16]: the pair [272, 272] makes a token of 131072 bytes, more than the limit of 65536")
  }

  // MARK: - Speed

  /// A synthetic 1 MB corpus (20,000 pseudo-words drawn with Zipf's law) trained to 512 tokens.
  func testTrainingAndEncodingAMegabyteIsFast() throws {
    let corpus = zipfCorpus(bytes: 1 << 20, seed: 7)
    let lines = corpus.split(separator: "\n").map(String.init)
    var start = DispatchTime.now().uptimeNanoseconds
    let tok = try BPETokenizer(training: lines, vocabularySize: 512)
    let train = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    start = DispatchTime.now().uptimeNanoseconds
    let ids = try tok.encode(corpus)
    let encode = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    start = DispatchTime.now().uptimeNanoseconds
    let decoded = try tok.decode(ids)
    let decode = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    XCTAssertEqual(decoded, corpus)
    XCTAssertEqual(tok.vocabularySize, 512)
    print("BPE on \(corpus.utf8.count) bytes (\(lines.count) lines): train to 512 tokens \(String(format: "%.3f", train)) s, "
          + "encode \(String(format: "%.3f", encode)) s (\(ids.count) ids, \(String(format: "%.2f", Double(corpus.utf8.count) / Double(ids.count))) bytes/token), "
          + "decode \(String(format: "%.3f", decode)) s")
    XCTAssertLessThan(train, 5, "training 1 MB to 512 tokens should take well under a few seconds")
    XCTAssertLessThan(encode, 5)
  }

  // MARK: - Helpers

  @discardableResult
  private func assertTokenizerError<T>(_ body: @autoclosure () throws -> T, contains fragment: String,
                                       file: StaticString = #filePath, line: UInt = #line) -> CoreError? {
    do {
      _ = try body()
      XCTFail("expected an error containing \"\(fragment)\"", file: file, line: line)
    } catch let error as CoreError {
      XCTAssertTrue(error.message.contains(fragment), "\"\(error.message)\" does not contain \"\(fragment)\"", file: file, line: line)
      return error
    } catch {
      XCTFail("unexpected error \(error)", file: file, line: line)
    }
    return nil
  }

  private func words(_ text: String) -> [String] {
    let bytes = Array(text.utf8)
    var out: [String] = []
    WordSplitter.forEachWord(in: bytes, 0..<bytes.count) { out.append(String(decoding: bytes[$0], as: UTF8.self)) }
    return out
  }

  private func randomText(_ g: SeededGenerator, alphabet: [Character], length: Int) -> String {
    String((0..<length).map { _ in alphabet[g.nextInt(below: alphabet.count)] })
  }

  /// The words of `texts` (no specials) as byte tokens with their counts.
  private func wordCounts(_ texts: [String]) -> [[UInt8]: Int] {
    var counts: [[UInt8]: Int] = [:]
    for text in texts {
      let bytes = Array(text.utf8)
      WordSplitter.forEachWord(in: bytes, 0..<bytes.count) { counts[Array(bytes[$0]), default: 0] += 1 }
    }
    return counts
  }

  private func mergeAll(_ tokens: [Int32], _ a: Int32, _ b: Int32, _ new: Int32) -> [Int32] {
    var out: [Int32] = [], k = 0
    while k < tokens.count {
      if k + 1 < tokens.count && tokens[k] == a && tokens[k + 1] == b {
        out.append(new)
        k += 2
      } else {
        out.append(tokens[k])
        k += 1
      }
    }
    return out
  }

  /// BPE training the slow, obvious way: recount every pair of every word at each step.
  private func naiveMerges(_ texts: [String], limit: Int) -> [[Int32]] {
    var words = wordCounts(texts).map { (tokens: $0.key.map { 1 + Int32($0) }, count: $0.value) }
    var merges: [[Int32]] = []
    while merges.count < limit {
      var counts: [[Int32]: Int] = [:]
      for w in words where w.tokens.count > 1 {
        for k in 0..<(w.tokens.count - 1) { counts[[w.tokens[k], w.tokens[k + 1]], default: 0] += w.count }
      }
      guard let best = counts.max(by: { $0.value != $1.value ? $0.value < $1.value : $1.key.lexicographicallyPrecedes($0.key) }),
            best.value >= 2 else { break }
      let new = 257 + Int32(merges.count)
      merges.append(best.key)
      for i in words.indices { words[i].tokens = mergeAll(words[i].tokens, best.key[0], best.key[1], new) }
    }
    return merges
  }

  /// Encoding the slow, obvious way: every merge in order, applied to each word.
  private func naiveEncode(_ tok: BPETokenizer, _ text: String) -> [Int64] {
    let bytes = Array(text.utf8)
    var out: [Int64] = []
    WordSplitter.forEachWord(in: bytes, 0..<bytes.count) { range in
      var tokens = bytes[range].map { tok.firstByteID + Int32($0) }
      for (k, m) in tok.merges.enumerated() { tokens = mergeAll(tokens, m.left, m.right, tok.firstMergeID + Int32(k)) }
      out += tokens.map(Int64.init)
    }
    return out
  }

  /// Lines of pseudo-words (2–4 syllables) drawn from a 20,000-word vocabulary by Zipf's law,
  /// with punctuation and digits, until `bytes` bytes.
  private func zipfCorpus(bytes: Int, seed: UInt64) -> String {
    let g = SeededGenerator(seed: seed)
    let syllables = ["ka", "to", "ri", "ne", "su", "la", "mo", "pe", "di", "an", "el", "or", "th", "qu", "is", "ve", "str", "ch", "ou", "ing"]
    let vocabulary = (0..<20_000).map { _ in (0..<(2 + g.nextInt(below: 3))).map { _ in syllables[g.nextInt(below: syllables.count)] }.joined() }
    // Zipf: word r has weight 1 / (r + 1); sample by inverting the cumulative sum.
    var cumulative: [Double] = []
    var total = 0.0
    for r in 0..<vocabulary.count {
      total += 1 / Double(r + 1)
      cumulative.append(total)
    }
    var out = ""
    while out.utf8.count < bytes {
      let u = g.nextDouble() * total
      var lo = 0, hi = cumulative.count - 1
      while lo < hi {
        let mid = (lo + hi) / 2
        if cumulative[mid] < u { lo = mid + 1 } else { hi = mid }
      }
      out += vocabulary[lo]
      switch g.nextInt(below: 20) {
      case 0: out += ".\n"
      case 1: out += ", "
      case 2: out += " \(g.nextInt(below: 1000)) "
      default: out += " "
      }
    }
    return out
  }
}
