import PavlovLang
import PavlovRL
import PavlovTensor

/// `replay_buffer(capacity, n_step:, gamma:)`: DQN's replay ring (`ReplayBuffer`, the one dqn
/// fills) as a value scripts add to and sample from, with optional n-step returns
/// (`NStepQueue`, one per env copy) and save/load. Sampling draws from the session's generator
/// exactly as the trainer draws from its own, so a script seeded like the trainer samples the
/// same minibatches. Storage is allocated at the first add, when the observation size is known.
final class ReplayBufferValue: PObject {
  let capacity: Int
  let nStep: Int
  let gamma: Double
  private(set) var buffer: ReplayBuffer?
  /// The bootstrap discount of each stored transition (γ^k), by ring position.
  private var discounts: [Float] = []
  /// Each env copy's pending steps (row i of a batched add is copy i).
  private var queues: [NStepQueue] = []

  nonisolated(unsafe) static let nativeType: NativeType = makeType()

  init(capacity: Int, nStep: Int, gamma: Double) {
    self.capacity = capacity
    self.nStep = nStep
    self.gamma = gamma
    super.init(type: ReplayBufferValue.nativeType)
  }

  override var displayString: String {
    "<replay_buffer: \(buffer?.count ?? 0) of \(capacity) transitions" + (nStep > 1 ? ", \(nStep)-step, γ \(Format.display(.float(gamma)))" : "") + ">"
  }

  override var length: Int? { buffer?.count ?? 0 }

  static func value(_ v: Value) throws(PavlovError) -> ReplayBufferValue {
    guard case .object(let o as ReplayBufferValue) = v else { throw PavlovError.runtime("expected a replay_buffer, got \(v.typeName)") }
    return o
  }

  static func register(_ r: Registry) {
    r.addType(nativeType)
    let dqn = DQNConfig()
    r.function("replay_buffer", [
      Param("capacity", default: .int(dqn.bufferSize), doc: "how many transitions it keeps; past that the oldest are overwritten", range: .between(1, Double(ConfigBounds.maxTransitions))),
      Param("n_step", default: .int(1), doc: "store n-step transitions: rewards summed over n steps, the observation n steps later", range: .between(1, 1000)),
      Param("gamma", default: .float(dqn.gamma), doc: "the discount the n-step sums use", range: .discount),
    ], doc: "DQN's replay ring (the trainer's own): .add(...) transitions, .sample(batch_size) minibatches drawn uniformly from the session's generator, .save(path); n-step returns optional.") { args in
      let capacity = try args.int(0), n = try args.int(1), gamma = try args.float(2)
      guard gamma >= 0, gamma <= 1 else { throw PavlovError.runtime("replay_buffer: gamma must be in [0, 1], got \(gamma)") }
      return .object(ReplayBufferValue(capacity: capacity, nStep: n, gamma: gamma))
    }
    r.function("load_replay_buffer", [Param("path", doc: "a file written by replay_buffer.save")],
               doc: "Brings back a replay buffer saved with .save: its transitions, write position and pending n-step steps, so it samples as the saved one would.") { args in
      let path = try args.string(0)
      return .object(try CoreBridge.run { try load(path) })
    }
  }

  // MARK: - Adding

