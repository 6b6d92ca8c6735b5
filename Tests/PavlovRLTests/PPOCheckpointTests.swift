import Foundation
import PavlovGym
import PavlovRL
import PavlovTensor
import XCTest

/// Exact budgets, bit-identical resume, and checkpoint errors that say what was found.
final class PPOCheckpointTests: XCTestCase {
  var folder = ""

  override func setUpWithError() throws {
    folder = NSTemporaryDirectory() + "pavlov-rl-\(getpid())-\(UUID().uuidString.prefix(8))"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
  }

  override func tearDownWithError() throws {
    try? FileManager.default.removeItem(atPath: folder)
  }

  func weights(_ trainer: PPOTrainer) -> [[Float]] { trainer.model.namedParameters().map { $0.1.data } }

  func testTimestepBudgetIsExact() throws {
    var config = cartPoleZoo()
    config.epochs = 1
    let trainer = try PPOTrainer(env: try .registered("CartPole-v1"), config: config)
    var seen: [Int] = []
    let stats = try trainer.train(.timesteps(1000)) { s in
      seen.append(s.timesteps)
      return .proceed
    }
    // Three rollouts of 8 × 32 = 256, then a last one shortened to 8 × 29 = 232.
    XCTAssertEqual(seen, [256, 512, 768, 1000])
    XCTAssertEqual(stats?.timesteps, 1000)
    XCTAssertEqual(trainer.timesteps, 1000)
    XCTAssertThrowsError(try trainer.train(.timesteps(1001))) { error in
      XCTAssertTrue("\(error)".contains("multiple of n_envs (8)"), "\(error)")
    }
    _ = try trainer.train(.iterations(2))
    XCTAssertEqual(trainer.timesteps, 1512)
    XCTAssertEqual(trainer.iterations, 6)
  }

  func testCallbackStopsTraining() throws {
    let trainer = try PPOTrainer(env: try .registered("CartPole-v1"), config: cartPoleZoo())
    let stats = try trainer.train(.timesteps(100_000)) { s in s.iteration == 3 ? .stop : .proceed }
    XCTAssertEqual(stats?.iteration, 3)
    XCTAssertEqual(trainer.timesteps, 768)
  }

  /// Training 20k, saving, loading and training 20k more gives the same weights and metrics,
  /// bit for bit, as training 40k straight. (The split must fall between rollouts — here
  /// 8 × 25 = 200 steps — since a budget that ends inside one shortens it.)
  func testResumeIsBitIdentical() throws {
    var config = cartPoleZoo(totalSteps: 40_000)
    config.nSteps = 25
    config.batchSize = 200
    try checkResume(config: config, env: "CartPole-v1", first: 20_000, second: 20_000)
  }

  /// The same with a Gaussian policy and both normalizers (their statistics are in the file).
  func testResumeIsBitIdenticalForContinuousActionsWithNormalization() throws {
    var config = PPOConfig()
    config.nEnvs = 4
    config.nSteps = 64
    config.batchSize = 64
    config.epochs = 2
    config.normalizeObs = true
    config.normalizeReward = true
    config.lrSchedule = .linear
    config.totalSteps = 4096
    config.seed = 3
    try checkResume(config: config, env: "Pendulum-v1", first: 2048, second: 2048)
  }

  /// gSDE: its exploration matrices are redrawn at every rollout's start, so a resume between
  /// rollouts continues exactly too.
  func testResumeIsBitIdenticalWithStateDependentExploration() throws {
    var config = PPOConfig()
    config.nEnvs = 4
    config.nSteps = 64
    config.epochs = 2
    config.usesSDE = true
    config.sdeSampleFreq = 4
    config.seed = 5
    try checkResume(config: config, env: "Pendulum-v1", first: 1024, second: 1024)
  }

