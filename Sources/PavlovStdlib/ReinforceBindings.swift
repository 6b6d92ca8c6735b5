import PavlovLang
import PavlovRL

/// `reinforce(env, ...)`: the Monte-Carlo policy gradient with a learned baseline.
enum ReinforceBindings {
  static let options: [ConfigOption<ReinforceConfig>] = [
    .number("lr", \.lr, "Adam's learning rate (policy and baseline)"),
    .number("gamma", \.gamma, "the discount factor of the returns"),
    .ints("hidden", \.hidden, "hidden layer sizes of the policy and of the baseline (tanh)"),
    .bool("baseline", \.baseline, "subtract a learned V(s) from the returns (fitted to them by squared error)"),
    .bool("normalize", \.normalizeReturns, "standardize each update's returns to mean 0, standard deviation 1"),
    .int("episodes_per_update", \.episodesPerUpdate, "whole episodes per gradient step (one iteration)"),
    .optionalNumber("max_grad_norm", \.maxGradNorm, "when set, gradients are clipped to this total L2 norm"),
  ]

  static func register(_ r: Registry) {
    let params = [Param("env", doc: "a registered id (\"CartPole-v1\"), an env, or a function making one; the action space must be discrete")]
      + options.params(ReinforceConfig())
      + [Param("seed", default: .null, doc: "seeds weights, action sampling and env episodes (nil: drawn from the session seed)")]
    r.function("reinforce", params,
               doc: "A REINFORCE trainer (whole-episode returns, one policy-gradient step per update, learned baseline): call .train(iterations: n) on it.") { args in
      let a = TrainerArguments(args: args, params: params, name: "reinforce")
      var c = try options.configured(ReinforceConfig(), a)
      c.seed = try a.seed()
      let source = try TrainerBindings.envSource(args[0], args.interpreter, copies: 1, "reinforce")
      let trainer = try CoreBridge.run { try ReinforceTrainer(env: source, config: c) }
      return .object(TrainerValue(trainer, envName: source.name))
    }
  }
}
