import PavlovGym
import PavlovLang
import PavlovRL
import PavlovTensor

/// N copies of an env stepped as one, as a Pavlov value (see `VectorEnv` for the same-step
/// autoreset rule: a finished copy is reset inside the step that ended it, and its last
/// observation is in `final_obs`); of a parallel multi-agent env, a row per agent of each copy
/// (`AgentVectorEnv`).
final class VecEnvValue: PObject {
  let vector: any VectorEnvironment
  let name: String
  let actionSampler: SeededGenerator
  let observationSpaceValue: SpaceValue
  let actionSpaceValue: SpaceValue
  /// Each copy's return so far in its current episode, summed by `rollout`.
  var episodeReturns: [Double]

  nonisolated(unsafe) static let nativeType: NativeType = VecEnvBindings.makeType()

  init(_ vector: any VectorEnvironment, name: String, seed: UInt64) {
    self.vector = vector
    self.name = name
    let samplers = ManagedEnvironment.samplers(seed: seed)
    actionSampler = samplers.action
    observationSpaceValue = SpaceValue(vector.observationSpace, generator: samplers.observation)
    actionSpaceValue = SpaceValue(vector.actionSpace, generator: actionSampler)
    episodeReturns = Array(repeating: 0, count: vector.count)
    super.init(type: VecEnvValue.nativeType)
  }

  override var displayString: String {
    let rows = (vector as? AgentVectorEnv).map { " (\($0.copies) copies × \($0.agentsPerCopy) agents)" } ?? ""
    return "<vec_env \(name) x\(vector.count)\(rows): observations \(vector.observationSpace.description), actions \(vector.actionSpace.description)>"
  }

  override var length: Int? { vector.count }
}

enum VecEnvBindings {
  static func register(_ r: Registry) {
    r.addType(VecEnvValue.nativeType)
    r.function("vec_env", [
      Param("env", doc: "a registered id, or a function returning an env (or env record) — called with the copy's index if it takes one; a parallel multi-agent env (or its id) gives a row per agent of each copy"),
      Param("n", default: .int(8), doc: "how many copies", range: .between(1, Double(ConfigBounds.maxEnvCopies))),
      Param("seed", default: .null, doc: "copy i's first reset uses seed + i (nil: drawn from the session seed)"),
      Param("threads", default: .int(1), doc: "step the copies on this many threads (pays only for slow envs; 1 for Pavlov-written envs)", range: .between(1, Double(ConfigBounds.maxThreads))),
      Param("episode_seeds", default: .bool(false), doc: "true: every episode of copy i starts from its own seed, a function of (seed, i, episode number), as the trainers' envs do"),
      Param("options", kind: .keywords, doc: "env options for a registered id, as in make"),
    ], doc: "N copies of an environment stepped as one: batched observations, rewards and done flags, automatic resets. Of a parallel multi-agent env, row c × A + a is agent a of copy c (SuperSuit's agents-as-vector-env), for one policy shared by all agents.") { args in
      let n = try args.int(1)
      let seed = try EnvBindings.seedValue(args, 2)
      let threads = try args.int(3)
      let episodeSeeds = try args.bool(4)
      // The trainers' seeding: each episode's seed is chosen by the wrapper, whatever reset is given.
      func seeded(_ env: Environment, _ i: Int) -> Environment {
        episodeSeeds ? ReplayableEnvironment(env, baseSeed: seed, copyIndex: i) : env
      }
      let interpreter = args.interpreter
      let vector: any VectorEnvironment
      let name: String
      switch args[0] {
      case .string(let id) where EnvRegistry.spec(id.value) == nil && MultiAgentRegistry.spec(id.value) != nil:
        name = id.value
        let options = try GymValues.options(args[5], "vec_env(\"\(name)\")")
        let copies = try CoreBridge.run { try (0..<n).map { _ in try MultiAgentRegistry.make(id.value, options: options) } }
        vector = try MultiEnvBindings.agentRows(copies, name: name, seed: seed, episodeSeeds: episodeSeeds)
      case .string(let id):
        name = id.value
        let options = try GymValues.options(args[5], "vec_env(\"\(name)\")")
        vector = try CoreBridge.run { try VectorEnv(count: n, seed: seed, threads: threads) { seeded(try EnvRegistry.make(id.value, options: options), $0) } }
      case .function(let f):
        if case .record(let extra) = args[5], extra.count > 0 {
          throw PavlovError.runtime("vec_env: options go to make(...) inside your function, not to vec_env")
        }
        let takesIndex = (f as? Closure)?.parameterCount ?? 0 > 0
        var firstName = "custom"
        var made: [Environment] = []
        var multi: [MultiEnvValue] = []
        for i in 0..<n {
          let value = try args.call(args[0], takesIndex ? [.int(i)] : [])
          if case .object(let m as MultiEnvValue) = value, made.isEmpty {
            multi.append(m)
            continue
          }
          guard multi.isEmpty else {
            throw PavlovError.runtime("vec_env: the function returned a multi-agent env for copy 0 but \(value.typeName) for copy \(i); every copy must be the same kind of env")
          }
          let e = try EnvBindings.environment(value, interpreter)
          if made.contains(where: { $0 === e.env }) {
            throw PavlovError.runtime("vec_env: the function returned the same env twice; it must make a new one on every call")
          }
          if i == 0 { firstName = e.name }
          made.append(e.env)
        }
        if let first = multi.first {
          name = first.name
          vector = try MultiEnvBindings.agentRows(multi.map(\.env), name: name, seed: seed, episodeSeeds: episodeSeeds)
        } else {
          name = firstName
          vector = try CoreBridge.run { try VectorEnv(count: n, seed: seed, threads: threads) { seeded(made[$0], $0) } }
        }
      default:
        throw PavlovError.runtime("vec_env: env must be an id like \"CartPole-v1\" or a function making an env, got \(args[0].typeName)")
      }
      return .object(VecEnvValue(vector, name: name, seed: seed))
    }
  }

