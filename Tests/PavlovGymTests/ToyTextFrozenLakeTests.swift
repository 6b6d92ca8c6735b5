import PavlovGym
import XCTest

final class ToyTextFrozenLakeTests: XCTestCase {
  private func lake(_ env: ManagedEnvironment) throws -> FrozenLake {
    try XCTUnwrap(env.unwrapped as? FrozenLake)
  }

  func testNonSlipperyPathReachesTheGoalInSixSteps() throws {
    let env = try EnvRegistry.make("FrozenLake-v1", options: ["is_slippery": .bool(false)])
    XCTAssertEqual(try env.reset(seed: 0).observation, .int(0))
    // Down, down, right, down, right, right: 4, 8, 9, 13, 14, then the goal 15.
    let path: [(action: Int, state: Int)] = [(1, 4), (1, 8), (2, 9), (1, 13), (2, 14), (2, 15)]
    for (i, move) in path.enumerated() {
      let step = try env.step(.int(move.action))
      XCTAssertEqual(step.observation, .int(move.state))
      XCTAssertEqual(step.reward, i == 5 ? 1 : 0)
      XCTAssertEqual(step.terminated, i == 5)
      XCTAssertFalse(step.truncated)
      XCTAssertEqual(step.info["prob"], .double(1))
    }
  }

  func testAHoleEndsTheEpisodeWithoutReward() throws {
    let env = try EnvRegistry.make("FrozenLake-v1", options: ["is_slippery": .bool(false)])
    _ = try env.reset(seed: 0)
    XCTAssertEqual(try env.step(.int(2)).observation, .int(1))
    let fall = try env.step(.int(1))
    XCTAssertEqual(fall.observation, .int(5))
    XCTAssertEqual(fall.reward, 0)
    XCTAssertTrue(fall.terminated)
  }

  func testSlipperyMovesSplitIntoThirds() throws {
    let env = try EnvRegistry.make("FrozenLake-v1", seed: 42)
    let frozen = try lake(env)
    _ = try env.reset(seed: nil)
    // From (2, 2), "down" lands left on 9, down on 14, or right in the hole 11.
    var counts: [Int: Int] = [:]
    for _ in 0..<3000 {
      frozen.state = 10
      let step = try frozen.step(.int(1))
      XCTAssertEqual(step.info["prob"], .double(1.0 / 3.0))
      guard case .int(let next) = step.observation else { return XCTFail("not an int") }
      counts[next, default: 0] += 1
    }
    XCTAssertEqual(Set(counts.keys), [9, 11, 14])
    for count in counts.values { XCTAssertEqual(Double(count), 1000, accuracy: 80) }
    // The generator is seeded, so the exact counts are fixed.
    XCTAssertEqual(counts, FrozenLakePins.slipperyCounts)
  }

  func testTimeLimitFollowsTheMapSize() throws {
    XCTAssertEqual(try EnvRegistry.make("FrozenLake-v1").maxEpisodeSteps, 100)
    XCTAssertEqual(try EnvRegistry.make("FrozenLake8x8-v1").maxEpisodeSteps, 200)
    XCTAssertEqual(try EnvRegistry.make("FrozenLake-v1", options: ["map_name": .string("8x8")]).maxEpisodeSteps, 200)
    XCTAssertEqual(try EnvRegistry.make("FrozenLake8x8-v1", options: ["map_name": .string("4x4")]).maxEpisodeSteps, 100)
    XCTAssertEqual(try EnvRegistry.make("FrozenLake-v1", options: ["desc": .strings(["SFH", "FFG"])]).maxEpisodeSteps, 100)
    XCTAssertEqual(try EnvRegistry.make("FrozenLake-v1", options: ["desc": .strings(["SFFFF", "FFFFG"]) ]).maxEpisodeSteps, 100)
    XCTAssertEqual(try EnvRegistry.make("FrozenLake-v1", options: ["desc": .strings(["SFFFFF", "FFFFFF", "FFFFFG"])]).maxEpisodeSteps, 200)
    XCTAssertEqual(try EnvRegistry.make("FrozenLake-v1", options: ["random_map_size": .number(5)]).maxEpisodeSteps, 200)
    XCTAssertEqual(try EnvRegistry.make("FrozenLake-v1", maxEpisodeSteps: 7).maxEpisodeSteps, 7)
  }

  func testCustomMapIsUsedAsGiven() throws {
    let env = try EnvRegistry.make("FrozenLake-v1", options: ["desc": .strings(["FFS", "HFG"]), "is_slippery": .bool(false)])
    XCTAssertEqual(env.observationSpace, .discrete(6))
    XCTAssertEqual(try env.reset(seed: 0).observation, .int(2))
    let goal = try env.step(.int(1))
    XCTAssertEqual(goal.observation, .int(5))
    XCTAssertEqual(goal.reward, 1)
    XCTAssertTrue(goal.terminated)
  }

