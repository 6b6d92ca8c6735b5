import Glibc
import PavlovCore

/// Runs a `Sweep`'s trials through a launcher: starts workers as slots free, reads their
/// messages, hands them to the sweep in virtual-time order (see `Sweep`), answers them, and
/// notes each handled message in the sweep's event log so a stopped sweep can resume.
///
/// Resuming replays the log through a fresh `Sweep`, which makes every decision again; the
/// trials that were running are started over, and their results up to the logged ones are
/// answered with the logged decisions without being handled twice — the worker computes the
/// same results, so the sweep ends exactly as an uninterrupted one would.
public final class SweepDriver {
  public let sweep: Sweep
  let launcher: TrialLauncher
  let server: TrialServer
  /// The worker's command line and extra environment for a trial and its (launch) config.
  let command: (Int, JSONValue) -> (arguments: [String], environment: [(String, String)], output: String)
  /// Called for every handled message, with the reply it got (writing metrics, progress).
  public var observe: (Int, TrialMessage, TrialReply?) throws -> Void = { _, _, _ in }
  /// Polled between messages; true stops the sweep (Ctrl-C): the workers are stopped, the log kept.
  public var interrupted: () -> Bool = { false }
  /// Called between waits, about ten times a second (a progress display).
  public var tick: () -> Void = {}

  private var pending: [Int: TrialMessage] = [:]
  /// Results seen from each trial's current worker, and the replies its first ones get from the replay.
  private var seen: [Int: Int] = [:]
  private var replayed: [Int: [TrialReply]] = [:]
  /// Workers that ended before connecting, with how and the loop turn it was noticed in.
  private var exitedUnconnected: [Int: (how: String, turn: Int)] = [:]
  private var exits: [Int: String] = [:]
  private var turn = 0

  public init(sweep: Sweep, launcher: TrialLauncher, token: String,
              command: @escaping (Int, JSONValue) -> (arguments: [String], environment: [(String, String)], output: String)) throws(CoreError) {
    self.sweep = sweep
    self.launcher = launcher
    self.command = command
    server = try TrialServer(host: launcher.listenHost, token: token)
  }

  /// Where workers connect to: `host:port`.
  public var address: String { "\(launcher.driverHost):\(server.port)" }

  /// Replays logged messages (from an earlier, stopped run of the same sweep), then runs to the end.
  public func run(replaying log: [(trial: Int, message: TrialMessage)] = []) throws(CoreError) {
    var launchConfigs: [Int: JSONValue] = [:]
    for launch in sweep.launches() { launchConfigs[launch.trial] = launch.config }
    for (trial, message) in log {
      let reply = sweep.handle(trial, message)
      if case .result = message, let reply { replayed[trial, default: []].append(reply) }
      for launch in sweep.launches() { launchConfigs[launch.trial] = launch.config }
    }
    do throws(CoreError) {
      for trial in sweep.running { try start(trial, launchConfigs[trial] ?? sweep.trials[trial].config) }
      while !sweep.isFinished {
        if interrupted() { throw CoreError("interrupted") }
        let running = sweep.running
        if running.allSatisfy({ pending[$0] != nil }), let next = running.min(by: { key($0) < key($1) }) {
          try handle(next)
          continue
        }
        try wait()
      }
    } catch {
      launcher.shutdown()
      throw error
    }
    launcher.finish()
  }

  private func key(_ trial: Int) -> (Double, Int) {
    let k = sweep.key(trial, pending[trial]!)
    return (k.time, k.trial)
  }

  private func handle(_ trial: Int) throws(CoreError) {
    guard let message = pending.removeValue(forKey: trial) else { return }
    let reply = sweep.handle(trial, message)
    do { try observe(trial, message, reply) } catch let error as CoreError { throw error } catch { throw CoreError("\(error)") }
    if let reply { server.send(trial, Self.encode(reply)) }
    if sweep.trials[trial].status != .running { server.close(trial) }
    for launch in sweep.launches() { try start(launch.trial, launch.config) }
  }

  private func start(_ trial: Int, _ config: JSONValue) throws(CoreError) {
    let (arguments, environment, output) = command(trial, config)
    seen[trial] = 0
    try launcher.launch(trial: trial, command: arguments, environment: environment, output: output)
  }

