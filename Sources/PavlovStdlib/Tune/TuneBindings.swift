import CPavlovSupport
import Glibc
import PavlovCore
import PavlovLang
import PavlovRL
import PavlovTune

/// `tune(...)` and `report(...)`: a sweep over a search space, its trials run by worker
/// processes that re-run the script (or by Ray tasks that do), decided by `Sweep`.
enum TuneBindings {
  static let params: [Param] = [
    Param("trial", doc: "a function of the config: it returns a trainer (tune trains it, an iteration per result), or calls report(...) as it trains"),
    Param("space", default: .record(PRecord()), doc: "a record: key → tune_grid/tune_choice/tune_uniform/tune_loguniform/tune_randint, a constant, or a nested record"),
    Param("samples", default: .int(1), doc: "how many times the space is sampled (× every grid combination); with search: \"tpe\", the number of trials", range: .count),
    Param("metric", default: .null, doc: "the result key trials are ranked by, e.g. \"mean_return\""),
    Param("mode", default: .str("max"), doc: "\"max\" or \"min\": which way the metric is better"),
    Param("search", default: .str(SearchAlgorithm.random.rawValue), doc: "\"random\" (grid combinations and random draws) or \"tpe\" (configs suggested from finished trials)"),
    Param("scheduler", default: .null, doc: "asha(...) or pbt(...); nil: every trial runs to its end (FIFO)"),
    Param("stop", default: .null, doc: "a record key → threshold: a trial ends once a result reaches it, e.g. {timesteps: 100000}"),
    Param("time_attr", default: .str(Sweep.iterationKey), doc: "the result key that measures progress, for the scheduler and the virtual clock (e.g. \"timesteps\")"),
    Param("max_concurrent", default: .null, doc: "trials at once; nil: one per core (local) or 4 (ray)", range: .count),
    Param("seed", default: .int(0), doc: "the searcher's seed: the same seed gives the same configs", range: .finite),
    Param("folder", default: .null, doc: "the sweep folder; nil: runs/tune-SCRIPT"),
    Param("executor", default: .str("local"), doc: "\"local\" (worker processes) or \"ray\" (tasks on a Ray cluster: see docs/sweeps.md)"),
    Param("resume", default: .bool(false), doc: "continue the sweep already in the folder, keeping its finished trials"),
    Param("eval_every", default: .int(0), doc: "for trainers: add eval_mean_return, a deterministic evaluation, every this many results (0: never)", range: .nonNegative),
    Param("eval_episodes", default: .int(Evaluation.episodes), doc: "episodes per evaluation", range: .count),
    Param("verbose", default: .bool(true), doc: "show progress on standard error and print the table at the end"),
  ]

  static func register(_ r: Registry) {
    r.function("tune", params, doc: """
      Runs a hyperparameter sweep (like Ray Tune's Tuner.fit): each trial calls `trial` with a config drawn from `space`, in worker processes that re-run this script up to this call, max_concurrent at a time; the scheduler stops or clones trials by `metric`; results, configs and a table go to the sweep folder. The same seed gives the same trials, decisions and results. Returns {folder, best_trial, best_config, best_result, trials, table}.
      """) { args in
      if let worker = try TuneWorker.fromEnvironment() {
        try worker.run(try args.callable(0), options: try trialOptions(args), interpreter: args.interpreter)
      }
      return try TuneRun(args).run()
    }
    r.function("report", [Param("metrics", kind: .keywords, doc: "the result's metrics, e.g. report(mean_return: r, loss: l)")],
               doc: "Inside a sweep's trial: reports one result to the sweep and waits for its decision (the trial may be stopped here). Outside a sweep: prints the metrics.") { args in
      guard case .record(let metrics) = args[0] else { return .null }
      guard let worker = TuneWorker.of(args.interpreter) else {
        args.interpreter.write("report: " + Format.display(.record(metrics)) + "\n")
        return .null
      }
      switch try worker.report(try SearchSpaceBindings.json(.record(metrics), "report: metrics")) {
      case .proceed: return .null
      case .stop: throw TuneWorker.stopError()
      case .save, .exploit:
        throw PavlovError.runtime("report: pbt needs the trial function to return a trainer, which tune can checkpoint and restore",
                                  hint: "return the trainer (ppo(...), dqn(...)) from the trial function instead of reporting yourself")
      }
    }
  }

