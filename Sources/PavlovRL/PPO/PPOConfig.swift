import PavlovCore
/// How a learning rate or clip range changes over training, as SB3's schedules: a function of
/// the progress remaining, 1 at the start and 0 at `totalSteps` (it stays at 0 after).
public enum Schedule: String, Codable, CaseIterable, Sendable {
  case constant, linear

  public func value(_ initial: Double, progressRemaining: Double) -> Double {
    switch self {
    case .constant: return initial
    case .linear: return initial * Swift.max(0, progressRemaining)
    }
  }
}

/// The hyperparameters of PPO (and of A2C, its one-epoch, unclipped special case), and the one
/// place their defaults live: the `ppo` builtin reads its defaults from here. They are SB3's PPO
/// defaults, except that a rollout is 8 copies × 256 steps — the same 2048 transitions as SB3's
/// one copy × 2048, stepped as a vector env. The names are saved in checkpoints in snake_case.
public struct PPOConfig: Codable, Equatable, Sendable {
  /// "ppo" or "a2c": which loss (clipped surrogate, or the plain policy gradient).
  public var algorithm = "ppo"
  /// The environment's name (a registered id, or what the user called it).
  public var env = ""
  public var nEnvs = 8
  /// Steps per copy per rollout; a rollout is nEnvs × nSteps transitions.
  public var nSteps = 256
  public var batchSize = 64
  public var epochs = 10
  public var lr = 3e-4
  public var lrSchedule = Schedule.constant
  public var gamma = 0.99
  public var gaeLambda = 0.95
  /// The PPO clip range ε (ignored by A2C).
  public var clip = 0.2
  public var clipSchedule = Schedule.constant
  /// When set, value predictions move at most this far from the rollout's values (SB3's clip_range_vf).
  public var clipValue: Double? = nil
  public var entCoef = 0.0
  public var vfCoef = 0.5
  public var maxGradNorm = 0.5
  /// Stop an update's epochs early when the approximate KL exceeds 1.5 × this (SB3's target_kl).
  public var targetKl: Double? = nil
  public var normalizeAdvantage = true
  public var hidden = [64, 64]
  public var activation = "tanh"
  /// Initial log standard deviation of a Gaussian policy.
  public var logStdInit = 0.0
  /// gSDE exploration (SB3's use_sde); stored only when on, so older checkpoints still load.
  public var useSde: Bool? = nil
  /// New gSDE exploration matrices every this many steps (nil or ≤ 0: once per rollout, SB3's -1).
  public var sdeSampleFreq: Int? = nil
  public var usesSDE: Bool {
    get { useSde ?? false }
    set { useSde = newValue ? true : nil }
  }
  public var adamEps = 1e-5
  public var normalizeObs = false
  public var normalizeReward = false
  public var seed: UInt64 = 0
  /// The horizon of the schedules; nil until the first `train` call fixes it from its budget.
  public var totalSteps: Int? = nil
  /// Threads stepping the env copies (1 for cheap envs like CartPole).
  public var threads = 1
  /// The spaces of one env copy, recorded so a checkpoint is not loaded on a different env.
  public var observationSpace = ""
  public var actionSpace = ""

  public init() {}

  public var isA2C: Bool { algorithm == "a2c" }
  public var rolloutSize: Int { nEnvs * nSteps }

  /// Throws with the first hyperparameter out of range, naming it.
  public func validate() throws {
    func fail(_ message: String, _ hint: String? = nil) -> CoreError { CoreError("\(algorithm): \(message)", hint: hint) }
    guard algorithm == "ppo" || algorithm == "a2c" else { throw fail("unknown algorithm \"\(algorithm)\"") }
    guard nEnvs >= 1 else { throw fail("n_envs must be at least 1, got \(nEnvs)") }
    guard nSteps >= 1 else { throw fail("n_steps must be at least 1, got \(nSteps)") }
    guard batchSize >= 1 else { throw fail("batch_size must be at least 1, got \(batchSize)") }
    guard epochs >= 1 else { throw fail("epochs must be at least 1, got \(epochs)") }
    guard lr.isFinite && lr > 0 else { throw fail("lr must be a positive number, got \(lr)") }
    guard gamma >= 0 && gamma <= 1 else { throw fail("gamma must be in [0, 1], got \(gamma)") }
    guard gaeLambda >= 0 && gaeLambda <= 1 else { throw fail("gae_lambda must be in [0, 1], got \(gaeLambda)") }
    guard clip.isFinite && clip > 0 else { throw fail("clip must be a positive number, got \(clip)") }
    if let v = clipValue, !(v.isFinite && v > 0) { throw fail("clip_value must be a positive number or nil, got \(v)") }
    guard entCoef.isFinite && entCoef >= 0 else { throw fail("ent_coef must be a non-negative number, got \(entCoef)") }
    guard vfCoef.isFinite && vfCoef >= 0 else { throw fail("vf_coef must be a non-negative number, got \(vfCoef)") }
    guard maxGradNorm.isFinite && maxGradNorm > 0 else { throw fail("max_grad_norm must be a positive number, got \(maxGradNorm)") }
    if let k = targetKl, !(k.isFinite && k > 0) { throw fail("target_kl must be a positive number or nil, got \(k)") }
    guard !hidden.isEmpty, hidden.allSatisfy({ $0 >= 1 }) else {
      throw fail("hidden must list at least one positive layer size, got \(hidden)", "e.g. hidden: [64, 64]")
    }
    guard ["tanh", "relu"].contains(activation) else { throw fail("activation must be \"tanh\" or \"relu\", got \"\(activation)\"") }
    guard logStdInit.isFinite else { throw fail("log_std_init must be finite, got \(logStdInit)") }
    guard adamEps.isFinite && adamEps >= 0 else { throw fail("adam_eps must be a non-negative number, got \(adamEps)") }
    if let t = totalSteps, t < 1 { throw fail("total_steps must be positive, got \(t)") }
    guard threads >= 1 else { throw fail("threads must be at least 1, got \(threads)") }
    try ConfigBounds.check(algorithm, "n_envs", nEnvs, atMost: ConfigBounds.maxEnvCopies)
    try ConfigBounds.check(algorithm, "n_steps", nSteps, atMost: ConfigBounds.maxTransitions / nEnvs)
    try ConfigBounds.check(algorithm, "batch_size", batchSize, atMost: ConfigBounds.maxTransitions)
    try ConfigBounds.check(algorithm, "threads", threads, atMost: ConfigBounds.maxThreads)
    try ConfigBounds.checkHidden(algorithm, hidden)
  }
}
