import PavlovCore

/// The tree-structured Parzen estimator (Bergstra et al. 2011), the model-based searcher of
/// Hyperopt and Optuna, univariate as in both: after `startupTrials` random configs, each
/// hyperparameter's values among the best `gamma` of the finished trials and among the rest
/// are each modelled by a Parzen estimator (a Gaussian per value, in log space for
/// loguniform, with the prior over the whole range as one more component; categorical counts
/// plus one for choices), and of `candidates` values drawn from the "good" model the one with
/// the highest good/bad density ratio is suggested. Only seeded draws and portable math, so
/// the same observations and seed give the same suggestions on every machine.
public final class TPE {
  public let space: Domain
  public let startupTrials: Int
  public let candidates: Int
  public let gamma: Double
  let sign: Double
  let generator: SeededGenerator
  private let leaves: [(path: [String], domain: Domain)]
  private var observed: [(config: JSONValue, score: Double)] = []

  public init(space: Domain, mode: String = "max", seed: UInt64 = 0, startupTrials: Int = 10, candidates: Int = 24,
              gamma: Double = 0.25) throws(CoreError) {
    try space.validate()
    guard space.grids.isEmpty else { throw CoreError("tpe: the space has grid values; TPE samples every value, so use tune_choice([...]) there") }
    let mode = try MetricMode(mode, for: "tpe")
    guard startupTrials >= 1, candidates >= 1, gamma > 0, gamma < 1 else {
      throw CoreError("tpe: startup_trials and candidates must be positive and gamma in (0, 1)")
    }
    self.space = space
    self.startupTrials = startupTrials
    self.candidates = candidates
    self.gamma = gamma
    sign = mode.sign
    generator = SeededGenerator(seed: seed)
    leaves = Self.leaves(of: space, path: [])
  }

  /// A finished trial's config and its metric (NaN and infinite results are ignored).
  public func observe(_ config: JSONValue, _ value: Double) {
    guard value.isFinite else { return }
    observed.append((config, sign * value))
  }

  /// The next config to try.
  public func suggest() -> JSONValue {
    guard observed.count >= startupTrials else { return space.resolve(generator, gridChoice: [:]) }
    let ranked = observed.sorted { $0.score > $1.score }
    let goodCount = Swift.max(1, Int((gamma * Double(ranked.count)).rounded(.up)))
    let good = ranked.prefix(goodCount).map(\.config), bad = ranked.dropFirst(goodCount).map(\.config)
    var config = space.resolve(generator, gridChoice: [:])  // constants and the record's shape
    for (path, domain) in leaves {
      let value = suggestLeaf(domain, good: good.compactMap { ConfigPath.value(at: path, in: $0) },
                              bad: bad.compactMap { ConfigPath.value(at: path, in: $0) })
      config = ConfigPath.setting(path, to: value, in: config)
    }
    return config
  }

  private func suggestLeaf(_ domain: Domain, good: [JSONValue], bad: [JSONValue]) -> JSONValue {
    switch domain {
    case .choice(let values):
      func weights(_ seen: [JSONValue]) -> [Double] {
        values.map { v in 1 + Double(seen.filter { $0 == v }.count) }
      }
      let l = weights(good), g = weights(bad)
      let (lSum, gSum) = (l.reduce(0, +), g.reduce(0, +))
      var best = 0, bestScore = -Double.infinity
      for _ in 0..<candidates {
        var u = generator.nextDouble() * lSum, k = 0
        while k < values.count - 1 && u >= l[k] { u -= l[k]; k += 1 }
        let score = PortableMath.log(l[k] / lSum) - PortableMath.log(g[k] / gSum)
        if score > bestScore { bestScore = score; best = k }
      }
      return values[best]
    case .uniform(let low, let high):
      return .float(numeric(low, high, good.compactMap(\.double), bad.compactMap(\.double)))
    case .logUniform(let low, let high):
      let x = numeric(PortableMath.log(low), PortableMath.log(high),
                      good.compactMap(\.double).filter { $0 > 0 }.map(PortableMath.log),
                      bad.compactMap(\.double).filter { $0 > 0 }.map(PortableMath.log))
      return .float(Swift.min(high.nextDown, Swift.max(low, PortableMath.exp(x))))
    case .randInt(let low, let high):
      // Integers as a continuous range of cells [k - 0.5, k + 0.5), rounded back.
      let x = numeric(Double(low) - 0.5, Double(high) - 0.5, good.compactMap(\.double), bad.compactMap(\.double))
      return .int(Swift.min(high - 1, Swift.max(low, Int(x.rounded()))))
    default:
      return space.resolve(generator, gridChoice: [:])  // not reached: leaves are sampled domains
    }
  }

