import PavlovCore
import PavlovGym
import PavlovLang
import PavlovRL
import PavlovTensor

/// Datasets of logged episodes in Minari's layout: `record_episodes` plays a policy and logs it,
/// `load_dataset` reads a folder (Pavlov's or Minari's), and the `dataset` type hands the data
/// to a script as tensors.
final class DatasetValue: PObject {
  let dataset: EpisodeDataset

  nonisolated(unsafe) static let nativeType: NativeType = DatasetBindings.makeType()

  init(_ dataset: EpisodeDataset) {
    self.dataset = dataset
    super.init(type: Self.nativeType)
  }

  override var displayString: String {
    "<dataset \(dataset.id): \(dataset.episodes.count) episodes, \(dataset.totalSteps) steps, \(dataset.observationSpace) → \(dataset.actionSpace)>"
  }

  override var length: Int? { dataset.episodes.count }
}

enum DatasetBindings {
  static func register(_ r: Registry) {
    r.addType(DatasetValue.nativeType)
    r.function("record_episodes", [
      Param("env", doc: "an env id such as \"CartPole-v1\", an env, or a function making one"),
      Param("policy", default: .null, doc: "obs => action, or anything with .act(obs) (a trainer); nil: uniform random actions"),
      Param("episodes", default: .int(10), doc: "how many episodes to play", range: .between(1, 10_000_000)),
      Param("path", default: .null, doc: "a folder NAMESPACE/NAME-vN to write the dataset to (Minari's layout); nil: keep it in memory"),
      Param("seed", default: .null, doc: "episode k is reset with seed + k (nil: drawn from the session seed)", range: .finite),
    ], doc: "Plays a policy and logs every episode (observations, actions, rewards, terminations, truncations) as a dataset, written in Minari's format when path is given; the same seed and policy log the same data.") { args in
      let interpreter = args.interpreter
      let source = try TrainerBindings.envSource(args[0], interpreter, copies: 1, "record_episodes")
      let env = try source.make(0)
      let episodes = try args.int(2)
      let seed = try EnvBindings.seedValue(args, 4)
      let path = args.isNull(3) ? nil : try args.string(3)
      var id = "pavlov/\(source.name)-v0"
      if let path { id = try CoreBridge.run("record_episodes") { try MinariFormat.datasetID(forFolder: path) } }
      let policy = try self.policy(args[1], env.actionSpace, seed: seed, interpreter)
      let dataset = try CoreBridge.run("record_episodes") {
        try EpisodeDataset.record(env, id: id, envID: source.id, episodes: episodes, seed: seed, policy: policy)
      }
      if let path { try CoreBridge.run("record_episodes") { try MinariFormat.write(dataset, to: path) } }
      return .object(DatasetValue(dataset))
    }
    r.function("combine_datasets", [
      Param("datasets", doc: "a list of datasets logged in the same environment"),
      Param("path", default: .null, doc: "a folder NAMESPACE/NAME-vN to write the result to; nil: keep it in memory"),
    ], doc: "One dataset holding the episodes of several, in order (Minari's combine_datasets): e.g. an expert's logs beside a random policy's.") { args in
      let parts = try args.list(0).items.map(dataset)
      let path = args.isNull(1) ? nil : try args.string(1)
      let combined = try CoreBridge.run("combine_datasets") { () throws -> EpisodeDataset in
        let id = try path.map { try MinariFormat.datasetID(forFolder: $0) } ?? (parts.first.map { $0.id } ?? "pavlov/combined-v0")
        let out = try EpisodeDataset.combined(parts, id: id)
        if let path { try MinariFormat.write(out, to: path) }
        return out
      }
      return .object(DatasetValue(combined))
    }
    r.function("load_dataset", [Param("path", doc: "a dataset folder (holding data/metadata.json and data/main_data.hdf5), written by record_episodes or by Minari")],
               doc: "Reads a dataset of logged episodes in Minari's format.") { args in
      let path = try args.string(0)
      return .object(DatasetValue(try CoreBridge.run("load_dataset") { try MinariFormat.read(path) }))
    }
  }

  /// The policy argument as a function from observation to action; nil: random actions drawn
  /// from a generator of `seed`'s, so the seed fixes the whole dataset.
  static func policy(_ value: Value, _ space: Space, seed: UInt64, _ interpreter: Interpreter) throws -> (Point) throws -> Point {
    if value.isNull {
      let generator = SeededGenerator(seed: seed ^ 0x5EED_0F_AC7105)
      return { _ in space.sample(generator) }
    }
    let act: Value
    if case .function = value { act = value } else { act = try interpreter.member(value, "act") }
    return { observation in
      let chosen = try interpreter.call(act, [SpaceBindings.value(observation, space: space)])
      return try SpaceBindings.point(chosen, for: space, "record_episodes")
    }
  }

  static func dataset(_ v: Value) throws -> EpisodeDataset {
    guard case .object(let d as DatasetValue) = v else { throw PavlovError.runtime("expected a dataset, got \(v.typeName)") }
    return d.dataset
  }

