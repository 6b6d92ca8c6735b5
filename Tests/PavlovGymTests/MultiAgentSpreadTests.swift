import PavlovGym
import XCTest

final class MultiAgentSpreadTests: XCTestCase {
  /// The grid move that closes an offset (drow, dcol): rows first, then columns.
  static func toward(_ drow: Double, _ dcol: Double) -> Int {
    if drow < 0 { return 1 }
    if drow > 0 { return 2 }
    if dcol < 0 { return 3 }
    if dcol > 0 { return 4 }
    return 0
  }

  func testAgentsWalkingToTheirOwnLandmarkCoverThemAll() throws {
    for seed in 0..<10 as Range<UInt64> {
      let env = Spread()
      var observations = try env.reset(seed: seed).observations
      var last = ParallelStep(agents: 3)
      while !env.agents.isEmpty {
        // Agent i's offset to landmark i sits after its own position, at 2 + 2i.
        let actions: [Point?] = (0..<3).map { i in
          guard case .reals(let o)? = observations[i] else { return nil }
          return .int(Self.toward(o[2 + 2 * i], o[3 + 2 * i]))
        }
        last = try env.step(actions)
        observations = last.observations
      }
      XCTAssertEqual(last.infos[0]["coverage"], .double(1), "seed \(seed)")
      XCTAssertEqual(last.rewards, [1, 1, 1], "all landmarks covered, no agents sharing a cell")
      XCTAssertEqual(last.truncations, [true, true, true])
      XCTAssertEqual(env.steps, 25)
    }
  }

  func testRewardCountsCoverageAndCollisions() throws {
    let env = Spread()
    _ = try env.reset(seed: 4)
    // Up and left four times each puts every agent in the top-left corner: three pairs collide.
    for action in [1, 1, 1, 1, 3, 3, 3, 3] { _ = try env.step(Array(repeating: .int(action), count: 3)) }
    let step = try env.step(Array(repeating: .int(0), count: 3))
    XCTAssertEqual(env.positions, Array(repeating: GridCell(row: 0, col: 0), count: 3))
    let covered = env.landmarks.contains(GridCell(row: 0, col: 0)) ? 1.0 / 3 : 0
    XCTAssertEqual(step.rewards[0], covered - 0.3, accuracy: 1e-12)
    XCTAssertEqual(step.rewards, Array(repeating: step.rewards[0], count: 3), "the reward is shared")
    XCTAssertTrue(env.render().contains("+"), env.render())
  }

  func testObservationAndStateLayout() throws {
    let env = Spread(agents: 2, size: 4)
    let first = try env.reset(seed: 2)
    let (a, b) = (env.positions[0], env.positions[1])
    let (l0, l1) = (env.landmarks[0], env.landmarks[1])
    func scaled(_ x: Int) -> Double { Double(x) / 3 }
    XCTAssertEqual(first.observations[1], .reals([scaled(b.row), scaled(b.col),
                                                  scaled(l0.row - b.row), scaled(l0.col - b.col),
                                                  scaled(l1.row - b.row), scaled(l1.col - b.col),
                                                  scaled(a.row - b.row), scaled(a.col - b.col)]))
    XCTAssertEqual(env.state(), [a, b, l0, l1].flatMap { [scaled($0.row), scaled($0.col)] })
    XCTAssertEqual(Set([a, b, l0, l1]).count, 4, "start cells are distinct")
    XCTAssertEqual(env.observationSpace(0).flatCount, 8)
  }

  func testSeedsRepeatAndCopiesAreIndependent() throws {
    let env = Spread()
    _ = try env.reset(seed: 9)
    let start = env.state()
    _ = try env.reset(seed: 9)
    XCTAssertEqual(env.state(), start)
    let twin = try XCTUnwrap(env.copy() as? Spread)
    _ = try twin.step(Array(repeating: .int(2), count: 3))
    XCTAssertEqual(env.state(), start)
    XCTAssertEqual(env.steps, 0)
    XCTAssertEqual(twin.steps, 1)
  }

  func testPassesTheCheckAndRejectsBadOptions() throws {
    XCTAssertEqual(checkMultiAgentEnv(try MultiAgentRegistry.make("Spread-v0")), [])
    XCTAssertEqual(checkMultiAgentEnv(try MultiAgentRegistry.make("Spread-v0", options: ["agents": .number(4), "size": .number(6)])), [])
    XCTAssertThrowsError(try MultiAgentRegistry.make("Spread-v0", options: ["agents": .number(13)])) { error in
      XCTAssertTrue("\(error)".contains("26 pieces need distinct start cells but a 5×5 grid has 25"), "\(error)")
    }
    XCTAssertThrowsError(try MultiAgentRegistry.make("Spread-v0", options: ["size": .number(1)])) { error in
      XCTAssertTrue("\(error)".contains("size must be from 2 to 1000"), "\(error)")
    }
  }

  func testAViewShowsOnlyNearbyPiecesAndFlagsThem() throws {
    let env = Spread(agents: 2, size: 5, view: 1)
    XCTAssertEqual(env.observationSpace(0).flatCount, 2 + 3 * 3)
    _ = try env.reset(seed: 0)
    let full = Spread(agents: 2, size: 5)
    _ = try full.reset(seed: 0)
    for agent in 0..<2 {
      let seen = env.observation(for: agent), all = full.observation(for: agent)
      XCTAssertEqual(Array(seen[0..<2]), Array(all[0..<2]), "the own position is always known")
      for target in 0..<3 {
        let dr = all[2 + 2 * target], dc = all[3 + 2 * target]
        let near = abs(dr) * 4 <= 1 && abs(dc) * 4 <= 1
        XCTAssertEqual(Array(seen[(2 + 3 * target)..<(5 + 3 * target)]), near ? [dr, dc, 1] : [0, 0, 0], "agent \(agent), target \(target)")
      }
      XCTAssertTrue(env.observationSpace(agent).contains(.reals(seen)))
    }
    XCTAssertEqual(env.state(), full.state(), "the state shows everything")
    XCTAssertEqual(checkMultiAgentEnv(.parallel(Spread(agents: 3, view: 2)), seed: 0), [])
    XCTAssertThrowsError(try MultiAgentRegistry.make("Spread-v0", options: ["view": .number(-1)])) { error in
      XCTAssertTrue("\(error)".contains("option view must be 0 or more"), "\(error)")
    }
  }
}
