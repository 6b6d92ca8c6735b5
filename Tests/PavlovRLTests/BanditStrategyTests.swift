import PavlovGym
import PavlovTensor
import XCTest

@testable import PavlovRL

/// The shapes of Sutton and Barto's chapter 2 figures, averaged over seeded runs (100, not the
/// book's 2000, so the tests stay fast in debug builds; the margins allow for that).
final class BanditStrategyTests: XCTestCase {
  private func experiment(_ id: String, _ strategy: BanditStrategy, steps: Int = 1000, runs: Int = 100,
                          options: [String: EnvOption] = [:]) throws -> BanditHistory {
    let env = try EnvRegistry.make(id, seed: 0, options: options)
    let agent = try BanditAgent(env: env, strategy: strategy, seed: 0)
    return try agent.experiment(steps: steps, runs: runs, seed: 0)
  }

  private func mean(_ xs: ArraySlice<Double>) -> Double { xs.reduce(0, +) / Double(xs.count) }

  /// Figure 2.2: ε = 0.1 finds the best arm sooner than ε = 0.01, and greedy is worst at the end.
  func testEpsilonGreedyOnTheTestbedHasTheShapeOfFigure2_2() throws {
    let greedy = try experiment("GaussianBandit-v0", EpsilonGreedy(arms: 10, epsilon: EpsilonSchedule(0)))
    let small = try experiment("GaussianBandit-v0", EpsilonGreedy(arms: 10, epsilon: EpsilonSchedule(0.01)))
    let large = try experiment("GaussianBandit-v0", EpsilonGreedy(arms: 10, epsilon: EpsilonSchedule(0.1)))
    let early = 100..<300, late = 800..<1000
    // Measured: % optimal early 0.1 → 0.66, 0.01 → 0.44; late greedy 0.39, 0.01 0.59, 0.1 0.79.
    XCTAssertGreaterThan(mean(large.optimal[early]), mean(small.optimal[early]) + 0.1)
    XCTAssertGreaterThan(mean(large.optimal[late]), 0.7)
    XCTAssertLessThan(mean(greedy.optimal[late]), mean(small.optimal[late]) - 0.1)
    XCTAssertLessThan(mean(greedy.optimal[late]), mean(large.optimal[late]) - 0.2)
    // Average reward late: the book's ~1.0 (greedy) against ~1.3 (ε = 0.1).
    XCTAssertLessThan(mean(greedy.rewards[late]), mean(large.rewards[late]) - 0.15)
    XCTAssertEqual(mean(large.rewards[late]), 1.3, accuracy: 0.15)
  }

  /// Optimistic initial values (Q₁ = 5, α = 0.1) make a greedy agent explore (figure 2.3).
  func testOptimisticGreedyExploresWhereRealisticGreedyDoesNot() throws {
    let optimistic = try experiment("GaussianBandit-v0", EpsilonGreedy(arms: 10, epsilon: EpsilonSchedule(0), initial: 5, stepSize: .constant(0.1)))
    let realistic = try experiment("GaussianBandit-v0", EpsilonGreedy(arms: 10, epsilon: EpsilonSchedule(0)))
    XCTAssertGreaterThan(mean(optimistic.optimal[800..<1000]), mean(realistic.optimal[800..<1000]) + 0.2)
  }

  /// UCB's regret grows like log t: doubling the horizon adds far less than the first half did,
  /// where ε-greedy's constant exploration keeps paying a constant rate.
  func testUCBRegretGrowsSublinearly() throws {
    let ucb = try experiment("GaussianBandit-v0", UpperConfidenceBound(arms: 10, c: 2), steps: 2000)
    let eps = try experiment("GaussianBandit-v0", EpsilonGreedy(arms: 10, epsilon: EpsilonSchedule(0.1)), steps: 2000)
    // Measured: UCB 152.8 → 189.2 (×1.24); ε-greedy 221.4 → 384.6 (×1.74).
    XCTAssertLessThan(ucb.cumulativeRegret[1999], 1.4 * ucb.cumulativeRegret[999])
    XCTAssertGreaterThan(eps.cumulativeRegret[1999], 1.6 * eps.cumulativeRegret[999])
    XCTAssertLessThan(ucb.totalRegret, eps.totalRegret)
  }

  /// Beta–Bernoulli Thompson sampling has well under the regret of ε-greedy on Bernoulli arms.
  func testThompsonBeatsEpsilonGreedyOnBernoulliArms() throws {
    let thompson = try experiment("BernoulliBandit-v0", ThompsonSampling(arms: 10, model: .beta(alpha: 1, beta: 1)))
    let eps = try experiment("BernoulliBandit-v0", EpsilonGreedy(arms: 10, epsilon: EpsilonSchedule(0.1)))
    // Measured: 28.8 against 69.0 over 1000 steps.
    XCTAssertLessThan(thompson.totalRegret, 0.6 * eps.totalRegret)
  }

  /// Gaussian Thompson sampling, whose prior N(0, 1) is the testbed's own, beats ε = 0.1.
  func testGaussianThompsonOnTheTestbed() throws {
    let thompson = try experiment("GaussianBandit-v0", ThompsonSampling(arms: 10, model: .gaussian(mean: 0, std: 1, noise: 1)))
    let eps = try experiment("GaussianBandit-v0", EpsilonGreedy(arms: 10, epsilon: EpsilonSchedule(0.1)))
    XCTAssertLessThan(thompson.totalRegret, eps.totalRegret)
    XCTAssertGreaterThan(mean(thompson.optimal[800..<1000]), 0.8)
  }

