import PavlovCore

/// What a running trial says to the sweep.
public enum TrialMessage: Sendable {
  /// One result row (`report(...)`, or a trainer's iteration).
  case result(JSONValue)
  /// The trial function returned.
  case done
  /// The trial raised an error (its message), or its process ended or vanished without saying done.
  case failed(String)
}

/// What the sweep answers a result with.
public enum TrialReply: Equatable, Sendable {
  case proceed
  /// End the trial now (a scheduler's early stop, `stop:`, or the scheduler's `max_t`).
  case stop
  /// PBT: save a checkpoint to this path, then go on.
  case save(String)
  /// PBT: load this checkpoint, go on with this config.
  case exploit(checkpoint: String, config: JSONValue)
}

/// How a sweep chooses configs.
public enum SearchAlgorithm: String, Sendable, CaseIterable {
  /// Every grid combination, `samples` times, the other values sampled (Ray's default searcher).
  case random
  /// The tree-structured Parzen estimator: configs suggested from the finished trials.
  case tpe
}

/// Which trials a sweep stops early, and (PBT) which it makes clone better ones.
public enum SchedulerSettings: Sendable {
  case fifo
  case asha(maxT: Int, gracePeriod: Int, reductionFactor: Double)
  case pbt(perturbationInterval: Int, mutations: [(path: [String], mutation: Mutation)], quantileFraction: Double,
           resampleProbability: Double, burnIn: Int)
}

/// Everything that decides a sweep's trials and their fate (not where or how they run).
public struct SweepSettings: Sendable {
  public var space: Domain
  public var samples: Int
  public var search: SearchAlgorithm
  public var scheduler: SchedulerSettings
  /// The metric the scheduler, the searcher and the table rank by (nil: FIFO only, unranked).
  public var metric: String?
  public var mode: MetricMode
  /// A trial ends once its result has a key at or above the threshold (as Ray's `stop` dict).
  public var stop: [(key: String, value: Double)]
  /// The result key that measures a trial's progress (Ray's `time_attr`).
  public var timeAttribute: String
  public var maxConcurrent: Int
  public var seed: UInt64

  public init(space: Domain, samples: Int = 1, search: SearchAlgorithm = .random, scheduler: SchedulerSettings = .fifo,
              metric: String? = nil, mode: MetricMode = .max, stop: [(key: String, value: Double)] = [],
              timeAttribute: String = Sweep.iterationKey, maxConcurrent: Int = 1, seed: UInt64 = 0) {
    self.space = space
    self.samples = samples
    self.search = search
    self.scheduler = scheduler
    self.metric = metric
    self.mode = mode
    self.stop = stop
    self.timeAttribute = timeAttribute
    self.maxConcurrent = maxConcurrent
    self.seed = seed
  }
}

/// One trial's record in a sweep.
public struct TrialRecord: Sendable {
  public enum Status: String, Sendable {
    case pending, running
    /// Ran to its end: the function returned, `stop:` was met, or the scheduler's `max_t`.
    case done
    /// Stopped early by the scheduler (ASHA).
    case stopped
    case failed
  }

  public let id: Int
  public var config: JSONValue
  public var status: Status = .pending
  /// Virtual time at launch (see `Sweep`).
  public var start: Double = 0
  /// Results processed so far.
  public var results = 0
  /// The last result row (with `training_iteration`).
  public var last: JSONValue?
  /// The time attribute's value in the last result.
  public var time: Double = 0
  public var error: String?

  /// The metric in the last result.
  public func metric(_ name: String?) -> Double? {
    guard let name, let value = last?[name]?.double, !value.isNaN else { return nil }
    return value
  }
}

/// The decisions of a sweep, apart from how its trials run: which configs are tried, when each
/// starts, and what each is told after every result — so a sweep run by local worker processes
/// and one run on a Ray cluster decide alike.
///
/// Determinism: trials run in parallel, at speeds no one controls, yet the scheduler's choices
/// depend on the order results arrive in. So results are ordered on a virtual clock instead of
/// the wall clock: a trial launched at virtual time s reports its result with time attribute t
/// at s + t (ties by trial id), and the driver hands the sweep the pending message with the
/// smallest time only once every running trial has one pending (each waits for its reply), so
/// no later message can come before it. A slot freed at virtual time v launches the next trial
/// at v. The same settings thus give the same trials, decisions and results on any machine,
/// with any number of cores, and on resume.
public final class Sweep {
  /// The result key a sweep adds to every row: the trial's result count, 1, 2, ... (Ray's name).
  public static let iterationKey = "training_iteration"

  public let settings: SweepSettings
  public private(set) var trials: [TrialRecord] = []
  /// How many trials the sweep runs in all.
  public let total: Int
  /// The virtual time of the last event handled.
  public private(set) var now: Double = 0

  private let variants: [JSONValue]
  private let tpe: TPE?
  private let asha: ASHA?
  private let pbt: PBT?
  /// Where a trial's PBT checkpoints go, by trial id and result count.
  private let checkpointPath: (Int, Int) -> String

