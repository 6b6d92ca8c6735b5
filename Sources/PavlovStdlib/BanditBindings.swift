import PavlovGym
import PavlovLang
import PavlovRL
import PavlovTensor

/// A bandit agent as a Pavlov value: a strategy learning on one bandit env.
final class BanditAgentValue: PObject {
  let agent: BanditAgent
  let envName: String

  nonisolated(unsafe) static let nativeType: NativeType = BanditBindings.makeType()

  init(_ agent: BanditAgent, envName: String) {
    self.agent = agent
    self.envName = envName
    super.init(type: BanditAgentValue.nativeType)
  }

  override var displayString: String {
    "<bandit_agent \(agent.strategy.name) on \(envName): \(agent.strategy.arms) arms, \(agent.strategy.steps) steps>"
  }
}

/// `bandit_agent` and `run_bandit`: the strategies of Sutton and Barto's chapter 2 with the
/// trainer shape every trainer shares — `agent.train(steps:)` learns and returns a stats record,
/// `agent.evaluate(...)` plays greedily, `agent.act()` is the greedy choice — plus the testbed
/// experiment, `run_bandit`, which averages fresh agents over many problems.
enum BanditBindings {
  static let strategies = ["epsilon_greedy", "ucb", "thompson", "gradient", "linucb", "lin_thompson", "lin_epsilon_greedy"]

  /// The keyword arguments each strategy reads; any other one given is an error, not ignored.
  static let knobs: [String: [String]] = [
    "epsilon_greedy": ["epsilon", "epsilon_decay", "alpha", "initial"],
    "ucb": ["c", "alpha", "initial"],
    "thompson": ["prior", "noise"],
    "gradient": ["alpha", "baseline"],
    "linucb": ["c"],
    "lin_thompson": ["noise"],
    "lin_epsilon_greedy": ["epsilon", "epsilon_decay"],
  ]

  static let params = [
    Param("env", doc: "a bandit env: make(\"GaussianBandit-v0\"), \"BernoulliBandit-v0\", \"NonstationaryBandit-v0\" or \"ContextualBandit-v0\""),
    Param("strategy", default: .str("epsilon_greedy"), doc: "\"epsilon_greedy\", \"ucb\", \"thompson\" or \"gradient\"; on ContextualBandit-v0 also \"linucb\", \"lin_thompson\" and \"lin_epsilon_greedy\" (a linear model of the context per arm)"),
    Param("epsilon", default: .null, doc: "epsilon_greedy: the exploration probability (default 0.1)", range: .probability),
    Param("epsilon_decay", default: .null, doc: "epsilon_greedy: ε at step t is epsilon / (1 + epsilon_decay·t) (default 0: constant)", range: .nonNegative),
    Param("alpha", default: .null, doc: "the step size: epsilon_greedy and ucb default to sample averages (1/n), gradient to 0.1", range: .positive),
    Param("initial", default: .null, doc: "epsilon_greedy and ucb: every estimate before any pull (default 0; 5 is optimistic)", range: .finite),
    Param("c", default: .null, doc: "ucb: the exploration weight in Q + c·√(ln t / N) (default 2); linucb: in θ·x + c·√(xᵀA⁻¹x) (default 1)", range: .nonNegative),
    Param("baseline", default: .null, doc: "gradient: compare rewards with their running average (default true)"),
    Param("prior", default: .null, doc: "thompson: \"beta\" (Bernoulli rewards, Beta(1, 1) prior) or \"gaussian\" (N(0, 1) prior); default beta on BernoulliBandit, else gaussian"),
    Param("noise", default: .null, doc: "thompson with the gaussian prior: the known standard deviation of rewards (default 1); lin_thompson: the posterior scale v (default 1)", range: .positive),
    Param("seed", default: .null, doc: "seeds the agent's choices; its first train resets the env with seed + 1 (nil: drawn from the session seed)", range: .finite),
  ]

