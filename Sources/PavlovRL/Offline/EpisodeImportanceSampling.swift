import PavlovCore

/// Off-policy evaluation of whole episodes by importance sampling (Precup, Sutton and Singh 2000;
/// Thomas 2015). Each episode carries its rewards and, per step, ρₜ = π(aₜ|sₜ) / b(aₜ|sₜ): the
/// target policy's probability of the logged action over the behaviour policy's.
public enum EpisodeEstimator: String, CaseIterable, Sendable {
  /// Trajectory-wise: (Πₜ ρₜ) · Σₜ γᵗ rₜ.
  case `is`
  /// Weighted: the trajectory weights normalized by their mean.
  case wis
  /// Per-decision: Σₜ γᵗ (Π_{k≤t} ρₖ) rₜ — a reward is weighted only by the decisions before it.
  case pdis
  /// Consistent weighted per-decision (Thomas 2015): Σₜ γᵗ Σᵢ wᵢₜ rᵢₜ / Σᵢ wᵢₜ. An episode that has
  /// ended stays in the sums as an absorbing state: reward 0, its last weight.
  case wpdis
}

public struct EpisodeLog: Sendable {
  public let rewards: [Double]
  public let ratios: [Double]

  public init(rewards: [Double], ratios: [Double], index: Int) throws {
    guard !rewards.isEmpty else { throw CoreError("episode \(index) has no steps") }
    guard ratios.count == rewards.count else {
      throw CoreError("episode \(index) has \(rewards.count) rewards but \(ratios.count) ratios", hint: "give one ratio π(a|s) / b(a|s) per step")
    }
    guard rewards.allSatisfy(\.isFinite) else { throw CoreError("episode \(index) has a reward that is not finite") }
    guard ratios.allSatisfy({ $0 >= 0 && $0.isFinite }) else {
      throw CoreError("episode \(index) has a ratio that is negative or not finite", hint: "a ratio is π(a|s) / b(a|s), with b(a|s) > 0 for every logged action")
    }
    self.rewards = rewards
    self.ratios = ratios
  }
}

extension EpisodeEstimator {
  /// One value per episode; their mean is the estimate (so a bootstrap over episodes gives its interval).
  public func episodeValues(_ episodes: [EpisodeLog], gamma: Double) throws -> [Double] {
    guard !episodes.isEmpty else { throw CoreError("\(rawValue): there are no episodes") }
    let n = Double(episodes.count)
    // wᵢₜ = Π_{k≤t} ρᵢₖ, the cumulative weights of every episode.
    let weights = episodes.map { e -> [Double] in
      var w = 1.0
      return e.ratios.map { w *= $0; return w }
    }
    switch self {
    case .is, .wis:
      let returns = episodes.map { e in e.rewards.reversed().reduce(0) { $0 * gamma + $1 } }
      let final = weights.map { $0.last! }
      let scale = self == .is ? 1 : final.reduce(0, +) / n
      guard scale > 0 else { throw CoreError("wis: the target policy takes none of the logged episodes (every weight is 0)") }
      return zip(final, returns).map { $0 * $1 / scale }
    case .pdis:
      return zip(episodes, weights).map { e, w in
        var value = 0.0, discount = 1.0
        for t in e.rewards.indices { value += discount * w[t] * e.rewards[t]; discount *= gamma }
        return value
      }
    case .wpdis:
      let horizon = episodes.map(\.rewards.count).max()!
      var totals = [Double](repeating: 0, count: horizon)
      for w in weights { for t in 0..<horizon { totals[t] += w[min(t, w.count - 1)] } }
      return zip(episodes, weights).map { e, w in
        var value = 0.0, discount = 1.0
        for t in e.rewards.indices {
          if totals[t] > 0 { value += discount * n * w[t] * e.rewards[t] / totals[t] }
          discount *= gamma
        }
        return value
      }
    }
  }
}
