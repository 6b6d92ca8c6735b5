import PavlovCore
import PavlovLang
import PavlovTune

/// One hyperparameter's values in a sweep's space (`tune_choice([...])`, ...), as a Pavlov value.
final class SearchDomainValue: PObject {
  let domain: Domain

  nonisolated(unsafe) static let nativeType = NativeType(
    name: "search_space", doc: "Where one hyperparameter's values come from in a sweep: tune_grid, tune_choice, tune_uniform, tune_loguniform, tune_randint.")

  init(_ domain: Domain) {
    self.domain = domain
    super.init(type: SearchDomainValue.nativeType)
  }

  override var displayString: String {
    func list(_ values: [JSONValue]) -> String { values.map { (try? JSONWriter.string($0)) ?? "?" }.joined(separator: ", ") }
    switch domain {
    case .grid(let values): return "tune_grid([\(list(values))])"
    case .choice(let values): return "tune_choice([\(list(values))])"
    case .uniform(let a, let b): return "tune_uniform(\(Format.repr(.float(a))), \(Format.repr(.float(b))))"
    case .logUniform(let a, let b): return "tune_loguniform(\(Format.repr(.float(a))), \(Format.repr(.float(b))))"
    case .randInt(let a, let b): return "tune_randint(\(a), \(b))"
    case .constant(let v): return (try? JSONWriter.string(v)) ?? "?"
    case .record: return "<search_space record>"
    }
  }
}

/// A sweep's scheduler settings (`asha(...)`, `pbt(...)`), as a Pavlov value.
final class SchedulerValue: PObject {
  let settings: SchedulerSettings
  let name: String

  nonisolated(unsafe) static let nativeType = NativeType(
    name: "scheduler", doc: "A sweep's trial scheduler: asha(...) stops poor trials early, pbt(...) makes them clone and explore good ones.")

  init(_ settings: SchedulerSettings, name: String) {
    self.settings = settings
    self.name = name
    super.init(type: SchedulerValue.nativeType)
  }

  override var displayString: String { "<scheduler \(name)>" }
}

/// The search-space builtins (Ray Tune's `tune.grid_search`, `tune.choice`, ... under one
/// prefix, since `choice` and `randint` already draw at once) and the schedulers.
enum SearchSpaceBindings {
  static func register(_ r: Registry) {
    r.addType(SearchDomainValue.nativeType)
    r.addType(SchedulerValue.nativeType)
    r.function("tune_grid", [Param("values", doc: "a non-empty list: every value is tried, each in its own trials")],
               doc: "A grid dimension of a sweep's space: every value is tried, combined with every other grid (Ray's tune.grid_search).") { args in
      .object(SearchDomainValue(.grid(try values(args, 0, "tune_grid"))))
    }
    r.function("tune_choice", [Param("values", doc: "a non-empty list")],
               doc: "One of the values, drawn uniformly for each trial (Ray's tune.choice).") { args in
      .object(SearchDomainValue(.choice(try values(args, 0, "tune_choice"))))
    }
    r.function("tune_uniform", [Param("low", doc: "the lowest value", range: .finite), Param("high", doc: "the bound (excluded)", range: .finite)],
               doc: "A float drawn uniformly in [low, high) for each trial (Ray's tune.uniform).") { args in
      try domain(.uniform(try args.float(0), try args.float(1)), "tune_uniform")
    }
    r.function("tune_loguniform", [Param("low", doc: "the lowest value", range: .positive), Param("high", doc: "the bound (excluded)", range: .positive)],
               doc: "A float whose logarithm is uniform in [log low, log high), for learning rates and other scales (Ray's tune.loguniform).") { args in
      try domain(.logUniform(try args.float(0), try args.float(1)), "tune_loguniform")
    }
    r.function("tune_randint", [Param("low", doc: "the lowest value", range: .finite), Param("high", doc: "the bound (excluded)", range: .finite)],
               doc: "An int drawn uniformly in [low, high) for each trial (Ray's tune.randint: high excluded).") { args in
      try domain(.randInt(try args.int(0), try args.int(1)), "tune_randint")
    }
    r.function("asha", [
      Param("max_t", default: .int(ASHA.defaultMaxT), doc: "a trial ends when its time attribute reaches this", range: .count),
      Param("grace_period", default: .int(ASHA.defaultGracePeriod), doc: "no trial is stopped before this much time", range: .count),
      Param("reduction_factor", default: .float(ASHA.defaultReductionFactor), doc: "rungs at grace_period × factor^k; the top 1/factor of each rung goes on", range: .above(1)),
    ], doc: "Asynchronous successive halving (Ray's ASHAScheduler, same rules): stops trials whose metric is below the top 1/reduction_factor at a rung.") { args in
      let maxT = try args.int(0), grace = try args.int(1), factor = try args.float(2)
      _ = try CoreBridge.run("asha") { try ASHA(maxT: maxT, gracePeriod: grace, reductionFactor: factor) }
      return .object(SchedulerValue(.asha(maxT: maxT, gracePeriod: grace, reductionFactor: factor), name: "asha"))
    }
    r.function("pbt", [
      Param("mutations", doc: "a record: key → a search space (resampled, or its value × 1.2 or × 0.8) or a list (resampled, or a neighbouring value); nested records for nested configs"),
      Param("perturbation_interval", default: .int(PBT.defaultPerturbationInterval), doc: "time between a trial's exploit checks (in the sweep's time_attr)", range: .count),
      Param("quantile_fraction", default: .float(PBT.defaultQuantileFraction), doc: "the bottom fraction clones the top fraction",
            range: ParamRange(lower: 0, lowerOpen: true, upper: 0.5)),
      Param("resample_probability", default: .float(PBT.defaultResampleProbability), doc: "chance a mutated value is drawn afresh rather than perturbed", range: .probability),
      Param("burn_in", default: .int(0), doc: "no exploiting before this much time", range: .nonNegative),
    ], doc: "Population-based training (Ray's PopulationBasedTraining, same rules): trials in the bottom quantile load a top trial's checkpoint and go on with its config, explored. Needs trials that return a trainer (tune checkpoints it).") { args in
      let mutations = try self.mutations(args[0], path: [])
      let interval = try args.int(1), quantile = try args.float(2), resample = try args.float(3), burnIn = try args.int(4)
      _ = try CoreBridge.run("pbt") { () throws(CoreError) in
        try PBT(perturbationInterval: interval, mutations: mutations, quantileFraction: quantile, resampleProbability: resample, burnIn: burnIn)
      }
      return .object(SchedulerValue(.pbt(perturbationInterval: interval, mutations: mutations, quantileFraction: quantile,
                                         resampleProbability: resample, burnIn: burnIn), name: "pbt"))
    }
  }