  static func register(_ r: Registry) {
    r.family("trainers")
    r.addType(BanditAgentValue.nativeType)

    r.function("bandit_agent", params,
               doc: "A bandit agent (ε-greedy, UCB, Thompson sampling, gradient bandit; LinUCB and linear Thompson/ε-greedy on contexts) learning on a bandit env; agent.train(steps: n) plays and learns.") { args in
      let envValue = try EnvBindings.environment(args[0], args.interpreter)
      let seed = try EnvBindings.seedValue(args, 10)
      let bandit = try CoreBridge.run { try BanditAgent.bandit(in: envValue.env, owner: "bandit_agent", envName: envValue.name) }
      let strategy = try makeStrategy(args, arms: bandit.arms, bandit: bandit)
      let agent = try CoreBridge.run { try BanditAgent(env: envValue.env, strategy: strategy, seed: seed, envName: envValue.name) }
      agent.shouldStop = CoreBridge.interruptRequested
      return .object(BanditAgentValue(agent, envName: envValue.name))
    }

    r.function("run_bandit", [
      Param("agent", doc: "a bandit_agent(...): its strategy and settings are copied, fresh, into every run"),
      Param("steps", default: .int(1000), doc: "pulls per run", range: stepCount),
      Param("runs", default: .int(100), doc: "independent runs, each on a new problem (the book averages 2000)", range: .between(1, Double(maxPulls))),
      Param("seed", default: .null, doc: "run i plays like a new agent with seed seed + 2i (nil: the agent's seed)", range: .finite),
    ], doc: "The testbed experiment: fresh copies of the agent's strategy on `runs` new problems, averaged step by step; the agent and its env are left untouched.") { args in
      let value = try agentValue(args[0])
      let steps = try args.int(1), runs = try args.int(2)
      guard steps * runs <= maxPulls else {
        throw PavlovError.runtime("run_bandit: steps × runs must be at most 100 million, got \(runs) × \(steps)")
      }
      let seed = args.isNull(3) ? value.agent.seed : UInt64(bitPattern: Int64(try args.int(3)))
      return record(try CoreBridge.run { try value.agent.experiment(steps: steps, runs: runs, seed: seed) })
    }
  }

  // MARK: - Building strategies

  private static func makeStrategy(_ args: Args, arms: Int, bandit: Bandit) throws -> BanditStrategy {
    let name = try args.string(1)
    guard let allowed = knobs[name] else {
      let guess = Suggest.closest(to: name, among: strategies).map { " Did you mean \"\($0)\"?" } ?? ""
      throw PavlovError.runtime("bandit_agent: no strategy \"\(name)\".\(guess)",
                                hint: "the strategies are " + strategies.map { "\"\($0)\"" }.joined(separator: ", "))
    }
    for i in 2..<10 where !args.isNull(i) && !allowed.contains(params[i].name) {
      throw PavlovError.runtime("bandit_agent: the \(name) strategy has no \(params[i].name)",
                                hint: "\(name) takes " + allowed.joined(separator: ", "))
    }
    let alpha: Double? = args.isNull(4) ? nil : try args.float(4)
    let stepSize: StepSize = alpha.map { .constant($0) } ?? .sampleAverage
    let initial = args.isNull(5) ? 0 : try args.float(5)
    if name.hasPrefix("lin") {
      guard let contextual = bandit as? ContextualBandit else {
        throw PavlovError.runtime("bandit_agent: \(name) reads a context; use it on ContextualBandit-v0", hint: "on other bandits use epsilon_greedy, ucb, thompson or gradient")
      }
      let dim = contextual.context.count
      switch name {
      case "linucb":
        let c = args.isNull(6) ? 1 : try args.float(6)
        return LinearBandit(arms: arms, dim: dim, exploration: .upperConfidence(c: c))
      case "lin_thompson":
        return LinearBandit(arms: arms, dim: dim, exploration: .thompson(noise: args.isNull(9) ? 1 : try args.float(9)))
      default:
        let schedule = EpsilonSchedule(args.isNull(2) ? 0.1 : try args.float(2), decay: args.isNull(3) ? 0 : try args.float(3))
        return LinearBandit(arms: arms, dim: dim, exploration: .epsilonGreedy(schedule))
      }
    }
    switch name {
    case "epsilon_greedy":
      let schedule = EpsilonSchedule(args.isNull(2) ? 0.1 : try args.float(2), decay: args.isNull(3) ? 0 : try args.float(3))
      return EpsilonGreedy(arms: arms, epsilon: schedule, initial: initial, stepSize: stepSize)
    case "ucb":
      let c = args.isNull(6) ? 2 : try args.float(6)
      return UpperConfidenceBound(arms: arms, c: c, initial: initial, stepSize: stepSize)
    case "gradient":
      return GradientBandit(arms: arms, alpha: alpha ?? 0.1, baseline: args.isNull(7) ? true : try args.bool(7))
    default:
      let prior = args.isNull(8) ? (bandit is BernoulliBandit ? "beta" : "gaussian") : try args.string(8)
      switch prior {
      case "beta":
        guard args.isNull(9) else {
          throw PavlovError.runtime("bandit_agent: noise belongs to the gaussian prior, not beta", hint: "pass prior: \"gaussian\" with it")
        }
        return ThompsonSampling(arms: arms, model: .beta(alpha: 1, beta: 1))
      case "gaussian":
        let noise = args.isNull(9) ? 1 : try args.float(9)
        return ThompsonSampling(arms: arms, model: .gaussian(mean: 0, std: 1, noise: noise))
      default:
        throw PavlovError.runtime("bandit_agent: prior must be \"beta\" or \"gaussian\", got \"\(prior)\"")
      }
    }
  }

