import Foundation
import PavlovCore
import PavlovGym
import PavlovTensor
import XCTest
@testable import PavlovRL

/// The multi-agent trainers' parts (Elo, the league, matches) in closed form, and the trainers
/// learning small games: PPO against a fixed bot, self-play with per-agent advantages, VDN and
/// independent DQN coordinating, with the same numbers for the same seed.
final class MultiAgentTrainerTests: XCTestCase {
  // MARK: - Elo and the league

  func testEloExpectedScoreClosedForm() {
    XCTAssertEqual(Elo.expected(1000, against: 1000), 0.5)
    XCTAssertEqual(Elo.expected(1400, against: 1000), 1 / 1.1, accuracy: 1e-12)
    XCTAssertEqual(Elo.expected(1000, against: 1400), 1 - 1 / 1.1, accuracy: 1e-12)
    for (a, b) in [(1000.0, 1200.0), (873.5, 1511.25), (1500, 1500)] {
      XCTAssertEqual(Elo.expected(a, against: b) + Elo.expected(b, against: a), 1, accuracy: 1e-12)
    }
  }

  func testEloUpdateIsSymmetricAndPreservesTheSum() {
    let (w, l) = Elo.update(1000, 1000, score: 1)
    XCTAssertEqual(w, 1008, accuracy: 1e-12)   // K = 16, expected ½
    XCTAssertEqual(l, 992, accuracy: 1e-12)
    let (d1, d2) = Elo.update(1000, 1000, score: 0.5)
    XCTAssertEqual(d1, 1000)
    XCTAssertEqual(d2, 1000)
    for (a, b, score) in [(1000.0, 1200.0, 1.0), (1311.0, 987.0, 0.5), (900.0, 950.0, 0.0)] {
      let (x, y) = Elo.update(a, b, score: score, k: 32)
      XCTAssertEqual(x + y, a + b, accuracy: 1e-9, "the points won are the points lost")
      let (y2, x2) = Elo.update(b, a, score: 1 - score, k: 32)
      XCTAssertEqual(x, x2, accuracy: 1e-9, "the same game seen from the other side")
      XCTAssertEqual(y, y2, accuracy: 1e-9)
      XCTAssertEqual(x - a, 32 * (score - Elo.expected(a, against: b)), accuracy: 1e-9)
    }
  }

  func testLeagueDropsTheOldestSnapshotWhenFull() throws {
    let policy = try LearnedPolicy(name: "p", observationSpace: .box(low: 0, high: 1, shape: [3]), actionSpace: .discrete(2),
                                   centralSize: nil, config: MultiAgentPPOConfig(), generator: SeededGenerator(seed: 0))
    let league = League(policy: policy, capacity: 3, bots: [])
    for _ in 0..<5 { try league.addSnapshot() }
    XCTAssertEqual(league.snapshots.map(\.iteration), [2, 3, 4])
    XCTAssertEqual(league.snapshots.map(\.rating), [1000, 1000, 1000])
    league.record(score: 1, against: 0)
    league.record(score: 0.5, against: 2)
    XCTAssertEqual(league.rating + league.snapshots.map(\.rating).reduce(0, +), 4000, accuracy: 1e-9)
    XCTAssertEqual(league.snapshots.map(\.games), [1, 0, 1])
    XCTAssertGreaterThan(league.rating, 1000)
    // A snapshot is a frozen copy: same outputs as the policy when taken, unaffected after.
    let input = Tensor(shape: [1, 3], data: [0.2, 0.5, 0.9])
    let before = try policy.network.policy.forward(input).data
    XCTAssertEqual(try league.snapshots[2].network.policy.forward(input).data, before)
    for p in policy.network.parameters { p.assign(p.data.map { $0 + 0.1 }) }
    XCTAssertNotEqual(try policy.network.policy.forward(input).data, before)
    XCTAssertEqual(try league.snapshots[2].network.policy.forward(input).data, before)
  }

  // MARK: - Matches

