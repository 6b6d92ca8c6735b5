@testable import PavlovTensor
import XCTest

/// The split of work over the cores is fixed by its size: who runs which part (two cores, one
/// core, or a second thread lent inside `Parallel.side(by:_:)`) never changes a bit.
final class ParallelTests: XCTestCase {
  func testSideBySideRunsBothAndLendsTheSecondThreadForParts() {
    let values = UnsafeMutableBufferPointer<Int>.allocate(capacity: 100_000)
    defer { values.deallocate() }
    values.initialize(repeating: -1)
    var secondRan = false
    Parallel.side(by: {
      for _ in 0..<50 {
        Parallel.forEachPart(values.count, minimumPerPart: 1) { _, range in
          for i in range { values[i] = i * 2 }
        }
      }
    }, {
      secondRan = true
    })
    XCTAssertTrue(secondRan)
    XCTAssertTrue(values.indices.allSatisfy { values[$0] == $0 * 2 })
  }

  func testAProductGivesTheSameBitsInsideSideBySide() throws {
    // 64×256×256 multiply-adds: large enough that sgemm cuts it into two blocks.
    let x = sample([64, 256], seed: 1), w = sample([256, 256], seed: 2), b = sample([256], seed: 3)
    let outside = try Tensor.linear(x, w, b)
    var inside: [Tensor] = []
    Parallel.side(by: {
      for _ in 0..<20 { inside.append((try? Tensor.linear(x, w, b)) ?? Tensor.zeros([1])) }
    }, {
      _ = try? Tensor.linear(x, w, b)  // the second thread is busy for a while, then lends itself
    })
    XCTAssertEqual(inside.count, 20)
    for result in inside { XCTAssertEqual(result.data, outside.data) }
  }
}
