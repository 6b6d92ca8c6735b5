/// FrozenLake-v1: walk from S to G across frozen cells F without falling into a hole H.
/// Actions 0 left, 1 down, 2 right, 3 up; the state is `row * cols + col`. Reaching G pays 1,
/// everything else 0; G and H end the episode. On slippery ice the move goes the intended way
/// with probability 1/3 and to each side with 1/3, as in Gymnasium.
public final class FrozenLake: TabularEnvironment {
  public static let actionNames = ["Left", "Down", "Right", "Up"]
  /// Row and column change of each action, in action order.
  static let moves: [(row: Int, col: Int)] = [(0, -1), (1, 0), (0, 1), (-1, 0)]

  public let desc: [String]
  public let isSlippery: Bool
  public let rows: Int
  public let cols: Int
  private let cells: [[Character]]
  private let model: TabularModel

  /// A lake from rows of S (start), F (frozen), H (hole), G (goal); throws if the map is not
  /// rectangular, has another letter, or lacks exactly one S and at least one G.
  public init(desc: [String] = FrozenLakeMaps.named["4x4"] ?? [], isSlippery: Bool = true,
              envID: String = "FrozenLake-v1") throws {
    let legend: KeyValuePairs<Character, String> = ["S": "start", "F": "frozen", "H": "hole", "G": "goal"]
    let grid = try GridText(desc, legend: legend, start: "S", goal: "G", envID: envID, option: "desc")
    self.desc = desc
    self.isSlippery = isSlippery
    rows = grid.rows
    cols = grid.cols
    cells = grid.cells
    let start = grid.positions(of: "S").map { $0.row * grid.cols + $0.col }
    model = TabularModel(envID: envID, transitions: FrozenLake.model(grid, isSlippery: isSlippery), startStates: start)
  }

  private init(copying other: FrozenLake) {
    desc = other.desc
    isSlippery = other.isSlippery
    rows = other.rows
    cols = other.cols
    cells = other.cells
    model = other.model.copy()
  }

  /// Gymnasium's `P`: holes and the goal are absorbing with reward 0, so dynamic programming
  /// gives them value 0; elsewhere each action lists its one or three outcomes.
  static func model(_ grid: GridText, isSlippery: Bool) -> [[[Transition]]] {
    var table: [[[Transition]]] = []
    for row in 0..<grid.rows {
      for col in 0..<grid.cols {
        let here = row * grid.cols + col
        if grid[row, col] == "G" || grid[row, col] == "H" {
          table.append(Array(repeating: [Transition(probability: 1, next: here, reward: 0, terminated: true)], count: 4))
          continue
        }
        table.append((0..<4).map { action in
          // The actions go round the compass, so action ± 1 are the two perpendicular moves.
          let directions = isSlippery ? [(action + 3) % 4, action, (action + 1) % 4] : [action]
          return directions.map { direction in
            let (r, c) = clampedMove(row: row, col: col, by: moves[direction], rows: grid.rows, cols: grid.cols)
            let letter = grid[r, c]
            return Transition(probability: 1 / Double(directions.count), next: r * grid.cols + c,
                              reward: letter == "G" ? 1 : 0, terminated: letter == "G" || letter == "H")
          }
        })
      }
    }
    return table
  }

  public var observationSpace: Space { .discrete(rows * cols) }
  public var actionSpace: Space { .discrete(4) }
  public var transitions: [[[Transition]]] { model.transitions }

  /// The agent's cell as `row * cols + col`; settable so tests and lessons can start anywhere.
  public var state: Int {
    get { model.state }
    set { model.state = newValue }
  }

  public func reset(seed: UInt64?) throws -> Reset { model.reset(seed: seed) }
  public func step(_ action: Point) throws -> Step { try model.step(action) }

  /// The lake with the agent's cell in brackets, under the last action as Gymnasium shows it.
  public func render() -> String {
    renderGrid(cells, agentRow: state / cols, agentCol: state % cols,
               header: lastActionLine(model.lastAction, names: FrozenLake.actionNames))
  }

  public func copy() -> Environment? { FrozenLake(copying: self) }

  /// `make`'s factory: the map from the options (see `FrozenLakeMaps.map(from:defaultName:)`),
  /// `is_slippery` (default true), and the time limit that suits the map's size.
  static func make(_ options: EnvOptions, defaultMap: String) throws -> (Environment, Int?) {
    let isSlippery = try options.bool("is_slippery", default: true)
    let desc = try FrozenLakeMaps.map(from: options, defaultName: defaultMap)
    let lake = try FrozenLake(desc: desc, isSlippery: isSlippery, envID: options.envID)
    return (lake, FrozenLakeMaps.episodeLimit(rows: lake.rows, cols: lake.cols))
  }
}
