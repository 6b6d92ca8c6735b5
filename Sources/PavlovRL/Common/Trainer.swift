import PavlovGym

/// What a per-iteration callback tells the trainer.
public enum TrainControl: Sendable {
  case proceed
  case stop
}

/// Called after every iteration with its statistics; may stop training.
public typealias TrainCallback = (TrainStats) throws -> TrainControl

/// The outcome of `Trainer.evaluate`: one return and length per episode.
public struct EvalResult: Sendable {
  public var returns: [Double]
  public var lengths: [Int]

  public init(returns: [Double], lengths: [Int]) {
    self.returns = returns
    self.lengths = lengths
  }

  public var meanReturn: Double { returns.isEmpty ? 0 : returns.reduce(0, +) / Double(returns.count) }
  /// The population standard deviation (as SB3's `evaluate_policy`, i.e. numpy's default).
  public var stdReturn: Double {
    guard !returns.isEmpty else { return 0 }
    let m = meanReturn
    return (returns.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(returns.count)).squareRoot()
  }
  public var meanLength: Double { lengths.isEmpty ? 0 : Double(lengths.reduce(0, +)) / Double(lengths.count) }
}

/// Where a trainer's environments come from: a factory called once per copy (with the copy's
/// index), and a name for messages and checkpoints. A registered id makes a fresh
/// `EnvRegistry.make` per copy, which is what checkpoints need to rebuild the same envs.
public struct EnvSource {
  /// The registered id, if the envs come from the registry.
  public let id: String?
  /// What to call the env in messages.
  public let name: String
  /// Whether copies may be stepped on several threads (not for envs written in Pavlov).
  public let threadSafe: Bool
  public let make: (Int) throws -> Environment

  public init(name: String, threadSafe: Bool, make: @escaping (Int) throws -> Environment) {
    self.id = nil
    self.name = name
    self.threadSafe = threadSafe
    self.make = make
  }

  /// Fresh copies of a registered environment, with registry options.
  public static func registered(_ id: String, options: [String: EnvOption] = [:]) throws -> EnvSource {
    guard EnvRegistry.spec(id) != nil else {
      _ = try EnvRegistry.make(id)  // throws the registry's "no environment ... did you mean" error
      throw CoreError("no environment \"\(id)\" is registered")
    }
    return EnvSource(id: id, name: id, threadSafe: true) { _ in try EnvRegistry.make(id, options: options) }
  }

  private init(id: String, name: String, threadSafe: Bool, make: @escaping (Int) throws -> Environment) {
    self.id = id
    self.name = name
    self.threadSafe = threadSafe
    self.make = make
  }
}

/// What every deep-RL trainer (PPO, A2C, DQN, REINFORCE, ES) offers, so one Pavlov `trainer` value
/// and one checkpoint format serve them all.
///
/// Determinism: a trainer draws all of its randomness from its own seeded generator (saved in
/// its checkpoint), so the same seed and budget give the same numbers, and training N steps,
/// saving, loading and training M more gives the same numbers as N + M steps straight.
public protocol Trainer: AnyObject {
  /// The algorithm's name as saved in checkpoints: "ppo", "a2c", ...
  var algorithm: String { get }
  /// Environment steps taken since the trainer was made (over all copies, across resumes).
  var timesteps: Int { get }
  /// Iterations finished since the trainer was made.
  var iterations: Int { get }
  /// The hyperparameters as a JSON object, as stored in the checkpoint's "config".
  var configJSON: String { get }
  /// The spaces of one environment copy.
  var observationSpace: Space { get }
  var actionSpace: Space { get }

  /// Trains until the budget is spent or the callback says stop; returns the last iteration's
  /// statistics (nil if no iteration ran).
  func train(_ budget: Budget, callback: TrainCallback?) throws -> TrainStats?

  /// Runs whole episodes on a fresh copy of the environment, without learning and without
  /// touching the training generator (episode k is reset with seed `seed + k`).
  func evaluate(episodes: Int, deterministic: Bool, seed: UInt64) throws -> EvalResult

  /// The action for one raw observation (normalized by the trainer if it normalizes), as the
  /// environment expects it.
  func act(_ observation: Point, deterministic: Bool) throws -> Point

  /// Writes everything needed to continue exactly: weights, optimizer, normalizers, generator,
  /// environment positions and counters (one safetensors file; see `TrainerCheckpoint`).
  func save(to path: String) throws

  /// Takes over the state a checkpoint of the same algorithm saved — weights, optimizer,
  /// normalizers, generators, env positions, counters — keeping this trainer's config (PBT's
  /// exploit: a good trial's state, explored hyperparameters). Network shapes must match.
  func restoreState(from checkpoint: TrainerCheckpoint) throws

  /// Rebuilds a trainer saved by `save`, with envs from `env`.
  static func load(from path: String, env: EnvSource) throws -> Self
}
