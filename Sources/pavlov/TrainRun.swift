import CPavlovSupport
import Glibc
import PavlovCore
import PavlovLang
import PavlovRL
import PavlovStdlib

/// What `pavlov train` was asked for (like `rllib train --algo PPO --env CartPole-v1 --stop ...`).
public struct TrainRequest {
  public var algorithm: String
  public var env: String
  /// `iterations=N`, `timesteps=N`, `mean_return=X`; training stops at the first one reached.
  public var stops: [String]
  /// `key=value` pairs passed to the algorithm's builtin (`lr=0.001`, `hidden=[64,64]`).
  public var config: [String]
  public var seed: Int
  public var out: String?
  public var evalEpisodes: Int
  /// Save a checkpoint every this many iterations (0: only at the end).
  public var checkpointEvery: Int
  /// `key=value` options for the env (`is_slippery=false`), as `make` takes them.
  public var envOptions: [String] = []
  /// Replace an earlier run in `out` instead of refusing.
  public var force = false

  public init(algorithm: String, env: String, stops: [String], config: [String], seed: Int, out: String?,
              evalEpisodes: Int, checkpointEvery: Int) {
    self.algorithm = algorithm
    self.env = env
    self.stops = stops
    self.config = config
    self.seed = seed
    self.out = out
    self.evalEpisodes = evalEpisodes
    self.checkpointEvery = checkpointEvery
  }
}

/// `pavlov train`: builds the trainer through the algorithm's Pavlov builtin (so every config
/// key is checked and documented in one place), trains it with a progress line, and keeps a run
/// folder: config.json, metrics.jsonl (a row per iteration), checkpoints/, summary.json.
public enum TrainRun {
  /// Algorithms the CLI can train (their builtins return the shared trainer type).
  static let algorithms = ["ppo", "a2c", "dqn", "sac", "td3", "ddpg", "reinforce", "es", "ma_ppo", "ma_dqn"]
  /// The multi-agent ones: a multi-agent env id, `--config mapping={...}` / `policies=[...]`.
  static let multiAgentAlgorithms = ["ma_ppo", "ma_dqn"]

  public static func run(_ request: TrainRequest, interpreter: Interpreter) throws -> String {
    let algorithm = request.algorithm.lowercased()
    guard algorithms.contains(algorithm), interpreter.registry.function(named: algorithm) != nil else {
      let names = Set(interpreter.registry.functionNames)  // without registering every trainer for a hint
      let known = algorithms.filter(names.contains)
      throw PavlovError.runtime("pavlov train: unknown algorithm \"\(request.algorithm)\"", hint: "use one of: \(known.map { $0.uppercased() }.joined(separator: ", "))")
    }
    let (budget, capped) = try self.budget(request.stops)
    let folder = request.out ?? "runs/\(algorithm)-\(envLabel(request.env))-seed\(request.seed)"
    if Files.info(folder + "/config.json") != nil && !request.force {
      throw PavlovError.runtime("pavlov train: \(folder) already holds a run; it is not overwritten",
                                hint: "continue it with --resume \(folder), replace it with --force, or choose another folder with --out")
    }
    let callText = try callSource(algorithm, request)
    let value = try interpreter.run(source: callText, name: "--config")
    if multiAgentAlgorithms.contains(algorithm) {
      return try MultiAgentTrainRun.run(value, budget: budget, folder: folder, algorithm: algorithm, request: request, call: callText, interpreter: interpreter)
    }
    guard let trainer = FrontEndAccess.trainer(value)?.trainer else {
      throw PavlovError.runtime("pavlov train: \(algorithm)(...) did not return a trainer")
    }
    try files { try Files.makeDirectories(folder + "/checkpoints") }
    if request.force { try removeCheckpoints(folder) }
    let config = PRecord([
      ("algorithm", .str(algorithm)), ("env", .str(request.env)),
      ("env_options", .list(PList(request.envOptions.map { .str($0) }))), ("seed", .int(request.seed)),
      ("stop", .list(PList(request.stops.map { .str($0) }))), ("budget", budgetValue(budget, capped: capped)),
      ("eval_episodes", .int(request.evalEpisodes)), ("checkpoint_every", .int(request.checkpointEvery)), ("call", .str(callText)),
      ("hyperparameters", (try? JSONParser.parse(trainer.configJSON)).map(FrontEndAccess.value) ?? .str(trainer.configJSON)),
    ])
    let configText = try write(folder + "/config.json", .record(config), indent: 2)
    try files { try Files.writeAtomically(folder + "/metrics.jsonl", []) }
    return try train(trainer, budget: budget, folder: folder, algorithm: algorithm, request: request, config: configText,
                     interpreter: interpreter, resumed: false)
  }

