import PavlovTensor

/// The gradient bandit (Sutton and Barto 2.8): numerical preferences H(a), arms drawn from
/// π = softmax(H), and stochastic gradient ascent on the expected reward:
/// H(A) += α(R − R̄)(1 − π(A)), H(b) −= α(R − R̄)π(b) for b ≠ A. The baseline R̄ is the average of
/// the rewards before this one (the first reward is its own baseline); without a baseline R̄ = 0,
/// which learns far worse when rewards are not centred on zero (the book's figure 2.5).
public final class GradientBandit: BanditStrategy {
  public let name = "gradient"
  public let alpha: Double
  public let usesBaseline: Bool
  public private(set) var preferences: [Double]
  public private(set) var pulls: [Int]
  public private(set) var steps = 0
  /// The average reward so far (the baseline when `usesBaseline`).
  public private(set) var averageReward = 0.0

  public init(arms: Int, alpha: Double = 0.1, baseline: Bool = true) {
    self.alpha = alpha
    usesBaseline = baseline
    preferences = Array(repeating: 0, count: max(arms, 1))
    pulls = Array(repeating: 0, count: max(arms, 1))
  }

  public var arms: Int { preferences.count }
  public var estimates: [Double] { preferences }

  /// π(a) = e^H(a) / Σ e^H(b), shifted by the largest preference so nothing overflows.
  public var probabilities: [Double] {
    let top = preferences.max() ?? 0
    let weights = preferences.map { PortableMath.exp($0 - top) }
    let total = weights.reduce(0, +)
    return weights.map { $0 / total }
  }

  public func choose(_ generator: SeededGenerator) -> Int {
    let u = generator.nextDouble()
    var cumulative = 0.0
    for (a, p) in probabilities.enumerated() {
      cumulative += p
      if u < cumulative { return a }
    }
    return arms - 1  // rounding can leave the sum a hair under 1
  }

  public func learn(arm: Int, reward: Double) {
    let seen = steps
    let baseline = usesBaseline ? (seen == 0 ? reward : averageReward) : 0
    let pi = probabilities
    for b in preferences.indices {
      let indicator: Double = b == arm ? 1 : 0
      preferences[b] += alpha * (reward - baseline) * (indicator - pi[b])
    }
    pulls[arm] += 1
    steps += 1
    averageReward += (reward - averageReward) / Double(seen + 1)
  }

  public func reset() {
    for i in preferences.indices {
      preferences[i] = 0
      pulls[i] = 0
    }
    averageReward = 0
    steps = 0
  }

  public func fresh() -> BanditStrategy { GradientBandit(arms: arms, alpha: alpha, baseline: usesBaseline) }
}
