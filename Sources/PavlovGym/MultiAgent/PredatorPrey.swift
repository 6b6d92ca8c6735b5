/// Pursuit on a `size`×`size` grid (default 7): `predators` agents ("predator_0", …, default 3)
/// hunt one prey that the env moves. Predators act at once (parallel) with the five grid moves
/// (0 stay, 1 up, 2 down, 3 left, 4 right; off-grid moves stay; predators may share a cell and
/// may step onto the prey). Everyone starts on distinct random cells, not already a catch.
///
/// A step: the predators move; if the prey is not caught it moves, uniformly at random among
/// staying and the orthogonal neighbours on the grid that no predator occupies. The prey is
/// caught when, after either move, at least two predators are on its cell or orthogonally
/// adjacent to it (one cannot pin it alone). Every step costs each predator −0.01; the catch
/// pays each +1 and terminates them all. Truncation after `max_cycles` steps (default 50).
/// Observation of a predator: its (row, col) / (size − 1), the prey's (drow, dcol) / (size − 1)
/// from it, then each other predator's offset in order. The state is every predator's scaled
/// position then the prey's. Each info has `caught`.
public final class PredatorPrey: ParallelEnvironment {
  static let envID = "PredatorPrey-v0"
  public let possibleAgents: [String]
  public let size: Int
  public let maxCycles: Int
  public private(set) var agents: [Int] = []
  public internal(set) var predators: [GridCell] = []
  public internal(set) var prey = GridCell(row: 0, col: 0)
  public private(set) var caught = false
  public private(set) var steps = 0
  private let generator = SeededGenerator(seed: 0)

  public init(predators count: Int = 3, size: Int = 7, maxCycles: Int = 50) {
    possibleAgents = (0..<count).map { "predator_\($0)" }
    self.size = size
    self.maxCycles = maxCycles
  }

  /// `make`'s factory: options `predators`, `size` and `max_cycles`.
  static func make(_ options: EnvOptions) throws -> PredatorPrey {
    let count = try options.int("predators", default: 3)
    let size = try options.int("size", default: 7)
    let maxCycles = try options.int("max_cycles", default: 50)
    try options.finish()
    guard count >= 2 else { throw CoreError("\(envID): option predators must be 2 or more (a catch takes two), got \(count)") }
    try GridAgents.requireSize(size, pieces: count + 1, maxCycles: maxCycles, envID: envID)
    return PredatorPrey(predators: count, size: size, maxCycles: maxCycles)
  }

  public func observationSpace(_ agent: Int) -> Space { GridAgents.observationSpace(targets: possibleAgents.count) }
  public func actionSpace(_ agent: Int) -> Space { .discrete(5) }

  public var stateSpace: Space? { .box(low: 0, high: 1, shape: [2 * possibleAgents.count + 2]) }

  public func state() -> [Double]? {
    guard !predators.isEmpty else { return nil }
    return (predators + [prey]).flatMap { GridAgents.scaled($0, size: size) }
  }

  public func observation(for agent: Int) -> [Double] {
    let others = predators.indices.filter { $0 != agent }.map { predators[$0] }
    return GridAgents.observation(of: predators[agent], targets: [prey] + others, size: size)
  }

  var isCaught: Bool { predators.filter { $0.touches(prey) }.count >= 2 }

  public func reset(seed: UInt64?) throws -> ParallelReset {
    if let seed { generator.reseed(seed) }
    let n = possibleAgents.count
    // Redraw a start that is already a catch (on crowded small grids every start may be one).
    for _ in 0..<100 {
      let cells = GridAgents.distinctCells(n + 1, size: size, generator)
      prey = cells[0]
      predators = Array(cells[1...])
      if !isCaught { break }
    }
    steps = 0
    caught = false
    agents = Array(0..<n)
    return ParallelReset(observations: agents.map { .reals(observation(for: $0)) },
                         infos: Array(repeating: ["caught": .bool(false)], count: n))
  }

  public func step(_ actions: [Point?]) throws -> ParallelStep {
    guard !agents.isEmpty else { throw CoreError("\(Self.envID): the episode is over; call reset()") }
    let moves = try GridAgents.moves(actions, agents: agents, names: possibleAgents, envID: Self.envID)
    for agent in agents { predators[agent] = predators[agent].moved(moves[agent]!, size: size) }
    caught = isCaught
    if !caught {
      movePrey()
      caught = isCaught
    }
    steps += 1
    let truncated = !caught && steps >= maxCycles
    var result = ParallelStep(agents: possibleAgents.count)
    for agent in agents {
      result.observations[agent] = .reals(observation(for: agent))
      result.rewards[agent] = -0.01 + (caught ? 1 : 0)
      result.terminations[agent] = caught
      result.truncations[agent] = truncated
      result.infos[agent] = ["caught": .bool(caught)]
    }
    if caught || truncated { agents = [] }
    return result
  }

  private func movePrey() {
    let taken = Set(predators)
    let options = [prey] + (1..<5).map { prey.moved($0, size: size) }.filter { $0 != prey && !taken.contains($0) }
    prey = options[generator.nextInt(below: options.count)]
  }

  /// The grid: digits for predators (`+` where several share a cell), `@` for the prey, brackets
  /// around predators on the prey's cell.
  public func render() -> String {
    let header = "step \(steps) of \(maxCycles)" + (caught ? ", prey caught" : "")
    return header + "\n" + GridAgents.render(size: size) { cell in
      let here = predators.indices.filter { predators[$0] == cell }
      let mark = here.isEmpty ? "" : (here.count > 1 ? "+" : String(here[0] % 10))
      if cell == prey { return mark.isEmpty ? " @ " : "[\(mark)]" }
      return mark.isEmpty ? " . " : " \(mark) "
    }
  }

  public func copy() -> ParallelEnvironment? {
    let twin = PredatorPrey(predators: possibleAgents.count, size: size, maxCycles: maxCycles)
    twin.agents = agents
    twin.predators = predators
    twin.prey = prey
    twin.caught = caught
    twin.steps = steps
    twin.generator.copyState(from: generator)
    return twin
  }
}
