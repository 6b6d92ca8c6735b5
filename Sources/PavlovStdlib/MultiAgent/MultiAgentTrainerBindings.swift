import CPavlovSupport
import PavlovGym
import PavlovLang
import PavlovRL
import PavlovTensor

/// `ma_ppo(env, ...)` (independent PPO, parameter sharing, MAPPO, self-play), the `ma_trainer`
/// type, and `match(env, players)`, which plays any policies against each other.
enum MultiAgentTrainerBindings {
  static let options: [ConfigOption<MultiAgentPPOConfig>] = [
    .int("n_steps", \.nSteps, "learning decisions per iteration, at least (whole episodes are played)", .between(1, Double(ConfigBounds.maxTransitions))),
    .int("batch_size", \.batchSize, "minibatch size", .between(1, Double(ConfigBounds.maxTransitions))),
    .int("epochs", \.epochs, "passes over each iteration's decisions", .count),
    .number("lr", \.lr, "Adam's learning rate (eps 1e-5)", .positive),
    .choice("lr_schedule", \.lrSchedule, "\"constant\" or \"linear\" (down to 0 at total_steps)"),
    .optionalInt("total_steps", \.totalSteps, "the horizon of lr_schedule (nil: the steps of the first train call)", .count),
    .number("gamma", \.gamma, "the discount factor", .discount),
    .number("gae_lambda", \.gaeLambda, "GAE's λ over each agent's own decisions", .discount),
    .number("clip", \.clip, "the clip range ε of the surrogate objective", .positive),
    .number("ent_coef", \.entCoef, "weight of the entropy bonus", .nonNegative),
    .number("vf_coef", \.vfCoef, "weight of the value loss", .nonNegative),
    .number("max_grad_norm", \.maxGradNorm, "gradients are clipped to this total L2 norm", .positive),
    .ints("hidden", \.hidden, "hidden layer sizes of each policy's and critic's MLP"),
    .bool("centralized_critic", \.centralizedCritic, "MAPPO: critics see the env's global state (state()) and the agent's index"),
    .bool("self_play", \.selfPlay, "two-sided games: the policy plays itself and a league of its frozen past snapshots (Elo-rated)"),
    .int("snapshot_every", \.snapshotEvery, "self-play: iterations between snapshots joining the league", .count),
    .int("league_size", \.leagueSize, "self-play: snapshots kept (the oldest leaves)", .count),
    .number("latest_fraction", \.latestFraction, "self-play: share of episodes against the current policy, the rest against a league member", .between(0, 1)),
    .number("bot_fraction", \.botFraction, "self-play with league_bots: share of the league's episodes against a bot (the rest: a snapshot)", .between(0, 1)),
  ]
  static let dqnOptions: [ConfigOption<ValueDecompositionConfig>] = [
    .string("mixer", \.mixer, "\"none\": independent DQN learners on their own rewards; \"vdn\": the team Q is the sum of the agents' Qs"),
    .int("buffer_size", \.bufferSize, "joint transitions kept in the replay buffer", .between(1, Double(ConfigBounds.maxTransitions))),
    .int("batch_size", \.batchSize, "joint transitions per gradient step", .between(1, Double(ConfigBounds.maxTransitions))),
    .int("learning_starts", \.learningStarts, "env steps before learning begins", .between(0, Double(ConfigBounds.maxTransitions))),
    .number("lr", \.lr, "Adam's learning rate", .positive),
    .number("gamma", \.gamma, "the discount factor", .discount),
    .int("train_freq", \.trainFreq, "env steps between gradient steps", .count),
    .int("target_update_interval", \.targetUpdateInterval, "env steps between target network copies", .count),
    .number("exploration_fraction", \.explorationFraction, "share of training over which ε falls", .between(0, 1)),
    .number("exploration_initial_eps", \.explorationInitialEps, "ε at the start", .between(0, 1)),
    .number("exploration_final_eps", \.explorationFinalEps, "ε after the fall", .between(0, 1)),
    .number("max_grad_norm", \.maxGradNorm, "gradients are clipped to this total L2 norm", .positive),
    .ints("hidden", \.hidden, "hidden layer sizes of the shared Q network (relu)"),
    .int("log_every", \.logEvery, "env steps per reported iteration", .count),
    .optionalInt("total_steps", \.totalSteps, "the horizon of the ε schedule (nil: the steps of the first train call)", .count),
  ]
  static let policiesParam = Param("policies", default: .null, doc: "policy names (each learned), or a record {name: \"learn\" or a fixed policy (a bot or a function of the observation)}; nil: one shared policy")
  static let mappingParam = Param("mapping", default: .null, doc: "which policy plays each agent: a function agent => name or a record {agent: name}; nil: all agents to a single policy, or agent i to policy i")

