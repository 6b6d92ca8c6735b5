import PavlovGym
import XCTest

final class MultiAgentConnectFourTests: XCTestCase {
  /// The game after playing `columns` in turn, X first.
  private func game(_ columns: [Int]) -> ConnectFour {
    var game = ConnectFour()
    for column in columns { game.play(column) }
    return game
  }

  /// Plays all but the last column, checks the last one is seen as winning, then plays it.
  private func assertLastMoveWins(_ columns: [Int], file: StaticString = #filePath, line: UInt = #line) {
    var board = game(columns.dropLast())
    let last = columns.last!
    XCTAssertEqual(board.result, .ongoing, "no win before the last move", file: file, line: line)
    XCTAssertTrue(board.completesWin(last, for: 0), file: file, line: line)
    XCTAssertFalse(board.completesWin(last, for: 1), file: file, line: line)
    board.play(last)
    XCTAssertEqual(board.result, .won(by: 0), file: file, line: line)
  }

  func testFourInARowWinsInEveryDirection() {
    assertLastMoveWins([0, 0, 1, 1, 2, 2, 3])                    // across the bottom row
    assertLastMoveWins([0, 1, 0, 1, 0, 1, 0])                    // up column 0
    assertLastMoveWins([0, 1, 1, 2, 2, 3, 2, 3, 3, 6, 3])        // rising to the right
    assertLastMoveWins([6, 5, 5, 4, 4, 3, 4, 3, 3, 0, 3])        // rising to the left
  }

  func testThreeInARowIsNotAWin() {
    let board = game([0, 0, 1, 1, 2])
    XCTAssertEqual(board.result, .ongoing)
    XCTAssertFalse(board.completesWin(4, for: 0), "column 4 does not touch X's three")
    XCTAssertTrue(board.completesWin(3, for: 0))
  }

  func testAFullColumnIsIllegalAndSaysSo() throws {
    let board = game([3, 3, 3, 3, 3, 3])
    XCTAssertFalse(board.isLegal(3))
    XCTAssertEqual(board.whyIllegal(3), "column 3 is full")
    XCTAssertEqual(board.whyIllegal(7), "columns are numbered 0 to 6")
    XCTAssertEqual(board.legalActions, [0, 1, 2, 4, 5, 6])

    guard case .aec(let env) = try MultiAgentRegistry.make("ConnectFour-v0") else { return XCTFail("ConnectFour-v0 is turn-based") }
    try env.reset(seed: 0)
    for _ in 0..<6 { try env.step(.int(3)) }
    XCTAssertEqual(env.actionMask(env.agentSelection), [true, true, true, false, true, true, true])
    XCTAssertThrowsError(try env.step(.int(3))) { error in
      XCTAssertTrue("\(error)".contains("column 3 is full"), "\(error)")
    }
  }

  func testPiecesFallAndRenderShowsColumnNumbers() {
    let board = game([3, 3, 4])
    XCTAssertEqual(board.render(), """
      . . . . . . .
      . . . . . . .
      . . . . . . .
      . . . . . . .
      . . . O . . .
      . . . X X . .
      0 1 2 3 4 5 6
      """)
  }

  func testObservationRoundTripsAndKeysAreUnique() {
    let generator = SeededGenerator(seed: 1)
    var seen: [UInt64: [UInt8]] = [:]
    for _ in 0..<200 {
      var board = ConnectFour()
      while !board.isOver {
        let rebuilt = ConnectFour(observation: board.observation(for: board.toMove))
        XCTAssertEqual(rebuilt?.cells, board.cells)
        XCTAssertEqual(rebuilt?.toMove, board.toMove)
        if let earlier = seen.updateValue(board.cells, forKey: board.key) { XCTAssertEqual(earlier, board.cells, "two positions share key \(board.key)") }
        let legal = board.legalActions
        board.play(legal[generator.nextInt(below: legal.count)])
      }
    }
    XCTAssertGreaterThan(seen.count, 2000)
    // A floating piece is not a position.
    var floating = [Double](repeating: 0, count: 84)
    floating[0] = 1
    XCTAssertNil(ConnectFour(observation: floating))
  }

  func testPassesTheMultiAgentCheck() throws {
    XCTAssertEqual(checkMultiAgentEnv(try MultiAgentRegistry.make("ConnectFour-v0"), steps: 400), [])
    XCTAssertEqual(try MultiAgentRegistry.make("ConnectFour-v0").possibleAgents, ["player_0", "player_1"])
  }

  /// Plays bots against each other as the env's agents; returns how many games each won.
  private func tally(_ first: Bot, _ second: Bot, games: Int) throws -> [Int] {
    guard case .aec(let env) = try MultiAgentRegistry.make("ConnectFour-v0") else { throw CoreError("not AEC") }
    let generator = SeededGenerator(seed: 7)
    var wins = [0, 0]
    for number in 0..<games {
      // Alternate who moves first; `seats[agent]` is the bot (0 first, 1 second) playing it.
      let seats = number % 2 == 0 ? [0, 1] : [1, 0]
      let bots = number % 2 == 0 ? [first, second] : [second, first]
      try env.reset(seed: UInt64(number))
      while !env.agents.isEmpty {
        if env.selectionIsDone {
          if env.cumulativeRewards[env.agentSelection] > 0 { wins[seats[env.agentSelection]] += 1 }
          try env.step(nil)
        } else {
          try env.step(try bots[env.agentSelection].act(env.last().observation, generator: generator))
        }
      }
    }
    return wins
  }

  func testLookaheadBeatsRandomNineTimesInTen() throws {
    let lookahead = try MultiAgentRegistry.bot("ConnectFour-v0", "lookahead")
    let random = try MultiAgentRegistry.bot("ConnectFour-v0", "random")
    let wins = try tally(lookahead, random, games: 200)
    XCTAssertGreaterThanOrEqual(wins[0], 180, "lookahead won \(wins[0]) of 200, random \(wins[1])")
  }

  func testDepthLimitedMinimaxTakesAWinAndBlocksOne() throws {
    let minimax = try MultiAgentRegistry.bot("ConnectFour-v0", "minimax")
    XCTAssertEqual(minimax.name, "minimax(depth 4)")
    let generator = SeededGenerator(seed: 0)
    // X to move with three across the bottom: it wins in column 3.
    let win = game([0, 0, 1, 1, 2, 2])
    XCTAssertEqual(try minimax.act(.reals(win.observation(for: 0)), generator: generator), .int(3))
    // O to move against that threat: it blocks column 3.
    let block = game([0, 6, 1, 6, 2])
    XCTAssertEqual(try minimax.act(.reals(block.observation(for: 1)), generator: generator), .int(3))
  }

  func testCopyIsIndependent() throws {
    guard case .aec(let env) = try MultiAgentRegistry.make("ConnectFour-v0") else { return XCTFail("ConnectFour-v0 is turn-based") }
    try env.reset(seed: 0)
    try env.step(.int(2))
    let twin = try XCTUnwrap(env.copy())
    try twin.step(.int(5))
    XCTAssertEqual(env.render(), game([2]).render())
    XCTAssertEqual(twin.render(), game([2, 5]).render())
  }
}
