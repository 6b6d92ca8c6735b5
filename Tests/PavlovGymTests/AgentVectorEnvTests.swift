import PavlovCore
import PavlovGym
import XCTest

/// Two agents; the observation is [steps so far, agent index, last action]. agent_1 terminates
/// after `relayLength` steps with reward 5; agent_0 is truncated after `length` steps.
private final class Relay: ParallelEnvironment {
  let possibleAgents = ["agent_0", "agent_1"]
  let length: Int, relayLength: Int
  var agents: [Int] = []
  var steps = 0
  var resets: [UInt64?] = []
  init(length: Int = 3, relayLength: Int = 1) {
    self.length = length
    self.relayLength = relayLength
  }
  func observationSpace(_ agent: Int) -> Space { .box(low: 0, high: 100, shape: [3]) }
  func actionSpace(_ agent: Int) -> Space { .discrete(4) }
  func reset(seed: UInt64?) throws -> ParallelReset {
    resets.append(seed)
    steps = 0
    agents = [0, 1]
    return ParallelReset(observations: [.reals([0, 0, 0]), .reals([0, 1, 0])], infos: [["who": .int(0)], ["who": .int(1)]])
  }
  func step(_ actions: [Point?]) throws -> ParallelStep {
    steps += 1
    var out = ParallelStep(agents: 2)
    for a in agents {
      guard case .int(let move)? = actions[a] else { throw CoreError("no action for \(a)") }
      out.observations[a] = .reals([Double(steps), Double(a), Double(move)])
      out.rewards[a] = Double(move)
      out.infos[a] = ["step": .int(steps)]
    }
    if agents.contains(1), steps == relayLength {
      out.terminations[1] = true
      out.rewards[1] = 5
    }
    if steps == length { out.truncations[0] = true }
    agents = agents.filter { !out.terminations[$0] && !out.truncations[$0] }
    return out
  }
  func render() -> String { "" }
}

final class AgentVectorEnvTests: XCTestCase {
  func testRowsAreTheAgentsOfEachCopyInOrder() throws {
    let copies = [Relay(), Relay()]
    let vector = try AgentVectorEnv(copies: copies, name: "Relay", seed: 10)
    XCTAssertEqual(vector.count, 4)
    let reset = try vector.reset()
    XCTAssertEqual(reset.observations, [0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0])
    XCTAssertEqual(copies.map(\.resets), [[10], [11]], "copy c is seeded with seed + c")
    let step = try vector.step(discreteActions: [1, 2, 3, 0])
    XCTAssertEqual(step.rewards, [1, 5, 3, 5])
    XCTAssertEqual(step.terminated, [false, false, false, false], "a row ends only with its copy's episode")
    // agent_1 left: its row is zeros (SuperSuit's black death) while agent_0 plays on.
    XCTAssertEqual(step.observations, [1, 0, 1, 0, 0, 0, 1, 0, 3, 0, 0, 0])
  }

  func testADepartedAgentWaitsWithRewardZeroAndEndsWithItsCopy() throws {
    let copy = Relay()
    let vector = try AgentVectorEnv(copies: [copy], name: "Relay", seed: 0)
    _ = try vector.reset()
    _ = try vector.step(discreteActions: [1, 1])
    let second = try vector.step(discreteActions: [2, 3])
    XCTAssertEqual(second.rewards, [2, 0], "agent_1's action is ignored once it left")
    let last = try vector.step(discreteActions: [3, 3])
    XCTAssertEqual(last.terminated, [false, true])
    XCTAssertEqual(last.truncated, [true, false], "each row ends as its agent left")
    XCTAssertEqual(last.finalObservations, [.reals([3, 0, 3]), .reals([1, 1, 1])])
    XCTAssertEqual(last.finalInfos[1], ["step": .int(1)])
    XCTAssertEqual(last.observations, [0, 0, 0, 0, 1, 0], "the copy restarted in the same step")
    XCTAssertEqual(last.infos, [["who": .int(0)], ["who": .int(1)]])
    XCTAssertEqual(copy.resets, [0, nil], "autoresets continue the copy's generator")
  }