  /// Adds one transition, or a batch whose row i is env copy i's.
  func add(_ args: Args) throws(PavlovError) {
    let obs = try TensorBindings.fromValue(args[0], name: "replay_buffer.add")
    let rows = obs.rank <= 1 ? 1 : obs.shape[0]
    let width = rows == 0 ? 0 : obs.count / rows
    guard rows >= 1, width >= 1 else { throw PavlovError.runtime("replay_buffer.add: obs is empty (shape \(Shape.describe(obs.shape)))") }
    let next = try TensorBindings.fromValue(args[3], name: "replay_buffer.add")
    guard next.shape == obs.shape else {
      throw PavlovError.runtime("replay_buffer.add: next_obs has shape \(Shape.describe(next.shape)), obs \(Shape.describe(obs.shape)); they must match")
    }
    func column(_ i: Int, _ name: String) throws(PavlovError) -> [Float] {
      let t = try TensorBindings.fromValue(args[i], name: "replay_buffer.add")
      guard t.count == rows else { throw PavlovError.runtime("replay_buffer.add: \(name) has \(t.count) values for \(rows) transitions") }
      return t.data
    }
    let actions = try column(1, "action"), rewards = try column(2, "reward"), terminated = try column(4, "terminated")
    let truncated = args.isNull(5) ? [Float](repeating: 0, count: rows) : try column(5, "truncated")
    if let buffer, buffer.observationSize != width {
      throw PavlovError.runtime("replay_buffer.add: observations of \(width) numbers, but the buffer holds observations of \(buffer.observationSize)")
    }
    for a in actions where a != a.rounded() || a < 0 || a > Float(Int32.max) {
      throw PavlovError.runtime("replay_buffer.add: actions must be discrete (non-negative whole numbers), got \(a)", hint: "the replay buffer stores DQN's discrete actions")
    }
    let buffer: ReplayBuffer
    if let existing = self.buffer { buffer = existing } else {
      buffer = try CoreBridge.run { try ReplayBuffer(capacity: capacity, observationSize: width) }
    }
    if self.buffer == nil {
      self.buffer = buffer
      discounts = [Float](repeating: 0, count: capacity)
    }
    while queues.count < rows { queues.append(NStepQueue(n: nStep, gamma: gamma)) }
    for i in 0..<rows {
      let row = Array(obs.data[(i * width)..<((i + 1) * width)])
      let done = terminated[i] != 0 || truncated[i] != 0
      for folded in queues[i].push(observation: row, action: Int(actions[i]), reward: rewards[i], done: done) {
        discounts[buffer.position] = folded.discount
        folded.observation.withUnsafeBufferPointer { o in
          next.data.withUnsafeBufferPointer { all in
            buffer.add(observation: o, action: folded.action, reward: folded.reward,
                       next: UnsafeBufferPointer(rebasing: all[(i * width)..<((i + 1) * width)]), terminated: terminated[i] != 0)
          }
        }
      }
    }
  }

  // MARK: - Sampling

  func sample(_ size: Int, generator: SeededGenerator) throws(PavlovError) -> Value {
    guard let buffer, buffer.count > 0 else { throw PavlovError.runtime("replay_buffer.sample: the buffer is empty; add transitions first") }
    guard size >= 1, size <= 1 << 24 else { throw PavlovError.runtime("replay_buffer.sample: batch_size must be between 1 and 2^24, got \(size)") }
    let d = buffer.observationSize
    let batch = ReplayBatch(size: size, observationSize: d)
    buffer.sample(into: batch, generator: generator)
    return .record(PRecord([
      ("obs", TensorValue.wrap(Tensor(shape: [size, d], data: batch.observations))),
      ("actions", TensorValue.wrap(Tensor(shape: [size], ints: batch.actions))),
      ("rewards", TensorValue.wrap(Tensor(shape: [size], data: batch.rewards))),
      ("next_obs", TensorValue.wrap(Tensor(shape: [size, d], data: batch.nextObservations))),
      ("terminated", TensorValue.wrap(Tensor(shape: [size], data: batch.terminals))),
      ("discounts", TensorValue.wrap(Tensor(shape: [size], data: batch.indices.map { discounts[$0] }))),
      ("indices", TensorValue.wrap(Tensor(shape: [size], ints: batch.indices.map { Int64($0) }))),
    ]))
  }

  // MARK: - Files

  struct Config: Codable {
    var capacity: Int
    var nStep: Int
    var gamma: Double
    var observationSize: Int
  }

  func save(_ path: String) throws {
    let d = buffer?.observationSize ?? 0
    var checkpoint = TrainerCheckpoint(algorithm: "replay_buffer",
                                       config: try TrainerCheckpoint.json(Config(capacity: capacity, nStep: nStep, gamma: gamma, observationSize: d)),
                                       counters: "{}")
    if let buffer {
      buffer.save(into: &checkpoint, prefix: "buffer.")
      checkpoint.tensors.append(("buffer.discounts", Tensor(shape: [buffer.count], data: Array(discounts[0..<buffer.count]))))
    }
    // Steps of unfinished n-step transitions, per copy.
    checkpoint.add("pending.counts", ints: queues.map(\.count))
    checkpoint.add("pending.actions", ints: queues.flatMap(\.actions))
    let pending = queues.flatMap(\.rewards)
    checkpoint.tensors.append(("pending.rewards", Tensor(shape: [pending.count], data: pending)))
    checkpoint.tensors.append(("pending.observations", Tensor(shape: [pending.count * d], data: queues.flatMap { $0.observations.flatMap { $0 } })))
    try checkpoint.write(to: path)
  }

