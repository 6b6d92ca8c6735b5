import PavlovCore

/// SuperSuit's `agent_indicator`: each agent's observation ends with its one-hot index among the
/// possible agents, so one policy shared by several agents can still play each its own part
/// (without it, identical agents running one policy on symmetric views tend to make the same move).
/// Needs flat Box observations; the state, rewards and flags pass through.
public final class AgentIndicator: ParallelEnvironment {
  public let inner: ParallelEnvironment
  private let spaces: [Space]

  public init(_ inner: ParallelEnvironment, name: String) throws {
    self.inner = inner
    let count = inner.possibleAgents.count
    spaces = try inner.possibleAgents.indices.map { agent in
      guard case .box(let low, let high, let shape) = inner.observationSpace(agent), shape.count == 1 else {
        throw CoreError("agent_indicator: \(name)'s \(inner.possibleAgents[agent]) observes \(inner.observationSpace(agent).description); the indicator extends a flat Box observation")
      }
      let tail = [Double](repeating: 0, count: count)
      return .box(low: low + tail, high: high + tail.map { _ in 1 }, shape: [shape[0] + count])
    }
  }

  public var possibleAgents: [String] { inner.possibleAgents }
  public var agents: [Int] { inner.agents }
  public func observationSpace(_ agent: Int) -> Space { spaces[agent] }
  public func actionSpace(_ agent: Int) -> Space { inner.actionSpace(agent) }
  public var stateSpace: Space? { inner.stateSpace }
  public func state() throws -> [Double]? { try inner.state() }
  public func render() -> String { inner.render() }

  public func reset(seed: UInt64?) throws -> ParallelReset {
    var result = try inner.reset(seed: seed)
    result.observations = result.observations.indices.map { indicate(result.observations[$0], $0) }
    return result
  }

  public func step(_ actions: [Point?]) throws -> ParallelStep {
    var result = try inner.step(actions)
    result.observations = result.observations.indices.map { indicate(result.observations[$0], $0) }
    return result
  }

  private init(inner: ParallelEnvironment, spaces: [Space]) {
    self.inner = inner
    self.spaces = spaces
  }

  public func copy() -> ParallelEnvironment? { inner.copy().map { AgentIndicator(inner: $0, spaces: spaces) } }

  /// The observation with `agent`'s one-hot index appended (a wrong-sized one passes unchanged,
  /// so the layer that checks observations against the space reports it).
  private func indicate(_ observation: Point?, _ agent: Int) -> Point? {
    guard case .reals(let values)? = observation else { return observation }
    var extended = values
    for i in possibleAgents.indices { extended.append(i == agent ? 1 : 0) }
    return .reals(extended)
  }
}