  static func vec(_ v: Value) throws -> VecEnvValue {
    guard case .object(let e as VecEnvValue) = v else { throw PavlovError.runtime("expected a vec_env, got \(v.typeName)") }
    return e
  }

  /// The copies' observations, row-major, as one tensor (`SpaceBindings.rows`).
  static func observations(_ flat: [Double], _ vector: any VectorEnvironment) -> Value {
    SpaceBindings.rows(flat, count: vector.count, vector.observationSpace)
  }

  static func step(_ e: VecEnvValue, _ actions: Value) throws -> VectorStep {
    let vector = e.vector
    switch vector.actionSpace {
    case .discrete:
      let ints = try SpaceBindings.ints(actions, "\(e.name) vec_env.step", "the actions")
      return try CoreBridge.run { try vector.step(discreteActions: ints) }
    case .box:
      let reals = try SpaceBindings.reals(actions, "\(e.name) vec_env.step", "the actions")
      return try CoreBridge.run { try vector.step(continuousActions: reals) }
    case .multiDiscrete(let nvec):
      let ints = try SpaceBindings.ints(actions, "\(e.name) vec_env.step", "the actions")
      guard ints.count == vector.count * nvec.count else {
        throw PavlovError.runtime("\(e.name) vec_env.step: expected \(vector.count) actions of \(nvec.count) integers, got \(ints.count) integers")
      }
      let points = (0..<vector.count).map { Point.ints(Array(ints[($0 * nvec.count)..<(($0 + 1) * nvec.count)])) }
      return try CoreBridge.run { try vector.step(actions: points) }
    case .text, .tuple, .dict:
      guard case .list(let list) = actions, list.items.count == vector.count else {
        throw PavlovError.runtime("\(e.name) vec_env.step: expected a list of \(vector.count) actions of \(vector.actionSpace.description)")
      }
      let points = try list.items.map { try SpaceBindings.point($0, for: vector.actionSpace, "\(e.name) vec_env.step") }
      return try CoreBridge.run { try vector.step(actions: points) }
    }
  }

