import PavlovCore

/// The hyperparameters of `ValueDecomposition`. Each default lives here; the builtin reads them.
public struct ValueDecompositionConfig: Codable, Sendable {
  /// "none": independent DQN learners; "vdn": Q_tot = Σ Q_i (Sunehag et al. 2018).
  public var mixer = "vdn"
  public var bufferSize = 50_000
  public var batchSize = 64
  public var learningStarts = 1_000
  public var lr = 5e-4
  public var gamma = 0.99
  /// Env steps between gradient steps.
  public var trainFreq = 1
  /// Env steps between copies of the Q network into the target network.
  public var targetUpdateInterval = 500
  public var explorationFraction = 0.5
  public var explorationInitialEps = 1.0
  public var explorationFinalEps = 0.05
  public var maxGradNorm = 10.0
  public var hidden = [64, 64]
  /// Env steps per reported iteration.
  public var logEvery = 1_000
  public var seed: UInt64 = 0
  /// The horizon of the exploration schedule (nil: the steps of the first train call).
  public var totalSteps: Int?

  public init() {}

  public static let mixers = ["none", "vdn"]

  public func validate() throws {
    func check(_ ok: Bool, _ what: String) throws { if !ok { throw CoreError("ma_dqn: \(what)") } }
    try check(Self.mixers.contains(mixer), "mixer must be \"none\" (independent learners) or \"vdn\", got \"\(mixer)\"")
    try check(bufferSize >= 1 && batchSize >= 1 && batchSize <= bufferSize, "batch_size must be between 1 and buffer_size")
    try check(learningStarts >= 0, "learning_starts must be at least 0")
    try check(lr > 0 && lr.isFinite, "lr must be positive, got \(lr)")
    try check(gamma >= 0 && gamma <= 1, "gamma must be in [0, 1], got \(gamma)")
    try check(trainFreq >= 1 && targetUpdateInterval >= 1 && logEvery >= 1, "train_freq, target_update_interval and log_every must be at least 1")
    try check(explorationFraction > 0 && explorationFraction <= 1, "exploration_fraction must be in (0, 1], got \(explorationFraction)")
    try check((0...1).contains(explorationInitialEps) && (0...1).contains(explorationFinalEps), "exploration rates must be in [0, 1]")
    try check(maxGradNorm > 0, "max_grad_norm must be positive")
    try check(!hidden.isEmpty && hidden.allSatisfy { $0 > 0 }, "hidden must list positive layer sizes, got \(hidden)")
  }
}
