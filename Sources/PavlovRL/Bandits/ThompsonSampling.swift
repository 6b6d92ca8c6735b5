import PavlovTensor

/// Thompson sampling: keep a posterior over each arm's mean reward, draw one plausible mean per
/// arm from it, and pull the arm whose draw is largest. Arms are explored exactly as long as
/// they might still be best.
public final class ThompsonSampling: BanditStrategy {
  /// The reward model and its prior.
  public enum Model: Equatable, Sendable {
    /// Rewards of 0 or 1 (Bernoulli arms): a Beta(α, β) prior on the success probability;
    /// α = β = 1 is uniform. A reward r in [0, 1] counts r successes and 1 − r failures;
    /// others are clamped to [0, 1].
    case beta(alpha: Double, beta: Double)
    /// Gaussian rewards with known standard deviation `noise`: a normal prior N(mean, std²) on
    /// each arm's mean. The 10-armed testbed draws its means from N(0, 1) with noise 1.
    case gaussian(mean: Double, std: Double, noise: Double)

    public var name: String {
      switch self {
      case .beta: return "beta"
      case .gaussian: return "gaussian"
      }
    }
  }

  public let name = "thompson"
  public let model: Model
  public private(set) var pulls: [Int]
  public private(set) var steps = 0
  /// Per arm: successes and failures (Beta), or the sum of rewards (Gaussian, in `successes`).
  private var successes: [Double]
  private var failures: [Double]

  public init(arms: Int, model: Model) {
    self.model = model
    let arms = max(arms, 1)
    pulls = Array(repeating: 0, count: arms)
    successes = Array(repeating: 0, count: arms)
    failures = Array(repeating: 0, count: arms)
  }

  public var arms: Int { pulls.count }

  /// Each arm's posterior mean.
  public var estimates: [Double] {
    (0..<arms).map { a in
      switch model {
      case .beta(let alpha, let beta):
        return (alpha + successes[a]) / (alpha + beta + successes[a] + failures[a])
      case .gaussian:
        return gaussianPosterior(a).mean
      }
    }
  }

  /// Conjugate update of N(m, s²) by n rewards of variance σ²: precision 1/s² + n/σ², mean
  /// (m/s² + Σr/σ²) / precision.
  private func gaussianPosterior(_ arm: Int) -> (mean: Double, std: Double) {
    guard case .gaussian(let mean, let std, let noise) = model else { return (0, 1) }
    let priorPrecision = 1 / (std * std), noisePrecision = 1 / (noise * noise)
    let precision = priorPrecision + Double(pulls[arm]) * noisePrecision
    return ((mean * priorPrecision + successes[arm] * noisePrecision) / precision, (1 / precision).squareRoot())
  }

  public func choose(_ generator: SeededGenerator) -> Int {
    var best = 0, bestDraw = -Double.infinity
    for a in 0..<arms {
      let draw: Double
      switch model {
      case .beta(let alpha, let beta):
        draw = GammaSampler.beta(alpha + successes[a], beta + failures[a], generator)
      case .gaussian:
        let posterior = gaussianPosterior(a)
        draw = posterior.mean + posterior.std * generator.nextGaussian()
      }
      if draw > bestDraw {
        best = a
        bestDraw = draw
      }
    }
    return best
  }

  public func learn(arm: Int, reward: Double) {
    pulls[arm] += 1
    steps += 1
    switch model {
    case .beta:
      let r = min(max(reward, 0), 1)
      successes[arm] += r
      failures[arm] += 1 - r
    case .gaussian:
      successes[arm] += reward
    }
  }

  public func reset() {
    for i in 0..<arms {
      pulls[i] = 0
      successes[i] = 0
      failures[i] = 0
    }
    steps = 0
  }

  public func fresh() -> BanditStrategy { ThompsonSampling(arms: arms, model: model) }
}