  static func makeType() -> NativeType {
    let t = NativeType(name: "vec_env", doc: "N copies of an env stepped as one (vec_env(id, n:)); finished copies reset in the same step.")
    t.method("reset", [Param("seed", default: .null, doc: "copy i is reset with seed + i (nil: the first reset uses vec_env's seed, later ones continue)")],
             doc: "Resets every copy; returns the observations, one row per copy.") { args in
      let e = try vec(args.receiver)
      let seed: UInt64? = args.isNull(0) ? nil : UInt64(bitPattern: Int64(try args.int(0)))
      let result = try CoreBridge.run { try e.vector.reset(seed: seed) }
      e.episodeReturns = Array(repeating: 0, count: e.vector.count)
      return observations(result.observations, e.vector)
    }
    t.method("step", [Param("actions", doc: "one action per copy: a tensor or list (rows of numbers for box actions)")],
             doc: "Steps every copy; returns {obs, reward, terminated, truncated, final_obs, final_info, info} (tensors of n rows, lists for the rest).") { args in
      let e = try vec(args.receiver)
      let result = try step(e, args[0])
      let space = e.vector.observationSpace
      let n = e.vector.count
      return .record(PRecord([
        ("obs", observations(result.observations, e.vector)),
        ("reward", TensorValue.wrap(Tensor(shape: [n], data: result.rewards.map { Float($0) }))),
        ("terminated", TensorValue.wrap(Tensor.converting(shape: [n], result.terminated.map { $0 ? 1 : 0 }, to: .bool))),
        ("truncated", TensorValue.wrap(Tensor.converting(shape: [n], result.truncated.map { $0 ? 1 : 0 }, to: .bool))),
        ("final_obs", .list(PList(result.finalObservations.map { $0.map { SpaceBindings.value($0, space: space) } ?? .null }))),
        ("final_info", .list(PList(result.finalInfos.map { $0.map(GymValues.record) ?? .null }))),
        ("info", .list(PList(result.infos.map(GymValues.record)))),
      ]))
    }
    t.method("sample_actions", doc: "One random action per copy from the action space (seeded by vec_env's seed), as a tensor.") { args in
      let e = try vec(args.receiver)
      let points = (0..<e.vector.count).map { _ in e.vector.actionSpace.sample(e.actionSampler) }
      switch e.vector.actionSpace {
      case .discrete:
        return TensorValue.wrap(Tensor(shape: [points.count], ints: points.map { if case .int(let v) = $0 { return Int64(v) }; return 0 }))
      case .box(_, _, let shape):
        let flat = points.flatMap { p -> [Float] in if case .reals(let v) = p { return v.map { Float($0) } }; return [] }
        return TensorValue.wrap(Tensor(shape: [points.count] + shape, data: flat))
      case .multiDiscrete(let nvec):
        let flat = points.flatMap { p -> [Int64] in if case .ints(let v) = p { return v.map { Int64($0) } }; return [] }
        return TensorValue.wrap(Tensor(shape: [points.count, nvec.count], ints: flat))
      case .text, .tuple, .dict:
        return .list(PList(points.map { SpaceBindings.value($0, space: e.vector.actionSpace) }))
      }
    }
    t.property("num_envs", doc: "How many copies.") { v in .int(try vec(v).vector.count) }
    t.property("single_observation_space", doc: "One copy's observation space.") { v in .object(try vec(v).observationSpaceValue) }
    t.property("single_action_space", doc: "One copy's action space.") { v in .object(try vec(v).actionSpaceValue) }
    t.property("threads", doc: "How many threads step the copies.") { v in .int(try vec(v).vector.threads) }
    t.property("episode_returns", doc: "Recent episode returns of every copy (copies made with record_episode_stats).") { v in
      .list(PList(try vec(v).vector.envs.flatMap { $0.layer(RecordEpisodeStatistics.self)?.returnQueue ?? [] }.map { .float($0) }))
    }
    return t
  }
}
