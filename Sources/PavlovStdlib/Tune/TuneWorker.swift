import Glibc
import PavlovCore
import PavlovLang
import PavlovRL
import PavlovTune

/// One trial, run inside a worker process: the script re-runs from the top, and its `tune(...)`
/// call lands here instead of starting a sweep. The trial function gets the config; it either
/// calls `report(...)` as it goes, or returns a trainer that this worker trains an iteration at
/// a time, reporting the trainer's statistics. After each result the worker waits for the
/// driver's reply: go on, stop, save a checkpoint, or (PBT) take over another trial's.
final class TuneWorker {
  /// The environment variable that makes a `pavlov run` a trial worker: JSON
  /// {address, token, trial, config, folder}.
  static let variable = "PAVLOV_TUNE_WORKER"
  static let key = "tune.worker"

  let connection: TrialConnection
  let trial: Int
  let config: JSONValue
  /// The trial's folder (a trainer's final checkpoint goes to its checkpoints/).
  let folder: String?
  var results = 0
  /// The driver said stop: it has closed the trial, so nothing more is sent.
  var stopped = false

  /// The worker this process is, if it is one.
  static func fromEnvironment() throws -> TuneWorker? {
    guard let raw = getenv(variable) else { return nil }
    let text = String(cString: raw)
    guard let spec = try? JSONParser.parse(text), let address = spec["address"]?.string, let token = spec["token"]?.string,
          let trial = spec["trial"]?.int, let config = spec["config"] else {
      throw PavlovError.runtime("tune: \(variable) is set but is not a trial description", hint: "it is set by a sweep's driver for its workers; unset it to run the script yourself")
    }
    let connection = try CoreBridge.run("tune") { try TrialConnection(address: address, token: token, trial: trial) }
    return TuneWorker(connection: connection, trial: trial, config: config, folder: spec["folder"]?.string)
  }

  private init(connection: TrialConnection, trial: Int, config: JSONValue, folder: String?) {
    self.connection = connection
    self.trial = trial
    self.config = config
    self.folder = folder
  }

  static func of(_ interpreter: Interpreter) -> TuneWorker? { interpreter.extensions[key] as? TuneWorker }

  /// Sends a result and returns the driver's reply.
  func report(_ row: JSONValue) throws -> TrialReply {
    results += 1
    return try CoreBridge.run("tune") { () throws(CoreError) in
      try connection.send(SweepDriver.encode(.result(row)))
      return try SweepDriver.reply(try connection.receive())
    }
  }

  /// Runs the trial, tells the driver how it ended, and ends the process (the rest of the
  /// script is the driver's). Never returns.
  func run(_ trialFunction: Value, options: TrialOptions, interpreter: Interpreter) throws -> Never {
    interpreter.extensions[Self.key] = self
    do {
      let returned = try interpreter.call(trialFunction, [config.pavlovValue], labels: nil)
      if let trainer = FrontEndAccess.trainer(returned)?.trainer {
        guard results == 0 else {
          throw PavlovError.runtime("tune: the trial function both called report(...) and returned a trainer", hint: "do one: report as you train, or return the trainer and let tune train it")
        }
        try train(trainer, factory: trialFunction, options: options, interpreter: interpreter)
      } else if results == 0 {
        guard case .record = returned else {
          throw PavlovError.runtime("tune: the trial function returned \(returned.typeName) without calling report(...)",
                                    hint: "call report(mean_return: x) as the trial trains, return a trainer (ppo(...), dqn(...)) for tune to train, or return a record of final metrics")
        }
        _ = try report(try SearchSpaceBindings.json(returned, "tune: the trial's result"))
      }
      if !stopped { try CoreBridge.run("tune") { try connection.send(SweepDriver.encode(.done)) } }
    } catch let error as PavlovError where error.kind == .exit {
      // exit(0) (or a stop inside report) ends the trial well; another code is a failure.
      var code = 0
      if case .int(let given)? = error.value { code = given }
      let message: TrialMessage = code == 0 ? .done : .failed("the trial called exit(\(code))")
      if !stopped { try? CoreBridge.run("tune") { try connection.send(SweepDriver.encode(message)) } }
    } catch let error as PavlovError {
      // The driver records the message; the output file keeps the whole report.
      if !stopped { try? CoreBridge.run("tune") { try connection.send(SweepDriver.encode(.failed(error.message))) } }
      throw error
    }
    throw PavlovError(kind: .exit, message: "exit(0)", value: .int(0))
  }

  /// The stop that ends a trial's function from inside `report(...)`.
  static func stopError() -> PavlovError { PavlovError(kind: .exit, message: "exit(0)", value: .int(0)) }

  /// Trains a trainer the trial function returned, an iteration per result, until told to stop.
  private func train(_ first: Trainer, factory: Value, options: TrialOptions, interpreter: Interpreter) throws {
    var trainer = first
    var stepsBefore = 0, base = trainer.timesteps
    while true {
      var exploit: (String, JSONValue)?
      _ = try CoreBridge.run {
        try trainer.train(Budget(timesteps: nil, iterations: Int.max / 2)) { stats in
          guard case .record(let record) = TrainerBindings.record(stats) else { return .stop }
          record["fps"] = nil
          record["timesteps"] = .int(stepsBefore + trainer.timesteps - base)
          record["iteration"] = .int(self.results + 1)
          if options.evalEvery > 0, (self.results + 1) % options.evalEvery == 0 {
            let result = try trainer.evaluate(episodes: options.evalEpisodes, deterministic: true, seed: Evaluation.seed)
            record["eval_mean_return"] = .float(result.meanReturn)
          }
          switch try self.report(try SearchSpaceBindings.json(.record(record), "tune: the trainer's statistics")) {
          case .proceed: return .proceed
          case .stop: return .stop
          case .save(let path):
            try Files.makeDirectories(Files.directory(of: path))
            try trainer.save(to: path)
            return .proceed
          case .exploit(let path, let config):
            exploit = (path, config)
            return .stop
          }
        }
      }
      guard let (path, config) = exploit else {
        // The trainer as the trial left it, for load_trainer (as pavlov train's final checkpoint).
        if let folder {
          try CoreBridge.run("tune") {
            try Files.makeDirectories(folder + "/checkpoints")
            try trainer.save(to: folder + "/checkpoints/final.safetensors")
          }
        }
        return
      }
      stepsBefore += trainer.timesteps - base
      let made = try interpreter.call(factory, [config.pavlovValue], labels: nil)
      guard let next = FrontEndAccess.trainer(made)?.trainer else {
        throw PavlovError.runtime("tune: the trial function returned \(made.typeName) for an explored config; PBT needs it to return a trainer every time")
      }
      try CoreBridge.run("tune (PBT exploit)") {
        let checkpoint = try TrainerCheckpoint.read(path, algorithm: next.algorithm)
        try next.restoreState(from: checkpoint)
      }
      trainer = next
      base = trainer.timesteps
    }
  }
}

/// How a worker trains a trainer the trial function returned.
struct TrialOptions {
  /// Add a deterministic evaluation (`eval_mean_return`) every this many results (0: never).
  var evalEvery = 0
  var evalEpisodes = Evaluation.episodes
}
