import PavlovCore

/// What a scheduler tells a running trial after a result.
public enum TrialDecision: Equatable, Sendable {
  case proceed, stop
}

/// Asynchronous successive halving (Li et al. 2018), with Ray Tune's ASHAScheduler rules so a
/// sweep stops the same trials here as there: rungs at `gracePeriod · reductionFactor^k` below
/// `maxT`; the first result of a trial at or past a rung is compared with the
/// (1 − 1/reductionFactor) percentile (linear interpolation, as numpy's) of the results already
/// recorded at that rung — below it, the trial stops — and is then recorded there. A trial
/// stops at `maxT` in any case. One bracket (Ray's default).
public final class ASHA {
  public let maxT: Int
  public let gracePeriod: Int
  public let reductionFactor: Double
  /// +1 to maximize the metric, −1 to minimize it (compared as −metric).
  public let sign: Double
  /// Milestones, largest first, each with the results recorded there by trial id.
  public private(set) var rungs: [(milestone: Double, recorded: [Int: Double])]

  /// Ray's defaults.
  public static let defaultMaxT = 100, defaultGracePeriod = 1, defaultReductionFactor = 4.0

  public init(maxT: Int = defaultMaxT, gracePeriod: Int = defaultGracePeriod, reductionFactor: Double = defaultReductionFactor,
              mode: String = "max") throws(CoreError) {
    guard gracePeriod > 0 else { throw CoreError("asha: grace_period must be positive, got \(gracePeriod)") }
    guard maxT >= gracePeriod else { throw CoreError("asha: max_t (\(maxT)) must be at least grace_period (\(gracePeriod))") }
    guard reductionFactor > 1, reductionFactor.isFinite else { throw CoreError("asha: reduction_factor must be above 1, got \(reductionFactor)") }
    let mode = try MetricMode(mode, for: "asha")
    self.maxT = maxT
    self.gracePeriod = gracePeriod
    self.reductionFactor = reductionFactor
    sign = mode.sign
    // Ray: MAX_RUNGS = int(log(max_t / min_t) / log(rf) + 1), milestones min_t · rf^k, k descending.
    // The count is taken by repeated multiplication: exact where the logarithms would round.
    var milestones: [Double] = []
    var m = Double(gracePeriod)
    while m <= Double(maxT) * (1 + 1e-12) {
      milestones.append(m)
      m *= reductionFactor
    }
    rungs = milestones.reversed().map { ($0, [:]) }
  }

  /// The decision after trial `trial` reports `value` at time `t` (iterations, steps — the
  /// sweep's time attribute). Results without a value cannot be judged and continue.
  public func onResult(trial: Int, t: Int, value: Double?) -> TrialDecision {
    if t >= maxT { return .stop }
    guard let value, !value.isNaN else { return .proceed }
    return onRungs(trial: trial, t: t, value: sign * value)
  }

  /// A finished trial's last result is recorded too, so later trials meet it at its rung.
  public func onComplete(trial: Int, t: Int, value: Double?) {
    guard let value, !value.isNaN else { return }
    _ = onRungs(trial: trial, t: t, value: sign * value)
  }

  private func onRungs(trial: Int, t: Int, value: Double) -> TrialDecision {
    for index in rungs.indices {
      let (milestone, recorded) = rungs[index]
      // A rung the trial has passed without being judged there (it reported past it) still
      // judges it, as Ray's default (stop_last_trials) does.
      if Double(t) < milestone || recorded[trial] != nil { continue }
      let cutoff = Self.percentile(Array(recorded.values), (1 - 1 / reductionFactor) * 100)
      rungs[index].recorded[trial] = value
      if let cutoff, value < cutoff { return .stop }
      return .proceed
    }
    return .proceed
  }

  /// numpy's percentile with linear interpolation; nil for no values.
  static func percentile(_ values: [Double], _ q: Double) -> Double? {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return nil }
    let position = q / 100 * Double(sorted.count - 1)
    let low = Int(position.rounded(.down)), high = Swift.min(low + 1, sorted.count - 1)
    let fraction = position - Double(low)
    return sorted[low] + (sorted[high] - sorted[low]) * fraction
  }
}
