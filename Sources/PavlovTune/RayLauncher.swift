import Glibc
import PavlovCore

/// Trial workers as tasks on an existing Ray cluster. A small Python bridge (Ray's API is
/// Python) connects to the cluster with the script's folder as the runtime environment's
/// working_dir, and runs each trial as a one-CPU Ray task that starts `pavlov run SCRIPT` on
/// whichever node Ray picks; the worker connects back to the driver like a local one. Ray
/// places the tasks; the sweep's decisions stay the driver's, so they are the same as local.
public final class RayLauncher: TrialLauncher {
  public let listenHost: String
  public let driverHost: String
  private let process: pid_t
  private let input: Int32
  private let output: Int32
  private var buffer = LineBuffer()
  private var outputs: [Int: String] = [:]
  private var bridgeEnded = false
  private var closed = false

  /// Starts the bridge with `python` (which must import ray) and waits until it has joined the cluster.
  public init(address: String, python: String, workingDirectory: String) throws(CoreError) {
    let host = address.split(separator: ":").first.map(String.init) ?? address
    let loopback = host == "127.0.0.1" || host == "localhost" || host.hasPrefix("ray://127.0.0.1")
    listenHost = loopback ? "127.0.0.1" : "0.0.0.0"
    driverHost = loopback ? "127.0.0.1" : Self.localAddress(toward: host) ?? "127.0.0.1"
    var toBridge: [Int32] = [0, 0], fromBridge: [Int32] = [0, 0]
    guard pipe(&toBridge) == 0, pipe(&fromBridge) == 0 else {
      throw CoreError("tune: cannot make pipes for the Ray bridge: \(Files.reason(errno))")
    }
    // The bridge gets its ends as 0 and 1; no other child may inherit them.
    for fd in toBridge + fromBridge { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
    let (pid, status) = spawnInOwnGroup([python, "-c", Self.bridge, address, workingDirectory], searchPath: true) { actions in
      posix_spawn_file_actions_adddup2(&actions, toBridge[0], 0)
      posix_spawn_file_actions_adddup2(&actions, fromBridge[1], 1)
    }
    close(toBridge[0])
    close(fromBridge[1])
    guard status == 0 else {
      close(toBridge[1]); close(fromBridge[0])
      throw CoreError("tune: cannot start \(python) for the Ray bridge: \(Files.reason(status))",
                      hint: "install Ray beside Pavlov (docs/sweeps.md) and point PAVLOV_RAY_PYTHON at that Python")
    }
    process = pid
    input = toBridge[1]
    output = fromBridge[0]
    // Joining a cluster takes a few seconds; a minute means something is wrong.
    let deadline = Files.monotonicNanoseconds() + 120_000_000_000
    while Files.monotonicNanoseconds() < deadline {
      var watch = pollfd(fd: output, events: Int16(POLLIN), revents: 0)
      guard Glibc.poll(&watch, 1, 500) > 0 else { continue }
      for line in readLines() {
        if line["ready"] != nil { return }
        if let fatal = line["fatal"]?.string {
          shutdown()
          throw CoreError("tune: \(fatal)", hint: "start a head with `ray start --head` and pass its address; install Ray as docs/sweeps.md says")
        }
      }
      if bridgeEnded {
        shutdown()
        throw CoreError("tune: the Ray bridge (\(python)) ended before joining the cluster at \(address)",
                        hint: "check that `\(python) -c 'import ray'` works and that the head is running")
      }
    }
    shutdown()
    throw CoreError("tune: the Ray bridge did not join the cluster at \(address) within two minutes")
  }

  public var watched: [Int32] { bridgeEnded ? [] : [output] }

  public func launch(trial: Int, command: [String], environment: [(String, String)], output: String) throws(CoreError) {
    outputs[trial] = output
    let request: JSONValue = .object([
      ("trial", .int(trial)), ("command", .array(command.map { .string($0) })),
      ("env", .object(environment.map { ($0.0, .string($0.1)) })),
    ])
    let line = try JSONWriter.string(request) + "\n"
    guard Files.writeLine(input, line) else { throw CoreError("tune: the Ray bridge is gone; the sweep cannot start trial \(trial)") }
  }

  public func ended(readable: [Int32]) throws(CoreError) -> [(trial: Int, how: String)] {
    guard readable.contains(output) else { return [] }
    var out: [(Int, String)] = []
    for line in readLines() {
      guard let trial = line["trial"]?.int else { continue }
      if let path = outputs.removeValue(forKey: trial) {
        try? Files.writeAtomically(path, Array((line["output"]?.string ?? "").utf8))
      }
      if let error = line["error"]?.string { out.append((trial, "Ray could not run it: \(error)")); continue }
      let code = line["exit"]?.int ?? -1
      out.append((trial, code < 0 ? "killed by signal \(-code)" : "exit status \(code)"))
    }
    if bridgeEnded { throw CoreError("tune: the Ray bridge ended; is the cluster still up?") }
    return out
  }

  public func finish() {
    // The bridge waits for its running tasks, then ends.
    _ = Files.writeLine(input, "{\"finish\": true}\n")
    stopBridge(waiting: 60)
  }

  public func shutdown() { stopBridge(waiting: 5) }

  private func stopBridge(waiting seconds: Int64) {
    guard !closed else { return }
    closed = true
    close(input)
    var status: Int32 = 0
    let deadline = Files.monotonicNanoseconds() + seconds * 1_000_000_000
    while waitpid(process, &status, WNOHANG) == 0 {
      if Files.monotonicNanoseconds() > deadline { kill(process, SIGKILL); waitpid(process, &status, 0); break }
      usleep(20_000)
    }
    close(output)
  }

  private func readLines() -> [JSONValue] {
    if !buffer.read(from: output) { bridgeEnded = true }
    var lines: [JSONValue] = []
    while let line = buffer.nextLine() {
      if let json = try? JSONParser.parse(line) { lines.append(json) }
    }
    return lines
  }

  /// This machine's address on the route to `host` (a UDP "connection" sends nothing).
  static func localAddress(toward host: String) -> String? {
    var hints = addrinfo()
    hints.ai_family = AF_INET
    hints.ai_socktype = Int32(SOCK_DGRAM.rawValue)
    var found: UnsafeMutablePointer<addrinfo>?
    guard getaddrinfo(host, "9", &hints, &found) == 0, let first = found else { return nil }
    defer { freeaddrinfo(found) }
    let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    guard connect(fd, first.pointee.ai_addr, first.pointee.ai_addrlen) == 0 else { return nil }
    var address = sockaddr_in()
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let ok = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
    guard ok == 0 else { return nil }
    var text = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
    guard inet_ntop(AF_INET, &address.sin_addr, &text, socklen_t(text.count)) != nil else { return nil }
    return String(cString: text)
  }

  /// The bridge: joins the cluster, runs each requested trial as a Ray task, and reports each
  /// task's end (exit code and output) as a JSON line.
  static let bridge = #"""
import json, os, subprocess, sys, threading, time
address, working_dir = sys.argv[1], sys.argv[2]
def say(message):
    sys.stdout.write(json.dumps(message) + "\n"); sys.stdout.flush()
try:
    import ray
except ImportError:
    say({"fatal": sys.executable + " has no ray module (pip install 'ray[default]' into the Python that runs the bridge)"}); sys.exit(1)
try:
    ray.init(address=address, runtime_env={"working_dir": working_dir, "excludes": ["runs/", ".build*/", ".venv/", "*.safetensors"]},
             log_to_driver=False, logging_level="ERROR")
except Exception as error:
    say({"fatal": "cannot join the Ray cluster at %s: %s" % (address, error)}); sys.exit(1)

@ray.remote(num_cpus=1, max_retries=0)
def run_trial(command, env):
    full = dict(os.environ); full.update(env)
    try:
        done = subprocess.run(command, env=full, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    except OSError as error:
        return 127, "cannot run %s on %s: %s\n" % (command[0], os.uname().nodename, error)
    return done.returncode, done.stdout[-1000000:].decode("utf-8", "replace")

lock = threading.Lock()
running = {}
def read_requests():
    for line in sys.stdin:
        request = json.loads(line)
        if request.get("finish"):
            # The sweep is over: let trials still saving a checkpoint end, then leave.
            with lock:
                refs = list(running)
            ray.wait(refs, num_returns=len(refs), timeout=55)
            os._exit(0)
        ref = run_trial.remote(request["command"], request["env"])
        with lock:
            running[ref] = request["trial"]
    with lock:
        for ref in running:
            ray.cancel(ref, force=True)
    os._exit(0)
threading.Thread(target=read_requests, daemon=True).start()
say({"ready": True})
while True:
    with lock:
        refs = list(running)
    if not refs:
        time.sleep(0.02); continue
    ready, _ = ray.wait(refs, num_returns=1, timeout=0.2)
    for ref in ready:
        with lock:
            trial = running.pop(ref)
        try:
            code, output = ray.get(ref)
            say({"trial": trial, "exit": code, "output": output})
        except Exception as error:
            say({"trial": trial, "error": str(error).splitlines()[0] if str(error) else type(error).__name__})
"""#
}

extension Files {
  /// Writes a whole line to a pipe; false if the reader is gone (never a SIGPIPE).
  static func writeLine(_ fd: Int32, _ line: String) -> Bool {
    let previous = signal(SIGPIPE, SIG_IGN)
    defer { signal(SIGPIPE, previous) }
    return writeAll(fd, Array(line.utf8)) == nil
  }
}
