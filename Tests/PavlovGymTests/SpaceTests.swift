import PavlovGym
import PavlovTensor
import XCTest

final class SpaceTests: XCTestCase {
  func testContainsChecksKindSizeAndBounds() {
    let discrete = Space.discrete(n: 3, start: -1)
    XCTAssertTrue(discrete.contains(.int(-1)))
    XCTAssertTrue(discrete.contains(.int(1)))
    XCTAssertFalse(discrete.contains(.int(2)))
    XCTAssertFalse(discrete.contains(.reals([0])))
    let box = Space.box(low: -1, high: 2, shape: [2])
    XCTAssertTrue(box.contains(.reals([-1, 2])))
    XCTAssertFalse(box.contains(.reals([0, 2.5])))
    XCTAssertFalse(box.contains(.reals([0])))
    XCTAssertFalse(box.contains(.reals([.nan, 0])))
    let multi = Space.multiDiscrete(nvec: [2, 3])
    XCTAssertTrue(multi.contains(.ints([1, 2])))
    XCTAssertFalse(multi.contains(.ints([2, 0])))
  }

  func testSamplesStayInsideAndRepeatWithTheSeed() {
    let spaces: [Space] = [
      .discrete(4), .box(low: -2, high: 3, shape: [3]), .multiDiscrete(nvec: [2, 5, 7]),
      .box(low: [-.infinity, 0, -.infinity], high: [.infinity, .infinity, 1], shape: [3]),
    ]
    for space in spaces {
      let a = SeededGenerator(seed: 7), b = SeededGenerator(seed: 7)
      for _ in 0..<200 {
        let point = space.sample(a)
        XCTAssertTrue(space.contains(point), "\(space.description) sampled \(point.description)")
        XCTAssertEqual(point, space.sample(b))
      }
    }
  }

  func testDescriptionsFollowGymnasium() {
    XCTAssertEqual(Space.discrete(2).description, "Discrete(2)")
    XCTAssertEqual(Space.box(low: -.infinity, high: .infinity, shape: [4]).description, "Box(-inf, inf, (4,))")
    XCTAssertEqual(Space.multiDiscrete(nvec: [3, 3]).description, "MultiDiscrete([3 3])")
    XCTAssertEqual(Space.discrete(3).whyNotContains(.int(5)), "5 is outside Discrete(3): use an integer from 0 to 2")
  }
}
