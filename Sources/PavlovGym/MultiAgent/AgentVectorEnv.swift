import PavlovCore

/// The agents of N copies of a parallel multi-agent env as the rows of one vector env
/// (SuperSuit's `pettingzoo_env_to_vec_env` then `concat_vec_envs`), so one policy shared by every
/// agent — parameter sharing — trains with the one-agent tools (`rollout`, `gae`, `ppo_loss`).
/// Row `c × A + a` is agent a of copy c, A being the env's possible agents; all must share one
/// observation space and one action space.
///
/// A copy's episode ends when its last agent leaves. Then every row of the copy ends in that step
/// and the copy resets (same-step autoreset, as `VectorEnv`): each row is terminated or truncated
/// as its agent left, with its agent's last observation and info as the final ones. An agent that
/// leaves before the others (SuperSuit's `black_death`) gets its reward, then shows a row of zeros
/// and reward 0, its actions ignored, until its copy's episode ends.
///
/// Seeding: `reset(seed: s)` resets copy c with `s + c`; autoresets pass no seed.
public final class AgentVectorEnv: VectorEnvironment {
  public let count: Int
  public let copies: Int
  public let agentsPerCopy: Int
  public let observationSpace: Space
  public let actionSpace: Space
  public var threads: Int { 1 }
  public var envs: [Environment] { [] }
  let name: String
  let parallel: [ParallelEnvironment]
  private let observationSize: Int
  private var pendingSeed: UInt64?
  private var started = false
  /// Per row: the agent's last observation and info, and how it left (nil while it plays).
  private var lastObservations: [Point]
  private var lastInfos: [Info]
  private var departures: [(terminated: Bool, truncated: Bool)?]

  /// Throws unless every copy is a fresh, distinct env with the same agents, and they all share
  /// one observation and one action space.
  public init(copies: [ParallelEnvironment], name: String, seed: UInt64? = nil) throws {
    guard let first = copies.first else { throw CoreError("\(name): a vector env needs at least one copy") }
    let agents = first.possibleAgents
    guard !agents.isEmpty else { throw CoreError("\(name) has no agents") }
    for (i, copy) in copies.enumerated() {
      guard copy.possibleAgents == agents else {
        throw CoreError("\(name): copy \(i) has agents \(copy.possibleAgents), but copy 0 has \(agents); all copies must match")
      }
      let core = Self.core(copy)
      if let twin = copies[..<i].firstIndex(where: { Self.core($0) === core }) {
        throw CoreError("\(name): copies \(twin) and \(i) are the same env", hint: "make a new env for every copy")
      }
    }
    observationSpace = first.observationSpace(0)
    actionSpace = first.actionSpace(0)
    for a in agents.indices.dropFirst() where first.observationSpace(a) != observationSpace || first.actionSpace(a) != actionSpace {
      throw CoreError("\(name): \(agents[a]) observes \(first.observationSpace(a).description) and acts in \(first.actionSpace(a).description), but \(agents[0]) observes \(observationSpace.description) and acts in \(actionSpace.description); agents in one vector env share their spaces",
                      hint: "train agents with different spaces with ma_ppo and separate policies")
    }
    self.name = name
    parallel = copies
    self.copies = copies.count
    agentsPerCopy = agents.count
    count = copies.count * agents.count
    observationSize = observationSpace.flatCount
    pendingSeed = seed
    lastObservations = Array(repeating: .int(0), count: count)
    lastInfos = Array(repeating: [:], count: count)
    departures = Array(repeating: nil, count: count)
  }

  public func reset(seed: UInt64? = nil) throws -> (observations: [Double], infos: [Info]) {
    let base = seed ?? pendingSeed
    pendingSeed = nil
    started = false
    var rows = [Double](repeating: 0, count: count * observationSize)
    var infos = [Info](repeating: [:], count: count)
    for c in 0..<copies {
      try restart(c, seed: base.map { $0 &+ UInt64(c) }, rows: &rows, infos: &infos)
    }
    started = true
    return (rows, infos)
  }

