@testable import PavlovGym
import XCTest

/// TextNav-v0: the expert's plan is a shortest one (checked against a search of every command
/// sequence), every observation fits the space, and invalid commands are penalised steps.
final class TextNavTests: XCTestCase {
  /// The fewest commands that reach the goal, by breadth-first search over copies of `env`
  /// (`render()` shows the whole state, so it names a state).
  private func shortestPlan(_ env: TextNav) throws -> Int {
    var frontier = [env], seen: Set<String> = [env.render()], depth = 0
    while !frontier.isEmpty {
      depth += 1
      var next: [TextNav] = []
      for state in frontier {
        for command in state.commands {
          let twin = try XCTUnwrap(state.copy() as? TextNav, "TextNav.copy() failed")
          if try twin.step(.text(command)).terminated { return depth }
          if seen.insert(twin.render()).inserted { next.append(twin) }
        }
      }
      frontier = next
    }
    return -1
  }

  func testTheExpertFollowsAShortestPlanFromEveryStart() throws {
    let env = try TextNav()
    var steps = 0, chests = 0
    for seed in 0..<1000 {
      let start = try env.reset(seed: UInt64(seed))
      guard case .int(let plan)? = start.info["plan"] else { return XCTFail("no plan") }
      if seed < 100 { XCTAssertEqual(try shortestPlan(env), plan, "seed \(seed)") }
      chests += env.goal.object == TextNav.key ? 1 : 0
      var info = start.info, taken = 0, last: Step?
      while last?.terminated != true && taken < 30 {
        guard case .string(let command)? = info["expert_action"] else { return XCTFail("no expert action") }
        let step = try env.step(.text(command))
        XCTAssertEqual(step.info["invalid"], .bool(false))
        (info, last, taken) = (step.info, step, taken + 1)
      }
      XCTAssertEqual(last?.reward, 0, "seed \(seed)")
      XCTAssertEqual(taken, plan, "seed \(seed)")
      steps += taken
    }
    // Measured: every goal reached, in 5.00 commands on average (8 at most); 189 of the 1,000
    // goals open the chest.
    XCTAssertLessThan(Double(steps) / 1000, 6)
    XCTAssertGreaterThan(chests, 100)
  }

  func testObservationsStayInTheSpaceOnRandomWalks() throws {
    let env = try TextNav()
    let rng = SeededGenerator(seed: 4)
    var longest = 0
    for seed in 0..<200 {
      _ = try env.reset(seed: UInt64(seed))
      for _ in 0..<40 {
        let commands = env.commands
        let step = try env.step(.text(commands[rng.nextInt(below: commands.count)]))
        XCTAssertTrue(env.observationSpace.contains(step.observation), "\(step.observation)")
        if case .text(let text) = step.observation { longest = max(longest, text.count) }
        if step.terminated { break }
      }
    }
    // Measured: 190 characters at most on these walks, about 120 on most steps.
    XCTAssertLessThanOrEqual(longest, 200)
    // The longest there can be (212 characters): all five things in the living room's basket.
    (env.agent, env.places) = (2, Array(repeating: .inside(2), count: TextNav.objects.count))
    XCTAssertTrue(env.observationSpace.contains(.text(env.observationText)), env.observationText)
  }

  func testInvalidCommandsArePenalisedSteps() throws {
    let env = try TextNav()
    let start = try env.reset(seed: 2)
    let step = try env.step(.text("fly to the moon"))
    XCTAssertEqual(step.observation, start.observation)
    XCTAssertEqual(step.reward, -2)
    XCTAssertEqual(step.info["invalid"], .bool(true))
    XCTAssertFalse(step.terminated)
    // A well-formed command that does nothing here is invalid too.
    XCTAssertEqual(try env.step(.text("open chest")).info["invalid"], .bool(true))
    XCTAssertEqual(try TextNav(invalidReward: -0.5).reset(seed: 2).observation, start.observation)
    XCTAssertThrowsError(try TextNav(invalidReward: .nan))
  }

  func testTheChestOpensOnlyWithTheKey() throws {
    let env = try TextNav()
    _ = try env.reset(seed: 0)
    (env.agent, env.places) = (TextNav.chestRoom, [.floor(0), .floor(1), .floor(2), .floor(3), .floor(TextNav.chestRoom)])
    XCTAssertFalse(env.commands.contains("open chest"))
    XCTAssertEqual(try env.step(.text("take key")).info["holding"], .string("key"))
    XCTAssertTrue(env.commands.contains("open chest"))
    _ = try env.step(.text("open chest"))
    XCTAssertTrue(env.chestOpen)
    XCTAssertTrue(env.commands.contains("put key in chest"))
  }

  func testCheckEnvSeedingAndCopies() throws {
    XCTAssertEqual(checkEnv(try EnvRegistry.make("TextNav-v0", seed: 1)), [])
    let a = try TextNav(), b = try TextNav()
    XCTAssertEqual(try playExpert(a, seed: 9, steps: 30), try playExpert(b, seed: 9, steps: 30))
    XCTAssertNotEqual(try playExpert(a, seed: 9, steps: 0), try playExpert(a, seed: 10, steps: 0))
    _ = try a.reset(seed: 5)
    try assertCopyIsIndependent(a, actions: a.commands + ["go nowhere"] + a.commands)
  }
}
