import Foundation
import PavlovGym
import PavlovRL
import PavlovTensor
import XCTest

/// SAC's squashed Gaussian against its closed form and finite differences, and the trainer's
/// entropy tuning and exact resume.
final class SACTests: XCTestCase {
  let means: [Float] = [0.3, -1.2, 0.05, 2.0]
  let logStds: [Float] = [-0.5, 0.2, -1.5, 0.0]
  let noise: [Float] = [0.7, -0.4, 1.3, -2.1]

  func squashed(_ mean: [Float], _ logStd: [Float]) throws -> (Tensor, Tensor, Tensor, Tensor) {
    let m = Tensor(shape: [2, 2], data: mean).requiringGrad(), s = Tensor(shape: [2, 2], data: logStd).requiringGrad()
    let (actions, logProb) = try SquashedGaussianActor.squash(mean: m, logStd: s, noise: Tensor(shape: [2, 2], data: noise))
    return (actions, logProb, m, s)
  }

  func testLogProbIsTheDensityOfTheSquashedGaussian() throws {
    let (actions, logProb, _, _) = try squashed(means, logStds)
    for row in 0..<2 {
      var expected = 0.0
      for k in 0..<2 {
        let i = row * 2 + k
        let sigma = exp(Double(logStds[i])), u = Double(means[i]) + sigma * Double(noise[i])
        XCTAssertEqual(Double(actions.data[i]), tanh(u), accuracy: 1e-6)
        // N(u; μ, σ) by its formula, then the change of variables a = tanh(u).
        let gaussian = -pow(u - Double(means[i]), 2) / (2 * sigma * sigma) - log(sigma) - 0.5 * log(2 * Double.pi)
        expected += gaussian - log(1 - tanh(u) * tanh(u) + 1e-6)
      }
      XCTAssertEqual(Double(logProb.data[row]), expected, accuracy: 1e-4)
    }
  }

  func testLogProbGradientMatchesFiniteDifferences() throws {
    let (_, logProb, m, s) = try squashed(means, logStds)
    try logProb.sum().backward()
    let h: Float = 1e-2
    for i in 0..<4 {
      for (which, analytic) in [("mean", m.grad!.data[i]), ("log_std", s.grad!.data[i])] {
        var up = which == "mean" ? means : logStds, down = up
        up[i] += h
        down[i] -= h
        let plus = try (which == "mean" ? squashed(up, logStds) : squashed(means, up)).1.sum().item()
        let minus = try (which == "mean" ? squashed(down, logStds) : squashed(means, down)).1.sum().item()
        let numeric = (plus - minus) / (2 * h)
        XCTAssertEqual(analytic, numeric, accuracy: 2e-2 * max(1, abs(numeric)), "\(which)[\(i)]")
      }
    }
  }

  func testEntropyTuningLowersAlphaAndCheckpointsResumeExactly() throws {
    var config = SACConfig()
    config.hidden = [16, 16]
    config.batchSize = 16
    config.learningStarts = 20
    let env = try EnvSource.registered("Pendulum-v1")
    let trainer = try SACTrainer(env: env, config: config)
    _ = try trainer.train(.timesteps(120))
    // Pendulum's policy starts with more entropy than −1, so α falls from 1.
    XCTAssertLessThan(trainer.entropyCoefficient, 1)
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("sac-\(UUID().uuidString).safetensors").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    try trainer.save(to: path)
    let loaded = try SACTrainer.load(from: path, env: env)
    let a = try trainer.train(.timesteps(40)), b = try loaded.train(.timesteps(40))
    XCTAssertEqual(a?["critic_loss"], b?["critic_loss"])
    XCTAssertEqual(a?["actor_loss"], b?["actor_loss"])
    XCTAssertEqual(trainer.actor.namedParameters().map(\.1.data), loaded.actor.namedParameters().map(\.1.data))
  }
}
