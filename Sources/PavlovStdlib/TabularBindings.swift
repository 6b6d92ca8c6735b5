import CPavlovSupport
import PavlovGym
import PavlovLang
import PavlovRL

/// A tabular learner as a Pavlov value: Q-learning, SARSA, expected SARSA or MC control on one env.
final class TabularTrainerValue: PObject {
  let agent: TabularAgent
  let envName: String

  nonisolated(unsafe) static let nativeType: NativeType = TabularBindings.makeType()

  init(_ agent: TabularAgent, envName: String) {
    self.agent = agent
    self.envName = envName
    super.init(type: TabularTrainerValue.nativeType)
  }

  override var displayString: String {
    "<\(agent.method.rawValue) on \(envName): \(agent.spaces.states) states, \(agent.spaces.actions) actions, \(agent.episodes) episodes trained>"
  }
}

/// `q_learning`, `sarsa`, `expected_sarsa` and `mc_control` — one trainer shape: `.train(episodes:)`
/// returns a stats record, `.evaluate(episodes:)` plays greedily, `.act(obs)` is the greedy
/// action, `.q` and `.policy` read the table — and `value_iteration` and `policy_iteration`,
/// which plan with the env's model and return a record.
enum TabularBindings {
  static func register(_ r: Registry) {
    r.family("trainers")
    r.addType(TabularTrainerValue.nativeType)

    r.function("q_learning", learnerParams(alpha: .float(0.1)),
               doc: "A Q-learning trainer (off-policy TD control, Sutton & Barto 6.5) for an env with discrete states and actions.") { args in
      try learner(.qLearning, args)
    }
    r.function("sarsa", learnerParams(alpha: .float(0.1)),
               doc: "A SARSA trainer (on-policy TD control, Sutton & Barto 6.4) for an env with discrete states and actions.") { args in
      try learner(.sarsa, args)
    }
    r.function("expected_sarsa", learnerParams(alpha: .float(0.1)),
               doc: "An expected SARSA trainer (bootstraps on the ε-greedy expectation, Sutton & Barto 6.6) for a discrete env.") { args in
      try learner(.expectedSarsa, args)
    }
    r.function("mc_control", learnerParams(alpha: .null),
               doc: "A first-visit Monte Carlo control trainer with ε-soft policies (Sutton & Barto 5.4) for a discrete env.") { args in
      try learner(.monteCarlo, args)
    }

    let planningParams = { (iterations: Int) in [
      Param("env", doc: "an env with a transition model: FrozenLake, CliffWalking, Taxi or GridWorld"),
      Param("gamma", default: .float(0.99), doc: "the discount", range: .discount),
      Param("theta", default: .float(1e-10), doc: "stop when a sweep moves no value by this much", range: .positive),
      Param("max_iterations", default: .int(iterations), doc: "a cap on sweeps (value iteration) or rounds of evaluation (≤ 1000 sweeps) and improvement (policy iteration)", range: .count),
    ] }
    r.function("value_iteration", planningParams(10_000),
               doc: "Value iteration on the env's model: returns {values, policy, q, iterations, converged}.") { args in
      try plan(args, "value_iteration") { model, gamma, theta, cap in
        try DynamicProgramming.valueIteration(model, gamma: gamma, theta: theta, maxIterations: cap, shouldStop: CoreBridge.interruptRequested)
      }
    }
    r.function("policy_iteration", planningParams(1_000),
               doc: "Policy iteration on the env's model (from action 0 everywhere): returns {values, policy, q, iterations, converged}.") { args in
      try plan(args, "policy_iteration") { model, gamma, theta, cap in
        try DynamicProgramming.policyIteration(model, gamma: gamma, theta: theta, maxIterations: cap, shouldStop: CoreBridge.interruptRequested)
      }
    }
  }

  // MARK: - Learners