  func testBadMapsAndOptionsSayWhatToFix() {
    let cases: [([String: EnvOption], String)] = [
      (["desc": .strings(["SFF", "FG"])], "FrozenLake-v1: option desc: row 1 has 2 cells but row 0 has 3"),
      (["desc": .strings(["SFF", "FxG"])], "FrozenLake-v1: option desc: row 1, column 1 is \"x\"; use only S (start), F (frozen), H (hole), G (goal)"),
      (["desc": .strings(["SFS", "FFG"])], "FrozenLake-v1: option desc needs exactly one S (start), found 2 (row 0 column 0, row 0 column 2)"),
      (["desc": .strings(["FFF", "FFG"])], "FrozenLake-v1: option desc needs exactly one S (start), found none"),
      (["desc": .strings(["SFF", "FFH"])], "FrozenLake-v1: option desc needs at least one G (goal), found none"),
      (["desc": .strings([])], "FrozenLake-v1: option desc is empty"),
      (["desc": .strings(["SG"]), "map_name": .string("8x8")], "give only one of desc, map_name and random_map_size (got desc and map_name)"),
      (["map_name": .string("5x5")], "option map_name is \"5x5\"; use \"4x4\" or \"8x8\""),
      (["p": .number(0.5)], "options p and map_seed shape a random map; add random_map_size"),
      (["random_map_size": .number(1)], "option random_map_size must be from 2 to 256, got 1"),
      (["random_map_size": .number(4), "p": .number(0)], "option p (the chance a cell is frozen) must be in (0, 1], got 0"),
      (["random_map_size": .number(4), "map_seed": .number(-1)], "option map_seed must be 0 or more"),
      (["is_slipery": .bool(false)], "FrozenLake-v1 has no option is_slipery"),
      (["is_slippery": .number(1)], "option is_slippery must be a bool"),
    ]
    for (options, message) in cases {
      XCTAssertThrowsError(try EnvRegistry.make("FrozenLake-v1", options: options), "\(options)") { error in
        XCTAssertTrue("\(error)".contains(message), "\(error)\n  should contain: \(message)")
      }
    }
  }

  func testRandomMapsHaveAPathAndRepeatWithTheirSeed() throws {
    let map = try FrozenLakeMaps.random(size: 6, frozen: 0.8, seed: 3)
    XCTAssertEqual(map.count, 6)
    XCTAssertTrue(map.allSatisfy { $0.count == 6 })
    XCTAssertEqual(map.first?.first, "S")
    XCTAssertEqual(map.last?.last, "G")
    XCTAssertEqual(try FrozenLakeMaps.random(size: 6, frozen: 0.8, seed: 3), map)
    XCTAssertNotEqual(try FrozenLakeMaps.random(size: 6, frozen: 0.8, seed: 4), map)
    XCTAssertEqual(try FrozenLakeMaps.random(size: 3, frozen: 1, seed: 0), ["SFF", "FFF", "FFG"])
    XCTAssertEqual(map, FrozenLakePins.randomMap)
    // A path exists: value iteration without slipping and with gamma 1 reaches the goal.
    let stepper = try FrozenLake(desc: map, isSlippery: false)
    XCTAssertEqual(valueIteration(stepper.transitions, gamma: 1)[0], 1)
    // Through make, the map comes from map_seed (default 0).
    let made = try lake(EnvRegistry.make("FrozenLake-v1", options: ["random_map_size": .number(6), "map_seed": .number(3)]))
    XCTAssertEqual(made.desc, map)
    let unseeded = try lake(EnvRegistry.make("FrozenLake-v1", options: ["random_map_size": .number(6)]))
    XCTAssertEqual(unseeded.desc, try FrozenLakeMaps.random(size: 6, frozen: 0.8, seed: 0))
  }

  func testValueIterationMatchesThePublishedValue() throws {
    // Gymnasium's 4x4 slippery lake, gamma 0.99. The figures were also produced by an
    // independent Python value iteration written from the map alone.
    let lake = try FrozenLake()
    let values = valueIteration(lake.transitions, gamma: 0.99)
    XCTAssertEqual(values[0], 0.542026, accuracy: 1e-6)
    XCTAssertEqual(values[4], 0.558451, accuracy: 1e-6)
    XCTAssertEqual(values[14], 0.862837, accuracy: 1e-6)
    for hole in [5, 7, 11, 12] { XCTAssertEqual(values[hole], 0) }
  }

  func testRenderMarksTheAgentAndTheLastAction() throws {
    let env = try EnvRegistry.make("FrozenLake-v1", options: ["is_slippery": .bool(false)])
    _ = try env.reset(seed: 0)
    XCTAssertEqual(env.render(), "[S]F F F\n F H F H\n F F F H\n H F F G")
    _ = try env.step(.int(1))
    XCTAssertEqual(env.render(), "  (Down)\n S F F F\n[F]H F H\n F F F H\n H F F G")
    _ = try env.step(.int(1))
    _ = try env.step(.int(2))
    _ = try env.step(.int(2))
    XCTAssertEqual(env.render(), "  (Right)\n S F F F\n F H F H\n F F[F]H\n H F F G")
  }
}

/// Exact figures from the seeded generator, pinned so a change in sampling shows up. The
/// counts were also reproduced by a Python xoshiro256** with the same pick-by-cumulative rule.
enum FrozenLakePins {
  static let slipperyCounts: [Int: Int] = [9: 1024, 14: 951, 11: 1025]
  static let randomMap = ["SFFFFF", "FFHFHF", "FFFFFF", "HFFFFF", "HHFHFF", "FHFFHG"]
}
