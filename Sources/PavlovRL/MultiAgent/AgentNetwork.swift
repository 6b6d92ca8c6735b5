import PavlovGym
import PavlovTensor

/// One multi-agent policy's networks, as `ActorCritic` for one agent: a policy MLP on the agent's
/// observation features and a value MLP on the critic's input — the same features (independent
/// PPO) or the env's global state with the agent's one-hot index (MAPPO's centralized critic).
/// Illegal actions are masked out of the policy's logits, so they are never sampled and carry
/// no probability in the loss.
public final class AgentNetwork: Module {
  public let actions: Int
  let inputs: Int, criticInputs: Int, hidden: [Int]
  public let policy: Sequential
  public let value: Sequential

  public init(inputs: Int, criticInputs: Int, actions: Int, hidden: [Int], generator: SeededGenerator) throws {
    self.actions = actions
    self.inputs = inputs
    self.criticInputs = criticInputs
    self.hidden = hidden
    let hiddenInit = Initialization.orthogonal(gain: Float(2).squareRoot())
    policy = try Sequential.mlp([inputs] + hidden + [actions], activation: .tanh, initialization: hiddenInit,
                                outputInitialization: .orthogonal(gain: 0.01), generator: generator)
    value = try Sequential.mlp([criticInputs] + hidden + [1], activation: .tanh, initialization: hiddenInit,
                               outputInitialization: .orthogonal(gain: 1), generator: generator)
    super.init(kind: "agent_network")
    addChild("policy", policy)
    addChild("value", value)
  }

  /// A masked categorical policy for rows of inputs [B, inputs]; `masks` holds B·actions flags
  /// (empty: every action legal). Masked logits get −1e9: their probability is exactly 0 and
  /// their gradient vanishes, while the row stays finite for the entropy.
  public func distribution(_ inputs: Tensor, masks: [Bool]) throws -> Categorical {
    var logits = try policy.forward(inputs)
    if !masks.isEmpty {
      logits = try logits + Tensor(shape: logits.shape, data: masks.map { $0 ? 0 : -1e9 })
    }
    return try Categorical(logits: logits)
  }

  /// A frozen copy (a league snapshot): same weights, made without drawing from any generator.
  public override func copy() throws -> Module {
    finishCopy(try AgentNetwork(inputs: inputs, criticInputs: criticInputs, actions: actions, hidden: hidden, generator: SeededGenerator(seed: 0)))
  }

  public func values(_ inputs: Tensor) throws -> Tensor {
    let out = try value.forward(inputs)
    return try out.reshaped([out.shape[0]])
  }
}
