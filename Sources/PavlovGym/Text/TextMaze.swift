import PavlovCore

/// `TextMaze-v0` and `TextMazePO-v0`, LMRL-Gym's maze tasks in words: observations and actions
/// are strings. The fully observed maze says where the goal and the agent are ("goal at row 1
/// column 1. you are at row 5 column 7."); the partially observed one only which of the four
/// neighbouring cells are walls ("walls to the north and west."), so a policy must remember the
/// dialogue so far. Actions are commands "go north", "go south", "go east" or "go west"; any other
/// string of the action space is an invalid command: the agent stays and pays `invalid_reward`
/// (-2), as LMRL-Gym penalises unparsable moves. Every step pays -1; reaching the goal pays 0 and
/// ends the episode. Each reset starts on a seeded random open cell other than the goal.
/// `info.expert_action` is the first move of a shortest path (the scripted expert that makes
/// datasets); `info.position` is the agent's cell.
public final class TextMaze: Environment {
  /// The maze: # walls, G the goal, . open cells (LMRL-Gym's size: a few dozen open cells).
  public static let defaultMap = [
    "#########",
    "#G..#...#",
    "##.##.#.#",
    "#...#.#.#",
    "#.#...#.#",
    "#.#.###.#",
    "#...#...#",
    "#########",
  ]
  public static let commands = ["go north", "go south", "go east", "go west"]
  static let moves: [(row: Int, col: Int)] = [(-1, 0), (1, 0), (0, 1), (0, -1)]
  static let directions = ["north", "south", "east", "west"]
  /// Lower-case words, digits and the punctuation the observations use.
  public static let charset = Array("abcdefghijklmnopqrstuvwxyz0123456789 .,")

  public let fullyObserved: Bool
  public let invalidReward: Double
  /// What an invalid move costs unless the option `invalid_reward` says otherwise.
  public static let defaultInvalidReward: Double = -2
  public let envID: String
  let cells: [[Character]]
  let goal: (row: Int, col: Int)
  let open: [(row: Int, col: Int)]
  /// Per cell (row * cols + col), the shortest number of steps to the goal (-1 for walls).
  let distance: [Int]
  public private(set) var position = (row: 0, col: 0)
  private var lastCommand: String?
  private let generator = SeededGenerator(seed: 0)
  public let observationSpace: Space
  public let actionSpace: Space

  public init(map: [String] = TextMaze.defaultMap, fullyObserved: Bool, invalidReward: Double = TextMaze.defaultInvalidReward, envID: String) throws {
    let grid = try GridText(map, legend: ["#": "wall", "G": "goal", ".": "open"], start: nil, goal: "G", envID: envID, option: "map")
    cells = grid.cells
    guard let g = grid.positions(of: "G").first, grid.positions(of: "G").count == 1 else {
      throw CoreError("\(envID): the map needs exactly one G (goal)")
    }
    goal = g
    open = grid.positions(of: ".")
    guard !open.isEmpty else { throw CoreError("\(envID): the map has no open cell to start from") }
    guard invalidReward.isFinite else { throw CoreError("\(envID): option invalid_reward must be a finite number, got \(invalidReward)") }
    self.fullyObserved = fullyObserved
    self.invalidReward = invalidReward
    self.envID = envID
    distance = Self.distances(grid.cells, from: g)
    let cols = grid.cols
    for cell in open where distance[cell.row * cols + cell.col] < 0 {
      throw CoreError("\(envID): the open cell at row \(cell.row) column \(cell.col) cannot reach the goal")
    }
    observationSpace = .text(minLength: 1, maxLength: 64, charset: Self.charset)
    actionSpace = .text(minLength: 1, maxLength: 16, charset: Self.charset)
  }