  /// `pavlov train --resume RUN`: loads RUN's last checkpoint with the env it was made with and
  /// trains on to the run's budget (or to `stops`, when given), appending to metrics.jsonl — the
  /// rows an uninterrupted run would have written, bit for bit.
  public static func resume(_ folder: String, stops: [String], interpreter: Interpreter) throws -> String {
    let configPath = folder + "/config.json"
    let text: [UInt8]
    do { text = try Files.read(configPath) } catch {
      throw PavlovError.runtime("pavlov train --resume: cannot read \(configPath): \(error.message)", hint: "give the folder of an earlier pavlov train run")
    }
    guard case .record(let saved) = FrontEndAccess.value(try CoreBridge.run("pavlov train --resume") { try JSONParser.parse(String(decoding: text, as: UTF8.self)) }),
          case .string(let algorithm) = saved["algorithm"] ?? .null, case .string(let env) = saved["env"] ?? .null,
          case .int(let seed) = saved["seed"] ?? .null else {
      throw PavlovError.runtime("pavlov train --resume: \(configPath) lacks algorithm, env or seed", hint: "the run folder is damaged")
    }
    if multiAgentAlgorithms.contains(algorithm.value) {
      throw PavlovError.runtime("pavlov train --resume: \(folder) is a \(algorithm.value) run, and multi-agent trainers have no checkpoints yet",
                                hint: "start a new run with a larger --stop")
    }
    func strings(_ key: String) -> [String] {
      guard case .list(let items) = saved[key] ?? .null else { return [] }
      return items.items.compactMap { if case .string(let s) = $0 { return s.value } else { return nil } }
    }
    func int(_ key: String, _ fallback: Int) -> Int { if case .int(let v) = saved[key] ?? .null { return v } else { return fallback } }
    var request = TrainRequest(algorithm: algorithm.value, env: env.value, stops: stops.isEmpty ? strings("stop") : stops, config: [], seed: seed,
                               out: folder, evalEpisodes: int("eval_episodes", Evaluation.episodes),
                               checkpointEvery: int("checkpoint_every", 0))
    request.envOptions = strings("env_options")
    let checkpoint = folder + "/checkpoints/final.safetensors"
    guard Files.info(checkpoint) != nil else {
      throw PavlovError.runtime("pavlov train --resume: \(checkpoint) is missing", hint: "a run writes it when it ends or is stopped with Ctrl-C")
    }
    let value = try interpreter.run(source: "\(try envPrelude(request))load_trainer(\(Format.quoted(checkpoint)), env: \(try envExpression(request)))",
                                    name: "--resume")
    guard let trainer = FrontEndAccess.trainer(value)?.trainer else { throw PavlovError.runtime("pavlov train --resume: \(checkpoint) did not load a trainer") }
    let metrics = folder + "/metrics.jsonl"
    if let kept = try CoreBridge.run("pavlov train --resume", { try Files.cutTornJSONLine(metrics) }) {
      interpreter.writeStatus(Files.tornLineWarning(metrics, kept: kept))
    }
    var (budget, _) = try self.budget(request.stops)
    if let total = budget.timesteps { budget.timesteps = total - trainer.timesteps }
    if let total = budget.iterations { budget.iterations = total - trainer.iterations }
    if (budget.timesteps.map { $0 <= 0 } ?? false) || (budget.iterations.map { $0 <= 0 } ?? false) {
      throw PavlovError.runtime("pavlov train --resume: \(folder) already reached its budget (\(trainer.timesteps) steps, \(trainer.iterations) iterations)",
                                hint: "give a larger one, e.g. --stop timesteps=\(trainer.timesteps * 2)")
    }
    return try train(trainer, budget: budget, folder: folder, algorithm: algorithm.value, request: request,
                     config: String(decoding: text, as: UTF8.self), interpreter: interpreter, resumed: true)
  }

