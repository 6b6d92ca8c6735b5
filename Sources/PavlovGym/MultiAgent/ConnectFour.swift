/// Connect four as PettingZoo's `connect_four_v3` plays it: 6 rows × 7 columns, an action drops a
/// piece into a column (0-6) and it falls to the lowest empty row; four in a row horizontally,
/// vertically or diagonally wins. Row 0 is the top, as in PettingZoo's observation. Player 0 is X
/// and moves first.
public struct ConnectFour: TurnGame {
  public static let rows = 6
  public static let columns = 7
  public static let actionCount = columns
  public static let observationShape = [rows, columns, 2]
  public static let actionNoun = "column"

  /// Row-major from the top: 0 empty, 1 X (player 0), 2 O (player 1).
  public private(set) var cells = [UInt8](repeating: 0, count: rows * columns)
  public private(set) var toMove = 0
  public private(set) var result = GameResult.ongoing

  /// Row and column steps of the four line directions: across, down, and the two diagonals.
  static let directions = [(0, 1), (1, 0), (1, 1), (1, -1)]

  public init() {}

  public init?(observation: [Double]) {
    guard observation.count == Self.rows * Self.columns * 2 else { return nil }
    var mine = 0, theirs = 0
    var marks = [Int](repeating: 0, count: Self.rows * Self.columns)  // 1 own, 2 opponent's
    for cell in marks.indices {
      let own = observation[cell * 2] > 0.5, other = observation[cell * 2 + 1] > 0.5
      if own && other { return nil }
      if own { mine += 1; marks[cell] = 1 } else if other { theirs += 1; marks[cell] = 2 }
    }
    // The side to move has as many pieces as the other (it is X) or one fewer (it is O).
    guard theirs == mine || theirs == mine + 1 else { return nil }
    let me = theirs == mine ? 0 : 1
    for cell in marks.indices where marks[cell] != 0 {
      // A piece must rest on the bottom or on another piece.
      let below = cell + Self.columns
      if below < marks.count && marks[below] == 0 { return nil }
      cells[cell] = UInt8(marks[cell] == 1 ? me + 1 : 2 - me)
    }
    toMove = me
    result = Self.judge(cells)
  }

  /// The row a piece dropped into `column` lands in (nil when the column is full).
  public func landingRow(_ column: Int) -> Int? {
    (0..<Self.rows).last { cells[$0 * Self.columns + column] == 0 }
  }

  public func isLegal(_ action: Int) -> Bool {
    result == .ongoing && action >= 0 && action < Self.columns && cells[action] == 0
  }

  public func whyIllegal(_ action: Int) -> String {
    if result != .ongoing { return "the game is over" }
    if action < 0 || action >= Self.columns { return "columns are numbered 0 to \(Self.columns - 1)" }
    return "column \(action) is full"
  }

  public mutating func play(_ action: Int) {
    guard let row = landingRow(action) else { return }
    let mark = UInt8(toMove + 1)
    cells[row * Self.columns + action] = mark
    // Only a line through the new piece can be new, so that is all we look at.
    if Self.lineLength(cells, row: row, column: action, mark: mark) >= 4 {
      result = .won(by: toMove)
    } else if !cells[0..<Self.columns].contains(0) {
      result = .draw
    }
    toMove = 1 - toMove
  }

  public func completesWin(_ action: Int, for player: Int) -> Bool {
    guard action >= 0, action < Self.columns, let row = landingRow(action) else { return false }
    return Self.lineLength(cells, row: row, column: action, mark: UInt8(player + 1)) >= 4
  }

  /// The longest line of `mark` through (row, column), counting that cell as `mark`.
  static func lineLength(_ cells: [UInt8], row: Int, column: Int, mark: UInt8) -> Int {
    directions.map { dr, dc in
      var length = 1
      for sign in [1, -1] {
        var r = row + sign * dr, c = column + sign * dc
        while r >= 0, r < rows, c >= 0, c < columns, cells[r * columns + c] == mark {
          length += 1
          r += sign * dr
          c += sign * dc
        }
      }
      return length
    }.max() ?? 1
  }

  static func judge(_ cells: [UInt8]) -> GameResult {
    for row in 0..<rows {
      for column in 0..<columns where cells[row * columns + column] != 0 {
        let mark = cells[row * columns + column]
        if lineLength(cells, row: row, column: column, mark: mark) >= 4 { return .won(by: Int(mark) - 1) }
      }
    }
    return cells[0..<columns].contains(0) ? .ongoing : .draw
  }

  public func observation(for player: Int) -> [Double] {
    var planes = [Double](repeating: 0, count: cells.count * 2)
    for cell in cells.indices where cells[cell] != 0 {
      planes[cell * 2 + (Int(cells[cell]) - 1 == player ? 0 : 1)] = 1
    }
    return planes
  }

  /// The board from the top, `.` for empty, with the column numbers to play underneath.
  public func render() -> String {
    let board = (0..<Self.rows).map { row in
      (0..<Self.columns).map { column -> String in
        switch cells[row * Self.columns + column] {
        case 1: return "X"
        case 2: return "O"
        default: return "."
        }
      }.joined(separator: " ")
    }
    return (board + [(0..<Self.columns).map(String.init).joined(separator: " ")]).joined(separator: "\n")
  }

  /// Unique per position: each column as 7 bits, a 1 above its pieces then a bit per piece from
  /// the bottom (1 for X). Pieces stack from the bottom, so height and colours fix the column.
  public var key: UInt64 {
    var key: UInt64 = 0
    for column in 0..<Self.columns {
      var bits: UInt64 = 1
      for row in stride(from: Self.rows - 1, through: 0, by: -1) {
        let mark = cells[row * Self.columns + column]
        if mark == 0 { break }
        bits = bits << 1 | (mark == 1 ? 1 : 0)
      }
      key = key << 7 | bits
    }
    return key
  }
}
