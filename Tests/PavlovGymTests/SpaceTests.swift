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

  func testTextTupleAndDictSpaces() {
    let text = Space.text(minLength: 2, maxLength: 4, charset: Array("ab"))
    XCTAssertTrue(text.contains(.text("abba")))
    XCTAssertFalse(text.contains(.text("a")))
    XCTAssertFalse(text.contains(.text("abc")))
    XCTAssertEqual(text.whyNotContains(.text("abc")), "the character \"c\" is not in the space's charset")
    let world = Space.dict([("where", .discrete(9)), ("say", text), ("pair", .tuple([.discrete(2), .box(low: 0, high: 1, shape: [2])]))])
    guard case .dict(let keys, _) = world else { return XCTFail("not a dict") }
    XCTAssertEqual(keys, ["pair", "say", "where"])
    XCTAssertEqual(world.flatCount, 3 + 4 + 1)
    let generator = SeededGenerator(seed: 4)
    for _ in 0..<50 {
      let point = world.sample(generator)
      XCTAssertTrue(world.contains(point), point.description)
      // flatten and unflatten are inverse on every element.
      XCTAssertEqual(world.unflatten(world.flatten(point)[...]), point)
    }
    XCTAssertEqual(text.flatten(.text("ba")), [1, 0, 2, 2])
    XCTAssertEqual(Space.dict([("a", .discrete(2))]).whyNotContains(.dict(keys: ["a"], values: [.int(5)])),
                   "a: 5 is outside Discrete(2): use an integer from 0 to 1")
    // Rows from outside never trap: out-of-range numbers give elements the space does not hold.
    XCTAssertFalse(Space.discrete(3).contains(Space.discrete(3).unflatten([Double.infinity][...])))
    XCTAssertEqual(text.unflatten([1e300, 0][...]), .text(""))
  }
}
