/// Tic-tac-toe on cells 0...8, row by row (PettingZoo's `tictactoe_v3` numbers them by column;
/// rows read more naturally at a keyboard). Player 0 is X and moves first.
public struct TicTacToe: TurnGame {
  public static let actionCount = 9
  public static let observationShape = [3, 3, 2]
  public static let actionNoun = "cell"

  /// 0 empty, 1 X (player 0), 2 O (player 1).
  public private(set) var cells = [UInt8](repeating: 0, count: 9)
  public private(set) var toMove = 0
  public private(set) var result = GameResult.ongoing

  static let lines = [[0, 1, 2], [3, 4, 5], [6, 7, 8], [0, 3, 6], [1, 4, 7], [2, 5, 8], [0, 4, 8], [2, 4, 6]]

  public init() {}

  public init?(observation: [Double]) {
    guard observation.count == 18 else { return nil }
    var mine = 0, theirs = 0
    for cell in 0..<9 {
      let own = observation[cell * 2] > 0.5, other = observation[cell * 2 + 1] > 0.5
      if own && other { return nil }
      if own { mine += 1 } else if other { theirs += 1 }
    }
    // The side to move has as many marks as the other (it is X) or one fewer (it is O).
    guard theirs == mine || theirs == mine + 1 else { return nil }
    let me = theirs == mine ? 0 : 1
    for cell in 0..<9 {
      if observation[cell * 2] > 0.5 { cells[cell] = UInt8(me + 1) } else if observation[cell * 2 + 1] > 0.5 { cells[cell] = UInt8(2 - me) }
    }
    toMove = me
    result = Self.judge(cells)
  }

  public func isLegal(_ action: Int) -> Bool { result == .ongoing && action >= 0 && action < 9 && cells[action] == 0 }

  public func whyIllegal(_ action: Int) -> String {
    if result != .ongoing { return "the game is over" }
    if action < 0 || action >= 9 { return "cells are numbered 0 to 8" }
    return "cell \(action) is taken by \(cells[action] == 1 ? "X" : "O")"
  }

  public mutating func play(_ action: Int) {
    cells[action] = UInt8(toMove + 1)
    toMove = 1 - toMove
    result = Self.judge(cells)
  }

  public func completesWin(_ action: Int, for player: Int) -> Bool {
    let mark = UInt8(player + 1)
    return Self.lines.contains { line in
      line.contains(action) && line.allSatisfy { $0 == action || cells[$0] == mark }
    }
  }

  static func judge(_ cells: [UInt8]) -> GameResult {
    for line in lines {
      let mark = cells[line[0]]
      if mark != 0 && cells[line[1]] == mark && cells[line[2]] == mark { return .won(by: Int(mark) - 1) }
    }
    return cells.contains(0) ? .ongoing : .draw
  }

  public func observation(for player: Int) -> [Double] {
    var planes = [Double](repeating: 0, count: 18)
    for cell in 0..<9 where cells[cell] != 0 {
      planes[cell * 2 + (Int(cells[cell]) - 1 == player ? 0 : 1)] = 1
    }
    return planes
  }

  public func render() -> String {
    (0..<3).map { row in
      (0..<3).map { column -> String in
        let cell = row * 3 + column
        switch cells[cell] {
        case 1: return "X"
        case 2: return "O"
        default: return String(cell)
        }
      }.joined(separator: " | ")
    }.joined(separator: "\n--+---+--\n")
  }

  public var key: UInt64 { cells.reduce(0) { $0 * 3 + UInt64($1) } }
}
