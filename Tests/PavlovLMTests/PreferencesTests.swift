import Foundation
import PavlovCore
import PavlovLM
import XCTest

final class PreferencesTests: XCTestCase {
  func testRankedAnswersGiveEveryPairBestFirst() {
    let pairs = PreferencePair.pairs(fromRanked: "p:", answers: ["a", "b", "c", "d"])
    XCTAssertEqual(pairs.count, 6)
    XCTAssertEqual(pairs.map { $0.chosen + $0.rejected }, ["ab", "ac", "ad", "bc", "bd", "cd"])
    XCTAssertTrue(pairs.allSatisfy { $0.prompt == "p:" })
    XCTAssertEqual(PreferencePair.pairs(fromRanked: "p:", answers: ["a", "a", "b"]).count, 2, "identical answers make no pair")
    XCTAssertEqual(PreferencePair.pairs(fromRanked: "p:", answers: ["a"]), [])
  }

  func testLinesRoundTripWithEscapes() throws {
    let pairs = [
      PreferencePair(prompt: "review of the pizza:", chosen: " the pizza was great.", rejected: " bad."),
      PreferencePair(prompt: "say \"hi\"\\", chosen: "line\nbreak\ttab\u{01}", rejected: "héllo 😀"),
    ]
    let text = PreferenceFile.encode(pairs)
    XCTAssertEqual(text.split(separator: "\n").count, 2)
    XCTAssertTrue(text.hasPrefix("{\"prompt\": \"review of the pizza:\", \"chosen\": \" the pizza was great.\", \"rejected\": \" bad.\"}\n"))
    XCTAssertTrue(text.contains("\\u0001"))
    XCTAssertEqual(try PreferenceFile.decode(text, source: "x.jsonl"), pairs)
  }

  func testExtraKeysBlankLinesAndByteOrderMarkAreAccepted() throws {
    let text = "\u{FEFF}{\"id\": 7, \"prompt\": \"p\", \"chosen\": \"a\", \"rejected\": \"b\", \"score\": [1, 2]}\n\n  \r\n{\"rejected\": \"d\", \"chosen\": \"c\", \"prompt\": \"q\"}"
    XCTAssertEqual(try PreferenceFile.decode(text, source: "x.jsonl"),
                   [PreferencePair(prompt: "p", chosen: "a", rejected: "b"), PreferencePair(prompt: "q", chosen: "c", rejected: "d")])
  }

  private func error(_ text: String) -> CoreError? {
    do {
      _ = try PreferenceFile.decode(text, source: "prefs.jsonl")
      return nil
    } catch {
      return error as? CoreError
    }
  }

  func testBadLinesNameFileLineAndProblem() throws {
    let good = "{\"prompt\": \"p\", \"chosen\": \"a\", \"rejected\": \"b\"}\n"
    let missing = try XCTUnwrap(error(good + "\n{\"prompt\": \"p\", \"chosen\": \"a\"}\n"))
    XCTAssertEqual(missing.placedMessage, "prefs.jsonl:3: missing key \"rejected\"")
    XCTAssertEqual(missing.hint, "the line has \"chosen\", \"prompt\"; preference files use \"prompt\", \"chosen\" and \"rejected\"")
    XCTAssertEqual(try XCTUnwrap(error(good + "{\"prompt\": \"p\", \"chosen\": 3, \"rejected\": \"b\"}\n")).placedMessage,
                   "prefs.jsonl:2: \"chosen\" must be a string, got a number")
    XCTAssertEqual(try XCTUnwrap(error("[1, 2]\n")).placedMessage, "prefs.jsonl:1: expected a JSON object, got a list")
    let broken = try XCTUnwrap(error(good + "{\"prompt\": \"p\", \"cho"))
    XCTAssertTrue(broken.placedMessage.hasPrefix("prefs.jsonl:2: not valid JSON"), broken.placedMessage)
    XCTAssertTrue(broken.hint?.contains("stopped mid-line") ?? false)
    let invalid = try XCTUnwrap(error("{prompt: 1}\n" + good))
    XCTAssertTrue(invalid.placedMessage.hasPrefix("prefs.jsonl:1: not valid JSON"), invalid.placedMessage)
  }

  func testFilesRoundTrip() throws {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("prefs-\(UUID().uuidString).jsonl").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    let pairs = PreferencePair.pairs(fromRanked: "review of the tea:", answers: [" great.", " okay.", " bad."])
    try PreferenceFile.write(pairs, to: path)
    XCTAssertEqual(try PreferenceFile.read(path), pairs)
    XCTAssertThrowsError(try PreferenceFile.read(path + ".missing")) { e in
      XCTAssertTrue("\(e)".contains("cannot read"), "\(e)")
    }
  }
}
