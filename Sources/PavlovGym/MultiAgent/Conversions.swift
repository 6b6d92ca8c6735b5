/// PettingZoo's `parallel_to_aec`: a parallel env played as turns. Agents choose one after another
/// in `agents` order; the choices are held until the last one, then the parallel step runs and
/// every agent's reward joins its accumulated reward.
public final class ParallelToAEC: AECEnvironment, BookedAEC {
  public let inner: ParallelEnvironment
  var book: AECBook
  private var observations: [Point?]
  private var pending: [Point?]
  /// Agents still to choose in this cycle.
  private var waiting: [Int] = []

  public init(_ inner: ParallelEnvironment) {
    self.inner = inner
    book = AECBook(agents: inner.possibleAgents.count)
    observations = Array(repeating: nil, count: inner.possibleAgents.count)
    pending = observations
  }

  public var possibleAgents: [String] { inner.possibleAgents }
  public var isParallelizable: Bool { true }
  public func observationSpace(_ agent: Int) -> Space { inner.observationSpace(agent) }
  public func actionSpace(_ agent: Int) -> Space { inner.actionSpace(agent) }

  public func reset(seed: UInt64?) throws {
    let first = try inner.reset(seed: seed)
    book.reset()
    book.agents = inner.agents
    book.infos = first.infos
    observations = first.observations
    startCycle()
  }

  private func startCycle() {
    waiting = book.agents
    for i in pending.indices { pending[i] = nil }
    if let first = waiting.first { book.selection = first }
  }

  public func observe(_ agent: Int) -> Point {
    observations[agent] ?? inner.observationSpace(agent).sample(SeededGenerator(seed: 0))
  }

  public func step(_ action: Point?) throws {
    if selectionIsDone {
      guard action == nil else {
        throw CoreError("\(possibleAgents[book.selection]) is done; step it with nil", hint: "let action = nil if terminated or truncated")
      }
      book.retireSelection()
      if !book.agents.contains(where: { terminations[$0] || truncations[$0] }) { startCycle() }
      return
    }
    guard let action else {
      throw CoreError("\(possibleAgents[book.selection]) is in the episode and must act; nil is only for agents that are done")
    }
    book.beginAction()
    pending[book.selection] = action
    waiting.removeFirst()
    if let next = waiting.first {
      book.selection = next
      return
    }
    let result = try inner.step(pending)
    for agent in book.agents {
      book.rewards[agent] = result.rewards[agent]
      book.terminations[agent] = result.terminations[agent]
      book.truncations[agent] = result.truncations[agent]
      book.infos[agent] = result.infos[agent]
      if let observation = result.observations[agent] { observations[agent] = observation }
    }
    book.accumulate()
    if let done = book.agents.first(where: { terminations[$0] || truncations[$0] }) {
      book.selection = done
    } else {
      startCycle()
    }
  }

  public func render() -> String { inner.render() }

  public func copy() -> AECEnvironment? {
    guard let innerCopy = inner.copy() else { return nil }
    let twin = ParallelToAEC(innerCopy)
    twin.book = book
    twin.observations = observations
    twin.pending = pending
    twin.waiting = waiting
    return twin
  }
}

/// PettingZoo's `aec_to_parallel`, for AEC envs where every agent acts once per cycle
/// (`isParallelizable`): one parallel step is one cycle of turns.
public final class AECToParallel: ParallelEnvironment {
  public let inner: AECEnvironment

  public init(_ inner: AECEnvironment, name: String) throws {
    guard inner.isParallelizable else {
      throw CoreError("\(name) is turn-based: its agents do not act at the same time, so it has no parallel form",
                      hint: "use its AEC API (agent_selection, last(), step) — PettingZoo's aec_to_parallel refuses such envs too")
    }
    self.inner = inner
  }

  public var possibleAgents: [String] { inner.possibleAgents }
  public var agents: [Int] { inner.agents }
  public func observationSpace(_ agent: Int) -> Space { inner.observationSpace(agent) }
  public func actionSpace(_ agent: Int) -> Space { inner.actionSpace(agent) }
  public var stateSpace: Space? { (inner as? ParallelToAEC)?.inner.stateSpace }
  public func state() throws -> [Double]? { try (inner as? ParallelToAEC)?.inner.state() }

  public func reset(seed: UInt64?) throws -> ParallelReset {
    try inner.reset(seed: seed)
    let count = possibleAgents.count
    var observations = [Point?](repeating: nil, count: count)
    for agent in inner.agents { observations[agent] = inner.observe(agent) }
    return ParallelReset(observations: observations, infos: inner.infos)
  }

  public func step(_ actions: [Point?]) throws -> ParallelStep {
    var result = ParallelStep(agents: possibleAgents.count)
    let acting = inner.agents
    for _ in acting {
      guard !inner.agents.isEmpty, !inner.selectionIsDone else { break }
      let agent = inner.agentSelection
      try inner.step(actions[agent])
      for i in 0..<result.rewards.count { result.rewards[i] += inner.rewards[i] }
    }
    for agent in acting {
      result.terminations[agent] = inner.terminations[agent]
      result.truncations[agent] = inner.truncations[agent]
      result.infos[agent] = inner.infos[agent]
      result.observations[agent] = inner.observe(agent)
    }
    // Retire the agents that are done, so `agents` holds only those still in the episode.
    while !inner.agents.isEmpty && inner.selectionIsDone { try inner.step(nil) }
    return result
  }

  public func render() -> String { inner.render() }

  public func copy() -> ParallelEnvironment? {
    guard let innerCopy = inner.copy() else { return nil }
    return try? AECToParallel(innerCopy, name: "")
  }
}
