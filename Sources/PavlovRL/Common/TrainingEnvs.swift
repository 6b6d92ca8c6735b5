import PavlovGym

/// A trainer's environments: N replayable copies stepped as one vector env (same-step
/// autoreset), turned into network inputs (features, optionally normalized), with episode
/// bookkeeping on the raw rewards (as SB3's `Monitor`) and everything needed to save and
/// restore their exact position.
///
/// Buffers are allocated once and overwritten by every step.
public final class TrainingEnvs {
  public let source: EnvSource
  public let count: Int
  public let observationSpace: Space
  public let actionSpace: Space
  public let features: ObservationFeatures
  public var normalizer: VecNormalizer
  public private(set) var window: EpisodeWindow

  /// What the policy sees now: `count × features.size` numbers, row i for copy i.
  public private(set) var observations: [Float]
  /// The last step's rewards (normalized when the normalizer scales rewards).
  public private(set) var rewards: [Float]
  public private(set) var terminated: [Bool]
  public private(set) var truncated: [Bool]
  /// Row i: the last observation of copy i's episode if it was truncated by the last step
  /// (for bootstrapping), as the policy would see it; other rows are stale.
  public private(set) var finalObservations: [Float]

  let vector: VectorEnv
  let copies: [ReplayableEnvironment]
  private var rawObservations: [Double]
  private var episodeReturns: [Double]
  private var episodeLengths: [Int]

  public init(source: EnvSource, count: Int, seed: UInt64, threads: Int = 1, normalizeObservations: Bool = false,
              normalizeRewards: Bool = false, gamma: Double = 0.99, window: Int = 100) throws {
    var made: [ReplayableEnvironment] = []
    vector = try VectorEnv(count: count, threads: source.threadSafe ? threads : 1) { i in
      let copy = ReplayableEnvironment(try source.make(i), baseSeed: seed, copyIndex: i)
      made.append(copy)
      return copy
    }
    copies = made
    self.source = source
    self.count = count
    observationSpace = vector.observationSpace
    actionSpace = vector.actionSpace
    features = ObservationFeatures(observationSpace)
    if normalizeObservations && !features.isBox {
      throw CoreError("normalize_obs needs a Box observation space, but \(source.name) observes \(observationSpace.description)",
                         hint: "leave normalize_obs off: discrete observations are one-hot encoded")
    }
    normalizer = VecNormalizer(observationSize: observationSpace.flatCount, copies: count, observations: normalizeObservations,
                               rewards: normalizeRewards, gamma: gamma)
    self.window = EpisodeWindow(capacity: window)
    observations = Array(repeating: 0, count: count * features.size)
    finalObservations = observations
    rewards = Array(repeating: 0, count: count)
    terminated = Array(repeating: false, count: count)
    truncated = terminated
    rawObservations = Array(repeating: 0, count: count * observationSpace.flatCount)
    episodeReturns = Array(repeating: 0, count: count)
    episodeLengths = Array(repeating: 0, count: count)
  }

  /// Numbers per action: 1 for discrete, the box size for continuous.
  public var actionSize: Int { actionSpace.flatCount }

  /// Episodes finished since training began.
  public var episodes: Int { window.total }

  /// Starts every copy's first episode.
  public func start() throws {
    let reset = try vector.reset()
    for k in rawObservations.indices { rawObservations[k] = reset.observations[k] }
    normalizer.update(observations: rawObservations, rows: count)
    encodeObservations()
  }

  /// One step of every copy with one discrete action each.
  public func step(discrete actions: [Int]) throws {
    try absorb(try recovering { try vector.step(discreteActions: actions) })
  }

  /// One step of every copy; `actions` holds `count × actionSize` numbers within the box.
  public func step(continuous actions: [Double]) throws {
    try absorb(try recovering { try vector.step(continuousActions: actions) })
  }

  /// A step that throws (an env, a wrapper or a reward function failed) leaves the envs ready
  /// for the next one: the unfinished episodes are dropped and every copy starts its next
  /// episode, from the next seed of its own sequence, so a run with the same faults gives the
  /// same numbers. The trainer discards its partial rollout; `train` can be called again.
  private func recovering(_ step: () throws -> VectorStep) throws -> VectorStep {
    do {
      return try step()
    } catch {
      let reason = (error as? ExplainedError)?.placedMessage ?? "\(error)"
      do {
        for i in 0..<count { episodeReturns[i] = 0; episodeLengths[i] = 0 }
        try start()
      } catch {
        throw CoreError(reason, hint: "resetting the envs after it failed too: \(error); make a new trainer")
      }
      throw CoreError(reason, hint: "the unfinished episodes were dropped and every env copy reset; call train again to go on")
    }
  }

  private func absorb(_ step: VectorStep) throws {
    // Copied, not assigned: sharing the vector env's array would make its next step copy it.
    for k in rawObservations.indices { rawObservations[k] = step.observations[k] }
    for i in 0..<count {
      terminated[i] = step.terminated[i]
      truncated[i] = step.truncated[i]
      episodeReturns[i] += step.rewards[i]
      episodeLengths[i] += 1
      if step.done(i) {
        window.record(return: episodeReturns[i], length: episodeLengths[i])
        episodeReturns[i] = 0
        episodeLengths[i] = 0
      }
    }
    normalizer.update(observations: rawObservations, rows: count)
    encodeObservations()
    // Only truncated episodes are bootstrapped, so only their final observations are needed.
    let size = features.size
    for i in 0..<count where step.truncated[i] && !step.terminated[i] {
      guard let final = step.finalObservations[i] else { continue }
      let raw = features.raw(final)
      raw.withUnsafeBufferPointer { r in
        finalObservations.withUnsafeMutableBufferPointer { out in
          features.encode(r, into: out, at: i * size)
          normalizer.normalize(out, at: i * size)
        }
      }
    }
    normalizer.normalize(rewards: &rewards, raw: step.rewards, done: { step.done($0) }, training: true)
  }