  private func bot(_ kind: String) throws -> Bot { try MultiAgentRegistry.bot("TicTacToe-v0", kind) }

  func testMinimaxAgainstMinimaxIsAllDraws() throws {
    let env = try MultiAgentRegistry.make("TicTacToe-v0")
    let result = try Match.play(env, players: [try bot("minimax"), try bot("minimax")], episodes: 40, seed: 0)
    XCTAssertEqual(result.episodes, 40)
    XCTAssertEqual(result.draws, [40, 40])
    XCTAssertEqual(result.wins, [0, 0])
    XCTAssertEqual(result.returns, [0, 0])
    XCTAssertEqual(result.meanLength, 9, "a perfect game fills the board")
  }

  func testMinimaxNeverLosesToRandomAndTheCountsAddUp() throws {
    let env = try MultiAgentRegistry.make("TicTacToe-v0")
    for minimaxSide in 0..<2 {
      var players = [try bot("random"), try bot("random")]
      players[minimaxSide] = try bot("minimax")
      let result = try Match.play(env, players: players, episodes: 100, seed: UInt64(minimaxSide))
      let other = 1 - minimaxSide
      XCTAssertEqual(result.losses[minimaxSide], 0)
      XCTAssertEqual(result.wins[minimaxSide], result.losses[other], "zero-sum: one's wins are the other's losses")
      XCTAssertEqual(result.draws[minimaxSide], result.draws[other])
      XCTAssertEqual(result.wins[minimaxSide] + result.draws[minimaxSide], 100)
      XCTAssertGreaterThan(result.wins[minimaxSide], 60, "\(result)")
      XCTAssertEqual(result.returns[minimaxSide], Double(result.wins[minimaxSide]) / 100, accuracy: 1e-12)
      XCTAssertEqual(result.returns[other], -result.returns[minimaxSide], accuracy: 1e-12)
    }
    XCTAssertThrowsError(try Match.play(env, players: [try bot("random")], episodes: 1, seed: 0)) {
      XCTAssertTrue("\($0)".contains("one player per agent (2), got 1"), "\($0)")
    }
  }

  // MARK: - PPO against a fixed bot

  private func ticTacToeAgainstRandom(seed: UInt64, nSteps: Int = 2048) throws -> MultiAgentPPO {
    var config = MultiAgentPPOConfig()
    config.seed = seed
    config.nSteps = nSteps
    return try MultiAgentPPO(env: try MultiAgentRegistry.make("TicTacToe-v0"), name: "TicTacToe-v0",
                             slots: [("learner", nil), ("random", try bot("random"))], mapping: [0, 1], config: config)
  }

  /// The learner's greedy wins as player_1 (X) over 200 games against the random bot.
  private func greedyWins(_ trainer: MultiAgentPPO) throws -> Int {
    let env = try MultiAgentRegistry.make("TicTacToe-v0")
    let result = try Match.play(env, players: [trainer.agentBot(0, deterministic: true), try bot("random")], episodes: 200, seed: 1000)
    return result.wins[0]
  }

  func testPPOLearnsToBeatTheRandomBot() throws {
    // PAVLOV_MA_SEEDS=0,1,2 checks more seeds (CI runs seed 0).
    let seeds = (ProcessInfo.processInfo.environment["PAVLOV_MA_SEEDS"] ?? "0").split(separator: ",").compactMap { UInt64($0) }
    for seed in seeds {
      let trainer = try ticTacToeAgainstRandom(seed: seed)
      let before = try greedyWins(trainer)
      let start = Date()
      let stats = try XCTUnwrap(try trainer.train(steps: 60_000, iterations: nil))
      let wins = try greedyWins(trainer)
      print("ma_ppo TicTacToe seed \(seed): greedy wins \(before) -> \(wins)/200 after \(stats.timesteps) decisions, \(trainer.episodes) episodes, mean return \(stats.meanReturn ?? .nan), \(String(format: "%.1f", Date().timeIntervalSince(start))) s")
      XCTAssertGreaterThanOrEqual(wins, 180, "seed \(seed)")
      XCTAssertGreaterThan(wins, before + 20, "seed \(seed): training, not the first mover's edge, wins these games")
      XCTAssertGreaterThan(stats.meanReturn ?? 0, 0.6, "seed \(seed): sampling play wins most games too")
      XCTAssertEqual(trainer.timesteps, stats.timesteps)
      XCTAssertNotNil(stats["learner/policy_loss"] ?? stats["policy_loss"])
    }
  }