  static func trialOptions(_ args: Args) throws -> TrialOptions {
    TrialOptions(evalEvery: try args.int(14), evalEpisodes: try args.int(15))
  }
}

/// One `tune(...)` call on the driver's side.
struct TuneRun {
  let args: Args
  let interpreter: Interpreter

  init(_ args: Args) {
    self.args = args
    interpreter = args.interpreter
  }

  func run() throws -> Value {
    // Every argument is checked before the sweep needs its script: a bad setting is reported as
    // such, in the REPL too.
    _ = try args.callable(0)
    let cli = TuneContext.of(interpreter)
    let executor = try cli?.executor ?? args.string(12)
    let settings = try self.settings(maxConcurrentFromCommandLine: cli?.maxConcurrent, executor: executor)
    let options = try TuneBindings.trialOptions(args)
    guard let context = cli else {
      throw PavlovError.runtime("tune: a sweep runs its trials in worker processes that re-run its script, so it needs a script file",
                                hint: "put the sweep in a .pav file and run it with `pavlov tune FILE` (or `pavlov run FILE`)")
    }
    context.sweepsStarted += 1
    guard context.sweepsStarted == 1 else {
      throw PavlovError.runtime("tune: a script runs one sweep (its workers re-run it up to its tune call)", hint: "put each sweep in a script of its own")
    }
    let folder = SweepFolder(path: try folderPath(context))
    let resume = try context.resume || args.bool(13)
    let verbose = try args.bool(16)

    let description = SweepFolder.describe(settings, script: Self.baseName(context.script), trialOptions: options)
    var log: [(trial: Int, message: TrialMessage)] = []
    if let existing = try? Files.read(folder.settingsFile) {
      if context.force {
        try folder.clear()
      } else if resume {
        let saved = try? JSONParser.parse(String(decoding: existing, as: UTF8.self))
        guard saved.map({ $0 == description }) ?? false else {
          throw PavlovError.runtime("tune: \(folder.path) holds a sweep with other settings; it cannot be resumed with these",
                                    hint: "resume it with the script as it was, replace it with `pavlov tune --force \(context.script)`, or give tune(...) another folder: argument")
        }
        log = try CoreBridge.run("tune") { try folder.events() }
      } else {
        throw PavlovError.runtime("tune: \(folder.path) already holds a sweep; it is not overwritten",
                                  hint: "continue it with `pavlov tune --resume \(context.script)` (or resume: true), replace it with `pavlov tune --force \(context.script)`, or give tune(...) another folder: argument")
      }
    }
    // Absolute: a worker on a Ray node runs in a copy of the script's folder.
    let checkpoints = SweepFolder(path: Self.absolute(folder.path))
    let sweep = try CoreBridge.run("tune") { try Sweep(settings) { checkpoints.trial($0) + "/checkpoints/pbt-\($1).safetensors" } }
    let settingsText = try CoreBridge.run("tune") { try JSONWriter.string(description, indent: 2) + "\n" }
    try Posix.makeDirectories(folder.path, "tune")
    try Posix.writeAtomically(folder.settingsFile, Array(settingsText.utf8), "tune")
    let launcher = try makeLauncher(executor, context: context)
    let token = try Self.randomToken()
    let program = try workerProgram(executor, context: context)
    let events: AppendLog
    do { events = try AppendLog(folder.eventsFile, separateFromPartialLine: true) } catch { throw Posix.failure("tune", error) }
    var driver: SweepDriver! = nil
    driver = try CoreBridge.run("tune") { () throws(CoreError) in
      try SweepDriver(sweep: sweep, launcher: launcher, token: token) { trial, config in
        let trialFolder = folder.trial(trial)
        try? Files.makeDirectories(trialFolder)
        if let text = try? JSONWriter.string(config, indent: 2) { try? Files.writeAtomically(trialFolder + "/config.json", Array((text + "\n").utf8)) }
        try? Files.writeAtomically(trialFolder + "/metrics.jsonl", [])
        let spec: JSONValue = .object([("address", .string(driver.address)), ("token", .string(token)), ("trial", .int(trial)),
                                       ("config", config), ("folder", .string(checkpoints.trial(trial)))])
        return (program.arguments, [(TuneWorker.variable, (try? JSONWriter.string(spec)) ?? "{}")] + program.environment, trialFolder + "/output.txt")
      }
    }
    let progress = SweepProgress(sweep: sweep, interpreter: interpreter, enabled: verbose)
    let boards = TrialBoards(folder: folder)
    // Wall-clock times of trial ends, apart from the results (which hold none): for benchmarks.
    let timeline = folder.path + "/timeline.jsonl"
    if log.isEmpty { try Posix.writeAtomically(timeline, [], "tune") }
    let started = Files.monotonicNanoseconds()
    driver.observe = { trial, message, _ in
      try events.append(try SweepFolder.logLine(trial, message))
      let record = sweep.trials[trial]
      if case .result = message, let row = record.last { try boards.log(trial, row, config: record.config) }
      if record.status != .running {
        let seconds = Double(Files.monotonicNanoseconds() - started) / 1e9
        let row: JSONValue = .object([("trial", .int(trial)), ("status", .string(record.status.rawValue)), ("results", .int(record.results)),
                                      ("seconds", .float((seconds * 1000).rounded() / 1000)), ("last", record.last ?? .null), ("resumed", .bool(!log.isEmpty))])
        try Files.append(timeline, Array((try JSONWriter.string(row) + "\n").utf8))
      }
      if case .result = message, let row = sweep.trials[trial].last {
        try Files.append(folder.trial(trial) + "/metrics.jsonl", Array((try JSONWriter.string(row) + "\n").utf8))
      }
      progress.update(trial)
    }
    driver.interrupted = { pavlov_take_interrupt() != 0 }
    driver.tick = { progress.tick() }
    do {
      try CoreBridge.run("tune") { try driver.run(replaying: log) }
    } catch {
      progress.finish()
      try? writeResults(sweep, folder)
      if error.message.hasSuffix("interrupted") {
        interpreter.writeStatus("tune: stopped; finished trials are kept in \(folder.path). Continue with `pavlov tune --resume \(context.script)`\n")
        throw PavlovError.interrupted()
      }
      throw error
    }
    progress.finish()
    try writeResults(sweep, folder)
    let table = SweepFolder.table(sweep)
    if verbose { interpreter.write(table + "\n") }
    return result(sweep, folder, table: table)
  }

