/// A cell of the square grids of Spread-v0 and PredatorPrey-v0, where agents share five moves:
/// 0 stay, 1 up, 2 down, 3 left, 4 right (row 0 is the top; a move off the grid stays put).
public struct GridCell: Hashable, Sendable {
  public var row: Int
  public var col: Int
  public init(row: Int, col: Int) {
    self.row = row
    self.col = col
  }

  static let steps = [(0, 0), (-1, 0), (1, 0), (0, -1), (0, 1)]

  public func moved(_ action: Int, size: Int) -> GridCell {
    let (dr, dc) = Self.steps[action]
    let next = GridCell(row: row + dr, col: col + dc)
    return next.isInside(size) ? next : self
  }

  func isInside(_ size: Int) -> Bool { row >= 0 && row < size && col >= 0 && col < size }

  /// Orthogonally adjacent or the same cell.
  func touches(_ other: GridCell) -> Bool { abs(row - other.row) + abs(col - other.col) <= 1 }
}

/// What the grid games share: placing pieces, observing offsets, reading moves, drawing.
enum GridAgents {
  /// `count` distinct cells drawn uniformly (a partial Fisher-Yates shuffle of all cells).
  static func distinctCells(_ count: Int, size: Int, _ generator: SeededGenerator) -> [GridCell] {
    var cells = (0..<size * size).map { GridCell(row: $0 / size, col: $0 % size) }
    for i in 0..<count { cells.swapAt(i, i + generator.nextInt(below: cells.count - i)) }
    return Array(cells.prefix(count))
  }

  /// The cell as (row, col) scaled to [0, 1].
  static func scaled(_ cell: GridCell, size: Int) -> [Double] {
    [Double(cell.row) / Double(size - 1), Double(cell.col) / Double(size - 1)]
  }

  /// (drow, dcol) from `origin` to `target`, scaled to [−1, 1].
  static func offset(from origin: GridCell, to target: GridCell, size: Int) -> [Double] {
    [Double(target.row - origin.row) / Double(size - 1), Double(target.col - origin.col) / Double(size - 1)]
  }

  /// An agent's observation: its own scaled position, then its offset to each target in order.
  static func observation(of agent: GridCell, targets: [GridCell], size: Int) -> [Double] {
    targets.reduce(scaled(agent, size: size)) { $0 + offset(from: agent, to: $1, size: size) }
  }

  /// The space of `observation` with `targets` offsets.
  static func observationSpace(targets: Int) -> Space {
    let count = 2 + 2 * targets
    return .box(low: [0, 0] + Array(repeating: -1, count: count - 2), high: Array(repeating: 1, count: count), shape: [count])
  }

  /// A partial observation: its own scaled position, then per target (drow, dcol, 1) if the
  /// target is within `view` cells in both directions, else (0, 0, 0).
  static func observation(of agent: GridCell, targets: [GridCell], size: Int, view: Int) -> [Double] {
    var row = scaled(agent, size: size)
    for target in targets {
      let seen = abs(target.row - agent.row) <= view && abs(target.col - agent.col) <= view
      row += seen ? offset(from: agent, to: target, size: size) + [1] : [0, 0, 0]
    }
    return row
  }

  /// The space of the partial `observation` with `targets` targets.
  static func partialObservationSpace(targets: Int) -> Space {
    let count = 2 + 3 * targets
    let low: [Double] = [0, 0] + Array(repeating: [-1.0, -1, 0], count: targets).joined()
    return .box(low: low, high: Array(repeating: 1, count: count), shape: [count])
  }

  /// The moves of every live agent, or an error naming the agent whose action is not a move.
  static func moves(_ actions: [Point?], agents: [Int], names: [String], envID: String) throws -> [Int?] {
    var moves = [Int?](repeating: nil, count: names.count)
    for agent in agents {
      guard case .int(let move)? = actions[agent], (0..<5).contains(move) else {
        throw CoreError("\(envID): \(names[agent]) must move 0 (stay), 1 (up), 2 (down), 3 (left) or 4 (right), got \(actions[agent]?.description ?? "nil")")
      }
      moves[agent] = move
    }
    return moves
  }

  /// The grid, a mark of three characters per cell (" . ", " 0 ", "[0]"); rows end without spaces.
  static func render(size: Int, mark: (GridCell) -> String) -> String {
    (0..<size).map { row in
      var line = (0..<size).map { mark(GridCell(row: row, col: $0)) }.joined()
      while line.last == " " { line.removeLast() }
      return line
    }.joined(separator: "\n")
  }

  /// Bounds that keep a grid, its agents' spaces and an episode within memory and time.
  static let maxSize = 1_000
  static let maxPieces = 512
  static let maxSteps = 1_000_000

  /// Checks the grid options shared by both games.
  static func requireSize(_ size: Int, pieces: Int, maxCycles: Int, envID: String) throws {
    guard size >= 2, size <= maxSize else {
      throw CoreError("\(envID): option size must be from 2 to \(maxSize) (cells per side), got \(size)")
    }
    guard pieces >= 1, pieces <= maxPieces else {
      throw CoreError("\(envID): \(pieces) pieces is too many; at most \(maxPieces) agents and landmarks together", hint: "use fewer agents")
    }
    guard maxCycles <= maxSteps else {
      throw CoreError("\(envID): option max_cycles must be at most \(maxSteps), got \(maxCycles)")
    }
    guard pieces <= size * size else {
      throw CoreError("\(envID): \(pieces) pieces need distinct start cells but a \(size)×\(size) grid has \(size * size)", hint: "raise size or use fewer agents")
    }
    guard maxCycles >= 1 else { throw CoreError("\(envID): option max_cycles must be 1 or more (steps per episode), got \(maxCycles)") }
  }
}
