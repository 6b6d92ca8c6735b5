import PavlovCore
import XCTest
@testable import PavlovGym

/// The multi-agent contracts themselves: tic-tac-toe's rules, the AEC bookkeeping exactly as
/// PettingZoo does it, the board-game bots, the parallel ⇄ AEC conversions and the checker.
final class MultiAgentAPITests: XCTestCase {
  // MARK: - Tic-tac-toe rules

  private func board(_ cells: [Int]) -> TicTacToe {
    var game = TicTacToe()
    for cell in cells { game.play(cell) }
    return game
  }

  func testEveryLineWinsForXAndTheLastMoveIsSeenAsWinning() {
    for line in TicTacToe.lines {
      let others = (0..<9).filter { !line.contains($0) }
      // X takes the line; O answers on two cells off it (two marks cannot win).
      var game = board([line[0], others[0], line[1], others[1]])
      XCTAssertEqual(game.result, .ongoing, "\(line)")
      XCTAssertTrue(game.completesWin(line[2], for: 0), "\(line)")
      XCTAssertFalse(game.completesWin(line[2], for: 1), "\(line)")
      game.play(line[2])
      XCTAssertEqual(game.result, .won(by: 0), "\(line)")
      XCTAssertTrue(game.isOver)
      XCTAssertEqual(game.legalActions, [], "nothing is legal once the game is won")
    }
  }

  func testOWinsTheMiddleRow() {
    let game = board([0, 3, 1, 4, 8, 5])
    XCTAssertEqual(game.result, .won(by: 1))
    XCTAssertEqual(game.render(), "X | X | 2\n--+---+--\nO | O | O\n--+---+--\n6 | 7 | X")
  }

  func testAFullBoardWithoutALineIsADraw() {
    // X O X / X O O / O X X
    let moves = [0, 1, 2, 4, 3, 5, 7, 6, 8]
    for k in 1..<moves.count { XCTAssertEqual(board(Array(moves[0..<k])).result, .ongoing, "after \(k) moves") }
    XCTAssertEqual(board(moves).result, .draw)
  }

  func testWhyIllegalSaysWhy() {
    let game = board([4, 0])
    XCTAssertFalse(game.isLegal(4))
    XCTAssertEqual(game.whyIllegal(4), "cell 4 is taken by X")
    XCTAssertEqual(game.whyIllegal(0), "cell 0 is taken by O")
    XCTAssertEqual(game.whyIllegal(9), "cells are numbered 0 to 8")
    XCTAssertEqual(game.whyIllegal(-1), "cells are numbered 0 to 8")
    XCTAssertEqual(game.legalActions, [1, 2, 3, 5, 6, 7, 8])
    XCTAssertEqual(board([0, 3, 1, 4, 2]).whyIllegal(8), "the game is over")
  }

  func testObservationRoundTripsFromEitherSide() throws {
    let game = board([4, 0, 8])
    XCTAssertEqual(game.toMove, 1)
    let seen = try XCTUnwrap(TicTacToe(observation: game.observation(for: 1)))
    XCTAssertEqual(seen.cells, game.cells)
    XCTAssertEqual(seen.toMove, 1)
    XCTAssertNil(TicTacToe(observation: game.observation(for: 0)), "X's planes with O to move are not a position X moves in")
    XCTAssertNil(TicTacToe(observation: [1, 1] + Array(repeating: 0, count: 16)), "a cell cannot hold both marks")
  }

  // MARK: - AEC semantics (PettingZoo's)

  private func ticTacToe() throws -> AECEnvironment {
    guard case .aec(let env) = try MultiAgentRegistry.make("TicTacToe-v0") else { throw CoreError("TicTacToe-v0 should be AEC") }
    return env
  }

