import PavlovGym
import XCTest

final class MultiAgentRockPaperScissorsTests: XCTestCase {
  private func onehots(_ own: Int, _ other: Int) -> [Double] {
    (0..<6).map { $0 == own || $0 == 3 + other ? 1 : 0 }
  }

  func testObservationsRewardsAndTruncation() throws {
    let env = RockPaperScissors(memory: 2, maxCycles: 3)
    let first = try env.reset(seed: 0)
    XCTAssertEqual(first.observations[0], .reals(Array(repeating: 0, count: 12)))
    // Round 1: rock against paper.
    var step = try env.step([.int(0), .int(1)])
    XCTAssertEqual(step.rewards, [-1, 1])
    XCTAssertEqual(step.observations[0], .reals(onehots(0, 1) + Array(repeating: 0, count: 6)))
    XCTAssertEqual(step.observations[1], .reals(onehots(1, 0) + Array(repeating: 0, count: 6)))
    // Round 2: scissors against paper; the newest round comes first.
    step = try env.step([.int(2), .int(1)])
    XCTAssertEqual(step.rewards, [1, -1])
    XCTAssertEqual(step.observations[0], .reals(onehots(2, 1) + onehots(0, 1)))
    XCTAssertEqual(env.render(), "round 2 of 3, score 1-1: player_0 scissors, player_1 paper → player_0 wins")
    // Round 3: a tie, and the episode is truncated; the oldest round is forgotten.
    step = try env.step([.int(1), .int(1)])
    XCTAssertEqual(step.rewards, [0, 0])
    XCTAssertEqual(step.observations[1], .reals(onehots(1, 1) + onehots(1, 2)))
    XCTAssertEqual(step.truncations, [true, true])
    XCTAssertEqual(step.terminations, [false, false])
    XCTAssertEqual(env.agents, [])
  }

  func testOptionsAreCheckedAndTheEnvPassesTheCheck() throws {
    XCTAssertEqual(checkMultiAgentEnv(try MultiAgentRegistry.make("RockPaperScissors-v0", options: ["max_cycles": .number(10)])), [])
    let env = try MultiAgentRegistry.make("RockPaperScissors-v0", options: ["memory": .number(5)])
    XCTAssertEqual(env.observationSpace(0), .box(low: 0, high: 1, shape: [30]))
    XCTAssertThrowsError(try MultiAgentRegistry.make("RockPaperScissors-v0", options: ["memory": .number(0)])) { error in
      XCTAssertTrue("\(error)".contains("memory must be from 1 to 10000"), "\(error)")
    }
    XCTAssertThrowsError(try MultiAgentRegistry.make("RockPaperScissors-v0", options: ["rounds": .number(5)])) { error in
      XCTAssertTrue("\(error)".contains("has no option rounds"), "\(error)")
    }
  }

  /// Plays `rounds` rounds of player_0 (`learner`, from its observation) against a bot playing
  /// player_1 (from its own observation); returns both players' moves each round and player_0's rewards.
  private func play(_ kind: String, rounds: Int, seed: UInt64 = 0,
                    learner: ([Double]) -> Int) throws -> (moves: [(Int, Int)], rewards: [Double]) {
    let bot = try MultiAgentRegistry.bot("RockPaperScissors-v0", kind)
    let generator = SeededGenerator(seed: seed)
    let env = RockPaperScissors(maxCycles: rounds)
    _ = try env.reset(seed: seed)
    var rewards: [Double] = []
    while !env.agents.isEmpty {
      let mine = learner(env.observation(for: 0))
      let theirs = try bot.act(.reals(env.observation(for: 1)), generator: generator)
      rewards.append(try env.step([.int(mine), theirs]).rewards[0])
    }
    return (env.history, rewards)
  }

  func testEachPatternBotFollowsItsPattern() throws {
    let expected: [String: (_ previous: (Int, Int)?) -> Int] = [
      "rock": { _ in 0 },
      "cycle": { previous in previous.map { ($0.1 + 1) % 3 } ?? 0 },
      "copy": { previous in previous?.0 ?? 0 },
      "beat_last": { previous in previous.map { RockPaperScissors.beats($0.0) } ?? 0 },
    ]
    for (kind, rule) in expected {
      // player_0 plays a seeded random sequence, so every case of each rule comes up.
      let moves = try play(kind, rounds: 30, learner: { [generator = SeededGenerator(seed: 11)] _ in generator.nextInt(below: 3) }).moves
      for (round, move) in moves.enumerated() {
        XCTAssertEqual(move.1, rule(round == 0 ? nil : moves[round - 1]), "\(kind), round \(round)")
      }
    }
  }

  func testRandomBotsHaveTheirFrequencies() throws {
    for (kind, shares) in [("random", [1.0 / 3, 1.0 / 3, 1.0 / 3]), ("biased", [0.5, 0.25, 0.25])] {
      let moves = try play(kind, rounds: 4000, learner: { _ in 0 }).moves
      for move in 0..<3 {
        let share = Double(moves.filter { $0.1 == move }.count) / 4000
        XCTAssertEqual(share, shares[move], accuracy: 0.03, "\(kind) plays \(RockPaperScissors.moveNames[move])")
      }
    }
  }

  /// The move after the most recent round in player_0's observation: (own, opponent's), or nil.
  private func last(_ observation: [Double]) -> (own: Int, other: Int)? {
    guard let own = observation[0..<3].firstIndex(of: 1), let other = observation[3..<6].firstIndex(of: 1) else { return nil }
    return (own, other - 3)
  }

  func testHandWrittenBestResponsesWinNineRoundsInTen() throws {
    let responses: [String: ([Double]) -> Int] = [
      "rock": { _ in 1 },
      // cycle plays the move after its last, so play what beats that.
      "cycle": { o in self.last(o).map { RockPaperScissors.beats(($0.other + 1) % 3) } ?? 1 },
      // copy plays my last move.
      "copy": { o in self.last(o).map { RockPaperScissors.beats($0.own) } ?? 1 },
      // beat_last plays what beats my last move.
      "beat_last": { o in self.last(o).map { RockPaperScissors.beats(RockPaperScissors.beats($0.own)) } ?? 1 },
    ]
    for (kind, response) in responses {
      let rewards = try play(kind, rounds: 100, learner: response).rewards
      XCTAssertGreaterThanOrEqual(rewards.filter { $0 == 1 }.count, 90, "best response to \(kind)")
    }
    let biased = try play("biased", rounds: 5000, seed: 3, learner: { _ in 1 }).rewards
    XCTAssertGreaterThan(biased.reduce(0, +) / 5000, 0.2, "paper against the biased bot")
  }

  func testBotsRejectAnObservationOfAnotherGame() throws {
    let bot = try MultiAgentRegistry.bot("RockPaperScissors-v0", "copy")
    XCTAssertThrowsError(try bot.act(.int(3), generator: SeededGenerator(seed: 0)))
    XCTAssertThrowsError(try MultiAgentRegistry.bot("RockPaperScissors-v0", "minimax")) { error in
      XCTAssertTrue("\(error)".contains("beat_last"), "\(error)")
    }
  }
}
