import PavlovTensor

/// A fixed-capacity ring of transitions (obs, action, reward, next obs, terminated) for
/// off-policy learning, as SB3's `ReplayBuffer`: once full, each new transition overwrites the
/// oldest, and `sample` draws indices uniformly with replacement from what is stored.
///
/// Storage is reserved once and never grows, so adding and sampling allocate nothing. It is
/// left uninitialized (only rows below `count` are ever read), so the operating system commits
/// memory as the ring fills rather than all at once. Only `terminated` is stored: a truncated
/// transition keeps bootstrapping from its next observation (SB3's handle_timeout_termination).
/// Actions are one int (a discrete action) or, with `actionWidth` > 0, that many floats.
public final class ReplayBuffer {
  public let capacity: Int
  public let observationSize: Int
  /// Floats per continuous action; 0 for discrete actions.
  public let actionWidth: Int
  /// Where the next transition goes.
  public private(set) var position = 0
  /// How many transitions are stored (at most `capacity`).
  public private(set) var count = 0

  private let observations: UnsafeMutableBufferPointer<Float>
  private let nextObservations: UnsafeMutableBufferPointer<Float>
  private let actions: UnsafeMutableBufferPointer<Int32>
  private let rewards: UnsafeMutableBufferPointer<Float>
  private let terminals: UnsafeMutableBufferPointer<Float>
  private let continuousActions: UnsafeMutableBufferPointer<Float>

  public init(capacity: Int, observationSize: Int, actionWidth: Int = 0) throws {
    precondition(capacity > 0 && observationSize > 0 && actionWidth >= 0, "ReplayBuffer: capacity and observation size must be positive")
    try AllocationLimit.elements([capacity, observationSize], "replay buffer (buffer_size × observation size)")
    try AllocationLimit.elements([capacity, actionWidth], "replay buffer (buffer_size × action size)")
    self.capacity = capacity
    self.observationSize = observationSize
    self.actionWidth = actionWidth
    continuousActions = .allocate(capacity: capacity * actionWidth)
    observations = .allocate(capacity: capacity * observationSize)
    nextObservations = .allocate(capacity: capacity * observationSize)
    actions = .allocate(capacity: capacity)
    rewards = .allocate(capacity: capacity)
    terminals = .allocate(capacity: capacity)
  }

  deinit {
    observations.deallocate()
    nextObservations.deallocate()
    actions.deallocate()
    rewards.deallocate()
    terminals.deallocate()
    continuousActions.deallocate()
  }

  /// Stores one transition with a continuous action of `actionWidth` floats.
  public func add(observation: UnsafeBufferPointer<Float>, continuousAction action: UnsafeBufferPointer<Float>, reward: Float,
                  next: UnsafeBufferPointer<Float>, terminated: Bool) {
    let row = position * actionWidth
    for k in 0..<actionWidth { continuousActions[row + k] = action[k] }
    add(observation: observation, action: 0, reward: reward, next: next, terminated: terminated)
  }

  /// Stores one transition; `observation` and `next` hold `observationSize` values each.
  public func add(observation: UnsafeBufferPointer<Float>, action: Int, reward: Float,
                  next: UnsafeBufferPointer<Float>, terminated: Bool) {
    let row = position * observationSize
    for i in 0..<observationSize {
      observations[row + i] = observation[i]
      nextObservations[row + i] = next[i]
    }
    actions[position] = Int32(truncatingIfNeeded: action)
    rewards[position] = reward
    terminals[position] = terminated ? 1 : 0
    position = (position + 1) % capacity
    count = Swift.min(count + 1, capacity)
  }

  /// Fills the first `rows` rows of `batch` (all of them by default) with transitions drawn
  /// uniformly (with replacement) from the stored ones, using `generator` — one `nextInt` per
  /// row, so a seed fixes the draw, and k draws of b rows equal one of k·b.
  public func sample(into batch: ReplayBatch, rows: Int? = nil, generator: SeededGenerator) {
    let rows = rows ?? batch.size
    precondition(count > 0 && batch.observationSize == observationSize, "ReplayBuffer: sampling an empty buffer or into a batch of another width")
    precondition(rows >= 0 && rows <= batch.size, "ReplayBuffer: \(rows) rows do not fit a batch of \(batch.size)")
    let d = observationSize
    batch.indices.withUnsafeMutableBufferPointer { all in
      let chosen = UnsafeMutableBufferPointer(rebasing: all[0..<rows])
      for r in 0..<chosen.count { chosen[r] = generator.nextInt(below: count) }
      batch.observations.withUnsafeMutableBufferPointer { to in Self.gather(chosen, d, observations, to) }
      batch.nextObservations.withUnsafeMutableBufferPointer { to in Self.gather(chosen, d, nextObservations, to) }
      batch.rewards.withUnsafeMutableBufferPointer { to in Self.gather(chosen, 1, rewards, to) }
      batch.terminals.withUnsafeMutableBufferPointer { to in Self.gather(chosen, 1, terminals, to) }
      if actionWidth > 0 {
        batch.continuousActions.withUnsafeMutableBufferPointer { to in Self.gather(chosen, actionWidth, continuousActions, to) }
      }
      batch.actions.withUnsafeMutableBufferPointer { to in
        for (r, i) in chosen.enumerated() { to[r] = Int64(actions[i]) }
      }
    }
  }