  /// Breadth-first distances to `goal` over non-wall cells.
  static func distances(_ cells: [[Character]], from goal: (row: Int, col: Int)) -> [Int] {
    let rows = cells.count, cols = cells[0].count
    var out = [Int](repeating: -1, count: rows * cols)
    out[goal.row * cols + goal.col] = 0
    var queue = [goal], head = 0
    while head < queue.count {
      let here = queue[head]
      head += 1
      for move in moves {
        let r = here.row + move.row, c = here.col + move.col
        guard r >= 0, r < rows, c >= 0, c < cols, cells[r][c] != "#", out[r * cols + c] < 0 else { continue }
        out[r * cols + c] = out[here.row * cols + here.col] + 1
        queue.append((r, c))
      }
    }
    return out
  }

  private var cols: Int { cells[0].count }

  /// What the agent is told about its cell.
  var observationText: String {
    if fullyObserved {
      return "goal at row \(goal.row) column \(goal.col). you are at row \(position.row) column \(position.col)."
    }
    let walls = (0..<4).filter { isWall(position.row + Self.moves[$0].row, position.col + Self.moves[$0].col) }.map { Self.directions[$0] }
    switch walls.count {
    case 0: return "no walls around you."
    case 1: return "a wall to the \(walls[0])."
    default: return "walls to the " + walls.dropLast().joined(separator: ", ") + " and \(walls.last!)."
    }
  }

  private func isWall(_ row: Int, _ col: Int) -> Bool {
    row < 0 || row >= cells.count || col < 0 || col >= cols || cells[row][col] == "#"
  }

  /// The first move of a shortest path from the agent's cell (north on the goal itself).
  public var expertAction: String {
    let here = distance[position.row * cols + position.col]
    for k in 0..<4 {
      let r = position.row + Self.moves[k].row, c = position.col + Self.moves[k].col
      if !isWall(r, c) && distance[r * cols + c] == here - 1 { return Self.commands[k] }
    }
    return Self.commands[0]
  }

  private var info: Info {
    ["expert_action": .string(expertAction), "position": .point(.ints([position.row, position.col])),
     "distance": .int(distance[position.row * cols + position.col])]
  }

  public func reset(seed: UInt64?) throws -> Reset {
    if let seed { generator.reseed(seed) }
    position = open[generator.nextInt(below: open.count)]
    lastCommand = nil
    return Reset(observation: .text(observationText), info: info)
  }

  public func step(_ action: Point) throws -> Step {
    guard case .text(let command) = action else {
      throw CoreError("\(envID): the action must be a command string such as \"go north\", got \(action.description)")
    }
    lastCommand = command
    var stepInfo: Info
    var reward = -1.0
    if let k = Self.commands.firstIndex(of: command) {
      let r = position.row + Self.moves[k].row, c = position.col + Self.moves[k].col
      if !isWall(r, c) { position = (r, c) }
      stepInfo = info
      stepInfo["invalid"] = .bool(false)
    } else {
      reward = invalidReward
      stepInfo = info
      stepInfo["invalid"] = .bool(true)
    }
    let reached = position == goal
    return Step(observation: .text(observationText), reward: reached ? 0 : reward, terminated: reached, info: stepInfo)
  }

  /// The maze with the agent's cell in brackets, under the last command.
  public func render() -> String {
    renderGrid(cells, agentRow: position.row, agentCol: position.col, header: lastCommand.map { "  (\($0))" })
  }

  public func copy() -> Environment? {
    guard let twin = try? TextMaze(map: cells.map { String($0) }, fullyObserved: fullyObserved, invalidReward: invalidReward, envID: envID) else { return nil }
    twin.position = position
    twin.lastCommand = lastCommand
    twin.generator.copyState(from: generator)
    return twin
  }

  static func make(_ options: EnvOptions, fullyObserved: Bool) throws -> Environment {
    try TextMaze(map: try options.strings("map") ?? defaultMap, fullyObserved: fullyObserved,
                 invalidReward: try options.double("invalid_reward", default: defaultInvalidReward), envID: options.envID)
  }
}