  func testAfterAWinTheLoserIsRetiredFirstThenTheWinner() throws {
    let env = try ticTacToe()
    try env.reset(seed: 0)
    XCTAssertEqual(env.possibleAgents, ["player_1", "player_2"])
    XCTAssertEqual(env.agents, [0, 1])
    XCTAssertEqual(env.agentSelection, 0)
    for cell in [0, 3, 1, 4] {
      XCTAssertEqual(env.last().reward, 0)
      try env.step(.int(cell))
    }
    XCTAssertEqual(env.agentSelection, 0)
    try env.step(.int(2))   // X completes the top row

    // The loser is selected first, with its −1 and terminated.
    XCTAssertEqual(env.agentSelection, 1)
    XCTAssertEqual(env.rewards, [1, -1])
    XCTAssertEqual(env.terminations, [true, true])
    let loser = env.last()
    XCTAssertEqual(loser.reward, -1)
    XCTAssertTrue(loser.terminated)
    XCTAssertFalse(loser.truncated)
    XCTAssertEqual(env.actionMask(1), Array(repeating: false, count: 9))
    XCTAssertThrowsError(try env.step(.int(5))) { error in
      XCTAssertTrue("\(error)".contains("player_2 is done"), "\(error)")
      XCTAssertTrue("\(error)".contains("step it with nil"), "\(error)")
    }

    // step(nil) retires it; the winner is next and sees +1.
    try env.step(nil)
    XCTAssertEqual(env.agents, [0])
    XCTAssertEqual(env.agentSelection, 0)
    XCTAssertEqual(env.rewards, [0, 0])
    let winner = env.last()
    XCTAssertEqual(winner.reward, 1)
    XCTAssertTrue(winner.terminated)
    try env.step(nil)
    XCTAssertEqual(env.agents, [])

    // A new episode starts clean.
    try env.reset(seed: 1)
    XCTAssertEqual(env.agents, [0, 1])
    XCTAssertEqual(env.cumulativeRewards, [0, 0])
    XCTAssertEqual(env.terminations, [false, false])
  }

  func testADrawEndsWithZeroForBoth() throws {
    let env = try ticTacToe()
    try env.reset(seed: 0)
    for cell in [0, 1, 2, 4, 3, 5, 7, 6, 8] { try env.step(.int(cell)) }
    XCTAssertEqual(env.agentSelection, 1)
    XCTAssertEqual(env.last().reward, 0)
    XCTAssertTrue(env.last().terminated)
    try env.step(nil)
    XCTAssertEqual(env.last().reward, 0)
    try env.step(nil)
    XCTAssertTrue(env.agents.isEmpty)
  }

  func testAnIllegalMoveThrowsNamingTheLegalOnes() throws {
    let env = try ticTacToe()
    try env.reset(seed: 0)
    try env.step(.int(4))
    XCTAssertEqual(env.whyIllegal(4, for: 1), "cell 4 is taken by X")
    XCTAssertEqual(env.whyIllegal(0, for: 0), "it is player_2's turn")
    XCTAssertThrowsError(try env.step(.int(4))) { error in
      let text = "\(error)"
      XCTAssertTrue(text.contains("player_2 cannot play 4: cell 4 is taken by X"), text)
      XCTAssertTrue(text.contains("legal now: 0, 1, 2, 3, 5, 6, 7, 8"), text)
    }
    XCTAssertThrowsError(try env.step(.int(9))) { XCTAssertTrue("\($0)".contains("from 0 to 8"), "\($0)") }
    XCTAssertThrowsError(try env.step(nil)) { XCTAssertTrue("\($0)".contains("from 0 to 8"), "\($0)") }
    // Nothing changed: player_2 still to move, one X on the board.
    XCTAssertEqual(env.agentSelection, 1)
    XCTAssertEqual(env.actionMask(1)?.filter { $0 }.count, 8)
  }

  func testObservationMasksOnlyTheSelectedAgent() throws {
    let env = try ticTacToe()
    try env.reset(seed: 0)
    try env.step(.int(4))
    guard case .dict(let keys, let values) = env.observe(1), case .reals(let mask) = values[0], case .reals(let planes) = values[1] else {
      return XCTFail("a dict observation")
    }
    XCTAssertEqual(keys, ["action_mask", "observation"])
    XCTAssertEqual(mask, [1, 1, 1, 1, 0, 1, 1, 1, 1])
    XCTAssertEqual(planes[4 * 2 + 1], 1, "X's mark is the opponent's plane for player_2")
    guard case .dict(_, let other) = env.observe(0), case .reals(let otherMask) = other[0] else { return XCTFail("a dict observation") }
    XCTAssertEqual(otherMask, Array(repeating: 0, count: 9), "the agent not to move has no legal action")
    XCTAssertTrue(env.observationSpace(0).contains(env.observe(0)))
  }

