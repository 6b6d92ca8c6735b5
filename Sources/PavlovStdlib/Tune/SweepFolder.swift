import Glibc
import PavlovCore
import PavlovLang
import PavlovTune

/// A sweep's folder: `sweep.json` (what decides the sweep), `events.jsonl` (every message the
/// sweep handled, in order — what a resume replays), a folder per trial (`trial-0003/`:
/// config.json, metrics.jsonl, output.txt, checkpoints/), and at the end `results.jsonl`,
/// `best_config.json` and `table.txt`. Metrics hold no wall-clock figures, so two runs of one
/// sweep write the same files.
struct SweepFolder {
  let path: String

  func trial(_ id: Int) -> String { path + "/trial-" + String(repeating: "0", count: max(0, 4 - String(id).count)) + String(id) }
  var settingsFile: String { path + "/sweep.json" }
  var eventsFile: String { path + "/events.jsonl" }

  /// Empties the folder of an earlier sweep (`--force`): its trial folders, logs and results.
  /// Only what a sweep writes is removed, and links are removed, never followed.
  func clear() throws {
    for name in try Posix.listDirectory(path, "tune --force") {
      let entry = path + "/" + name
      if name.hasPrefix("trial-") {
        try Self.removeTrial(entry)
      } else if ["sweep.json", "events.jsonl", "results.jsonl", "best_config.json", "table.txt", "timeline.jsonl"].contains(name) {
        try Self.remove(entry, folder: false)
      }
    }
  }

  /// A trial folder: its files and its checkpoints/ folder of files.
  private static func removeTrial(_ trial: String) throws {
    guard let info = Files.info(trial), Files.isDirectory(info) else { return try remove(trial, folder: false) }
    for name in try Posix.listDirectory(trial, "tune --force") {
      let entry = trial + "/" + name
      var link = stat()
      if lstat(entry, &link) == 0, (link.st_mode & S_IFMT) == S_IFDIR {
        for inner in try Posix.listDirectory(entry, "tune --force") { try remove(entry + "/" + inner, folder: false) }
        try remove(entry, folder: true)
      } else {
        try remove(entry, folder: false)
      }
    }
    try remove(trial, folder: true)
  }

  private static func remove(_ path: String, folder: Bool) throws {
    guard (folder ? rmdir(path) : unlink(path)) == 0 || errno == ENOENT else {
      throw Posix.failure("tune --force", "remove", path, errno)
    }
  }

  /// A description of everything that decides the sweep, to refuse resuming a different one.
  static func describe(_ settings: SweepSettings, script: String, trialOptions: TrialOptions) -> JSONValue {
    func domain(_ d: Domain) -> JSONValue {
      switch d {
      case .grid(let v): return .object([("grid", .array(v))])
      case .choice(let v): return .object([("choice", .array(v))])
      case .uniform(let a, let b): return .object([("uniform", .array([.float(a), .float(b)]))])
      case .logUniform(let a, let b): return .object([("loguniform", .array([.float(a), .float(b)]))])
      case .randInt(let a, let b): return .object([("randint", .array([.int(a), .int(b)]))])
      case .constant(let v): return .object([("constant", v)])
      case .record(let members): return .object(members.map { ($0.key, domain($0.domain)) })
      }
    }
    let scheduler: JSONValue
    switch settings.scheduler {
    case .fifo: scheduler = .string("fifo")
    case .asha(let maxT, let grace, let factor):
      scheduler = .object([("asha", .object([("max_t", .int(maxT)), ("grace_period", .int(grace)), ("reduction_factor", .float(factor))]))])
    case .pbt(let interval, let mutations, let quantile, let resample, let burnIn):
      let described: [(String, JSONValue)] = mutations.map { path, mutation in
        switch mutation {
        case .values(let values): return (path.joined(separator: "."), .array(values))
        case .domain(let d): return (path.joined(separator: "."), domain(d))
        }
      }
      scheduler = .object([("pbt", .object([("perturbation_interval", .int(interval)), ("mutations", .object(described)),
                                            ("quantile_fraction", .float(quantile)), ("resample_probability", .float(resample)),
                                            ("burn_in", .int(burnIn))]))])
    }
    return .object([
      ("script", .string(script)), ("space", domain(settings.space)), ("samples", .int(settings.samples)),
      ("search", .string(settings.search.rawValue)), ("scheduler", scheduler),
      ("metric", settings.metric.map { .string($0) } ?? .null), ("mode", .string(settings.mode.rawValue)),
      ("stop", .object(settings.stop.map { ($0.key, .float($0.value)) })), ("time_attr", .string(settings.timeAttribute)),
      ("max_concurrent", .int(settings.maxConcurrent)), ("seed", .int(Int(bitPattern: UInt(settings.seed)))),
      ("eval_every", .int(trialOptions.evalEvery)), ("eval_episodes", .int(trialOptions.evalEpisodes)),
    ])
  }

  /// The logged messages of an earlier run, in order; a line cut short by a crash ends the log.
  func events() throws(CoreError) -> [(trial: Int, message: TrialMessage)] {
    guard Files.info(eventsFile) != nil else { return [] }
    let bytes: [UInt8]
    do { bytes = try Files.read(eventsFile) } catch { throw CoreError(error.message, hint: error.hint) }
    var out: [(Int, TrialMessage)] = []
    for line in bytes.split(separator: 0x0A) {
      guard let json = try? JSONParser.parse(String(decoding: line, as: UTF8.self)), let trial = json["trial"]?.int,
            let message = try? SweepDriver.message(json) else { break }
      out.append((trial, message))
    }
    return out
  }

