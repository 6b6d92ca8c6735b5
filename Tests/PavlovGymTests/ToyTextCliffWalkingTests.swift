import PavlovGym
import XCTest

final class ToyTextCliffWalkingTests: XCTestCase {
  func testTheCliffSendsTheAgentBackToTheStart() throws {
    let env = try EnvRegistry.make("CliffWalking-v0")
    XCTAssertEqual(try env.reset(seed: 0).observation, .int(36))
    let up = try env.step(.int(0))
    XCTAssertEqual(up.observation, .int(24))
    XCTAssertEqual(up.reward, -1)
    _ = try env.step(.int(1))  // (2, 1)
    let fall = try env.step(.int(2))  // down onto the cliff at (3, 1)
    XCTAssertEqual(fall.observation, .int(36))
    XCTAssertEqual(fall.reward, -100)
    XCTAssertFalse(fall.terminated)
  }

  func testTheSafePathCostsThirteen() throws {
    let env = try EnvRegistry.make("CliffWalking-v0")
    _ = try env.reset(seed: 0)
    var total = 0.0
    var last: Step?
    for action in [0] + Array(repeating: 1, count: 11) + [2] {
      let step = try env.step(.int(action))
      total += step.reward
      last = step
    }
    XCTAssertEqual(total, -13)
    XCTAssertEqual(last?.observation, .int(47))
    XCTAssertEqual(last?.terminated, true)
    // Value iteration (gamma 1) finds the same shortest path along the cliff edge.
    let cliff = try XCTUnwrap(env.unwrapped as? CliffWalking)
    XCTAssertEqual(valueIteration(cliff.transitions, gamma: 1)[36], -13)
  }

  func testNoTimeLimitAsGymnasium() throws {
    XCTAssertNil(try EnvRegistry.make("CliffWalking-v0").maxEpisodeSteps)
    XCTAssertNil(EnvRegistry.spec("CliffWalking-v0")?.maxEpisodeSteps)
  }

  func testSlipperyModelSplitsIntoThirds() throws {
    let cliff = try XCTUnwrap(try EnvRegistry.make("CliffWalking-v0", options: ["is_slippery": .bool(true)]).unwrapped as? CliffWalking)
    XCTAssertTrue(cliff.isSlippery)
    // Right from (2, 1): up to (1, 1), right to (2, 2), or down onto the cliff.
    XCTAssertEqual(cliff.transitions[25][1], [
      Transition(probability: 1.0 / 3, next: 13, reward: -1, terminated: false),
      Transition(probability: 1.0 / 3, next: 26, reward: -1, terminated: false),
      Transition(probability: 1.0 / 3, next: 36, reward: -100, terminated: false),
    ])
    XCTAssertEqual(try XCTUnwrap(try EnvRegistry.make("CliffWalkingSlippery-v1").unwrapped as? CliffWalking).isSlippery, true)
  }

  func testRenderUsesGymnasiumLetters() throws {
    let env = try EnvRegistry.make("CliffWalking-v0")
    _ = try env.reset(seed: 0)
    _ = try env.step(.int(0))
    XCTAssertEqual(env.render(), """
        (Up)
       o o o o o o o o o o o o
       o o o o o o o o o o o o
      [o]o o o o o o o o o o o
       o C C C C C C C C C C T
      """)
  }
}