  // MARK: - Bots

  /// Plays one game between two bots (X first); returns X's return.
  private func game(_ x: Bot, _ o: Bot, seed: UInt64, generator: SeededGenerator) throws -> Double {
    let env = try ticTacToe()
    try env.reset(seed: seed)
    var xReturn = 0.0
    while !env.agents.isEmpty {
      let agent = env.agentSelection
      let last = env.last()
      if agent == 0 { xReturn += last.reward }
      if last.terminated || last.truncated { try env.step(nil); continue }
      try env.step(try (agent == 0 ? x : o).act(last.observation, generator: generator))
    }
    return xReturn
  }

  func testMinimaxNeverLosesToRandomFromEitherSide() throws {
    let minimax = try MultiAgentRegistry.bot("TicTacToe-v0", "minimax")
    let random = try MultiAgentRegistry.bot("TicTacToe-v0", "random")
    let generator = SeededGenerator(seed: 7)
    var asX = [0, 0, 0], asO = [0, 0, 0]   // losses, draws, wins of minimax
    for k in 0..<200 {
      let x = try game(minimax, random, seed: UInt64(k), generator: generator)
      asX[Int(x) + 1] += 1
      let o = try game(random, minimax, seed: UInt64(k), generator: generator)
      asO[Int(-o) + 1] += 1
    }
    XCTAssertEqual(asX[0], 0, "minimax as X lost")
    XCTAssertEqual(asO[0], 0, "minimax as O lost")
    XCTAssertGreaterThan(asX[2], 150, "perfect play as X beats a random opponent nearly always: \(asX)")
    XCTAssertGreaterThan(asO[2], 100, "\(asO)")
  }

  func testMinimaxAgainstItselfAlwaysDraws() throws {
    let minimax = try MultiAgentRegistry.bot("TicTacToe-v0", "minimax")
    let generator = SeededGenerator(seed: 3)
    for k in 0..<50 { XCTAssertEqual(try game(minimax, minimax, seed: UInt64(k), generator: generator), 0, "game \(k)") }
  }

  func testLookaheadWinsAtOnceElseBlocks() throws {
    let lookahead = try MultiAgentRegistry.bot("TicTacToe-v0", "lookahead")
    let minimax = try MultiAgentRegistry.bot("TicTacToe-v0", "minimax")
    // X to move: X can win at 2 (top row) while O threatens 5; winning comes first.
    let winNow = board([0, 3, 1, 4])
    // X to move: no win for X, O threatens 5 (middle row).
    let blockNow = board([0, 3, 8, 4])
    // O to move: X threatens 2; O has no win.
    let blockAsO = board([0, 4, 1])
    for seed in 0..<20 as Range<UInt64> {
      let generator = SeededGenerator(seed: seed)
      for bot in [lookahead, minimax] {
        XCTAssertEqual(try bot.act(.reals(winNow.observation(for: 0)), generator: generator), .int(2), bot.name)
        XCTAssertEqual(try bot.act(.reals(blockNow.observation(for: 0)), generator: generator), .int(5), bot.name)
        XCTAssertEqual(try bot.act(.reals(blockAsO.observation(for: 1)), generator: generator), .int(2), bot.name)
      }
      XCTAssertEqual(GameBots.lookahead(winNow, generator), 2)
    }
  }

  func testBotsRefuseAFinishedBoardAndUnknownKinds() throws {
    let random = try MultiAgentRegistry.bot("TicTacToe-v0", "random")
    let over = board([0, 3, 1, 4, 2])
    XCTAssertThrowsError(try random.act(.reals(over.observation(for: 1)), generator: SeededGenerator(seed: 0))) {
      XCTAssertTrue("\($0)".contains("not a position with a move to make"), "\($0)")
    }
    XCTAssertThrowsError(try MultiAgentRegistry.bot("TicTacToe-v0", "alphazero")) {
      XCTAssertTrue("\($0)".contains("its bots: random, lookahead, minimax"), "\($0)")
    }
  }