  static func learnerParams(alpha: Value) -> [Param] {
    [
      Param("env", doc: "an env with Discrete observations and actions: make(\"FrozenLake-v1\"), \"CliffWalking-v0\", \"Taxi-v3\", ..."),
      Param("alpha", default: alpha, doc: alpha.isNull ? "the step size; nil averages the first-visit returns (1/N)" : "the step size",
            range: ParamRange(lower: 0, lowerOpen: true, upper: 1)),
      Param("gamma", default: .float(0.99), doc: "the discount", range: .discount),
      Param("epsilon", default: .float(0.1), doc: "the exploration probability of the ε-greedy behaviour", range: .probability),
      Param("epsilon_decay", default: .float(0), doc: "ε in episode k is epsilon / (1 + epsilon_decay·k) (0: constant)", range: .nonNegative),
      Param("initial", default: .float(0), doc: "every Q(s, a) before learning (above every return: optimistic)", range: .finite),
      Param("max_steps", default: .int(TabularSettings.defaultMaxSteps), doc: "cut episodes after this many steps (for envs with no time limit, e.g. CliffWalking)", range: .count),
      Param("seed", default: .null, doc: "seeds exploration; the first episode resets the env with seed + 1, evaluate with seed + 2 (nil: drawn from the session seed)", range: .finite),
    ]
  }

  static func learner(_ method: TabularMethod, _ args: Args) throws -> Value {
    let envValue = try EnvBindings.environment(args[0], args.interpreter)
    let settings = TabularSettings(
      alpha: args.isNull(1) ? nil : try args.float(1), gamma: try args.float(2),
      epsilon: EpsilonSchedule(try args.float(3), decay: try args.float(4)),
      initial: try args.float(5), maxSteps: try args.int(6))
    let seed = try EnvBindings.seedValue(args, 7)
    let agent = try CoreBridge.run { try TabularAgent(method, env: envValue.env, settings: settings, seed: seed, envName: envValue.name) }
    agent.shouldStop = CoreBridge.interruptRequested
    return .object(TabularTrainerValue(agent, envName: envValue.name))
  }

  static func trainer(_ v: Value) throws -> TabularTrainerValue {
    guard case .object(let t as TabularTrainerValue) = v else {
      throw PavlovError.runtime("expected a tabular trainer (q_learning(env), sarsa, expected_sarsa, mc_control), got \(v.typeName)")
    }
    return t
  }

  /// Episodes one train or evaluate call plays: ten million at most (their returns are listed).
  static let episodeCount = ParamRange.between(0, 10_000_000)

  static func floats(_ xs: [Double]) -> Value { .list(PList(xs.map { .float($0) })) }
  static func ints(_ xs: [Int]) -> Value { .list(PList(xs.map { .int($0) })) }

