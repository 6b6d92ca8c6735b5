import PavlovGym
import PavlovTensor
import XCTest

/// Checks shared by every toy-text environment: the model is a proper distribution, `step`
/// does what `transitions` says, copies are independent, and `make` knows every id.
final class ToyTextTests: XCTestCase {
  func testEveryIDMakesResetsAndSteps() throws {
    let ids = ToyText.specs.map(\.id)
    XCTAssertEqual(ids, ["FrozenLake-v1", "FrozenLake8x8-v1", "CliffWalking-v0", "CliffWalking-v1",
                         "CliffWalkingSlippery-v1", "Taxi-v3", "GridWorld-v0"])
    for id in ids {
      let env = try EnvRegistry.make(id, seed: 3)
      let start = try env.reset(seed: nil)
      XCTAssertTrue(env.observationSpace.contains(start.observation), id)
      let step = try env.step(.int(0))
      XCTAssertTrue(env.observationSpace.contains(step.observation), id)
      XCTAssertNotNil(env.copy(), id)
      XCTAssertFalse(env.render().hasSuffix("\n"), id)
    }
  }

  func testEveryModelIsAProbabilityDistribution() throws {
    for id in ToyText.specs.map(\.id) {
      let env = try XCTUnwrap(try EnvRegistry.make(id).unwrapped as? TabularEnvironment, id)
      guard case .discrete(let states, _) = env.observationSpace, case .discrete(let actions, _) = env.actionSpace else {
        return XCTFail("\(id) has non-discrete spaces")
      }
      XCTAssertEqual(env.transitions.count, states, id)
      for (state, row) in env.transitions.enumerated() {
        XCTAssertEqual(row.count, actions, "\(id) state \(state)")
        for (action, outcomes) in row.enumerated() {
          let total = outcomes.reduce(0) { $0 + $1.probability }
          XCTAssertEqual(total, 1, accuracy: 1e-12, "\(id) state \(state) action \(action)")
          for outcome in outcomes {
            XCTAssertTrue(outcome.probability > 0 && outcome.probability <= 1, "\(id) \(state) \(action)")
            XCTAssertTrue((0..<states).contains(outcome.next), "\(id) \(state) \(action)")
          }
        }
      }
    }
  }

  func testStepFollowsTheModel() throws {
    // Deterministic models: every transition checked once. Stochastic: frequencies over 2000
    // steps per state and action (a standard error of about 0.01 for p = 1/3).
    let cases: [(String, [String: EnvOption], Int)] = [
      ("Taxi-v3", [:], 1),
      ("CliffWalking-v0", [:], 1),
      ("FrozenLake-v1", ["is_slippery": .bool(false)], 1),
      ("FrozenLake-v1", [:], 2000),
      ("CliffWalkingSlippery-v1", [:], 2000),
      ("GridWorld-v0", ["map": .strings(["S.#", ".X.", "..G"]), "slip": .number(0.2)], 2000),
    ]
    for (id, options, samples) in cases {
      let env = try XCTUnwrap(try EnvRegistry.make(id, options: options).unwrapped as? TabularEnvironment)
      try assertStepsFollowModel(env, samples: samples, tolerance: samples == 1 ? 0 : 0.04, label: id)
    }
  }

  func testCopiesAreIndependentAndIdentical() throws {
    let env = try EnvRegistry.make("FrozenLake-v1", seed: 9)
    _ = try env.reset(seed: nil)
    _ = try env.step(.int(2))
    let twin = try XCTUnwrap(env.copy())
    // Same state and generator: the same slippery outcomes from here on.
    for action in [1, 2, 1, 0, 3, 2] {
      let a = try env.step(.int(action)), b = try twin.step(.int(action))
      XCTAssertEqual(a.observation, b.observation)
      XCTAssertEqual(a.reward, b.reward)
      if a.done { break }
    }
    // Moving the copy leaves the original alone.
    let lake = try XCTUnwrap(env.unwrapped as? FrozenLake)
    let copied = try XCTUnwrap(lake.copy() as? FrozenLake)
    copied.state = 14
    XCTAssertNotEqual(lake.state, 14)
  }

  func testResetSeedRepeatsAndNilContinues() throws {
    let env = try EnvRegistry.make("Taxi-v3")
    let first = try env.reset(seed: 5).observation
    let second = try env.reset(seed: nil).observation
    XCTAssertEqual(try env.reset(seed: 5).observation, first)
    XCTAssertEqual(try env.reset(seed: nil).observation, second)
  }
}

/// Sets every state in turn, takes every action `samples` times and compares what `step`
/// returns with `transitions`: exactly when deterministic, within `tolerance` otherwise.
func assertStepsFollowModel(_ env: TabularEnvironment, samples: Int, tolerance: Double, label: String,
                            file: StaticString = #filePath, line: UInt = #line) throws {
  struct Outcome: Hashable {
    let next: Int
    let reward: Double
    let terminated: Bool
  }
  let setState: (Int) -> Void
  switch env {
  case let lake as FrozenLake: setState = { lake.state = $0 }
  case let cliff as CliffWalking: setState = { cliff.state = $0 }
  case let taxi as Taxi: setState = { taxi.state = $0 }
  case let grid as GridWorld: setState = { grid.state = $0 }
  default: return XCTFail("\(label): no way to set the state", file: file, line: line)
  }
  _ = try env.reset(seed: 1)
  for (state, row) in env.transitions.enumerated() {
    for (action, outcomes) in row.enumerated() {
      var expected: [Outcome: Double] = [:]
      for outcome in outcomes {
        expected[Outcome(next: outcome.next, reward: outcome.reward, terminated: outcome.terminated), default: 0] += outcome.probability
      }
      var seen: [Outcome: Int] = [:]
      for _ in 0..<samples {
        setState(state)
        let step = try env.step(.int(action))
        guard case .int(let next) = step.observation else { return XCTFail("\(label): non-integer observation", file: file, line: line) }
        seen[Outcome(next: next, reward: step.reward, terminated: step.terminated), default: 0] += 1
      }
      for (outcome, count) in seen where expected[outcome] == nil {
        XCTFail("\(label) state \(state) action \(action): step gave \(outcome) \(count) times, not in the model", file: file, line: line)
      }
      for (outcome, probability) in expected {
        let frequency = Double(seen[outcome] ?? 0) / Double(samples)
        XCTAssertEqual(frequency, probability, accuracy: tolerance, "\(label) state \(state) action \(action) \(outcome)", file: file, line: line)
      }
    }
  }
}

/// Value iteration on a tabular model until no value moves by more than `tolerance`; terminal
/// outcomes do not bootstrap.
func valueIteration(_ transitions: [[[Transition]]], gamma: Double, tolerance: Double = 1e-12) -> [Double] {
  var values = [Double](repeating: 0, count: transitions.count)
  for _ in 0..<1_000_000 {
    var biggestChange = 0.0
    var updated = values
    for (state, row) in transitions.enumerated() {
      let best = row.map { outcomes in
        outcomes.reduce(0) { $0 + $1.probability * ($1.reward + ($1.terminated ? 0 : gamma * values[$1.next])) }
      }.max() ?? 0
      biggestChange = max(biggestChange, abs(best - values[state]))
      updated[state] = best
    }
    values = updated
    if biggestChange < tolerance { break }
  }
  return values
}
