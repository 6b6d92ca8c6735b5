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

  /// The step-by-step average of runs of equal length.
  static func average(_ histories: [BanditHistory]) -> BanditHistory {
    let steps = histories.first?.steps ?? 0
    var out = BanditHistory(steps: steps)
    out.runs = histories.count
    guard !histories.isEmpty else { return out }
    let n = Double(histories.count)
    for h in histories {
      for t in 0..<steps {
        out.rewards[t] += h.rewards[t] / n
        out.regret[t] += h.regret[t] / n
        out.cumulativeRegret[t] += h.cumulativeRegret[t] / n
        out.optimal[t] += h.optimal[t] / n
      }
    }
    return out
  }
}