  public func step(actions: [Point]) throws -> VectorStep {
    guard started else { throw CoreError("\(name) vector env: step() before reset(); call reset() first (also after a step that threw)") }
    guard actions.count == count else {
      throw CoreError("\(name) vector env: got \(actions.count) actions for \(count) rows (\(copies) copies × \(agentsPerCopy) agents); pass one action per row")
    }
    for r in actions.indices where departures[r] == nil && !actionSpace.contains(actions[r]) {
      throw CoreError("\(name) vector env: invalid action for row \(r) (\(agentName(r)) of copy \(r / agentsPerCopy)): \(actionSpace.whyNotContains(actions[r]))")
    }
    var out = VectorStep(observations: Array(repeating: 0, count: count * observationSize), rewards: Array(repeating: 0, count: count),
                         terminated: Array(repeating: false, count: count), truncated: Array(repeating: false, count: count),
                         finalObservations: Array(repeating: nil, count: count), finalInfos: Array(repeating: nil, count: count),
                         infos: Array(repeating: [:], count: count))
    for c in 0..<copies {
      do {
        try stepCopy(c, actions, into: &out)
      } catch {
        started = false
        throw CoreError("\(name) vector env: copy \(c) failed in step(): \((error as? ExplainedError)?.placedMessage ?? "\(error)")",
                        hint: "call reset() before stepping again")
      }
    }
    return out
  }

  public func step(discreteActions actions: [Int]) throws -> VectorStep {
    guard case .discrete = actionSpace else {
      throw CoreError("\(name) vector env: step(discreteActions:) needs a Discrete action space, but it is \(actionSpace.description)")
    }
    return try step(actions: actions.map { .int($0) })
  }

  public func step(continuousActions actions: [Double]) throws -> VectorStep {
    guard case .box(let low, _, _) = actionSpace else {
      throw CoreError("\(name) vector env: step(continuousActions:) needs a Box action space, but it is \(actionSpace.description)")
    }
    let size = low.count
    guard actions.count == count * size else {
      throw CoreError("\(name) vector env: got \(actions.count) numbers for \(count) rows of \(size) each; pass \(count * size)")
    }
    return try step(actions: (0..<count).map { .reals(Array(actions[($0 * size)..<($0 * size + size)])) })
  }

  // MARK: - Copies

  /// The env under the wrappers and conversions that hold it, so one env reached through two
  /// different wrappers counts as the same copy.
  static func core(_ env: ParallelEnvironment) -> AnyObject {
    if let marked = env as? AgentIndicator { return core(marked.inner) }
    if let converted = env as? AECToParallel {
      if let turns = converted.inner as? ParallelToAEC { return core(turns.inner) }
      return converted.inner
    }
    return env
  }

  private func agentName(_ row: Int) -> String { parallel[0].possibleAgents[row % agentsPerCopy] }

  /// Steps copy c with its live agents' actions; ends and restarts it when no agent is left.
  private func stepCopy(_ c: Int, _ actions: [Point], into out: inout VectorStep) throws {
    let env = parallel[c], first = c * agentsPerCopy
    var joint = [Point?](repeating: nil, count: agentsPerCopy)
    for a in env.agents { joint[a] = actions[first + a] }
    let live = env.agents
    let result = try env.step(joint)
    for a in live {
      let r = first + a
      guard let observation = result.observations[a] else {
        throw CoreError("\(name) gave no observation for \(agentName(r)), which was in the episode")
      }
      out.rewards[r] = result.rewards[a]
      out.infos[r] = result.infos[a]
      lastObservations[r] = observation
      lastInfos[r] = result.infos[a]
      if result.terminations[a] || result.truncations[a] {
        departures[r] = (result.terminations[a], result.truncations[a])
      } else {
        try write(observation, row: r, into: &out.observations)
      }
    }
    guard env.agents.isEmpty else { return }
    for r in first..<(first + agentsPerCopy) {
      let left = departures[r] ?? (false, true)
      out.terminated[r] = left.terminated
      out.truncated[r] = left.truncated
      out.finalObservations[r] = lastObservations[r]
      out.finalInfos[r] = lastInfos[r]
    }
    try restart(c, seed: nil, rows: &out.observations, infos: &out.infos)
  }

  /// Resets copy c and writes its agents' first observations and infos into their rows.
  private func restart(_ c: Int, seed: UInt64?, rows: inout [Double], infos: inout [Info]) throws {
    let env = parallel[c], first = c * agentsPerCopy
    let reset = try env.reset(seed: seed)
    for a in 0..<agentsPerCopy {
      let r = first + a
      departures[r] = nil
      guard env.agents.contains(a), let observation = reset.observations[a] else {
        throw CoreError("\(name): \(agentName(r)) is not in the episode after reset(); a vector env needs every possible agent in every episode")
      }
      lastObservations[r] = observation
      lastInfos[r] = reset.infos[a]
      infos[r] = reset.infos[a]
      try write(observation, row: r, into: &rows)
    }
  }

  private func write(_ observation: Point, row r: Int, into rows: inout [Double]) throws {
    guard observationSpace.contains(observation) else {
      throw CoreError("\(name) gave \(agentName(r)) an observation outside its space: \(observationSpace.whyNotContains(observation))")
    }
    for (k, x) in observationSpace.flatten(observation).enumerated() { rows[r * observationSize + k] = x }
  }
}
