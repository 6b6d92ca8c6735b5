import PavlovGym
@testable import PavlovRL
import PavlovTensor
import XCTest

/// Issue 24: one failing step used to brick a trainer: every later `train` call failed with
/// "VectorEnv: step() before reset()". Now the envs reset, the partial rollout is dropped and
/// `train` goes on; with the same faults, the same numbers.
final class FaultRecoveryTests: XCTestCase {
  /// Counts env steps over every copy and throws at the scheduled ones (1-based).
  final class FaultSchedule {
    let faults: Set<Int>
    var calls = 0
    init(_ faults: Set<Int>) { self.faults = faults }
    func tick() throws {
      calls += 1
      if faults.contains(calls) { throw CoreError("injected fault at env step \(calls)") }
    }
  }

  final class FaultyEnv: Wrapper {
    let schedule: FaultSchedule
    init(_ inner: Environment, _ schedule: FaultSchedule) {
      self.schedule = schedule
      super.init(inner)
    }
    override func step(_ action: Point) throws -> Step {
      try schedule.tick()
      return try inner.step(action)
    }
  }

  static func source(_ schedule: FaultSchedule) -> EnvSource {
    EnvSource(name: "faulty CartPole", threadSafe: false) { _ in FaultyEnv(try EnvRegistry.make("CartPole-v1"), schedule) }
  }

  /// Trains to `total` steps, calling train again after each fault; returns the weights, the
  /// steps and the errors.
  static func trainThroughFaults(_ trainer: any Trainer, total: Int, parameters: () -> [Tensor],
                                 timesteps: () -> Int) -> (weights: [Float], steps: Int, errors: [String]) {
    var errors: [String] = []
    while timesteps() < total && errors.count < 20 {
      do { _ = try trainer.train(.timesteps(total - timesteps()), callback: nil) } catch { errors.append("\(error)") }
    }
    return (parameters().flatMap(\.data), timesteps(), errors)
  }

  func testPPOTrainsOnAfterEnvFaultsAndTheSameFaultsGiveTheSameNumbers() throws {
    func run(_ faults: Set<Int>) throws -> (weights: [Float], steps: Int, errors: [String]) {
      var config = PPOConfig()
      config.nEnvs = 4
      config.nSteps = 64
      config.batchSize = 64
      config.epochs = 2
      config.seed = 7
      let trainer = try PPOTrainer(env: Self.source(FaultSchedule(faults)), config: config)
      return Self.trainThroughFaults(trainer, total: 2048, parameters: { trainer.model.parameters }, timesteps: { trainer.timesteps })
    }
    // One fault at a known step, two at random ones (seeded, so the run is the same every time).
    let draw = SeededGenerator(seed: 11)
    let faults: Set<Int> = [37, 100 + Int(draw.next() % 900), 1000 + Int(draw.next() % 900)]
    let a = try run(faults), b = try run(faults)
    XCTAssertEqual(a.errors.count, 3, a.errors.joined(separator: "\n"))
    // Step call 37 is rollout step 10 (4 copies a step) of the first iteration, copy 0.
    XCTAssertTrue(a.errors[0].contains("ppo: iteration 1, rollout step 10 of 64: VectorEnv: copy 0 failed in step()"), a.errors[0])
    XCTAssertTrue(a.errors[0].contains("injected fault at env step 37"), a.errors[0])
    XCTAssertTrue(a.errors[0].contains("call train again"), a.errors[0])
    XCTAssertEqual(a.steps, 2048, "training reached its budget after the faults")
    XCTAssertEqual(a.weights, b.weights, "the same faults must give the same weights")
    XCTAssertNotEqual(a.weights, try run([]).weights, "the faults changed the run (dropped rollouts)")
  }

  func testDQNTrainsOnAfterEnvFaultsAndTheSameFaultsGiveTheSameNumbers() throws {
    func run(_ faults: Set<Int>) throws -> (weights: [Float], steps: Int, errors: [String]) {
      var config = DQNConfig()
      config.hidden = [16]
      config.bufferSize = 500
      config.learningStarts = 50
      config.seed = 3
      let trainer = try DQNTrainer(env: Self.source(FaultSchedule(faults)), config: config)
      return Self.trainThroughFaults(trainer, total: 600, parameters: { trainer.qNetwork.parameters }, timesteps: { trainer.timesteps })
    }
    let a = try run([20, 333]), b = try run([20, 333])
    XCTAssertEqual(a.errors.count, 2, a.errors.joined(separator: "\n"))
    XCTAssertTrue(a.errors[0].contains("dqn: timestep 20: VectorEnv: copy 0 failed in step()"), a.errors[0])
    XCTAssertTrue(a.errors[0].contains("injected fault at env step 20"), a.errors[0])
    XCTAssertEqual(a.steps, 600)
    XCTAssertEqual(a.weights, b.weights)
  }
}