  func testTheSameSeedGivesTheSameNumbers() throws {
    func run() throws -> [Double?] {
      let trainer = try ticTacToeAgainstRandom(seed: 3, nSteps: 300)
      var numbers: [Double?] = []
      _ = try trainer.train(steps: nil, iterations: 3) { stats in
        numbers += stats.all.filter { $0.name != "fps" }.map(\.value)
        return .proceed
      }
      let board = Point.dict(keys: ["action_mask", "observation"], values: [.reals(Array(repeating: 1, count: 9)), .reals(TicTacToe().observation(for: 0))])
      if case .int(let k) = try trainer.act(slot: 0, observation: board, mask: nil, deterministic: false, generator: SeededGenerator(seed: 1)) {
        numbers.append(Double(k))
      }
      return numbers
    }
    let first = try run(), second = try run()
    XCTAssertGreaterThan(first.count, 20)
    XCTAssertEqual(first.count, second.count)
    for (a, b) in zip(first, second) { XCTAssertEqual(a?.bitPattern, b?.bitPattern, "\(first) vs \(second)") }
  }

  // MARK: - Self-play

  private func selfPlay(_ edit: (inout MultiAgentPPOConfig) -> Void) throws -> MultiAgentPPO {
    var config = MultiAgentPPOConfig()
    config.selfPlay = true
    config.nSteps = 256
    config.epochs = 2
    config.hidden = [32]
    edit(&config)
    return try MultiAgentPPO(env: try MultiAgentRegistry.make("TicTacToe-v0"), name: "TicTacToe-v0",
                             slots: [("shared", nil)], mapping: [0, 0], config: config)
  }

  /// Both sides share one policy, so their decisions interleave in its rows; each agent's GAE
  /// must run over its own decisions. With γ = λ = 1 a row's return is then exactly the final
  /// outcome of the side that made it: +1, −1 or 0, opposite for the two sides of a game, +1
  /// for the last mover of a won game.
  func testSelfPlayAdvantagesAreComputedPerAgent() throws {
    let trainer = try selfPlay {
      $0.gamma = 1
      $0.gaeLambda = 1
      $0.latestFraction = 1
    }
    _ = try trainer.train(steps: nil, iterations: 1)
    let policy = try XCTUnwrap(trainer.learnedPolicies.first)
    XCTAssertGreaterThanOrEqual(policy.rows, 256)
    // Episodes start where all nine cells are legal; moves alternate X, O.
    let legal = (0..<policy.rows).map { row in policy.masks[(row * 9)..<((row + 1) * 9)].filter { $0 }.count }
    var episodes: [[Int]] = []
    for row in 0..<policy.rows {
      if legal[row] == 9 { episodes.append([]) }
      episodes[episodes.count - 1].append(row)
    }
    XCTAssertGreaterThan(episodes.count, 20)
    var decided = 0
    for rows in episodes {
      for (k, row) in rows.enumerated() { XCTAssertEqual(legal[row], 9 - k, "moves alternate within an episode") }
      let outcome = policy.returns[rows[0]]
      XCTAssertTrue([-1, 0, 1].contains { abs(outcome - $0) < 1e-4 }, "a return is an outcome: \(outcome)")
      for (k, row) in rows.enumerated() {
        XCTAssertEqual(policy.returns[row], k % 2 == 0 ? outcome : -outcome, accuracy: 1e-4, "row \(k) of an episode of \(rows.count)")
        XCTAssertEqual(policy.advantages[row] + policy.values[row], policy.returns[row], accuracy: 1e-4)
      }
      if rows.count < 9 {
        decided += 1
        XCTAssertEqual(policy.returns[rows[rows.count - 1]], 1, accuracy: 1e-4, "a game over before the board fills is won by the last mover")
      }
    }
    XCTAssertGreaterThan(decided, 10)
  }

