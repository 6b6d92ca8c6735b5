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
  static let algorithms = ["ppo", "a2c", "dqn", "reinforce", "es"]

  public static func run(_ request: TrainRequest, interpreter: Interpreter) throws -> String {
    let algorithm = request.algorithm.lowercased()
    guard algorithms.contains(algorithm), interpreter.registry.functions[algorithm] != nil else {
      let known = algorithms.filter { interpreter.registry.functions[$0] != nil }
      throw PavlovError.runtime("pavlov train: unknown algorithm \"\(request.algorithm)\"", hint: "use one of: \(known.map { $0.uppercased() }.joined(separator: ", "))")
    }
    let budget = try self.budget(request.stops)
    let callText = try callSource(algorithm, request)
    let value = try interpreter.run(source: callText, name: "--config")
    guard let trainer = FrontEndAccess.trainer(value)?.trainer else {
      throw PavlovError.runtime("pavlov train: \(algorithm)(...) did not return a trainer")
    }
    let folder = request.out ?? "runs/\(algorithm)-\(request.env)-seed\(request.seed)"
    try files { try Files.makeDirectories(folder + "/checkpoints") }
    let config = PRecord([
      ("algorithm", .str(algorithm)), ("env", .str(request.env)), ("seed", .int(request.seed)),
      ("stop", .list(PList(request.stops.map { .str($0) }))), ("call", .str(callText)),
      ("hyperparameters", (try? JSONParser.parse(trainer.configJSON)).map(FrontEndAccess.value) ?? .str(trainer.configJSON)),
    ])
    try write(folder + "/config.json", .record(config), indent: 2)
    try files { try Files.writeAtomically(folder + "/metrics.jsonl", []) }

    let progress = ProgressLine(total: budget, interactive: isatty(1) != 0, output: interpreter)
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
        progress.update(stats)
        if everyCheckpoint > 0, stats.iteration % everyCheckpoint == 0 {
          try trainer.save(to: folder + "/checkpoints/iteration-\(stats.iteration).safetensors")
        }
        // Ctrl-C stops after the current update; the run folder stays complete.
        if pavlov_take_interrupt() != 0 { stoppedByUser = true; return .stop }
        return .proceed
      }
    }
    progress.finish()
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
      \(stoppedByUser ? "stopped by Ctrl-C" : "done"): \(trainer.timesteps) steps, \(trainer.iterations) iterations in \(format(seconds)) s
      evaluation: mean return \(format(evaluation.meanReturn)) ± \(format(evaluation.stdReturn)) over \(request.evalEpisodes) episodes (deterministic)
      run folder: \(folder) (config.json, metrics.jsonl, summary.json, checkpoints/)
      """
  }

  /// The Pavlov call that builds the trainer: `ppo("CartPole-v1", seed: 0, lr: 0.001)`.
  static func callSource(_ algorithm: String, _ request: TrainRequest) throws(PavlovError) -> String {
    var arguments = [Format.quoted(request.env), "seed: \(request.seed)"]
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
    return "\(algorithm)(\(arguments.joined(separator: ", ")))"
  }

  /// A config value as Pavlov source: numbers, booleans, nil, lists, records and quoted strings
  /// pass as written; any other word becomes a string (`lr_schedule=linear`).
  static func literal(_ raw: String) -> String {
    if raw == "true" || raw == "false" || raw == "nil" || Double(raw) != nil { return raw }
    if let first = raw.first, "[{\"".contains(first) { return raw }
    return Format.quoted(raw)
  }

  static func budget(_ stops: [String]) throws(PavlovError) -> Budget {
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
    if budget.timesteps == nil && budget.iterations == nil { budget.timesteps = 1_000_000 }
    return budget
  }

  static func json(_ value: Value, indent: Int? = nil) throws(PavlovError) -> String {
    try FrontEndAccess.json(value, indent: indent, "pavlov train")
  }

  static func write(_ path: String, _ value: Value, indent: Int?) throws(PavlovError) {
    let text = try json(value, indent: indent) + "\n"
    try files { try Files.writeAtomically(path, Array(text.utf8)) }
  }

  /// Runs file work, its errors naming the command.
  static func files(_ body: () throws -> Void) throws(PavlovError) { try CoreBridge.run("pavlov train", body) }

  static func format(_ value: Double) -> String { Format.display(.float((value * 100).rounded() / 100)) }
}
