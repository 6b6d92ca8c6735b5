import Glibc
import PavlovCore

/// Starts trial workers somewhere: as processes on this machine, or as tasks on a Ray cluster.
/// Every worker connects back to the driver's `TrialServer`; a launcher only starts them and
/// says when one ended.
public protocol TrialLauncher: AnyObject {
  /// The address the driver listens on ("127.0.0.1", or "0.0.0.0" for a cluster).
  var listenHost: String { get }
  /// The host workers reach the driver at.
  var driverHost: String { get }
  /// Starts trial `trial`'s worker: `command` with `environment` added to the driver's; its
  /// standard output and error end up in the file `output`.
  func launch(trial: Int, command: [String], environment: [(String, String)], output: String) throws(CoreError)
  /// Descriptors to watch for the launcher (a bridge's output).
  var watched: [Int32] { get }
  /// Workers that ended since the last call, and how ("exit status 1", "killed by signal 9").
  func ended(readable: [Int32]) throws(CoreError) -> [(trial: Int, how: String)]
  /// The sweep has ended: lets workers still finishing (a stopped trial saving its final
  /// checkpoint) end on their own for a while, then stops the rest.
  func finish()
  /// Stops every worker still running (Ctrl-C, an error).
  func shutdown()
}

/// Worker processes on this machine, each in its own process group (Ctrl-C at the terminal
/// reaches the driver alone, which then stops them), its output in its trial folder.
public final class LocalLauncher: TrialLauncher {
  public let listenHost = "127.0.0.1"
  public let driverHost = "127.0.0.1"
  public let watched: [Int32] = []
  private var processes: [pid_t: Int] = [:]

  public init() {}

  public func launch(trial: Int, command: [String], environment: [(String, String)], output: String) throws(CoreError) {
    let (pid, status) = spawnInOwnGroup(command, adding: environment) { actions in
      posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0o644)  // never through a planted link
      posix_spawn_file_actions_adddup2(&actions, 1, 2)
      posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    }
    guard status == 0 else { throw CoreError("tune: cannot start a worker (\(command[0])): \(Files.reason(status))") }
    processes[pid] = trial
  }

  public func ended(readable: [Int32]) throws(CoreError) -> [(trial: Int, how: String)] {
    var out: [(Int, String)] = []
    // Only our own workers: the driver may have other children (a Ray bridge).
    for (pid, trial) in processes.sorted(by: { $0.value < $1.value }) {
      var status: Int32 = 0
      guard waitpid(pid, &status, WNOHANG) == pid else { continue }
      processes[pid] = nil
      out.append((trial, Self.describe(status)))
    }
    return out
  }

  public func finish() {
    let deadline = Files.monotonicNanoseconds() + 30_000_000_000
    while !processes.isEmpty && Files.monotonicNanoseconds() < deadline {
      _ = try? ended(readable: [])
      usleep(10_000)
    }
    shutdown()
  }

  public func shutdown() {
    for pid in processes.keys { kill(-pid, SIGTERM) }
    let deadline = Files.monotonicNanoseconds() + 2_000_000_000
    while !processes.isEmpty && Files.monotonicNanoseconds() < deadline {
      _ = try? ended(readable: [])
      usleep(20_000)
    }
    for pid in processes.keys { kill(-pid, SIGKILL); waitpid(pid, nil, 0) }
    processes = [:]
  }

  /// A wait status in words.
  static func describe(_ status: Int32) -> String {
    let signal = status & 0x7F
    if signal == 0 { return "exit status \((status >> 8) & 0xFF)" }
    let name: String
    switch signal {
    case SIGSEGV: name = "SIGSEGV"
    case SIGILL: name = "SIGILL (a Swift trap)"
    case SIGABRT: name = "SIGABRT"
    case SIGKILL: name = "SIGKILL (out of memory, or killed)"
    case SIGTERM: name = "SIGTERM"
    case SIGBUS: name = "SIGBUS"
    case SIGFPE: name = "SIGFPE"
    default: name = "\(signal)"
    }
    return "killed by signal \(name)"
  }
}

/// Starts a process in a process group of its own (so Ctrl-C at the terminal reaches the
/// driver alone), with `adding` over the driver's environment and its standard streams
/// arranged by `streams`: both launchers' workers and the Ray bridge start this way. Returns
/// the pid, or 0 and the errno value that stopped it.
func spawnInOwnGroup(_ arguments: [String], searchPath: Bool = false, adding environment: [(String, String)] = [],
                     streams: (inout posix_spawn_file_actions_t) -> Void) -> (pid: pid_t, status: Int32) {
  var actions = posix_spawn_file_actions_t()
  posix_spawn_file_actions_init(&actions)
  defer { posix_spawn_file_actions_destroy(&actions) }
  streams(&actions)
  var attributes = posix_spawnattr_t()
  posix_spawnattr_init(&attributes)
  defer { posix_spawnattr_destroy(&attributes) }
  posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
  posix_spawnattr_setpgroup(&attributes, 0)
  let added = Set(environment.map(\.0))
  var variables = environment.map { "\($0.0)=\($0.1)" }
  var index = 0
  while let entry = environ[index] {
    let text = String(cString: entry)
    if let equals = text.firstIndex(of: "="), !added.contains(String(text[..<equals])) { variables.append(text) }
    index += 1
  }
  let argv = arguments.map { (s: String) in strdup(s) } + [nil]
  let envp = variables.map { (s: String) in strdup(s) } + [nil]
  defer { (argv + envp).forEach { free($0) } }
  var pid: pid_t = 0
  let status = searchPath ? posix_spawnp(&pid, arguments[0], &actions, &attributes, argv, envp)
                          : posix_spawn(&pid, arguments[0], &actions, &attributes, argv, envp)
  return (status == 0 ? pid : 0, status)
}
