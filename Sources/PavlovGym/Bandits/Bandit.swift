/// A multi-armed bandit: one state, `arms` actions, each with an expected reward. Every step's
/// `info` carries `regret` (best expected reward minus the chosen arm's), `optimal` (whether a
/// best arm was chosen) and `best_arm`, all for the expected rewards in force at that step.
public protocol Bandit: Environment {
  /// The expected reward of each arm now (for a contextual bandit, under the current context).
  var means: [Double] { get }
  /// How often each arm has been pulled since the last reset.
  var pulls: [Int] { get }
}

extension Bandit {
  public var arms: Int { means.count }
  /// The lowest-numbered arm with the highest expected reward.
  public var bestArm: Int { BanditLedger.bestArm(means) }
}
