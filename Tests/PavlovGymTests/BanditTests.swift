import PavlovGym
import PavlovTensor
import XCTest

private func double(_ info: Info, _ key: String) -> Double? {
  if case .double(let value)? = info[key] { return value }
  return nil
}

private func int(_ info: Info, _ key: String) -> Int? {
  if case .int(let value)? = info[key] { return value }
  return nil
}

private func bool(_ info: Info, _ key: String) -> Bool? {
  if case .bool(let value)? = info[key] { return value }
  return nil
}

private func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(values.count) }

private func variance(_ values: [Double]) -> Double {
  let m = mean(values)
  return values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(values.count - 1)
}

final class BanditTests: XCTestCase {
  private let banditIDs = ["GaussianBandit-v0", "BernoulliBandit-v0", "NonstationaryBandit-v0", "ContextualBandit-v0"]

  func testRegistrationSpacesAndTimeLimit() throws {
    for id in banditIDs {
      XCTAssertEqual(EnvRegistry.spec(id)?.maxEpisodeSteps, 1000, id)
      let env = try EnvRegistry.make(id, seed: 1)
      XCTAssertEqual(env.actionSpace, .discrete(10), id)
      let start = try env.reset(seed: nil)
      if id == "ContextualBandit-v0" {
        XCTAssertEqual(env.observationSpace, .box(low: -1, high: 1, shape: [4]))
      } else {
        XCTAssertEqual(env.observationSpace, .discrete(1), id)
        XCTAssertEqual(start.observation, .int(0), id)
      }
      var steps = 0, last: Step
      repeat {
        last = try env.step(.int(steps % 10))
        steps += 1
        XCTAssertFalse(last.terminated, "\(id): a bandit episode never terminates")
        XCTAssertTrue(env.observationSpace.contains(last.observation), id)
      } while !last.done
      XCTAssertEqual(steps, 1000, id)
      XCTAssertTrue(last.truncated, id)
    }
  }

  func testRegretIsZeroForTheBestArmAndTheGapOtherwise() throws {
    for id in banditIDs {
      let env = try EnvRegistry.make(id, seed: 9)
      _ = try env.reset(seed: nil)
      let bandit = try XCTUnwrap(env.unwrapped as? Bandit, id)
      for arm in 0..<10 {
        let means = bandit.means
        let best = bandit.bestArm
        XCTAssertEqual(means[best], means.max(), id)
        let info = try env.step(.int(arm)).info
        XCTAssertEqual(int(info, "best_arm"), best, id)
        let regret = try XCTUnwrap(double(info, "regret"), id)
        XCTAssertEqual(regret, means[best] - means[arm], accuracy: 1e-12, id)
        XCTAssertEqual(bool(info, "optimal"), arm == best, id)
        if arm == best { XCTAssertEqual(regret, 0, id) } else { XCTAssertGreaterThan(regret, 0, id) }
      }
    }
  }

  func testGaussianTestbedDrawsStandardNormalMeansAtReset() throws {
    let env = GaussianBandit()
    XCTAssertEqual(env.means, Array(repeating: 0, count: 10), "no problem drawn before the first reset")
    _ = try env.reset(seed: 5)
    let first = env.means
    _ = try env.reset(seed: 5)
    XCTAssertEqual(env.means, first, "the same seed gives the same problem")
    _ = try env.reset(seed: nil)
    XCTAssertNotEqual(env.means, first, "a reset without a seed draws a new problem")
    var all: [Double] = []
    for _ in 0..<400 {
      _ = try env.reset(seed: nil)
      all += env.means
    }
    XCTAssertEqual(mean(all), 0, accuracy: 0.06)
    XCTAssertEqual(variance(all), 1, accuracy: 0.08)
  }

  func testGaussianRewardsAreTheArmMeanPlusUnitNoise() throws {
    let env = GaussianBandit(arms: 3)
    _ = try env.reset(seed: 2)
    var rewards: [Double] = []
    for _ in 0..<20_000 { rewards.append(try env.step(.int(1)).reward) }
    XCTAssertEqual(mean(rewards), env.means[1], accuracy: 0.03)
    XCTAssertEqual(variance(rewards), 1, accuracy: 0.05)
    XCTAssertEqual(env.pulls, [0, 20_000, 0])
  }