  static func register(_ r: Registry) {
    let params = [Param("env", doc: "a multi-agent env, its id (e.g. \"TicTacToe-v0\"), or a function making it"), policiesParam, mappingParam]
      + options.params(MultiAgentPPOConfig())
      + [Param("league_bots", default: .null, doc: "self-play: fixed policies (bots, functions) that join the league as sparring partners, Elo-rated like snapshots")] + [Param("seed", default: .null, doc: "seeds weights, sampling, shuffles, self-play pairings and episodes (nil: from the session seed)")]
    r.function("ma_ppo", params, doc: "Multi-agent PPO: independent learners, shared policies, MAPPO's centralized critic, or self-play with a league.") { args in
      let a = TrainerArguments(args: args, params: params, name: "ma_ppo")
      var config = try options.configured(MultiAgentPPOConfig(), a)
      config.seed = try a.seed()
      let env = try environment(args[0], args.interpreter, "ma_ppo")
      let (slots, mapping) = try policies(args[1], args[2], env, args.interpreter)
      var leagueBots: [Bot] = []
      if let i = a.given("league_bots") {
        guard case .list(let list) = args[i] else { throw PavlovError.runtime("ma_ppo: league_bots must be a list of bots or functions, got \(args[i].typeName)") }
        leagueBots = try list.items.enumerated().map { k, item in try policy(item, env, 0, args.interpreter, "ma_ppo: league_bots[\(k)]") }
      }
      let trainer = try CoreBridge.run {
        try MultiAgentPPO(env: env.env, name: env.name, slots: slots, mapping: mapping, config: config, leagueBots: leagueBots)
      }
      return .object(MATrainerValue(trainer, env: env))
    }
    let dqnParams = [Param("env", doc: "a parallel multi-agent env (or its id) whose agents share spaces and stay for the whole episode")]
      + dqnOptions.params(ValueDecompositionConfig()) + [Param("seed", default: .null, doc: "seeds weights, exploration, replay sampling and episodes (nil: from the session seed)")]
    r.function("ma_dqn", dqnParams, doc: "Cooperative multi-agent DQN with one shared Q network: independent learners (mixer: \"none\") or VDN's Q_tot = Σ Q_i (mixer: \"vdn\").") { args in
      let a = TrainerArguments(args: args, params: dqnParams, name: "ma_dqn")
      var config = try dqnOptions.configured(ValueDecompositionConfig(), a)
      config.seed = try a.seed()
      let env = try environment(args[0], args.interpreter, "ma_dqn")
      guard case .parallel(let parallel) = env.env else {
        throw PavlovError.runtime("ma_dqn: \(env.name) is turn-based (AEC); value decomposition needs a parallel env whose agents act together",
                                  hint: "use ma_ppo for turn-based games")
      }
      let trainer = try CoreBridge.run { try ValueDecomposition(env: parallel, name: env.name, config: config) }
      return .object(MATrainerValue(trainer, env: env))
    }
    r.function("match", [
      Param("env", doc: "a multi-agent env or its id"),
      Param("players", doc: "a record {agent: policy}: a bot, a trained ma_trainer, or a function of the observation"),
      Param("episodes", default: .int(100), doc: "episodes to play", range: .count),
      Param("seed", default: .int(0), doc: "episode k is reset with seed + k; the players' random choices are seeded too", range: .finite),
    ], doc: "Plays the policies against each other; returns {episodes, mean_length, agents: {agent: {mean_return, wins, draws, losses}}, info: {...}}.") { args in
      let env = try environment(args[0], args.interpreter, "match")
      let record = try args.record(1)
      var players: [Bot?] = Array(repeating: nil, count: env.agentNames.count)
      for (key, value) in zip(record.keys, record.values) {
        let agent = try env.agent(.str(key.text), "match")
        players[agent] = try policy(value, env, agent, args.interpreter, "match: players.\(key.text)")
      }
      if let missing = players.firstIndex(where: { $0 == nil }) {
        throw PavlovError.runtime("match: no player for \(env.agentNames[missing])", hint: "give players a policy for each of \(env.agentNames.joined(separator: ", "))")
      }
      let result = try CoreBridge.run { try Match.play(env.env, players: players.compactMap { $0 }, episodes: try args.int(2), seed: UInt64(bitPattern: Int64(try args.int(3)))) }
      return matchRecord(result, env.agentNames)
    }
  }

