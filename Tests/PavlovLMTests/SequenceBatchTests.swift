import PavlovLM
import PavlovTensor
import XCTest

final class SequenceBatchTests: XCTestCase {
  func testPadsRowsAndMasksOnlyResponseTargets() throws {
    let batch = try SequenceBatch(prompts: [[1, 2], [3]], responses: [[4, 5], [6]], padding: 0)
    XCTAssertEqual(batch.ids.shape, [2, 4])
    XCTAssertEqual(batch.ids.ints, [1, 2, 4, 5, 3, 6, 0, 0])
    XCTAssertEqual(batch.inputs().ints, [1, 2, 4, 3, 6, 0])
    XCTAssertEqual(batch.targets().ints, [2, 4, 5, 6, 0, 0])
    // Row 0 predicts 4 (from position 1) and 5; row 1 predicts 6 from position 0.
    XCTAssertEqual(batch.responseMask().data, [0, 1, 1, 1, 0, 0])
    XCTAssertEqual(batch.response(0), [4, 5])
    XCTAssertEqual(batch.response(1), [6])
  }

  func testRejectsEmptyAndMismatchedBatches() {
    XCTAssertThrowsError(try SequenceBatch(prompts: [], responses: [], padding: 0))
    XCTAssertThrowsError(try SequenceBatch(prompts: [[1]], responses: [], padding: 0))
    XCTAssertThrowsError(try SequenceBatch(prompts: [[1]], responses: [[]], padding: 0))
  }
}
