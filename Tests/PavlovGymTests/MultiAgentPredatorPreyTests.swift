@testable import PavlovGym
import XCTest

final class MultiAgentPredatorPreyTests: XCTestCase {
  /// Runs episodes with every predator choosing from its own observation; returns how many caught the prey.
  private func catches(episodes: Int, policy: ([Double]) -> Int) throws -> Int {
    let env = PredatorPrey()
    var caught = 0
    for episode in 0..<episodes {
      var observations = try env.reset(seed: UInt64(episode)).observations
      while !env.agents.isEmpty {
        let actions: [Point?] = observations.map { o in
          guard case .reals(let numbers)? = o else { return nil }
          return .int(policy(numbers))
        }
        let step = try env.step(actions)
        observations = step.observations
        if step.infos[0]["caught"] == .bool(true) { caught += 1 }
      }
    }
    return caught
  }

  func testAGreedyChaseCatchesThePreyMoreOftenThanRandomMoves() throws {
    // The prey's offset sits right after the predator's own position.
    let greedy = try catches(episodes: 100) { o in
      abs(o[2]) >= abs(o[3]) ? (o[2] < 0 ? 1 : o[2] > 0 ? 2 : 0) : (o[3] < 0 ? 3 : 4)
    }
    let generator = SeededGenerator(seed: 5)
    let random = try catches(episodes: 100) { _ in generator.nextInt(below: 5) }
    XCTAssertGreaterThanOrEqual(greedy, 80, "greedy chase caught \(greedy) of 100")
    XCTAssertLessThan(random, greedy - 20, "random moves caught \(random) of 100, greedy \(greedy)")
  }

  func testTwoPredatorsBesideThePreyCatchItBeforeItMoves() throws {
    let env = PredatorPrey()
    _ = try env.reset(seed: 0)
    env.prey = GridCell(row: 3, col: 3)
    env.predators = [GridCell(row: 3, col: 1), GridCell(row: 1, col: 3), GridCell(row: 6, col: 6)]
    // Right and down bring two predators next to the prey.
    let step = try env.step([.int(4), .int(2), .int(0)])
    XCTAssertEqual(env.prey, GridCell(row: 3, col: 3), "a caught prey does not move")
    XCTAssertEqual(step.terminations, [true, true, true])
    XCTAssertEqual(step.rewards.map { ($0 * 100).rounded() / 100 }, [0.99, 0.99, 0.99])
    XCTAssertEqual(step.infos[2]["caught"], .bool(true))
    XCTAssertEqual(env.agents, [])
    XCTAssertTrue(env.render().contains("prey caught"), env.render())
  }

  func testOnePredatorAloneCannotCatchAndThePreyAvoidsPredators() throws {
    let env = PredatorPrey(maxCycles: 1000)
    _ = try env.reset(seed: 1)
    env.predators = [GridCell(row: 0, col: 0), GridCell(row: 6, col: 6), GridCell(row: 6, col: 0)]
    for _ in 0..<300 {
      // predator_0 sits on the prey's cell; the others stay in far corners.
      env.predators[0] = env.prey
      let before = env.prey
      let step = try env.step([.int(0), .int(0), .int(0)])
      if env.caught { XCTAssertTrue(env.predators[1...].contains { $0.touches(env.prey) }); return }
      XCTAssertEqual(step.rewards, [-0.01, -0.01, -0.01])
      XCTAssertTrue(env.prey.touches(before), "the prey moves one cell at most")
      XCTAssertFalse(env.predators[1...].contains(env.prey), "the prey never steps onto a predator")
    }
  }

  func testStartsAreDistinctAndNeverACatch() throws {
    let env = PredatorPrey()
    for seed in 0..<300 as Range<UInt64> {
      _ = try env.reset(seed: seed)
      XCTAssertEqual(Set(env.predators + [env.prey]).count, 4, "seed \(seed)")
      XCTAssertFalse(env.isCaught, "seed \(seed) starts with the prey caught")
    }
  }

  func testTruncationStateAndOptions() throws {
    guard case .parallel(let made) = try MultiAgentRegistry.make("PredatorPrey-v0", options: ["max_cycles": .number(3), "size": .number(30)]),
          let env = made as? PredatorPrey else { return XCTFail("PredatorPrey-v0 is a parallel PredatorPrey") }
    _ = try env.reset(seed: 3)
    XCTAssertEqual(env.state()?.count, 8)
    XCTAssertEqual(env.state().map { Array($0.suffix(2)) }, [Double(env.prey.row) / 29, Double(env.prey.col) / 29])
    var last = ParallelStep(agents: 3)
    while !env.agents.isEmpty { last = try env.step(Array(repeating: .int(0), count: 3)) }
    XCTAssertEqual(env.steps, 3)
    XCTAssertEqual(last.truncations, env.caught ? [false, false, false] : [true, true, true])
    XCTAssertThrowsError(try MultiAgentRegistry.make("PredatorPrey-v0", options: ["predators": .number(1)])) { error in
      XCTAssertTrue("\(error)".contains("predators must be 2 or more"), "\(error)")
    }
  }

  func testPassesTheMultiAgentCheck() throws {
    XCTAssertEqual(checkMultiAgentEnv(try MultiAgentRegistry.make("PredatorPrey-v0")), [])
    XCTAssertEqual(checkMultiAgentEnv(try MultiAgentRegistry.make("PredatorPrey-v0", options: ["predators": .number(4), "size": .number(4)])), [])
  }
}