  private static func values(_ args: Args, _ i: Int, _ name: String) throws -> [JSONValue] {
    guard case .list(let list) = args[i] else { throw args.typeError(i, "a list of values") }
    guard !list.items.isEmpty else { throw PavlovError.runtime("\(name): the list is empty", hint: "give at least one value") }
    return try list.items.enumerated().map { k, v in try json(v, "\(name): value \(k)") }
  }

  private static func domain(_ domain: Domain, _ name: String) throws -> Value {
    do { try domain.validate(path: name) } catch { throw PavlovError.runtime(error.message) }
    return .object(SearchDomainValue(domain))
  }

  static func json(_ value: Value, _ what: String) throws -> JSONValue {
    do { return try JSONConversion.value(value) } catch {
      throw PavlovError.runtime("\(what)\(error.renderedPath) \(error.problem)", hint: error.hint ?? "sweep configs hold numbers, strings, bools, lists and records")
    }
  }

  /// A sweep's space: a record of search spaces, constants and nested records.
  static func space(_ value: Value, path: String = "space") throws -> Domain {
    switch value {
    case .object(let d as SearchDomainValue): return d.domain
    case .record(let record):
      return .record(try zip(record.keys, record.values).map { key, v in
        let name = keyName(key)
        return (name, try space(v, path: path + "." + name))
      })
    default: return .constant(try json(value, path))
    }
  }

  static func keyName(_ key: RecordKey) -> String {
    switch key {
    case .string(let s): return s
    case .int(let i): return String(i)
    }
  }

  private static func mutations(_ value: Value, path: [String]) throws -> [(path: [String], mutation: Mutation)] {
    guard case .record(let record) = value else {
      throw PavlovError.runtime("pbt: mutations must be a record such as {lr: tune_loguniform(1e-4, 1e-2), clip: [0.1, 0.2, 0.3]}, got \(value.typeName)")
    }
    var out: [(path: [String], mutation: Mutation)] = []
    for (key, v) in zip(record.keys, record.values) {
      let here = path + [keyName(key)]
      switch v {
      case .object(let d as SearchDomainValue): out.append((here, .domain(d.domain)))
      case .list(let list): out.append((here, .values(try list.items.map { try json($0, "pbt: mutations.\(here.joined(separator: "."))") })))
      case .record: out += try mutations(v, path: here)
      default:
        throw PavlovError.runtime("pbt: mutations.\(here.joined(separator: ".")) must be a search space or a list of values, got \(v.typeName)")
      }
    }
    return out
  }
}
