import PavlovGym
import PavlovTensor

/// The policy and value networks of PPO and A2C, as SB3's `MlpPolicy`: two separate MLPs on the
/// same input (tanh, 64-64 by default), orthogonal weights with gain √2 in hidden layers, 0.01
/// on the policy head and 1 on the value head, zero biases. A discrete action space gets a
/// categorical policy over the head's logits; a box gets a diagonal Gaussian whose mean is the
/// head's output and whose log standard deviation is one learned number per action dimension,
/// independent of the state — or, with gSDE (SB3's `use_sde`), a learned matrix that turns the
/// policy's last hidden features into a state-dependent standard deviation (`StateDependentNoise`).
public final class ActorCritic: Module {
  public enum Head: Sendable {
    case categorical(actions: Int)
    case gaussian(size: Int)
  }

  public let head: Head
  public let policy: Sequential
  public let value: Sequential
  /// The Gaussian policy's log standard deviations: [size], or [features, size] with gSDE; nil
  /// for a categorical policy.
  public let logStd: Tensor?
  /// gSDE's noise model, when the policy explores with it.
  public let stateDependentNoise: StateDependentNoise?

  public init(inputs: Int, actionSpace: Space, hidden: [Int], activation: Activation.Function, logStdInit: Float,
              stateDependentExploration: Bool = false, generator: SeededGenerator) throws {
    switch actionSpace {
    case .discrete(let n, _): head = .categorical(actions: n)
    case .box(let low, _, _): head = .gaussian(size: low.count)
    case .multiDiscrete, .text, .tuple, .dict:
      throw CoreError("PPO does not support \(actionSpace.description) action spaces yet",
                         hint: "use a Discrete or Box action space")
    }
    let outputs: Int
    switch head {
    case .categorical(let n): outputs = n
    case .gaussian(let size): outputs = size
    }
    let hiddenInit = Initialization.orthogonal(gain: Float(2).squareRoot())
    policy = try Sequential.mlp([inputs] + hidden + [outputs], activation: activation, initialization: hiddenInit,
                                outputInitialization: .orthogonal(gain: 0.01), generator: generator)
    value = try Sequential.mlp([inputs] + hidden + [1], activation: activation, initialization: hiddenInit,
                               outputInitialization: .orthogonal(gain: 1), generator: generator)
    if case .gaussian(let size) = head {
      let features = hidden.last ?? inputs
      logStd = Tensor.full(stateDependentExploration ? [features, size] : [size], logStdInit).requiringGrad()
      stateDependentNoise = stateDependentExploration ? StateDependentNoise(features: features, actions: size) : nil
    } else {
      if stateDependentExploration {
        throw CoreError("use_sde needs a Box action space (gSDE perturbs continuous actions), got \(actionSpace.description)")
      }
      logStd = nil
      stateDependentNoise = nil
    }
    super.init(kind: "actor_critic")
    addChild("policy", policy)
    addChild("value", value)
    if let logStd { addParameter("log_std", logStd) }
  }

  /// The action distribution for a batch of inputs [B, inputs].
  public func distribution(_ inputs: Tensor) throws -> PolicyDistribution {
    try distributionAndFeatures(inputs).distribution
  }

  /// The action distribution and, with gSDE, the policy's last hidden features [B, features]
  /// (without gradient), which the exploration noise multiplies.
  public func distributionAndFeatures(_ inputs: Tensor) throws -> (distribution: PolicyDistribution, features: Tensor?) {
    switch head {
    case .categorical: return (.categorical(try Categorical(logits: try policy.forward(inputs))), nil)
    case .gaussian:
      guard let logStd else { throw CoreError("internal: a Gaussian policy without log_std") }
      guard let noise = stateDependentNoise else { return (.gaussian(try Normal(mean: try policy.forward(inputs), std: logStd.exp())), nil) }
      // The last layer maps the features to the mean; the features also set the spread.
      var features = inputs
      for (_, layer) in policy.children.dropLast() { features = try layer.forward(features) }
      guard let meanLayer = policy.children.last?.module else { throw CoreError("internal: an empty policy network") }
      let detached = features.detached()
      return (.gaussian(try Normal(mean: try meanLayer.forward(features), std: try noise.std(features: detached, logStd: logStd))), detached)
    }
  }

  /// The value estimates for a batch of inputs, shape [B].
  public func values(_ inputs: Tensor) throws -> Tensor {
    let out = try value.forward(inputs)
    return try out.reshaped([out.shape[0]])
  }

  /// Numbers per action as stored in rollouts: 1 (the index) or the box size.
  public var actionSize: Int {
    switch head {
    case .categorical: return 1
    case .gaussian(let size): return size
    }
  }

  public override var summary: String { "actor_critic" }
}

/// A batch of action distributions: categorical, or diagonal Gaussian (whose log-probability
/// and entropy sum over the action's dimensions).
public enum PolicyDistribution {
  case categorical(Categorical)
  case gaussian(Normal)

  /// Log-probabilities of `actions` ([B] indices, or [B, size] values), shape [B].
  public func logProb(_ actions: Tensor) throws -> Tensor {
    switch self {
    case .categorical(let d): return try d.logProb(actions)
    case .gaussian(let d): return try d.logProb(actions).sum(axis: -1)
    }
  }

  /// Entropies, shape [B].
  public func entropy() throws -> Tensor {
    switch self {
    case .categorical(let d): return try d.entropy()
    case .gaussian(let d): return try d.entropy().sum(axis: -1)
    }
  }

  /// One sampled action per row: [B] indices as floats, or [B, size] raw (unclipped) values.
  public func sample(_ generator: SeededGenerator) throws -> Tensor {
    switch self {
    case .categorical(let d): return d.sample(generator: generator).converted(to: .float32)
    case .gaussian(let d): return try d.sample(generator: generator)
    }
  }

  /// The most likely action per row (argmax or mean).
  public func mode() throws -> Tensor {
    switch self {
    case .categorical(let d): return try d.mode().converted(to: .float32)
    case .gaussian(let d): return d.mode()
    }
  }
}
