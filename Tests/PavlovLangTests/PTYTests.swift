import Foundation
import XCTest

#if canImport(Glibc)
import Glibc

/// The interactive REPL on a real pseudo-terminal: prompts, completion, Ctrl-C, Ctrl-D, history.
///
/// The child is made a session leader (POSIX_SPAWN_SETSID) before it opens the terminal's slave
/// side, so the pty becomes its controlling terminal and a 0x03 byte written to the master is
/// turned into SIGINT by the line discipline, exactly as when a user presses Ctrl-C.
final class PTYTests: XCTestCase {
  private var home: URL!

  override func setUpWithError() throws {
    home = FileManager.default.temporaryDirectory.appendingPathComponent("pavlov-pty-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
  }

  override func tearDown() {
    if let home { try? FileManager.default.removeItem(at: home) }
  }

  private var historyPath: String { home.appendingPathComponent(".pavlov_history").path }

  // MARK: - Tests

  func testInteractiveSessionCompletionCtrlCAndHistory() throws {
    let repl = try Terminal(binary: PavlovBinary.require(), home: home.path)
    defer { repl.kill() }

    try repl.expect("Pavlov ")
    try repl.expect("pavlov> ")

    // A multi-line entry: the continuation prompt, then the main prompt again.
    repl.send("let a = [1,\r")
    try repl.expect("let a = [1,\n   ...> ", next: true)
    repl.send("2]\r")
    try repl.expect("2]\npavlov> ", next: true)

    // Tab completes a list method after the dot.
    repl.send("a.pu\t")
    try repl.expect("a.push", next: true)
    repl.send("(3)\r")
    try repl.expect("(3)\npavlov> ", next: true)
    repl.send("a\r")
    try repl.expect("a\n[1, 2, 3]\npavlov> ", next: true)

    // Ctrl-C stops a running loop with a report and a fresh prompt.
    repl.send("while true {}\r")
    try repl.expect("while true {}\n")
    usleep(300_000)
    repl.send("\u{03}")
    // The terminal echoes ^C; the report starts on the next line and a fresh prompt follows it.
    try repl.expect("^C\ninterrupted: stopped by Ctrl-C (variables keep their values)\npavlov> ", next: true)

    // The session and its variables survive.
    repl.send("a\r")
    try repl.expect("[1, 2, 3]")
    try repl.expect("pavlov> ")

    // Ctrl-D on an empty line leaves with status 0 and saves the history.
    repl.send("\u{04}")
    let status = try repl.waitForExit()
    XCTAssertEqual(status, .exited(0), repl.transcript)

    let history = try String(contentsOfFile: historyPath, encoding: .utf8)
    let lines = history.split(separator: "\n").map(String.init)
    for entered in ["let a = [1,", "2]", "a.push(3)", "a", "while true {}"] {
      XCTAssertTrue(lines.contains(entered), "history lacks `\(entered)`:\n\(history)")
    }
    XCTAssertEqual(lines.last, "a", "history keeps the order of entry:\n\(history)")
  }

  func testCtrlCCancelsAHalfTypedLineAndAnOpenEntry() throws {
    let repl = try Terminal(binary: PavlovBinary.require(), home: home.path)
    defer { repl.kill() }
    try repl.expect("pavlov> ")

    // Ctrl-C at the continuation prompt drops the whole entry.
    repl.send("let b = [1,\r")
    try repl.expect("let b = [1,\n   ...> ")
    repl.send("\u{03}")
    try repl.expect("^C\npavlov> ", next: true)
    repl.send("b\r")
    try repl.expect("undefined name `b`")
    try repl.expect("pavlov> ")

    // Ctrl-C on a half-typed line drops the line.
    repl.send("xyz")
    try repl.expect("xyz", next: true)
    repl.send("\u{03}")
    try repl.expect("^C\npavlov> ", next: true)
    // Ctrl-C on an empty line just gives a new prompt.
    repl.send("\u{03}")
    try repl.expect("^C\npavlov> ", next: true)
    repl.send("40 + 2\r")
    try repl.expect("42")
    try repl.expect("pavlov> ")

    repl.send(":quit\r")
    XCTAssertEqual(try repl.waitForExit(), .exited(0), repl.transcript)
  }

  /// Issue 23: the interrupt used to be polled every 4096 evaluator steps, so a loop whose every
  /// step is a large product noticed Ctrl-C only after minutes, and further presses quit the
  /// REPL. Now the first press stops it within 100 ms (one product) and the session stays.
  func testCtrlCStopsALoopOfLargeProductsWithin100MillisecondsKeepingVariables() throws {
    let repl = try Terminal(binary: PavlovBinary.require(), home: home.path)
    defer { repl.kill() }
    try repl.expect("pavlov> ")
    repl.send("let m = randn(1000, 1000)\r")
    try repl.expect("pavlov> ")
    repl.send("let kept = 42\r")
    try repl.expect("pavlov> ")
    repl.send("for i in range(100000) { let y = m @ m }\r")
    try repl.expect("for i in range(100000) { let y = m @ m }\n")
    usleep(500_000)
    let pressed = Date()
    repl.send("\u{03}")
    try repl.expect("interrupted: stopped by Ctrl-C (variables keep their values)")
    let latency = Date().timeIntervalSince(pressed)
    print("Ctrl-C stopped the loop of 1000×1000 products in \(Int(latency * 1000)) ms")
    XCTAssertLessThan(latency, 0.1, "Ctrl-C took \(Int(latency * 1000)) ms to stop the loop")
    try repl.expect("pavlov> ")
    repl.send("kept + m.shape[0]\r")
    try repl.expect("1042")
    try repl.expect("pavlov> ")
    repl.send(":quit\r")
    XCTAssertEqual(try repl.waitForExit(), .exited(0), repl.transcript)
  }

  func testHistoryFromAnEarlierSessionIsRecalled() throws {
    try "let recalled = 41 + 1\n".write(toFile: historyPath, atomically: true, encoding: .utf8)
    let repl = try Terminal(binary: PavlovBinary.require(), home: home.path)
    defer { repl.kill() }
    try repl.expect("pavlov> ")

    repl.send("\u{1B}[A")  // up arrow
    try repl.expect("let recalled = 41 + 1")
    repl.send("\r")
    try repl.expect("pavlov> ")
    repl.send("recalled\r")
    try repl.expect("42")
    try repl.expect("pavlov> ")
    repl.send("\u{04}")
    XCTAssertEqual(try repl.waitForExit(), .exited(0), repl.transcript)

    let history = try String(contentsOfFile: historyPath, encoding: .utf8)
    XCTAssertEqual(history.split(separator: "\n").map(String.init), ["let recalled = 41 + 1", "let recalled = 41 + 1", "recalled"])
  }

  /// `label(by: "human")` at a real terminal: the typed answer is saved at once, and Ctrl-C at
  /// the next question stops the script (status 130) without losing it.
  func testHumanLabelingAtATerminalKeepsLabelsAfterCtrlC() throws {
    let out = home.appendingPathComponent("labels.jsonl").path
    let script = home.appendingPathComponent("label.pav").path
    try """
    let items = [{prompt: "review of the pizza:", a: " the pizza was bad.", b: " the pizza was great."},
                 {prompt: "review of the tea:", a: " the tea was great.", b: " the tea was awful."}]
    label(items, by: "human", out: "\(out)")
    print("not reached")
    """.write(toFile: script, atomically: true, encoding: .utf8)
    let term = try Terminal(binary: PavlovBinary.require(), arguments: ["run", script], home: home.path)
    defer { term.kill() }
    try term.expect("[1/2] review of the pizza:\n  1) the pizza was bad.\n  2) the pizza was great.\nbetter answer (1/2, s skip, q quit): ")
    term.send("2\r")
    try term.expect("[2/2] review of the tea:")
    try term.expect("better answer (1/2, s skip, q quit): ")
    usleep(200_000)
    term.send("\u{03}")
    try term.expect("interrupted")
    XCTAssertEqual(try term.waitForExit(), .exited(130), term.transcript)
    XCTAssertFalse(term.transcript.contains("not reached"))
    let saved = try String(contentsOfFile: out, encoding: .utf8)
    XCTAssertEqual(saved, #"{"prompt": "review of the pizza:", "chosen": " the pizza was great.", "rejected": " the pizza was bad."}"# + "\n")
  }

  /// examples/trl_style.pav at a real terminal: a typed reward makes one PPO step, an empty
  /// line ends the loop; Ctrl-C at input() stops the script as anywhere else.
  func testTypedRewardsStepTheTRLStyleExample() throws {
    let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("examples/trl_style.pav").path
    let term = try Terminal(binary: PavlovBinary.require(), arguments: ["run", example], home: home.path)
    defer { term.kill() }
    try term.expect("reward (a number; empty to stop): ")
    term.send("1\r")
    try term.expect("step 2: reward 1.0")
    try term.expect("reward (a number; empty to stop): ")
    term.send("\r")
    try term.expect("2 steps taken")
    XCTAssertEqual(try term.waitForExit(), .exited(0), term.transcript)

    let script = home.appendingPathComponent("ask.pav").path
    try "let name = input(\"name? \")\nprint(\"not reached\")".write(toFile: script, atomically: true, encoding: .utf8)
    let asking = try Terminal(binary: PavlovBinary.require(), arguments: ["run", script], home: home.path)
    defer { asking.kill() }
    try asking.expect("name? ")
    usleep(200_000)
    asking.send("\u{03}")
    try asking.expect("interrupted")
    XCTAssertEqual(try asking.waitForExit(), .exited(130), asking.transcript)
    XCTAssertFalse(asking.transcript.contains("not reached"))
  }
}

/// The pty calls of libc. Swift's Glibc module is built without `_XOPEN_SOURCE`/`_GNU_SOURCE`,
/// so these (declared only under those) are looked up at run time instead.
private struct PTYFunctions {
  /// `POSIX_SPAWN_SETSID` (glibc ≥ 2.26; a `_GNU_SOURCE` macro in <spawn.h>).
  static let spawnSetSID: Int32 = 0x80

  let openpt: @convention(c) (Int32) -> Int32
  let grantpt: @convention(c) (Int32) -> Int32
  let unlockpt: @convention(c) (Int32) -> Int32
  let ptsname_r: @convention(c) (Int32, UnsafeMutablePointer<CChar>?, Int) -> Int32

  static func load() -> PTYFunctions? {
    guard let handle = dlopen(nil, RTLD_NOW),
          let openpt = dlsym(handle, "posix_openpt"), let grantpt = dlsym(handle, "grantpt"),
          let unlockpt = dlsym(handle, "unlockpt"), let ptsname = dlsym(handle, "ptsname_r")
    else { return nil }
    return PTYFunctions(
      openpt: unsafeBitCast(openpt, to: (@convention(c) (Int32) -> Int32).self),
      grantpt: unsafeBitCast(grantpt, to: (@convention(c) (Int32) -> Int32).self),
      unlockpt: unsafeBitCast(unlockpt, to: (@convention(c) (Int32) -> Int32).self),
      ptsname_r: unsafeBitCast(ptsname, to: (@convention(c) (Int32, UnsafeMutablePointer<CChar>?, Int) -> Int32).self))
  }
}

/// A child process on the slave side of a pty, driven through the master side.
private final class Terminal {
  enum Status: Equatable { case exited(Int32), signaled(Int32) }
  struct Timeout: Error {}

  private(set) var master: Int32
  let pid: pid_t
  /// Everything the child wrote, with terminal escapes and carriage returns removed.
  private(set) var transcript = ""
  private var raw: [UInt8] = []
  /// Where the next `expect` starts looking.
  private var mark: String.Index
  private var exitStatus: Status?

  init(binary: String, arguments extra: [String] = [], home: String, file: StaticString = #filePath, line: UInt = #line) throws {
    guard let pty = PTYFunctions.load() else { throw XCTSkip("libc lacks posix_openpt/grantpt/unlockpt/ptsname_r") }
    let fd = pty.openpt(O_RDWR | O_NOCTTY | O_CLOEXEC)
    guard fd >= 0, pty.grantpt(fd) == 0, pty.unlockpt(fd) == 0 else {
      throw XCTSkip("no pseudo-terminals here: \(String(cString: strerror(errno)))")
    }
    var nameBuffer = [CChar](repeating: 0, count: 256)
    guard pty.ptsname_r(fd, &nameBuffer, nameBuffer.count) == 0 else {
      close(fd)
      throw XCTSkip("ptsname_r failed")
    }
    let slaveName = String(cString: nameBuffer)
    var size = winsize(ws_row: 40, ws_col: 120, ws_xpixel: 0, ws_ypixel: 0)
    _ = ioctl(fd, UInt(TIOCSWINSZ), &size)

    // Session leader first, then open the slave without O_NOCTTY: it becomes the controlling tty.
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var noSignals = sigset_t()
    sigemptyset(&noSignals)
    var defaultSignals = sigset_t()
    sigemptyset(&defaultSignals)
    sigaddset(&defaultSignals, SIGINT)
    posix_spawnattr_setsigmask(&attributes, &noSignals)
    posix_spawnattr_setsigdefault(&attributes, &defaultSignals)
    posix_spawnattr_setflags(&attributes, Int16(PTYFunctions.spawnSetSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, slaveName, O_RDWR, 0)
    posix_spawn_file_actions_adddup2(&actions, 0, 1)
    posix_spawn_file_actions_adddup2(&actions, 0, 2)

    var environment = ProcessInfo.processInfo.environment
    environment["HOME"] = home
    environment["TERM"] = "xterm"
    environment["INPUTRC"] = "/dev/null"
    environment["LANG"] = "C.UTF-8"
    let arguments = [binary] + extra
    let argv = arguments.map { strdup($0) } + [nil]
    let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer {
      argv.forEach { free($0) }
      envp.forEach { free($0) }
    }
    var child: pid_t = 0
    let rc = posix_spawn(&child, binary, &actions, &attributes, argv, envp)
    guard rc == 0 else {
      close(fd)
      throw NSError(domain: "PTYTests", code: Int(rc), userInfo: [NSLocalizedDescriptionKey: "posix_spawn failed: \(String(cString: strerror(rc)))"])
    }
    master = fd
    pid = child
    mark = transcript.startIndex
  }

  deinit { kill() }

  func send(_ text: String) {
    var bytes = Array(text.utf8)
    var offset = 0
    while offset < bytes.count {
      let n = bytes.withUnsafeMutableBytes { write(master, $0.baseAddress! + offset, $0.count - offset) }
      if n > 0 { offset += n } else if errno != EINTR { return }
    }
  }

  /// Reads whatever arrives within `milliseconds`; false once the child closed its side.
  @discardableResult
  private func pump(milliseconds: Int32) -> Bool {
    var descriptor = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
    let ready = poll(&descriptor, 1, milliseconds)
    guard ready > 0 else { return true }
    var buffer = [UInt8](repeating: 0, count: 4096)
    let n = read(master, &buffer, buffer.count)
    guard n > 0 else { return false }  // EIO: the slave side is closed
    raw += buffer[0..<n]
    let offset = transcript.distance(from: transcript.startIndex, to: mark)
    transcript = Self.clean(String(decoding: raw, as: UTF8.self))
    mark = transcript.index(transcript.startIndex, offsetBy: min(offset, transcript.count))
    return true
  }

  /// Waits until `text` appears after the previous match (right after it when `next`); fails
  /// with the transcript after `timeout`, or as soon as the output cannot match any more.
  func expect(_ text: String, next: Bool = false, timeout: TimeInterval = 5,
              file: StaticString = #filePath, line: UInt = #line) throws {
    let deadline = Date().addingTimeInterval(timeout)
    var open = true
    while true {
      let rest = transcript[mark...]
      if next {
        if rest.hasPrefix(text) {
          mark = transcript.index(mark, offsetBy: text.count)
          return
        }
        if !text.hasPrefix(rest) { open = false }  // something else came first
      } else if let found = transcript.range(of: text, range: mark..<transcript.endIndex) {
        mark = found.upperBound
        return
      }
      guard open, Date() < deadline else {
        let why = open ? "timed out waiting for" : next ? "expected next" : "the REPL closed the terminal before writing"
        XCTFail("\(why) \(text.debugDescription); transcript so far:\n\(transcript)\n--- end ---", file: file, line: line)
        throw Timeout()
      }
      open = pump(milliseconds: 50)
    }
  }

  private func hasPendingOutput() -> Bool {
    var descriptor = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
    return poll(&descriptor, 1, 0) > 0 && descriptor.revents & Int16(POLLIN) != 0
  }

  private func pollExit() -> Status? {
    if let exitStatus { return exitStatus }
    var status: Int32 = 0
    guard waitpid(pid, &status, WNOHANG) == pid else { return nil }
    exitStatus = (status & 0x7f) == 0 ? .exited((status >> 8) & 0xff) : .signaled(status & 0x7f)
    return exitStatus
  }

  /// Waits for the child to end, reading its last output meanwhile.
  func waitForExit(timeout: TimeInterval = 5, file: StaticString = #filePath, line: UInt = #line) throws -> Status {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
      if let status = pollExit() {
        while hasPendingOutput() && pump(milliseconds: 0) {}
        return status
      }
      if !pump(milliseconds: 20) { usleep(5_000) }
    }
    XCTFail("pavlov did not exit; transcript:\n\(transcript)\n--- end ---", file: file, line: line)
    throw Timeout()
  }

  func kill() {
    if pollExit() == nil {
      _ = Glibc.kill(pid, SIGKILL)
      var status: Int32 = 0
      _ = waitpid(pid, &status, 0)
      exitStatus = .signaled(SIGKILL)
    }
    if master >= 0 { close(master) }
    master = -1
  }

  /// Drops CSI sequences (colors, bracketed-paste mode), OSC strings, other two-byte escapes,
  /// bells and carriage returns.
  static func clean(_ text: String) -> String {
    var out = ""
    var scalars = text.unicodeScalars.makeIterator()
    while let c = scalars.next() {
      switch c {
      case "\u{1B}":
        guard let kind = scalars.next() else { break }
        if kind == "[" {
          while let x = scalars.next(), !(0x40...0x7E).contains(x.value) {}
        } else if kind == "]" {
          while let x = scalars.next(), x != "\u{07}" {}
        }
      case "\r", "\u{07}":
        continue
      default:
        out.unicodeScalars.append(c)
      }
    }
    return out
  }
}
#endif