  private func encodeObservations() {
    let flat = observationSpace.flatCount, size = features.size
    rawObservations.withUnsafeBufferPointer { raw in
      observations.withUnsafeMutableBufferPointer { out in
        for i in 0..<count {
          features.encode(UnsafeBufferPointer(rebasing: raw[(i * flat)..<((i + 1) * flat)]), into: out, at: i * size)
          normalizer.normalize(out, at: i * size)
        }
      }
    }
  }

  // MARK: - Checkpoint

  /// Saves the copies' positions (episode numbers and this episode's actions), the episode
  /// bookkeeping and the normalizer under `prefix`.
  public func save(into checkpoint: inout TrainerCheckpoint, prefix: String) {
    checkpoint.add(prefix + "episodes_started", ints: copies.map(\.episodesStarted))
    checkpoint.add(prefix + "log_lengths", ints: copies.map(\.actionLog.count))
    checkpoint.add(prefix + "action_log", doubles: copies.flatMap(\.actionLog))
    checkpoint.add(prefix + "episode_returns", doubles: episodeReturns)
    checkpoint.add(prefix + "episode_lengths", ints: episodeLengths)
    let w = window.snapshot
    checkpoint.add(prefix + "window_returns", doubles: w.returns)
    checkpoint.add(prefix + "window_lengths", ints: w.lengths)
    checkpoint.add(prefix + "window_position", ints: [w.total, w.next])
    normalizer.save(into: &checkpoint, prefix: prefix + "normalizer.")
  }

  /// Puts freshly made copies where the saved ones stood (by replaying each copy's episode),
  /// and restores the bookkeeping and normalizer. Call instead of `start()`.
  public func restore(from checkpoint: TrainerCheckpoint, prefix: String) throws {
    let started = try checkpoint.ints(prefix + "episodes_started", count: count)
    let lengths = try checkpoint.ints(prefix + "log_lengths", count: count)
    let log = try checkpoint.doubles(prefix + "action_log")
    guard lengths.allSatisfy({ $0 >= 0 }), lengths.reduce(0, +) == log.count else {
      throw CoreError("the saved action log (\(log.count) numbers) does not match its lengths \(lengths)", hint: "the checkpoint is damaged")
    }
    try normalizer.restore(from: checkpoint, prefix: prefix + "normalizer.")
    episodeReturns = try checkpoint.doubles(prefix + "episode_returns", count: count)
    episodeLengths = try checkpoint.ints(prefix + "episode_lengths", count: count)
    let position = try checkpoint.ints(prefix + "window_position", count: 2)
    try window.restore(returns: try checkpoint.doubles(prefix + "window_returns"), lengths: try checkpoint.ints(prefix + "window_lengths"),
                       total: position[0], next: position[1])
    // The vector env's reset restarts each copy's current episode (its seed comes from the
    // episode number); the replay then retakes that episode's steps.
    if let bad = started.firstIndex(where: { $0 < 1 }) {
      throw CoreError("copy \(bad): the checkpoint says \(started[bad]) episodes started", hint: "the checkpoint is damaged")
    }
    _ = try vector.reset()
    let flat = observationSpace.flatCount
    var offset = 0
    for (i, copy) in copies.enumerated() {
      let point = try copy.replay(episodesStarted: started[i], actions: Array(log[offset..<(offset + lengths[i])]))
      offset += lengths[i]
      let raw = features.raw(point)
      guard raw.count == flat else { throw CoreError("copy \(i): the replayed observation has \(raw.count) numbers, expected \(flat)") }
      for k in 0..<flat { rawObservations[i * flat + k] = raw[k] }
    }
    encodeObservations()
  }

  // MARK: - Evaluation

  /// The network input for one raw observation of a separate (evaluation) env, normalized with
  /// the current statistics, which it does not update.
  public func input(for observation: Point) throws -> [Float] {
    let raw = features.raw(observation)
    guard raw.count == observationSpace.flatCount else {
      throw CoreError("the observation \(observation.description) has \(raw.count) numbers, but \(source.name) observes \(observationSpace.description)")
    }
    var out = [Float](repeating: 0, count: features.size)
    raw.withUnsafeBufferPointer { r in
      out.withUnsafeMutableBufferPointer { o in
        features.encode(r, into: o, at: 0)
        normalizer.normalize(o, at: 0)
      }
    }
    return out
  }
}

extension TrainingEnvs {
  /// The two spaces' descriptions, as a trainer config records them. When restoring a
  /// checkpoint, throws unless they match the ones it was trained with (`saved*`).
  func spaceDescriptions(restoring: Bool, savedEnv: String, savedObservation: String,
                         savedAction: String) throws -> (observation: String, action: String) {
    let observed = observationSpace.description, acted = actionSpace.description
    if restoring && (savedObservation != observed || savedAction != acted) {
      throw CoreError("the checkpoint was trained on \(savedEnv) (observations \(savedObservation), actions \(savedAction)), but the env given has observations \(observed), actions \(acted)",
                         hint: "load it with the env it was trained on")
    }
    return (observed, acted)
  }
}
