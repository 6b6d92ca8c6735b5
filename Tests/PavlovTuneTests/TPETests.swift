import PavlovCore
import PavlovTune
import XCTest

final class TPETests: XCTestCase {
  private let space = Domain.record([
    ("lr", .logUniform(1e-5, 1e-1)), ("clip", .uniform(0, 1)),
    ("arch", .choice([.string("small"), .string("medium"), .string("large")])), ("layers", .randInt(1, 9)),
  ])

  /// A smooth objective with its best at lr 1e-3, clip 0.7, "medium", 4 layers (value 0).
  private func objective(_ c: JSONValue) -> Double {
    let lr = PortableMath.log(c["lr"]?.double ?? 1) / PortableMath.log(10)
    let clip = c["clip"]?.double ?? 0, layers = Double(c["layers"]?.int ?? 0)
    let arch = c["arch"]?.string == "medium" ? 0.0 : 1.0
    return -((lr + 3) * (lr + 3) + 4 * (clip - 0.7) * (clip - 0.7) + arch + 0.1 * (layers - 4) * (layers - 4))
  }

  private func bestAfter(_ trials: Int, seed: UInt64, model: Bool) throws -> Double {
    let tpe = try TPE(space: space, seed: seed, startupTrials: model ? 10 : trials + 1)
    var best = -Double.infinity
    for _ in 0..<trials {
      let c = tpe.suggest()
      let v = objective(c)
      tpe.observe(c, v)
      best = max(best, v)
    }
    return best
  }

  /// The known result for a model-based searcher: on a smooth objective, 60 TPE trials find a
  /// better config than 60 random ones, on average over ten seeds.
  func testBeatsRandomSearchOnASmoothObjective() throws {
    var tpe = 0.0, random = 0.0
    for seed in 0..<10 as Range<UInt64> {
      tpe += try bestAfter(60, seed: seed, model: true) / 10
      random += try bestAfter(60, seed: seed, model: false) / 10
    }
    XCTAssertGreaterThan(tpe, random, "mean best value: TPE \(tpe), random \(random)")
  }

  func testSuggestionsStayInTheSpaceAndFollowTheSeed() throws {
    func run(_ seed: UInt64) throws -> [JSONValue] {
      let tpe = try TPE(space: space, seed: seed, startupTrials: 5)
      var out: [JSONValue] = []
      for _ in 0..<40 {
        let c = tpe.suggest()
        let lr = try XCTUnwrap(c["lr"]?.double), clip = try XCTUnwrap(c["clip"]?.double), layers = try XCTUnwrap(c["layers"]?.int)
        XCTAssertTrue(lr >= 1e-5 && lr < 1e-1 && clip >= 0 && clip < 1 && (1..<9).contains(layers), "\(c)")
        tpe.observe(c, objective(c))
        out.append(c)
      }
      return out
    }
    XCTAssertEqual(try run(4), try run(4))
    XCTAssertNotEqual(try run(4), try run(5))
  }

  func testGridValuesAreRejected() {
    XCTAssertThrowsError(try TPE(space: .record([("lr", .grid([.float(0.1)]))]))) { error in
      XCTAssertTrue("\(error)".contains("use tune_choice"), "\(error)")
    }
  }
}
