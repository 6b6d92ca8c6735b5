/// Gymnasium's `NormalizeObservation`: every observation (from `reset` and `step`) is folded into
/// a running mean and variance per element, then returned as `(obs - mean) / sqrt(var + epsilon)`.
///
/// Like Gymnasium (and unlike SB3's `VecNormalize`, which clips at ±10) the result is not
/// clipped, so the observation space becomes an unbounded box of the same shape. Discrete
/// observations are normalized as their integer values. Set `training = false` to freeze the
/// statistics (evaluation).
public final class NormalizeObservation: Wrapper {
  public let epsilon: Double
  /// Whether observations still update the statistics.
  public var training = true
  public private(set) var statistics: RunningMeanStd
  private let space: Space

  public init(_ inner: Environment, epsilon: Double = 1e-8) {
    self.epsilon = epsilon
    let inSpace = inner.observationSpace
    let shape = inSpace.elementShape
    space = .box(low: -.infinity, high: .infinity, shape: shape.isEmpty ? [1] : shape)
    statistics = RunningMeanStd(size: inSpace.flatCount)
    super.init(inner)
  }

  public var mean: [Double] { statistics.mean }
  public var variance: [Double] { statistics.variance }

  public override var observationSpace: Space { space }

  public override func reset(seed: UInt64?) throws -> Reset {
    var result = try inner.reset(seed: seed)
    result.observation = try normalize(result.observation)
    return result
  }

  public override func step(_ action: Point) throws -> Step {
    var result = try inner.step(action)
    result.observation = try normalize(result.observation)
    return result
  }

  private func normalize(_ observation: Point) throws -> Point {
    var values = observation.asReals
    guard values.count == statistics.mean.count else {
      throw CoreError("NormalizeObservation: observation \(observation.description) has \(values.count) numbers, but the observation space \(inner.observationSpace.description) has \(statistics.mean.count)")
    }
    if training { statistics.update(values) }
    for i in values.indices {
      values[i] = statistics.standardized(values[i], at: i, epsilon: epsilon)
    }
    return .reals(values)
  }

  public override func copy() -> Environment? {
    guard let innerCopy = inner.copy() else { return nil }
    let twin = NormalizeObservation(innerCopy, epsilon: epsilon)
    twin.training = training
    twin.statistics = statistics
    return twin
  }
}
