import PavlovTensor

/// A synthetic corpus of short reviews, generated from a seed, for RLHF that runs in minutes:
/// prompts such as "review of the pizza:" and answers such as " the pizza was great. i loved it."
/// from a small grammar whose words carry sentiment (`ReviewLexicon`), so `GoldLabeler` can
/// measure how good an answer is.
///
/// - Prompts: every template with every subject (4 × 22). A fixed quarter is held out
///   (`testPrompts`: subject k with template k mod 4); held-out prompts never appear in
///   pretraining texts or demonstrations, yet each of their subjects and templates does.
/// - Answers: one to three short sentences, lowercase, ending with a period, starting with a
///   space (the text after the prompt's colon). Each answer has one sentiment: 40% positive,
///   40% negative, 20% neutral, so a model imitating them is neutral on average. No answer
///   repeats an adjective, verb or intensifier.
/// - Item i of each list is drawn from its own generator, seeded from (seed, list, i): the same
///   seed gives the same corpus byte for byte, and `pretrainingTexts(10)` is a prefix of
///   `pretrainingTexts(1000)`.
public struct ReviewCorpus: Sendable {
  public let seed: UInt64
  /// Prompts used for pretraining and demonstrations.
  public let prompts: [String]
  /// Held-out prompts, for evaluating on prompts a model was never trained on.
  public let testPrompts: [String]

  /// A prompt and the answer a demonstrator wrote for it.
  public struct Demonstration: Equatable, Sendable {
    public let prompt: String
    public let response: String
  }

  /// The sentiment an answer is written with.
  public enum Sentiment: Sendable { case positive, negative, neutral }

  /// Answers longer than this lose their last sentence (the corpus aims at 20–60 characters).
  static let maxAnswerLength = 60
  static let minAnswerLength = 20

  public init(seed: UInt64 = 0) {
    self.seed = seed
    var train: [String] = [], test: [String] = []
    for (k, subject) in ReviewLexicon.subjects.enumerated() {
      for (t, template) in ReviewLexicon.templates.enumerated() {
        let prompt = template.split(separator: "#", omittingEmptySubsequences: false).joined(separator: subject.name)
        if t == k % ReviewLexicon.templates.count { test.append(prompt) } else { train.append(prompt) }
      }
    }
    prompts = train
    testPrompts = test
  }

  /// `n` whole texts (prompt + answer) on training prompts, for next-token pretraining. Mixed
  /// sentiment; one answer in ten talks only about the subject's parts without naming it.
  public func pretrainingTexts(_ n: Int) -> [String] {
    (0..<max(0, n)).map { i in
      let g = generator(stream: 1, index: i)
      let prompt = prompts[g.nextInt(below: prompts.count)]
      return prompt + Self.answer(for: prompt, Self.sentiment(g), mentionSubject: g.nextDouble() < 0.9, g)
    }
  }

  /// `n` (prompt, answer) pairs on training prompts, for supervised fine-tuning. Every answer
  /// names the prompt's subject; sentiment is mixed.
  public func demonstrations(_ n: Int) -> [Demonstration] {
    (0..<max(0, n)).map { i in
      let g = generator(stream: 2, index: i)
      let prompt = prompts[g.nextInt(below: prompts.count)]
      return Demonstration(prompt: prompt, response: Self.answer(for: prompt, Self.sentiment(g), mentionSubject: true, g))
    }
  }

  /// Up to `count` different answers to `prompt` (any prompt naming a subject, held-out ones
  /// included) with mixed sentiment, one in five not naming the subject: material for
  /// preference pairs without a model. Nil if the prompt names no subject of the lexicon.
  public func answers(for prompt: String, count: Int) -> [String]? {
    guard ReviewLexicon.subject(of: prompt) != nil else { return nil }
    var out: [String] = [], seen = Set<String>()
    var attempt = 0
    while out.count < count && attempt < 50 * max(1, count) {
      let g = generator(stream: 3 ^ (Self.fnv1a(prompt) << 2), index: attempt)
      attempt += 1
      let text = Self.answer(for: prompt, Self.sentiment(g), mentionSubject: g.nextDouble() < 0.8, g)
      if seen.insert(text).inserted { out.append(text) }
    }
    return out
  }

  /// One answer to `prompt` with the given sentiment (the subject defaults to the pizza when the
  /// prompt names none).
  public static func answer(for prompt: String, _ sentiment: Sentiment, mentionSubject: Bool, _ g: SeededGenerator) -> String {
    let subject = ReviewLexicon.subject(of: prompt) ?? ReviewLexicon.subjects[0]
    var writer = AnswerWriter(subject: subject, sentiment: sentiment, g: g)
    return writer.write(mentionSubject: mentionSubject)
  }

  // MARK: - Randomness

