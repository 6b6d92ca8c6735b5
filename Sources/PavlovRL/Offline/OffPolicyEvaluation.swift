import PavlovCore

/// Off-policy evaluation of bandit logs: the value of a target policy π estimated from rounds a
/// logging policy chose, as the Open Bandit Pipeline (obp) defines its estimators. Each estimator
/// gives one number per round (obp's "round rewards"); the estimate is their mean and the
/// confidence interval a bootstrap of that mean, so point estimates equal obp's to rounding.
public enum BanditEstimator: String, CaseIterable, Sendable {
  /// Direct method: Σₐ π(a|xᵢ)·q̂(xᵢ, a), the reward model's value of π.
  case dm
  /// Inverse propensity scoring: wᵢ·rᵢ with wᵢ = π(aᵢ|xᵢ) / p(aᵢ|xᵢ).
  case ips
  /// Self-normalized IPS: wᵢ·rᵢ / mean(w).
  case snips
  /// Doubly robust: DM plus the IPS-weighted error of the reward model on the logged action.
  case dr

  public var needsRewardModel: Bool { self == .dm || self == .dr }
}

/// Logged bandit rounds and what the target policy would do in each.
public struct BanditLog: Sendable {
  public let rewards: [Double]
  public let actions: [Int]
  /// The logging policy's probability of the logged action, p(aᵢ|xᵢ).
  public let pscores: [Double]
  /// π(a|xᵢ) for every action: rounds × actions, row by row.
  public let targetProbs: [Double]
  /// q̂(xᵢ, a), the reward model's prediction for every action (rounds × actions), if any.
  public let rewardModel: [Double]?
  public let actionCount: Int

  public var rounds: Int { rewards.count }

  public init(rewards: [Double], actions: [Int], pscores: [Double], targetProbs: [Double], rewardModel: [Double]? = nil, actionCount: Int) throws {
    let n = rewards.count
    guard n > 0 else { throw CoreError("off-policy evaluation: the log has no rounds") }
    guard actions.count == n, pscores.count == n else {
      throw CoreError("off-policy evaluation: rewards, actions and pscores must have one entry per round (\(n), \(actions.count), \(pscores.count))")
    }
    guard actionCount >= 1 else { throw CoreError("off-policy evaluation: there must be at least one action") }
    guard targetProbs.count == n * actionCount else {
      throw CoreError("off-policy evaluation: the target policy's probabilities must be rounds × actions (\(n) × \(actionCount)), got \(targetProbs.count) numbers")
    }
    if let q = rewardModel, q.count != n * actionCount {
      throw CoreError("off-policy evaluation: the reward model's predictions must be rounds × actions (\(n) × \(actionCount)), got \(q.count) numbers")
    }
    for i in 0..<n {
      guard rewards[i].isFinite else { throw CoreError("off-policy evaluation: reward \(i) is \(rewards[i])") }
      guard (0..<actionCount).contains(actions[i]) else {
        throw CoreError("off-policy evaluation: action \(i) is \(actions[i]), outside 0..<\(actionCount)")
      }
      guard pscores[i] > 0 && pscores[i] <= 1 else {
        throw CoreError("off-policy evaluation: pscore \(i) is \(pscores[i]); a logged action's probability must be in (0, 1]",
                        hint: "a logging policy that never chose the action cannot have logged it")
      }
      let row = targetProbs[(i * actionCount)..<((i + 1) * actionCount)]
      guard row.allSatisfy({ $0 >= 0 && $0 <= 1 }), abs(row.reduce(0, +) - 1) < 1e-6 else {
        throw CoreError("off-policy evaluation: the target policy's probabilities in round \(i) must be in [0, 1] and sum to 1")
      }
      if let q = rewardModel, !q[(i * actionCount)..<((i + 1) * actionCount)].allSatisfy(\.isFinite) {
        throw CoreError("off-policy evaluation: the reward model's prediction in round \(i) is not finite")
      }
    }
    self.rewards = rewards
    self.actions = actions
    self.pscores = pscores
    self.targetProbs = targetProbs
    self.rewardModel = rewardModel
    self.actionCount = actionCount
  }

  /// wᵢ = π(aᵢ|xᵢ) / p(aᵢ|xᵢ).
  public var weights: [Double] {
    (0..<rounds).map { targetProbs[$0 * actionCount + actions[$0]] / pscores[$0] }
  }

  /// The estimator's value for each round; their mean is the estimate.
  public func roundValues(_ estimator: BanditEstimator) throws -> [Double] {
    let w = weights
    switch estimator {
    case .ips:
      return (0..<rounds).map { w[$0] * rewards[$0] }
    case .snips:
      let meanWeight = w.reduce(0, +) / Double(rounds)
      guard meanWeight > 0 else { throw CoreError("snips: the target policy never takes a logged action (every weight is 0)") }
      return (0..<rounds).map { w[$0] * rewards[$0] / meanWeight }
    case .dm, .dr:
      guard let q = rewardModel else {
        throw CoreError("\(estimator.rawValue): needs the reward model's predictions (q_hat)", hint: "give q_hat: a rounds × actions tensor, or use ips or snips")
      }
      return (0..<rounds).map { i in
        let row = i * actionCount
        var direct = 0.0
        for a in 0..<actionCount { direct += targetProbs[row + a] * q[row + a] }
        return estimator == .dm ? direct : direct + w[i] * (rewards[i] - q[row + actions[i]])
      }
    }
  }
}

/// An estimate with its bootstrap confidence interval.
public struct OffPolicyEstimate: Sendable, Equatable {
  public let value: Double
  public let low: Double
  public let high: Double
}

public enum Bootstrap {
  /// The mean of `samples` and the (alpha/2, 1 − alpha/2) percentiles of the means of `resamples`
  /// resamples with replacement (numpy's linear interpolation between order statistics, as obp).
  public static func meanInterval(_ samples: [Double], alpha: Double, resamples: Int, seed: UInt64) -> OffPolicyEstimate {
    let n = samples.count
    let mean = samples.reduce(0, +) / Double(n)
    guard resamples > 0 else { return OffPolicyEstimate(value: mean, low: mean, high: mean) }
    let generator = SeededGenerator(seed: seed)
    var means = [Double](repeating: 0, count: resamples)
    for b in 0..<resamples {
      var sum = 0.0
      for _ in 0..<n { sum += samples[generator.nextInt(below: n)] }
      means[b] = sum / Double(n)
    }
    means.sort()
    return OffPolicyEstimate(value: mean, low: percentile(means, alpha / 2), high: percentile(means, 1 - alpha / 2))
  }

  /// The q-quantile of sorted values, linearly interpolated (numpy's default).
  static func percentile(_ sorted: [Double], _ q: Double) -> Double {
    let position = q * Double(sorted.count - 1)
    let below = Int(position.rounded(.down)), above = min(below + 1, sorted.count - 1)
    return sorted[below] + (sorted[above] - sorted[below]) * (position - Double(below))
  }
}