  static func flags(_ values: [Bool]) -> Value { TensorValue.wrap(Tensor.converting(shape: [values.count], values.map { $0 ? 1 : 0 }, to: .bool)) }

  static func makeType() -> NativeType {
    let t = NativeType(name: "dataset", doc: "Logged episodes with their spaces; made by record_episodes(...) or load_dataset(path).")
    t.property("id", doc: "Minari's dataset id, \"namespace/name-vN\".") { .str(try dataset($0).id) }
    t.property("total_episodes", doc: "How many episodes it holds.") { .int(try dataset($0).episodes.count) }
    t.property("total_steps", doc: "How many steps (transitions) all episodes hold together.") { .int(try dataset($0).totalSteps) }
    t.property("has_costs", doc: "Whether every step logged a cost (the env's info[\"cost\"], as GridWorld-v0's hazards report): what dt(..., constrained: true) needs.") { .bool(try dataset($0).hasCosts) }
    t.property("observation_space", doc: "The observation space.") { v in
      .object(SpaceValue(try dataset(v).observationSpace, generator: SeededGenerator(seed: 0)))
    }
    t.property("action_space", doc: "The action space.") { v in
      .object(SpaceValue(try dataset(v).actionSpace, generator: SeededGenerator(seed: 0)))
    }
    t.method("episode", [Param("index", doc: "which episode, from 0 (negative counts from the end)")],
             doc: "One episode: {observations (steps + 1 rows, the reset's first), actions, rewards, terminations, truncations, costs, seed}; costs (each step's info[\"cost\"]) is nil when the env reported none.") { args in
      let d = try dataset(args.receiver)
      let count = d.episodes.count, index = try args.int(0)
      guard index >= -count && index < count else {
        throw PavlovError.runtime("dataset.episode: index \(index) is out of range for \(count) episodes")
      }
      let i = index < 0 ? index + count : index
      let e = d.episodes[i]
      return .record(PRecord([
        ("observations", SpaceBindings.rows(e.observations, count: e.steps + 1, d.observationSpace)),
        ("actions", SpaceBindings.rows(e.actions, count: e.steps, d.actionSpace)),
        ("rewards", .list(PList(e.rewards.map { .float($0) }))),
        ("terminations", flags(e.terminations)),
        ("truncations", flags(e.truncations)),
        ("costs", e.costs.count == e.steps && d.hasCosts ? .list(PList(e.costs.map { .float($0) })) : .null),
        ("seed", e.seed.map { .int(Int($0)) } ?? .null),
      ]))
    }
    t.method("transitions", doc: "Every step of every episode as tensors {obs, actions, rewards, next_obs, terminations, truncations}, one row per step: the input of behaviour cloning and offline learners.") { args in
      let d = try dataset(args.receiver)
      let ow = d.observationWidth, n = d.totalSteps
      var obs: [Double] = [], next: [Double] = [], actions: [Double] = [], rewards: [Float] = []
      var terminations: [Bool] = [], truncations: [Bool] = []
      obs.reserveCapacity(n * ow); next.reserveCapacity(n * ow)
      for e in d.episodes {
        obs += e.observations.prefix(e.steps * ow)
        next += e.observations.dropFirst(ow)
        actions += e.actions
        rewards += e.rewards.map(Float.init)
        terminations += e.terminations
        truncations += e.truncations
      }
      return .record(PRecord([
        ("obs", SpaceBindings.rows(obs, count: n, d.observationSpace)),
        ("actions", SpaceBindings.rows(actions, count: n, d.actionSpace)),
        ("rewards", TensorValue.wrap(Tensor(shape: [n], data: rewards))),
        ("next_obs", SpaceBindings.rows(next, count: n, d.observationSpace)),
        ("terminations", flags(terminations)),
        ("truncations", flags(truncations)),
      ]))
    }
    t.method("split", [Param("fraction", doc: "the share of episodes in the first part", range: .probability),
                       Param("seed", default: .int(0), doc: "seeds which episodes go first", range: .finite)],
             doc: "Two datasets, [a fraction of the episodes chosen at random, the rest]: a train/validation split by episode.") { args in
      let d = try dataset(args.receiver)
      let (a, b) = d.split(try args.float(0), seed: UInt64(bitPattern: Int64(try args.int(1))))
      return .list(PList([.object(DatasetValue(a)), .object(DatasetValue(b))]))
    }
    t.method("save", [Param("path", doc: "a folder NAMESPACE/NAME-vN")],
             doc: "Writes the dataset in Minari's format (its id becomes the folder's NAMESPACE/NAME-vN).") { args in
      var d = try dataset(args.receiver)
      let path = try args.string(0)
      try CoreBridge.run("save") {
        d.id = try MinariFormat.datasetID(forFolder: path)
        try MinariFormat.write(d, to: path)
      }
      return .null
    }
    return t
  }
}
