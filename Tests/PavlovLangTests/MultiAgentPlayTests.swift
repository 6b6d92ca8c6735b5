import Foundation
import PavlovTestSupport
import XCTest

/// `play(env, humans: [...])` on a turn-based game: a person's moves come from standard input,
/// so these run the `pavlov` binary with the moves piped in; bot-only games run in a session.
final class MultiAgentPlayTests: XCTestCase {
  private var tempDir: URL!

  override func setUpWithError() throws {
    tempDir = FileManager.default.temporaryDirectory.appendingPathComponent("pavlov-play-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: tempDir, withIntermediateDirectories: true)
  }

  override func tearDown() {
    if let tempDir { try? FileManager.default.removeItem(at: tempDir) }
  }

  /// Runs `source` as a script with `stdin` as the person's typing; fails on a crash or an error exit.
  private func play(_ source: String, stdin: String, file: StaticString = #filePath, line: UInt = #line) throws -> String {
    let url = tempDir.appendingPathComponent("game.pav")
    try source.write(to: url, atomically: true, encoding: .utf8)
    let result = try PavlovBinary.run(["run", url.path], in: tempDir, stdin: stdin, file: file, line: line)
    XCTAssertFalse(result.signaled, "pavlov died of a signal:\n\(result)", file: file, line: line)
    XCTAssertEqual(result.status, 0, "exit status:\n\(result)", file: file, line: line)
    return result.stdout
  }

  private let againstMinimax = """
  let env = make("TicTacToe-v0")
  let r = play(env, humans: ["player_1"], policy: bot(env, "minimax"), animate: false)
  print(f"winners {r.winners} episodes {r.episodes} returns {r.returns}")
  """

  /// A taken cell, a word and an out-of-range number are each explained (in the env's words)
  /// and asked again; the game then runs to its end and the result is shown and returned.
  func testHumanAgainstMinimaxIsReaskedWithTheReasonAndPlaysToTheEnd() throws {
    // After the first move, try every cell in order until the game ends.
    let moves = "4\n4\nabc\n9\n" + String(repeating: "0\n1\n2\n3\n5\n6\n7\n8\n", count: 5)
    let output = try play(againstMinimax, stdin: moves)
    XCTAssertTrue(output.contains("episode 1/1  player_1 (X) to move\n"), output)
    XCTAssertTrue(output.contains("player_1 (X), your move [legal: 0 1 2 3 4 5 6 7 8]: 4\n"), output)
    XCTAssertTrue(output.contains("player_1 (X) played 4  player_2 (O) to move"), output)
    XCTAssertTrue(output.contains("]: 4\ncannot play 4: cell 4 is taken by X\n"), output)
    XCTAssertTrue(output.contains("]: abc\n\"abc\" is not a number: type one of the legal moves, or q to quit\n"), output)
    XCTAssertTrue(output.contains("]: 9\ncannot play 9: cells are numbered 0 to 8\n"), output)
    // Minimax never loses, so the person draws at best; the line shown and the record agree.
    if output.contains("\nplayer_2 wins\n") {
      XCTAssertTrue(output.hasSuffix("winners [\"player_2\"] episodes 1 returns {player_1: [-1.0], player_2: [1.0]}\n"), output)
    } else {
      XCTAssertTrue(output.contains("\ndraw\n"), output)
      XCTAssertTrue(output.hasSuffix("winners [nil] episodes 1 returns {player_1: [0.0], player_2: [0.0]}\n"), output)
    }
  }

  /// "q" and the end of the input both stop the game cleanly, returning the finished episodes.
  func testQuittingOrEndOfInputStopsTheGameCleanly() throws {
    for stdin in ["4\nq\n", "4\n"] {
      let output = try play(againstMinimax, stdin: stdin)
      XCTAssertTrue(output.contains("stopped: 0 of 1 episode finished\n"), output)
      XCTAssertTrue(output.hasSuffix("winners [] episodes 0 returns {player_1: [], player_2: []}\n"), output)
    }
  }

  /// Animated, each frame backs up over the one before and over the typed line below it.
  func testAnimatedPlayRedrawsOverTheTypedMove() throws {
    let output = try play("""
    let env = make("TicTacToe-v0")
    play(env, humans: "player_1", policy: bot(env, "minimax"), animate: true, fps: 1000)
    """, stdin: "4\nq\n")
    // Five board lines and the status line, then the prompt's line with the typed move.
    XCTAssertTrue(output.contains("]: 4\n\u{1b}[7F\u{1b}[J"), output)
    XCTAssertFalse(output.contains("\u{1b}[2J"), "the screen is never cleared")
  }

  /// With no humans, the policies play every agent to the end of each episode.
  func testTwoBotsPlayToTheEnd() throws {
    let session = TestSession()
    try session.run("""
    let env = make("TicTacToe-v0")
    let r = play(env, policy: bot(env, "minimax"), episodes: 2, animate: false)
    print(r)
    """)
    let lines = session.output.split(separator: "\n", omittingEmptySubsequences: false)
    XCTAssertEqual(lines.filter { $0 == "draw" }.count, 2, "perfect play draws:\n\(session.output)")
    XCTAssertFalse(session.output.contains("your move"), session.output)
    XCTAssertTrue(session.output.hasSuffix("{returns: {player_1: [0.0, 0.0], player_2: [0.0, 0.0]}, winners: [nil, nil], episodes: 2}\n"), session.output)
  }

  /// A record gives each agent its own policy; a function of the observation is a policy too.
  func testARecordOfPoliciesPlaysEachAgent() throws {
    let session = TestSession()
    try session.run("""
    let env = make("TicTacToe-v0")
    let first_free = obs => obs.action_mask.argmax().item()
    let r = play(env, policy: {player_1: bot(env, "minimax"), player_2: first_free}, animate: false)
    print(r.winners)
    """)
    XCTAssertTrue(session.output.hasSuffix("player_1 wins\n[\"player_1\"]\n"), session.output)
  }

  /// A policy's illegal move stops the game with the env's reason, not a crash.
  func testAPolicysIllegalMoveIsAClearError() {
    assertError("""
    let env = make("TicTacToe-v0")
    play(env, policy: obs => 4, animate: false)
    """, contains: "play: player_2's policy (function) chose 4, which is illegal: cell 4 is taken by X")
  }
}
