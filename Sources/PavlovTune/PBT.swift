import PavlovCore

/// What population-based training tells a trial after a result.
public enum PBTDecision: Equatable, Sendable {
  case proceed
  /// The trial is in the top quantile: save a checkpoint now, for others to clone.
  case saveCheckpoint
  /// The trial is in the bottom quantile: load `source`'s last saved checkpoint and go on with
  /// `config` (the source's config, explored).
  case exploit(source: Int, config: JSONValue)
}

/// How PBT changes one hyperparameter when it explores.
public enum Mutation: Sendable {
  /// A list of values: resample one, or step to a neighbour of the current one.
  case values([JSONValue])
  /// A search-space domain: resample from it, or multiply the current value by 1.2 or 0.8.
  case domain(Domain)
}

/// Population-based training (Jaderberg et al. 2017) with Ray Tune's rules (asynchronous mode):
/// every `perturbationInterval` of a trial's time, its score is compared with the population's
/// last scores; in the top `quantileFraction` it checkpoints, in the bottom it clones a random
/// top trial's checkpoint and config and explores that config — each mutated key resampled with
/// `resampleProbability`, else perturbed (×1.2 or ×0.8; a list's neighbouring value). Random
/// choices come from one seeded generator, so a sweep makes the same moves every time.
public final class PBT {
  public let perturbationInterval: Int
  public let burnIn: Int
  public let quantileFraction: Double
  public let resampleProbability: Double
  public let factors: (Double, Double)
  public let mutations: [(path: [String], mutation: Mutation)]
  let sign: Double
  let generator: SeededGenerator

  struct TrialState {
    var config: JSONValue
    var lastScore: Double?
    var lastPerturbation = 0
    var hasCheckpoint = false
    var finished = false
  }
  private var trials: [Int: TrialState] = [:]

  /// Ray's defaults.
  public static let defaultPerturbationInterval = 60, defaultQuantileFraction = 0.25, defaultResampleProbability = 0.25

  public init(perturbationInterval: Int, mutations: [(path: [String], mutation: Mutation)], quantileFraction: Double = defaultQuantileFraction,
              resampleProbability: Double = defaultResampleProbability, factors: (Double, Double) = (1.2, 0.8), burnIn: Int = 0,
              mode: String = "max", seed: UInt64 = 0) throws(CoreError) {
    guard perturbationInterval > 0 else { throw CoreError("pbt: perturbation_interval must be positive, got \(perturbationInterval)") }
    guard quantileFraction > 0, quantileFraction <= 0.5 else { throw CoreError("pbt: quantile_fraction must be in (0, 0.5], got \(quantileFraction)") }
    guard (0...1).contains(resampleProbability) else { throw CoreError("pbt: resample_probability must be in [0, 1], got \(resampleProbability)") }
    guard !mutations.isEmpty else { throw CoreError("pbt: give at least one hyperparameter to mutate") }
    let mode = try MetricMode(mode, for: "pbt")
    for (path, mutation) in mutations {
      let name = (["config"] + path).joined(separator: ".")
      switch mutation {
      case .values(let values): if values.isEmpty { throw CoreError("\(name): a mutation list needs at least one value") }
      case .domain(let domain): try domain.validate(path: name)
      }
    }
    self.perturbationInterval = perturbationInterval
    self.burnIn = burnIn
    self.quantileFraction = quantileFraction
    self.resampleProbability = resampleProbability
    self.factors = factors
    self.mutations = mutations
    sign = mode.sign
    generator = SeededGenerator(seed: seed)
  }

  public func addTrial(_ trial: Int, config: JSONValue) { trials[trial] = TrialState(config: config) }

  /// The trial's config now (after any exploit).
  public func config(of trial: Int) -> JSONValue? { trials[trial]?.config }

  public func onComplete(_ trial: Int) { trials[trial]?.finished = true }

  public func onResult(trial: Int, t: Int, value: Double?) -> PBTDecision {
    guard var state = trials[trial], let value, !value.isNaN else { return .proceed }
    if t < burnIn || t - state.lastPerturbation < perturbationInterval { return .proceed }
    state.lastScore = sign * value
    state.lastPerturbation = t
    trials[trial] = state
    let (lower, upper) = quantiles()
    if upper.contains(trial) {
      trials[trial]?.hasCheckpoint = true
      return .saveCheckpoint
    }
    guard lower.contains(trial) else { return .proceed }
    let source = upper[generator.nextInt(below: upper.count)]
    // A top trial that has not saved yet has nothing to clone (Ray skips the exploit too).
    guard let cloned = trials[source], cloned.hasCheckpoint else { return .proceed }
    let explored = explore(cloned.config)
    trials[trial]?.config = explored
    return .exploit(source: source, config: explored)
  }

  /// Trials with a score, worst first, cut into the bottom and top quantiles (at most half each).
  private func quantiles() -> (lower: [Int], upper: [Int]) {
    let ranked = trials.filter { $0.value.lastScore != nil && !$0.value.finished }
      .sorted { ($0.value.lastScore ?? 0, $0.key) < ($1.value.lastScore ?? 0, $1.key) }.map(\.key)
    guard ranked.count > 1 else { return ([], []) }
    var n = Int((Double(ranked.count) * quantileFraction).rounded(.up))
    if Double(n) > Double(ranked.count) / 2 { n = ranked.count / 2 }
    return (Array(ranked.prefix(n)), Array(ranked.suffix(n)))
  }

  func explore(_ config: JSONValue) -> JSONValue {
    var out = config
    for (path, mutation) in mutations {
      let current = ConfigPath.value(at: path, in: config)
      let next: JSONValue
      switch mutation {
      case .values(let values):
        let index = current.flatMap { c in values.firstIndex { $0 == c } }
        if generator.nextDouble() < resampleProbability || index == nil {
          next = values[generator.nextInt(below: values.count)]
        } else {
          let shifted = (index ?? 0) + (generator.nextInt(below: 2) == 0 ? -1 : 1)
          next = values[Swift.min(Swift.max(shifted, 0), values.count - 1)]
        }
      case .domain(let domain):
        if generator.nextDouble() < resampleProbability || current?.double == nil {
          next = domain.resolve(generator, gridChoice: [:])
        } else {
          let factor = generator.nextInt(below: 2) == 0 ? factors.0 : factors.1
          if case .int(let i)? = current { next = .int(Int((Double(i) * factor).rounded(.towardZero))) } else { next = .float((current?.double ?? 0) * factor) }
        }
      }
      out = ConfigPath.setting(path, to: next, in: out)
    }
    return out
  }
}
