import PavlovCore

/// `ChessEndgame-v0`, after LMRL-Gym's endgames: king and rook against king (KRK). The agent plays
/// White; a scripted Black king answers each move with the reply that puts mate furthest off (a
/// seeded draw among equals), from an exact tablebase (`KRKTablebase`). A move is written from
/// square to square, "a1a8" or "e1e2"; the observation is Black's reply and the position,
/// "black played e8d8. white king e1, rook a1, black king d8." A move that is not a legal White move
/// (or not a move at all) changes nothing and pays `invalid_reward` (-0.1). Checkmate pays 1;
/// stalemate, Black taking the rook, or fifty White moves without mate end the game as a draw,
/// paying 0, as every other move does. Each reset draws a legal position with White to move and
/// Black not in check. `info.expert_action` (while the game goes on) is the move that mates
/// soonest, and `info.mate_in` the number of White moves to mate with best play on both sides.
public final class ChessEndgame: Environment {
  public static let maxMoves = 50
  public static let charset = Array("abcdefghijklmnopqrstuvwxyz0123456789 .,:")
  var position = KRKPosition(whiteKing: 4, rook: 0, blackKing: 60)
  public private(set) var rookTaken = false
  public private(set) var moves = 0
  /// How the game ended ("checkmate", "stalemate", "rook taken", "fifty moves"), nil while it goes on.
  public private(set) var result: String?
  /// What happened last, opening the next observation.
  private var event: String?
  public let invalidReward: Double
  /// What an invalid move costs unless the option `invalid_reward` says otherwise.
  public static let defaultInvalidReward: Double = -0.1
  private let generator = SeededGenerator(seed: 0)
  public let observationSpace: Space = .text(minLength: 1, maxLength: 96, charset: ChessEndgame.charset)
  public let actionSpace: Space = .text(minLength: 1, maxLength: 8, charset: Array("abcdefghijklmnopqrstuvwxyz0123456789 "))

  public init(invalidReward: Double = ChessEndgame.defaultInvalidReward) throws {
    guard invalidReward.isFinite else { throw CoreError("ChessEndgame-v0: option invalid_reward must be a finite number, got \(invalidReward)") }
    self.invalidReward = invalidReward
  }

  static func make(_ options: EnvOptions) throws -> Environment {
    try ChessEndgame(invalidReward: try options.double("invalid_reward", default: defaultInvalidReward))
  }

  static func moveText(_ move: (from: Int, to: Int)) -> String { KRKPosition.name(move.from) + KRKPosition.name(move.to) }

  var observationText: String {
    let pieces = rookTaken
      ? "white king \(KRKPosition.name(position.whiteKing)), black king \(KRKPosition.name(position.blackKing))."
      : "white king \(KRKPosition.name(position.whiteKing)), rook \(KRKPosition.name(position.rook)), black king \(KRKPosition.name(position.blackKing))."
    return (event.map { $0 + ". " } ?? "") + pieces
  }

  private var info: Info {
    var out: Info = ["moves": .int(moves)]
    if result == nil {
      let table = KRKTablebase.shared
      if let best = table.bestWhiteMove(position) { out["expert_action"] = .string(Self.moveText(best)) }
      if let depth = table.mateIn(position) { out["mate_in"] = .int(depth) }
    } else {
      out["result"] = .string(result ?? "")
    }
    return out
  }

  public func reset(seed: UInt64?) throws -> Reset {
    if let seed { generator.reseed(seed) }
    repeat {
      position = KRKPosition(whiteKing: generator.nextInt(below: 64), rook: generator.nextInt(below: 64),
                             blackKing: generator.nextInt(below: 64))
    } while !position.isLegal || position.blackInCheck
    (rookTaken, moves, result, event) = (false, 0, nil, nil)
    return Reset(observation: .text(observationText), info: info)
  }

  /// The legal White move `text` names ("e1e2"), if any.
  func parse(_ text: String) -> (from: Int, to: Int)? {
    guard text.count == 4, let from = KRKPosition.square(text.prefix(2)), let to = KRKPosition.square(text.suffix(2)) else { return nil }
    return position.firstWhiteMove { $0 == (from, to) }
  }

  public func step(_ action: Point) throws -> Step {
    guard case .text(let text) = action else {
      throw CoreError("ChessEndgame-v0: the action must be a move string such as \"e1e2\", got \(action.description)")
    }
    guard result == nil, !rookTaken, let move = parse(text) else {
      event = "illegal move"
      var stepInfo = info
      stepInfo["invalid"] = .bool(true)
      return Step(observation: .text(observationText), reward: invalidReward, terminated: result != nil, info: stepInfo)
    }
    position = position.after(move)
    moves += 1
    let replies = KRKTablebase.shared.bestBlackMoves(position)
    if replies.isEmpty {
      result = position.blackInCheck ? "checkmate" : "stalemate"
      event = result
    } else {
      let reply = replies[generator.nextInt(below: replies.count)]
      let played = "black played " + Self.moveText((position.blackKing, reply))
      rookTaken = reply == position.rook
      position.blackKing = reply
      if rookTaken {
        (result, event) = ("rook taken", played + ", taking the rook: draw")
      } else if moves >= Self.maxMoves {
        (result, event) = ("fifty moves", played + ". fifty moves: draw")
      } else {
        event = played
      }
    }
    var stepInfo = info
    stepInfo["invalid"] = .bool(false)
    return Step(observation: .text(observationText), reward: result == "checkmate" ? 1 : 0, terminated: result != nil, info: stepInfo)
  }

  /// The board, rank 8 at the top (K and R White, k Black), under the last event.
  public func render() -> String {
    var lines = event.map { ["(\($0))"] } ?? []
    for rank in (0..<8).reversed() {
      let row = (0..<8).map { file -> String in
        let s = rank * 8 + file
        return s == position.whiteKing ? "K" : s == position.blackKing ? "k" : (s == position.rook && !rookTaken) ? "R" : "."
      }
      lines.append("\(rank + 1) " + row.joined(separator: " "))
    }
    return (lines + ["  a b c d e f g h"]).joined(separator: "\n")
  }

  public func copy() -> Environment? {
    guard let twin = try? ChessEndgame(invalidReward: invalidReward) else { return nil }
    (twin.position, twin.rookTaken, twin.moves, twin.result, twin.event) = (position, rookTaken, moves, result, event)
    twin.generator.copyState(from: generator)
    return twin
  }
}