  /// Reads what the workers sent until something changes.
  private func wait() throws(CoreError) {
    turn += 1
    tick()
    let (events, readable) = server.poll(extra: launcher.watched, milliseconds: 100)
    for event in events {
      switch event {
      case .line(let trial, let text): try receive(trial, text)
      case .closed(let trial):
        guard sweep.trials.indices.contains(trial), sweep.trials[trial].status == .running, pending[trial] == nil else { continue }
        pending[trial] = .failed("its worker ended without finishing (\(exitStatus(trial))); see its output.txt")
      }
    }
    for (trial, how) in try launcher.ended(readable: readable) {
      exits[trial] = how
      if !server.isConnected(trial) { exitedUnconnected[trial] = (how, turn) }
    }
    // A worker that ended without ever connecting failed to start; a couple of turns' grace
    // lets a connection it made just before exiting be read first.
    for (trial, exit) in exitedUnconnected where turn > exit.turn + 2 {
      exitedUnconnected[trial] = nil
      guard sweep.trials[trial].status == .running, pending[trial] == nil, !server.isConnected(trial) else { continue }
      pending[trial] = .failed("its worker ended before it reached tune(...) (\(exit.how)); see its output.txt")
    }
  }

  private func exitStatus(_ trial: Int) -> String {
    for _ in 0..<100 {
      if let how = exits[trial] { return how }
      for (t, how) in (try? launcher.ended(readable: [])) ?? [] { exits[t] = how }
      if exits[trial] == nil { usleep(20_000) }
    }
    return exits[trial] ?? "the connection closed"
  }

  private func receive(_ trial: Int, _ text: String) throws(CoreError) {
    guard sweep.trials.indices.contains(trial), sweep.trials[trial].status == .running else { return }
    let message: TrialMessage
    do { message = try Self.decode(text) } catch {
      pending[trial] = .failed("its worker sent a line the driver cannot read: \(text.prefix(80))")
      return
    }
    if case .result = message {
      let index = seen[trial, default: 0]
      seen[trial] = index + 1
      // A restarted trial's results up to the logged ones were decided before the stop.
      if let replies = replayed[trial], index < replies.count {
        server.send(trial, Self.encode(replies[index]))
        return
      }
    }
    guard pending[trial] == nil else {
      pending[trial] = .failed("its worker sent a message before the reply to its last one")
      return
    }
    pending[trial] = message
  }

  // MARK: The wire format, one JSON object per line

  public static func encode(_ message: TrialMessage) -> JSONValue {
    switch message {
    case .result(let row): return .object([("result", row)])
    case .done: return .object([("done", .bool(true))])
    case .failed(let reason): return .object([("error", .string(reason))])
    }
  }

  public static func decode(_ text: String) throws(CoreError) -> TrialMessage {
    let json: JSONValue
    do { json = try JSONParser.parse(text) } catch { throw CoreError("not JSON: \(text.prefix(80))") }
    return try message(json)
  }

  public static func message(_ json: JSONValue) throws(CoreError) -> TrialMessage {
    if let row = json["result"] { return .result(row) }
    if json["done"] != nil { return .done }
    if let reason = json["error"]?.string { return .failed(reason) }
    throw CoreError("not a trial message: \((try? JSONWriter.string(json))?.prefix(80) ?? "")")
  }

  static func encode(_ reply: TrialReply) -> String {
    let json: JSONValue
    switch reply {
    case .proceed: json = .object([("reply", .string("proceed"))])
    case .stop: json = .object([("reply", .string("stop"))])
    case .save(let path): json = .object([("reply", .string("save")), ("checkpoint", .string(path))])
    case .exploit(let path, let config):
      json = .object([("reply", .string("exploit")), ("checkpoint", .string(path)), ("config", config)])
    }
    return (try? JSONWriter.string(json)) ?? "{\"reply\":\"stop\"}"
  }

  /// A reply as the worker reads it.
  public static func reply(_ json: JSONValue) throws(CoreError) -> TrialReply {
    switch json["reply"]?.string {
    case "proceed": return .proceed
    case "stop": return .stop
    case "save":
      guard let path = json["checkpoint"]?.string else { break }
      return .save(path)
    case "exploit":
      guard let path = json["checkpoint"]?.string, let config = json["config"] else { break }
      return .exploit(checkpoint: path, config: config)
    default: break
    }
    throw CoreError("tune worker: the driver sent a reply it does not know: \((try? JSONWriter.string(json))?.prefix(80) ?? "")")
  }
}