  static func environment(_ value: Value, _ interpreter: Interpreter, _ context: String) throws -> MultiEnvValue {
    if case .string(let id) = value {
      guard MultiAgentRegistry.spec(id.value) != nil else {
        throw PavlovError.runtime("\(context): \"\(id.value)\" is not a multi-agent env", hint: "multi_env_ids() lists them")
      }
      return try MultiEnvBindings.env(try MultiEnvBindings.make(id.value, seed: Stdlib.generator(for: interpreter).next(), options: [:]), context)
    }
    // A function making the env (as `pavlov train --env-option` passes one).
    if case .function = value { return try MultiEnvBindings.env(try interpreter.call(value, []), context) }
    return try MultiEnvBindings.env(value, context)
  }

  /// The slots and each agent's slot from `policies:` and `mapping:`.
  static func policies(_ given: Value, _ mapping: Value, _ env: MultiEnvValue, _ interpreter: Interpreter) throws -> ([(name: String, bot: Bot?)], [Int]) {
    var slots: [(name: String, bot: Bot?)] = []
    switch given {
    case .null: slots = [("shared", nil)]
    case .list(let names):
      for item in names.items {
        guard case .string(let s) = item else { throw PavlovError.runtime("ma_ppo: policies must be names (strings), got \(item.typeName)") }
        slots.append((s.value, nil))
      }
    case .record(let record):
      for (key, value) in zip(record.keys, record.values) {
        if case .string(let s) = value, s.value == "learn" { slots.append((key.text, nil)); continue }
        slots.append((key.text, try policy(value, env, nil, interpreter, "ma_ppo: policies.\(key.text)")))
      }
    default: throw PavlovError.runtime("ma_ppo: policies must be a list of names or a record {name: \"learn\" or a fixed policy}, got \(given.typeName)")
    }
    guard !slots.isEmpty else { throw PavlovError.runtime("ma_ppo: policies is empty") }
    let names = slots.map(\.name)
    func slot(_ value: Value, _ agent: String) throws -> Int {
      guard case .string(let s) = value, let index = names.firstIndex(of: s.value) else {
        throw PavlovError.runtime("ma_ppo: the mapping gives \(agent) \(Format.repr(value, limit: 30)), not one of the policies (\(names.joined(separator: ", ")))")
      }
      return index
    }
    let agents = env.agentNames
    switch mapping {
    case .null:
      if slots.count == 1 { return (slots, Array(repeating: 0, count: agents.count)) }
      guard slots.count == agents.count else {
        throw PavlovError.runtime("ma_ppo: \(slots.count) policies for \(agents.count) agents need a mapping", hint: "mapping: agent => \"\(names[0])\"")
      }
      return (slots, Array(0..<agents.count))
    case .record(let record):
      return (slots, try agents.map { agent in
        guard let value = record[agent] else { throw PavlovError.runtime("ma_ppo: the mapping has no policy for \(agent)") }
        return try slot(value, agent)
      })
    case .function:
      return (slots, try agents.map { try slot(try interpreter.call(mapping, [.str($0)]), $0) })
    default: throw PavlovError.runtime("ma_ppo: mapping must be a function agent => policy name or a record {agent: name}, got \(mapping.typeName)")
    }
  }

