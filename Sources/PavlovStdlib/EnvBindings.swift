import PavlovGym
import PavlovLang
import PavlovTensor

/// `make`, `as_env`, `env_ids`, and the env type's methods: Gymnasium's contract in Pavlov.
/// `env.reset()` returns the observation (its info is `env.info`); `env.step(a)` returns the
/// record {obs, reward, terminated, truncated, info}.
enum EnvBindings {
  static func register(_ r: Registry) {
    r.family("envs")
    r.addType(EnvValue.nativeType)
    SpaceBindings.register(r)

    r.function("make", [
      Param("id", doc: "a registered id, e.g. \"CartPole-v1\" (env_ids() lists them; multi_env_ids() the multi-agent ones)"),
      Param("seed", default: .null, doc: "seeds the dynamics (first reset) and the spaces' samplers; nil: drawn from the session seed"),
      Param("max_episode_steps", default: .null, doc: "overrides the registered time limit (0: none)"),
      Param("options", kind: .keywords, doc: "env-specific options, e.g. is_slippery: false, map_name: \"8x8\""),
    ], doc: "Makes a registered environment (Gymnasium's gym.make), with its time limit and checks.") { args in
      let id = try args.string(0)
      let seed = try seedValue(args, 1)
      let limit = try episodeLimit(args, 2, "make")
      let options = try GymValues.options(args[3], "make(\"\(id)\")")
      if EnvRegistry.spec(id) == nil, MultiAgentRegistry.spec(id) != nil {
        guard args.isNull(2) else {
          throw PavlovError.runtime("make(\"\(id)\"): a multi-agent env has no max_episode_steps", hint: "its episodes end by its own rules (max_cycles where it has them)")
        }
        return try MultiEnvBindings.make(id, seed: seed, options: options)
      }
      let env = try CoreBridge.run { try EnvRegistry.make(id, seed: seed, options: options, maxEpisodeSteps: limit) }
      return .object(EnvValue(env, name: id, fallbackGenerator: Stdlib.generator(for: args.interpreter)))
    }

    r.function("as_env", [
      Param("env", doc: "a record {observation_space, action_space, reset, step, render?}"),
      Param("name", default: .str("custom"), doc: "what errors and displays call it"),
      Param("seed", default: .null, doc: "seeds the spaces' samplers (nil: from the session seed)"),
      Param("max_episode_steps", default: .null, doc: "a time limit (nil: none)"),
    ], doc: "An environment written in Pavlov, checked and wrapped like a built-in one (any env argument also takes the record directly).") { args in
      let limit = try episodeLimit(args, 3, "as_env")
      return .object(try environment(args[0], args.interpreter, name: try args.string(1), seed: try seedValue(args, 2), maxEpisodeSteps: limit))
    }

    r.function("env_ids", doc: "The ids of the registered environments.") { _ in
      .list(PList(EnvRegistry.ids.map { .str($0) }))
    }
  }

  /// A seed argument, or one drawn from the session generator so `seed(n)` fixes it.
  static func seedValue(_ args: Args, _ i: Int) throws -> UInt64 {
    if args.isNull(i) { return Stdlib.generator(for: args.interpreter).next() }
    return UInt64(bitPattern: Int64(try args.int(i)))
  }

  /// An env value from an env or a Pavlov env record (wrapped in the `make` checks).
  static func environment(_ value: Value, _ interpreter: Interpreter, name: String = "custom",
                          seed: UInt64? = nil, maxEpisodeSteps: Int? = nil) throws -> EnvValue {
    switch value {
    case .object(let env as EnvValue): return env
    case .record(let record):
      let script = try ScriptEnvironment(record, name: name, interpreter: interpreter)
      let generator = Stdlib.generator(for: interpreter)
      let managed = ManagedEnvironment(script, id: name, maxEpisodeSteps: maxEpisodeSteps, seed: seed ?? generator.next())
      return EnvValue(managed, name: name, fallbackGenerator: generator)
    default:
      throw PavlovError.runtime("expected an environment (make(...)) or an env record {observation_space, action_space, reset, step}, got \(value.typeName)")
    }
  }

  /// `max_episode_steps`: nil or a count ≥ 0 (0: no limit).
  static func episodeLimit(_ args: Args, _ i: Int, _ function: String) throws(PavlovError) -> Int? {
    if args.isNull(i) { return nil }
    let n = try args.int(i)
    guard n >= 0 else { throw PavlovError.runtime("\(function): max_episode_steps must be nil or at least 0 (0: no limit), got \(n)") }
    return n
  }

