import PavlovLang
import PavlovLM

/// `review_corpus(seed:)`: the synthetic review corpus as a value whose properties are its
/// prompts and whose methods draw texts, demonstrations and answers (the same for a seed).
final class ReviewCorpusValue: PObject {
  let corpus: ReviewCorpus

  nonisolated(unsafe) static let nativeType: NativeType = makeType()

  init(_ corpus: ReviewCorpus) {
    self.corpus = corpus
    super.init(type: ReviewCorpusValue.nativeType)
  }

  override var displayString: String {
    "<review_corpus seed \(Int64(bitPattern: corpus.seed)): \(corpus.prompts.count) prompts, \(corpus.testPrompts.count) held out>"
  }

  static func register(_ r: Registry) {
    r.addType(nativeType)
    r.function("review_corpus", [Param("seed", default: .int(0), doc: "an int: the same seed gives the same texts, demos and answers", range: .finite)],
               doc: "The synthetic review corpus: .prompts, .test_prompts, .texts(n), .demos(n), .answers(prompt, n) (see docs/rlhf_data.md).") { args in
      .object(ReviewCorpusValue(ReviewCorpus(seed: UInt64(bitPattern: Int64(try args.int(0))))))
    }
  }

  private static func own(_ v: Value) throws(PavlovError) -> ReviewCorpus {
    guard case .object(let c as ReviewCorpusValue) = v else { throw PavlovError.runtime("expected a review_corpus, got \(v.typeName)") }
    return c.corpus
  }

  private static func strings(_ items: [String]) -> Value { .list(PList(items.map { .str($0) })) }

  /// How many items a method returns: a million at most (these are lists in memory).
  private static let count = ParamRange.between(0, 1_000_000)

  private static func makeType() -> NativeType {
    let t = NativeType(name: "review_corpus", doc: "Seeded synthetic reviews for RLHF: prompts about a subject and short answers with a sentiment.")
    t.property("seed", doc: "The seed the corpus was made with.") { v in .int(Int(Int64(bitPattern: try own(v).seed))) }
    t.property("prompts", doc: "The training prompts (66), e.g. \"tell me about the pizza:\".") { v in strings(try own(v).prompts) }
    t.property("test_prompts", doc: "The held-out prompts (22): never in texts or demos.") { v in strings(try own(v).testPrompts) }
    t.property("subjects", doc: "The subjects prompts ask about, e.g. \"pizza\".") { _ in strings(ReviewLexicon.subjects.map(\.name)) }
    t.property("chars", doc: "Every character prompts and answers use (a char tokenizer's alphabet).") { _ in .str(ReviewLexicon.characters) }
    t.method("texts", [Param("n", doc: "how many texts", range: count)],
             doc: "n pretraining texts, prompt and answer in one string, mixed sentiment.") { args in
      strings(try own(args.receiver).pretrainingTexts(try args.int(0)))
    }
    t.method("demos", [Param("n", doc: "how many demonstrations", range: count)],
             doc: "n records {prompt, response} on training prompts, answers naming the subject, mixed sentiment.") { args in
      let demos = try own(args.receiver).demonstrations(try args.int(0))
      return .list(PList(demos.map { .record(PRecord([("prompt", .str($0.prompt)), ("response", .str($0.response))])) }))
    }
    t.method("answers", [Param("prompt", doc: "a prompt naming a subject (held-out ones too)"),
                         Param("n", default: .int(2), doc: "how many different answers", range: count)],
             doc: "n different answers to a prompt, mixed sentiment and quality: material for preference pairs.") { args in
      let prompt = try args.string(0)
      guard let answers = try own(args.receiver).answers(for: prompt, count: try args.int(1)) else {
        throw PavlovError.runtime("review_corpus.answers: the prompt \(Format.quoted(prompt)) names no subject of the corpus",
                                  hint: "use one of corpus.prompts or corpus.test_prompts; subjects are in corpus.subjects")
      }
      return strings(answers)
    }
    return t
  }
}
