import PavlovGym
import PavlovTensor

/// A policy that learns: its networks, optimizer and feature encoders, and the transitions of
/// the current iteration (with their advantages once each agent's segment closes).
public final class LearnedPolicy {
  public let name: String
  public let network: AgentNetwork
  let optimizer: Optimizer
  let features: ObservationFeatures
  /// The critic's input per row: the features, or with MAPPO the global state, the agent's
  /// one-hot index and then the features (the MAPPO paper's agent-specific global state).
  let criticSize: Int
  let actionStart: Int

  var observations: [Float] = []
  var masks: [Bool] = []
  var criticInputs: [Float] = []
  var actions: [Float] = []
  var logProbs: [Float] = []
  var values: [Float] = []
  var advantages: [Float] = []
  var returns: [Float] = []

  /// `centralSize`: the numbers a centralized critic adds before the features (nil: none).
  init(name: String, observationSpace: Space, actionSpace: Space, centralSize: Int?, config: MultiAgentPPOConfig,
       generator: SeededGenerator) throws {
    guard case .discrete(let n, let start) = actionSpace else {
      throw CoreError("ma_ppo: policy \(name) needs a Discrete action space, got \(actionSpace.description)")
    }
    self.name = name
    actionStart = start
    features = ObservationFeatures(observationSpace)
    criticSize = (centralSize ?? 0) + features.size
    network = try AgentNetwork(inputs: features.size, criticInputs: self.criticSize, actions: n, hidden: config.hidden, generator: generator)
    optimizer = try Optimizer(.adam, params: network.parameters, lr: Float(config.lr), eps: 1e-5, maxGradNorm: Float(config.maxGradNorm))
  }

  var rows: Int { logProbs.count }

  func clear() {
    observations.removeAll(keepingCapacity: true)
    masks.removeAll(keepingCapacity: true)
    criticInputs.removeAll(keepingCapacity: true)
    actions.removeAll(keepingCapacity: true)
    logProbs.removeAll(keepingCapacity: true)
    values.removeAll(keepingCapacity: true)
    advantages.removeAll(keepingCapacity: true)
    returns.removeAll(keepingCapacity: true)
  }

  /// The feature row of an observation.
  func encode(_ observation: Point) throws -> [Float] {
    guard features.space.contains(observation) else {
      throw CoreError("policy \(name) sees observations in \(features.space.description); got one outside it: \(features.space.whyNotContains(observation))")
    }
    var row = [Float](repeating: 0, count: features.size)
    features.encode(observation, into: &row, at: 0)
    return row
  }
}

/// One agent's decisions in one episode under a learning policy, until its segment closes and its
/// advantages are computed (GAE over the segment, bootstrapping a truncated end).
struct AgentSegment {
  /// The policy's rows holding the segment's decisions (agents sharing a policy interleave).
  var rows: [Int] = []
  var values: [Float] = []
  var rewards: [Double] = []
  /// The agent acted and its reward has not yet been reported.
  var awaitingReward = false
}
