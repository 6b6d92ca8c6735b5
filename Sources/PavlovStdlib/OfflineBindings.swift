import PavlovCore
import PavlovLang
import PavlovRL
import PavlovTensor

/// Learning from logs: off-policy evaluation of bandit logs and of logged episodes.
enum OfflineBindings {
  static let intervalParams = [
    Param("alpha", default: .float(0.05), doc: "the interval covers 1 − alpha (0.05: a 95% interval)", range: ParamRange(lower: 0, lowerOpen: true, upper: 1, upperOpen: true)),
    Param("bootstrap", default: .int(1000), doc: "bootstrap resamples for the interval (0: no interval)", range: .between(0, 1_000_000)),
    Param("seed", default: .int(0), doc: "seeds the bootstrap", range: .finite),
  ]

  static func register(_ r: Registry) {
    r.function("ope", [
      Param("rewards", doc: "the logged rewards, one per round (a list or tensor)"),
      Param("actions", doc: "the logged actions (ints from 0)"),
      Param("pscores", doc: "the logging policy's probability of each logged action, in (0, 1]"),
      Param("target_probs", doc: "the evaluated policy's probabilities: rounds × actions (a tensor or a list of lists)"),
      Param("q_hat", default: .null, doc: "a reward model's predictions, rounds × actions: needed by dm and dr"),
      Param("estimators", default: .null, doc: "names from \"dm\", \"ips\", \"snips\", \"dr\"; nil: every one the arguments allow"),
    ] + intervalParams, doc: """
      Off-policy evaluation of a bandit log (as the Open Bandit Pipeline): the value of the target policy estimated by the direct method, IPS, self-normalized IPS and doubly robust; returns {name: {value, low, high}} with bootstrap intervals.
      """) { args in
      let context = "ope"
      let rewards = try SpaceBindings.reals(args[0], context, "rewards")
      let actions = try SpaceBindings.ints(args[1], context, "actions")
      let pscores = try SpaceBindings.reals(args[2], context, "pscores")
      let (probs, width) = try matrix(args[3], context, "target_probs", rows: rewards.count)
      let qHat = args.isNull(4) ? nil : try matrix(args[4], context, "q_hat", rows: rewards.count)
      if let qHat, qHat.width != width {
        throw PavlovError.runtime("ope: q_hat has \(qHat.width) actions per round but target_probs has \(width)")
      }
      let log = try CoreBridge.run(context) {
        try BanditLog(rewards: rewards, actions: actions, pscores: pscores, targetProbs: probs, rewardModel: qHat?.values, actionCount: width)
      }
      let chosen: [BanditEstimator] = args.isNull(5)
        ? BanditEstimator.allCases.filter { qHat != nil || !$0.needsRewardModel }
        : try names(args[5], context, BanditEstimator.self)
      let out = PRecord()
      for estimator in chosen {
        let values = try CoreBridge.run(context) { try log.roundValues(estimator) }
        out[estimator.rawValue] = try interval(values, args, from: 6)
      }
      return .record(out)
    }

    r.function("ope_episodes", [
      Param("episodes", doc: "logged episodes: a list of records {rewards: [...], ratios: [...]}, ratio ρₜ = π(aₜ|sₜ) / b(aₜ|sₜ)"),
      Param("gamma", default: .float(1), doc: "the discount", range: .discount),
      Param("estimators", default: .null, doc: "names from \"is\", \"wis\", \"pdis\", \"wpdis\"; nil: all four"),
    ] + intervalParams, doc: """
      Off-policy evaluation of logged episodes by importance sampling: trajectory-wise (is), weighted (wis), per-decision (pdis) and consistent weighted per-decision (wpdis); returns {name: {value, low, high}} with bootstrap intervals over episodes.
      """) { args in
      let context = "ope_episodes"
      let list = try args.list(0)
      let episodes = try list.items.enumerated().map { i, item -> EpisodeLog in
        guard case .record(let r) = item, let rewards = r["rewards"], let ratios = r["ratios"] else {
          throw PavlovError.runtime("ope_episodes: episodes[\(i)] must be a record {rewards: [...], ratios: [...]}")
        }
        let rs = try SpaceBindings.reals(rewards, context, "episodes[\(i)].rewards"), ps = try SpaceBindings.reals(ratios, context, "episodes[\(i)].ratios")
        return try CoreBridge.run(context) { try EpisodeLog(rewards: rs, ratios: ps, index: i) }
      }
      let gamma = try args.float(1)
      let chosen = args.isNull(2) ? EpisodeEstimator.allCases : try names(args[2], context, EpisodeEstimator.self)
      let out = PRecord()
      for estimator in chosen {
        let values = try CoreBridge.run(context) { try estimator.episodeValues(episodes, gamma: gamma) }
        out[estimator.rawValue] = try interval(values, args, from: 3)
      }
      return .record(out)
    }
  }

  /// {value, low, high} from per-sample values and the interval arguments at `first`...
  static func interval(_ values: [Double], _ args: Args, from first: Int) throws -> Value {
    let alpha = try args.float(first), resamples = try args.int(first + 1)
    let seed = UInt64(bitPattern: Int64(try args.int(first + 2)))
    try AllocationLimit.elements([resamples, max(values.count, 1)], "ope")  // the bootstrap's draws
    let e = Bootstrap.meanInterval(values, alpha: alpha, resamples: resamples, seed: seed)
    return .record(PRecord([("value", .float(e.value)), ("low", .float(e.low)), ("high", .float(e.high))]))
  }

  static func names<Name: RawRepresentable & CaseIterable>(_ value: Value, _ context: String, _ type: Name.Type) throws -> [Name] where Name.RawValue == String {
    let known = Name.allCases.map { Format.quoted($0.rawValue) }.joined(separator: ", ")
    let items: [Value]
    switch value {
    case .string: items = [value]
    case .list(let l): items = l.items
    default: throw PavlovError.runtime("\(context): estimators must be a name or a list of names from \(known), got \(value.typeName)")
    }
    return try items.map { item in
      guard case .string(let s) = item, let name = Name(rawValue: s.value) else {
        throw PavlovError.runtime("\(context): unknown estimator \(Format.repr(item, limit: 40))", hint: "use one of \(known)")
      }
      return name
    }
  }

  /// A rounds × width matrix from a list of lists or a 2-D tensor, row by row.
  static func matrix(_ value: Value, _ context: String, _ what: String, rows: Int) throws -> (values: [Double], width: Int) {
    if case .object(let o) = value, let t = (o as? TensorValue)?.tensor {
      guard t.rank == 2, t.shape[0] == rows else {
        throw PavlovError.runtime("\(context): \(what) must be (rounds, actions) with \(rows) rounds, got shape \(Shape.describe(t.shape))")
      }
      return (t.data.map(Double.init), t.shape[1])
    }
    guard case .list(let list) = value, list.items.count == rows else {
      throw PavlovError.runtime("\(context): \(what) must be a list of \(rows) rows (one per round) or a (rounds, actions) tensor")
    }
    var values: [Double] = []
    var width = -1
    for (i, row) in list.items.enumerated() {
      let numbers = try SpaceBindings.reals(row, context, "\(what)[\(i)]")
      if width < 0 { width = numbers.count }
      guard numbers.count == width else { throw PavlovError.runtime("\(context): \(what)[\(i)] has \(numbers.count) numbers, row 0 has \(width)") }
      values += numbers
    }
    return (values, max(width, 0))
  }
}