  func testBernoulliWithGivenProbabilities() throws {
    let env = try EnvRegistry.make("BernoulliBandit-v0", seed: 3, options: ["probs": .numbers([0.2, 0.9, 0.5])])
    _ = try env.reset(seed: nil)
    let bandit = try XCTUnwrap(env.unwrapped as? BernoulliBandit)
    XCTAssertEqual(bandit.means, [0.2, 0.9, 0.5])
    XCTAssertEqual(env.actionSpace, .discrete(3))
    var paid = 0.0
    for _ in 0..<10_000 {
      let step = try env.step(.int(0))
      XCTAssertTrue(step.reward == 0 || step.reward == 1)
      XCTAssertEqual(double(step.info, "regret") ?? -1, 0.7, accuracy: 1e-12)
      XCTAssertEqual(int(step.info, "best_arm"), 1)
      paid += step.reward
      if env.episodeEnded { _ = try env.reset(seed: nil) }
    }
    XCTAssertEqual(paid / 10_000, 0.2, accuracy: 0.015)
    _ = try env.reset(seed: 77)
    XCTAssertEqual(bandit.means, [0.2, 0.9, 0.5], "given probabilities survive resets")
  }

  func testBernoulliDrawsProbabilitiesWhenNoneAreGiven() throws {
    let env = try EnvRegistry.make("BernoulliBandit-v0", seed: 4, options: ["arms": .number(5)])
    _ = try env.reset(seed: nil)
    let bandit = try XCTUnwrap(env.unwrapped as? BernoulliBandit)
    let first = bandit.means
    XCTAssertEqual(first.count, 5)
    XCTAssertTrue(first.allSatisfy { $0 >= 0 && $0 < 1 }, "\(first)")
    _ = try env.reset(seed: 4)
    XCTAssertEqual(bandit.means, first)
  }

  func testNonstationaryMeansStartEqualAndDriftReproducibly() throws {
    func run(seed: UInt64) throws -> [[Double]] {
      let env = NonstationaryBandit(arms: 10)
      _ = try env.reset(seed: seed)
      XCTAssertEqual(env.means, Array(repeating: 0, count: 10))
      var history: [[Double]] = []
      for step in 0..<100 {
        let before = env.means
        let info = try env.step(.int(step % 10)).info
        // Reward and info belong to the means before this step's walk.
        XCTAssertEqual(double(info, "regret") ?? -1, (before.max() ?? 0) - before[step % 10], accuracy: 1e-15)
        let moved = zip(before, env.means).map { Swift.abs($0 - $1) }
        XCTAssertTrue(moved.allSatisfy { $0 > 0 && $0 < 0.07 }, "every arm moves by about 0.01: \(moved)")
        history.append(env.means)
      }
      return history
    }
    let first = try run(seed: 12)
    XCTAssertEqual(try run(seed: 12), first)
    XCTAssertNotEqual(try run(seed: 13), first)
  }

  func testNonstationaryWalkHasTheRequestedSpread() throws {
    // After n steps each mean is N(0, n·drift²): 2500 steps of drift 0.01 give variance 0.25.
    let env = try EnvRegistry.make("NonstationaryBandit-v0", seed: 6,
                                options: ["arms": .number(400), "drift": .number(0.01)], maxEpisodeSteps: 0)
    _ = try env.reset(seed: nil)
    for _ in 0..<2500 { _ = try env.step(.int(0)) }
    let means = try XCTUnwrap(env.unwrapped as? NonstationaryBandit).means
    XCTAssertEqual(variance(means), 0.25, accuracy: 0.06)

    let still = try EnvRegistry.make("NonstationaryBandit-v0", options: ["drift": .number(0)])
    _ = try still.reset(seed: 1)
    for _ in 0..<10 { _ = try still.step(.int(3)) }
    XCTAssertEqual(try XCTUnwrap(still.unwrapped as? NonstationaryBandit).means, Array(repeating: 0, count: 10))
  }

  func testContextualMeansAreWeightsDotContext() throws {
    let env = try EnvRegistry.make("ContextualBandit-v0", seed: 8, options: ["arms": .number(3), "dim": .number(2)])
    var observation = try env.reset(seed: nil).observation
    let bandit = try XCTUnwrap(env.unwrapped as? ContextualBandit)
    XCTAssertEqual(bandit.weights.count, 3)
    XCTAssertEqual(env.observationSpace, .box(low: -1, high: 1, shape: [2]))
    for _ in 0..<50 {
      guard case .reals(let context) = observation else { return XCTFail("context should be reals") }
      XCTAssertEqual(context, bandit.context)
      let expected = bandit.weights.map { $0[0] * context[0] + $0[1] * context[1] }
      XCTAssertEqual(bandit.means, expected)
      let best = try XCTUnwrap(expected.indices.max { expected[$0] < expected[$1] })
      let step = try env.step(.int(best))
      XCTAssertEqual(double(step.info, "regret"), 0)
      XCTAssertEqual(bool(step.info, "optimal"), true)
      observation = step.observation
    }
  }

