import PavlovGym
import PavlovLang
import PavlovTensor

/// The multi-agent env type and its functions: `make` of a multi-agent id, `as_multi_env`,
/// `to_aec`, `to_parallel`, `multi_env_ids` and `bot`.
enum MultiEnvBindings {
  static func register(_ r: Registry) {
    r.addType(MultiEnvValue.nativeType)
    r.addType(BotValue.nativeType)
    r.function("multi_env_ids", doc: "The ids of the registered multi-agent environments (make(id) builds them).") { _ in
      .list(PList(MultiAgentRegistry.ids.map { .str($0) }))
    }
    r.function("as_multi_env", [
      Param("env", doc: "a record {possible_agents, observation_spaces, action_spaces, reset, step, render?, state?}"),
      Param("name", default: .str("custom"), doc: "what errors and displays call it"),
      Param("seed", default: .null, doc: "seeds the first reset and the spaces' samplers (nil: from the session seed)"),
    ], doc: "A parallel multi-agent environment written in Pavlov (PettingZoo's ParallelEnv), checked like a built-in one.") { args in
      let name = try args.string(1)
      let script = try ScriptParallelEnvironment(try args.record(0), name: name, interpreter: args.interpreter)
      return .object(MultiEnvValue(.parallel(script), name: name, seed: try EnvBindings.seedValue(args, 2)))
    }
    r.function("to_aec", [Param("env", doc: "a parallel multi-agent env")],
               doc: "The env played in turns (PettingZoo's parallel_to_aec): agents choose one after another, the step runs when all have.") { args in
      let e = try env(args[0], "to_aec")
      guard case .parallel(let parallel) = e.env else { return args[0] }
      return e.rewrapped(.aec(ParallelToAEC(parallel)), args.interpreter)
    }
    r.function("to_parallel", [Param("env", doc: "an AEC multi-agent env whose agents act once per cycle")],
               doc: "The env stepped all at once (PettingZoo's aec_to_parallel); turn-based games refuse.") { args in
      let e = try env(args[0], "to_parallel")
      guard case .aec(let aec) = e.env else { return args[0] }
      if let inner = e.env.parallelForm {
        return e.rewrapped(.parallel(inner), args.interpreter)
      }
      let parallel = try CoreBridge.run { try AECToParallel(aec, name: e.name) }
      return e.rewrapped(.parallel(parallel), args.interpreter)
    }
    r.function("agent_indicator", [Param("env", doc: "a parallel multi-agent env (or one made parallel by to_aec) with flat Box observations")],
               doc: "The env with each agent's one-hot index appended to its observations (SuperSuit's agent_indicator), so a policy shared by all agents can tell them apart.") { args in
      let e = try env(args[0], "agent_indicator")
      guard let inner = e.env.parallelForm else {
        throw PavlovError.runtime("agent_indicator: \(e.name) is turn-based; the indicator wraps parallel envs", hint: "a turn-based game's players already see whose turn it is")
      }
      let wrapped = try CoreBridge.run { try AgentIndicator(inner, name: e.name) }
      let env: MultiAgentEnv = e.isParallel ? .parallel(wrapped) : .aec(ParallelToAEC(wrapped))
      return e.rewrapped(env, args.interpreter)
    }
    r.function("bot", [
      Param("env", doc: "a multi-agent env or its id, e.g. \"TicTacToe-v0\""),
      Param("kind", doc: "which bot: \"random\", \"lookahead\", \"minimax\" for board games; a pattern for RockPaperScissors-v0"),
      Param("seed", default: .null, doc: "seeds its random choices (nil: from the session seed)"),
    ], doc: "A scripted opponent: call it with an observation to get its action; play, evaluate and trainers take it as a policy.") { args in
      // An env value lends its own spaces (its options, e.g. RockPaperScissors' memory, shape them).
      let game: MultiAgentEnv
      let id: String
      if case .string(let s) = args[0] {
        id = s.value
        game = try CoreBridge.run { try MultiAgentRegistry.make(id) }
      } else {
        let e = try env(args[0], "bot")
        id = e.name
        game = e.env
      }
      let kind = try args.string(1)
      let bot = try CoreBridge.run { try MultiAgentRegistry.bot(id, kind) }
      return .object(BotValue(bot, envID: id, observationSpace: game.observationSpace(0), actionSpace: game.actionSpace(0),
                              generator: SeededGenerator(seed: try EnvBindings.seedValue(args, 2))))
    }
  }