  /// to row r ← from row chosen[r], rows of `width` floats.
  @inline(__always)
  private static func gather(_ chosen: UnsafeMutableBufferPointer<Int>, _ width: Int, _ from: UnsafeMutableBufferPointer<Float>,
                             _ to: UnsafeMutableBufferPointer<Float>) {
    for (r, i) in chosen.enumerated() {
      for k in 0..<width { to[r * width + k] = from[i * width + k] }
    }
  }

  /// Stored transition `index` (for tests and inspection).
  public func transition(_ index: Int) -> (observation: [Float], action: Int, reward: Float, next: [Float], terminated: Bool) {
    precondition(index >= 0 && index < count, "ReplayBuffer: transition \(index) is not stored")
    let row = index * observationSize
    return (Array(observations[row..<(row + observationSize)]), Int(actions[index]), rewards[index],
            Array(nextObservations[row..<(row + observationSize)]), terminals[index] != 0)
  }

  // MARK: - Checkpoint

  /// Saves the stored rows with the write position, so a restored buffer samples exactly as
  /// this one would.
  public func save(into checkpoint: inout TrainerCheckpoint, prefix: String) {
    let n = count, d = observationSize
    checkpoint.tensors += [
      (prefix + "observations", Tensor(shape: [n, d], data: Array(observations[0..<(n * d)]))),
      (prefix + "next_observations", Tensor(shape: [n, d], data: Array(nextObservations[0..<(n * d)]))),
      (prefix + "rewards", Tensor(shape: [n], data: Array(rewards[0..<n]))),
      (prefix + "terminated", Tensor(shape: [n], data: Array(terminals[0..<n]))),
    ]
    checkpoint.add(prefix + "actions", ints: actions[0..<n].map { Int($0) })
    if actionWidth > 0 {
      checkpoint.tensors.append((prefix + "continuous_actions", Tensor(shape: [n, actionWidth], data: Array(continuousActions[0..<(n * actionWidth)]))))
    }
    checkpoint.add(prefix + "position", ints: [position])
  }

  /// Restores what `save` wrote, into a buffer of the same capacity and width.
  public func restore(from checkpoint: TrainerCheckpoint, prefix: String) throws {
    let acts = try checkpoint.ints(prefix + "actions")
    let n = acts.count, d = observationSize
    let obs = try checkpoint.tensor(prefix + "observations"), next = try checkpoint.tensor(prefix + "next_observations")
    let rews = try checkpoint.tensor(prefix + "rewards"), terms = try checkpoint.tensor(prefix + "terminated")
    let p = try checkpoint.ints(prefix + "position", count: 1)[0]
    guard n <= capacity, obs.shape == [n, d], next.shape == [n, d], rews.shape == [n], terms.shape == [n],
          !obs.isInteger, !next.isInteger, !rews.isInteger, !terms.isInteger else {
      throw CoreError("the saved replay buffer (\(n) transitions, observations of shape \(obs.shape)) does not fit this one (capacity \(capacity), observations of \(d))",
                         hint: "build the trainer with the saved config and env")
    }
    guard p >= 0, p < capacity, n == capacity || p == n else {
      throw CoreError("the saved replay write position \(p) does not match its \(n) transitions", hint: "the checkpoint is damaged")
    }
    for k in 0..<(n * d) {
      observations[k] = obs.data[k]
      nextObservations[k] = next.data[k]
    }
    if actionWidth > 0 {
      let saved = try checkpoint.tensor(prefix + "continuous_actions")
      guard saved.shape == [n, actionWidth], !saved.isInteger else {
        throw CoreError("the saved replay actions have shape \(saved.shape), expected [\(n), \(actionWidth)]", hint: "build the trainer with the saved config and env")
      }
      for k in 0..<(n * actionWidth) { continuousActions[k] = saved.data[k] }
    }
    for i in 0..<n {
      actions[i] = Int32(truncatingIfNeeded: acts[i])
      rewards[i] = rews.data[i]
      terminals[i] = terms.data[i]
    }
    count = n
    position = p
  }
}

/// Arrays one sampled minibatch is copied into, allocated once and reused by every gradient step.
public final class ReplayBatch {
  public let size: Int
  public let observationSize: Int
  public internal(set) var observations: [Float]
  public internal(set) var nextObservations: [Float]
  public internal(set) var actions: [Int64]
  public internal(set) var rewards: [Float]
  public internal(set) var terminals: [Float]
  /// Continuous actions, `actionWidth` floats per row (empty for discrete actions).
  public internal(set) var continuousActions: [Float]
  /// Which stored transitions were drawn.
  public internal(set) var indices: [Int]

  public init(size: Int, observationSize: Int, actionWidth: Int = 0) {
    self.size = size
    self.observationSize = observationSize
    continuousActions = [Float](repeating: 0, count: size * actionWidth)
    observations = [Float](repeating: 0, count: size * observationSize)
    nextObservations = observations
    actions = [Int64](repeating: 0, count: size)
    rewards = [Float](repeating: 0, count: size)
    terminals = [Float](repeating: 0, count: size)
    indices = [Int](repeating: 0, count: size)
  }
}