  // MARK: - Conversions

  private func spread() throws -> ParallelEnvironment {
    guard case .parallel(let env) = try MultiAgentRegistry.make("Spread-v0", options: ["agents": .number(3), "max_cycles": .number(12)]) else {
      throw CoreError("Spread-v0 should be parallel")
    }
    return env
  }

  /// Random joint actions, the same for every run with the same generator.
  private func actions(_ env: ParallelEnvironment, _ generator: SeededGenerator) -> [Point?] {
    (0..<env.possibleAgents.count).map { env.agents.contains($0) ? .int(generator.nextInt(below: 5)) : nil }
  }

  func testParallelToAECFollowsTheParallelTrajectory() throws {
    let direct = try spread(), wrapped = try spread()
    let aec = ParallelToAEC(wrapped)
    let first = try direct.reset(seed: 11)
    try aec.reset(seed: 11)
    XCTAssertEqual(aec.agents, [0, 1, 2])
    for agent in 0..<3 { XCTAssertEqual(aec.observe(agent), first.observations[agent]) }
    let generator = SeededGenerator(seed: 5)
    var cycles = 0
    var lastRewards: [Double] = [0, 0, 0]
    while !direct.agents.isEmpty {
      let joint = actions(direct, generator)
      // Each agent acts in turn; its last() shows the reward of the previous cycle.
      for agent in 0..<3 {
        XCTAssertEqual(aec.agentSelection, agent, "cycle \(cycles)")
        let last = aec.last()
        XCTAssertEqual(last.reward, lastRewards[agent], "cycle \(cycles) agent \(agent)")
        XCTAssertFalse(last.terminated || last.truncated)
        try aec.step(joint[agent])
        if agent < 2 { XCTAssertEqual(aec.rewards, [0, 0, 0], "no reward before the cycle's last choice") }
      }
      let step = try direct.step(joint)
      cycles += 1
      XCTAssertEqual(aec.rewards, step.rewards, "cycle \(cycles)")
      XCTAssertEqual(aec.truncations, step.truncations)
      for agent in 0..<3 { XCTAssertEqual(aec.observe(agent), step.observations[agent], "cycle \(cycles) agent \(agent)") }
      lastRewards = step.rewards
    }
    XCTAssertEqual(cycles, 12)
    // Every agent is truncated: each sees its last reward and is retired with step(nil).
    for agent in 0..<3 {
      XCTAssertEqual(aec.agentSelection, agent)
      XCTAssertTrue(aec.last().truncated)
      XCTAssertEqual(aec.last().reward, lastRewards[agent])
      try aec.step(nil)
    }
    XCTAssertEqual(aec.agents, [])
  }

  func testAECToParallelOfParallelToAECIsTheParallelEnv() throws {
    let direct = try spread()
    let roundTrip = try AECToParallel(ParallelToAEC(try spread()), name: "Spread-v0")
    XCTAssertEqual(roundTrip.stateSpace, direct.stateSpace)
    let a = try direct.reset(seed: 4), b = try roundTrip.reset(seed: 4)
    XCTAssertEqual(a.observations, b.observations)
    XCTAssertEqual(try roundTrip.state(), try direct.state())
    let generator = SeededGenerator(seed: 9)
    var steps = 0
    while !direct.agents.isEmpty {
      let joint = actions(direct, generator)
      let x = try direct.step(joint), y = try roundTrip.step(joint)
      steps += 1
      XCTAssertEqual(x.observations, y.observations, "step \(steps)")
      XCTAssertEqual(x.rewards, y.rewards, "step \(steps)")
      XCTAssertEqual(x.terminations, y.terminations)
      XCTAssertEqual(x.truncations, y.truncations)
      XCTAssertEqual(roundTrip.agents, direct.agents, "step \(steps)")
      XCTAssertEqual(try roundTrip.state(), try direct.state())
    }
    XCTAssertEqual(steps, 12)
    XCTAssertEqual(roundTrip.agents, [])
  }

