/// PettingZoo's two contracts for environments with several agents. Agents are named
/// (`possibleAgents`) and addressed by their index in that list, so per-agent values travel as
/// arrays, not dictionaries; the binding layer turns them into records keyed by name.

/// What a parallel `reset` returns: one observation per agent in the episode (nil for the others).
public struct ParallelReset {
  public var observations: [Point?]
  public var infos: [Info]
  public init(observations: [Point?], infos: [Info]) {
    self.observations = observations
    self.infos = infos
  }
}

/// What a parallel `step` returns, per agent index. Agents that were not in the episode before
/// the step have a nil observation and no reward.
public struct ParallelStep {
  public var observations: [Point?]
  public var rewards: [Double]
  public var terminations: [Bool]
  public var truncations: [Bool]
  public var infos: [Info]
  public init(agents: Int) {
    observations = Array(repeating: nil, count: agents)
    rewards = Array(repeating: 0, count: agents)
    terminations = Array(repeating: false, count: agents)
    truncations = Array(repeating: false, count: agents)
    infos = Array(repeating: [:], count: agents)
  }
}

/// PettingZoo's `ParallelEnv`: every agent in the episode acts at once. An agent leaves `agents`
/// after the step that terminates or truncates it; the episode is over when none is left.
public protocol ParallelEnvironment: AnyObject {
  var possibleAgents: [String] { get }
  /// Indices (into `possibleAgents`) of the agents in the episode, in order.
  var agents: [Int] { get }
  func observationSpace(_ agent: Int) -> Space
  func actionSpace(_ agent: Int) -> Space
  func reset(seed: UInt64?) throws -> ParallelReset
  /// `actions[i]` for every agent in `agents` (nil for the others).
  func step(_ actions: [Point?]) throws -> ParallelStep
  func render() -> String
  /// PettingZoo's `state()`: the whole situation as numbers, for a centralized critic (nil if
  /// the env has no global state).
  var stateSpace: Space? { get }
  func state() throws -> [Double]?
  /// An independent copy with identical state and generator (nil if not supported).
  func copy() -> ParallelEnvironment?
}

extension ParallelEnvironment {
  public var stateSpace: Space? { nil }
  public func state() -> [Double]? { nil }
  public func copy() -> ParallelEnvironment? { nil }
}

/// PettingZoo's `AECEnv`: agents act one at a time. `agentSelection` is the agent to act; `last()`
/// tells it what it needs; `step(nil)` retires an agent that is terminated or truncated (its
/// "dead step"). Rewards accumulate per agent from one of its actions to the next.
public protocol AECEnvironment: AnyObject {
  var possibleAgents: [String] { get }
  var agents: [Int] { get }
  var agentSelection: Int { get }
  func observationSpace(_ agent: Int) -> Space
  func actionSpace(_ agent: Int) -> Space
  func reset(seed: UInt64?) throws
  func observe(_ agent: Int) -> Point
  /// Legal actions of a discrete action space (nil when every action is legal).
  func actionMask(_ agent: Int) -> [Bool]?
  /// Why a masked-out action is illegal, in words for a person ("cell 4 is taken by X").
  func whyIllegal(_ action: Int, for agent: Int) -> String?
  /// Rewards of the last step, per agent.
  var rewards: [Double] { get }
  /// Rewards since each agent last acted (what `last()` reports).
  var cumulativeRewards: [Double] { get }
  var terminations: [Bool] { get }
  var truncations: [Bool] { get }
  var infos: [Info] { get }
  /// The selected agent's action; nil exactly when that agent is terminated or truncated.
  func step(_ action: Point?) throws
  func render() -> String
  /// The mark `render()` draws for the agent ("X"), so `play` can tell a person which is theirs
  /// (nil when the board does not show agents by a mark).
  func mark(of agent: Int) -> String?
  /// Whether every agent acts once per cycle and rewards come only at cycle ends, so
  /// `AECToParallel` can run it (PettingZoo's `is_parallelizable`).
  var isParallelizable: Bool { get }
  func copy() -> AECEnvironment?
}

extension AECEnvironment {
  public func actionMask(_ agent: Int) -> [Bool]? { nil }
  public func whyIllegal(_ action: Int, for agent: Int) -> String? { nil }
  public func mark(of agent: Int) -> String? { nil }
  public var isParallelizable: Bool { false }
  public func copy() -> AECEnvironment? { nil }

  /// PettingZoo's `last()`: the selected agent's observation, accumulated reward and flags.
  public func last() -> (observation: Point, reward: Double, terminated: Bool, truncated: Bool, info: Info) {
    let a = agentSelection
    return (observe(a), cumulativeRewards[a], terminations[a], truncations[a], infos[a])
  }

  /// Whether the selected agent must be retired with `step(nil)`.
  public var selectionIsDone: Bool { terminations[agentSelection] || truncations[agentSelection] }

  /// Why `agent` may not play `action` now — in the env's words where it has them ("cell 4 is
  /// taken by X"), else the space's or the mask's; nil when the action is legal. Every layer
  /// that takes actions from people or policies (play, match, the env value) asks this.
  public func whyIllegalAction(_ action: Point, for agent: Int) -> String? {
    let space = actionSpace(agent)
    guard space.contains(action) else {
      if case .int(let k) = action, let why = whyIllegal(k, for: agent) { return why }
      return space.whyNotContains(action)
    }
    guard case .int(let k) = action, case .discrete(_, let start) = space, let mask = actionMask(agent),
          k - start < mask.count, !mask[k - start] else { return nil }
    return whyIllegal(k, for: agent) ?? "the action mask forbids it now"
  }