  /// A Pavlov policy as a bot: a bot value, a trainer (its policy for `agent`, greedy), or a
  /// function from the observation to the action.
  static func policy(_ value: Value, _ env: MultiEnvValue, _ agent: Int?, _ interpreter: Interpreter, _ context: String) throws -> Bot {
    switch value {
    case .object(let b as BotValue): return b.bot
    case .object(let t as MATrainerValue):
      guard let agent else { throw PavlovError.runtime("\(context): a trainer plays an agent; give it in players or play's policy") }
      guard agent < t.trainer.agentNames.count else { throw PavlovError.runtime("\(context): the trainer has no agent \(env.agentNames[agent])") }
      let trained = t.env.env
      guard trained.observationSpace(agent) == env.env.observationSpace(agent), trained.actionSpace(agent) == env.env.actionSpace(agent) else {
        throw PavlovError.runtime("\(context): the trainer learned on \(t.env.name), whose \(env.agentNames[agent]) has other spaces than \(env.name)'s",
                                  hint: "play a trainer on the env it was trained on")
      }
      return t.trainer.agentBot(agent, deterministic: true)
    case .function:
      let observationSpace = env.env.observationSpace(agent ?? 0), actionSpace = env.env.actionSpace(agent ?? 0)
      return Bot(name: "function") { observation, _ in
        let chosen = try interpreter.call(value, [SpaceBindings.value(observation, space: observationSpace)])
        return try SpaceBindings.point(chosen, for: actionSpace, context)
      }
    default:
      throw PavlovError.runtime("\(context): a policy is a bot (bot(env, kind)), a trained ma_trainer, or a function obs => action, got \(value.typeName)")
    }
  }

  static func matchRecord(_ result: MatchResult, _ agents: [String]) -> Value {
    .record(PRecord([
      ("episodes", .int(result.episodes)),
      ("mean_length", .float(result.meanLength)),
      ("agents", .record(PRecord(agents.enumerated().map { i, name in
        (name, .record(PRecord([("mean_return", .float(result.returns[i])), ("wins", .int(result.wins[i])),
                                ("draws", .int(result.draws[i])), ("losses", .int(result.losses[i]))])))
      }))),
      ("info", .record(PRecord(result.infoMeans.keys.sorted().map { ($0, .float(result.infoMeans[$0] ?? 0)) }))),
    ]))
  }
}

/// A multi-agent trainer as a Pavlov value.
final class MATrainerValue: PObject {
  let trainer: any MultiAgentTrainer
  let env: MultiEnvValue

  init(_ trainer: any MultiAgentTrainer, env: MultiEnvValue) {
    self.trainer = trainer
    self.env = env
    super.init(type: MATrainerValue.nativeType)
  }

  /// `act`'s sampling, apart from training's generator.
  let actGenerator = SeededGenerator(seed: 0x5EED)

  override var displayString: String {
    "<ma_trainer \(trainer.algorithm) on \(trainer.envName): policies \(trainer.slotNames.joined(separator: ", ")), \(trainer.timesteps) decisions>"
  }

  static func value(_ v: Value) throws -> MATrainerValue {
    guard case .object(let t as MATrainerValue) = v else { throw PavlovError.runtime("expected a multi-agent trainer (ma_ppo(...)), got \(v.typeName)") }
    return t
  }

