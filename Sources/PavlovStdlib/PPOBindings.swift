import PavlovLang
import PavlovRL

/// `ppo(env, ...)` and `a2c(env, ...)`: trainers whose keyword arguments are their
/// hyperparameters (SB3's names and, where it has them, its defaults).
enum PPOBindings {
  static let envParam = Param("env", doc: "a registered id (\"CartPole-v1\"), an env, or a function making one (called per copy); a Pavlov-written env record needs n_envs: 1")
  static let seedParam = Param("seed", default: .null, doc: "seeds weights, action sampling, shuffles and env episodes (nil: drawn from the session seed)")

  /// The rollout and learning-rate options both algorithms share (ppo's own follow them).
  static let rollout: [ConfigOption<PPOConfig>] = [
    .int("n_envs", \.nEnvs, "env copies stepped together", .between(1, Double(ConfigBounds.maxEnvCopies))),
    .int("n_steps", \.nSteps, "steps per copy per rollout (n_envs × n_steps transitions: 2048 by default, as SB3's single-env default)", .between(1, Double(ConfigBounds.maxTransitions))),
  ]
  static let learning: [ConfigOption<PPOConfig>] = [
    .number("lr", \.lr, "Adam's learning rate (eps 1e-5)", .positive),
    .choice("lr_schedule", \.lrSchedule, "\"constant\" or \"linear\" (down to 0 at total_steps)"),
    .number("gamma", \.gamma, "the discount factor", .discount),
    .number("gae_lambda", \.gaeLambda, "GAE's λ (1: Monte-Carlo returns minus the value)", .discount),
  ]
  static let minibatches: [ConfigOption<PPOConfig>] = [
    .int("batch_size", \.batchSize, "minibatch size", .between(1, Double(ConfigBounds.maxTransitions))),
    .int("epochs", \.epochs, "passes over each rollout", .count),
  ]
  static let clip: ConfigOption<PPOConfig> = .number("clip", \.clip, "the clip range ε of the surrogate objective", .positive)
  static let clipLimits: [ConfigOption<PPOConfig>] = [
    .optionalNumber("clip_value", \.clipValue, "when set, value predictions may move at most this far from the rollout's values", .positive),
    .optionalNumber("target_kl", \.targetKl, "stop an update's epochs once the approximate KL exceeds 1.5 × this", .positive),
  ]
  /// The loss weights, network and normalization options both algorithms share.
  static let shared: [ConfigOption<PPOConfig>] = [
    .number("ent_coef", \.entCoef, "weight of the entropy bonus", .nonNegative),
    .number("vf_coef", \.vfCoef, "weight of the value loss", .nonNegative),
    .number("max_grad_norm", \.maxGradNorm, "gradients are clipped to this total L2 norm", .positive),
    .ints("hidden", \.hidden, "hidden layer sizes of the policy and of the value MLP (separate networks)"),
    .string("activation", \.activation, "\"tanh\" or \"relu\""),
    .bool("normalize_obs", \.normalizeObs, "normalize observations with running statistics (SB3's VecNormalize; saved in checkpoints)"),
    .bool("normalize_reward", \.normalizeReward, "scale rewards by the running std of the discounted return"),
    .bool("normalize_advantage", \.normalizeAdvantage, "normalize advantages per minibatch"),
    .number("log_std_init", \.logStdInit, "initial log standard deviation of a Gaussian policy (Box actions)", .finite),
    .bool("use_sde", \.usesSDE, "explore with gSDE (Box actions): noise = last hidden features × a matrix redrawn every sde_sample_freq steps; log_std becomes [features, actions]"),
    .optionalInt("sde_sample_freq", \.sdeSampleFreq, "steps between gSDE's new exploration matrices (nil: once per rollout)", .finite),
    .optionalInt("total_steps", \.totalSteps, "the horizon of linear schedules (nil: the steps of the first train call)", .count),
    .int("threads", \.threads, "threads stepping the env copies (pays only for slow envs)", .between(1, Double(ConfigBounds.maxThreads))),
  ]
  /// Networks to start from (behaviour cloning, another run); their shape sets hidden: and activation:.
  static let networks = [
    Param("policy", default: .null, doc: "an mlp to start the policy from (its hidden sizes and activation become hidden: and activation:)"),
    Param("value", default: .null, doc: "an mlp to start the value network from"),
  ]
  /// nil follows lr_schedule, so it is read apart from the options.
  static let clipSchedule = Param("clip_schedule", default: .null, doc: "\"constant\" or \"linear\" (nil: as lr_schedule)")

  static let ppoOptions = rollout + minibatches + learning + [clip] + clipLimits + shared
  static let a2cOptions = rollout.map { $0.name == "n_steps" ? $0.documented("steps per copy per rollout; each rollout is one gradient step") : $0 }
    + learning.map { option in
      switch option.name {
      case "lr": return option.documented("Adam's learning rate (eps 1e-5; SB3 uses RMSprop)")
      case "gae_lambda": return option.documented("GAE's λ (1: n-step returns, as classic A2C)")
      default: return option
      }
    } + shared

  static func register(_ r: Registry) {
    let d = PPOConfig()
    let ppoParams = [envParam] + (rollout + minibatches + learning + [clip]).params(d) + [clipSchedule]
      + (clipLimits + shared).params(d) + networks + [seedParam]
    r.function("ppo", ppoParams,
               doc: "A PPO trainer (clipped surrogate, GAE, minibatch epochs; SB3's details): call .train(steps: n) on it.") { args in
      try make(args, ppoParams, ppoOptions, PPOConfig(), "ppo")
    }
    let a2cParams = [envParam] + a2cOptions.params(PPOConfig.a2c) + networks + [seedParam]
    r.function("a2c", a2cParams,
               doc: "An A2C trainer (synchronous advantage actor-critic: one gradient step per short rollout); Adam, not SB3's RMSprop.") { args in
      try make(args, a2cParams, a2cOptions, PPOConfig.a2c, "a2c")
    }
  }

  /// Reads the arguments into `base` and builds the trainer.
  static func make(_ args: Args, _ params: [Param], _ options: [ConfigOption<PPOConfig>], _ base: PPOConfig, _ name: String) throws -> Value {
    let a = TrainerArguments(args: args, params: params, name: name)
    var c = try options.configured(base, a)
    c.clipSchedule = c.lrSchedule
    if let i = a.given("clip_schedule") {
      let text = try args.string(i)
      guard let s = Schedule(rawValue: text) else {
        throw PavlovError.runtime("\(name): clip_schedule must be \"constant\" or \"linear\", got \"\(text)\"")
      }
      c.clipSchedule = s
    }
    c.seed = try a.seed()
    let given = try WarmStart.given(a, networks.map(\.name))
    // A given network's shape wins over the defaults (not over a hidden: or activation: the
    // script chose; then a mismatch is reported when its values are copied in).
    if let shape = try WarmStart.hidden(given, name) {
      if c.hidden == base.hidden { c.hidden = shape.hidden }
      if c.activation == base.activation, let f = shape.activation { c.activation = f.rawValue }
    }
    let source = try TrainerBindings.envSource(args[0], args.interpreter, copies: c.nEnvs, name)
    let trainer = try CoreBridge.run { try PPOTrainer(env: source, config: c) }
    try WarmStart.apply(given, to: trainer, name)
    return .object(TrainerValue(trainer, envName: source.name))
  }
}
