import PavlovTensor

/// A strategy that reads the context before it chooses (a contextual bandit's features).
public protocol ContextualStrategy: BanditStrategy {
  /// The features of the step about to be played; `choose` and `learn` use them.
  func see(_ context: [Double])
}

/// Contextual bandits with a linear model per arm (the disjoint model of Li et al., 2010):
/// ridge regression of the reward on the context, A_a = I + Σ x·xᵀ and b_a = Σ r·x over arm a's
/// pulls, θ_a = A_a⁻¹·b_a (A⁻¹ kept by Sherman–Morrison updates). Three ways to explore:
///
/// - LinUCB: the arm maximising θ_a·x + c·√(xᵀ A_a⁻¹ x);
/// - linear Thompson sampling (Agrawal and Goyal, 2013): θ̃_a ~ N(θ_a, v²·A_a⁻¹), the arm maximising θ̃_a·x;
/// - ε-greedy: a random arm with probability ε, else the arm maximising θ_a·x.
public final class LinearBandit: ContextualStrategy {
  public enum Exploration: Sendable {
    case upperConfidence(c: Double)
    case thompson(noise: Double)
    case epsilonGreedy(EpsilonSchedule)
  }

  public let exploration: Exploration
  public let arms: Int
  public let dim: Int
  /// Per arm, A⁻¹ (dim × dim, row-major) and b.
  private var inverses: [[Double]]
  private var b: [[Double]]
  public private(set) var pulls: [Int]
  public private(set) var steps = 0
  private var context: [Double]

  public init(arms: Int, dim: Int, exploration: Exploration) {
    self.arms = max(arms, 1)
    self.dim = max(dim, 1)
    self.exploration = exploration
    inverses = []
    b = []
    pulls = []
    context = []
    reset()
  }

  public var name: String {
    switch exploration {
    case .upperConfidence: return "linucb"
    case .thompson: return "lin_thompson"
    case .epsilonGreedy: return "lin_epsilon_greedy"
    }
  }

  public func see(_ context: [Double]) { self.context = context }

  /// θ_a·x for the current context.
  public var estimates: [Double] { (0..<arms).map { dot(theta($0), context) } }

  /// θ_a = A_a⁻¹·b_a.
  public func theta(_ arm: Int) -> [Double] { multiply(inverses[arm], b[arm]) }

  public func choose(_ generator: SeededGenerator) -> Int {
    switch exploration {
    case .upperConfidence(let c):
      let scores = (0..<arms).map { a in dot(theta(a), context) + c * dot(context, multiply(inverses[a], context)).squareRoot() }
      return argmaxBreakingTies(scores, generator)
    case .thompson(let noise):
      let scores = (0..<arms).map { a -> Double in
        let lower = cholesky(inverses[a])
        let z = (0..<dim).map { _ in generator.nextGaussian() }
        var sample = theta(a)
        for i in 0..<dim { for j in 0...i { sample[i] += noise * lower[i * dim + j] * z[j] } }
        return dot(sample, context)
      }
      return argmaxBreakingTies(scores, generator)
    case .epsilonGreedy(let schedule):
      if generator.nextDouble() < schedule.epsilon(at: steps) { return generator.nextInt(below: arms) }
      return argmaxBreakingTies(estimates, generator)
    }
  }

  public func learn(arm: Int, reward: Double) {
    let x = context
    // Sherman–Morrison: (A + x·xᵀ)⁻¹ = A⁻¹ − (A⁻¹x)(A⁻¹x)ᵀ / (1 + xᵀA⁻¹x).
    let ax = multiply(inverses[arm], x)
    let denominator = 1 + dot(x, ax)
    for i in 0..<dim { for j in 0..<dim { inverses[arm][i * dim + j] -= ax[i] * ax[j] / denominator } }
    for i in 0..<dim { b[arm][i] += reward * x[i] }
    pulls[arm] += 1
    steps += 1
  }

  public func reset() {
    var identity = [Double](repeating: 0, count: dim * dim)
    for i in 0..<dim { identity[i * dim + i] = 1 }
    inverses = Array(repeating: identity, count: arms)
    b = Array(repeating: Array(repeating: 0, count: dim), count: arms)
    pulls = Array(repeating: 0, count: arms)
    steps = 0
    context = Array(repeating: 0, count: dim)
  }

  public func fresh() -> BanditStrategy { LinearBandit(arms: arms, dim: dim, exploration: exploration) }

  private func dot(_ u: [Double], _ v: [Double]) -> Double {
    var sum = 0.0
    for i in 0..<Swift.min(u.count, v.count) { sum += u[i] * v[i] }
    return sum
  }

  private func multiply(_ m: [Double], _ v: [Double]) -> [Double] {
    (0..<dim).map { i in
      var sum = 0.0
      for j in 0..<dim where j < v.count { sum += m[i * dim + j] * v[j] }
      return sum
    }
  }

  /// The lower Cholesky factor L of a symmetric positive-definite m (L·Lᵀ = m); tiny negative
  /// pivots from rounding count as zero.
  private func cholesky(_ m: [Double]) -> [Double] {
    var l = [Double](repeating: 0, count: dim * dim)
    for i in 0..<dim {
      for j in 0...i {
        var sum = m[i * dim + j]
        for k in 0..<j { sum -= l[i * dim + k] * l[j * dim + k] }
        if i == j {
          l[i * dim + i] = Swift.max(sum, 0).squareRoot()
        } else {
          l[i * dim + j] = l[j * dim + j] > 0 ? sum / l[j * dim + j] : 0
        }
      }
    }
    return l
  }
}