  /// Figure 2.5's lesson: when every reward is far from zero, the baseline matters.
  func testGradientBanditLearnsBetterWithABaseline() throws {
    let probs: [String: EnvOption] = ["probs": .numbers([0.8, 0.85, 0.9, 0.95, 0.75])]
    let with = try experiment("BernoulliBandit-v0", GradientBandit(arms: 5, alpha: 0.1, baseline: true), options: probs)
    let without = try experiment("BernoulliBandit-v0", GradientBandit(arms: 5, alpha: 0.1, baseline: false), options: probs)
    // Measured: 73% against 61% optimal over the last 200 steps.
    XCTAssertGreaterThan(mean(with.optimal[800..<1000]), mean(without.optimal[800..<1000]) + 0.05)
  }

  func testDecayingEpsilonShrinksHyperbolically() {
    let schedule = EpsilonSchedule(0.2, decay: 0.01)
    XCTAssertEqual(schedule.epsilon(at: 0), 0.2)
    XCTAssertEqual(schedule.epsilon(at: 100), 0.1, accuracy: 1e-15)
    let agent = EpsilonGreedy(arms: 3, epsilon: schedule)
    let generator = SeededGenerator(seed: 0)
    for _ in 0..<300 { agent.learn(arm: agent.choose(generator), reward: 1) }
    XCTAssertEqual(agent.epsilon, 0.05, accuracy: 1e-15)
  }

  func testSameSeedSameRunAndTrainingContinues() throws {
    func run() throws -> (BanditHistory, BanditHistory) {
      let env = try EnvRegistry.make("GaussianBandit-v0", seed: 3)
      let agent = try BanditAgent(env: env, strategy: UpperConfidenceBound(arms: 10), seed: 5)
      return (try agent.train(steps: 50), try agent.train(steps: 50))
    }
    let (a1, a2) = try run(), (b1, b2) = try run()
    XCTAssertEqual(a1, b1)
    XCTAssertEqual(a2, b2)
    XCTAssertNotEqual(a1.rewards, a2.rewards)
    // The second call continues: UCB has tried all ten arms in the first, so it exploits now.
    XCTAssertEqual(a2.steps, 50)
  }

  func testAResetAgentReplaysItsFirstRun() throws {
    let env = try EnvRegistry.make("BernoulliBandit-v0", seed: 0)
    let agent = try BanditAgent(env: env, strategy: ThompsonSampling(arms: 10, model: .beta(alpha: 1, beta: 1)), seed: 2)
    let first = try agent.train(steps: 100)
    agent.reset()
    XCTAssertEqual(try agent.train(steps: 100), first)
  }

  func testExperimentRunIsAFreshAgentWithSeedPlusTwiceTheRun() throws {
    let env = try EnvRegistry.make("GaussianBandit-v0", seed: 0)
    let agent = try BanditAgent(env: env, strategy: EpsilonGreedy(arms: 10, epsilon: EpsilonSchedule(0.1)), seed: 0)
    let average = try agent.experiment(steps: 20, runs: 2, seed: 10)
    let run0 = try BanditAgent(env: try EnvRegistry.make("GaussianBandit-v0"), strategy: EpsilonGreedy(arms: 10, epsilon: EpsilonSchedule(0.1)), seed: 10).train(steps: 20)
    let run1 = try BanditAgent(env: try EnvRegistry.make("GaussianBandit-v0"), strategy: EpsilonGreedy(arms: 10, epsilon: EpsilonSchedule(0.1)), seed: 12).train(steps: 20)
    for t in 0..<20 { XCTAssertEqual(average.rewards[t], run0.rewards[t] / 2 + run1.rewards[t] / 2, accuracy: 1e-12) }
    XCTAssertEqual(agent.strategy.steps, 0, "an experiment leaves the agent untouched")
  }

  func testGreedyEvaluationDoesNotLearnOrMoveTheEnv() throws {
    let env = try EnvRegistry.make("GaussianBandit-v0", seed: 0)
    let agent = try BanditAgent(env: env, strategy: EpsilonGreedy(arms: 10, epsilon: EpsilonSchedule(0.1)), seed: 0)
    _ = try agent.train(steps: 500)
    let before = agent.strategy.estimates
    let evaluation = try agent.evaluate(steps: 100)
    XCTAssertEqual(agent.strategy.estimates, before)
    XCTAssertEqual(Set(evaluation.optimal).count, 1, "greedy pulls one arm throughout")
    XCTAssertEqual(agent.bandit.pulls.reduce(0, +), 500)
  }

  func testNonBanditEnvIsRefusedWithTheBanditIDs() throws {
    let env = try EnvRegistry.make("CartPole-v1")
    XCTAssertThrowsError(try BanditAgent(env: env, strategy: UpperConfidenceBound(arms: 2), seed: 0, envName: "CartPole-v1")) { error in
      XCTAssertTrue("\(error)".contains("CartPole-v1 is not one"), "\(error)")
      XCTAssertTrue("\(error)".contains("GaussianBandit-v0"), "\(error)")
    }
  }
}