  /// Trains with a progress line, appending a metrics row per iteration, then saves, evaluates
  /// and writes summary.json.
  static func train(_ trainer: any Trainer, budget: Budget, folder: String, algorithm: String, request: TrainRequest, config configText: String,
                    interpreter: Interpreter, resumed: Bool) throws -> String {

    let board = try CoreBridge.run("pavlov train") { try TrainingBoard(directory: folder, trainer: trainer, config: configText) }
    let progress = TrainStatsProgress(total: budget, display: TrainingProgress(interactive: isatty(1) != 0, write: interpreter.write))
    let start = Files.monotonicNanoseconds()
    var stoppedByUser = false
    var last: TrainStats?
    let everyCheckpoint = request.checkpointEvery
    try CoreBridge.run {
      last = try trainer.train(budget) { stats in
        // Wall-clock figures stay out of the file: two runs of one seed write identical metrics.
        guard case .record(let row) = FrontEndAccess.record(stats) else { return .proceed }
        row["fps"] = nil
        let line = try json(.record(row)) + "\n"
        try Files.append(folder + "/metrics.jsonl", Array(line.utf8))
        try board.log(stats)
        try progress.update(stats)
        if everyCheckpoint > 0, stats.iteration % everyCheckpoint == 0 {
          try trainer.save(to: folder + "/checkpoints/iteration-\(stats.iteration).safetensors")
        }
        // Ctrl-C stops after the current update; the run folder stays complete.
        if pavlov_take_interrupt() != 0 { stoppedByUser = true; return .stop }
        return .proceed
      }
    }
    progress.display.finish()
    let checkpoint = folder + "/checkpoints/final.safetensors"
    try CoreBridge.run { try trainer.save(to: checkpoint) }
    let seconds = Double(Files.monotonicNanoseconds() - start) / 1e9
    let evaluation = try CoreBridge.run { try trainer.evaluate(episodes: request.evalEpisodes, deterministic: true, seed: Evaluation.seed) }
    let summary = PRecord([
      ("algorithm", .str(algorithm)), ("env", .str(request.env)), ("seed", .int(request.seed)),
      ("timesteps", .int(trainer.timesteps)), ("iterations", .int(trainer.iterations)),
      ("train_seconds", .float((seconds * 100).rounded() / 100)),
      ("final_mean_return", last?.meanReturn.map { .float($0) } ?? .null),
      ("eval_episodes", .int(request.evalEpisodes)), ("eval_mean_return", .float(evaluation.meanReturn)),
      ("eval_std_return", .float(evaluation.stdReturn)), ("stopped_by_user", .bool(stoppedByUser)),
      ("checkpoint", .str(checkpoint)),
    ])
    try write(folder + "/summary.json", .record(summary), indent: 2)
    return """
      \(stoppedByUser ? "stopped by Ctrl-C" : resumed ? "done (resumed)" : "done"): \(trainer.timesteps) steps, \(trainer.iterations) iterations in \(format(seconds)) s
      evaluation: mean return \(format(evaluation.meanReturn)) ± \(format(evaluation.stdReturn)) over \(request.evalEpisodes) episodes (deterministic)
      run folder: \(folder) (config.json, metrics.jsonl, summary.json, checkpoints/)\(stoppedByUser ? "; continue with pavlov train --resume \(folder)" : "")
      """
  }

  /// `import` lines the env expression needs (a Pavlov-written env: `FILE.pav:FUNCTION`).
  static func envPrelude(_ request: TrainRequest) throws(PavlovError) -> String {
    guard let (file, _) = try pavlovEnv(request.env) else { return "" }
    return "import \(Format.quoted(file)) as cli_env_module\n"
  }

  /// The env argument as Pavlov source: a registered id, a function making it with its options,
  /// or a function of a Pavlov file (`my_env.pav:make`).
  static func envExpression(_ request: TrainRequest) throws(PavlovError) -> String {
    var options: [String] = []
    for pair in request.envOptions {
      guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex else {
        throw PavlovError.runtime("--env-option \(pair): expected key=value", hint: "e.g. --env-option is_slippery=false")
      }
      let key = String(pair[..<equals]).trimmingSpaces
      guard key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else { throw PavlovError.runtime("--env-option \(pair): \"\(key)\" is not an option name") }
      options.append("\(key): \(literal(String(pair[pair.index(after: equals)...]).trimmingSpaces))")
    }
    if let (_, function) = try pavlovEnv(request.env) {
      return options.isEmpty ? "cli_env_module.\(function)" : "() => cli_env_module.\(function)(\(options.joined(separator: ", ")))"
    }
    return options.isEmpty ? Format.quoted(request.env) : "() => make(\(([Format.quoted(request.env)] + options).joined(separator: ", ")))"
  }

