import Foundation
import PavlovGym
import XCTest

/// Pavlov's Box2D environments against Gymnasium's in distribution: mean episode return and length
/// under a random policy and under Gymnasium's heuristic lander, each within 5% of the reference
/// that Tests/box2d/gymnasium_reference.py measured with Gymnasium 1.4.0 (Box2D 2.3 by pybox2d).
/// Pavlov runs on Debian's Box2D 2.4, so single episodes differ; the statistics must not. Both
/// sides are samples, so a gap counts only beyond three standard errors of the difference: the
/// test fails when the means are surely more than 5% apart, not when sampling noise says so.
final class Box2DParityTests: XCTestCase {
  private struct Reference {
    let env: String, policy: String, episodes: Int
    let meanReturn: Double, meanLength: Double
    let returnError: Double, lengthError: Double
  }

  /// A sample's mean and the standard error of that mean.
  private struct Estimate {
    var mean = 0.0, standardError = 0.0
    init(_ values: [Double]) {
      let n = Double(values.count)
      mean = values.reduce(0, +) / n
      let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)
      standardError = (variance / n).squareRoot()
    }
  }

  private func references() throws -> [Reference] {
    let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .appendingPathComponent("../box2d/gymnasium_reference.json").standardized
    let root = try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any]
    let runs = try XCTUnwrap(root?["runs"] as? [[String: Any]], "runs in \(file.path)")
    return try runs.map { run in
      func value(_ key: String, _ field: String) throws -> Double {
        try XCTUnwrap((run[key] as? [String: Any])?[field] as? Double, "\(key).\(field) in \(file.path)")
      }
      return Reference(env: try XCTUnwrap(run["env"] as? String), policy: try XCTUnwrap(run["policy"] as? String),
                       episodes: try XCTUnwrap(run["episodes"] as? Int),
                       meanReturn: try value("return", "mean"), meanLength: try value("length", "mean"),
                       returnError: try value("return", "standard_error"), lengthError: try value("length", "standard_error"))
    }
  }

  /// Return and length over `episodes` episodes seeded 0, 1, … as the reference script does.
  private func measure(_ id: String, policy: String, episodes: Int) throws -> (return: Estimate, length: Estimate) {
    let env = try EnvRegistry.make(id, seed: 0)
    let continuous = env.actionSpace != .discrete(4)
    var returns: [Double] = [], lengths: [Double] = []
    for episode in 0..<episodes {
      var total = 0.0, steps = 0
      var observation = try env.reset(seed: UInt64(episode)).observation
      while true {
        let action: Point
        if policy == "heuristic", case .reals(let s) = observation {
          action = landerHeuristic(s, continuous: continuous)
        } else {
          action = env.actionSpace.sample(env.actionSampler)
        }
        let step = try env.step(action)
        total += step.reward
        steps += 1
        observation = step.observation
        if step.done { break }
      }
      returns.append(total)
      lengths.append(Double(steps))
    }
    return (Estimate(returns), Estimate(lengths))
  }

  func testEpisodeStatisticsMatchGymnasiums() throws {
    // Fewer episodes than the reference keep the suite quick.
    let episodes = ["random": 2000, "heuristic": 500]
    let walkerEpisodes = 600
    for reference in try references() {
      let count = reference.env.hasPrefix("Bipedal") ? walkerEpisodes : episodes[reference.policy] ?? 500
      let ours = try measure(reference.env, policy: reference.policy, episodes: count)
      for (name, estimate, mean, error) in [("return", ours.return, reference.meanReturn, reference.returnError),
                                            ("length", ours.length, reference.meanLength, reference.lengthError)] {
        let gap = abs(estimate.mean - mean)
        let noise = 3 * (estimate.standardError * estimate.standardError + error * error).squareRoot()
        let label = "\(reference.env) \(reference.policy) \(name): Pavlov \(estimate.mean) ± \(estimate.standardError), "
          + "Gymnasium \(mean) ± \(error) (gap \(Int((100 * gap / abs(mean)).rounded()))%)"
        print(label)
        XCTAssertLessThanOrEqual(gap - noise, 0.05 * abs(mean), label)
      }
    }
  }
}