  /// The candidate in [low, high) with the best ratio of the good and bad Parzen densities.
  private func numeric(_ low: Double, _ high: Double, _ good: [Double], _ bad: [Double]) -> Double {
    let l = Parzen(points: good, low: low, high: high), g = Parzen(points: bad, low: low, high: high)
    var best = l.sample(generator), bestScore = -Double.infinity
    for k in 0..<candidates {
      let x = k == 0 ? best : l.sample(generator)
      let score = l.logDensity(x) - g.logDensity(x)
      if score > bestScore { bestScore = score; best = x }
    }
    return best
  }

  /// Hyperopt's adaptive Parzen estimator on [low, high): the prior (mid-range, σ = range) and
  /// a Gaussian per point, σ the larger gap to its neighbours, clipped to
  /// [range / min(100, n + 1), range]; each truncated to the range.
  struct Parzen {
    let means: [Double], sigmas: [Double], low: Double, high: Double

    init(points: [Double], low: Double, high: Double) {
      let range = high - low
      var all = points.map { Swift.min(high, Swift.max(low, $0)) } + [(low + high) / 2]
      all.sort()
      let floor = range / Double(Swift.min(100, all.count + 1))
      var sigmas: [Double] = []
      for (i, m) in all.enumerated() {
        let left = i > 0 ? m - all[i - 1] : m - low, right = i < all.count - 1 ? all[i + 1] - m : high - m
        sigmas.append(Swift.min(range, Swift.max(floor, Swift.max(left, right))))
      }
      // The prior keeps the whole range: its component has σ = range wherever it sorted to.
      if let p = all.firstIndex(of: (low + high) / 2) { sigmas[p] = range }
      means = all
      self.sigmas = sigmas
      self.low = low
      self.high = high
    }

    func sample(_ generator: SeededGenerator) -> Double {
      let k = generator.nextInt(below: means.count)
      for _ in 0..<64 {
        let x = means[k] + sigmas[k] * generator.nextGaussian()
        if x >= low && x < high { return x }
      }
      return Swift.min(high.nextDown, Swift.max(low, means[k]))
    }

    func logDensity(_ x: Double) -> Double {
      var total = 0.0
      for (m, s) in zip(means, sigmas) {
        let mass = Self.phi((high - m) / s) - Self.phi((low - m) / s)
        let z = (x - m) / s
        total += PortableMath.exp(-0.5 * z * z) / (s * 2.5066282746310002 * Swift.max(mass, 1e-12))
      }
      return PortableMath.log(Swift.max(total / Double(means.count), 1e-300))
    }

    /// The standard normal CDF, from erf by Abramowitz & Stegun 7.1.26 (error < 1.5e-7).
    static func phi(_ z: Double) -> Double {
      let x = Swift.abs(z) / 1.4142135623730951
      let t = 1 / (1 + 0.3275911 * x)
      let poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
      let erf = 1 - poly * PortableMath.exp(-x * x)
      return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf)
    }
  }

  private static func leaves(of domain: Domain, path: [String]) -> [(path: [String], domain: Domain)] {
    switch domain {
    case .record(let members): return members.flatMap { leaves(of: $0.domain, path: path + [$0.key]) }
    case .choice, .uniform, .logUniform, .randInt: return [(path, domain)]
    case .grid, .constant: return []
    }
  }
}
