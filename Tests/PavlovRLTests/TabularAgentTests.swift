import PavlovGym
import PavlovTensor
import XCTest

@testable import PavlovRL

/// Known results of chapters 5 and 6 of Sutton and Barto, on seeded runs.
final class TabularAgentTests: XCTestCase {
  private func agent(_ method: TabularMethod, _ id: String, _ options: [String: EnvOption] = [:],
                     _ settings: TabularSettings, seed: UInt64 = 0) throws -> TabularAgent {
    try TabularAgent(method, env: try EnvRegistry.make(id, seed: 0, options: options), settings: settings, seed: seed, envName: id)
  }

  private let solid: [String: EnvOption] = ["is_slippery": .bool(false)]

  func testQLearningFindsTheSixStepPathOnTheSolidLake() throws {
    let learner = try agent(.qLearning, "FrozenLake-v1", solid, TabularSettings(alpha: 0.5))
    _ = try learner.train(episodes: 300)
    let evaluation = try learner.evaluate(episodes: 10)
    XCTAssertEqual(evaluation.successRate, 1)
    XCTAssertEqual(evaluation.lengths, Array(repeating: 6, count: 10))
    XCTAssertEqual(evaluation.meanReturn, 1)
  }

  func testMonteCarloControlSolvesTheSolidLake() throws {
    let learner = try agent(.monteCarlo, "FrozenLake-v1", solid, TabularSettings(alpha: nil))
    _ = try learner.train(episodes: 500)
    let evaluation = try learner.evaluate(episodes: 5)
    XCTAssertEqual(evaluation.successRate, 1)
    XCTAssertEqual(evaluation.lengths, Array(repeating: 6, count: 5))
  }

  /// Example 6.6: with ε = 0.1 kept on, SARSA learns the safe path away from the cliff and
  /// Q-learning the optimal one along its edge (-13), yet earns less online (it falls more).
  func testCliffWalkingSarsaIsSafeAndQLearningIsOptimal() throws {
    let settings = TabularSettings(alpha: 0.5, gamma: 1)
    let q = try agent(.qLearning, "CliffWalking-v0", [:], settings)
    let sarsa = try agent(.sarsa, "CliffWalking-v0", [:], settings)
    let qStats = try q.train(episodes: 500), sarsaStats = try sarsa.train(episodes: 500)
    XCTAssertEqual(try q.evaluate(episodes: 1).returns, [-13])
    let safe = try sarsa.evaluate(episodes: 1)
    XCTAssertEqual(safe.successRate, 1)
    XCTAssertLessThan(safe.returns[0], -13, "a longer path, away from the edge")
    // Online returns over the last 100 episodes: measured -44.4 (Q-learning) against -25.8 (SARSA).
    let tail = { (s: TrainingStats) in s.returns.suffix(100).reduce(0, +) / 100 }
    XCTAssertLessThan(tail(qStats), tail(sarsaStats))
  }

  func testExpectedSarsaOnTheCliffReachesTheGoalOffTheEdge() throws {
    let learner = try agent(.expectedSarsa, "CliffWalking-v0", [:], TabularSettings(alpha: 0.5, gamma: 1))
    _ = try learner.train(episodes: 500)
    let evaluation = try learner.evaluate(episodes: 1)
    XCTAssertEqual(evaluation.successRate, 1)
    XCTAssertGreaterThan(evaluation.returns[0], -20)
  }

  func testTaxiQLearningReachesAMeanGreedyReturnOfSeven() throws {
    let learner = try agent(.qLearning, "Taxi-v3", [:], TabularSettings(alpha: 0.5, gamma: 0.99))
    _ = try learner.train(episodes: 2500)
    let evaluation = try learner.evaluate(episodes: 100)
    XCTAssertGreaterThanOrEqual(evaluation.meanReturn, 7)
    XCTAssertEqual(evaluation.successRate, 1)
  }

  func testSameSeedSameLearning() throws {
    let a = try agent(.sarsa, "FrozenLake-v1", [:], TabularSettings(), seed: 4)
    let b = try agent(.sarsa, "FrozenLake-v1", [:], TabularSettings(), seed: 4)
    XCTAssertEqual(try a.train(episodes: 200), try b.train(episodes: 200))
    XCTAssertEqual(a.q, b.q)
    XCTAssertEqual(try a.evaluate(episodes: 20), try b.evaluate(episodes: 20))
    XCTAssertEqual(try a.evaluate(episodes: 20), try a.evaluate(episodes: 20), "evaluation plays a copy from a fixed seed")
  }

  func testEpsilonDecaysPerEpisode() throws {
    let learner = try agent(.qLearning, "FrozenLake-v1", [:], TabularSettings(epsilon: EpsilonSchedule(0.5, decay: 0.1)))
    let stats = try learner.train(episodes: 10)
    XCTAssertEqual(stats.episodes, 10)
    XCTAssertEqual(stats.epsilon, 0.25, accuracy: 1e-15)
  }

  func testTheStepCapTruncatesEpisodesWithoutATimeLimit() throws {
    // An agent that never explores and starts out walking into the wall never reaches the goal.
    let learner = try agent(.qLearning, "CliffWalking-v0", [:], TabularSettings(alpha: 0.5, gamma: 1, epsilon: EpsilonSchedule(0), maxSteps: 50))
    let evaluation = try learner.evaluate(episodes: 1)
    XCTAssertEqual(evaluation.lengths, [50])
    XCTAssertEqual(evaluation.successRate, 0)
  }

  func testAStopRequestEndsTrainingAndKeepsWhatWasLearned() throws {
    let learner = try agent(.qLearning, "FrozenLake-v1", solid, TabularSettings(alpha: 0.5))
    _ = try learner.train(episodes: 100)
    var calls = 0
    learner.shouldStop = { calls += 1; return calls > 5 }
    XCTAssertThrowsError(try learner.train(episodes: 100)) { XCTAssertTrue($0 is Interrupted) }
    XCTAssertEqual(learner.episodes, 105)
  }

  func testContinuousObservationsAreRefused() throws {
    XCTAssertThrowsError(try agent(.qLearning, "CartPole-v1", [:], TabularSettings())) { error in
      XCTAssertTrue("\(error)".contains("q_learning needs discrete observations"), "\(error)")
      XCTAssertTrue("\(error)".contains("CartPole-v1 observes Box("), "\(error)")
    }
  }

  func testBadHyperparameters() throws {
    XCTAssertThrowsError(try agent(.sarsa, "Taxi-v3", [:], TabularSettings(alpha: 0))) { XCTAssertTrue("\($0)".contains("alpha")) }
    XCTAssertThrowsError(try agent(.sarsa, "Taxi-v3", [:], TabularSettings(epsilon: EpsilonSchedule(1.5)))) { XCTAssertTrue("\($0)".contains("epsilon")) }
  }
}