  static func env(_ v: Value) throws -> EnvValue {
    guard case .object(let e as EnvValue) = v else { throw PavlovError.runtime("expected an environment, got \(v.typeName)") }
    return e
  }

  static func stepRecord(_ step: Step, space: Space) -> Value {
    .record(PRecord([
      ("obs", SpaceBindings.value(step.observation, space: space)),
      ("reward", .float(step.reward)),
      ("terminated", .bool(step.terminated)),
      ("truncated", .bool(step.truncated)),
      ("info", GymValues.record(step.info)),
    ]))
  }

  static func makeType() -> NativeType {
    let t = NativeType(name: "env", doc: "An environment with Gymnasium's contract: reset, step, spaces, render.")
    t.method("reset", [Param("seed", default: .null, doc: "reseeds the dynamics (nil: continue; the first reset uses make's seed)")],
             doc: "Starts an episode and returns the first observation (its info is env.info).") { args in
      let e = try env(args.receiver)
      let seed: UInt64? = args.isNull(0) ? nil : UInt64(bitPattern: Int64(try args.int(0)))
      let result = try CoreBridge.run { try e.env.reset(seed: seed) }
      e.info = result.info
      e.episodeEnded = false
      return SpaceBindings.value(result.observation, space: e.env.observationSpace)
    }
    t.method("step", [Param("action", doc: "an element of the action space: an int, a number, a list or a tensor")],
             doc: "Takes an action; returns {obs, reward, terminated, truncated, info}.") { args in
      let e = try env(args.receiver)
      if e.episodeEnded {
        throw PavlovError.runtime("\(e.name): step() after the episode ended (terminated or truncated); call env.reset() to start the next one")
      }
      let space = e.env.actionSpace
      let action = try CoreBridge.run { try SpaceBindings.point(args[0], for: space, "\(e.name).step") }
      let result = try CoreBridge.run { try e.env.step(action) }
      e.info = result.info
      e.episodeEnded = result.terminated || result.truncated
      return stepRecord(result, space: e.env.observationSpace)
    }
    t.method("render", doc: "The current state as text (print(env.render()) shows it).") { args in
      .str(try env(args.receiver).env.render())
    }
    t.method("close", doc: "Releases the environment (nothing to release for the built-in ones; kept for Gymnasium scripts).") { _ in .null }
    t.property("observation_space", doc: "The space observations come from.") { v in .object(try env(v).observationSpaceValue) }
    t.property("action_space", doc: "The space actions must come from; its sample() is seeded by make's seed.") { v in .object(try env(v).actionSpaceValue) }
    t.property("info", doc: "The info record of the last reset or step.") { v in GymValues.record(try env(v).info) }
    t.property("id", doc: "The registered id (or the name of a Pavlov env).") { v in .str(try env(v).name) }
    t.property("max_episode_steps", doc: "The time limit (nil: none).") { v in
      guard let steps = try env(v).managedLayer?.maxEpisodeSteps else { return .null }
      return .int(steps)
    }
    t.property("transitions", doc: "A tabular env's model: transitions[s][a] lists {prob, next, reward, terminated} (Gymnasium's P).") { v in
      guard let tabular = try env(v).env.unwrapped as? TabularEnvironment else {
        throw PavlovError.runtime("\(try env(v).name) has no transition model; tabular envs (FrozenLake, CliffWalking, Taxi, GridWorld) do")
      }
      return .list(PList(tabular.transitions.map { actions in
        .list(PList(actions.map { outcomes in
          .list(PList(outcomes.map { o in
            .record(PRecord([("prob", .float(o.probability)), ("next", .int(o.next)), ("reward", .float(o.reward)), ("terminated", .bool(o.terminated))]))
          }))
        }))
      }))
    }
    t.property("episode_returns", doc: "Recent episode returns (needs record_episode_stats).") { v in
      guard let stats = try env(v).env.layer(RecordEpisodeStatistics.self) else {
        throw PavlovError.runtime("episode_returns needs the env wrapped by record_episode_stats(env)")
      }
      return .list(PList(stats.returnQueue.map { .float($0) }))
    }
    t.property("episode_lengths", doc: "Recent episode lengths (needs record_episode_stats).") { v in
      guard let stats = try env(v).env.layer(RecordEpisodeStatistics.self) else {
        throw PavlovError.runtime("episode_lengths needs the env wrapped by record_episode_stats(env)")
      }
      return .list(PList(stats.lengthQueue.map { .int($0) }))
    }
    return t
  }
}