  /// The actions `agent` may take now in a discrete action space (all of it where the env has
  /// no mask); empty for other spaces.
  public func legalActions(for agent: Int) -> [Int] {
    guard case .discrete(let n, let start) = actionSpace(agent) else { return [] }
    let mask = actionMask(agent) ?? Array(repeating: true, count: n)
    return mask.indices.filter { mask[$0] }.map { $0 + start }
  }
}

extension Point {
  /// The action mask a board game's observation carries (PettingZoo's `{observation,
  /// action_mask}`), if it has one.
  public var actionMask: [Bool]? {
    guard case .dict(let keys, let values) = self, let i = keys.firstIndex(of: "action_mask"), case .reals(let mask) = values[i] else { return nil }
    return mask.map { $0 > 0.5 }
  }
}

/// A multi-agent env of either kind, as `make` returns it.
public enum MultiAgentEnv {
  case parallel(ParallelEnvironment)
  case aec(AECEnvironment)

  public var possibleAgents: [String] {
    switch self {
    case .parallel(let env): return env.possibleAgents
    case .aec(let env): return env.possibleAgents
    }
  }

  public func observationSpace(_ agent: Int) -> Space {
    switch self {
    case .parallel(let env): return env.observationSpace(agent)
    case .aec(let env): return env.observationSpace(agent)
    }
  }

  public func actionSpace(_ agent: Int) -> Space {
    switch self {
    case .parallel(let env): return env.actionSpace(agent)
    case .aec(let env): return env.actionSpace(agent)
    }
  }

  public func render() -> String {
    switch self {
    case .parallel(let env): return env.render()
    case .aec(let env): return env.render()
    }
  }

  /// An independent copy, if the env supports one.
  public var copied: MultiAgentEnv? {
    switch self {
    case .parallel(let env): return env.copy().map { .parallel($0) }
    case .aec(let env): return env.copy().map { .aec($0) }
    }
  }

  /// The env as a parallel one where it is one underneath (a parallel env, or one seen in turns
  /// through `ParallelToAEC`); nil for turn-based envs.
  public var parallelForm: ParallelEnvironment? {
    switch self {
    case .parallel(let env): return env
    case .aec(let env): return (env as? ParallelToAEC)?.inner
    }
  }

  /// The env as turns: a parallel env through `ParallelToAEC`.
  public var asAEC: AECEnvironment {
    switch self {
    case .parallel(let env): return ParallelToAEC(env)
    case .aec(let env): return env
    }
  }
}

/// The bookkeeping every AEC env shares (PettingZoo's `_cumulative_rewards`, `_was_dead_step`,
/// `_accumulate_rewards`), so each env only models its game.
public struct AECBook {
  public let count: Int
  public var agents: [Int] = []
  public var selection = 0
  public var rewards: [Double]
  public var cumulative: [Double]
  public var terminations: [Bool]
  public var truncations: [Bool]
  public var infos: [Info]

  public init(agents count: Int) {
    self.count = count
    rewards = Array(repeating: 0, count: count)
    cumulative = rewards
    terminations = Array(repeating: false, count: count)
    truncations = terminations
    infos = Array(repeating: [:], count: count)
  }

  public mutating func reset() {
    self = AECBook(agents: count)
    agents = Array(0..<count)
    selection = 0
  }

  /// Before an agent's live action: its accumulated reward has been reported, so it restarts.
  public mutating func beginAction() {
    cumulative[selection] = 0
    for i in rewards.indices { rewards[i] = 0 }
  }

  /// After the step has set `rewards`: every agent's reward joins its accumulated one.
  public mutating func accumulate() {
    for i in rewards.indices { cumulative[i] += rewards[i] }
  }

  /// The selected agent's dead step: it leaves `agents`; the next agent selected is another
  /// done one if any remains (so all are retired before anyone acts), else the next in order.
  public mutating func retireSelection() {
    let leaving = selection
    guard let position = agents.firstIndex(of: leaving) else { return }
    agents.remove(at: position)
    for i in rewards.indices { rewards[i] = 0 }
    cumulative[leaving] = 0
    if let done = agents.first(where: { terminations[$0] || truncations[$0] }) {
      selection = done
    } else if !agents.isEmpty {
      selection = agents[position % agents.count]
    }
  }

  /// The agent after `agent` in `agents`' cycle.
  public func next(after agent: Int) -> Int {
    guard let position = agents.firstIndex(of: agent), !agents.isEmpty else { return agents.first ?? agent }
    return agents[(position + 1) % agents.count]
  }
}

/// An AEC env that keeps its bookkeeping in an `AECBook`: the contract's per-agent properties
/// read from it.
protocol BookedAEC: AECEnvironment {
  var book: AECBook { get }
}

extension BookedAEC {
  public var agents: [Int] { book.agents }
  public var agentSelection: Int { book.selection }
  public var rewards: [Double] { book.rewards }
  public var cumulativeRewards: [Double] { book.cumulative }
  public var terminations: [Bool] { book.terminations }
  public var truncations: [Bool] { book.truncations }
  public var infos: [Info] { book.infos }
}