  func testSelfPlayGrowsTheLeagueAndMovesElo() throws {
    let trainer = try selfPlay {
      $0.snapshotEvery = 2
      $0.leagueSize = 2
      $0.latestFraction = 0.5
    }
    let league = try XCTUnwrap(trainer.league)
    var sizes: [Double] = []
    let stats = try XCTUnwrap(try trainer.train(steps: nil, iterations: 5) { stats in
      sizes.append(stats["league_size"] ?? -1)
      return .proceed
    })
    // The first snapshot is taken before training, then one after every second iteration;
    // the league keeps two.
    XCTAssertEqual(sizes, [1, 2, 2, 2, 2])
    XCTAssertEqual(league.snapshots.map(\.iteration), [1, 2])
    let games = league.snapshots.map(\.games).reduce(0, +)
    XCTAssertEqual(stats["elo"], league.rating)
    XCTAssertNotEqual(league.rating, Elo.initial, "games against snapshots move the learner's rating")
    XCTAssertGreaterThan(games, 0)
    let winShare = try XCTUnwrap(stats["league_win"]), drawShare = try XCTUnwrap(stats["league_draw"])
    XCTAssertTrue((0...1).contains(winShare + drawShare))
    XCTAssertEqual(trainer.algorithm, "ppo")
  }

  // MARK: - Errors

  func testConfigurationErrorsSayWhatIsWrong() throws {
    let env = try MultiAgentRegistry.make("TicTacToe-v0")
    func error(_ slots: [(name: String, bot: Bot?)], _ mapping: [Int], _ edit: (inout MultiAgentPPOConfig) -> Void = { _ in }) -> String {
      var config = MultiAgentPPOConfig()
      edit(&config)
      do {
        _ = try MultiAgentPPO(env: env, name: "TicTacToe-v0", slots: slots, mapping: mapping, config: config)
        return "no error"
      } catch { return "\(error)" }
    }
    let random = try bot("random")
    XCTAssertTrue(error([("a", nil)], [0]).contains("the mapping must give each of 2 agents a policy"))
    XCTAssertTrue(error([("a", nil)], [0, 1]).contains("the mapping must give each of 2 agents a policy"))
    XCTAssertTrue(error([("a", nil), ("b", nil)], [0, 0]).contains("no agent is mapped to the policy \"b\""))
    XCTAssertTrue(error([("a", random), ("b", random)], [0, 1]).contains("every policy is a fixed bot"))
    XCTAssertTrue(error([("a", nil), ("b", nil)], [0, 1]) { $0.selfPlay = true }.contains("self_play needs a two-agent env and one learned policy"))
    XCTAssertTrue(error([("a", nil)], [0, 0]) { $0.nSteps = 0 }.contains("n_steps must be at least 1"))
    XCTAssertTrue(error([("a", nil)], [0, 0]) { $0.centralizedCritic = true }.contains("a centralized critic needs the env's global state, and TicTacToe-v0 has none"))
    // A parallel env without state() is refused too.
    XCTAssertThrowsError(try MultiAgentPPO(env: .parallel(CoordinationGame()), name: "coordination", slots: [("shared", nil)], mapping: [0, 0],
                                           config: { var c = MultiAgentPPOConfig(); c.centralizedCritic = true; return c }())) {
      XCTAssertTrue("\($0)".contains("a centralized critic needs the env's global state, and coordination has none"), "\($0)")
      XCTAssertTrue("\($0)".contains("centralized_critic: false"), "\($0)")
    }
    var bad = ValueDecompositionConfig()
    bad.mixer = "qmix"
    XCTAssertThrowsError(try ValueDecomposition(env: CoordinationGame(), name: "coordination", config: bad)) {
      XCTAssertTrue("\($0)".contains("mixer must be \"none\" (independent learners) or \"vdn\", got \"qmix\""), "\($0)")
    }
  }

