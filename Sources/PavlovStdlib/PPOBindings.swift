import PavlovLang
import PavlovRL

/// `ppo(env, ...)` and `a2c(env, ...)`: trainers whose keyword arguments are their
/// hyperparameters (SB3's names and, where it has them, its defaults).
enum PPOBindings {
  static let envParam = Param("env", doc: "a registered id (\"CartPole-v1\"), an env, or a function making one (called per copy); a Pavlov-written env record needs n_envs: 1")
  static let envCopies = Param("n_envs", default: .int(8), doc: "env copies stepped together")
  /// The learning-rate and return parameters both algorithms share (ppo's clip options follow them).
  static let learning: [Param] = [
    Param("lr", default: .float(3e-4), doc: "Adam's learning rate (eps 1e-5)"),
    Param("lr_schedule", default: .str("constant"), doc: "\"constant\" or \"linear\" (down to 0 at total_steps)"),
    Param("gamma", default: .float(0.99), doc: "the discount factor"),
    Param("gae_lambda", default: .float(0.95), doc: "GAE's λ (1: Monte-Carlo returns minus the value)"),
  ]
  /// The loss weights, network and normalization parameters both algorithms share.
  static let shared: [Param] = [
    Param("ent_coef", default: .float(0), doc: "weight of the entropy bonus"),
    Param("vf_coef", default: .float(0.5), doc: "weight of the value loss"),
    Param("max_grad_norm", default: .float(0.5), doc: "gradients are clipped to this total L2 norm"),
    Param("hidden", default: .list(PList([.int(64), .int(64)])), doc: "hidden layer sizes of the policy and of the value MLP (separate networks)"),
    Param("activation", default: .str("tanh"), doc: "\"tanh\" or \"relu\""),
    Param("normalize_obs", default: .bool(false), doc: "normalize observations with running statistics (SB3's VecNormalize; saved in checkpoints)"),
    Param("normalize_reward", default: .bool(false), doc: "scale rewards by the running std of the discounted return"),
    Param("normalize_advantage", default: .null, doc: "normalize advantages per minibatch (nil: true for ppo, false for a2c)"),
    Param("log_std_init", default: .float(0), doc: "initial log standard deviation of a Gaussian policy (Box actions)"),
    Param("total_steps", default: .null, doc: "the horizon of linear schedules (nil: the steps of the first train call)"),
    Param("threads", default: .int(1), doc: "threads stepping the env copies (pays only for slow envs)"),
    Param("seed", default: .null, doc: "seeds weights, action sampling, shuffles and env episodes (nil: drawn from the session seed)"),
  ]

  static func register(_ r: Registry) {
    let ppoParams: [Param] = [envParam, envCopies,
      Param("n_steps", default: .int(256), doc: "steps per copy per rollout (n_envs × n_steps transitions: 2048 by default, as SB3's single-env default)"),
      Param("batch_size", default: .int(64), doc: "minibatch size"),
      Param("epochs", default: .int(10), doc: "passes over each rollout"),
    ] + learning + [
      Param("clip", default: .float(0.2), doc: "the clip range ε of the surrogate objective"),
      Param("clip_schedule", default: .null, doc: "\"constant\" or \"linear\" (nil: as lr_schedule)"),
      Param("clip_value", default: .null, doc: "when set, value predictions may move at most this far from the rollout's values"),
      Param("target_kl", default: .null, doc: "stop an update's epochs once the approximate KL exceeds 1.5 × this"),
    ] + shared
    r.function("ppo", ppoParams,
               doc: "A PPO trainer (clipped surrogate, GAE, minibatch epochs; SB3's details): call .train(steps: n) on it.") { args in
      try make(args, ppoParams, PPOConfig(), "ppo")
    }

    let a2cParams: [Param] = [envParam, envCopies,
      Param("n_steps", default: .int(5), doc: "steps per copy per rollout; each rollout is one gradient step"),
    ] + learning.map { p in
      switch p.name {
      case "lr": return Param("lr", default: .float(7e-4), doc: "Adam's learning rate (eps 1e-5; SB3 uses RMSprop)")
      case "gae_lambda": return Param("gae_lambda", default: .float(1), doc: "GAE's λ (1: n-step returns, as classic A2C)")
      default: return p
      }
    } + shared
    r.function("a2c", a2cParams,
               doc: "An A2C trainer (synchronous advantage actor-critic: one gradient step per short rollout); Adam, not SB3's RMSprop.") { args in
      try make(args, a2cParams, PPOConfig.a2c, "a2c")
    }
  }

  /// Reads the arguments named in `params` into `base` and builds the trainer.
  static func make(_ args: Args, _ params: [Param], _ base: PPOConfig, _ name: String) throws -> Value {
    func index(_ key: String) -> Int? { params.firstIndex { $0.name == key } }
    func given(_ key: String) -> Int? { index(key).flatMap { args.isNull($0) ? nil : $0 } }
    func int(_ key: String) throws -> Int? { try given(key).map { try args.int($0) } }
    func number(_ key: String) throws -> Double? { try given(key).map { try args.float($0) } }
    func schedule(_ key: String) throws -> Schedule? {
      guard let i = given(key) else { return nil }
      let text = try args.string(i)
      guard let s = Schedule(rawValue: text) else {
        throw PavlovError.runtime("\(name): \(key) must be \"constant\" or \"linear\", got \"\(text)\"")
      }
      return s
    }
    var c = base
    if let v = try int("n_envs") { c.nEnvs = v }
    if let v = try int("n_steps") { c.nSteps = v }
    if let v = try int("batch_size") { c.batchSize = v }
    if let v = try int("epochs") { c.epochs = v }
    if let v = try number("lr") { c.lr = v }
    if let v = try schedule("lr_schedule") { c.lrSchedule = v }
    c.clipSchedule = try schedule("clip_schedule") ?? c.lrSchedule
    if let v = try number("gamma") { c.gamma = v }
    if let v = try number("gae_lambda") { c.gaeLambda = v }
    if let v = try number("clip") { c.clip = v }
    c.clipValue = try number("clip_value")
    c.targetKl = try number("target_kl")
    if let v = try number("ent_coef") { c.entCoef = v }
    if let v = try number("vf_coef") { c.vfCoef = v }
    if let v = try number("max_grad_norm") { c.maxGradNorm = v }
    if let i = given("hidden") {
      c.hidden = try SpaceBindings.ints(args[i], name, "hidden")
    }
    if let i = given("activation") { c.activation = try args.string(i) }
    if let i = given("normalize_obs") { c.normalizeObs = try args.bool(i) }
    if let i = given("normalize_reward") { c.normalizeReward = try args.bool(i) }
    if let i = given("normalize_advantage") { c.normalizeAdvantage = try args.bool(i) }
    if let v = try number("log_std_init") { c.logStdInit = v }
    c.totalSteps = try int("total_steps")
    if let v = try int("threads") { c.threads = v }
    c.seed = try EnvBindings.seedValue(args, index("seed") ?? 0)
    let source = try TrainerBindings.envSource(args[0], args.interpreter, copies: c.nEnvs, name)
    let trainer = try CoreBridge.run { try PPOTrainer(env: source, config: c) }
    return .object(TrainerValue(trainer, envName: source.name))
  }
}