  static func load(_ path: String) throws -> ReplayBufferValue {
    let checkpoint = try TrainerCheckpoint.read(path, algorithm: "replay_buffer")
    let config = try checkpoint.decode(Config.self, from: checkpoint.config, what: "config")
    guard config.capacity >= 1, config.nStep >= 1, config.observationSize >= 0 else {
      throw CoreError("\(path): the saved replay buffer's settings are not valid", hint: "the file is damaged")
    }
    let value = ReplayBufferValue(capacity: config.capacity, nStep: config.nStep, gamma: config.gamma)
    let d = config.observationSize
    if d > 0, checkpoint.tensors.contains(where: { $0.0 == "buffer.position" }) {
      let buffer = try CoreBridge.run { try ReplayBuffer(capacity: config.capacity, observationSize: d) }
      try buffer.restore(from: checkpoint, prefix: "buffer.")
      let saved = try checkpoint.tensor("buffer.discounts")
      guard saved.count == buffer.count else { throw CoreError("\(path): \(saved.count) discounts for \(buffer.count) transitions", hint: "the file is damaged") }
      value.buffer = buffer
      value.discounts = [Float](repeating: 0, count: config.capacity)
      for i in 0..<saved.count { value.discounts[i] = saved.data[i] }
    }
    let counts = try checkpoint.ints("pending.counts"), actions = try checkpoint.ints("pending.actions")
    let rewards = try checkpoint.tensor("pending.rewards").data, observations = try checkpoint.tensor("pending.observations").data
    let total = counts.reduce(0, +)
    guard counts.allSatisfy({ $0 >= 0 && $0 < config.nStep }), actions.count == total, rewards.count == total, observations.count == total * d else {
      throw CoreError("\(path): the pending n-step steps do not add up", hint: "the file is damaged")
    }
    var at = 0
    for count in counts {
      var queue = NStepQueue(n: config.nStep, gamma: config.gamma)
      queue.restore(observations: (at..<(at + count)).map { Array(observations[($0 * d)..<(($0 + 1) * d)]) },
                    actions: Array(actions[at..<(at + count)]), rewards: Array(rewards[at..<(at + count)]))
      value.queues.append(queue)
      at += count
    }
    return value
  }

  // MARK: - Methods

  static func makeType() -> NativeType {
    let t = NativeType(name: "replay_buffer", doc: "DQN's replay ring: add transitions, sample minibatches, save and load.")
    t.method("add", [Param("obs", doc: "the observation (or a batch, one row per env copy)"),
                     Param("action", doc: "the discrete action taken (or one per row)"),
                     Param("reward", doc: "the reward (or one per row)"),
                     Param("next_obs", doc: "the observation after the step: for a truncated episode its final observation"),
                     Param("terminated", doc: "whether the episode ended for good (nothing is bootstrapped past it)"),
                     Param("truncated", default: .null, doc: "whether a time limit cut the episode (ends pending n-step sums; nil: false)")],
             doc: "Stores transitions (n-step: once their n steps, or the episode, are complete); returns nil.") { args in
      try value(args.receiver).add(args)
      return .null
    }
    t.method("sample", [Param("batch_size", doc: "how many transitions")],
             doc: "A minibatch drawn uniformly with replacement: {obs, actions, rewards, next_obs, terminated, discounts (γ^k of each bootstrap), indices}.") { args in
      try value(args.receiver).sample(try args.int(0), generator: Stdlib.generator(for: args.interpreter))
    }
    t.method("save", [Param("path", doc: "where to write it (a .safetensors file)")],
             doc: "Writes the transitions, the write position and pending n-step steps; load_replay_buffer brings them back.") { args in
      let b = try value(args.receiver), path = try args.string(0)
      try CoreBridge.run { try b.save(path) }
      return .null
    }
    t.property("capacity", doc: "How many transitions it keeps at most.") { v in .int(try value(v).capacity) }
    t.property("n_step", doc: "How many steps each stored transition spans (at most).") { v in .int(try value(v).nStep) }
    t.property("position", doc: "Where the next transition goes in the ring.") { v in .int(try value(v).buffer?.position ?? 0) }
    return t
  }
}
