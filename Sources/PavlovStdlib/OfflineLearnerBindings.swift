import PavlovCore
import PavlovGym
import PavlovLang
import PavlovRL

/// `bc(dataset, ...)`, `marwil(dataset, ...)` and `cql(dataset, ...)`: policies learned from
/// logged episodes, with no environment until evaluation.
final class OfflineLearnerValue: PObject {
  let learner: any OfflineLearner

  nonisolated(unsafe) static let nativeType: NativeType = OfflineLearnerBindings.makeType()

  init(_ learner: any OfflineLearner) {
    self.learner = learner
    super.init(type: Self.nativeType)
  }

  override var displayString: String {
    "<\(learner.name) on \(learner.steps) logged steps: \(learner.observationSpace.description) → \(learner.actionSpace.description), \(learner.epochs) epochs>"
  }
}

enum OfflineLearnerBindings {
  static let shared: [ConfigOption<MARWILConfig>] = [
    .ints("hidden", \.hidden, "hidden layer sizes of the policy (and value) networks (tanh)"),
    .number("lr", \.lr, "Adam's learning rate", .positive),
    .int("batch_size", \.batchSize, "logged steps per gradient step", .between(1, Double(ConfigBounds.maxTransitions))),
  ]
  static let weighting: [ConfigOption<MARWILConfig>] = [
    .number("beta", \.beta, "how strongly advantages weight the imitation, exp(β·A / c); 0 is behaviour cloning", .nonNegative),
    .number("gamma", \.gamma, "the discount of the returns the value network learns", .discount),
    .number("vf_coef", \.vfCoef, "the weight of the value loss", .nonNegative),
    .number("max_weight", \.maxWeight, "the largest weight a step can get", .positive),
    .number("advantage_norm_rate", \.advantageNormRate, "the rate of the moving average of squared advantages that scales them", ParamRange(lower: 0, lowerOpen: true, upper: 1)),
  ]
  static let cqlOptions: [ConfigOption<CQLConfig>] = [
    .number("alpha", \.alpha, "the weight of the conservative penalty logsumexp Q(s, ·) − Q(s, a_logged); 0 is offline DQN", .nonNegative),
    .number("gamma", \.gamma, "the discount factor", .discount),
    .ints("hidden", \.hidden, "hidden layer sizes of the Q-network (ReLU)"),
    .number("lr", \.lr, "Adam's learning rate", .positive),
    .int("batch_size", \.batchSize, "logged transitions per gradient step", .between(1, Double(ConfigBounds.maxTransitions))),
    .int("target_update_interval", \.targetUpdateInterval, "gradient steps between copies of the Q-network into the target network", .count),
  ]
  static let continuousCQLOptions: [ConfigOption<ContinuousCQLConfig>] = [
    .number("alpha", \.alpha, "the weight of the conservative penalty logsumexp over sampled actions of Q − Q(s, a_logged); 0 is offline SAC", .nonNegative),
    .number("gamma", \.gamma, "the discount factor", .discount),
    .ints("hidden", \.hidden, "hidden layer sizes of the actor and both critics (ReLU)"),
    .number("actor_lr", \.actorLR, "Adam's learning rate for the actor and the entropy coefficient", .positive),
    .number("critic_lr", \.criticLR, "Adam's learning rate for the critics", .positive),
    .int("batch_size", \.batchSize, "logged transitions per gradient step", .between(1, Double(ConfigBounds.maxTransitions))),
    .number("tau", \.tau, "the Polyak rate of the target critics", ParamRange(lower: 0, lowerOpen: true, upper: 1)),
    .int("action_samples", \.actionSamples, "actions drawn per state (each: uniform, from π(·|s), from π(·|s')) for the penalty's logsumexp", .between(1, 1000)),
  ]
  static let iqlOptions: [ConfigOption<IQLConfig>] = [
    .number("expectile", \.expectile, "τ of the expectile V(s) learns from Q of the logged actions (0.5: their mean; near 1: their best)", ParamRange(lower: 0, lowerOpen: true, upper: 1, upperOpen: true)),
    .number("beta", \.beta, "the inverse temperature of the policy's weights exp(β·(Q − V))", .nonNegative),
    .number("gamma", \.gamma, "the discount factor", .discount),
    .number("tau", \.tau, "the Polyak rate of the target Q-network", ParamRange(lower: 0, lowerOpen: true, upper: 1)),
    .ints("hidden", \.hidden, "hidden layer sizes of the policy, Q and V networks (ReLU)"),
    .number("lr", \.lr, "Adam's learning rate (each network has its own Adam)", .positive),
    .int("batch_size", \.batchSize, "logged transitions per gradient step", .between(1, Double(ConfigBounds.maxTransitions))),
    .number("max_weight", \.maxWeight, "the largest weight a step can get", .positive),
  ]
  static let dtOptions: [ConfigOption<DTConfig>] = [
    .int("context", \.context, "K: the steps of history the model reads (3K tokens, 4K constrained)", .between(1, 1024)),
    .int("d", \.dim, "the width of the embeddings and blocks", .between(1, 4096)),
    .int("layers", \.layers, "transformer blocks", .between(0, 64)),
    .int("heads", \.heads, "attention heads (d must divide by them)", .between(1, 64)),
    .number("dropout", \.dropout, "the dropout inside the blocks while training", ParamRange(lower: 0, upper: 1, upperOpen: true)),
    .number("lr", \.lr, "AdamW's learning rate after the warm-up", .positive),
    .number("weight_decay", \.weightDecay, "AdamW's decoupled weight decay", .nonNegative),
    .int("warmup_steps", \.warmupSteps, "gradient steps over which the learning rate rises linearly to lr", .nonNegative),
    .int("batch_size", \.batchSize, "windows per gradient step", .between(1, Double(ConfigBounds.maxTransitions))),
    .number("max_grad_norm", \.maxGradNorm, "gradients are clipped to this total norm", .positive),
    .number("return_scale", \.returnScale, "returns-to-go (and costs-to-go) are divided by it; 0: the largest episode return (cost) in the logs", .nonNegative),
    .bool("constrained", \.constrained, "add a cost-to-go token (the constrained decision transformer); the dataset needs costs"),
  ]
  static let datasetParam = Param("dataset", doc: "logged episodes: record_episodes(...) or load_dataset(path)")
  static let seedParam = Param("seed", default: .int(0), doc: "seeds the weights and the order of the minibatches", range: .finite)

