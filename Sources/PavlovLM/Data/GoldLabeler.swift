/// The true quality of an answer to a review prompt: the "human preference" that reward models
/// try to learn and that RLHF experiments report. A pure function of the prompt's and the
/// answer's text, so it can be checked by hand.
///
///     score = clamp(sentiment + onTopic + repetition + wellFormed, -2, 2)
///
/// - sentiment ∈ [-1, 1] = clamp(v / 2, -1, 1), where v sums the weights of the answer's
///   sentiment words (`ReviewLexicon`: strong ±1, mild ±0.5, "recommend" +1), each counted once;
///   an intensifier right before a word ("really great") multiplies it by 1.5, and "not" flips
///   the next sentiment word of its sentence ("would not recommend").
/// - onTopic: +0.5 if the answer names the prompt's subject, +0.25 if it names only a part of
///   it ("the crust"), 0 if neither; -0.5 if it names another subject (and not its own).
/// - repetition = -0.5 per repeat: a word equal to the word before it ("great great"), a
///   sentiment word or intensifier used a second time, a sentence said before. Repeated words
///   add no sentiment.
/// - wellFormed ≤ 0: -0.5 if the answer does not end with a period; -0.5 per word outside the
///   grammar's vocabulary; -(length - 80) / 40 beyond 80 characters; -0.25 per punctuation or
///   spacing slip ("  ", " .", "..", ".x" without a space); -1 for an answer without words.
///
/// Corpus answers score from about -1 (strongly negative) to 1.5 (strongly positive, on topic);
/// "great great great great." scores -1.
public struct GoldLabeler: Sendable {
  public init() {}

  /// The parts of a score, which add up to it (before the clamp).
  public struct Report: Equatable, Sendable {
    public var score: Double
    public var sentiment: Double
    public var onTopic: Double
    public var repetition: Double
    public var wellFormed: Double
    /// The subject the prompt asks about, if it names one.
    public var subject: String?
    /// The repeated words and sentences, in order.
    public var repeats: [String]
    /// Words not in the grammar's vocabulary, in order.
    public var unknownWords: [String]
  }

  static let maxLength = 80
  static let repeatPenalty = 0.5
  static let unknownWordPenalty = 0.5
  static let noPeriodPenalty = 0.5
  static let slipPenalty = 0.25

  /// The score of `response` as an answer to `prompt` (see the type's documentation).
  public func score(prompt: String, response: String) -> Double {
    report(prompt: prompt, response: response).score
  }

  /// The score with its parts.
  public func report(prompt: String, response: String) -> Report {
    let subject = ReviewLexicon.subject(of: prompt)
    let text = response.trimmingSpaces
    let tokens = Self.words(text)
    var r = Report(score: 0, sentiment: 0, onTopic: 0, repetition: 0, wellFormed: 0, subject: subject?.name, repeats: [], unknownWords: [])
    if tokens.isEmpty {
      r.wellFormed = -1
      r.score = -1
      return r
    }

    // Repeats, and sentiment from the words that are not repeats.
    var v = 0.0
    var seenRated = Set<String>()
    var intensify = false, negate = false
    for (i, token) in tokens.enumerated() {
      if i > 0 && tokens[i - 1].sentence != token.sentence { intensify = false; negate = false }
      let rated = ReviewLexicon.valence[token.word] != nil || ReviewLexicon.intensifiers.contains(token.word)
      if (i > 0 && tokens[i - 1].word == token.word) || (rated && seenRated.contains(token.word)) {
        r.repeats.append(token.word)
        continue
      }
      if rated { seenRated.insert(token.word) }
      if token.word == ReviewLexicon.negation {
        negate = true
      } else if ReviewLexicon.intensifiers.contains(token.word) {
        intensify = true
      } else if let weight = ReviewLexicon.valence[token.word] {
        v += weight * (intensify ? 1.5 : 1) * (negate ? -1 : 1)
        intensify = false
        negate = false
      } else {
        intensify = false
      }
    }
    var seenSentences = Set<String>()
    for sentence in text.split(separator: ".").map({ String($0).trimmingSpaces }) where !sentence.isEmpty {
      if !seenSentences.insert(sentence).inserted { r.repeats.append(sentence + ".") }
    }
    r.sentiment = min(1, max(-1, v / 2))
    r.repetition = -Self.repeatPenalty * Double(r.repeats.count)

    // Topic.
    if let subject {
      let words = Set(tokens.map(\.word))
      if words.contains(subject.name) {
        r.onTopic = 0.5
      } else if !words.isDisjoint(with: subject.aspects) {
        r.onTopic = 0.25
      }
      let others = words.filter { $0 != subject.name && !subject.aspects.contains($0) && ReviewLexicon.subjectsByName[$0] != nil }
      if !others.isEmpty && r.onTopic < 0.5 { r.onTopic -= 0.5 }
    }

    // Form.
    r.unknownWords = tokens.map(\.word).filter { !ReviewLexicon.vocabulary.contains($0) }
    var form = -Self.unknownWordPenalty * Double(r.unknownWords.count)
    if !text.hasSuffix(".") { form -= Self.noPeriodPenalty }
    let length = text.unicodeScalars.count
    if length > Self.maxLength { form -= Double(length - Self.maxLength) / 40 }
    form -= Self.slipPenalty * Double(Self.slips(text))
    r.wellFormed = form

    r.score = min(2, max(-2, r.sentiment + r.onTopic + r.repetition + r.wellFormed))
    return r
  }

  /// Words between spaces, commas and periods, with the index of their sentence.
  static func words(_ text: String) -> [(word: String, sentence: Int)] {
    var out: [(String, Int)] = []
    var word = String.UnicodeScalarView()
    var sentence = 0
    func flush() {
      if !word.isEmpty { out.append((String(word), sentence)) }
      word = String.UnicodeScalarView()
    }
    for c in text.unicodeScalars {
      switch c {
      case " ", ",": flush()
      case ".": flush(); sentence += 1
      default: word.append(c)
      }
    }
    flush()
    return out
  }

  /// Punctuation and spacing slips: a doubled space, a space before "." or ",", two marks in a
  /// row, a mark not followed by a space, an answer starting with a mark.
  static func slips(_ text: String) -> Int {
    let s = Array(text.unicodeScalars)
    guard let first = s.first else { return 0 }
    var n = (first == "." || first == ",") ? 1 : 0
    for i in 1..<max(1, s.count) {
      let a = s[i - 1], b = s[i]
      let aMark = a == "." || a == ",", bMark = b == "." || b == ","
      if a == " " && (b == " " || bMark) { n += 1 } else if aMark && b != " " { n += 1 }
    }
    return n
  }
}
