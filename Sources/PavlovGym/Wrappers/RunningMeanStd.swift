/// Elementwise running mean and (population) variance, as Gymnasium's `RunningMeanStd`: starts at
/// mean 0, variance 1 with a pseudo-count of 1e-4, and merges each batch with the parallel
/// (Chan et al.) update, so batches of any size give the same result as one pass over the data.
public struct RunningMeanStd: Equatable, Sendable {
  public private(set) var mean: [Double]
  public private(set) var variance: [Double]
  /// How many samples the statistics summarise (plus the 1e-4 prior).
  public private(set) var count: Double

  public init(size: Int, priorCount: Double = 1e-4) {
    mean = Array(repeating: 0, count: size)
    variance = Array(repeating: 1, count: size)
    count = priorCount
  }

  /// Statistics saved earlier (checkpoints); nil if the arrays differ in length or a value is
  /// not finite, or the variance or count is negative.
  public init?(mean: [Double], variance: [Double], count: Double) {
    guard mean.count == variance.count, count >= 0, count.isFinite,
          mean.allSatisfy(\.isFinite), variance.allSatisfy({ $0.isFinite && $0 >= 0 }) else { return nil }
    self.mean = mean
    self.variance = variance
    self.count = count
  }

  /// Element `i` of a sample standardized: (x − mean) / √(var + ε) — the one formula of the
  /// observation wrapper, the trainers' normalizer and `running_mean_std`.
  @inlinable
  public func standardized(_ x: Double, at i: Int, epsilon: Double) -> Double {
    (x - mean[i]) / (variance[i] + epsilon).squareRoot()
  }

  /// Merges one sample (`values.count` must equal the size).
  public mutating func update(_ values: [Double]) {
    // A batch of one has mean `values` and variance 0.
    let total = count + 1
    for i in mean.indices {
      let delta = values[i] - mean[i]
      mean[i] += delta / total
      variance[i] = (variance[i] * count + delta * delta * count / total) / total
    }
    count = total
  }
}
