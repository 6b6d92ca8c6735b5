import PavlovGym
@testable import PavlovRL
import PavlovTensor
import XCTest

/// gSDE (SB3's use_sde): the spread follows the features, the log-probability's gradient matches
/// finite differences, the noise is features × matrix, and PPO explores with it.
final class StateDependentNoiseTests: XCTestCase {
  let noise = StateDependentNoise(features: 3, actions: 2)
  let phi: [Float] = [0.5, -0.2, 0.9, -0.7, 0.1, 0.3]
  let logStds: [Float] = [-0.5, 0.2, 0.1, -1.0, 0.4, -0.3]

  func testStdIsTheRootOfFeaturesSquaredTimesVariances() throws {
    let std = try noise.std(features: Tensor(shape: [2, 3], data: phi), logStd: Tensor(shape: [3, 2], data: logStds))
    for row in 0..<2 {
      for action in 0..<2 {
        var variance = 1e-6
        for f in 0..<3 {
          let sigma = exp(Double(logStds[f * 2 + action]))
          variance += Double(phi[row * 3 + f] * phi[row * 3 + f]) * sigma * sigma
        }
        XCTAssertEqual(Double(std.data[row * 2 + action]), variance.squareRoot(), accuracy: 1e-5)
      }
    }
  }

  /// Σ log N(a | μ, σ(φ, log_std)) over rows, for the gradient check.
  private func logProb(_ logStd: [Float], _ mean: [Float]) throws -> (Tensor, Tensor, Tensor) {
    let s = Tensor(shape: [3, 2], data: logStd).requiringGrad(), m = Tensor(shape: [2, 2], data: mean).requiringGrad()
    let d = try Normal(mean: m, std: try noise.std(features: Tensor(shape: [2, 3], data: phi), logStd: s))
    return (try d.logProb(Tensor(shape: [2, 2], data: [0.3, -0.4, 0.8, 0.1])).sum(), s, m)
  }

  func testLogProbGradientMatchesFiniteDifferences() throws {
    let means: [Float] = [0.1, -0.2, 0.5, 0.0]
    let (total, s, m) = try logProb(logStds, means)
    try total.backward()
    // Central differences of the summed log-probability in one coordinate of `values`.
    func numeric(_ values: [Float], _ i: Int, _ f: ([Float]) throws -> Float) rethrows -> Float {
      let h: Float = 1e-2
      var up = values, down = values
      up[i] += h
      down[i] -= h
      return (try f(up) - f(down)) / (2 * h)
    }
    for i in 0..<logStds.count {
      let expected = try numeric(logStds, i) { try logProb($0, means).0.item() }
      XCTAssertEqual(s.grad!.data[i], expected, accuracy: 2e-2 * max(1, abs(expected)), "log_std[\(i)]")
    }
    for i in 0..<means.count {
      let expected = try numeric(means, i) { try logProb(logStds, $0).0.item() }
      XCTAssertEqual(m.grad!.data[i], expected, accuracy: 2e-2 * max(1, abs(expected)), "mean[\(i)]")
    }
  }

  func testNoiseIsEachRowsFeaturesTimesItsOwnMatrix() {
    let matrices = noise.sampleMatrices(count: 2, logStd: Tensor(shape: [3, 2], data: logStds), generator: SeededGenerator(seed: 1))
    XCTAssertEqual(matrices.count, 12)
    let out = noise.noise(features: Tensor(shape: [2, 3], data: phi), matrices: matrices)
    for row in 0..<2 {
      for action in 0..<2 {
        var sum: Float = 0
        for f in 0..<3 { sum += phi[row * 3 + f] * matrices[row * 6 + f * 2 + action] }
        XCTAssertEqual(out[row * 2 + action], sum)
      }
    }
  }

  func testPPOWithGSDEHasAMatrixOfLogStdsAndExploresSmoothly() throws {
    var config = PPOConfig()
    config.nEnvs = 2
    config.nSteps = 64
    config.usesSDE = true
    config.sdeSampleFreq = 8
    let trainer = try PPOTrainer(env: try .registered("Pendulum-v1"), config: config)
    XCTAssertEqual(trainer.model.logStd?.shape, [64, 1])
    _ = try trainer.train(.timesteps(256))
    // Stochastic actions differ from the mean; deterministic ones are the mean.
    let obs = Point.reals([1, 0, 0])
    XCTAssertEqual(try trainer.act(obs, deterministic: true), try trainer.act(obs, deterministic: true))
    XCTAssertNotEqual(try trainer.act(obs, deterministic: false), try trainer.act(obs, deterministic: true))

    var discrete = PPOConfig()
    discrete.usesSDE = true
    XCTAssertThrowsError(try PPOTrainer(env: try .registered("CartPole-v1"), config: discrete)) { error in
      XCTAssertTrue("\(error)".contains("use_sde needs a Box action space"), "\(error)")
    }
  }

  func testConfigsWithoutGSDESaveAsBefore() throws {
    var config = PPOConfig()
    config.usesSDE = false
    XCTAssertFalse(try TrainerCheckpoint.json(config).contains("use_sde"), "off is not written, so old checkpoints match")
    config.usesSDE = true
    XCTAssertTrue(try TrainerCheckpoint.json(config).contains("use_sde"))
  }
}