  func checkResume(config: PPOConfig, env: String, first: Int, second: Int) throws {
    let straight = try PPOTrainer(env: try .registered(env), config: config)
    var straightStats: [TrainStats] = []
    _ = try straight.train(.timesteps(first + second)) { straightStats.append($0); return .proceed }

    let before = try PPOTrainer(env: try .registered(env), config: config)
    var resumedStats: [TrainStats] = []
    _ = try before.train(.timesteps(first)) { resumedStats.append($0); return .proceed }
    let path = folder + "/resume.safetensors"
    try before.save(to: path)
    let after = try PPOTrainer.load(from: path, env: try .registered(env))
    XCTAssertEqual(after.timesteps, first)
    XCTAssertEqual(weights(after), weights(before))
    _ = try after.train(.timesteps(second)) { resumedStats.append($0); return .proceed }

    XCTAssertEqual(after.timesteps, straight.timesteps)
    XCTAssertEqual(after.iterations, straight.iterations)
    XCTAssertEqual(weights(after), weights(straight), "weights differ after resuming")
    XCTAssertEqual(resumedStats.count, straightStats.count)
    for (a, b) in zip(resumedStats, straightStats) {
      // Everything but the wall-clock fps must match exactly.
      let left = a.all.filter { $0.name != "fps" }, right = b.all.filter { $0.name != "fps" }
      XCTAssertEqual(left.map(\.name), right.map(\.name))
      for (x, y) in zip(left, right) {
        XCTAssertEqual(x.value?.bitPattern, y.value?.bitPattern, "iteration \(a.iteration): \(x.name) \(String(describing: x.value)) vs \(String(describing: y.value))")
      }
    }
    let e1 = try after.evaluate(episodes: 3, deterministic: true, seed: 7)
    let e2 = try straight.evaluate(episodes: 3, deterministic: true, seed: 7)
    XCTAssertEqual(e1.returns, e2.returns)
  }

  func testCheckpointMetadata() throws {
    let trainer = try PPOTrainer(env: try .registered("CartPole-v1"), config: cartPoleZoo())
    _ = try trainer.train(.iterations(1))
    let path = folder + "/meta.safetensors"
    try trainer.save(to: path)
    let meta = try Safetensors.read(path).metadata
    XCTAssertEqual(meta["format"], "pavlov-trainer")
    XCTAssertEqual(meta["version"], "1")
    XCTAssertEqual(meta["algorithm"], "ppo")
    XCTAssertTrue(meta["config"]?.contains("\"gae_lambda\":0.8") ?? false, meta["config"] ?? "")
    XCTAssertEqual(meta["counters"], "{\"iterations\":1,\"timesteps\":256,\"updates\":20}")
  }

  func testCheckpointErrorsNameWhatWasFound() throws {
    let trainer = try PPOTrainer(env: try .registered("CartPole-v1"), config: cartPoleZoo())
    let good = folder + "/good.safetensors"
    try trainer.save(to: good)
    let contents = try Safetensors.read(good)

    func rewrite(_ name: String, _ change: (inout [String: String]) -> Void) throws -> String {
      var meta = contents.metadata
      change(&meta)
      let path = folder + "/" + name
      try Safetensors.write(contents.tensors, metadata: meta, to: path)
      return path
    }
    func expectError(_ path: String, env: String = "CartPole-v1", algorithm: String? = nil, _ fragments: [String],
                     file: StaticString = #filePath, line: UInt = #line) {
      XCTAssertThrowsError(try PPOTrainer.load(from: path, env: try .registered(env), algorithm: algorithm), file: file, line: line) { error in
        for f in fragments { XCTAssertTrue("\(error)".contains(f), "\"\(error)\" lacks \"\(f)\"", file: file, line: line) }
      }
    }

    let plain = folder + "/plain.safetensors"
    try Safetensors.write([("w", Tensor.zeros([2]))], to: plain)
    expectError(plain, ["no \"format\" entry", "expected \"pavlov-trainer\""])
    expectError(try rewrite("format.safetensors") { $0["format"] = "pavlov-model" }, ["format is \"pavlov-model\"", "expected \"pavlov-trainer\""])
    expectError(try rewrite("version.safetensors") { $0["version"] = "2" }, ["version 2", "reads version 1"])
    expectError(try rewrite("dqn.safetensors") { $0["algorithm"] = "dqn" }, ["holds a dqn trainer", "expected ppo or a2c"])
    expectError(good, algorithm: "a2c", ["holds a ppo trainer, expected a2c"])
    expectError(try rewrite("config.safetensors") { $0["config"] = "{\"lr\": " }, ["config cannot be read"])
    // Another env: the spaces differ, and the error says which.
    expectError(good, env: "Acrobot-v1", ["trained on CartPole-v1", "observations Box([-1 -1 -1 -1", "actions Discrete(3)"])

    // A network of another size saved under the same spaces: a shape mismatch, listed.
    var wide = cartPoleZoo()
    wide.hidden = [32, 32]
    let other = try PPOTrainer(env: try .registered("CartPole-v1"), config: wide)
    let otherPath = folder + "/wide.safetensors"
    try other.save(to: otherPath)
    let otherContents = try Safetensors.read(otherPath)
    let mixed = folder + "/mixed.safetensors"
    try Safetensors.write(otherContents.tensors, metadata: contents.metadata, to: mixed)
    expectError(mixed, ["does not match", "policy.0.weight: file has (32, 4), model has (64, 4)"])

    let missing = folder + "/nothing-here.safetensors"
    expectError(missing, ["cannot read"])
  }
}
