/// CliffWalking (Sutton & Barto, Example 6.6): a 4x12 grid from the start (3, 0) to the goal
/// (3, 11) along a cliff (3, 1...10). Actions 0 up, 1 right, 2 down, 3 left; the state is
/// `row * 12 + col`. Every step costs -1; stepping onto the cliff costs -100 and puts the agent
/// back on the start without ending the episode; the goal ends it. With `is_slippery` the move
/// goes the intended way or to either side, 1/3 each (Gymnasium 1.x). Gymnasium registers no
/// time limit, and neither do we: an episode lasts until the goal (or `maxEpisodeSteps`).
public final class CliffWalking: TabularEnvironment {
  public static let actionNames = ["Up", "Right", "Down", "Left"]
  static let moves: [(row: Int, col: Int)] = [(-1, 0), (0, 1), (1, 0), (0, -1)]
  public static let rows = 4
  public static let cols = 12
  public static let startState = 3 * 12 + 0
  public static let goalState = 3 * 12 + 11

  public let isSlippery: Bool
  private let model: TabularModel

  public init(isSlippery: Bool = false, envID: String = "CliffWalking-v0") {
    self.isSlippery = isSlippery
    model = TabularModel(envID: envID, transitions: CliffWalking.model(isSlippery: isSlippery),
                         startStates: [CliffWalking.startState])
  }

  private init(copying other: CliffWalking) {
    isSlippery = other.isSlippery
    model = other.model.copy()
  }

  static func isCliff(row: Int, col: Int) -> Bool { row == rows - 1 && col > 0 && col < cols - 1 }

  /// Gymnasium's `P`, rows for the cliff and goal included (computed like any cell, though an
  /// episode never acts from them).
  static func model(isSlippery: Bool) -> [[[Transition]]] {
    (0..<rows * cols).map { state in
      let row = state / cols, col = state % cols
      return (0..<4).map { action in
        // Up, right, down, left go round the compass: action ± 1 are the perpendicular moves.
        let directions = isSlippery ? [(action + 3) % 4, action, (action + 1) % 4] : [action]
        return directions.map { direction in
          let probability = 1 / Double(directions.count)
          let (r, c) = clampedMove(row: row, col: col, by: moves[direction], rows: rows, cols: cols)
          if isCliff(row: r, col: c) {
            return Transition(probability: probability, next: startState, reward: -100, terminated: false)
          }
          let next = r * cols + c
          return Transition(probability: probability, next: next, reward: -1, terminated: next == goalState)
        }
      }
    }
  }

  public var observationSpace: Space { .discrete(CliffWalking.rows * CliffWalking.cols) }
  public var actionSpace: Space { .discrete(4) }
  public var transitions: [[[Transition]]] { model.transitions }

  /// The agent's cell as `row * 12 + col`.
  public var state: Int {
    get { model.state }
    set { model.state = newValue }
  }

  public func reset(seed: UInt64?) throws -> Reset { model.reset(seed: seed) }
  public func step(_ action: Point) throws -> Step { try model.step(action) }

  /// Gymnasium's letters — o ground, C cliff, T target — with the agent's cell in brackets.
  public func render() -> String {
    let cols = CliffWalking.cols
    let cells: [[Character]] = (0..<CliffWalking.rows).map { row in
      (0..<cols).map { col in
        if row * cols + col == CliffWalking.goalState { return "T" }
        return CliffWalking.isCliff(row: row, col: col) ? "C" : "o"
      }
    }
    return renderGrid(cells, agentRow: state / cols, agentCol: state % cols,
                      header: lastActionLine(model.lastAction, names: CliffWalking.actionNames))
  }

  public func copy() -> Environment? { CliffWalking(copying: self) }

  /// `make`'s factory: option `is_slippery` (default `slipperyByDefault`).
  static func make(_ options: EnvOptions, slipperyByDefault: Bool) throws -> Environment {
    CliffWalking(isSlippery: try options.bool("is_slippery", default: slipperyByDefault), envID: options.envID)
  }
}