  static func logLine(_ trial: Int, _ message: TrialMessage) throws(CoreError) -> [UInt8] {
    guard case .object(let members) = SweepDriver.encode(message) else { return [] }
    return Array((try JSONWriter.string(.object([("trial", .int(trial))] + members)) + "\n").utf8)
  }

  /// One row per trial, for results.jsonl and the sweep's return value.
  static func row(_ trial: TrialRecord, folder: String, metric: String?) -> JSONValue {
    .object([
      ("trial", .int(trial.id)), ("status", .string(trial.status.rawValue)), ("config", trial.config),
      ("results", .int(trial.results)), ("metric", trial.metric(metric).map { .float($0) } ?? .null),
      ("last", trial.last ?? .null), ("error", trial.error.map { .string($0) } ?? .null), ("folder", .string(folder)),
    ])
  }

  /// The trials as a text table, best first by the metric (failed and unscored trials last).
  static func table(_ sweep: Sweep, limit: Int = Int.max) -> String {
    let metric = sweep.settings.metric
    let sign = sweep.settings.mode.sign
    let ranked = sweep.trials.sorted { a, b in
      switch (a.metric(metric), b.metric(metric)) {
      case (let x?, let y?): return (-sign * x, a.id) < (-sign * y, b.id)
      case (.some, nil): return true
      case (nil, .some): return false
      case (nil, nil): return a.id < b.id
      }
    }
    let keys = leafPaths(sweep.settings.space)
    var header = ["trial", "status"] + keys.map { $0.joined(separator: ".") } + ["results"]
    if sweep.settings.timeAttribute != Sweep.iterationKey { header.append(sweep.settings.timeAttribute) }
    if let metric { header.append(metric) }
    var rows: [[String]] = []
    for trial in ranked.prefix(limit) {
      var row = [String(trial.id), trial.status.rawValue]
      row += keys.map { cell(ConfigPath.value(at: $0, in: trial.config)) }
      row.append(String(trial.results))
      if sweep.settings.timeAttribute != Sweep.iterationKey { row.append(cell(trial.last?[sweep.settings.timeAttribute])) }
      if metric != nil { row.append(cell(trial.last?[metric!])) }
      rows.append(row)
    }
    var widths = header.map(\.count)
    for row in rows { for (i, c) in row.enumerated() { widths[i] = max(widths[i], c.count) } }
    func line(_ cells: [String]) -> String {
      cells.enumerated().map { i, c in i < 2 ? c + String(repeating: " ", count: widths[i] - c.count) : String(repeating: " ", count: widths[i] - c.count) + c }
        .joined(separator: "  ")
    }
    var out = [line(header)]
    out += rows.map(line)
    if ranked.count > limit { out.append("... \(ranked.count - limit) more trials") }
    return out.joined(separator: "\n")
  }

  /// The config keys a sweep varies or fixes (depth first, in the space's order).
  static func leafPaths(_ domain: Domain, prefix: [String] = []) -> [[String]] {
    if case .record(let members) = domain { return members.flatMap { leafPaths($0.domain, prefix: prefix + [$0.key]) } }
    return prefix.isEmpty ? [] : [prefix]
  }

  static func cell(_ value: JSONValue?) -> String {
    switch value {
    case nil, .null?: return "-"
    case .float(let d)?: return (try? Format.format(.float(d), spec: ".4g")) ?? Format.float(d)
    case .int(let i)?: return String(i)
    case .string(let s)?: return s
    case .bool(let b)?: return b ? "true" : "false"
    case let other?: return (try? JSONWriter.string(other)) ?? "?"
    }
  }
}

/// Each trial's TensorBoard log in its folder, written by the driver from the results it
/// handles (so a trial on a Ray node logs to the driver's disk too): the config as
/// hyperparameters, then every number of each result as `tune/KEY` at its training_iteration.
final class TrialBoards {
  let folder: SweepFolder
  private var writers: [Int: TensorBoardWriter] = [:]

  init(folder: SweepFolder) { self.folder = folder }

  func log(_ trial: Int, _ row: JSONValue, config: JSONValue) throws {
    let writer: TensorBoardWriter
    if let open = writers[trial] {
      writer = open
    } else {
      do {
        writer = try TensorBoardWriter(directory: folder.trial(trial))
        try writer.hyperparameters(Self.flatten(config).map { name, value in
          switch value {
          case .int(let n): return (name, .number(Double(n)))
          case .float(let x): return (name, .number(x))
          case .bool(let b): return (name, .bool(b))
          case .string(let s): return (name, .string(s))
          default: return (name, .string((try? JSONWriter.string(value)) ?? ""))
          }
        })
      } catch { throw Posix.failure("tune", error) }
      writers[trial] = writer
    }
    guard case .object(let fields) = row, let step = row[Sweep.iterationKey]?.int else { return }
    let scalars: [(tag: String, value: Double)] = fields.compactMap { key, value in
      guard case .bool = value else { return value.double.flatMap { $0.isFinite ? ("tune/" + key, $0) : nil } }
      return nil
    }
    do { try writer.scalars(scalars, step: step) } catch { throw Posix.failure("tune", error) }
  }

  /// A nested config's leaves as `model.hidden`-style names.
  static func flatten(_ config: JSONValue, prefix: String = "") -> [(String, JSONValue)] {
    guard case .object(let fields) = config else { return prefix.isEmpty ? [] : [(prefix, config)] }
    return fields.flatMap { key, value in flatten(value, prefix: prefix.isEmpty ? key : prefix + "." + key) }
  }
}
