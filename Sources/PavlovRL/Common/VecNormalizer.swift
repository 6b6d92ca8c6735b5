import PavlovGym

/// SB3's `VecNormalize`, applied by the trainer rather than as a wrapper so its statistics live
/// in the trainer's checkpoint:
///
/// - observations: a running mean and variance per element (updated with every batch of
///   observations while training, the reset ones included), then `clip((x - mean) / √(var + ε), ±clipObs)`;
/// - rewards: a running discounted return per copy `G ← γG + r` (zeroed when the copy's episode
///   ends) whose variance scales the reward: `clip(r / √(var(G) + ε), ±clipReward)`; the mean is
///   not subtracted, so rewards keep their sign.
///
/// Statistics are updated before normalizing, as SB3 does. ε = 1e-8, clips 10 by default.
public struct VecNormalizer {
  public let normalizeObservations: Bool
  public let normalizeRewards: Bool
  public let gamma: Double
  public let clipObservation: Double
  public let clipReward: Double
  public let epsilon = 1e-8
  public var observationStats: RunningMeanStd
  public var returnStats = RunningMeanStd(size: 1)
  /// Each copy's discounted return so far.
  public var returns: [Double]
  // Reused rows, so updates allocate nothing.
  private var row: [Double]
  private var single = [0.0]

  public init(observationSize: Int, copies: Int, observations: Bool, rewards: Bool, gamma: Double,
              clipObservation: Double = 10, clipReward: Double = 10) {
    normalizeObservations = observations
    normalizeRewards = rewards
    self.gamma = gamma
    self.clipObservation = clipObservation
    self.clipReward = clipReward
    observationStats = RunningMeanStd(size: observationSize)
    returns = Array(repeating: 0, count: copies)
    row = Array(repeating: 0, count: observationSize)
  }

  /// Folds rows `0..<rows` of `raw` (each `size` numbers) into the observation statistics.
  public mutating func update(observations raw: [Double], rows: Int) {
    guard normalizeObservations else { return }
    let size = row.count
    for r in 0..<rows {
      for i in 0..<size { row[i] = raw[r * size + i] }
      observationStats.update(row)
    }
  }

  /// Normalizes `size` features in place from `offset` (no update).
  public func normalize(_ features: UnsafeMutableBufferPointer<Float>, at offset: Int) {
    guard normalizeObservations else { return }
    let stats = observationStats
    for i in 0..<stats.mean.count {
      let z = stats.standardized(Double(features[offset + i]), at: i, epsilon: epsilon)
      features[offset + i] = Float(Swift.min(Swift.max(z, -clipObservation), clipObservation))
    }
  }

  /// Scales one step's rewards (updating the return statistics while training) and ends the
  /// discounted returns of copies whose episode ended.
  public mutating func normalize(rewards: inout [Float], raw: [Double], done: (Int) -> Bool, training: Bool) {
    guard normalizeRewards else {
      for i in raw.indices { rewards[i] = Float(raw[i]) }
      return
    }
    if training {
      for i in raw.indices {
        returns[i] = returns[i] * gamma + raw[i]
        single[0] = returns[i]
        returnStats.update(single)
      }
    }
    let scale = (returnStats.variance[0] + epsilon).squareRoot()
    for i in raw.indices {
      rewards[i] = Float(Swift.min(Swift.max(raw[i] / scale, -clipReward), clipReward))
      if done(i) { returns[i] = 0 }
    }
  }

  // MARK: - Checkpoint

  public func save(into checkpoint: inout TrainerCheckpoint, prefix: String) {
    checkpoint.add(prefix + "obs_mean", doubles: observationStats.mean)
    checkpoint.add(prefix + "obs_var", doubles: observationStats.variance)
    checkpoint.add(prefix + "obs_count", doubles: [observationStats.count])
    checkpoint.add(prefix + "ret_mean", doubles: returnStats.mean)
    checkpoint.add(prefix + "ret_var", doubles: returnStats.variance)
    checkpoint.add(prefix + "ret_count", doubles: [returnStats.count])
    checkpoint.add(prefix + "returns", doubles: returns)
  }

  public mutating func restore(from checkpoint: TrainerCheckpoint, prefix: String) throws {
    let size = observationStats.mean.count
    guard let obs = RunningMeanStd(mean: try checkpoint.doubles(prefix + "obs_mean", count: size),
                                   variance: try checkpoint.doubles(prefix + "obs_var", count: size),
                                   count: try checkpoint.doubles(prefix + "obs_count", count: 1)[0]),
          let ret = RunningMeanStd(mean: try checkpoint.doubles(prefix + "ret_mean", count: 1),
                                   variance: try checkpoint.doubles(prefix + "ret_var", count: 1),
                                   count: try checkpoint.doubles(prefix + "ret_count", count: 1)[0]) else {
      throw CoreError("the saved normalizer statistics are not valid (a value is not finite or a variance is negative)",
                         hint: "the checkpoint is damaged")
    }
    observationStats = obs
    returnStats = ret
    returns = try checkpoint.doubles(prefix + "returns", count: returns.count)
  }
}