  /// `vec_env` of a multi-agent env: the agents of its copies as rows (turn-based games that
  /// PettingZoo can run in parallel are converted; others are refused).
  static func agentRows(_ copies: [MultiAgentEnv], name: String, seed: UInt64, episodeSeeds: Bool) throws -> AgentVectorEnv {
    if episodeSeeds {
      throw PavlovError.runtime("vec_env: episode_seeds is for one-agent envs; \(name) has several agents", hint: "leave episode_seeds out")
    }
    return try CoreBridge.run {
      let parallel = try copies.map { copy -> ParallelEnvironment in
        switch copy {
        case .parallel(let p): return p
        case .aec(let a): return try copy.parallelForm ?? AECToParallel(a, name: name)
        }
      }
      return try AgentVectorEnv(copies: parallel, name: name, seed: seed)
    }
  }

  /// `make(id)` for a multi-agent id.
  static func make(_ id: String, seed: UInt64, options: [String: EnvOption]) throws -> Value {
    let env = try CoreBridge.run { try MultiAgentRegistry.make(id, options: options) }
    return .object(MultiEnvValue(env, name: id, seed: seed))
  }

  static func env(_ value: Value, _ context: String) throws -> MultiEnvValue {
    guard case .object(let e as MultiEnvValue) = value else {
      throw PavlovError.runtime("\(context): expected a multi-agent environment (make(\"TicTacToe-v0\"), as_multi_env(...)), got \(value.typeName)")
    }
    return e
  }

  static func makeType() -> NativeType {
    let t = NativeType(name: "multi_env", doc: "A multi-agent environment with PettingZoo's parallel or AEC (turn-based) API.")
    t.property("id", doc: "The registered id (or the name of a Pavlov env).") { v in .str(try env(v, "id").name) }
    t.property("kind", doc: "\"parallel\" (all agents act at once) or \"aec\" (agents take turns).") { v in
      .str(try env(v, "kind").isParallel ? "parallel" : "aec")
    }
    t.property("possible_agents", doc: "Every agent that can appear, in order.") { v in
      .list(PList(try env(v, "possible_agents").agentNames.map { .str($0) }))
    }
    t.property("agents", doc: "The agents still in the episode (empty when it is over).") { v in
      let e = try env(v, "agents")
      return .list(PList(live(e).map { .str(e.agentNames[$0]) }))
    }
    t.property("num_agents", doc: "How many agents are in the episode.") { v in .int(live(try env(v, "num_agents")).count) }
    t.method("observation_space", [Param("agent", doc: "an agent's name")], doc: "The space the agent's observations come from.") { args in
      let e = try env(args.receiver, "observation_space")
      return .object(e.observationSpaceValues[try e.agent(args[0], "\(e.name).observation_space")])
    }
    t.method("action_space", [Param("agent", doc: "an agent's name")], doc: "The space the agent's actions must come from (its sample() is seeded).") { args in
      let e = try env(args.receiver, "action_space")
      return .object(e.actionSpaceValues[try e.agent(args[0], "\(e.name).action_space")])
    }
    t.method("reset", [Param("seed", default: .null, doc: "reseeds the env (nil: continue; the first reset uses make's seed)")],
             doc: "Starts an episode. Parallel: returns {agent: observation} (infos in env.infos). AEC: returns nil; read env.last().") { args in
      let e = try env(args.receiver, "reset")
      let seed = e.resetSeed(args.isNull(0) ? nil : UInt64(bitPattern: Int64(try args.int(0))))
      e.started = true
      switch e.env {
      case .parallel(let p):
        let first = try CoreBridge.run { try p.reset(seed: seed) }
        e.rememberInfos(first.infos)
        return e.byAgent(p.agents) { agent in observationValue(first.observations[agent], e, agent) }
      case .aec(let a):
        try CoreBridge.run { try a.reset(seed: seed) }
        e.rememberInfos(a.infos)
        return .null
      }
    }
    t.method("step", [Param("action", doc: "parallel: a record {agent: action} for every agent in env.agents; AEC: the selected agent's action (nil once it is done)")],
             doc: "Parallel: steps every agent, returns {obs, rewards, terminations, truncations, infos} by agent. AEC: the selected agent acts.") { args in
      let e = try env(args.receiver, "step")
      try e.requireStarted("step()")
      switch e.env {
      case .parallel(let p): return try parallelStep(e, p, args[0])
      case .aec(let a):
        try aecStep(e, a, args[0])
        return .null
      }
    }
    t.property("agent_selection", doc: "AEC: the agent whose turn it is.") { v in
      let e = try env(v, "agent_selection")
      let a = try aec(e, "agent_selection")
      try e.requireStarted("agent_selection")
      return a.agents.isEmpty ? .null : .str(e.agentNames[a.agentSelection])
    }
    t.method("last", doc: "AEC: {obs, reward, terminated, truncated, info} for the selected agent (reward: accumulated since it last acted).") { args in
      let e = try env(args.receiver, "last")
      let a = try aec(e, "last()")
      try e.requireStarted("last()")
      guard !a.agents.isEmpty else { throw PavlovError.runtime("\(e.name).last(): the episode is over (env.agents is empty); call env.reset()") }
      let last = a.last()
      return .record(PRecord([
        ("obs", SpaceBindings.value(last.observation, space: a.observationSpace(a.agentSelection))),
        ("reward", .float(last.reward)), ("terminated", .bool(last.terminated)), ("truncated", .bool(last.truncated)),
        ("info", GymValues.record(last.info)),
      ]))
    }
    t.method("observe", [Param("agent", doc: "an agent's name")], doc: "AEC: the agent's current observation.") { args in
      let e = try env(args.receiver, "observe")
      let a = try aec(e, "observe()")
      try e.requireStarted("observe()")
      let agent = try e.agent(args[0], "\(e.name).observe")
      return SpaceBindings.value(a.observe(agent), space: a.observationSpace(agent))
    }
    t.method("action_mask", [Param("agent", default: .null, doc: "an agent's name (nil: the selected one)")],
             doc: "AEC: the agent's legal actions as a list of true/false (all true where the env has no mask).") { args in
      let e = try env(args.receiver, "action_mask")
      let a = try aec(e, "action_mask()")
      try e.requireStarted("action_mask()")
      let agent = args.isNull(0) ? a.agentSelection : try e.agent(args[0], "\(e.name).action_mask")
      let n: Int
      if case .discrete(let count, _) = a.actionSpace(agent) { n = count } else { n = 0 }
      let mask = a.actionMask(agent) ?? Array(repeating: true, count: n)
      return .list(PList(mask.map { .bool($0) }))
    }
    for (key, doc) in [("rewards", "AEC: each agent's reward from the last step."), ("terminations", "AEC: which agents are terminated."),
                       ("truncations", "AEC: which agents are truncated."), ("infos", "Each agent's info from the last reset or step.")] {
      t.property(key, doc: doc) { v in
        let e = try env(v, key)
        if key == "infos", case .parallel(let p) = e.env { return e.byAgent(p.agents) { GymValues.record(e.lastInfos[$0]) } }
        let a = try aec(e, key)
        switch key {
        case "rewards": return e.byAgent(a.agents) { .float(a.rewards[$0]) }
        case "terminations": return e.byAgent(a.agents) { .bool(a.terminations[$0]) }
        case "truncations": return e.byAgent(a.agents) { .bool(a.truncations[$0]) }
        default: return e.byAgent(a.agents) { GymValues.record(a.infos[$0]) }
        }
      }
    }
    t.method("state", doc: "Parallel: the global state as a tensor, for a centralized critic (nil if the env has none).") { args in
      let e = try env(args.receiver, "state")
      guard case .parallel(let p) = e.env else { return .null }
      try e.requireStarted("state()")
      let given: [Double]? = try CoreBridge.run("state") { try p.state() }
      guard let state = given else { return .null }
      return TensorValue.wrap(Tensor(shape: [state.count], data: state.map { Float($0) }))
    }
    t.method("render", doc: "The current state as text.") { args in .str(try env(args.receiver, "render").env.render()) }
    t.method("close", doc: "Releases the environment (kept for PettingZoo scripts).") { _ in .null }
    return t
  }

