import PavlovLang
import PavlovRL

/// `sac(env, ...)`: a soft actor-critic trainer whose keyword arguments are SB3's SAC
/// hyperparameters, with SB3's defaults.
enum SACBindings {
  static let options: [ConfigOption<SACConfig>] = [
    .number("lr", \.lr, "Adam's learning rate (actor, critics and the entropy coefficient); RL Zoo uses 1e-3 on Pendulum", .positive),
    .int("buffer_size", \.bufferSize, "transitions kept in the replay ring (the oldest are overwritten)", .between(1, Double(ConfigBounds.maxTransitions))),
    .int("learning_starts", \.learningStarts, "steps of uniformly random actions before the policy acts and learning begins", .nonNegative),
    .int("batch_size", \.batchSize, "transitions per gradient step, drawn uniformly from the buffer", .between(1, Double(ConfigBounds.maxTransitions))),
    .number("tau", \.tau, "Polyak weight of the target critics' soft update after each gradient step", ParamRange(lower: 0, lowerOpen: true, upper: 1)),
    .number("gamma", \.gamma, "the discount factor", .discount),
    .int("train_freq", \.trainFreq, "env steps between training phases (one iteration)", .count),
    .int("gradient_steps", \.gradientSteps, "gradient steps per training phase (-1: as many as env steps since the last)", .atLeast(-1)),
    .optionalNumber("ent_coef", \.entCoef, "a fixed entropy coefficient α (nil: tuned automatically towards target_entropy)", .nonNegative),
    .number("ent_coef_init", \.entCoefInit, "α's starting value when it is tuned", .positive),
    .optionalNumber("target_entropy", \.targetEntropy, "the entropy α is tuned towards (nil: minus the number of action values)", .finite),
    .ints("hidden", \.hidden, "hidden layer sizes of the actor and of each critic (ReLU)"),
  ]

  static func register(_ r: Registry) {
    TrainerBuiltin(name: "sac", envDoc: "a registered id (\"Pendulum-v1\"), an env, or a function making one; the action space must be a bounded box",
                   options: options, base: SACConfig(), seed: \.seed,
                   seedDoc: "seeds weights, exploration noise, minibatches and env episodes (nil: drawn from the session seed)",
                   doc: "A soft actor-critic trainer (twin critics, squashed Gaussian policy, automatic entropy tuning; SB3's details): call .train(steps: n) on it.") {
      try SACTrainer(env: $0, config: $1)
    }
    .register(r)
  }
}
