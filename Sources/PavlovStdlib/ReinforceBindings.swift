import PavlovLang
import PavlovRL

/// `reinforce(env, ...)`: the Monte-Carlo policy gradient with a learned baseline.
enum ReinforceBindings {
  static func register(_ r: Registry) {
    let params: [Param] = [
      Param("env", doc: "a registered id (\"CartPole-v1\"), an env, or a function making one; the action space must be discrete"),
      Param("lr", default: .float(1e-2), doc: "Adam's learning rate (policy and baseline)"),
      Param("gamma", default: .float(0.99), doc: "the discount factor of the returns"),
      Param("hidden", default: .list(PList([.int(64)])), doc: "hidden layer sizes of the policy and of the baseline (tanh)"),
      Param("baseline", default: .bool(true), doc: "subtract a learned V(s) from the returns (fitted to them by squared error)"),
      Param("normalize", default: .bool(true), doc: "standardize each update's returns to mean 0, standard deviation 1"),
      Param("episodes_per_update", default: .int(1), doc: "whole episodes per gradient step (one iteration)"),
      Param("max_grad_norm", default: .null, doc: "when set, gradients are clipped to this total L2 norm"),
      Param("seed", default: .null, doc: "seeds weights, action sampling and env episodes (nil: drawn from the session seed)"),
    ]
    r.function("reinforce", params,
               doc: "A REINFORCE trainer (whole-episode returns, one policy-gradient step per update, learned baseline): call .train(iterations: n) on it.") { args in
      let a = TrainerArguments(args: args, params: params, name: "reinforce")
      var c = ReinforceConfig()
      if let v = try a.number("lr") { c.lr = v }
      if let v = try a.number("gamma") { c.gamma = v }
      if let v = try a.ints("hidden") { c.hidden = v }
      if let v = try a.bool("baseline") { c.baseline = v }
      if let v = try a.bool("normalize") { c.normalizeReturns = v }
      if let v = try a.int("episodes_per_update") { c.episodesPerUpdate = v }
      c.maxGradNorm = try a.number("max_grad_norm")
      c.seed = try a.seed()
      let source = try TrainerBindings.envSource(args[0], args.interpreter, copies: 1, "reinforce")
      let trainer = try CoreBridge.run { try ReinforceTrainer(env: source, config: c) }
      return .object(TrainerValue(trainer, envName: source.name))
    }
  }
}