  func testMAPPOTrainsWithTheGlobalState() throws {
    var config = MultiAgentPPOConfig()
    config.centralizedCritic = true
    config.nSteps = 64
    config.epochs = 1
    guard case .parallel(let spread) = try MultiAgentRegistry.make("Spread-v0", options: ["agents": .number(2), "size": .number(4), "max_cycles": .number(8)]) else {
      return XCTFail("Spread-v0 is parallel")
    }
    let trainer = try MultiAgentPPO(env: .parallel(spread), name: "Spread-v0", slots: [("shared", nil)], mapping: [0, 0], config: config)
    XCTAssertEqual(trainer.algorithm, "mappo")
    let policy = try XCTUnwrap(trainer.learnedPolicies.first)
    XCTAssertEqual(policy.criticSize, 4 * 2 + 2 + 8, "the state, the agent's one-hot index, then its observation")
    let stats = try XCTUnwrap(try trainer.train(steps: nil, iterations: 1))
    XCTAssertEqual(stats.timesteps, 64)
    XCTAssertNotNil(stats["coverage"])
    // Every critic row has a one-hot agent index after the state (both agents appear), then the
    // actor's own observation.
    let size = policy.criticSize
    let rows = policy.criticInputs.count / size
    var indices: Set<[Float]> = []
    for row in 0..<rows {
      indices.insert(Array(policy.criticInputs[(row * size + 8)..<(row * size + 10)]))
      XCTAssertEqual(Array(policy.criticInputs[(row * size + 10)..<(row * size + size)]), Array(policy.observations[(row * 8)..<(row * 8 + 8)]))
    }
    XCTAssertEqual(indices, [[1, 0], [0, 1]])
  }

  // MARK: - Value decomposition

  private func coordinate(mixer: String, seed: UInt64) throws -> (ValueDecomposition, TrainStats) {
    var config = ValueDecompositionConfig()
    config.mixer = mixer
    config.seed = seed
    config.hidden = [16]
    config.learningStarts = 100
    config.batchSize = 32
    config.bufferSize = 2000
    config.targetUpdateInterval = 100
    config.logEvery = 500
    config.lr = 3e-3
    let trainer = try ValueDecomposition(env: CoordinationGame(), name: "coordination", config: config)
    let stats = try XCTUnwrap(try trainer.train(steps: 2000, iterations: nil))
    return (trainer, stats)
  }

  /// The greedy joint action's team reward.
  private func greedyReward(_ trainer: ValueDecomposition) throws -> Double {
    let observation = Point.reals([0])
    let a = try trainer.agentBot(0, deterministic: true).act(observation, generator: SeededGenerator(seed: 0))
    let b = try trainer.agentBot(1, deterministic: true).act(observation, generator: SeededGenerator(seed: 0))
    return a == b ? 1 : 0
  }

  func testVDNAndIndependentLearnersLearnToCoordinate() throws {
    for mixer in ["vdn", "none"] {
      for seed in 0..<3 as Range<UInt64> {
        let (trainer, stats) = try coordinate(mixer: mixer, seed: seed)
        XCTAssertEqual(try greedyReward(trainer), 1, "\(mixer) seed \(seed)")
        XCTAssertEqual(stats.timesteps, 2000)
        XCTAssertEqual(trainer.episodes, 2000, "one step per episode")
        // The last 100 episodes were played at ε = 0.05 on the coordinated greedy pair.
        XCTAssertGreaterThan(stats.meanReturn ?? 0, 0.85, "\(mixer) seed \(seed)")
        XCTAssertEqual(trainer.algorithm, mixer == "vdn" ? "vdn" : "independent_dqn")
      }
    }
  }