  nonisolated(unsafe) static let nativeType: NativeType = {
    let t = NativeType(name: "ma_trainer", doc: "A multi-agent trainer: train it, evaluate it against bots, play against it.")
    t.method("train", [
      Param("steps", default: .null, doc: "learning decisions to collect (whole episodes: it may overshoot by one episode's)"),
      Param("iterations", default: .null, doc: "rounds of collection and update"),
      Param("callback", default: .null, doc: "called after each iteration with its statistics; return false to stop"),
    ], doc: "Trains; returns the last iteration's statistics (self-play adds league_win, league_draw, elo, league_size).") { args in
      let value = try MATrainerValue.value(args.receiver)
      guard !args.isNull(0) || !args.isNull(1) else { throw PavlovError.runtime("train: give steps: or iterations:") }
      let steps: Int? = args.isNull(0) ? nil : try args.int(0)
      let iterations: Int? = args.isNull(1) ? nil : try args.int(1)
      for (name, n) in [("steps", steps), ("iterations", iterations)] where (n ?? 1) < 1 {
        throw PavlovError.runtime("train: \(name) must be at least 1, got \(n ?? 0)")
      }
      let callback: Value? = args.isNull(2) ? nil : try args.callable(2)
      let interpreter = args.interpreter
      let stats = try CoreBridge.run {
        try value.trainer.train(steps: steps, iterations: iterations) { stats in
          if pavlov_take_interrupt() != 0 { throw PavlovError.interrupted() }
          guard let callback else { return .proceed }
          if case .bool(false) = try interpreter.call(callback, [TrainerBindings.record(stats)], labels: nil) { return .stop }
          return .proceed
        }
      }
      return stats.map(TrainerBindings.record) ?? .null
    }
    t.method("evaluate", [
      Param("opponent", default: .null, doc: "a bot or policy the trained agent meets from every side (nil: every agent plays its own policy)"),
      Param("episodes", default: .int(100), doc: "episodes per side", range: .count),
      Param("seed", default: .int(0), doc: "seeds episodes and random choices", range: .finite),
    ], doc: "Greedy play. With an opponent: {wins, draws, losses, non_losses, sides: {agent: match}} over every side; without: match(env, own policies).") { args in
      let value = try MATrainerValue.value(args.receiver)
      let trainer = value.trainer
      let agents = trainer.agentNames
      let episodes = try args.int(1)
      let seed = UInt64(bitPattern: Int64(try args.int(2)))
      let own = (0..<agents.count).map { trainer.agentBot($0, deterministic: true) }
      if args.isNull(0) {
        return MultiAgentTrainerBindings.matchRecord(try CoreBridge.run { try Match.play(value.env.env, players: own, episodes: episodes, seed: seed) }, agents)
      }
      var wins = 0, draws = 0, losses = 0
      var sides: [(String, Value)] = []
      for side in 0..<agents.count {
        var players: [Bot] = []
        for agent in 0..<agents.count {
          players.append(agent == side ? own[agent] : try MultiAgentTrainerBindings.policy(args[0], value.env, agent, args.interpreter, "evaluate: opponent"))
        }
        let result = try CoreBridge.run { try Match.play(value.env.env, players: players, episodes: episodes, seed: seed &+ UInt64(side) &* 1_000_003) }
        wins += result.wins[side]
        draws += result.draws[side]
        losses += result.losses[side]
        sides.append((agents[side], MultiAgentTrainerBindings.matchRecord(result, agents)))
      }
      let total = Double(Swift.max(wins + draws + losses, 1))
      return .record(PRecord([("wins", .int(wins)), ("draws", .int(draws)), ("losses", .int(losses)),
                              ("non_losses", .float(Double(wins + draws) / total)), ("sides", .record(PRecord(sides)))]))
    }
    t.method("act", [Param("obs", doc: "an agent's observation"), Param("agent", default: .null, doc: "whose policy acts (nil: the first agent's)"),
                     Param("deterministic", default: .bool(true), doc: "the most likely action (false: sample)")],
             doc: "A trained policy's action for an observation (illegal actions masked by its action_mask).") { args in
      let value = try MATrainerValue.value(args.receiver)
      let agent = args.isNull(1) ? 0 : try value.env.agent(args[1], "act")
      let space = value.env.env.observationSpace(agent)
      let observation = try CoreBridge.run { try SpaceBindings.point(args[0], for: space, "act", what: "the observation") }
      guard space.contains(observation) else { throw PavlovError.runtime("act: the observation is outside \(space.description): \(space.whyNotContains(observation))") }
      let deterministic = try args.bool(2)
      let action = try CoreBridge.run { try value.trainer.agentBot(agent, deterministic: deterministic).act(observation, generator: value.actGenerator) }
      return SpaceBindings.value(action, space: value.env.env.actionSpace(agent))
    }
    t.property("algorithm", doc: "\"ppo\", \"mappo\", \"vdn\" or \"independent_dqn\".") { v in .str(try value(v).trainer.algorithm) }
    t.property("timesteps", doc: "Decisions (PPO) or env steps (DQN) taken so far.") { v in .int(try value(v).trainer.timesteps) }
    t.property("iterations", doc: "Iterations finished.") { v in .int(try value(v).trainer.iterations) }
    t.property("episodes", doc: "Episodes played in training.") { v in .int(try value(v).trainer.episodes) }
    t.property("policies", doc: "The policy names.") { v in .list(PList(try value(v).trainer.slotNames.map { .str($0) })) }
    t.property("elo", doc: "Self-play: the learner's Elo rating (nil without self-play).") { v in
      guard let league = try value(v).trainer.league else { return .null }
      return .float(league.rating)
    }
    t.property("league", doc: "Self-play: the snapshots as {snapshot, rating, games}.") { v in
      guard let league = try value(v).trainer.league else { return .list(PList([])) }
      return .list(PList(league.snapshots.map { s in
        .record(PRecord([("snapshot", .int(s.iteration)), ("rating", .float(s.rating)), ("games", .int(s.games))]))
      }))
    }
    return t
  }()
}
