/// Gymnasium's `NormalizeReward`: keeps a running discounted return `G = gamma * G + reward`,
/// tracks its variance, and returns `reward / sqrt(var(G) + epsilon)` (the mean is not
/// subtracted, so the reward keeps its sign).
///
/// `G` restarts at 0 after any episode end (terminated or truncated) and on `reset`, as SB3's
/// `VecNormalize` does. Gymnasium 1.x instead computes `G = gamma * G * (1 - terminated) + reward`,
/// dropping the history one step early and carrying it across truncations; the difference in the
/// scale is small, but ours is the return the docs describe. Set `training = false` to freeze.
public final class NormalizeReward: Wrapper {
  public let gamma: Double
  public let epsilon: Double
  public var training = true
  /// Statistics of the discounted return.
  public private(set) var statistics = RunningMeanStd(size: 1)
  /// The discounted return accumulated so far this episode.
  public private(set) var discountedReturn = 0.0

  public init(_ inner: Environment, gamma: Double = 0.99, epsilon: Double = 1e-8) {
    self.gamma = gamma
    self.epsilon = epsilon
    super.init(inner)
  }

  /// The variance of the discounted return that rewards are divided by (its square root).
  public var returnVariance: Double { statistics.variance[0] }

  public override func reset(seed: UInt64?) throws -> Reset {
    discountedReturn = 0
    return try inner.reset(seed: seed)
  }

  public override func step(_ action: Point) throws -> Step {
    var result = try inner.step(action)
    discountedReturn = gamma * discountedReturn + result.reward
    if training { statistics.update([discountedReturn]) }
    result.reward /= (statistics.variance[0] + epsilon).squareRoot()
    if result.done { discountedReturn = 0 }
    return result
  }

  public override func copy() -> Environment? {
    guard let innerCopy = inner.copy() else { return nil }
    let twin = NormalizeReward(innerCopy, gamma: gamma, epsilon: epsilon)
    twin.training = training
    twin.statistics = statistics
    twin.discountedReturn = discountedReturn
    return twin
  }
}