  static func register(_ r: Registry) {
    let bcParams = [datasetParam] + shared.params(MARWILConfig()) + [seedParam]
    r.function("bc", bcParams, doc: "Behaviour cloning: a policy trained to take the logged actions (maximum likelihood); call .train(epochs: n), then .act(obs) or .evaluate(env).") { args in
      var config = try shared.configured(MARWILConfig(), TrainerArguments(args: args, params: bcParams, name: "bc"))
      config.beta = 0
      config.seed = try seed(args)
      return try make(args, "bc") { try MARWILLearner($0, config: config, name: "bc") }
    }
    let marwilParams = [datasetParam] + (weighting + shared).params(MARWILConfig()) + [seedParam]
    r.function("marwil", marwilParams, doc: "MARWIL (monotonic advantage re-weighted imitation learning, as RLlib's): behaviour cloning with each logged step weighted by exp(β·advantage), so better-than-average actions count more; beta: 0 is bc. Call .train(epochs: n).") { args in
      var config = try (weighting + shared).configured(MARWILConfig(), TrainerArguments(args: args, params: marwilParams, name: "marwil"))
      config.seed = try seed(args)
      return try make(args, "marwil") { try MARWILLearner($0, config: config, name: "marwil") }
    }
    let cqlParams = [datasetParam] + cqlOptions.params(CQLConfig()) + [seedParam]
    r.function("cql", cqlParams, doc: "Conservative Q-learning for discrete actions (as d3rlpy's DiscreteCQL): double-DQN targets on the logged transitions plus alpha times a penalty on the Q-values of actions the logs did not take; the policy is greedy in Q. Call .train(epochs: n).") { args in
      var config = try cqlOptions.configured(CQLConfig(), TrainerArguments(args: args, params: cqlParams, name: "cql"))
      config.seed = try seed(args)
      return try make(args, "cql") { try DiscreteCQL($0, config: config, name: "cql") }
    }
    let continuousParams = [datasetParam] + continuousCQLOptions.params(ContinuousCQLConfig()) + [seedParam]
    r.function("cql_continuous", continuousParams, doc: "Conservative Q-learning for box actions (CQL(H) on SAC, as d3rlpy's CQL): SAC's actor and twin critics learned from the logged transitions, each critic's loss adding alpha times the soft maximum of Q over sampled actions less Q of the logged action. Call .train(epochs: n).") { args in
      var config = try continuousCQLOptions.configured(ContinuousCQLConfig(), TrainerArguments(args: args, params: continuousParams, name: "cql_continuous"))
      config.seed = try seed(args)
      return try make(args, "cql_continuous") { try ContinuousCQL($0, config: config, name: "cql_continuous") }
    }
    let iqlParams = [datasetParam] + iqlOptions.params(IQLConfig()) + [seedParam]
    r.function("iql", iqlParams, doc: "Implicit Q-learning for discrete actions (Kostrikov et al., as CORL's): V(s) by expectile regression on Q of the logged actions, Q by one-step targets through V, and the policy by advantage-weighted cloning; it never evaluates an action the logs did not take. Call .train(epochs: n).") { args in
      var config = try iqlOptions.configured(IQLConfig(), TrainerArguments(args: args, params: iqlParams, name: "iql"))
      config.seed = try seed(args)
      return try make(args, "iql") { try DiscreteIQL($0, config: config, name: "iql") }
    }
    let dtParams = [datasetParam] + dtOptions.params(DTConfig()) + [seedParam]
    r.function("dt", dtParams, doc: "The decision transformer (Chen et al. 2021): a causal transformer over (return-to-go, state, action) tokens, trained to predict the logged actions; it acts toward the return you ask for with .evaluate(env, target_return: R). constrained: true adds a cost-to-go token (Liu et al. 2023), and .evaluate takes a cost_budget. Call .train(epochs: n).") { args in
      var config = try dtOptions.configured(DTConfig(), TrainerArguments(args: args, params: dtParams, name: "dt"))
      config.seed = try seed(args)
      return try make(args, "dt") { try DecisionTransformerLearner($0, config: config, name: "dt") }
    }
  }

