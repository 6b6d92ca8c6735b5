import PavlovCore
import PavlovGym

/// One logged episode: every observation (the reset's first), and per step the action, reward
/// and end flags, as Minari stores them. Points are flat rows of numbers (a Discrete value is
/// one number), so a dataset of any space is a few dense arrays.
public struct LoggedEpisode: Sendable, Equatable {
  /// (steps + 1) rows of the observation space's width.
  public var observations: [Double]
  /// steps rows of the action space's width.
  public var actions: [Double]
  public var rewards: [Double]
  public var terminations: [Bool]
  public var truncations: [Bool]
  /// Per step, the cost the env reported in `info["cost"]` (Safety-Gymnasium's convention), or
  /// empty when it reported none; constrained learners budget it.
  public var costs: [Double]
  /// The seed of the episode's reset, if it had one.
  public var seed: Int64?

  public var steps: Int { rewards.count }

  public init(observations: [Double] = [], actions: [Double] = [], rewards: [Double] = [], terminations: [Bool] = [],
              truncations: [Bool] = [], costs: [Double] = [], seed: Int64? = nil) {
    self.observations = observations
    self.actions = actions
    self.rewards = rewards
    self.terminations = terminations
    self.truncations = truncations
    self.costs = costs
    self.seed = seed
  }
}

/// Episodes logged in one environment, with its spaces: what `record` writes and `load_dataset` reads.
public struct EpisodeDataset: Sendable {
  /// Minari's dataset id, "namespace/name-vN".
  public var id: String
  public var observationSpace: Space
  public var actionSpace: Space
  public var episodes: [LoggedEpisode]
  /// The env's registered id, if it has one (for Minari's env_spec).
  public var envID: String?

  public init(id: String, observationSpace: Space, actionSpace: Space, episodes: [LoggedEpisode] = [], envID: String? = nil) {
    self.id = id
    self.observationSpace = observationSpace
    self.actionSpace = actionSpace
    self.episodes = episodes
    self.envID = envID
  }

  public var totalSteps: Int { episodes.reduce(0) { $0 + $1.steps } }
  public var observationWidth: Int { observationSpace.flatCount }
  public var actionWidth: Int { actionSpace.flatCount }
  /// Whether every episode logged a cost per step.
  public var hasCosts: Bool { !episodes.isEmpty && episodes.allSatisfy { $0.costs.count == $0.steps } }

  /// The cost in a step's info: its number, 0 when it has none, or nil when it is not a number.
  public static func cost(_ info: Info) -> Double? {
    switch info[costKey] {
    case nil: return 0
    case .double(let x)?: return x
    case .int(let k)?: return Double(k)
    case .bool(let b)?: return b ? 1 : 0
    default: return nil
    }
  }

  /// The info key a step's cost is read from, and stored under in Minari's infos group.
  public static let costKey = "cost"

  /// Plays `episodes` episodes of `env`, choosing actions with `policy`, and logs them. Episode k
  /// is reset with seed + k, so the same seed and policy log the same data.
  public static func record(_ env: Environment, id: String, envID: String?, episodes: Int, seed: UInt64,
                            policy: (Point) throws -> Point) throws -> EpisodeDataset {
    try MinariFormat.checkStorable(env.observationSpace, env.actionSpace)
    var dataset = EpisodeDataset(id: id, observationSpace: env.observationSpace, actionSpace: env.actionSpace, envID: envID)
    // Costs are kept when the env reported any (a step without one cost 0), and dropped otherwise.
    var reportsCosts = false
    for k in 0..<episodes {
      let episodeSeed = seed &+ UInt64(k)
      var episode = LoggedEpisode(seed: Int64(bitPattern: episodeSeed))
      let start = try env.reset(seed: episodeSeed)
      var observation = start.observation
      reportsCosts = reportsCosts || start.info[costKey] != nil
      episode.observations += observation.asReals
      while true {
        try Interruption.check()
        let action = try policy(observation)
        guard env.actionSpace.contains(action) else {
          throw CoreError("the policy chose \(action.description), which is not in the action space \(env.actionSpace.description)")
        }
        let step = try env.step(action)
        episode.actions += action.asReals
        episode.rewards.append(step.reward)
        episode.terminations.append(step.terminated)
        episode.truncations.append(step.truncated)
        guard let cost = cost(step.info) else {
          throw CoreError("step \(episode.steps) of episode \(k + 1): info[\"\(costKey)\"] is \(step.info[costKey].map { "\($0)" } ?? ""), not a number")
        }
        episode.costs.append(cost)
        reportsCosts = reportsCosts || step.info[costKey] != nil
        episode.observations += step.observation.asReals
        observation = step.observation
        if step.terminated || step.truncated { break }
      }
      dataset.episodes.append(episode)
    }
    if !reportsCosts { for k in dataset.episodes.indices { dataset.episodes[k].costs = [] } }
    return dataset
  }

  /// The episodes of several datasets of one environment, in order (Minari's combine_datasets).
  public static func combined(_ parts: [EpisodeDataset], id: String) throws -> EpisodeDataset {
    guard let first = parts.first else { throw CoreError("there are no datasets to combine") }
    var out = EpisodeDataset(id: id, observationSpace: first.observationSpace, actionSpace: first.actionSpace, envID: first.envID)
    for (i, part) in parts.enumerated() {
      guard part.observationSpace.hasSameShape(as: first.observationSpace), part.actionSpace.hasSameShape(as: first.actionSpace) else {
        throw CoreError("dataset \(i) (\(part.id)) has spaces \(part.observationSpace.description) → \(part.actionSpace.description), dataset 0 \(first.observationSpace.description) → \(first.actionSpace.description)")
      }
      out.episodes += part.episodes
    }
    return out
  }

  /// The dataset split by episodes: a shuffled `fraction` of them (rounded) and the rest, as
  /// Minari's split_dataset does; the order inside each part is the logged order.
  public func split(_ fraction: Double, seed: UInt64) -> (EpisodeDataset, EpisodeDataset) {
    var order = Array(episodes.indices)
    SeededGenerator(seed: seed).shuffle(&order)
    let cut = Int((fraction * Double(episodes.count)).rounded())
    let first = Set(order.prefix(cut))
    var a = self, b = self
    a.episodes = episodes.indices.filter { first.contains($0) }.map { episodes[$0] }
    b.episodes = episodes.indices.filter { !first.contains($0) }.map { episodes[$0] }
    return (a, b)
  }
}