  func testValueDecompositionIsDeterministicGivenTheSeed() throws {
    let (a, x) = try coordinate(mixer: "vdn", seed: 5)
    let (b, y) = try coordinate(mixer: "vdn", seed: 5)
    XCTAssertEqual(x.all.filter { $0.name != "fps" }.map { $0.value?.bitPattern }, y.all.filter { $0.name != "fps" }.map { $0.value?.bitPattern })
    XCTAssertEqual(a.q.parameters.map(\.data), b.q.parameters.map(\.data))
    let (c, _) = try coordinate(mixer: "vdn", seed: 6)
    XCTAssertNotEqual(a.q.parameters.map(\.data), c.q.parameters.map(\.data), "another seed, other weights")
  }

  /// `evaluate` and `match` play on a copy of the trainer's env, so training goes on from the
  /// episode it left (it once stepped a finished one: "the episode is over; call reset()").
  func testValueDecompositionTrainsOnAfterAMatchOnItsEnv() throws {
    guard case .parallel(let spread) = try MultiAgentRegistry.make("Spread-v0", options: ["agents": .number(2), "size": .number(4), "max_cycles": .number(10)]) else {
      return XCTFail("Spread-v0 is parallel")
    }
    var config = ValueDecompositionConfig()
    config.learningStarts = 20
    config.batchSize = 8
    config.hidden = [8]
    let trainer = try ValueDecomposition(env: spread, name: "Spread-v0", config: config)
    _ = try trainer.train(steps: 15, iterations: nil)   // stops mid-episode
    let result = try Match.play(.parallel(spread), players: [trainer.agentBot(0, deterministic: true), trainer.agentBot(1, deterministic: true)],
                                episodes: 2, seed: 0)
    XCTAssertEqual(result.episodes, 2)
    XCTAssertEqual(try trainer.train(steps: 25, iterations: nil)?.timesteps, 40)
    XCTAssertEqual(trainer.episodes, 4, "episodes of 10 steps: 40 steps straight through finish four, the match in between none")
  }

  func testValueDecompositionRefusesAgentsThatLeaveEarly() throws {
    var config = ValueDecompositionConfig()
    config.learningStarts = 0
    let trainer = try ValueDecomposition(env: CoordinationGame(leaveEarly: true), name: "coordination", config: config)
    XCTAssertThrowsError(try trainer.train(steps: 10, iterations: nil)) {
      XCTAssertTrue("\($0)".contains("agents left coordination's episode before it ended"), "\($0)")
    }
  }
}

/// A one-step cooperative game: two agents each choose 0 or 1 and both get 1 if they chose the
/// same, else 0. (With `leaveEarly`, the first agent leaves after one step of a two-step episode.)
final class CoordinationGame: ParallelEnvironment {
  let possibleAgents = ["a", "b"]
  private(set) var agents: [Int] = []
  let leaveEarly: Bool
  private var t = 0

  init(leaveEarly: Bool = false) { self.leaveEarly = leaveEarly }

  func observationSpace(_ agent: Int) -> Space { .box(low: 0, high: 1, shape: [1]) }
  func actionSpace(_ agent: Int) -> Space { .discrete(2) }

  func reset(seed: UInt64?) throws -> ParallelReset {
    agents = [0, 1]
    t = 0
    return ParallelReset(observations: [.reals([0]), .reals([0])], infos: [[:], [:]])
  }

  func step(_ actions: [Point?]) throws -> ParallelStep {
    t += 1
    var result = ParallelStep(agents: 2)
    let reward: Double = actions[0] != nil && actions[0] == actions[1] ? 1 : 0
    for agent in agents {
      result.observations[agent] = .reals([0])
      result.rewards[agent] = reward
      result.terminations[agent] = leaveEarly ? (agent == 0 || t >= 2) : true
    }
    agents = agents.filter { !result.terminations[$0] }
    return result
  }

  func render() -> String { "coordination" }
}
