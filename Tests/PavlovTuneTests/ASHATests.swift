import PavlovTune
import XCTest

final class ASHATests: XCTestCase {
  /// Ray's own docstring example of a bracket: rungs 1, 2, 4, 8 for max_t 10, reduction 2.
  func testRaysBracketExample() throws {
    let asha = try ASHA(maxT: 10, gracePeriod: 1, reductionFactor: 2)
    XCTAssertEqual(asha.rungs.map(\.milestone), [8, 4, 2, 1])
    XCTAssertEqual(asha.onResult(trial: 1, t: 1, value: 2), .proceed)
    XCTAssertEqual(asha.onResult(trial: 2, t: 1, value: 4), .proceed)
    XCTAssertEqual(asha.onResult(trial: 3, t: 1, value: 1), .stop, "below the median of 2 and 4")
    XCTAssertEqual(asha.onResult(trial: 1, t: 10, value: 9), .stop, "max_t reached")
  }

  /// Twelve trials with fixed learning curves, reporting in turns, through Ray Tune 2.40's
  /// ASHAScheduler (time_attr t, max_t 27, grace_period 1, reduction_factor 3): the time at
  /// which Ray stopped each trial, for mode max and min, is what ours must say.
  func testStopsTheTrialsRayStops() throws {
    func curve(_ i: Int, _ t: Int) -> Double {
      let slope = Double((i * 37) % 11) / 10
      let wobble = Double((i * 7919 + t * 104_729) % 1000) / 1000 - 0.5
      return slope * Double(t) + wobble
    }
    let ray: [String: [Int]] = [
      "max": [27, 27, 27, 1, 1, 27, 1, 1, 27, 1, 3, 1],
      "min": [27, 1, 1, 3, 1, 1, 3, 1, 1, 3, 1, 1],
    ]
    for (mode, expected) in ray {
      let asha = try ASHA(maxT: 27, gracePeriod: 1, reductionFactor: 3, mode: mode)
      var stoppedAt = Array(repeating: -1, count: 12)
      for t in 1...27 {
        for i in 0..<12 where stoppedAt[i] < 0 {
          if asha.onResult(trial: i, t: t, value: curve(i, t)) == .stop { stoppedAt[i] = t }
        }
      }
      XCTAssertEqual(stoppedAt, expected, mode)
    }
  }

  func testPercentileInterpolatesLikeNumpy() throws {
    // np.percentile([1, 2, 3, 4], 75) == 3.25; np.percentile([5], 66.67) == 5
    let asha = try ASHA(maxT: 9, gracePeriod: 1, reductionFactor: 4)
    for (i, v) in [1.0, 2, 3, 4].enumerated() { _ = asha.onResult(trial: i, t: 1, value: v) }
    XCTAssertEqual(asha.onResult(trial: 9, t: 1, value: 3.2), .stop, "3.2 < 3.25")
    XCTAssertEqual(asha.onResult(trial: 10, t: 1, value: 3.3), .proceed)
  }

  func testBadSettingsAreErrors() {
    XCTAssertThrowsError(try ASHA(maxT: 10, gracePeriod: 0))
    XCTAssertThrowsError(try ASHA(maxT: 1, gracePeriod: 2))
    XCTAssertThrowsError(try ASHA(reductionFactor: 1))
    XCTAssertThrowsError(try ASHA(mode: "maximize"))
  }
}
