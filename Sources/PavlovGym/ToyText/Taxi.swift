/// Taxi-v3 (Dietterich's taxi task): drive a 5x5 grid with walls, pick the passenger up at one
/// of four stands (R, G, Y, B) and drop them at their destination. Actions 0 south, 1 north,
/// 2 east, 3 west, 4 pickup, 5 dropoff. Rewards: -1 a step, +20 for the delivery (which ends the
/// episode), -10 for a pickup or dropoff where none is allowed. A dropoff at another stand just
/// leaves the passenger there (-1). Deterministic; rules, encoding and start states as Gymnasium.
public final class Taxi: TabularEnvironment {
  public static let actionNames = ["South", "North", "East", "West", "Pickup", "Dropoff"]
  /// Gymnasium's map: a `|` between two cells is a wall, a `:` is open road.
  public static let map = [
    "+---------+",
    "|R: | : :G|",
    "| : | : : |",
    "| : : : : |",
    "| | : | : |",
    "|Y| : |B: |",
    "+---------+",
  ]
  /// The stands, by passenger location / destination index 0...3.
  public static let stands: [(row: Int, col: Int)] = [(0, 0), (0, 4), (4, 0), (4, 3)]
  public static let standNames = ["R", "G", "Y", "B"]
  /// Passenger location 4 means "in the taxi".
  public static let inTaxi = 4
  public static let stateCount = 500

  private let model: TabularModel

  public init(envID: String = "Taxi-v3") {
    model = TabularModel(envID: envID, transitions: Taxi.model(), startStates: Taxi.startStates())
  }

  private init(copying other: Taxi) { model = other.model.copy() }

  /// Gymnasium's layout: `((row * 5 + col) * 5 + passenger) * 4 + destination`.
  public static func encode(row: Int, col: Int, passenger: Int, destination: Int) -> Int {
    ((row * 5 + col) * 5 + passenger) * 4 + destination
  }

  public static func decode(_ state: Int) -> (row: Int, col: Int, passenger: Int, destination: Int) {
    (state / 100, state / 20 % 5, state / 4 % 5, state % 4)
  }

  /// Whether the road between (`row`, `col`) and its east (`+1`) or west (`-1`) neighbour is
  /// open; moves north and south are never walled.
  static func roadOpen(row: Int, col: Int, east: Bool) -> Bool {
    let line = Array(map[row + 1])
    let index = east ? 2 * col + 2 : 2 * col
    return line.indices.contains(index) && line[index] == ":"
  }

  static func standIndex(row: Int, col: Int) -> Int? {
    stands.firstIndex { $0.row == row && $0.col == col }
  }

  /// Passenger waiting at a stand that is not their destination, taxi anywhere: 300 states.
  static func startStates() -> [Int] {
    (0..<stateCount).filter {
      let s = decode($0)
      return s.passenger < inTaxi && s.passenger != s.destination
    }
  }

  /// Gymnasium's `P`, computed for all 500 states (every outcome has probability 1).
  static func model() -> [[[Transition]]] {
    (0..<stateCount).map { state in
      let (row, col, passenger, destination) = decode(state)
      return (0..<6).map { action in
        var (newRow, newCol, newPassenger) = (row, col, passenger)
        var reward = -1.0
        var terminated = false
        switch action {
        case 0: newRow = min(row + 1, 4)
        case 1: newRow = max(row - 1, 0)
        case 2: if roadOpen(row: row, col: col, east: true) { newCol = min(col + 1, 4) }
        case 3: if roadOpen(row: row, col: col, east: false) { newCol = max(col - 1, 0) }
        case 4:
          if passenger < inTaxi, stands[passenger] == (row, col) { newPassenger = inTaxi } else { reward = -10 }
        default:
          let stand = standIndex(row: row, col: col)
          if passenger == inTaxi, stand == destination {
            newPassenger = destination
            reward = 20
            terminated = true
          } else if passenger == inTaxi, let stand {
            newPassenger = stand
          } else {
            reward = -10
          }
        }
        let next = encode(row: newRow, col: newCol, passenger: newPassenger, destination: destination)
        return [Transition(probability: 1, next: next, reward: reward, terminated: terminated)]
      }
    }
  }

  /// Gymnasium's `action_mask`: 1 for each action that changes the state (a move not into a
  /// wall or the edge, a legal pickup or dropoff).
  public static func actionMask(_ state: Int) -> [Int] {
    guard (0..<stateCount).contains(state) else { return Array(repeating: 0, count: 6) }
    let (row, col, passenger, _) = decode(state)
    let atStand = standIndex(row: row, col: col)
    let allowed = [
      row < 4,
      row > 0,
      col < 4 && roadOpen(row: row, col: col, east: true),
      col > 0 && roadOpen(row: row, col: col, east: false),
      passenger < inTaxi && atStand == passenger,
      passenger == inTaxi && atStand != nil,
    ]
    return allowed.map { $0 ? 1 : 0 }
  }

  public var observationSpace: Space { .discrete(Taxi.stateCount) }
  public var actionSpace: Space { .discrete(6) }
  public var transitions: [[[Transition]]] { model.transitions }

  /// The encoded state (see `encode`); settable so tests and lessons can start anywhere.
  public var state: Int {
    get { model.state }
    set { model.state = newValue }
  }

  public func reset(seed: UInt64?) throws -> Reset {
    var result = model.reset(seed: seed)
    result.info["action_mask"] = .point(.ints(Taxi.actionMask(model.state)))
    return result
  }

  public func step(_ action: Point) throws -> Step {
    var result = try model.step(action)
    result.info["action_mask"] = .point(.ints(Taxi.actionMask(model.state)))
    return result
  }

  /// Gymnasium's text map with the taxi drawn as T, a line naming where the passenger is and
  /// where they go (in place of Gymnasium's colours), and the last action.
  public func render() -> String {
    guard (0..<Taxi.stateCount).contains(state) else { return "  (state \(state) is not a Taxi state)" }
    let (row, col, passenger, destination) = Taxi.decode(state)
    var lines = Taxi.map.map { Array($0) }
    lines[row + 1][2 * col + 1] = "T"
    let waiting = passenger == Taxi.inTaxi ? "in the taxi" : "at " + Taxi.standNames[passenger % 4]
    var text = lines.map { String($0) }
    text.append("  Passenger \(waiting), destination \(Taxi.standNames[destination])")
    if let header = lastActionLine(model.lastAction, names: Taxi.actionNames) { text.append(header) }
    return text.joined(separator: "\n")
  }

  public func copy() -> Environment? { Taxi(copying: self) }
}