  /// `FILE.pav:FUNCTION` as (absolute file, function); nil for a registered id.
  static func pavlovEnv(_ env: String) throws(PavlovError) -> (String, String)? {
    guard let colon = env.lastIndex(of: ":"), env[..<colon].hasSuffix(".pav") else { return nil }
    let file = String(env[..<colon]), function = String(env[env.index(after: colon)...])
    guard !function.isEmpty, function.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
      throw PavlovError.runtime("--env \(env): expected FILE.pav:FUNCTION, e.g. my_env.pav:make")
    }
    guard let resolved = realpath(file, nil) else {
      throw PavlovError.runtime("--env \(env): cannot find \(file)", hint: "give the path of the .pav file that defines \(function)")
    }
    defer { free(resolved) }
    return (String(cString: resolved), function)
  }

  /// A short name for the default run folder: the id, or the file's name for a Pavlov env.
  static func envLabel(_ env: String) -> String {
    guard let colon = env.lastIndex(of: ":"), env[..<colon].hasSuffix(".pav") else { return env }
    let file = env[..<colon].split(separator: "/").last ?? "env"
    return String(file.dropLast(file.hasSuffix(".pav") ? 4 : 0))
  }

  static func removeCheckpoints(_ folder: String) throws(PavlovError) {
    for name in try FrontEndAccess.listDirectory(folder + "/checkpoints", "pavlov train --force") where name.hasSuffix(".safetensors") {
      unlink(folder + "/checkpoints/" + name)
    }
  }

  /// The budget as config.json records it, with the cap added when only a return was given.
  static func budgetValue(_ budget: Budget, capped: Bool) -> Value {
    .record(PRecord([
      ("timesteps", budget.timesteps.map { .int($0) } ?? .null), ("iterations", budget.iterations.map { .int($0) } ?? .null),
      ("mean_return", budget.meanReturnAtLeast.map { .float($0) } ?? .null),
      ("capped", capped ? .str("timesteps=\(TrainRun.returnOnlyCap) added: a return target alone needs a ceiling") : .null),
    ]))
  }

  /// The Pavlov call that builds the trainer: `ppo("CartPole-v1", seed: 0, lr: 0.001)`.
  static func callSource(_ algorithm: String, _ request: TrainRequest) throws(PavlovError) -> String {
    var arguments = [try envExpression(request), "seed: \(request.seed)"]
    for pair in request.config {
      guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex else {
        throw PavlovError.runtime("--config \(pair): expected key=value", hint: "e.g. --config lr=0.0003 --config hidden=[64,64]")
      }
      let key = String(pair[..<equals]).trimmingSpaces, raw = String(pair[pair.index(after: equals)...]).trimmingSpaces
      guard key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
        throw PavlovError.runtime("--config \(pair): \"\(key)\" is not a parameter name")
      }
      arguments.append("\(key): \(literal(raw))")
    }
    return "\(try envPrelude(request))\(algorithm)(\(arguments.joined(separator: ", ")))"
  }

  /// A config value as Pavlov source: numbers, booleans, nil, lists, records and quoted strings
  /// pass as written; any other word becomes a string (`lr_schedule=linear`).
  static func literal(_ raw: String) -> String {
    if raw == "true" || raw == "false" || raw == "nil" || Double(raw) != nil { return raw }
    if let first = raw.first, "[{\"".contains(first) { return raw }
    return Format.quoted(raw)
  }

  /// The step ceiling added when the only stop is a mean return.
  static let returnOnlyCap = 1_000_000

  /// The budget, and whether the step ceiling was added.
  static func budget(_ stops: [String]) throws(PavlovError) -> (Budget, Bool) {
    var budget = Budget()
    for stop in stops.isEmpty ? ["timesteps=100000"] : stops {
      let parts = stop.split(separator: "=", maxSplits: 1).map(String.init)
      guard parts.count == 2, let number = Double(parts[1]), number.isFinite, number > 0 || parts[0] == "mean_return" else {
        throw PavlovError.runtime("--stop \(stop): expected iterations=N, timesteps=N or mean_return=X")
      }
      switch parts[0] {
      case "iterations", "training_iteration": budget.iterations = Int(number)
      case "timesteps", "steps", "timesteps_total": budget.timesteps = Int(number)
      case "mean_return", "episode_reward_mean": budget.meanReturnAtLeast = number
      default: throw PavlovError.runtime("--stop \(stop): unknown criterion \"\(parts[0])\"", hint: "use iterations, timesteps or mean_return")
      }
    }
    // A return target alone still needs a ceiling, so a run that never gets there ends.
    guard budget.timesteps == nil && budget.iterations == nil else { return (budget, false) }
    budget.timesteps = returnOnlyCap
    return (budget, budget.meanReturnAtLeast != nil)
  }

  static func json(_ value: Value, indent: Int? = nil) throws(PavlovError) -> String {
    try FrontEndAccess.json(value, indent: indent, "pavlov train")
  }

  /// Writes `value` as JSON to `path`; returns the text written.
  @discardableResult
  static func write(_ path: String, _ value: Value, indent: Int?) throws(PavlovError) -> String {
    let text = try json(value, indent: indent) + "\n"
    try files { try Files.writeAtomically(path, Array(text.utf8)) }
    return text
  }

  /// Runs file work, its errors naming the command.
  static func files(_ body: () throws -> Void) throws(PavlovError) { try CoreBridge.run("pavlov train", body) }

  static func format(_ value: Double) -> String { Format.display(.float((value * 100).rounded() / 100)) }
}
