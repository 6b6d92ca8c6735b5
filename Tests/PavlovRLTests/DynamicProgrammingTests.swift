import PavlovGym
import XCTest

@testable import PavlovRL

final class DynamicProgrammingTests: XCTestCase {
  private func model(_ id: String, _ options: [String: EnvOption] = [:]) throws -> [[[Transition]]] {
    try DynamicProgramming.model(of: try EnvRegistry.make(id, options: options), owner: "test", envName: id)
  }

  /// The slippery 4x4 lake at γ = 0.99: V(start) = 0.542 and the policy everyone publishes
  /// (left, up, up, up / left, ·, left, · / up, down, left, · / ·, right, down, ·).
  func testValueIterationOnSlipperyFrozenLake() throws {
    let result = try DynamicProgramming.valueIteration(try model("FrozenLake-v1"), gamma: 0.99)
    XCTAssertTrue(result.converged)
    XCTAssertEqual(result.values[0], 0.542, accuracy: 1e-3)
    XCTAssertEqual(result.policy, [0, 3, 3, 3, 0, 0, 0, 0, 3, 1, 0, 0, 0, 2, 1, 0])
    XCTAssertEqual(result.values[15], 0, "the goal is absorbing: its reward came on the way in")
  }

  func testPolicyIterationFindsTheSameValues() throws {
    let lake = try model("FrozenLake-v1")
    let vi = try DynamicProgramming.valueIteration(lake, gamma: 0.99)
    let pi = try DynamicProgramming.policyIteration(lake, gamma: 0.99)
    XCTAssertTrue(pi.converged)
    for s in vi.values.indices { XCTAssertEqual(pi.values[s], vi.values[s], accuracy: 1e-6, "state \(s)") }
    XCTAssertEqual(pi.policy, vi.policy)
    XCTAssertLessThan(pi.iterations, 10, "policy iteration needs a handful of improvements")
  }

  /// Deterministic worlds have closed-form values: CliffWalking's start is 13 steps from the
  /// goal at -1 each; the non-slippery lake's start is 6 steps away, V = γ^5.
  func testClosedFormValues() throws {
    let cliff = try DynamicProgramming.valueIteration(try model("CliffWalking-v0"), gamma: 1)
    XCTAssertEqual(cliff.values[36], -13, accuracy: 1e-9)
    let lake = try DynamicProgramming.policyIteration(try model("FrozenLake-v1", ["is_slippery": .bool(false)]), gamma: 0.9)
    XCTAssertEqual(lake.values[0], 0.9 * 0.9 * 0.9 * 0.9 * 0.9, accuracy: 1e-9)
  }

  /// Undiscounted, the first policy (always up) never reaches the goal and has no finite value;
  /// capped evaluations let the improvements go on anyway.
  func testUndiscountedPolicyIterationGetsPastPoliciesThatNeverEnd() throws {
    let cliff = try DynamicProgramming.policyIteration(try model("CliffWalking-v0"), gamma: 1)
    XCTAssertTrue(cliff.converged)
    XCTAssertEqual(cliff.values[36], -13, accuracy: 1e-9)
  }

  func testAStopRequestInterruptsPlanning() throws {
    XCTAssertThrowsError(try DynamicProgramming.valueIteration(try model("Taxi-v3"), shouldStop: { true })) { error in
      XCTAssertTrue(error is Interrupted, "\(error)")
    }
  }

  func testBadArgumentsAndModelFreeEnvs() throws {
    XCTAssertThrowsError(try DynamicProgramming.valueIteration(try model("Taxi-v3"), gamma: 1.5)) { error in
      XCTAssertTrue("\(error)".contains("gamma"), "\(error)")
    }
    XCTAssertThrowsError(try model("CartPole-v1")) { error in
      XCTAssertTrue("\(error)".contains("transition model (FrozenLake, CliffWalking, Taxi, GridWorld); CartPole-v1 has none"), "\(error)")
    }
  }
}
