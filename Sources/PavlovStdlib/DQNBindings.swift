import PavlovLang
import PavlovRL

/// `dqn(env, ...)`: a deep Q-learning trainer whose keyword arguments are SB3's DQN
/// hyperparameters, with SB3's defaults.
enum DQNBindings {
  static let options: [ConfigOption<DQNConfig>] = [
    .number("lr", \.lr, "Adam's learning rate", .positive),
    .int("buffer_size", \.bufferSize, "transitions kept in the replay ring (the oldest are overwritten)", .between(1, Double(ConfigBounds.maxTransitions))),
    .int("learning_starts", \.learningStarts, "steps of uniformly random actions before ε-greedy acting and learning begin", .nonNegative),
    .int("batch_size", \.batchSize, "transitions per gradient step, drawn uniformly from the buffer", .between(1, Double(ConfigBounds.maxTransitions))),
    .number("tau", \.tau, "target update weight: 1 copies the network, less blends it in (a soft update)", ParamRange(lower: 0, lowerOpen: true, upper: 1)),
    .number("gamma", \.gamma, "the discount factor", .discount),
    .int("train_freq", \.trainFreq, "env steps between training phases (one iteration)", .count),
    .int("gradient_steps", \.gradientSteps, "gradient steps per training phase (-1: as many as env steps since the last)", .atLeast(-1)),
    .int("target_update_interval", \.targetUpdateInterval, "env steps between target-network updates", .count),
    .number("exploration_fraction", \.explorationFraction, "share of total_steps over which ε falls to its final value", .probability),
    .number("exploration_initial_eps", \.explorationInitialEps, "ε at the start", .probability),
    .number("exploration_final_eps", \.explorationFinalEps, "ε after the exploration fraction", .probability),
    .number("max_grad_norm", \.maxGradNorm, "gradients are clipped to this total L2 norm", .positive),
    .ints("hidden", \.hidden, "hidden layer sizes of the Q-network (ReLU)"),
    .bool("double", \.double, "double DQN: the online network picks the next action, the target network values it"),
    .optionalInt("total_steps", \.totalSteps, "the horizon of the ε schedule (nil: the steps of the first train call)", .count),
  ]

  static func register(_ r: Registry) {
    TrainerBuiltin(name: "dqn", envDoc: "a registered id (\"CartPole-v1\"), an env, or a function making one; the action space must be discrete",
                   options: options, base: DQNConfig(), seed: \.seed,
                   seedDoc: "seeds weights, exploration, minibatches and env episodes (nil: drawn from the session seed)",
                   doc: "A DQN trainer (replay buffer, target network, ε-greedy, Huber loss; SB3's details): call .train(steps: n) on it.",
                   networks: [Param("q", default: .null, doc: "an mlp to start the Q-network (and its target) from, e.g. one trained by behaviour cloning; its hidden sizes become hidden:")],
                   adoptShape: { config, base, hidden, activation in
                     guard activation == nil || activation == .relu else {
                       throw PavlovError.runtime("dqn: the given q network uses \(activation?.rawValue ?? ""), but DQN's Q-network uses relu", hint: "make it with mlp(sizes, act: \"relu\")")
                     }
                     if config.hidden == base.hidden { config.hidden = hidden }  // unless the script chose hidden:
                   }) { try DQNTrainer(env: $0, config: $1) }
      .register(r)
  }
}
