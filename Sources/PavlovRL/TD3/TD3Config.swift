import PavlovCore

/// Exploration noise added to a deterministic policy's actions (in the [−1, 1] action scale).
public enum ActionNoise: String, Codable, CaseIterable, Sendable {
  case none
  /// Independent Gaussian noise of `noise_std` (SB3's NormalActionNoise).
  case normal
  /// Ornstein–Uhlenbeck noise (θ 0.15, dt 0.01, σ `noise_std`), reset at each episode's end
  /// (SB3's OrnsteinUhlenbeckActionNoise), as the DDPG paper explored.
  case ornsteinUhlenbeck = "ornstein_uhlenbeck"
}

/// TD3's and DDPG's hyperparameters (SB3's DDPG is TD3 with one critic, no policy delay and
/// no target smoothing, which `ddpg` sets). Defaults are Stable-Baselines3's (400-300 ReLU
/// networks, lr 1e-3, no exploration noise); RL Zoo's Pendulum settings are
/// `pendulumZoo`. Saved in checkpoints in snake_case.
public struct TD3Config: Codable, Equatable, Sendable {
  /// "td3" or "ddpg": the name checkpoints and displays use.
  public var algorithm = "td3"
  public var env = ""
  public var lr = 1e-3
  public var bufferSize = 1_000_000
  public var learningStarts = 100
  public var batchSize = 256
  public var tau = 0.005
  public var gamma = 0.99
  public var trainFreq = 1
  public var gradientSteps = 1
  /// Critic updates per actor (and target) update.
  public var policyDelay = 2
  /// Std of the noise added to the target policy's actions (target policy smoothing).
  public var targetPolicyNoise = 0.2
  /// That noise is clipped to ±this.
  public var targetNoiseClip = 0.5
  /// Critics (2: clipped double Q).
  public var nCritics = 2
  public var actionNoise = ActionNoise.none
  public var noiseStd = 0.1
  /// Hidden layer sizes of the actor and of each critic (ReLU).
  public var hidden = [400, 300]
  public var seed: UInt64 = 0
  public var observationSpace = ""
  public var actionSpace = ""

  public init() {}

  /// SB3's DDPG: TD3 with one critic, every update moving the actor, no target smoothing.
  public static var ddpg: TD3Config {
    var c = TD3Config()
    c.algorithm = "ddpg"
    c.policyDelay = 1
    c.targetPolicyNoise = 0
    c.targetNoiseClip = 0
    c.nCritics = 1
    return c
  }

  /// RL-Zoo's `hyperparams/td3.yml` entry for Pendulum-v1 (n_timesteps 2e4).
  public static var pendulumZoo: TD3Config {
    var c = TD3Config()
    c.gamma = 0.98
    c.bufferSize = 200_000
    c.learningStarts = 10_000
    c.actionNoise = .normal
    c.noiseStd = 0.1
    return c
  }

  public func validate() throws {
    let name = algorithm
    func fail(_ message: String, _ hint: String? = nil) -> CoreError { CoreError("\(name): \(message)", hint: hint) }
    guard algorithm == "td3" || algorithm == "ddpg" else { throw fail("algorithm must be td3 or ddpg") }
    guard lr.isFinite && lr > 0 else { throw fail("lr must be a positive number, got \(lr)") }
    guard bufferSize >= 1 else { throw fail("buffer_size must be at least 1, got \(bufferSize)") }
    guard learningStarts >= 0 else { throw fail("learning_starts cannot be negative, got \(learningStarts)") }
    guard batchSize >= 1 else { throw fail("batch_size must be at least 1, got \(batchSize)") }
    guard tau > 0 && tau <= 1 else { throw fail("tau must be in (0, 1], got \(tau)", "0.005 is SB3's soft update") }
    guard gamma >= 0 && gamma <= 1 else { throw fail("gamma must be in [0, 1], got \(gamma)") }
    guard trainFreq >= 1 else { throw fail("train_freq must be at least 1, got \(trainFreq)") }
    guard gradientSteps >= -1 else { throw fail("gradient_steps must be -1 (as many as steps collected) or at least 0, got \(gradientSteps)") }
    try ConfigBounds.check(name, "buffer_size", bufferSize, atMost: ConfigBounds.maxTransitions)
    try ConfigBounds.check(name, "batch_size", batchSize, atMost: ConfigBounds.maxTransitions)
    try ConfigBounds.checkHidden(name, hidden)
    guard policyDelay >= 1 else { throw fail("policy_delay must be at least 1, got \(policyDelay)") }
    guard targetPolicyNoise.isFinite && targetPolicyNoise >= 0 else { throw fail("target_policy_noise must be ≥ 0, got \(targetPolicyNoise)") }
    guard targetNoiseClip.isFinite && targetNoiseClip >= 0 else { throw fail("target_noise_clip must be ≥ 0, got \(targetNoiseClip)") }
    guard nCritics >= 1 && nCritics <= 8 else { throw fail("n_critics must be 1 to 8, got \(nCritics)") }
    guard noiseStd.isFinite && noiseStd >= 0 else { throw fail("noise_std must be ≥ 0, got \(noiseStd)") }
    guard !hidden.isEmpty, hidden.allSatisfy({ $0 >= 1 }) else {
      throw fail("hidden must list at least one positive layer size, got \(hidden)", "e.g. hidden: [400, 300]")
    }
  }
}
