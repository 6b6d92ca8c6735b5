import PavlovRL
import PavlovTensor

/// Which policy-gradient method trains the language model.
public enum LMAlgorithm: String, CaseIterable, Sendable {
  /// PPO with a value head, GAE and the KL penalty in the per-token reward (InstructGPT, TRL's PPO).
  case ppo
  /// Group-normalized advantages over several answers per prompt, no critic, the KL in the
  /// loss with the k3 estimator (DeepSeekMath's GRPO).
  case grpo
  /// REINFORCE with a leave-one-out baseline over several answers per prompt, the KL in the
  /// reward (Ahmadian et al., 2024).
  case rloo
}

/// The knobs of RLHF policy training, with defaults in the range TRL and the papers use.
public struct PolicyConfig: Sendable {
  public var algorithm = LMAlgorithm.ppo
  /// What errors call the trainer (the builtin's name); the algorithm's by default.
  public var name: String? = nil
  var label: String { name ?? algorithm.rawValue }
  /// Prompts per iteration; each is answered `groupSize` times (PPO: 1).
  public var prompts = 32
  public var groupSize = 1
  /// Generation: answers end at the end-of-text token or after maxTokens.
  public var maxTokens = 32
  public var temperature: Float = 1
  /// False: answers always run to maxTokens (benchmarks compare fixed-length rollouts).
  public var stopAtEndOfText = true
  public var topK: Int? = nil
  public var topP: Float? = nil
  /// Passes over each rollout, in minibatches of this many answers.
  public var epochs = 4
  public var minibatch = 16
  public var lr: Float = 1e-4
  public var maxGradNorm: Float = 1
  /// The PPO clip range ε for the ratio, and for value predictions around the rollout's values.
  public var clip = 0.2
  public var clipValue = 0.2
  public var vfCoef = 0.1
  public var gamma = 1.0
  public var lambda = 0.95
  /// β, the weight of the KL to the reference.
  public var klCoef = 0.05
  public var klEstimator = KLEstimator.k1
  /// With a target, β adapts (Ziegler et al., 2019) so the per-answer KL tracks it.
  public var targetKL: Double? = nil
  public var klHorizon = 10_000.0
  public var whitenAdvantages = true
  /// Added to the score of answers that never produced the end-of-text token (e.g. −1).
  public var missingEOSPenalty: Double? = nil
  /// How many decoded samples each iteration's statistics keep.
  public var samples = 3

  public init() {}

  /// Each algorithm's defaults, the one place they live (the builtins read theirs from here):
  /// PPO as above; GRPO with DeepSeekMath's and TRL's 4 answers per prompt, β 0.04 and the k3
  /// estimator in the loss; RLOO with 4 answers per prompt. The group methods take 8 prompts an
  /// iteration, so a rollout is 32 answers as PPO's.
  public static func defaults(for algorithm: LMAlgorithm) -> PolicyConfig {
    var c = PolicyConfig()
    c.algorithm = algorithm
    if algorithm != .ppo {
      c.prompts = 8
      c.groupSize = 4
    }
    if algorithm == .grpo {
      c.klCoef = 0.04
      c.klEstimator = .k3
    }
    return c
  }

  /// Why the configuration cannot run, or nil.
  public func problem() -> String? {
    if prompts < 1 { return "prompts must be at least 1" }
    if groupSize < 1 { return "group must be at least 1" }
    if algorithm != .ppo && groupSize < 2 { return "\(algorithm.rawValue) needs group ≥ 2 (answers per prompt to compare)" }
    if maxTokens < 1 { return "max_tokens must be at least 1" }
    if epochs < 1 || minibatch < 1 { return "epochs and minibatch must be at least 1" }
    if !(temperature >= 0 && temperature.isFinite) { return "temperature must be a finite number ≥ 0 (0: greedy)" }
    if !(lr > 0 && lr.isFinite) { return "lr must be a positive number" }
    if !(maxGradNorm > 0 && maxGradNorm.isFinite) { return "max_grad_norm must be a positive number" }
    if !(clip > 0 && clip.isFinite) { return "clip must be a positive number" }
    if !(clipValue > 0 && clipValue.isFinite) { return "clip_value must be a positive number" }
    if !(vfCoef >= 0 && vfCoef.isFinite) { return "vf_coef must be a non-negative number" }
    if !(klCoef >= 0 && klCoef.isFinite) { return "kl must be a non-negative number" }
    if let t = targetKL, !(t > 0 && t.isFinite) { return "target_kl must be a positive number" }
    if !(klHorizon > 0 && klHorizon.isFinite) { return "kl_horizon must be a positive number" }
    if !(0...1).contains(lambda) || !(0...1).contains(gamma) { return "gamma and lam must be within 0 and 1" }
    if let p = missingEOSPenalty, !p.isFinite { return "missing_eos_penalty must be a finite number" }
    return nil
  }
}
