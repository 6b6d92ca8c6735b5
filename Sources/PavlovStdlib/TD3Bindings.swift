import PavlovLang
import PavlovRL

/// `td3(env, ...)` and `ddpg(env, ...)`: deterministic-policy actor-critic trainers whose
/// keyword arguments are SB3's TD3/DDPG hyperparameters, with SB3's defaults (DDPG: one critic,
/// no policy delay, no target smoothing).
enum TD3Bindings {
  static let options: [ConfigOption<TD3Config>] = [
    .number("lr", \.lr, "Adam's learning rate (actor and critics)", .positive),
    .int("buffer_size", \.bufferSize, "transitions kept in the replay ring (the oldest are overwritten)", .between(1, Double(ConfigBounds.maxTransitions))),
    .int("learning_starts", \.learningStarts, "steps of uniformly random actions before the policy acts and learning begins", .nonNegative),
    .int("batch_size", \.batchSize, "transitions per gradient step, drawn uniformly from the buffer", .between(1, Double(ConfigBounds.maxTransitions))),
    .number("tau", \.tau, "Polyak weight of the target networks' soft update", ParamRange(lower: 0, lowerOpen: true, upper: 1)),
    .number("gamma", \.gamma, "the discount factor", .discount),
    .int("train_freq", \.trainFreq, "env steps between training phases (one iteration)", .count),
    .int("gradient_steps", \.gradientSteps, "gradient steps per training phase (-1: as many as env steps since the last)", .atLeast(-1)),
    .int("policy_delay", \.policyDelay, "critic updates per actor and target update", .count),
    .number("target_policy_noise", \.targetPolicyNoise, "std of the clipped noise on the target policy's actions (target policy smoothing; 0: none)", .nonNegative),
    .number("target_noise_clip", \.targetNoiseClip, "that noise is clipped to ± this", .nonNegative),
    .int("n_critics", \.nCritics, "critics; the target takes their minimum (2: clipped double Q)", .between(1, 8)),
    .choice("action_noise", \.actionNoise, "exploration noise on the policy's actions: \"none\", \"normal\" or \"ornstein_uhlenbeck\" (in the [-1, 1] action scale)"),
    .number("noise_std", \.noiseStd, "the exploration noise's σ (RL Zoo uses 0.1 with normal noise)", .nonNegative),
    .ints("hidden", \.hidden, "hidden layer sizes of the actor and of each critic (ReLU)"),
  ]

  static func register(_ r: Registry) {
    let envDoc = "a registered id (\"Pendulum-v1\"), an env, or a function making one; the action space must be a bounded box"
    let seedDoc = "seeds weights, exploration noise, minibatches and env episodes (nil: drawn from the session seed)"
    TrainerBuiltin(name: "td3", envDoc: envDoc, options: options, base: TD3Config(), seed: \.seed, seedDoc: seedDoc,
                   doc: "A TD3 trainer (twin critics with clipped double Q, delayed policy updates, target policy smoothing; SB3's details): call .train(steps: n) on it.") {
      try TD3Trainer(env: $0, config: $1)
    }
    .register(r)
    TrainerBuiltin(name: "ddpg", envDoc: envDoc, options: options, base: TD3Config.ddpg, seed: \.seed, seedDoc: seedDoc,
                   doc: "A DDPG trainer (deterministic policy, one critic, target networks; SB3's: TD3 without its three tricks): call .train(steps: n) on it.") {
      try TD3Trainer(env: $0, config: $1)
    }
    .register(r)
  }
}