  static func makeType() -> NativeType {
    let t = NativeType(name: "tabular_trainer",
                       doc: "A tabular learner (Q-learning, SARSA, expected SARSA or MC control) on one env; made by q_learning(env, ...) and friends.")
    t.method("train", [Param("episodes", default: .int(100), doc: "how many more episodes to learn from", range: episodeCount),
                       Param("callback", default: .null, doc: "called after each episode with {episode, return, length, epsilon}; return false to stop")],
             doc: "Learns for `episodes` more episodes; returns {episodes, mean_return, returns, lengths, epsilon} (epsilon: the next episode's).") { args in
      let value = try trainer(args.receiver)
      let episodes = try args.int(0)
      let callback: Value? = args.isNull(1) ? nil : try args.callable(1)
      let interpreter = args.interpreter
      let agent = value.agent
      let stats = try CoreBridge.run {
        try agent.train(episodes: episodes, afterEpisode: callback.map { f in { episode, total, length in
          let info = PRecord([("episode", .int(episode)), ("return", .float(total)), ("length", .int(length)), ("epsilon", .float(agent.epsilon))])
          if case .bool(false) = try interpreter.call(f, [.record(info)], labels: nil) { return false }
          return true
        } })
      }
      return .record(PRecord([
        ("episodes", .int(stats.returns.count)),
        ("mean_return", .float(stats.meanReturn)),
        ("returns", floats(stats.returns)),
        ("lengths", ints(stats.lengths)),
        ("epsilon", .float(stats.epsilon)),
      ]))
    }
    t.method("evaluate", [
      Param("episodes", default: .int(10), doc: "how many greedy episodes", range: episodeCount),
      Param("seed", default: .null, doc: "resets the copy of the env for the first episode (nil: the trainer's seed + 2)", range: .finite),
    ], doc: "Plays greedy episodes on a copy of the env without learning; returns {episodes, mean_return, returns, lengths, success_rate} (success: ending at a goal, not a hole or pit).") { args in
      let value = try trainer(args.receiver)
      let episodes = try args.int(0)
      let seed: UInt64? = args.isNull(1) ? nil : UInt64(bitPattern: Int64(try args.int(1)))
      let stats = try CoreBridge.run { try value.agent.evaluate(episodes: episodes, seed: seed) }
      return .record(PRecord([
        ("episodes", .int(stats.returns.count)),
        ("mean_return", .float(stats.meanReturn)),
        ("returns", floats(stats.returns)),
        ("lengths", ints(stats.lengths)),
        ("success_rate", .float(stats.successRate)),
      ]))
    }
    t.method("act", [Param("obs", doc: "a state: an observation of the env (an int)")],
             doc: "The greedy action in that state (the first best one on ties).") { args in
      let value = try trainer(args.receiver)
      let spaces = value.agent.spaces
      guard case .int(let obs) = args[0] else { throw args.typeError(0, "a state (an int)") }
      let (state, overflow) = obs.subtractingReportingOverflow(spaces.stateStart)
      guard !overflow, state >= 0, state < spaces.states else {
        throw PavlovError.runtime("act: state \(obs) is outside \(value.envName)'s observations (\(spaces.stateStart) to \(spaces.stateStart + spaces.states - 1))")
      }
      return .int(spaces.actionStart + value.agent.act(state))
    }
    t.property("q", doc: "The action values: q[s][a], a list per state.") { v in
      .list(PList(try trainer(v).agent.q.map { floats($0) }))
    }
    t.property("policy", doc: "The greedy action of every state.") { v in
      let agent = try trainer(v).agent
      return ints(agent.policy.map { $0 + agent.spaces.actionStart })
    }
    t.property("values", doc: "max_a q[s][a] for every state.") { v in floats(try trainer(v).agent.values) }
    t.property("episodes", doc: "Episodes trained so far.") { v in .int(try trainer(v).agent.episodes) }
    t.property("epsilon", doc: "The exploration rate of the next training episode.") { v in .float(try trainer(v).agent.epsilon) }
    t.property("algorithm", doc: "\"q_learning\", \"sarsa\", \"expected_sarsa\" or \"mc_control\".") { v in .str(try trainer(v).agent.method.rawValue) }
    t.property("seed", doc: "The seed of its exploration.") { v in .int(Int(Int64(bitPattern: try trainer(v).agent.seed))) }
    return t
  }

  // MARK: - Planning

  static func plan(_ args: Args, _ owner: String,
                   _ solve: ([[[Transition]]], Double, Double, Int) throws -> PlanningResult) throws -> Value {
    let envValue = try EnvBindings.environment(args[0], args.interpreter)
    let gamma = try args.float(1), theta = try args.float(2), cap = try args.int(3)
    let result = try CoreBridge.run {
      let model = try DynamicProgramming.model(of: envValue.env, owner: owner, envName: envValue.name)
      return try solve(model, gamma, theta, cap)
    }
    return .record(PRecord([
      ("values", floats(result.values)),
      ("policy", ints(result.policy)),
      ("q", .list(PList(result.q.map { floats($0) }))),
      ("iterations", .int(result.iterations)),
      ("converged", .bool(result.converged)),
    ]))
  }
}