  public init(_ settings: SweepSettings, checkpointPath: @escaping (Int, Int) -> String = { "trial-\($0)/checkpoint-\($1)" }) throws(CoreError) {
    guard settings.maxConcurrent >= 1 else { throw CoreError("tune: max_concurrent must be at least 1, got \(settings.maxConcurrent)") }
    if case .fifo = settings.scheduler {} else if settings.metric == nil {
      throw CoreError("tune: a scheduler ranks trials by a metric; give metric: (e.g. metric: \"mean_return\")")
    }
    let mode = settings.mode.rawValue
    switch settings.search {
    case .random:
      let generator = try VariantGenerator(space: settings.space, samples: settings.samples, seed: settings.seed)
      variants = generator.configs()
      tpe = nil
    case .tpe:
      guard settings.metric != nil else { throw CoreError("tune: search: \"tpe\" learns from a metric; give metric: (e.g. metric: \"mean_return\")") }
      guard settings.samples >= 1 else { throw CoreError("tune: samples must be at least 1, got \(settings.samples)") }
      variants = []
      tpe = try TPE(space: settings.space, mode: mode, seed: settings.seed)
    }
    total = settings.search == .tpe ? settings.samples : variants.count
    switch settings.scheduler {
    case .fifo: asha = nil; pbt = nil
    case .asha(let maxT, let grace, let factor):
      asha = try ASHA(maxT: maxT, gracePeriod: grace, reductionFactor: factor, mode: mode)
      pbt = nil
    case .pbt(let interval, let mutations, let quantile, let resample, let burnIn):
      asha = nil
      // Its own stream, so exploring does not shift the searcher's draws.
      pbt = try PBT(perturbationInterval: interval, mutations: mutations, quantileFraction: quantile,
                    resampleProbability: resample, burnIn: burnIn, mode: mode, seed: settings.seed &+ 0x9E37_79B9_7F4A_7C15)
    }
    self.settings = settings
    self.checkpointPath = checkpointPath
  }

  public var running: [Int] { trials.filter { $0.status == .running }.map(\.id) }

  /// True once every trial has ended.
  public var isFinished: Bool { trials.count == total && !trials.contains { $0.status == .running } }

  /// Starts trials while slots are free: their ids and configs, in launch order.
  public func launches() -> [(trial: Int, config: JSONValue)] {
    var out: [(Int, JSONValue)] = []
    while trials.count < total && running.count < settings.maxConcurrent {
      let id = trials.count
      let config = tpe?.suggest() ?? variants[id]
      var record = TrialRecord(id: id, config: config)
      record.status = .running
      record.start = now
      trials.append(record)
      pbt?.addTrial(id, config: config)
      out.append((id, config))
    }
    return out
  }

  /// The order in which pending messages are handled: virtual time, then trial id.
  public func key(_ trial: Int, _ message: TrialMessage) -> (time: Double, trial: Int) {
    let record = trials[trial]
    if case .result(let row) = message, let t = row[settings.timeAttribute]?.double, t.isFinite {
      return (record.start + max(t, record.time), trial)
    }
    if case .result = message, settings.timeAttribute == Self.iterationKey {
      return (record.start + Double(record.results + 1), trial)
    }
    return (record.start + record.time, trial)
  }

  /// Handles one message of a running trial; returns the reply a result gets (nil for the end
  /// of a trial, or a message from a trial that has already ended).
  public func handle(_ trial: Int, _ message: TrialMessage) -> TrialReply? {
    guard trials.indices.contains(trial), trials[trial].status == .running else { return nil }
    now = max(now, key(trial, message).time)
    switch message {
    case .done:
      finish(trial, .done)
      return nil
    case .failed(let reason):
      trials[trial].error = reason
      finish(trial, .failed)
      return nil
    case .result(let given):
      var row = given
      let iteration = trials[trial].results + 1
      row = ConfigPath.setting([Self.iterationKey], to: .int(iteration), in: row)
      guard let t = row[settings.timeAttribute]?.double, t.isFinite else {
        trials[trial].error = "its result has no number under \"\(settings.timeAttribute)\" (the sweep's time_attr); report it, or choose another time_attr"
        finish(trial, .failed)
        return .stop
      }
      trials[trial].results = iteration
      trials[trial].last = row
      trials[trial].time = max(trials[trial].time, t)
      return decide(trial, row: row, time: t)
    }
  }

  private func decide(_ trial: Int, row: JSONValue, time: Double) -> TrialReply {
    let value = trials[trial].metric(settings.metric)
    for (key, threshold) in settings.stop {
      if let v = row[key]?.double, v >= threshold {
        finish(trial, .done)
        return .stop
      }
    }
    let t = Int(time.rounded(.down))
    if let asha {
      if t >= asha.maxT {
        finish(trial, .done)
        return .stop
      }
      if asha.onResult(trial: trial, t: t, value: value) == .stop {
        finish(trial, .stopped)
        return .stop
      }
    }
    if let pbt {
      switch pbt.onResult(trial: trial, t: t, value: value) {
      case .proceed: return .proceed
      case .saveCheckpoint:
        lastSave[trial] = trials[trial].results
        return .save(checkpointPath(trial, trials[trial].results))
      case .exploit(let source, let config):
        trials[trial].config = config
        return .exploit(checkpoint: checkpointPath(source, lastSave[source] ?? 0), config: config)
      }
    }
    return .proceed
  }

  /// The result count at each trial's last PBT save (the checkpoint an exploit loads).
  private var lastSave: [Int: Int] = [:]

  private func finish(_ trial: Int, _ status: TrialRecord.Status) {
    trials[trial].status = status
    let value = trials[trial].metric(settings.metric)
    if status != .failed {
      asha?.onComplete(trial: trial, t: Int(trials[trial].time.rounded(.down)), value: value)
      if let value { tpe?.observe(trials[trial].config, value) }
    }
    pbt?.onComplete(trial)
  }

  /// The finished trial with the best last metric (ties: the lower id); nil without a metric.
  public var best: TrialRecord? {
    guard let metric = settings.metric else { return nil }
    let sign = settings.mode.sign
    return trials.filter { $0.metric(metric) != nil }
      .min { (-sign * $0.metric(metric)!, $0.id) < (-sign * $1.metric(metric)!, $1.id) }
  }
}
