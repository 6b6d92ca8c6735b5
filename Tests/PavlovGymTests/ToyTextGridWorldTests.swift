import PavlovGym
import XCTest

final class ToyTextGridWorldTests: XCTestCase {
  private func grid(_ env: ManagedEnvironment) throws -> GridWorld {
    try XCTUnwrap(env.unwrapped as? GridWorld)
  }

  func testDefaultGridIsFiveByFiveCornerToCorner() throws {
    let env = try EnvRegistry.make("GridWorld-v0")
    let world = try grid(env)
    XCTAssertEqual(world.map, ["S....", ".....", ".....", ".....", "....G"])
    XCTAssertEqual(env.observationSpace, .discrete(25))
    XCTAssertEqual(env.maxEpisodeSteps, 100)
    XCTAssertEqual(try env.reset(seed: 0).observation, .int(0))
    // Four rights and four downs: seven steps at -0.04, then the goal's 1.
    var total = 0.0
    for action in [1, 1, 1, 1, 2, 2, 2, 2] { total += try env.step(.int(action)).reward }
    XCTAssertEqual(total, 1 - 7 * 0.04, accuracy: 1e-12)
    XCTAssertEqual(world.state, 24)
  }

  func testWallsBlockAndPitsEnd() throws {
    let options: [String: EnvOption] = ["map": .strings(["S.#", ".X.", "..G"]), "step_reward": .number(-1),
                                        "pit_reward": .number(-10)]
    let env = try EnvRegistry.make("GridWorld-v0", options: options)
    _ = try env.reset(seed: 0)
    XCTAssertEqual(try env.step(.int(1)).observation, .int(1))
    let bump = try env.step(.int(1))  // into the wall at (0, 2)
    XCTAssertEqual(bump.observation, .int(1))
    XCTAssertEqual(bump.reward, -1)
    let pit = try env.step(.int(2))
    XCTAssertEqual(pit.observation, .int(4))
    XCTAssertEqual(pit.reward, -10)
    XCTAssertTrue(pit.terminated)
  }

  func testHazardsCostInInfoWithoutEndingTheEpisode() throws {
    let options: [String: EnvOption] = ["map": .strings(["SHG", "..."]), "hazard_cost": .number(2.5)]
    let env = try EnvRegistry.make("GridWorld-v0", options: options)
    XCTAssertEqual(try env.reset(seed: 0).info["cost"], .double(0))
    let hazard = try env.step(.int(1))
    XCTAssertEqual(hazard.info["cost"], .double(2.5))
    XCTAssertEqual(hazard.reward, -0.04, accuracy: 1e-12)
    XCTAssertFalse(hazard.terminated)
    let goal = try env.step(.int(1))
    XCTAssertEqual(goal.info["cost"], .double(0))
    XCTAssertTrue(goal.terminated)
    // A map without hazards reports no cost at all.
    XCTAssertNil(try EnvRegistry.make("GridWorld-v0").reset(seed: 0).info["cost"])
    XCTAssertEqual(try grid(EnvRegistry.make("GridWorld-v0", options: ["rows": .number(2), "cols": .number(3), "hazards": .numbers([0, 1, 1, 1])])).map,
                   ["SH.", ".HG"])
  }

  func testPiecesBuildTheSameMapAsText() throws {
    let options: [String: EnvOption] = [
      "rows": .number(3), "cols": .number(4), "start": .numbers([2, 0]), "goals": .numbers([0, 3, 2, 3]),
      "walls": .numbers([1, 1, 1, 2]), "pits": .numbers([2, 2]),
    ]
    XCTAssertEqual(try grid(EnvRegistry.make("GridWorld-v0", options: options)).map, ["...G", ".##.", "S.XG"])
  }

  func testSlipSendsTheMoveSideways() throws {
    let world = try grid(EnvRegistry.make("GridWorld-v0", options: ["slip": .number(0.2)]))
    // Right from (2, 2): up 0.1, right 0.8, down 0.1.
    XCTAssertEqual(world.transitions[12][1].map(\.next), [7, 13, 17])
    XCTAssertEqual(world.transitions[12][1].map(\.probability), [0.1, 0.8, 0.1])
    // Without slip, undiscounted values are the shortest-path returns: 1 - 0.04 per step before
    // the last.
    let still = try grid(EnvRegistry.make("GridWorld-v0"))
    let values = valueIteration(still.transitions, gamma: 1)
    XCTAssertEqual(values[0], 0.72, accuracy: 1e-12)
    XCTAssertEqual(values[23], 1, accuracy: 1e-12)
    XCTAssertEqual(values[4], 1 - 3 * 0.04, accuracy: 1e-12)
    // With slip 0.2 the figures come from an independent Python value iteration of the same grid.
    let slippery = valueIteration(world.transitions, gamma: 1)
    XCTAssertEqual(slippery[23], 0.983741413, accuracy: 1e-9)
    XCTAssertEqual(slippery[0], 0.647709629, accuracy: 1e-9)
  }

  func testBadLayoutsSayWhatToFix() {
    let cases: [([String: EnvOption], String)] = [
      (["map": .strings(["S.", "G"])], "GridWorld-v0: option map: row 1 has 1 cells but row 0 has 2"),
      (["map": .strings(["S.", ".F"])], "option map: row 1, column 1 is \"F\"; use only S (start), G (goal), # (wall), X (pit), H (hazard), . (free)"),
      (["map": .strings(["S.", ".."])], "option map needs at least one G (goal)"),
      (["map": .strings(["SG"]), "rows": .number(3)], "give the layout either as map or as rows/cols/start/goals/walls/pits/hazards, not both (got map and rows)"),
      (["walls": .numbers([1, 2, 3])], "option walls lists row, column pairs, so it needs an even count of numbers; got 3"),
      (["pits": .numbers([5, 0])], "option pits has (5, 0), outside the 5x5 grid (rows 0-4, columns 0-4)"),
      (["goals": .numbers([1.5, 2])], "option goals has 1.5; rows and columns are whole numbers"),
      (["walls": .numbers([4, 4])], "cell (4, 4) is in both walls and goals"),
      (["goals": .numbers([])], "option goals needs at least one [row, column] pair"),
      (["start": .numbers([0, 0, 1, 1])], "option start is one cell [row, column], got 2 pairs"),
      (["rows": .number(0)], "option rows must be from 1 to 256, got 0"),
      (["slip": .number(1.5)], "option slip is a probability and must be from 0 to 1, got 1.5"),
      (["step_reward": .number(.infinity)], "option step_reward must be a finite number"),
    ]
    for (options, message) in cases {
      XCTAssertThrowsError(try EnvRegistry.make("GridWorld-v0", options: options), "\(options)") { error in
        XCTAssertTrue("\(error)".contains(message), "\(error)\n  should contain: \(message)")
      }
    }
  }

  func testRenderShowsWallsPitsGoalsAndTheAgent() throws {
    let env = try EnvRegistry.make("GridWorld-v0", options: ["map": .strings(["S.#", ".X.", "..G"])])
    _ = try env.reset(seed: 0)
    XCTAssertEqual(env.render(), "[S]. #\n . X .\n . . G")
    _ = try env.step(.int(2))
    XCTAssertEqual(env.render(), "  (Down)\n S . #\n[.]X .\n . . G")
  }
}
