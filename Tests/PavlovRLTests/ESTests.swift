import Foundation
import PavlovGym
import PavlovTensor
import XCTest
@testable import PavlovRL

/// Augmented random search: one update checked by hand, exact resume, and CartPole solved.
final class ESTests: XCTestCase {
  /// One step, reward −(a − 3)², for a = θ·1: ARS should push θ toward 3.
  func testOneUpdateMatchesTheFormula() throws {
    let source = EnvSource(name: "Target3", threadSafe: true) { _ in TargetEnv() }
    var config = ESConfig()
    config.population = 1
    config.sigma = 0.1
    config.lr = 0.05
    config.normalizeObs = false
    config.seed = 11
    let es = try ESTrainer(env: source, config: config)
    _ = try es.train(.iterations(1))
    // r⁺ − r⁻ = 12νδ and σ_R = |r⁺ − r⁻| / 2, so θ₁ = α · 12νδ · δ / (6ν|δ|) = 2α|δ|. The
    // generator's first normal draw went to the (zero) initial weight; δ is the second.
    let g = SeededGenerator(seed: 11)
    _ = g.nextGaussian()
    let delta = Float(g.nextGaussian())
    XCTAssertEqual(es.theta[0], 2 * 0.05 * abs(delta), accuracy: 1e-5)
    XCTAssertEqual(es.timesteps, 2)
  }

  func testMovesTowardTheOptimum() throws {
    let source = EnvSource(name: "Target3", threadSafe: true) { _ in TargetEnv() }
    var config = ESConfig()
    config.lr = 0.1
    config.normalizeObs = false
    let es = try ESTrainer(env: source, config: config)
    _ = try es.train(.iterations(60))
    XCTAssertEqual(es.theta[0], 3, accuracy: 0.1)
  }

  func testSaveLoadResumesBitForBit() throws {
    let folder = NSTemporaryDirectory() + "pavlov-es-\(getpid())-\(UUID().uuidString.prefix(8))"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    var config = ESConfig()
    config.hidden = [8]
    config.seed = 2
    let straight = try ESTrainer(env: try .registered("CartPole-v1"), config: config)
    _ = try straight.train(.iterations(5))
    let first = try ESTrainer(env: try .registered("CartPole-v1"), config: config)
    _ = try first.train(.iterations(3))
    try first.save(to: folder + "/es.safetensors")
    let resumed = try ESTrainer.load(from: folder + "/es.safetensors", env: try .registered("CartPole-v1"))
    _ = try resumed.train(.iterations(2))
    XCTAssertEqual(resumed.theta, straight.theta)
    XCTAssertEqual(resumed.observationStats, straight.observationStats)
    XCTAssertEqual(resumed.timesteps, straight.timesteps)
    XCTAssertEqual(resumed.iterations, 5)
  }

  func testTopMustFitThePopulation() {
    var config = ESConfig()
    config.top = 9
    XCTAssertThrowsError(try ESTrainer(env: try .registered("CartPole-v1"), config: config)) { error in
      XCTAssertTrue("\(error)".contains("top must be between 1 and the population (8), got 9"), "\(error)")
    }
  }

  /// ARS V2 with a linear policy (8 directions, ν 0.05, α 0.02): a greedy 20-episode
  /// evaluation reaches 475 within a few iterations.
  func testSolvesCartPoleWithALinearPolicy() throws {
    var config = ESConfig()
    config.top = 4
    let es = try ESTrainer(env: try .registered("CartPole-v1"), config: config)
    var mean = 0.0
    for _ in 0..<10 {
      _ = try es.train(.iterations(1))
      mean = try es.evaluate(episodes: 20, seed: 1000).meanReturn
      if mean >= 475 { break }
    }
    print("ES (ARS V2, linear) CartPole: evaluation mean \(mean) after \(es.iterations) iterations, \(es.timesteps) steps")
    XCTAssertGreaterThanOrEqual(mean, 475)
  }
}

/// One-step episodes: observation [1], action a in [-10, 10], reward −(a − 3)².
private final class TargetEnv: Environment {
  let observationSpace = Space.box(low: 1, high: 1, shape: [1])
  let actionSpace = Space.box(low: -10, high: 10, shape: [1])
  func reset(seed: UInt64?) throws -> Reset { Reset(observation: .reals([1])) }
  func step(_ action: Point) throws -> Step {
    guard case .reals(let a) = action else { throw CoreError("TargetEnv takes a list of one number") }
    return Step(observation: .reals([1]), reward: -(a[0] - 3) * (a[0] - 3), terminated: true)
  }
  func render() -> String { "" }
}
