import PavlovCore
/// DQN's hyperparameters. Defaults are Stable-Baselines3's (`stable_baselines3.DQN`, MlpPolicy);
/// `DQNConfig.cartPoleZoo` holds the RL-Zoo's tuned CartPole-v1 values. Saved in checkpoints
/// in snake_case.
public struct DQNConfig: Codable, Equatable, Sendable {
  /// The environment's name (a registered id, or what the user called it).
  public var env = ""
  public var lr = 1e-4
  /// Transitions kept in the replay ring.
  public var bufferSize = 1_000_000
  /// Steps of uniformly random actions before ε-greedy acting and learning start.
  public var learningStarts = 100
  public var batchSize = 32
  /// Target-network update weight: 1 copies the online network (a hard update), less blends it in.
  public var tau = 1.0
  public var gamma = 0.99
  /// Environment steps between training phases.
  public var trainFreq = 4
  /// Gradient steps per training phase; -1: as many as the environment steps in between.
  public var gradientSteps = 1
  /// Environment steps between target-network updates.
  public var targetUpdateInterval = 10_000
  /// Share of `totalSteps` over which ε falls from its initial to its final value.
  public var explorationFraction = 0.1
  public var explorationInitialEps = 1.0
  public var explorationFinalEps = 0.05
  /// Gradients are clipped to this total L2 norm before each update.
  public var maxGradNorm = 10.0
  /// Hidden layer sizes of the Q-network (ReLU between them, as SB3's QNetwork).
  public var hidden = [64, 64]
  /// Double DQN (van Hasselt et al., 2016): the online network picks the next action, the
  /// target network values it.
  public var double = false
  public var seed: UInt64 = 0
  /// The horizon of the ε schedule (SB3's total_timesteps); nil until the first `train` call
  /// fixes it from its budget.
  public var totalSteps: Int? = nil
  /// The spaces of the env, recorded so a checkpoint is not loaded on a different env.
  public var observationSpace = ""
  public var actionSpace = ""

  public init() {}

  /// RL-Zoo's `hyperparams/dqn.yml` entry for CartPole-v1 (n_timesteps 5e4).
  public static var cartPoleZoo: DQNConfig {
    var c = DQNConfig()
    c.lr = 2.3e-3
    c.batchSize = 64
    c.bufferSize = 100_000
    c.learningStarts = 1000
    c.gamma = 0.99
    c.targetUpdateInterval = 10
    c.trainFreq = 256
    c.gradientSteps = 128
    c.explorationFraction = 0.16
    c.explorationFinalEps = 0.04
    c.hidden = [256, 256]
    return c
  }

  /// Throws with the first hyperparameter out of range, naming it.
  public func validate() throws {
    func fail(_ message: String, _ hint: String? = nil) -> CoreError { CoreError("dqn: \(message)", hint: hint) }
    guard lr.isFinite && lr > 0 else { throw fail("lr must be a positive number, got \(lr)") }
    guard bufferSize >= 1 else { throw fail("buffer_size must be at least 1, got \(bufferSize)") }
    guard learningStarts >= 0 else { throw fail("learning_starts cannot be negative, got \(learningStarts)") }
    guard batchSize >= 1 else { throw fail("batch_size must be at least 1, got \(batchSize)") }
    guard tau > 0 && tau <= 1 else { throw fail("tau must be in (0, 1], got \(tau)", "1 copies the network; 0.005 is a typical soft update") }
    guard gamma >= 0 && gamma <= 1 else { throw fail("gamma must be in [0, 1], got \(gamma)") }
    guard trainFreq >= 1 else { throw fail("train_freq must be at least 1, got \(trainFreq)") }
    guard gradientSteps >= -1 else { throw fail("gradient_steps must be -1 (as many as steps collected) or at least 0, got \(gradientSteps)") }
    try ConfigBounds.check("dqn", "buffer_size", bufferSize, atMost: ConfigBounds.maxTransitions)
    try ConfigBounds.check("dqn", "batch_size", batchSize, atMost: ConfigBounds.maxTransitions)
    try ConfigBounds.checkHidden("dqn", hidden)
    guard targetUpdateInterval >= 1 else { throw fail("target_update_interval must be at least 1, got \(targetUpdateInterval)") }
    guard explorationFraction >= 0 && explorationFraction <= 1 else { throw fail("exploration_fraction must be in [0, 1], got \(explorationFraction)") }
    guard explorationInitialEps >= 0 && explorationInitialEps <= 1 else { throw fail("exploration_initial_eps must be in [0, 1], got \(explorationInitialEps)") }
    guard explorationFinalEps >= 0 && explorationFinalEps <= 1 else { throw fail("exploration_final_eps must be in [0, 1], got \(explorationFinalEps)") }
    guard maxGradNorm.isFinite && maxGradNorm > 0 else { throw fail("max_grad_norm must be a positive number, got \(maxGradNorm)") }
    guard !hidden.isEmpty, hidden.allSatisfy({ $0 >= 1 }) else {
      throw fail("hidden must list at least one positive layer size, got \(hidden)", "e.g. hidden: [64, 64]")
    }
    if let t = totalSteps, t < 1 { throw fail("total_steps must be positive, got \(t)") }
  }
}
