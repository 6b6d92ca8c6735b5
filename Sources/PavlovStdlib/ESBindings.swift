import PavlovLang
import PavlovRL

/// `es(env, ...)`: augmented random search, a gradient-free evolution strategy.
enum ESBindings {
  static func register(_ r: Registry) {
    let params: [Param] = [
      Param("env", doc: "a registered id (\"CartPole-v1\"), an env, or a function making one; discrete or box actions"),
      Param("population", default: .int(8), doc: "random directions per iteration, each tried as +σδ and −σδ (2 episodes)"),
      Param("sigma", default: .float(0.05), doc: "the scale of the parameter perturbations"),
      Param("lr", default: .float(0.02), doc: "the step size α"),
      Param("top", default: .null, doc: "update from the best b directions only (nil: all of them)"),
      Param("hidden", default: .list(PList([])), doc: "hidden layer sizes (tanh); []: a linear policy, as ARS"),
      Param("normalize_obs", default: .bool(true), doc: "standardize states by running statistics of those seen (ARS V2)"),
      Param("seed", default: .null, doc: "seeds the perturbations and env episodes (nil: drawn from the session seed)"),
    ]
    r.function("es", params,
               doc: "An evolution-strategies trainer (ARS: antithetic Gaussian perturbations of the policy's weights, no gradients): call .train(iterations: n) on it.") { args in
      let a = TrainerArguments(args: args, params: params, name: "es")
      var c = ESConfig()
      if let v = try a.int("population") { c.population = v }
      if let v = try a.number("sigma") { c.sigma = v }
      if let v = try a.number("lr") { c.lr = v }
      c.top = try a.int("top")
      if let v = try a.ints("hidden") { c.hidden = v }
      if let v = try a.bool("normalize_obs") { c.normalizeObs = v }
      c.seed = try a.seed()
      let source = try TrainerBindings.envSource(args[0], args.interpreter, copies: 1, "es")
      let trainer = try CoreBridge.run { try ESTrainer(env: source, config: c) }
      return .object(TrainerValue(trainer, envName: source.name))
    }
  }
}
