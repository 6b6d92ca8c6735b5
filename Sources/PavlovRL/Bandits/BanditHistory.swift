/// What happened at each step of a bandit run, or the average of several runs at each step.
public struct BanditHistory: Equatable, Sendable {
  /// The reward of each step.
  public var rewards: [Double]
  /// The best arm's expected reward minus the chosen arm's, at each step (from the env's info).
  public var regret: [Double]
  /// The running sum of `regret`.
  public var cumulativeRegret: [Double]
  /// 1 where a best arm was chosen, else 0 (averaged over runs: the fraction that chose one).
  public var optimal: [Double]
  /// How many runs were averaged.
  public var runs: Int

  public init(steps: Int) {
    rewards = Array(repeating: 0, count: steps)
    regret = Array(repeating: 0, count: steps)
    cumulativeRegret = Array(repeating: 0, count: steps)
    optimal = Array(repeating: 0, count: steps)
    runs = 1
  }

  public var steps: Int { rewards.count }
  public var meanReward: Double { mean(rewards) }
  /// The fraction of all pulls that chose a best arm.
  public var optimalRate: Double { mean(optimal) }
  public var totalRegret: Double { cumulativeRegret.last ?? 0 }

  private func mean(_ values: [Double]) -> Double { values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count) }

  /// Adds another run of the same length, step by step (`divide` then makes the average).
  mutating func add(_ other: BanditHistory) {
    for t in 0..<min(steps, other.steps) {
      rewards[t] += other.rewards[t]
      regret[t] += other.regret[t]
      cumulativeRegret[t] += other.cumulativeRegret[t]
      optimal[t] += other.optimal[t]
    }
  }

  /// Turns the sum of `runs` runs into their average.
  mutating func divide(by runs: Int) {
    self.runs = max(runs, 1)
    let n = Double(self.runs)
    for t in 0..<steps {
      rewards[t] /= n
      regret[t] /= n
      cumulativeRegret[t] /= n
      optimal[t] /= n
    }
  }
}
