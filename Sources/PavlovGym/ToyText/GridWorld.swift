/// GridWorld-v0: a grid for teaching, laid out by `make`'s options (see `GridWorldLayout`).
/// Cells: S start, G goal, # wall, X pit, H hazard, . free. Actions 0 up, 1 right, 2 down, 3 left; the
/// state is `row * cols + col`. Walls and the edge block moves (the agent stays put). With
/// `slip` > 0 the move goes sideways instead with probability `slip` (half to each side).
/// Each step pays the reward of the cell it lands on: `goalReward` at a goal and `pitReward` in
/// a pit (both end the episode), `stepReward` anywhere else. The default step reward -0.04 is
/// Russell & Norvig's 4x3 world's: a small cost that makes short paths worth finding.
/// A hazard is a free cell that costs `hazardCost`, reported apart from the reward as
/// `info["cost"]` on every step (Safety-Gymnasium's convention), for constrained RL.
public final class GridWorld: TabularEnvironment {
  public static let actionNames = ["Up", "Right", "Down", "Left"]
  static let moves: [(row: Int, col: Int)] = [(-1, 0), (0, 1), (1, 0), (0, -1)]
  static let legend: KeyValuePairs<Character, String> = ["S": "start", "G": "goal", "#": "wall", "X": "pit", "H": "hazard", ".": "free"]

  public let map: [String]
  public let rows: Int
  public let cols: Int
  public let stepReward: Double
  public let goalReward: Double
  public let pitReward: Double
  public let slip: Double
  public let hazardCost: Double
  /// Maps without hazards report no cost, as before hazards existed.
  private let hasHazards: Bool
  private let cells: [[Character]]
  private let model: TabularModel

  public init(map: [String], stepReward: Double = -0.04, goalReward: Double = 1, pitReward: Double = -1,
              slip: Double = 0, hazardCost: Double = 1, envID: String = "GridWorld-v0") throws {
    let grid = try GridText(map, legend: GridWorld.legend, start: "S", goal: "G", envID: envID, option: "map")
    for (name, value) in [("step_reward", stepReward), ("goal_reward", goalReward), ("pit_reward", pitReward), ("hazard_cost", hazardCost)] where !value.isFinite {
      throw CoreError("\(envID): option \(name) must be a finite number, got \(formatReal(value))")
    }
    guard slip >= 0, slip <= 1 else {
      throw CoreError("\(envID): option slip is a probability and must be from 0 to 1, got \(formatReal(slip))")
    }
    self.map = map
    rows = grid.rows
    cols = grid.cols
    cells = grid.cells
    self.stepReward = stepReward
    self.goalReward = goalReward
    self.pitReward = pitReward
    self.slip = slip
    self.hazardCost = hazardCost
    hasHazards = grid.cells.contains { $0.contains("H") }
    let start = grid.positions(of: "S").map { $0.row * grid.cols + $0.col }
    let rewards = (step: stepReward, goal: goalReward, pit: pitReward)
    model = TabularModel(envID: envID, transitions: GridWorld.model(grid, rewards: rewards, slip: slip),
                         startStates: start)
  }

  private init(copying other: GridWorld) {
    map = other.map
    rows = other.rows
    cols = other.cols
    cells = other.cells
    stepReward = other.stepReward
    goalReward = other.goalReward
    pitReward = other.pitReward
    slip = other.slip
    hazardCost = other.hazardCost
    hasHazards = other.hasHazards
    model = other.model.copy()
  }

  /// Goals, pits and walls are absorbing with reward 0 (walls are never entered; this just
  /// gives them value 0 in dynamic programming). Outcomes of probability 0 are left out.
  static func model(_ grid: GridText, rewards: (step: Double, goal: Double, pit: Double), slip: Double) -> [[[Transition]]] {
    var table: [[[Transition]]] = []
    for row in 0..<grid.rows {
      for col in 0..<grid.cols {
        let here = row * grid.cols + col
        if "GX#".contains(grid[row, col]) {
          table.append(Array(repeating: [Transition(probability: 1, next: here, reward: 0, terminated: true)], count: 4))
          continue
        }
        table.append((0..<4).map { action in
          // Up, right, down, left go round the compass: action ± 1 are the perpendicular moves.
          let choices = [((action + 3) % 4, slip / 2), (action, 1 - slip), ((action + 1) % 4, slip / 2)]
          return choices.filter { $0.1 > 0 }.map { direction, probability in
            var (r, c) = clampedMove(row: row, col: col, by: GridWorld.moves[direction], rows: grid.rows, cols: grid.cols)
            if grid[r, c] == "#" { (r, c) = (row, col) }
            switch grid[r, c] {
            case "G": return Transition(probability: probability, next: r * grid.cols + c, reward: rewards.goal, terminated: true)
            case "X": return Transition(probability: probability, next: r * grid.cols + c, reward: rewards.pit, terminated: true)
            default: return Transition(probability: probability, next: r * grid.cols + c, reward: rewards.step, terminated: false)
            }
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

  public func reset(seed: UInt64?) throws -> Reset {
    var reset = model.reset(seed: seed)
    if hasHazards { reset.info["cost"] = .double(0) }
    return reset
  }

  public func step(_ action: Point) throws -> Step {
    var step = try model.step(action)
    if hasHazards { step.info["cost"] = .double(cells[state / cols][state % cols] == "H" ? hazardCost : 0) }
    return step
  }

  /// The map with the agent's cell in brackets, under the last action.
  public func render() -> String {
    renderGrid(cells, agentRow: state / cols, agentCol: state % cols,
               header: lastActionLine(model.lastAction, names: GridWorld.actionNames))
  }

  public func copy() -> Environment? { GridWorld(copying: self) }

  /// `make`'s factory: the layout from the options, rewards `step_reward` (-0.04),
  /// `goal_reward` (1), `pit_reward` (-1), `slip` (0) and `hazard_cost` (1).
  static func make(_ options: EnvOptions) throws -> Environment {
    let map = try GridWorldLayout.map(from: options)
    return try GridWorld(map: map,
                         stepReward: try options.double("step_reward", default: -0.04),
                         goalReward: try options.double("goal_reward", default: 1),
                         pitReward: try options.double("pit_reward", default: -1),
                         slip: try options.double("slip", default: 0),
                         hazardCost: try options.double("hazard_cost", default: 1),
                         envID: options.envID)
  }
}