  static func live(_ e: MultiEnvValue) -> [Int] {
    guard e.started else { return [] }
    switch e.env {
    case .parallel(let p): return p.agents
    case .aec(let a): return a.agents
    }
  }

  static func aec(_ e: MultiEnvValue, _ what: String) throws -> AECEnvironment {
    guard case .aec(let a) = e.env else {
      throw PavlovError.runtime("\(e.name).\(what): \(e.name) is a parallel env (all agents act at once); \(what) belongs to the turn-based (AEC) API",
                                hint: "to_aec(env) plays it in turns")
    }
    return a
  }

  static func observationValue(_ point: Point?, _ e: MultiEnvValue, _ agent: Int) -> Value {
    guard let point else { return .null }
    return SpaceBindings.value(point, space: e.env.observationSpace(agent))
  }

  /// Reads, checks and applies {agent: action}.
  static func parallelStep(_ e: MultiEnvValue, _ p: ParallelEnvironment, _ given: Value) throws -> Value {
    let live = p.agents
    guard !live.isEmpty else { throw PavlovError.runtime("\(e.name).step: the episode is over (env.agents is empty); call env.reset() to start the next one") }
    guard case .record(let record) = given else {
      throw PavlovError.runtime("\(e.name).step takes a record {agent: action}, got \(given.typeName)",
                                hint: "e.g. env.step({\(live.map { "\(e.agentNames[$0]): ..." }.joined(separator: ", "))})")
    }
    var actions = [Point?](repeating: nil, count: e.agentNames.count)
    for (key, value) in zip(record.keys, record.values) {
      let agent = try e.agent(.str(key.text), "\(e.name).step")
      guard live.contains(agent) else {
        throw PavlovError.runtime("\(e.name).step: \(e.agentNames[agent]) has left the episode; give actions only for env.agents")
      }
      actions[agent] = try checkedAction(value, e, agent, "\(e.name).step: \(e.agentNames[agent])'s action")
    }
    if let missing = live.first(where: { actions[$0] == nil }) {
      throw PavlovError.runtime("\(e.name).step: no action for \(e.agentNames[missing]); every agent in env.agents acts each step")
    }
    let result = try CoreBridge.run { try p.step(actions) }
    e.rememberInfos(result.infos)
    return .record(PRecord([
      ("obs", e.byAgent(live) { observationValue(result.observations[$0], e, $0) }),
      ("rewards", e.byAgent(live) { .float(result.rewards[$0]) }),
      ("terminations", e.byAgent(live) { .bool(result.terminations[$0]) }),
      ("truncations", e.byAgent(live) { .bool(result.truncations[$0]) }),
      ("infos", e.byAgent(live) { GymValues.record(result.infos[$0]) }),
    ]))
  }