  private func writeResults(_ sweep: Sweep, _ folder: SweepFolder) throws {
    var lines = ""
    for trial in sweep.trials {
      lines += try CoreBridge.run("tune") { () throws(CoreError) in
        try JSONWriter.string(SweepFolder.row(trial, folder: folder.trial(trial.id), metric: sweep.settings.metric))
      } + "\n"
    }
    try Posix.writeAtomically(folder.path + "/results.jsonl", Array(lines.utf8), "tune")
    try Posix.writeAtomically(folder.path + "/table.txt", Array((SweepFolder.table(sweep) + "\n").utf8), "tune")
    if let best = sweep.best {
      let text = try CoreBridge.run("tune") { try JSONWriter.string(best.config, indent: 2) }
      try Posix.writeAtomically(folder.path + "/best_config.json", Array((text + "\n").utf8), "tune")
    }
  }

  private func result(_ sweep: Sweep, _ folder: SweepFolder, table: String) -> Value {
    let metric = sweep.settings.metric
    let best = sweep.best
    return .record(PRecord([
      ("folder", .str(folder.path)),
      ("best_trial", best.map { .int($0.id) } ?? .null),
      ("best_config", best.map { $0.config.pavlovValue } ?? .null),
      ("best_result", best?.last?.pavlovValue ?? .null),
      ("trials", .list(PList(sweep.trials.map { SweepFolder.row($0, folder: folder.trial($0.id), metric: metric).pavlovValue }))),
      ("table", .str(table)),
    ]))
  }

