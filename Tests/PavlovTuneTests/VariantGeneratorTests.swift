import PavlovCore
import PavlovTune
import XCTest

final class VariantGeneratorTests: XCTestCase {
  func testGridsCombineWithTheFirstKeyVaryingFastest() throws {
    let space = Domain.record([
      ("lr", .grid([.float(0.1), .float(0.01)])),
      ("model", .record([("depth", .grid([.int(1), .int(2), .int(3)]))])),
      ("gamma", .constant(.float(0.99))),
    ])
    let sweep = try VariantGenerator(space: space, samples: 2, seed: 0)
    XCTAssertEqual(sweep.count, 12)
    let configs = sweep.configs()
    XCTAssertEqual(configs.count, 12)
    // Ray orders grid keys by path: "lr" before "model.depth"; the first turns fastest.
    let pairs = configs.prefix(6).map { c in (c["lr"]?.double ?? -1, c["model"]?["depth"]?.int ?? -1) }
    XCTAssertEqual(pairs.map(\.0), [0.1, 0.01, 0.1, 0.01, 0.1, 0.01])
    XCTAssertEqual(pairs.map(\.1), [1, 1, 2, 2, 3, 3])
    XCTAssertEqual(configs[6]["lr"]?.double, 0.1, "the second sample starts the grid again")
    XCTAssertEqual(configs[11]["gamma"]?.double, 0.99)
  }

  func testSampledValuesStayInTheirDomainsAndFollowTheSeed() throws {
    let space = Domain.record([
      ("lr", .logUniform(1e-5, 1e-2)), ("clip", .uniform(0.1, 0.3)),
      ("n_steps", .choice([.int(64), .int(128), .int(256)])), ("seed", .randInt(0, 5)),
    ])
    let configs = try VariantGenerator(space: space, samples: 500, seed: 7).configs()
    var seenSeeds = Set<Int>(), seenSteps = Set<Int>()
    var lowDecade = 0
    for c in configs {
      let lr = try XCTUnwrap(c["lr"]?.double), clip = try XCTUnwrap(c["clip"]?.double)
      XCTAssertTrue(lr >= 1e-5 && lr < 1e-2, "\(lr)")
      XCTAssertTrue(clip >= 0.1 && clip < 0.3, "\(clip)")
      if lr < 1e-4 { lowDecade += 1 }
      seenSeeds.insert(try XCTUnwrap(c["seed"]?.int))
      seenSteps.insert(try XCTUnwrap(c["n_steps"]?.int))
    }
    XCTAssertEqual(seenSeeds, [0, 1, 2, 3, 4], "randint excludes its high end")
    XCTAssertEqual(seenSteps, [64, 128, 256])
    // Log-uniform: each of the three decades gets about a third (here 500 / 3 ≈ 167).
    XCTAssertTrue((120...215).contains(lowDecade), "\(lowDecade) of 500 in [1e-5, 1e-4)")
    let again = try VariantGenerator(space: space, samples: 500, seed: 7).configs()
    XCTAssertEqual(configs.map { $0["lr"]?.double }, again.map { $0["lr"]?.double }, "same seed, same configs")
    let other = try VariantGenerator(space: space, samples: 500, seed: 8).configs()
    XCTAssertNotEqual(configs.map { $0["lr"]?.double }, other.map { $0["lr"]?.double })
  }

  func testBadSpacesAreRejectedBeforeAnyTrial() {
    XCTAssertThrowsError(try VariantGenerator(space: .record([("lr", .logUniform(0, 1))]))) { error in
      XCTAssertTrue("\(error)".contains("config.lr: loguniform needs 0 < low < high"), "\(error)")
    }
    XCTAssertThrowsError(try VariantGenerator(space: .record([("a", .record([("b", .choice([]))]))])))
    XCTAssertThrowsError(try VariantGenerator(space: .randInt(3, 3)))
    XCTAssertThrowsError(try VariantGenerator(space: .uniform(0, .infinity)))
    XCTAssertThrowsError(try VariantGenerator(space: .constant(.int(1)), samples: 0))
  }
}
