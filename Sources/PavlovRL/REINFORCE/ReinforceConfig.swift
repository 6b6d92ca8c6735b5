import PavlovCore
/// REINFORCE's hyperparameters (Williams, 1992), with a learned state-value baseline. Saved in
/// checkpoints in snake_case.
public struct ReinforceConfig: Codable, Equatable, Sendable {
  /// The environment's name (a registered id, or what the user called it).
  public var env = ""
  /// Adam's learning rate, for the policy and the baseline alike.
  public var lr = 1e-2
  public var gamma = 0.99
  /// Hidden layer sizes of the policy and of the baseline (tanh between them).
  public var hidden = [64]
  /// Subtract a learned V(s) from the returns (the baseline is fitted to them by squared error).
  public var baseline = true
  /// Standardize the returns of each update's episodes to mean 0 and standard deviation 1.
  public var normalizeReturns = true
  /// Whole episodes gathered per update; an iteration is one update.
  public var episodesPerUpdate = 1
  /// When set, gradients are clipped to this total L2 norm before each update.
  public var maxGradNorm: Double? = nil
  public var seed: UInt64 = 0
  /// The spaces of the env, recorded so a checkpoint is not loaded on a different env.
  public var observationSpace = ""
  public var actionSpace = ""

  public init() {}

  /// Throws with the first hyperparameter out of range, naming it.
  public func validate() throws {
    func fail(_ message: String, _ hint: String? = nil) -> CoreError { CoreError("reinforce: \(message)", hint: hint) }
    guard lr.isFinite && lr > 0 else { throw fail("lr must be a positive number, got \(lr)") }
    guard gamma >= 0 && gamma <= 1 else { throw fail("gamma must be in [0, 1], got \(gamma)") }
    guard hidden.allSatisfy({ $0 >= 1 }) else { throw fail("hidden sizes must be positive, got \(hidden)", "e.g. hidden: [64]") }
    guard episodesPerUpdate >= 1 else { throw fail("episodes_per_update must be at least 1, got \(episodesPerUpdate)") }
    try ConfigBounds.checkHidden("reinforce", hidden)
    if let m = maxGradNorm, !(m.isFinite && m > 0) { throw fail("max_grad_norm must be a positive number or nil, got \(m)") }
  }
}
