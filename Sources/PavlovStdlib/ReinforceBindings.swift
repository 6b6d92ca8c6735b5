import PavlovLang
import PavlovRL

/// `reinforce(env, ...)`: the Monte-Carlo policy gradient with a learned baseline.
enum ReinforceBindings {
  static let options: [ConfigOption<ReinforceConfig>] = [
    .number("lr", \.lr, "Adam's learning rate (policy and baseline)", .positive),
    .number("gamma", \.gamma, "the discount factor of the returns", .discount),
    .ints("hidden", \.hidden, "hidden layer sizes of the policy and of the baseline (tanh)"),
    .bool("baseline", \.baseline, "subtract a learned V(s) from the returns (fitted to them by squared error)"),
    .bool("normalize", \.normalizeReturns, "standardize each update's returns to mean 0, standard deviation 1"),
    .int("episodes_per_update", \.episodesPerUpdate, "whole episodes per gradient step (one iteration)", .count),
    .optionalNumber("max_grad_norm", \.maxGradNorm, "when set, gradients are clipped to this total L2 norm", .positive),
  ]

  static func register(_ r: Registry) {
    TrainerBuiltin(name: "reinforce", envDoc: "a registered id (\"CartPole-v1\"), an env, or a function making one; the action space must be discrete",
                   options: options, base: ReinforceConfig(), seed: \.seed,
                   seedDoc: "seeds weights, action sampling and env episodes (nil: drawn from the session seed)",
                   doc: "A REINFORCE trainer (whole-episode returns, one policy-gradient step per update, learned baseline): call .train(iterations: n) on it.",
                   networks: [Param("policy", default: .null, doc: "an mlp (tanh) to start the policy from; its hidden sizes become hidden:"),
                              Param("value", default: .null, doc: "an mlp (tanh) to start the baseline from")],
                   adoptShape: { config, base, hidden, activation in
                     guard activation == nil || activation == .tanh else {
                       throw PavlovError.runtime("reinforce: the given network uses \(activation?.rawValue ?? ""), but REINFORCE's networks use tanh", hint: "make it with mlp(sizes, act: \"tanh\")")
                     }
                     if config.hidden == base.hidden { config.hidden = hidden }  // unless the script chose hidden:
                   }) { try ReinforceTrainer(env: $0, config: $1) }
      .register(r)
  }
}