  private func settings(maxConcurrentFromCommandLine: Int?, executor: String) throws -> SweepSettings {
    let space = try SearchSpaceBindings.space(args[1])
    guard case .record = space else { throw args.typeError(1, "a record of hyperparameters") }
    let samples = try args.int(2)
    let metric: String? = args.isNull(3) ? nil : try args.string(3)
    let modeText = try args.string(4)
    let mode = try CoreBridge.run("tune") { try MetricMode(modeText, for: "tune") }
    guard let search = SearchAlgorithm(rawValue: try args.string(5)) else {
      throw PavlovError.runtime("tune: unknown search \"\(try args.string(5))\"", hint: "one of: \(SearchAlgorithm.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    var scheduler = SchedulerSettings.fifo
    if !args.isNull(6) {
      guard case .object(let s as SchedulerValue) = args[6] else { throw args.typeError(6, "asha(...) or pbt(...)") }
      scheduler = s.settings
    }
    var stop: [(key: String, value: Double)] = []
    if !args.isNull(7) {
      guard case .record(let record) = args[7] else { throw args.typeError(7, "a record such as {timesteps: 100000}") }
      for (key, value) in zip(record.keys, record.values) {
        let name = SearchSpaceBindings.keyName(key)
        switch value {
        case .int(let i): stop.append((name, Double(i)))
        case .float(let d) where !d.isNaN: stop.append((name, d))
        default: throw PavlovError.runtime("tune: stop.\(name) must be a number, got \(value.typeName)")
        }
      }
    }
    // The command line's --max-concurrent (checked there) wins over the argument, which is still checked.
    let given: Int? = args.isNull(9) ? nil : try args.int(9)
    let maxConcurrent = min(maxConcurrentFromCommandLine ?? given ?? (executor == "ray" ? 4 : Processors.online), 1024)
    return SweepSettings(space: space, samples: samples, search: search, scheduler: scheduler, metric: metric, mode: mode, stop: stop,
                         timeAttribute: try args.string(8), maxConcurrent: maxConcurrent, seed: UInt64(bitPattern: Int64(try args.int(10))))
  }

  private func folderPath(_ context: TuneContext) throws -> String {
    if let folder = context.folder { return folder }
    if !args.isNull(11) { return try args.string(11) }
    return "runs/tune-" + Self.baseName(context.script).replacingSuffix(".pav")
  }

  static func baseName(_ path: String) -> String { path.split(separator: "/").last.map(String.init) ?? path }

  private func makeLauncher(_ executor: String, context: TuneContext) throws -> TrialLauncher {
    switch executor {
    case "local": return LocalLauncher()
    case "ray":
      let address = context.rayAddress ?? (getenv("RAY_ADDRESS").map { String(cString: $0) })
      guard let address, !address.isEmpty else {
        throw PavlovError.runtime("tune: the ray executor needs the cluster's address",
                                  hint: "pass --ray-address HOST:PORT to pavlov tune, or set RAY_ADDRESS (the head's address, as `ray start --head` prints it)")
      }
      let python = getenv("PAVLOV_RAY_PYTHON").map { String(cString: $0) } ?? "python3"
      return try CoreBridge.run("tune") { () throws(CoreError) in
        try RayLauncher(address: address, python: python, workingDirectory: Files.directory(of: Self.absolute(context.script)))
      }
    default:
      throw PavlovError.runtime("tune: unknown executor \"\(executor)\"", hint: "\"local\" or \"ray\"")
    }
  }

  /// The command a worker runs: this pavlov, on the same script, seed and arguments.
  private func workerProgram(_ executor: String, context: TuneContext) throws -> (arguments: [String], environment: [(String, String)]) {
    var binary = [CChar](repeating: 0, count: 4096)
    let n = readlink("/proc/self/exe", &binary, binary.count - 1)
    guard n > 0 else { throw PavlovError.runtime("tune: cannot find the pavlov binary to start workers with") }
    let pavlov = String(decoding: binary[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    // Ray runs a task in a copy of the script's folder; local workers get the path as given.
    let script = executor == "ray" ? Self.baseName(context.script) : Self.absolute(context.script)
    var arguments = [pavlov, "run", script]
    if let seed = context.seed { arguments += ["--seed", String(seed)] }
    arguments += ["--"] + context.arguments
    return (arguments, [])
  }

  /// 128 bits from the kernel: what a worker must show to be taken for a trial.
  static func randomToken() throws -> String {
    let fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw PavlovError.runtime("tune: cannot read /dev/urandom for the sweep's token: \(Posix.reason(errno))") }
    defer { close(fd) }
    var bytes = [UInt8](repeating: 0, count: 16)
    guard read(fd, &bytes, 16) == 16 else { throw PavlovError.runtime("tune: cannot read /dev/urandom for the sweep's token") }
    return bytes.map { String($0, radix: 16) }.joined(separator: "-")
  }

  static func absolute(_ path: String) -> String {
    if path.hasPrefix("/") { return path }
    return Posix.currentDirectory() + "/" + path
  }
}

extension String {
  func replacingSuffix(_ suffix: String) -> String { hasSuffix(suffix) ? String(dropLast(suffix.count)) : self }
}
