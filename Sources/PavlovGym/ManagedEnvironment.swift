/// Cuts episodes at a step limit: after `maxEpisodeSteps` steps the step reports
/// `truncated = true` (unless the episode terminated on that very step, which wins).
public final class TimeLimit: Wrapper {
  public let maxEpisodeSteps: Int
  public private(set) var elapsedSteps = 0

  public init(_ inner: Environment, maxEpisodeSteps: Int) {
    self.maxEpisodeSteps = maxEpisodeSteps
    super.init(inner)
  }

  public override func reset(seed: UInt64?) throws -> Reset {
    elapsedSteps = 0
    return try inner.reset(seed: seed)
  }

  public override func step(_ action: Point) throws -> Step {
    var result = try inner.step(action)
    elapsedSteps += 1
    if elapsedSteps >= maxEpisodeSteps { result.truncated = true }
    return result
  }

  public override func copy() -> Environment? {
    guard let innerCopy = inner.copy() else { return nil }
    let twin = TimeLimit(innerCopy, maxEpisodeSteps: maxEpisodeSteps)
    twin.elapsedSteps = elapsedSteps
    return twin
  }
}

/// What `make` returns: the registered env under its time limit, with Gymnasium's order checks
/// made errors (step before reset, step after the episode ended), every action checked against
/// the action space, and seeded samplers for both spaces.
public final class ManagedEnvironment: Wrapper {
  public let id: String
  public let maxEpisodeSteps: Int?
  /// Generators behind `actionSpace.sample()` / `observationSpace.sample()`, seeded from the
  /// `make` seed so random policies are reproducible too.
  public let actionSampler: SeededGenerator
  public let observationSampler: SeededGenerator
  /// The seed the first `reset()` without one uses.
  private var pendingSeed: UInt64?
  public private(set) var needsReset = true
  public private(set) var episodeEnded = false
  /// Steps taken in the current episode.
  public private(set) var episodeSteps = 0

  public convenience init(_ env: Environment, id: String, maxEpisodeSteps: Int?, seed: UInt64?) {
    self.init(maxEpisodeSteps.map { TimeLimit(env, maxEpisodeSteps: $0) } ?? env, id: id,
              maxEpisodeSteps: maxEpisodeSteps, seed: seed, limited: true)
  }

  /// `limited`: `env` already carries the time limit.
  private init(_ env: Environment, id: String, maxEpisodeSteps: Int?, seed: UInt64?, limited: Bool) {
    self.id = id
    self.maxEpisodeSteps = maxEpisodeSteps
    (actionSampler, observationSampler) = ManagedEnvironment.samplers(seed: seed ?? 0)
    pendingSeed = seed
    super.init(env)
  }

  /// The action- and observation-space samplers a `make` seed gives (vector envs use the same).
  public static func samplers(seed: UInt64) -> (action: SeededGenerator, observation: SeededGenerator) {
    (SeededGenerator(seed: seed ^ 0xA5A5_5A5A_0F0F_F0F0), SeededGenerator(seed: seed ^ 0x3C3C_C3C3_9696_6969))
  }

  public override func reset(seed: UInt64?) throws -> Reset {
    let chosen = seed ?? pendingSeed
    pendingSeed = nil
    let result = try inner.reset(seed: chosen)
    needsReset = false
    episodeEnded = false
    episodeSteps = 0
    return result
  }

  public override func step(_ action: Point) throws -> Step {
    if needsReset { throw CoreError("\(id): step() before reset(); call env.reset() to start an episode") }
    if episodeEnded {
      throw CoreError("\(id): step() after the episode ended (terminated or truncated); call env.reset() to start the next one")
    }
    let space = inner.actionSpace
    guard space.contains(action) else {
      throw CoreError("\(id): invalid action \(action.description): \(space.whyNotContains(action))")
    }
    let result = try inner.step(action)
    episodeSteps += 1
    if result.terminated || result.truncated { episodeEnded = true }
    return result
  }

  public override func copy() -> Environment? {
    guard let innerCopy = inner.copy() else { return nil }
    let twin = ManagedEnvironment(innerCopy, id: id, maxEpisodeSteps: maxEpisodeSteps, seed: nil, limited: true)
    twin.actionSampler.copyState(from: actionSampler)
    twin.observationSampler.copyState(from: observationSampler)
    twin.pendingSeed = pendingSeed
    twin.needsReset = needsReset
    twin.episodeEnded = episodeEnded
    twin.episodeSteps = episodeSteps
    return twin
  }
}
