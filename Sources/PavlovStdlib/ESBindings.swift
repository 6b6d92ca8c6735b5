import PavlovLang
import PavlovRL

/// `es(env, ...)`: augmented random search, a gradient-free evolution strategy.
enum ESBindings {
  static let options: [ConfigOption<ESConfig>] = [
    .int("population", \.population, "random directions per iteration, each tried as +σδ and −σδ (2 episodes)", .between(1, Double(ConfigBounds.maxEnvCopies))),
    .number("sigma", \.sigma, "the scale of the parameter perturbations", .positive),
    .number("lr", \.lr, "the step size α", .positive),
    .optionalInt("top", \.top, "update from the best b directions only (nil: all of them)", .between(1, Double(ConfigBounds.maxEnvCopies))),
    .ints("hidden", \.hidden, "hidden layer sizes (tanh); []: a linear policy, as ARS"),
    .bool("normalize_obs", \.normalizeObs, "standardize states by running statistics of those seen (ARS V2)"),
  ]

  static func register(_ r: Registry) {
    TrainerBuiltin(name: "es", envDoc: "a registered id (\"CartPole-v1\"), an env, or a function making one; discrete or box actions",
                   options: options, base: ESConfig(), seed: \.seed,
                   seedDoc: "seeds the perturbations and env episodes (nil: drawn from the session seed)",
                   doc: "An evolution-strategies trainer (ARS: antithetic Gaussian perturbations of the policy's weights, no gradients): call .train(iterations: n) on it.") { try ESTrainer(env: $0, config: $1) }
      .register(r)
  }
}