  /// The `seed` argument, every learner's last parameter.
  static func seed(_ args: Args) throws -> UInt64 { UInt64(bitPattern: Int64(try args.int(args.count - 1))) }

  /// The learner `build` makes from the dataset argument, as a value.
  static func make(_ args: Args, _ name: String, _ build: (EpisodeDataset) throws -> any OfflineLearner) throws -> Value {
    let dataset = try self.dataset(args)
    return .object(OfflineLearnerValue(try CoreBridge.run(name) { try build(dataset) }))
  }

  static func dataset(_ args: Args) throws -> EpisodeDataset {
    guard case .object(let value as DatasetValue) = args[0] else { throw args.typeError(0, "a dataset (record_episodes(...) or load_dataset(path))") }
    return value.dataset
  }

  static func learner(_ v: Value) throws -> any OfflineLearner {
    guard case .object(let l as OfflineLearnerValue) = v else { throw PavlovError.runtime("expected an offline learner, got \(v.typeName)") }
    return l.learner
  }

  static func makeType() -> NativeType {
    let t = NativeType(name: "offline_learner", doc: "A policy learned from a dataset; made by bc, marwil, cql, cql_continuous, iql or dt.")
    t.property("algorithm", doc: "\"bc\", \"marwil\", \"cql\", \"cql_continuous\", \"iql\" or \"dt\".") { .str(try learner($0).name) }
    t.property("epochs", doc: "Epochs trained so far.") { .int(try learner($0).epochs) }
    t.property("policy", doc: "The policy network: logits, the Gaussian's means for box actions, cql's Q-values, or dt's transformer.") { v in
      .object(ModelValue(try learner(v).policyNetwork))
    }
    t.property("value", doc: "The value network V(s) of marwil and iql (nil for bc and cql).") { v in
      try learner(v).valueNetwork.map { .object(ModelValue($0)) } ?? .null
    }
    t.property("q", doc: "The Q-network Q(s, ·) of cql and iql, or the first critic Q(s, a) of cql_continuous (nil for bc, marwil and dt).") { v in
      try learner(v).qNetwork.map { .object(ModelValue($0)) } ?? .null
    }
    t.method("train", [Param("epochs", default: .int(1), doc: "passes over every logged step", range: .between(1, 1_000_000))],
             doc: "Trains for whole epochs (minibatches in a seeded random order); returns each epoch's means: [{epoch, policy_loss, value_loss, mean_weight}] (bc, marwil) [{epoch, td_loss, cql_loss, q_mean}] (cql) [{epoch, q_loss, v_loss, policy_loss, mean_weight}] (iql), [{epoch, td_loss, cql_loss, actor_loss, q_mean}] (cql_continuous) or [{epoch, action_loss}] (dt).") { args in
      let l = try learner(args.receiver)
      let stats = try CoreBridge.run(l.name) { try l.train(epochs: try args.int(0)) }
      return .list(PList(stats.map { s in
        .record(PRecord([("epoch", .int(s.epoch))] + s.values.map { ($0.name, .float($0.value)) }))
      }))
    }
    t.method("act", [Param("obs", doc: "one observation"), Param("deterministic", default: .bool(true), doc: "the most likely action (false: a sample)"),
                     Param("reward", default: .float(0), doc: "dt: the reward the previous action earned (ignored on an episode's first step)", range: .finite),
                     Param("cost", default: .float(0), doc: "constrained dt: the cost the previous action incurred", range: .finite)],
             doc: "The policy's action for one observation, ready for env.step. A decision transformer acts within the episode .begin(...) started, told each reward as it comes.") { args in
      let l = try learner(args.receiver)
      let observation = try SpaceBindings.point(args[0], for: l.observationSpace, "offline_learner.act", what: "the observation")
      let deterministic = try args.bool(1)
      let generator = deterministic ? nil : Stdlib.generator(for: args.interpreter)
      let reward = try args.float(2), cost = try args.float(3)
      let action = try CoreBridge.run(l.name) {
        if let dt = l as? DecisionTransformerLearner { return try dt.act(observation, reward: reward, cost: cost) }
        return try l.act(observation, deterministic: deterministic, generator: generator)
      }
      return SpaceBindings.value(action, space: l.actionSpace)
    }
    t.method("begin", [Param("target_return", default: .null, doc: "the return to aim for (default: the best logged episode return)", range: .finite),
                       Param("cost_budget", default: .null, doc: "constrained dt: the total cost allowed (default 0)", range: .finite)],
             doc: "dt: starts an episode (call it at every reset); then .act(obs, reward: r) each step with the reward the last action earned.") { args in
      let l = try learner(args.receiver)
      guard let dt = l as? DecisionTransformerLearner else {
        throw PavlovError.runtime("offline_learner.begin: \(l.name) acts on observations alone; begin conditions a decision transformer")
      }
      let target = args[0].isNull ? nil : try args.float(0)
      let budget = args[1].isNull ? nil : try args.float(1)
      try CoreBridge.run(l.name) { try dt.begin(targetReturn: target, costBudget: budget) }
      return .null
    }
    t.method("evaluate", [
      Param("env", doc: "an env id, an env or a function making one, with the dataset's spaces"),
      Param("episodes", default: .int(Evaluation.episodes), doc: "how many whole episodes to run", range: .count),
      Param("seed", default: .int(Int(Evaluation.seed)), doc: "episode k is reset with seed + k", range: .finite),
      Param("target_return", default: .null, doc: "dt: the return to ask for (default: the best logged episode return)", range: .finite),
      Param("cost_budget", default: .null, doc: "constrained dt: the total cost allowed (default 0)", range: .finite),
    ], doc: "Runs the learned policy (deterministically) for whole episodes; returns {mean_return, std_return, returns, lengths}, and for dt also {target_return, mean_cost, costs} (and cost_budget).") { args in
      let l = try learner(args.receiver)
      let source = try TrainerBindings.envSource(args[0], args.interpreter, copies: 1, "evaluate")
      let env = try source.make(0)
      guard env.observationSpace.hasSameShape(as: l.observationSpace), env.actionSpace.hasSameShape(as: l.actionSpace) else {
        throw PavlovError.runtime("evaluate: \(source.name) has spaces \(env.observationSpace.description) → \(env.actionSpace.description), the dataset \(l.observationSpace.description) → \(l.actionSpace.description)")
      }
      let seed = UInt64(bitPattern: Int64(try args.int(2)))
      let episodes = try args.int(1)
      let target = args[3].isNull ? nil : try args.float(3)
      let budget = args[4].isNull ? nil : try args.float(4)
      guard let dt = l as? DecisionTransformerLearner else {
        if target != nil || budget != nil {
          throw PavlovError.runtime("offline_learner.evaluate: target_return and cost_budget condition a decision transformer; \(l.name) acts on observations alone")
        }
        let result = try CoreBridge.run(l.name) { try l.evaluate(source, episodes: episodes, seed: seed) }
        return TrainerBindings.evaluationRecord(result)
      }
      let outcome = try CoreBridge.run(l.name) {
        try dt.evaluate(source, episodes: episodes, seed: seed, targetReturn: target, costBudget: budget)
      }
      let record = TrainerBindings.evaluationRecord(outcome.result)
      guard case .record(let fields) = record else { return record }
      fields["target_return"] = .float(outcome.targetReturn)
      fields["mean_cost"] = .float(outcome.costs.reduce(0, +) / Double(outcome.costs.count))
      fields["costs"] = .list(PList(outcome.costs.map { .float($0) }))
      if let budget = outcome.costBudget { fields["cost_budget"] = .float(budget) }
      return record
    }
    return t
  }
}
