import Foundation
import PavlovGym
import PavlovTensor
import XCTest
@testable import PavlovRL

/// REINFORCE: returns by hand, exact resume mid-episode, and learning on CartPole.
final class ReinforceTests: XCTestCase {
  func testReturnsRestartAtEachEpisodeAndIgnoreTheRunningOne() {
    var batch = EpisodeBatch(inputSize: 1)
    let input: [Float] = [0]
    for (k, r) in [1.0, 1, 1, 2, 0, 7].enumerated() {
      input.withUnsafeBufferPointer { batch.append(input: $0, action: 0, reward: r) }
      if k == 2 || k == 4 { batch.endEpisode() }
    }
    // γ = 0.5: episode 1 gives 1 + 0.5·(1 + 0.5·1) = 1.75, 1.5, 1; episode 2 gives 2, 0; the
    // running sixth step has no return yet.
    XCTAssertEqual(batch.returns(gamma: 0.5), [1.75, 1.5, 1, 2, 0])
    batch.removeFinished()
    XCTAssertEqual(batch.rewards, [7])
    XCTAssertEqual(batch.finishedEpisodes, 0)
  }

  func testStandardizeUsesTheSampleDeviation() {
    var values = [1.0, 2, 3]
    ReinforceTrainer.standardize(&values)
    for (v, e) in zip(values, [-1.0, 0, 1]) { XCTAssertEqual(v, e, accuracy: 1e-7) }
    var one = [5.0]
    ReinforceTrainer.standardize(&one)
    XCTAssertEqual(one, [0])
  }

  private func weights(_ t: ReinforceTrainer) -> [[Float]] {
    (t.policy.allParameters + (t.value?.allParameters ?? [])).map(\.data)
  }

  func testSaveLoadResumesBitForBitMidEpisode() throws {
    let folder = NSTemporaryDirectory() + "pavlov-reinforce-\(getpid())-\(UUID().uuidString.prefix(8))"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    var config = ReinforceConfig()
    config.episodesPerUpdate = 2
    config.seed = 4
    let straight = try ReinforceTrainer(env: try .registered("CartPole-v1"), config: config)
    _ = try straight.train(.timesteps(2000))
    let first = try ReinforceTrainer(env: try .registered("CartPole-v1"), config: config)
    _ = try first.train(.timesteps(1234))
    XCTAssertGreaterThan(first.batch.steps, first.batch.finishedSteps, "the save should fall inside an episode")
    try first.save(to: folder + "/r.safetensors")
    let resumed = try ReinforceTrainer.load(from: folder + "/r.safetensors", env: try .registered("CartPole-v1"))
    _ = try resumed.train(.timesteps(766))
    XCTAssertEqual(resumed.timesteps, 2000)
    XCTAssertEqual(resumed.iterations, straight.iterations)
    XCTAssertEqual(weights(resumed), weights(straight))
    XCTAssertEqual(resumed.batch, straight.batch)
    XCTAssertEqual(resumed.envs.window.returns, straight.envs.window.returns)
  }

  func testWithoutBaselineOrNormalizationItStillTrains() throws {
    var config = ReinforceConfig()
    config.baseline = false
    config.normalizeReturns = false
    config.lr = 1e-3
    let t = try ReinforceTrainer(env: try .registered("CartPole-v1"), config: config)
    XCTAssertNil(t.value)
    let stats = try t.train(.iterations(3))
    XCTAssertEqual(stats?.iteration, 3)
    XCTAssertNil(stats?["value_loss"])
    XCTAssertNotNil(stats?["policy_loss"])
  }

  func testContinuousActionsAreRefused() {
    XCTAssertThrowsError(try ReinforceTrainer(env: try .registered("Pendulum-v1"), config: ReinforceConfig())) { error in
      XCTAssertTrue("\(error)".contains("reinforce needs a discrete action space"), "\(error)")
    }
  }

  /// The defaults (lr 1e-2, one 64-unit layer, baseline, normalized returns): after 200
  /// episodes the mean return of the last 100 is far above a random policy's ~22.
  func testImprovesCartPole() throws {
    let t = try ReinforceTrainer(env: try .registered("CartPole-v1"), config: ReinforceConfig())
    let stats = try t.train(.iterations(200))
    let mean = stats?.meanReturn ?? 0
    print("REINFORCE CartPole, 200 episodes (\(t.timesteps) steps): mean return of the last 100 \(mean)")
    XCTAssertGreaterThan(mean, 100)
  }
}
