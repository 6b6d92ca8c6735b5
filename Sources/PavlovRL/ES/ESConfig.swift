import PavlovCore
/// The hyperparameters of augmented random search (Mania, Guy and Recht, 2018), a
/// gradient-free evolution strategy. Saved in checkpoints in snake_case.
public struct ESConfig: Codable, Equatable, Sendable {
  /// The environment's name (a registered id, or what the user called it).
  public var env = ""
  /// Random directions per iteration (N); each is tried as +σδ and −σδ, so 2N episodes.
  public var population = 8
  /// Exploration noise ν: the scale of the perturbations.
  public var sigma = 0.05
  /// Step size α.
  public var lr = 0.02
  /// The best b directions (by max of their two returns) used in the update; nil: all of them.
  public var top: Int? = nil
  /// Hidden layer sizes (tanh); empty: a linear policy, as ARS.
  public var hidden: [Int] = []
  /// ARS V2: inputs are standardized by the running mean and variance of the states seen.
  public var normalizeObs = true
  public var seed: UInt64 = 0
  /// The spaces of the env, recorded so a checkpoint is not loaded on a different env.
  public var observationSpace = ""
  public var actionSpace = ""

  public init() {}

  /// The number of directions the update uses.
  public var used: Int { Swift.min(top ?? population, population) }

  /// Throws with the first hyperparameter out of range, naming it.
  public func validate() throws {
    func fail(_ message: String, _ hint: String? = nil) -> CoreError { CoreError("es: \(message)", hint: hint) }
    guard population >= 1 else { throw fail("population must be at least 1, got \(population)") }
    guard sigma.isFinite && sigma > 0 else { throw fail("sigma must be a positive number, got \(sigma)") }
    guard lr.isFinite && lr > 0 else { throw fail("lr must be a positive number, got \(lr)") }
    if let b = top, !(b >= 1 && b <= population) {
      throw fail("top must be between 1 and the population (\(population)), got \(b)")
    }
    guard hidden.allSatisfy({ $0 >= 1 }) else { throw fail("hidden sizes must be positive, got \(hidden)", "use [] for a linear policy") }
    try ConfigBounds.check("es", "population", population, atMost: ConfigBounds.maxEnvCopies)
    try ConfigBounds.checkHidden("es", hidden)
  }
}
