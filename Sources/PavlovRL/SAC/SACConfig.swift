import PavlovCore

/// SAC's hyperparameters. Defaults are Stable-Baselines3's (`stable_baselines3.SAC`,
/// MlpPolicy: 256-256 ReLU networks, automatic entropy tuning from 1.0 towards −dim(A));
/// `SACConfig.pendulumZoo` holds the RL-Zoo's tuned Pendulum-v1 values. Saved in checkpoints
/// in snake_case.
public struct SACConfig: Codable, Equatable, Sendable {
  public var env = ""
  /// Adam's learning rate for the actor, the critics and the entropy coefficient.
  public var lr = 3e-4
  public var bufferSize = 1_000_000
  /// Steps of uniformly random actions before the policy acts and learning starts.
  public var learningStarts = 100
  public var batchSize = 256
  /// Polyak weight of the target critics' soft update after every gradient step.
  public var tau = 0.005
  public var gamma = 0.99
  /// Environment steps between training phases (one iteration).
  public var trainFreq = 1
  /// Gradient steps per training phase; -1: as many as the environment steps in between.
  public var gradientSteps = 1
  /// A fixed entropy coefficient α; nil tunes it automatically (SB3's ent_coef "auto").
  public var entCoef: Double? = nil
  /// α's starting value when it is tuned.
  public var entCoefInit = 1.0
  /// The entropy α is tuned towards; nil: −(action dimensions), as SB3.
  public var targetEntropy: Double? = nil
  /// Hidden layer sizes of the actor and of each critic (ReLU).
  public var hidden = [256, 256]
  public var seed: UInt64 = 0
  public var observationSpace = ""
  public var actionSpace = ""

  public init() {}

  /// RL-Zoo's `hyperparams/sac.yml` entry for Pendulum-v1 (n_timesteps 2e4, learning_rate 1e-3).
  public static var pendulumZoo: SACConfig {
    var c = SACConfig()
    c.lr = 1e-3
    return c
  }

  /// Throws with the first hyperparameter out of range, naming it.
  public func validate() throws {
    func fail(_ message: String, _ hint: String? = nil) -> CoreError { CoreError("sac: \(message)", hint: hint) }
    guard lr.isFinite && lr > 0 else { throw fail("lr must be a positive number, got \(lr)") }
    guard bufferSize >= 1 else { throw fail("buffer_size must be at least 1, got \(bufferSize)") }
    guard learningStarts >= 0 else { throw fail("learning_starts cannot be negative, got \(learningStarts)") }
    guard batchSize >= 1 else { throw fail("batch_size must be at least 1, got \(batchSize)") }
    guard tau > 0 && tau <= 1 else { throw fail("tau must be in (0, 1], got \(tau)", "0.005 is SB3's soft update") }
    guard gamma >= 0 && gamma <= 1 else { throw fail("gamma must be in [0, 1], got \(gamma)") }
    guard trainFreq >= 1 else { throw fail("train_freq must be at least 1, got \(trainFreq)") }
    guard gradientSteps >= -1 else { throw fail("gradient_steps must be -1 (as many as steps collected) or at least 0, got \(gradientSteps)") }
    try ConfigBounds.check("sac", "buffer_size", bufferSize, atMost: ConfigBounds.maxTransitions)
    try ConfigBounds.check("sac", "batch_size", batchSize, atMost: ConfigBounds.maxTransitions)
    try ConfigBounds.checkHidden("sac", hidden)
    if let a = entCoef { guard a.isFinite && a >= 0 else { throw fail("ent_coef must be a number ≥ 0 (or nil to tune it), got \(a)") } }
    guard entCoefInit.isFinite && entCoefInit > 0 else { throw fail("ent_coef_init must be positive, got \(entCoefInit)") }
    if let t = targetEntropy { guard t.isFinite else { throw fail("target_entropy must be finite, got \(t)") } }
    guard !hidden.isEmpty, hidden.allSatisfy({ $0 >= 1 }) else {
      throw fail("hidden must list at least one positive layer size, got \(hidden)", "e.g. hidden: [256, 256]")
    }
  }
}