  /// Records hold a list entry per step, so a run is capped at a size that fits in memory.
  static let stepCount = ParamRange.between(0, 1_000_000)
  /// The pulls of one run_bandit experiment, all runs together.
  static let maxPulls = 100_000_000

  // MARK: - The agent type

  static func agentValue(_ v: Value) throws -> BanditAgentValue {
    guard case .object(let a as BanditAgentValue) = v else {
      throw PavlovError.runtime("expected a bandit agent (bandit_agent(env, ...)), got \(v.typeName)")
    }
    return a
  }

  static func floats(_ xs: [Double]) -> Value { .list(PList(xs.map { .float($0) })) }

  /// The stats record of a run (or the average of several).
  static func record(_ h: BanditHistory) -> Value {
    .record(PRecord([
      ("steps", .int(h.steps)),
      ("runs", .int(h.runs)),
      ("mean_reward", .float(h.meanReward)),
      ("optimal_rate", .float(h.optimalRate)),
      ("total_regret", .float(h.totalRegret)),
      ("rewards", floats(h.rewards)),
      ("regret", floats(h.regret)),
      ("cumulative_regret", floats(h.cumulativeRegret)),
      ("optimal", floats(h.optimal)),
    ]))
  }

  static func makeType() -> NativeType {
    let t = NativeType(name: "bandit_agent", doc: "A bandit strategy learning on one bandit env; made by bandit_agent(env, strategy, ...).")
    t.method("train", [Param("steps", default: .int(1000), doc: "how many more pulls to play and learn from", range: stepCount)],
             doc: "Plays and learns for `steps` more pulls (continuing the run; the first call resets the env with seed + 1); returns {steps, runs, mean_reward, optimal_rate, total_regret, rewards, regret, cumulative_regret, optimal}.") { args in
      let value = try agentValue(args.receiver)
      let steps = try args.int(0)
      return record(try CoreBridge.run { try value.agent.train(steps: steps) })
    }
    t.method("evaluate", [Param("steps", default: .int(100), doc: "how many greedy pulls", range: stepCount)],
             doc: "Pulls the arm it believes best `steps` times on a copy of the env, without learning; returns the same record as train.") { args in
      let value = try agentValue(args.receiver)
      let steps = try args.int(0)
      return record(try CoreBridge.run { try value.agent.evaluate(steps: steps) })
    }
    t.method("act", [Param("obs", default: .null, doc: "ignored (a bandit has one state); accepted so every trainer's act(obs) looks alike")],
             doc: "The arm the agent believes best now (the first on ties).") { args in
      .int(try agentValue(args.receiver).agent.strategy.greedyArm)
    }
    t.method("reset", doc: "Forgets everything learned: the next train starts over exactly as a new agent would.") { args in
      try agentValue(args.receiver).agent.reset()
      return .null
    }
    t.property("strategy", doc: "The strategy's name.") { v in .str(try agentValue(v).agent.strategy.name) }
    t.property("arms", doc: "The number of arms.") { v in .int(try agentValue(v).agent.strategy.arms) }
    t.property("steps", doc: "Pulls learned from so far.") { v in .int(try agentValue(v).agent.strategy.steps) }
    t.property("seed", doc: "The seed of the agent's choices.") { v in .int(Int(Int64(bitPattern: try agentValue(v).agent.seed))) }
    t.property("estimates", doc: "What it believes of each arm: value estimates, posterior means (thompson) or preferences (gradient).") { v in
      floats(try agentValue(v).agent.strategy.estimates)
    }
    t.property("pulls", doc: "How often it pulled each arm.") { v in .list(PList(try agentValue(v).agent.strategy.pulls.map { .int($0) })) }
    t.property("epsilon", doc: "epsilon_greedy: the exploration rate of the next pull (nil for other strategies).") { v in
      guard let greedy = try agentValue(v).agent.strategy as? EpsilonGreedy else { return .null }
      return .float(greedy.epsilon)
    }
    t.property("probs", doc: "gradient: the softmax probabilities of pulling each arm (nil for other strategies).") { v in
      guard let gradient = try agentValue(v).agent.strategy as? GradientBandit else { return .null }
      return floats(gradient.probabilities)
    }
    return t
  }
}