  func testAECToParallelRefusesATurnBasedGame() throws {
    XCTAssertThrowsError(try AECToParallel(try ticTacToe(), name: "TicTacToe-v0")) { error in
      XCTAssertTrue("\(error)".contains("TicTacToe-v0 is turn-based"), "\(error)")
      XCTAssertTrue("\(error)".contains("aec_to_parallel"), "\(error)")
    }
  }

  // MARK: - The checker

  func testCheckerPassesTheBuiltInEnvs() throws {
    XCTAssertEqual(checkMultiAgentEnv(try MultiAgentRegistry.make("TicTacToe-v0"), steps: 300), [])
    XCTAssertEqual(checkMultiAgentEnv(.parallel(try spread()), steps: 100), [])
    XCTAssertEqual(checkMultiAgentEnv(.aec(ParallelToAEC(try spread())), steps: 100), [])
  }

  func testCheckerFlagsAnObservationOutsideItsSpace() {
    let problems = checkMultiAgentEnv(.parallel(BrokenParallel(flaw: .observationOutOfSpace)), steps: 20)
    XCTAssertTrue(problems.contains { $0.contains("the observation of b is outside its space") }, "\(problems)")
    XCTAssertFalse(problems.contains { $0.contains("of a is outside") }, "\(problems)")
  }

  func testCheckerFlagsAResetThatIgnoresTheSeed() {
    let problems = checkMultiAgentEnv(.parallel(BrokenParallel(flaw: .ignoresSeed)), steps: 20)
    XCTAssertEqual(problems.count, 1, "\(problems)")
    XCTAssertTrue(problems.first?.contains("the second run differs") ?? false, "\(problems)")
  }

  func testCheckerFlagsADoneAgentStillInAgents() {
    let problems = checkMultiAgentEnv(.parallel(BrokenParallel(flaw: .keepsDoneAgents)), steps: 20)
    XCTAssertTrue(problems.contains { $0.contains("is done but still in agents") }, "\(problems)")
  }

  func testCheckerPassesTheTinyEnvWithoutFlaws() {
    XCTAssertEqual(checkMultiAgentEnv(.parallel(BrokenParallel(flaw: nil)), steps: 50), [])
  }
}

/// A two-agent parallel env (a and b observe a counter in [0, 5]; episodes last 3 steps) that
/// breaks the contract in one chosen way, for the checker to catch.
private final class BrokenParallel: ParallelEnvironment {
  enum Flaw { case observationOutOfSpace, ignoresSeed, keepsDoneAgents }
  let flaw: Flaw?
  let possibleAgents = ["a", "b"]
  private(set) var agents: [Int] = []
  private var t = 0
  private var start = 0
  private let generator = SeededGenerator(seed: 0)
  private let unseeded = SeededGenerator(seed: 12345)

  init(flaw: Flaw?) { self.flaw = flaw }

  func observationSpace(_ agent: Int) -> Space { .box(low: 0, high: 5, shape: [1]) }
  func actionSpace(_ agent: Int) -> Space { .discrete(2) }

  private func observation(_ agent: Int) -> Point {
    .reals([flaw == .observationOutOfSpace && agent == 1 ? 9 : Double(start + t)])
  }

  func reset(seed: UInt64?) throws -> ParallelReset {
    if let seed { generator.reseed(seed) }
    start = (flaw == .ignoresSeed ? unseeded : generator).nextInt(below: 3)
    t = 0
    agents = [0, 1]
    return ParallelReset(observations: [observation(0), observation(1)], infos: [[:], [:]])
  }

  func step(_ actions: [Point?]) throws -> ParallelStep {
    t += 1
    var result = ParallelStep(agents: 2)
    for agent in agents {
      result.observations[agent] = observation(agent)
      result.rewards[agent] = actions[agent] == .int(1) ? 1 : 0
      result.terminations[agent] = t >= 3
    }
    if t >= 3 && flaw != .keepsDoneAgents { agents = [] }
    if t >= 6 { agents = [] }
    return result
  }

  func render() -> String { "t = \(t)" }
}
