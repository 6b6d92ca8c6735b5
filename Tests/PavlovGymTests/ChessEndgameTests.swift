@testable import PavlovGym
import XCTest

/// ChessEndgame-v0: the KRK tablebase against the known figures, the expert's mates, and the
/// game's rules (illegal moves, stalemate, a hanging rook).
final class ChessEndgameTests: XCTestCase {
  private func position(_ white: String, _ rook: String, _ black: String) -> KRKPosition {
    KRKPosition(whiteKing: KRKPosition.square(Substring(white)) ?? 0, rook: KRKPosition.square(Substring(rook)) ?? 0,
                blackKing: KRKPosition.square(Substring(black)) ?? 0)
  }

  func testTheTablebaseSolvesEveryPositionWithinSixteenMoves() {
    let table = KRKTablebase.shared
    var legal = 0, longest = 0
    for i in 0..<(64 * 64 * 64) {
      let p = KRKPosition(index: i)
      guard p.isLegal, !p.blackInCheck else { continue }
      legal += 1
      guard let depth = table.mateIn(p) else { return XCTFail("no mate from \(p)") }
      longest = max(longest, depth)
    }
    // White to move, every KRK position is a win, the longest in 16 moves (the known figure).
    XCTAssertEqual(longest, 16)
    XCTAssertEqual(legal, 175_168)
    XCTAssertEqual(table.mateIn(position("c6", "a1", "c8")), 1)   // a1a8 mates
    XCTAssertEqual(ChessEndgame.moveText(table.bestWhiteMove(position("c6", "a1", "c8")) ?? (0, 0)), "a1a8")
  }

  func testTheExpertMatesInTheTablebasesNumberOfMoves() throws {
    let env = try ChessEndgame()
    var total = 0, longest = 0
    for seed in 0..<1000 {
      let start = try env.reset(seed: UInt64(seed))
      guard case .int(let depth)? = start.info["mate_in"] else { return XCTFail("no mate_in") }
      var info = start.info, moves = 0, last: Step?
      while last?.terminated != true && moves < 60 {
        guard case .string(let move)? = info["expert_action"] else { return XCTFail("no expert action") }
        let step = try env.step(.text(move))
        moves += 1
        // Both sides play perfectly: each move brings the mate exactly one move nearer.
        if case .int(let left)? = step.info["mate_in"] { XCTAssertEqual(left, depth - moves, "seed \(seed)") }
        (info, last) = (step.info, step)
      }
      XCTAssertEqual(last?.reward, 1, "seed \(seed)")
      XCTAssertEqual(last?.info["result"], .string("checkmate"))
      XCTAssertEqual(moves, depth, "seed \(seed)")
      (total, longest) = (total + moves, max(longest, moves))
    }
    // Measured over these 1,000 starts: mate in 9.84 moves on average, 16 at most.
    XCTAssertLessThanOrEqual(longest, 16)
    XCTAssertLessThan(Double(total) / 1000, 11)
  }

  func testIllegalMovesArePenalisedSteps() throws {
    let env = try ChessEndgame()
    _ = try env.reset(seed: 0)
    env.position = position("e1", "a1", "e8")
    for move in ["e1e3", "a1b2", "a1a1", "e2e4", "hello", "e1", "e1e2e3", "i1i2", "a1h1"] {
      let step = try env.step(.text(move))
      XCTAssertEqual(step.reward, -0.1, move)
      XCTAssertEqual(step.info["invalid"], .bool(true), move)
      XCTAssertFalse(step.terminated, move)
      XCTAssertEqual(step.observation, .text("illegal move. white king e1, rook a1, black king e8."), move)
    }
    XCTAssertEqual(env.moves, 0)
    XCTAssertEqual(try env.step(.text("a1a7")).info["invalid"], .bool(false))
    XCTAssertThrowsError(try ChessEndgame(invalidReward: .infinity))
  }

  func testStalemateAndAHangingRookAreDraws() throws {
    let env = try ChessEndgame()
    _ = try env.reset(seed: 0)
    env.position = position("c6", "b1", "a8")
    let stalemate = try env.step(.text("b1b7"))
    XCTAssertEqual(stalemate.observation, .text("stalemate. white king c6, rook b7, black king a8."))
    XCTAssertEqual(stalemate.reward, 0)
    XCTAssertTrue(stalemate.terminated)
    _ = try env.reset(seed: 0)
    env.position = position("e1", "d1", "e8")
    let hanging = try env.step(.text("d1d7"))
    XCTAssertEqual(hanging.observation, .text("black played e8d7, taking the rook: draw. white king e1, black king d7."))
    XCTAssertEqual(hanging.info["result"], .string("rook taken"))
    XCTAssertTrue(hanging.terminated)
  }

  func testFiftyMovesWithoutMateAreADraw() throws {
    let env = try ChessEndgame()
    _ = try env.reset(seed: 0)
    env.position = position("a1", "b2", "e5")
    var last: Step?
    for k in 0..<ChessEndgame.maxMoves {
      // Shuffle the king beside its rook: never a check, never a hanging rook.
      last = try env.step(.text(k % 2 == 0 ? "a1a2" : "a2a1"))
      if last?.terminated == true { break }
    }
    XCTAssertEqual(env.moves, ChessEndgame.maxMoves)
    XCTAssertEqual(last?.info["result"], .string("fifty moves"))
    XCTAssertEqual(last?.reward, 0)
  }

  func testCheckEnvSeedingAndCopies() throws {
    XCTAssertEqual(checkEnv(try EnvRegistry.make("ChessEndgame-v0", seed: 1)), [])
    let a = try ChessEndgame(), b = try ChessEndgame()
    XCTAssertEqual(try playExpert(a, seed: 3, steps: 20), try playExpert(b, seed: 3, steps: 20))
    _ = try a.reset(seed: 11)
    let moves = a.position.whiteMoves.prefix(3).map(ChessEndgame.moveText)
    try assertCopyIsIndependent(a, actions: ["zz"] + moves)
  }
}