  private func generator(stream: UInt64, index: Int) -> SeededGenerator {
    // A murmur-style finalizer spreads (seed, stream, index) before splitmix64 seeds the state.
    var x = seed &* 0x9E37_79B9_7F4A_7C15 ^ stream &* 0xC2B2_AE3D_27D4_EB4F ^ UInt64(index) &* 0x1656_67B1_9E37_79F9
    x ^= x >> 33
    x &*= 0xFF51_AFD7_ED55_8CCD
    x ^= x >> 33
    x &*= 0xC4CE_B9FE_1A85_EC53
    x ^= x >> 33
    return SeededGenerator(seed: x)
  }

  /// 40% positive, 40% negative, 20% neutral.
  static func sentiment(_ g: SeededGenerator) -> Sentiment {
    let u = g.nextDouble()
    return u < 0.4 ? .positive : (u < 0.8 ? .negative : .neutral)
  }

  /// FNV-1a of the UTF-8 bytes: a string hash that, unlike Swift's `Hasher`, is the same in every process.
  static func fnv1a(_ text: String) -> UInt64 {
    var h: UInt64 = 0xCBF2_9CE4_8422_2325
    for b in text.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01B3 }
    return h
  }
}

/// Writes one answer: the sentences of the grammar, drawing words without replacement so that
/// no adjective, verb, intensifier or aspect appears twice.
private struct AnswerWriter {
  let subject: ReviewLexicon.Subject
  let sentiment: ReviewCorpus.Sentiment
  let g: SeededGenerator
  var adjectives: [String]
  var verbs: [String]
  var intensifiers: [String]
  var aspects: [String]

  enum Kind: CaseIterable { case subjectWas, subjectShort, aspectWas, verb, recommend, twoAspects }

  init(subject: ReviewLexicon.Subject, sentiment: ReviewCorpus.Sentiment, g: SeededGenerator) {
    self.subject = subject
    self.sentiment = sentiment
    self.g = g
    aspects = subject.aspects
    switch sentiment {
    case .positive:
      adjectives = ReviewLexicon.positiveAdjectives.map(\.0)
      verbs = ReviewLexicon.positiveVerbs.map(\.0)
      intensifiers = ["very", "really", "so"]
    case .negative:
      adjectives = ReviewLexicon.negativeAdjectives.map(\.0)
      verbs = ReviewLexicon.negativeVerbs.map(\.0)
      intensifiers = ["very", "really", "so"]
    case .neutral:
      adjectives = ReviewLexicon.neutralAdjectives
      verbs = []
      intensifiers = ["quite"]
    }
  }

  mutating func write(mentionSubject: Bool) -> String {
    var kinds: [Kind] = [.aspectWas, .verb, .twoAspects]
    if sentiment != .neutral { kinds.append(.recommend) }
    var sentences = [sentence(mentionSubject ? (g.nextDouble() < 0.7 ? .subjectWas : .subjectShort) : take(&kinds))]
    let u = g.nextDouble()
    let extra = u < 0.3 ? 0 : (u < 0.75 ? 1 : 2)
    for _ in 0..<extra { sentences.append(sentence(take(&kinds))) }
    while sentences.count > 1 && length(sentences) > ReviewCorpus.maxAnswerLength { sentences.removeLast() }
    // Too short: add the shortest remaining kind if it fits.
    while length(sentences) < ReviewCorpus.minAnswerLength && !kinds.isEmpty {
      let next = sentence(take(&kinds))
      if length(sentences + [next]) <= ReviewCorpus.maxAnswerLength { sentences.append(next) }
    }
    return " " + sentences.joined(separator: " ")
  }

  private func length(_ sentences: [String]) -> Int { sentences.reduce(sentences.count) { $0 + $1.count } }

  private func take<T>(_ pool: inout [T]) -> T {
    pool.remove(at: g.nextInt(below: pool.count))
  }

  private mutating func adjective(intensify: Bool) -> String {
    let adjective = take(&adjectives)
    guard intensify, !intensifiers.isEmpty, g.nextDouble() < 0.3 else { return adjective }
    return take(&intensifiers) + " " + adjective
  }

  private mutating func sentence(_ kind: Kind) -> String {
    switch kind {
    case .subjectWas:
      return "the \(subject.name) was \(adjective(intensify: true))."
    case .subjectShort:
      let adjective = take(&adjectives)
      let article = "aeiou".contains(adjective.first ?? "x") ? "an" : "a"
      return "\(article) \(adjective) \(subject.name)."
    case .aspectWas:
      if aspects.isEmpty { return "it was \(adjective(intensify: true))." }
      return "the \(take(&aspects)) was \(adjective(intensify: true))."
    case .verb:
      if verbs.isEmpty { return "it was \(take(&adjectives))." }
      let verb = take(&verbs)
      return g.nextDouble() < 0.5 || aspects.isEmpty ? "i \(verb) it." : "i \(verb) the \(take(&aspects))."
    case .recommend:
      return sentiment == .negative ? "i would not recommend it." : "i would recommend it."
    case .twoAspects:
      guard aspects.count >= 2 else { return sentence(.aspectWas) }
      let first = "the \(take(&aspects)) was \(take(&adjectives))"
      return first + ", the \(take(&aspects)) was \(take(&adjectives))."
    }
  }
}