  func testSpreadRowsMatchTheCopiesSteppedByHand() throws {
    let vector = try AgentVectorEnv(copies: [Spread(), Spread()], name: "Spread-v0", seed: 3)
    let byHand = [Spread(), Spread()]
    var expected: [Double] = []
    for (c, env) in byHand.enumerated() {
      let reset = try env.reset(seed: 3 + UInt64(c))
      for case .reals(let o)? in reset.observations { expected += o }
    }
    XCTAssertEqual(try vector.reset().observations, expected)
    let actions = [1, 2, 3, 4, 0, 1]
    let step = try vector.step(discreteActions: actions)
    expected = []
    for (c, env) in byHand.enumerated() {
      let result = try env.step((0..<3).map { .int(actions[c * 3 + $0]) })
      for case .reals(let o)? in result.observations { expected += o }
    }
    XCTAssertEqual(step.observations, expected)
  }

  func testBadInputIsExplained() throws {
    XCTAssertThrowsError(try AgentVectorEnv(copies: [], name: "Relay")) { error in
      XCTAssertTrue("\(error)".contains("at least one copy"), "\(error)")
    }
    let shared = Relay()
    XCTAssertThrowsError(try AgentVectorEnv(copies: [shared, shared], name: "Relay")) { error in
      XCTAssertTrue("\(error)".contains("copies 0 and 1 are the same env"), "\(error)")
    }
    XCTAssertThrowsError(try AgentVectorEnv(copies: [try AgentIndicator(shared, name: "Relay"), try AgentIndicator(shared, name: "Relay")], name: "Relay")) { error in
      XCTAssertTrue("\(error)".contains("copies 0 and 1 are the same env"), "one env under two wrappers: \(error)")
    }
    let vector = try AgentVectorEnv(copies: [Relay()], name: "Relay")
    XCTAssertThrowsError(try vector.step(discreteActions: [0, 0])) { error in
      XCTAssertTrue("\(error)".contains("step() before reset()"), "\(error)")
    }
    _ = try vector.reset()
    XCTAssertThrowsError(try vector.step(discreteActions: [0])) { error in
      XCTAssertTrue("\(error)".contains("got 1 actions for 2 rows (1 copies × 2 agents)"), "\(error)")
    }
    XCTAssertThrowsError(try vector.step(discreteActions: [0, 7])) { error in
      XCTAssertTrue("\(error)".contains("invalid action for row 1 (agent_1 of copy 0)"), "\(error)")
    }
    XCTAssertThrowsError(try vector.step(continuousActions: [0, 0])) { error in
      XCTAssertTrue("\(error)".contains("needs a Box action space"), "\(error)")
    }
  }

  func testAgentIndicatorAppendsTheOneHotIndex() throws {
    let env = try AgentIndicator(Relay(), name: "Relay")
    XCTAssertEqual(env.observationSpace(1), .box(low: [0, 0, 0, 0, 0], high: [100, 100, 100, 1, 1], shape: [5]))
    let reset = try env.reset(seed: 0)
    XCTAssertEqual(reset.observations, [.reals([0, 0, 0, 1, 0]), .reals([0, 1, 0, 0, 1])])
    let step = try env.step([.int(2), .int(3)])
    XCTAssertEqual(step.observations[1], .reals([1, 1, 3, 0, 1]))
    XCTAssertEqual(step.rewards, [2, 5])
    XCTAssertNil(env.copy(), "Relay cannot be copied, so neither can its wrapper")
    let spread = try AgentIndicator(Spread(), name: "Spread-v0")
    _ = try spread.reset(seed: 1)
    let twin = try XCTUnwrap(spread.copy())
    XCTAssertEqual(try twin.step([.int(1), .int(2), .int(3)]).observations, try spread.step([.int(1), .int(2), .int(3)]).observations)
    XCTAssertEqual(checkMultiAgentEnv(.parallel(try AgentIndicator(Spread(), name: "Spread-v0")), seed: 0), [])
  }
}
