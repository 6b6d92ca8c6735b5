import PavlovLM
import XCTest

final class GoldLabelerTests: XCTestCase {
  let gold = GoldLabeler()
  let prompt = "review of the pizza:"

  private func score(_ response: String, _ prompt: String? = nil) -> Double {
    gold.score(prompt: prompt ?? self.prompt, response: response)
  }

  func testPositiveBeatsNeutralBeatsNegative() {
    XCTAssertEqual(score(" the pizza was great."), 1.0)
    XCTAssertEqual(score(" the pizza was okay."), 0.5)
    XCTAssertEqual(score(" the pizza was awful."), 0.0)
    XCTAssertEqual(score(" the pizza was good."), 0.75, "mild words weigh half")
    XCTAssertEqual(score(" the pizza was really great. i loved it."), 1.5)
    XCTAssertEqual(score(" the pizza was awful. i hated it."), -0.5)
  }

  func testIntensifiersAndNegation() {
    XCTAssertGreaterThan(score(" the pizza was very good."), score(" the pizza was good."))
    XCTAssertLessThan(score(" the pizza was very bad."), score(" the pizza was bad."))
    let r = gold.report(prompt: prompt, response: " i would not recommend it.")
    XCTAssertEqual(r.sentiment, -0.5)
    XCTAssertEqual(gold.report(prompt: prompt, response: " i would recommend it.").sentiment, 0.5)
  }

  func testNamingTheSubjectHelps() {
    XCTAssertEqual(gold.report(prompt: prompt, response: " the pizza was great.").onTopic, 0.5)
    XCTAssertEqual(gold.report(prompt: prompt, response: " the crust was great.").onTopic, 0.25)
    XCTAssertEqual(gold.report(prompt: prompt, response: " it was great.").onTopic, 0)
    XCTAssertEqual(gold.report(prompt: prompt, response: " the burger was great.").onTopic, -0.5)
    XCTAssertGreaterThan(score(" the pizza was great."), score(" it was great."))
    XCTAssertGreaterThan(score(" it was great."), score(" the hotel was great."))
    // A prompt naming no subject of the corpus: topic plays no part.
    let other = gold.report(prompt: "tell me a joke:", response: " the pizza was great.")
    XCTAssertNil(other.subject)
    XCTAssertEqual(other.onTopic, 0)
  }

  /// The reward-hacking case: repeating a good word must not pay.
  func testRepetitionIsPenalizedStrongly() {
    let r = gold.report(prompt: prompt, response: " great great great great.")
    XCTAssertEqual(r.repeats, ["great", "great", "great"])
    XCTAssertEqual(r.sentiment, 0.5, "a repeated word adds no sentiment")
    XCTAssertEqual(r.repetition, -1.5)
    XCTAssertEqual(r.score, -1.0)
    XCTAssertLessThan(score(" the pizza was great great great."), score(" the pizza was great."))
    XCTAssertLessThan(score(" the pizza was great. the pizza was great."), score(" the pizza was great."))
    XCTAssertEqual(gold.report(prompt: prompt, response: " the pizza was great. the pizza was great.").repeats, ["great", "the pizza was great."])
    XCTAssertLessThan(score(" the pizza was very very good."), score(" the pizza was very good."))
    // Stacking different good words saturates instead of growing without bound.
    XCTAssertEqual(score(" the pizza was great, amazing, perfect, wonderful, lovely."), 1.5)
  }

  func testMalformedAnswersArePenalized() {
    XCTAssertEqual(gold.report(prompt: prompt, response: " the pizza was great").wellFormed, -0.5, "no final period")
    let garbage = gold.report(prompt: prompt, response: " the pizza was grat. i lovd it.")
    XCTAssertEqual(garbage.unknownWords, ["grat", "lovd"])
    XCTAssertEqual(garbage.wellFormed, -1.0)
    XCTAssertEqual(gold.report(prompt: prompt, response: " the pizza  was great .").wellFormed, -0.5, "two spacing slips")
    XCTAssertEqual(gold.report(prompt: prompt, response: " the pizza was great.i loved it.").wellFormed, -0.25)
    let long = " the pizza was great. " + String(repeating: "the crust was fine. ", count: 6)
    XCTAssertLessThan(gold.report(prompt: prompt, response: long).wellFormed, -1)
    XCTAssertEqual(score(""), -1)
    XCTAssertEqual(score(" ..."), -1)
    XCTAssertEqual(score("The Pizza Was Great."), -2, "capitals are not in the vocabulary")
  }

  func testScoresStayInRangeAndArePure() {
    let corpus = ReviewCorpus(seed: 2)
    var samples = corpus.demonstrations(300).map { ($0.prompt, $0.response) }
    samples += [(prompt, String(repeating: "awful ", count: 100)), (prompt, String(repeating: "x", count: 500)),
                (prompt, " not not not bad bad."), ("", "")]
    for (p, r) in samples {
      let s = gold.score(prompt: p, response: r)
      XCTAssertTrue((-2...2).contains(s), "\(s): \(r)")
      XCTAssertEqual(s, GoldLabeler().score(prompt: p, response: r))
    }
    XCTAssertEqual(score(" the pizza was great."), score("the pizza was great.  "), "spaces around the answer do not matter")
  }

  func testPartsAddUpToTheScore() {
    for d in ReviewCorpus(seed: 3).demonstrations(200) {
      let r = gold.report(prompt: d.prompt, response: d.response + " great great")
      XCTAssertEqual(r.score, max(-2, min(2, r.sentiment + r.onTopic + r.repetition + r.wellFormed)))
    }
  }
}