  static func aecStep(_ e: MultiEnvValue, _ a: AECEnvironment, _ given: Value) throws {
    guard !a.agents.isEmpty else { throw PavlovError.runtime("\(e.name).step: the episode is over (env.agents is empty); call env.reset() to start the next one") }
    let agent = a.agentSelection
    let who = e.agentNames[agent]
    if a.selectionIsDone {
      guard given.isNull else {
        throw PavlovError.runtime("\(e.name).step: \(who) is done (terminated or truncated), so its step takes nil, got \(Format.repr(given, limit: 30))",
                                  hint: "PettingZoo's loop: let action = nil if r.terminated or r.truncated")
      }
      try CoreBridge.run { try a.step(nil) }
      return
    }
    guard !given.isNull else {
      throw PavlovError.runtime("\(e.name).step: it is \(who)'s turn and it is still playing; nil is only for agents that are done")
    }
    let action = try checkedAction(given, e, agent, "\(e.name).step: \(who)'s action")
    if let why = a.whyIllegalAction(action, for: agent) {
      let legal = a.legalActions(for: agent).map(String.init).joined(separator: ", ")
      throw PavlovError.runtime("\(e.name).step: \(who) cannot play \(action.description): \(why)", hint: "legal now: \(legal) (the observation's action_mask)")
    }
    try CoreBridge.run { try a.step(action) }
    e.rememberInfos(a.infos)
  }

  static func checkedAction(_ value: Value, _ e: MultiEnvValue, _ agent: Int, _ context: String) throws -> Point {
    let space = e.env.actionSpace(agent)
    let action = try CoreBridge.run { try SpaceBindings.point(value, for: space, context) }
    guard space.contains(action) else { throw PavlovError.runtime("\(context): \(space.whyNotContains(action))") }
    return action
  }
}

/// A scripted opponent as a Pavlov value: callable-like via `b.act(obs)`, and taken as a
/// policy by play, evaluate and the multi-agent trainers.
final class BotValue: PObject {
  let bot: Bot
  let envID: String
  let generator: SeededGenerator
  private let observationSpace: Space
  private let actionSpace: Space

  nonisolated(unsafe) static let nativeType: NativeType = {
    let t = NativeType(name: "bot", doc: "A scripted opponent of a multi-agent env (bot(id, kind)).")
    t.method("act", [Param("obs", doc: "the observation of the agent to move")], doc: "The bot's action for the observation.") { args in
      guard case .object(let b as BotValue) = args.receiver else { throw PavlovError.runtime("act: expected a bot") }
      return try b.act(args[0])
    }
    t.property("name", doc: "Which bot it is.") { v in
      guard case .object(let b as BotValue) = v else { throw PavlovError.runtime("name: expected a bot") }
      return .str(b.bot.name)
    }
    return t
  }()

  init(_ bot: Bot, envID: String, observationSpace: Space, actionSpace: Space, generator: SeededGenerator) {
    self.observationSpace = observationSpace
    self.actionSpace = actionSpace
    self.bot = bot
    self.envID = envID
    self.generator = generator
    super.init(type: BotValue.nativeType)
  }

  override var displayString: String { "<bot \(bot.name) for \(envID)>" }

  /// The bot's action for an observation given as a Pavlov value (as `last().obs` gives it).
  func act(_ observation: Value) throws -> Value {
    let point = try CoreBridge.run { try SpaceBindings.point(observation, for: observationSpace, "bot \(bot.name)", what: "the observation") }
    guard observationSpace.contains(point) else {
      throw PavlovError.runtime("bot \(bot.name): the observation is outside \(observationSpace.description): \(observationSpace.whyNotContains(point))")
    }
    let action = try CoreBridge.run { try bot.act(point, generator: generator) }
    return SpaceBindings.value(action, space: actionSpace)
  }
}