  func testContextualRewardNoiseIsUnitAroundTheMean() throws {
    let env = ContextualBandit(arms: 2, dim: 3)
    _ = try env.reset(seed: 4)
    var residuals: [Double] = []
    for _ in 0..<20_000 {
      let expected = env.means[1]
      residuals.append(try env.step(.int(1)).reward - expected)
    }
    XCTAssertEqual(mean(residuals), 0, accuracy: 0.03)
    XCTAssertEqual(variance(residuals), 1, accuracy: 0.05)
  }

  func testSameSeedSameRewardsAndCopiesContinueIdentically() throws {
    for id in banditIDs {
      func rewards(_ env: ManagedEnvironment, _ count: Int) throws -> [Double] {
        try (0..<count).map { i in try env.step(.int((i * 7) % 10)).reward }
      }
      let a = try EnvRegistry.make(id, seed: 31), b = try EnvRegistry.make(id, seed: 31)
      _ = try a.reset(seed: nil)
      _ = try b.reset(seed: nil)
      XCTAssertEqual(try rewards(a, 50), try rewards(b, 50), id)
      let twin = try XCTUnwrap(a.copy() as? ManagedEnvironment, id)
      XCTAssertEqual(twin.render(), a.render(), id)
      XCTAssertEqual(try rewards(twin, 100), try rewards(a, 100), id)
      XCTAssertEqual((twin.unwrapped as? Bandit)?.means, (a.unwrapped as? Bandit)?.means, id)
      XCTAssertEqual((twin.unwrapped as? Bandit)?.pulls, (a.unwrapped as? Bandit)?.pulls, id)
    }
  }

  func testRenderDrawsOneBarPerArm() throws {
    let env = try EnvRegistry.make("BernoulliBandit-v0", options: ["probs": .numbers([0.25, 1, 0.5])])
    _ = try env.reset(seed: 0)
    _ = try env.step(.int(2))
    _ = try env.step(.int(2))
    _ = try env.step(.int(0))
    XCTAssertEqual(env.render(), """
      arm expected reward               pulls
      0   ········│██······   +0.250        1  ◀ last
      1   ········│████████   +1.000        0  ★ best
      2   ········│████····   +0.500        2
      """)
    let gaussian = GaussianBandit()
    _ = try gaussian.reset(seed: 0)
    let lines = gaussian.render().split(separator: "\n")
    XCTAssertEqual(lines.count, 11)
    let negative = try XCTUnwrap(gaussian.means.firstIndex { $0 < -0.2 }, "\(gaussian.means)")
    XCTAssertTrue(lines[negative + 1].contains("█│"), "a negative mean's bar grows left of zero: \(lines[negative + 1])")
  }

  func testBadOptionsAreReportedClearly() {
    let cases: [(String, [String: EnvOption], String)] = [
      ("GaussianBandit-v0", ["arms": .number(0)], "GaussianBandit-v0: option arms must be from 1 to 100000, got 0"),
      ("GaussianBandit-v0", ["arms": .number(2.5)], "GaussianBandit-v0: option arms must be an integer, got a number"),
      ("BernoulliBandit-v0", ["probs": .numbers([0.5, 1.5])],
       "BernoulliBandit-v0: option probs must hold probabilities in [0, 1], got 1.5"),
      ("BernoulliBandit-v0", ["probs": .numbers([0.5, 0.5]), "arms": .number(3)],
       "BernoulliBandit-v0: option arms is 3 but probs lists 2; give one or make them agree"),
      ("NonstationaryBandit-v0", ["drift": .number(-1)],
       "NonstationaryBandit-v0: option drift is a standard deviation and must be finite and at least 0, got -1.0"),
      ("ContextualBandit-v0", ["dim": .number(0)], "ContextualBandit-v0: option dim must be from 1 to 100000, got 0"),
    ]
    for (id, options, message) in cases {
      XCTAssertThrowsError(try EnvRegistry.make(id, options: options)) { error in XCTAssertEqual("\(error)", message) }
    }
  }

  func testBareBanditsRejectArmsOutOfRange() throws {
    let bandits: [Environment] = [GaussianBandit(arms: 3), BernoulliBandit(arms: 3), NonstationaryBandit(arms: 3), ContextualBandit(arms: 3)]
    for bandit in bandits {
      _ = try bandit.reset(seed: 0)
      XCTAssertThrowsError(try bandit.step(.int(3)))
      XCTAssertThrowsError(try bandit.step(.int(-1)))
    }
  }
}
