/// A discrete take on PettingZoo's MPE `simple_spread`: `agents` agents ("agent_0", …) and as
/// many landmarks on a `size`×`size` grid must cover every landmark together. All act at once
/// (parallel) with the five grid moves (0 stay, 1 up, 2 down, 3 left, 4 right; off-grid moves
/// stay; agents may share a cell). Landmarks and agents start on distinct random cells.
///
/// Reward, the same for every agent each step: (landmarks with at least one agent on them) / N
/// − 0.1 × (pairs of agents on the same cell), so spreading out beats crowding one landmark.
/// The episode is truncated after `max_cycles` steps (default 25); nothing terminates it.
/// Observation of agent i: its (row, col) / (size − 1), then each landmark's (drow, dcol) /
/// (size − 1) from it in landmark order, then each other agent's offset in agent order. The
/// state is every agent's scaled position then every landmark's. Each info has `coverage`, the
/// fraction of landmarks covered now.
///
/// With `view` r the agents see only what lies within r cells (in both directions): each
/// landmark and other agent gives (drow, dcol, 1) when in view, else (0, 0, 0). The state still
/// shows everything, which is what a centralized critic (MAPPO) has over independent ones.
public final class Spread: ParallelEnvironment {
  static let envID = "Spread-v0"
  public let possibleAgents: [String]
  public let size: Int
  public let maxCycles: Int
  /// How far agents see (nil: the whole grid).
  public let view: Int?
  public private(set) var agents: [Int] = []
  public private(set) var positions: [GridCell] = []
  public private(set) var landmarks: [GridCell] = []
  public private(set) var steps = 0
  private let generator = SeededGenerator(seed: 0)

  public init(agents count: Int = 3, size: Int = 5, maxCycles: Int = 25, view: Int? = nil) {
    possibleAgents = (0..<count).map { "agent_\($0)" }
    self.size = size
    self.maxCycles = maxCycles
    self.view = view
  }

  /// `make`'s factory: options `agents`, `size`, `max_cycles` and `view`.
  static func make(_ options: EnvOptions) throws -> Spread {
    let count = try options.int("agents", default: 3)
    let size = try options.int("size", default: 5)
    let maxCycles = try options.int("max_cycles", default: 25)
    let view = try options.optionalInt("view")
    try options.finish()
    guard count >= 1 else { throw CoreError("\(envID): option agents must be 1 or more, got \(count)") }
    try GridAgents.requireSize(size, pieces: 2 * count, maxCycles: maxCycles, envID: envID)
    if let view, view < 0 { throw CoreError("\(envID): option view must be 0 or more (cells seen in each direction), got \(view)") }
    return Spread(agents: count, size: size, maxCycles: maxCycles, view: view)
  }

  public func observationSpace(_ agent: Int) -> Space {
    let targets = 2 * possibleAgents.count - 1
    return view == nil ? GridAgents.observationSpace(targets: targets) : GridAgents.partialObservationSpace(targets: targets)
  }
  public func actionSpace(_ agent: Int) -> Space { .discrete(5) }

  public var stateSpace: Space? { .box(low: 0, high: 1, shape: [4 * possibleAgents.count]) }

  public func state() -> [Double]? {
    guard !positions.isEmpty else { return nil }
    return (positions + landmarks).flatMap { GridAgents.scaled($0, size: size) }
  }

  public func observation(for agent: Int) -> [Double] {
    let others = positions.indices.filter { $0 != agent }.map { positions[$0] }
    if let view { return GridAgents.observation(of: positions[agent], targets: landmarks + others, size: size, view: view) }
    return GridAgents.observation(of: positions[agent], targets: landmarks + others, size: size)
  }

  /// The fraction of landmarks with at least one agent on them.
  public var coverage: Double {
    let occupied = Set(positions)
    return Double(landmarks.filter(occupied.contains).count) / Double(landmarks.count)
  }

  /// Pairs of agents on the same cell.
  var collisions: Int {
    positions.indices.reduce(0) { sum, i in sum + positions[(i + 1)...].filter { $0 == positions[i] }.count }
  }

  public func reset(seed: UInt64?) throws -> ParallelReset {
    if let seed { generator.reseed(seed) }
    let n = possibleAgents.count
    let cells = GridAgents.distinctCells(2 * n, size: size, generator)
    landmarks = Array(cells[0..<n])
    positions = Array(cells[n...])
    steps = 0
    agents = Array(0..<n)
    let info: Info = ["coverage": .double(coverage)]
    return ParallelReset(observations: agents.map { .reals(observation(for: $0)) }, infos: Array(repeating: info, count: n))
  }

  public func step(_ actions: [Point?]) throws -> ParallelStep {
    guard !agents.isEmpty else { throw CoreError("\(Self.envID): the episode is over; call reset()") }
    let moves = try GridAgents.moves(actions, agents: agents, names: possibleAgents, envID: Self.envID)
    for agent in agents { positions[agent] = positions[agent].moved(moves[agent]!, size: size) }
    steps += 1
    let reward = coverage - 0.1 * Double(collisions)
    var result = ParallelStep(agents: possibleAgents.count)
    for agent in agents {
      result.observations[agent] = .reals(observation(for: agent))
      result.rewards[agent] = reward
      result.truncations[agent] = steps >= maxCycles
      result.infos[agent] = ["coverage": .double(coverage)]
    }
    if steps >= maxCycles { agents = [] }
    return result
  }

  /// The grid: digits for agents (`+` where several share a cell), `*` for landmarks, brackets
  /// around an agent on a landmark.
  public func render() -> String {
    let header = "step \(steps) of \(maxCycles), coverage \(landmarks.filter(Set(positions).contains).count)/\(landmarks.count)"
    return header + "\n" + GridAgents.render(size: size) { cell in
      let here = positions.indices.filter { positions[$0] == cell }
      let mark = here.isEmpty ? "" : (here.count > 1 ? "+" : String(here[0] % 10))
      if landmarks.contains(cell) { return mark.isEmpty ? " * " : "[\(mark)]" }
      return mark.isEmpty ? " . " : " \(mark) "
    }
  }

  public func copy() -> ParallelEnvironment? {
    let twin = Spread(agents: possibleAgents.count, size: size, maxCycles: maxCycles, view: view)
    twin.agents = agents
    twin.positions = positions
    twin.landmarks = landmarks
    twin.steps = steps
    twin.generator.copyState(from: generator)
    return twin
  }
}
