import PavlovLM
import XCTest

final class ReviewCorpusTests: XCTestCase {
  let gold = GoldLabeler()

  func testSameSeedGivesTheSameCorpusByteForByte() {
    let a = ReviewCorpus(seed: 7), b = ReviewCorpus(seed: 7), c = ReviewCorpus(seed: 8)
    XCTAssertEqual(a.pretrainingTexts(300), b.pretrainingTexts(300))
    XCTAssertEqual(a.demonstrations(300), b.demonstrations(300))
    XCTAssertEqual(a.answers(for: "review of the pizza:", count: 5), b.answers(for: "review of the pizza:", count: 5))
    XCTAssertNotEqual(a.pretrainingTexts(50), c.pretrainingTexts(50))
    XCTAssertNotEqual(a.demonstrations(50), c.demonstrations(50))
    // Item i does not depend on how many are asked for.
    XCTAssertEqual(Array(a.pretrainingTexts(300).prefix(10)), a.pretrainingTexts(10))
    XCTAssertEqual(Array(a.demonstrations(300).prefix(10)), a.demonstrations(10))
  }

  /// Pins the generator: a change here changes every experiment's data, so it must be deliberate.
  func testSeedZeroStartsWithKnownTexts() {
    XCTAssertEqual(ReviewCorpus(seed: 0).pretrainingTexts(3), [
      "describe the bakery: the bakery was so fantastic. i liked the staff.",
      "describe the coffee: the coffee was boring.",
      "review of the tea: the tea was pleasant. i enjoyed the flavor.",
    ])
  }

  func testHeldOutPromptsNeverAppearInTraining() {
    let corpus = ReviewCorpus(seed: 0)
    XCTAssertEqual(corpus.prompts.count, 66)
    XCTAssertEqual(corpus.testPrompts.count, 22)
    XCTAssertTrue(Set(corpus.prompts).isDisjoint(with: corpus.testPrompts))
    XCTAssertEqual(ReviewCorpus(seed: 5).testPrompts, corpus.testPrompts, "the split does not depend on the seed")
    // Every subject and every template still appears in training.
    for subject in ReviewLexicon.subjects {
      XCTAssertTrue(corpus.prompts.contains { ReviewLexicon.subject(of: $0)?.name == subject.name }, subject.name)
    }
    for template in ReviewLexicon.templates {
      let head = String(template.prefix { $0 != "#" })
      XCTAssertTrue(corpus.prompts.contains { $0.hasPrefix(head) }, template)
    }
    let held = Set(corpus.testPrompts)
    for d in corpus.demonstrations(3000) { XCTAssertFalse(held.contains(d.prompt), d.prompt) }
    for t in corpus.pretrainingTexts(3000) {
      let prompt = String(t.prefix { $0 != ":" }) + ":"
      XCTAssertTrue(corpus.prompts.contains(prompt), t)
    }
  }

  func testAnswersUseTheSmallAlphabetAndTheGrammar() {
    let corpus = ReviewCorpus(seed: 1)
    let alphabet = Set(ReviewLexicon.characters)
    for d in corpus.demonstrations(2000) {
      let r = d.response
      XCTAssertTrue(r.hasPrefix(" ") && r.hasSuffix("."), r)
      XCTAssertTrue((20...60).contains(r.count), "\(r.count) characters: \(r)")
      XCTAssertTrue(r.allSatisfy(alphabet.contains), r)
      let report = gold.report(prompt: d.prompt, response: r)
      XCTAssertEqual(report.unknownWords, [], r)
      XCTAssertEqual(report.repeats, [], r)
      XCTAssertEqual(report.wellFormed, 0, r)
      XCTAssertEqual(report.onTopic, 0.5, "demonstrations name the subject: \(d.prompt)\(r)")
    }
    for t in corpus.pretrainingTexts(500) { XCTAssertTrue(t.allSatisfy(alphabet.contains), t) }
  }

  func testSentimentIsMixedAndAboutNeutralOnAverage() {
    let demos = ReviewCorpus(seed: 0).demonstrations(4000)
    let sentiments = demos.map { gold.report(prompt: $0.prompt, response: $0.response).sentiment }
    let positive = Double(sentiments.filter { $0 > 0 }.count) / Double(demos.count)
    let negative = Double(sentiments.filter { $0 < 0 }.count) / Double(demos.count)
    XCTAssertEqual(positive, 0.4, accuracy: 0.03)
    XCTAssertEqual(negative, 0.4, accuracy: 0.03)
    XCTAssertEqual(sentiments.reduce(0, +) / Double(demos.count), 0, accuracy: 0.1)
  }

  func testAnswersForAPromptAreDistinctAndVaried() throws {
    let corpus = ReviewCorpus(seed: 0)
    let prompt = corpus.testPrompts[3]
    let answers = try XCTUnwrap(corpus.answers(for: prompt, count: 12))
    XCTAssertEqual(answers.count, 12)
    XCTAssertEqual(Set(answers).count, 12)
    let scores = answers.map { gold.score(prompt: prompt, response: $0) }
    XCTAssertGreaterThan((scores.max() ?? 0) - (scores.min() ?? 0), 1, "answers differ in quality")
    XCTAssertNil(corpus.answers(for: "tell me a joke:", count: 2))
  }
}
