import PavlovLang
@testable import PavlovStdlib
import PavlovTestSupport
import XCTest

/// `label(by:)` with a scoring model: any object conforming to `ScoringValue` (reward models
/// and judges do). The function and "human" labelers are covered by Tests/programs/rlhf and
/// by the pipe and terminal tests (CLITests, PTYTests).
final class LabelTests: XCTestCase {
  /// Scores a text by its length; counts its calls.
  final class LengthJudge: PObject, ScoringValue {
    nonisolated(unsafe) static let nativeType = NativeType(name: "length_judge", doc: "A test judge.")
    var calls = 0
    var scored = 0
    init() { super.init(type: Self.nativeType) }
    func scores(prompts: [String], texts: [String]) throws -> [Double] {
      calls += 1
      scored += texts.count
      return texts.map { Double($0.count) }
    }
  }

  /// Issue 24: a labels file whose last line was cut (power loss, full disk) stopped the next
  /// session with "not valid JSON". Now the torn line is cut off with one warning and labeling
  /// resumes from the complete lines, which are all kept.
  func testATornLastLineIsCutOffAndLabelingResumes() throws {
    let session = TestSession()
    let judge = LengthJudge()
    session.interpreter.globals.define("judge", .object(judge))
    var warnings = ""
    session.interpreter.writeStatus = { warnings += $0 }
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("label-\(UUID().uuidString).jsonl").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    let complete = #"{"prompt": "p:", "chosen": " a longer one.", "rejected": " short."}"# + "\n"
    try (complete + #"{"prompt": "q:", "chosen": " the lon"#).write(toFile: path, atomically: true, encoding: .utf8)
    try session.run("""
    let items = [{prompt: "p:", a: " short.", b: " a longer one."}, {prompt: "q:", a: " the longest answer.", b: " no."}]
    let got = label(items, by: judge, out: "\(path)")
    print(len(got), got[1].chosen)
    print(len(read_preferences("\(path)")))
    """)
    XCTAssertEqual(session.output, "2  the longest answer.\n2\n")
    XCTAssertEqual(judge.scored, 2, "only the pair the torn line held is labeled again")
    XCTAssertTrue(warnings.contains("the last line was cut short"), warnings)
    XCTAssertTrue(warnings.contains("resuming from the 1 complete line"), warnings)
    XCTAssertTrue(try String(contentsOfFile: path, encoding: .utf8).hasPrefix(complete))
  }

  func testAScoringModelLabelsEveryPendingItemInOneBatch() throws {
    let session = TestSession()
    let judge = LengthJudge()
    session.interpreter.globals.define("judge", .object(judge))
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("label-\(UUID().uuidString).jsonl").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    try session.run("""
    let items = [{prompt: "p:", a: " short.", b: " a longer one."}, {prompt: "p:", a: " tie.", b: " eit."},
                 {prompt: "q:", a: " the longest answer.", b: " no."}]
    let got = label(items, by: judge, out: "\(path)")
    print(len(got), got[0].chosen, "|", got[1].chosen)
    print(len(label(items, by: judge, out: "\(path)")))
    """)
    XCTAssertEqual(session.output, "2  a longer one. |  the longest answer.\n2\n")
    // The first call scored all six texts at once; the second only the tie, which the file cannot hold.
    XCTAssertEqual(judge.calls, 2)
    XCTAssertEqual(judge.scored, 8)
    XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").count, 2)
  }
}
