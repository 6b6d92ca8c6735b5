import CPavlovSupport
import Glibc
import PavlovLang
import Synchronization
import XCTest

/// The robustness test the spec requires: at least 100,000 generated and mutated programs go
/// through the lexer, parser, resolver and a step-bounded evaluation, and every one must end in
/// a value or a Pavlov error. A Swift trap would kill the process; if one does, the program that
/// caused it is printed first (see `CrashReport`), so the failure can be reproduced from the log.
///
/// Knobs (environment variables):
/// - `PAVLOV_FUZZ_COUNT`: programs to run (default 100,000).
/// - `PAVLOV_FUZZ_SEED`: base seed (default fixed, so runs are reproducible).
/// - `PAVLOV_FUZZ_START`: index of the first program (to replay one from a report).
/// - `PAVLOV_FUZZ_HANG_SECONDS`: how long one program may run before the test is stopped as
///   hung (default 120).
/// - `PAVLOV_FUZZ_SKIP`: comma-separated program numbers not to run, to fuzz on past a known
///   crash while it is being fixed. Skipped programs make the test fail: nothing stays hidden.
final class RobustnessTests: XCTestCase {
  static let defaultSeed: UInt64 = 0x5EED_0F_9A71_0F
  /// Like the CLI (Sources/pavlov/Commands.swift), programs run on a thread with a 1 GiB stack.
  static let stackBytes = 1 << 30

  struct Settings {
    var count = 100_000
    var seed = RobustnessTests.defaultSeed
    var start = 0
    var hangSeconds = 120.0
    /// When set, a run still going after this many seconds gets a Ctrl-C (the builtin fuzzer's
    /// calls have no step limit inside native loops); only one that ignores it is a hang.
    var interruptSeconds: Double? = nil
    var skip: Set<Int> = []

    static func fromEnvironment() -> Settings {
      var s = Settings()
      func value(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }
      if let v = value("PAVLOV_FUZZ_COUNT"), let n = Int(v.filter { $0 != "_" }) { s.count = max(0, n) }
      if let v = value("PAVLOV_FUZZ_SEED"), let n = UInt64(v) { s.seed = n }
      if let v = value("PAVLOV_FUZZ_START"), let n = Int(v) { s.start = max(0, n) }
      if let v = value("PAVLOV_FUZZ_HANG_SECONDS"), let n = Double(v) { s.hangSeconds = n }
      if let v = value("PAVLOV_FUZZ_SKIP") { s.skip = Set(v.split(separator: ",").compactMap { Int($0.filter { $0 != " " }) }) }
      return s
    }
  }

  /// How the runs ended.
  struct Tally {
    var ok = 0, compile = 0, runtime = 0, thrown = 0, interrupt = 0, exit = 0
    var generated = 0, mutated = 0, skipped = 0
    /// Programs whose error says "internal error": the evaluator found itself in a state it
    /// should never reach. They are bugs even though they end in a Pavlov error.
    var internalErrors: [String] = []
    /// How often the edge cases the generator aims at were reached.
    var markers: [String: Int] = [:]
    var slowest: [(seconds: Double, index: Int)] = []

    var total: Int { ok + compile + runtime + thrown + interrupt + exit + skipped }

    static let markerPhrases = ["stack overflow", "too deep", "integer overflow", "by zero", "step limit"]

    mutating func record(_ error: PavlovError, index: Int, program: String) {
      switch error.kind {
      case .compile: compile += 1
      case .runtime: runtime += 1
      case .thrown: thrown += 1
      case .interrupt: interrupt += 1
      case .exit: exit += 1
      }
      let message = error.message
      for phrase in Self.markerPhrases where message.contains(phrase) { markers[phrase, default: 0] += 1 }
      if message.contains("internal error") && internalErrors.count < 10 {
        internalErrors.append("program #\(index): \(error.render())\n--- program ---\n\(program.prefix(2000))")
      }
    }

    mutating func timed(_ seconds: Double, _ index: Int) {
      guard slowest.count < 5 || seconds > slowest[slowest.count - 1].seconds else { return }
      slowest.append((seconds, index))
      slowest.sort { $0.seconds > $1.seconds }
      if slowest.count > 5 { slowest.removeLast() }
    }
  }

  // MARK: - The test the spec asks for

  func testGeneratedAndMutatedProgramsEndInAValueOrAPavlovError() {
    let settings = Settings.fromEnvironment()
    let started = Self.now()
    var tally = Tally()
    FuzzHarness.run(label: "robustness", settings: settings) { index in
      let (program, origin) = FuzzCorpus.program(index: index, baseSeed: settings.seed)
      if origin == .generated { tally.generated += 1 } else { tally.mutated += 1 }
      if settings.skip.contains(index) {
        tally.skipped += 1
        return
      }
      CrashReport.setCurrent("program #\(index) (\(origin); replay with PAVLOV_FUZZ_SEED=\(settings.seed) PAVLOV_FUZZ_START=\(index) PAVLOV_FUZZ_COUNT=1, or from #\(index - index % 1024) if it needs the programs before it)", program)
      if index % 1024 == 0 || FuzzHarness.interpreter == nil {
        // A fresh interpreter now and then; in between, programs share one, as REPL entries do.
        // The old one is torn down: its functions and its globals form a cycle otherwise. (Not
        // more often: a cyclic value holding a function still keeps an interpreter alive.)
        FuzzHarness.interpreter?.tearDown()
        let interp = Interpreter()
        interp.write = { _ in }
        FuzzHarness.interpreter = interp
      }
      let interp = FuzzHarness.interpreter!
      interp.stepLimit = Self.stepLimit(index, settings.seed)
      let t0 = Self.now()
      do throws(PavlovError) {
        // One program in eight runs as a REPL entry (re-declaring a global is then allowed).
        let value = try interp.run(SourceFile(name: "fuzz", text: program), replMode: index % 8 == 7)
        _ = Format.repr(value, limit: 1_000)
        tally.ok += 1
      } catch {
        _ = error.render()
        tally.record(error, index: index, program: program)
      }
      tally.timed(Self.now() - t0, index)
    }
    FuzzHarness.interpreter?.tearDown()
    FuzzHarness.interpreter = nil
    let elapsed = Self.now() - started

    let n = settings.count
    func share(_ k: Int) -> String { n == 0 ? "0" : String(format1(100.0 * Double(k) / Double(n))) + "%" }
    var summary = "robustness: \(tally.total) programs (\(tally.generated) generated, \(tally.mutated) mutated, seed \(settings.seed)) in \(format1(elapsed)) s: "
    summary += "ok \(tally.ok) (\(share(tally.ok))), compile errors \(tally.compile) (\(share(tally.compile))), "
    summary += "runtime errors \(tally.runtime + tally.thrown) (\(share(tally.runtime + tally.thrown)); \(tally.thrown) thrown), "
    summary += "interrupted \(tally.interrupt) (\(share(tally.interrupt))), exit \(tally.exit)"
    summary += tally.skipped > 0 ? ", SKIPPED \(tally.skipped)\n" : "\n"
    summary += "  edge cases reached: " + Tally.markerPhrases.map { "\($0) \(tally.markers[$0, default: 0])" }.joined(separator: ", ") + "\n"
    summary += "  slowest: " + tally.slowest.map { "#\($0.index) \(format3($0.seconds)) s" }.joined(separator: ", ")
    print(summary)

    XCTAssertEqual(tally.total, n, "every program must end in a value or a Pavlov error")
    XCTAssertEqual(tally.generated + tally.mutated, n)
    XCTAssertEqual(tally.skipped, 0, "PAVLOV_FUZZ_SKIP left programs out: \(settings.skip.sorted().map(String.init).joined(separator: ","))")
    XCTAssertTrue(tally.internalErrors.isEmpty, "internal errors are evaluator bugs:\n" + tally.internalErrors.joined(separator: "\n\n"))
    // The corpus must exercise every outcome, or the test proves little.
    if n >= 1_000 {
      XCTAssertGreaterThanOrEqual(tally.ok * 20, n, "fewer than 5% of the programs ran to the end")
      XCTAssertGreaterThanOrEqual((tally.runtime + tally.thrown) * 20, n, "fewer than 5% of the programs hit a runtime error")
      XCTAssertGreaterThanOrEqual(tally.compile * 20, n, "fewer than 5% of the programs had a compile error")
      XCTAssertGreaterThanOrEqual(tally.interrupt * 200, n, "fewer than 0.5% of the programs hit the step limit")
    }
    if n >= 20_000 {
      for phrase in Tally.markerPhrases {
        XCTAssertGreaterThan(tally.markers[phrase, default: 0], 0, "no program ended in an error mentioning \"\(phrase)\"")
      }
    }
  }

  // MARK: - Lexer, parser and resolver on their own

  /// Arbitrary text (mutants and token soup, with quotes, brackets and f-strings left open) goes
  /// through `Lexer.tokenize`, `Lexer.isIncomplete`, `Parser.parse` and `Interpreter.check`
  /// (one input for every twenty programs of the test above).
  func testLexerParserAndResolverAcceptAnyText() {
    var settings = Settings.fromEnvironment()
    settings.count = max(1, settings.count / 20)
    var parsed = 0, rejected = 0
    var anomalies: [String] = []
    let checker = Interpreter()
    FuzzHarness.run(label: "parser robustness", settings: settings) { index in
      let text = Self.parserInput(index: index, seed: settings.seed)
      CrashReport.setCurrent("input #\(index) of testLexerParserAndResolverAcceptAnyText (PAVLOV_FUZZ_SEED=\(settings.seed))", text)
      let file = SourceFile(name: "fuzz", text: text)
      let (tokens, diagnostics) = Lexer.tokenize(file)
      for d in diagnostics.prefix(3) { _ = PavlovError.compile([d]).render() }
      _ = Lexer.isIncomplete(text)
      var problem: String?
      if case .eof? = tokens.last?.kind {} else { problem = "the token list does not end with end-of-input" }
      do throws(PavlovError) {
        _ = try Parser.parse(file)
        try checker.check(file) // parses again, then resolves
        parsed += 1
      } catch {
        if error.kind != .compile { problem = "parsing or checking raised a \(error.kind) error: \(error.message)" }
        if error.diagnostics.isEmpty { problem = "a compile error without diagnostics: \(error.message)" }
        _ = error.render()
        rejected += 1
      }
      if let problem, anomalies.count < 10 { anomalies.append("input #\(index): \(problem)\n--- input ---\n\(text.prefix(1000))") }
    }
    print("parser robustness: \(parsed + rejected) inputs, \(parsed) accepted, \(rejected) rejected")
    XCTAssertEqual(parsed + rejected, settings.count)
    XCTAssertTrue(anomalies.isEmpty, anomalies.joined(separator: "\n\n"))
  }

  /// Input `index` for the parser test: a harshly mutated program, or a soup of tokens.
  static func parserInput(index: Int, seed: UInt64) -> String {
    var rng = FuzzRandom(seed: FuzzRandom.mix(seed ^ 0x9A75_E7, UInt64(index)))
    if rng.chance(50) {
      var soup = ""
      for _ in 0..<rng.int(1...120) {
        soup += rng.chance(30) ? rng.pick(ProgramMutator.names) : rng.pick(ProgramMutator.tokens)
        if rng.chance(40) { soup += " " }
      }
      return soup
    }
    let base = FuzzCorpus.program(index: index, baseSeed: seed).text
    var mutator = ProgramMutator(seed: rng.next())
    var text = base
    for _ in 0..<rng.int(1...4) { text = mutator.mutate(text, donor: rng.pick(FuzzSeeds.programs)) }
    return text
  }

  // MARK: - Helpers

  static func stepLimit(_ index: Int, _ seed: UInt64) -> Int {
    let limits = [2_000, 2_000, 2_000, 5_000, 20_000]
    return limits[Int(FuzzRandom.mix(seed ^ 0x57E9, UInt64(index)) % UInt64(limits.count))]
  }

  static func now() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
  }
}

private func format1(_ x: Double) -> String { String(Double(Int(x * 10)) / 10) }
private func format3(_ x: Double) -> String { String(Double(Int(x * 1000)) / 1000) }

// MARK: - Harness

/// Runs a fuzz loop on a large-stack thread, with a crash report and a watchdog.
enum FuzzHarness {
  /// The interpreter the current batch shares (only touched by the fuzz thread).
  nonisolated(unsafe) static var interpreter: Interpreter?

  final class Job: @unchecked Sendable {
    let settings: RobustnessTests.Settings
    let body: (Int) -> Void
    /// Index of the program running now, and when it started (milliseconds).
    let current = Atomic<Int>(-1)
    let startedMillis = Atomic<Int>(0)
    let finished = Atomic<Bool>(false)
    init(settings: RobustnessTests.Settings, body: @escaping (Int) -> Void) {
      self.settings = settings
      self.body = body
    }
  }

  static func run(label: String, settings: RobustnessTests.Settings, _ body: @escaping (Int) -> Void) {
    let job = Job(settings: settings, body: body)
    let limit = MemoryLimit.lower(to: 12 << 30)
    defer { MemoryLimit.restore(limit) }
    var attributes = pthread_attr_t()
    pthread_attr_init(&attributes)
    pthread_attr_setstacksize(&attributes, RobustnessTests.stackBytes)
    var thread = pthread_t()
    let context = Unmanaged.passRetained(job).toOpaque()
    let created = pthread_create(&thread, &attributes, { raw in
      let job = Unmanaged<Job>.fromOpaque(raw!).takeRetainedValue()
      CrashReport.install()
      let s = job.settings
      for index in s.start..<(s.start + s.count) {
        job.startedMillis.store(Int(RobustnessTests.now() * 1000), ordering: .relaxed)
        job.current.store(index, ordering: .relaxed)
        job.body(index)
      }
      CrashReport.uninstall()
      job.finished.store(true, ordering: .releasing)
      return nil
    }, context)
    pthread_attr_destroy(&attributes)
    guard created == 0 else {
      XCTFail("\(label): cannot start a thread with a \(RobustnessTests.stackBytes >> 20) MiB stack")
      Unmanaged<Job>.fromOpaque(context).release()
      return
    }
    // Watchdog: the step limit must stop every program; one that runs for minutes is a hang.
    var interrupted = -1
    while !job.finished.load(ordering: .acquiring) {
      usleep(50_000)
      let index = job.current.load(ordering: .relaxed)
      let running = RobustnessTests.now() - Double(job.startedMillis.load(ordering: .relaxed)) / 1000
      if let soft = settings.interruptSeconds, index >= 0, running > soft, interrupted != index {
        interrupted = index
        pavlov_raise_interrupt()
      }
      if index >= 0 && running > settings.hangSeconds && !job.finished.load(ordering: .acquiring) {
        CrashReport.printCurrent(reason: "HANG: still running after \(Int(running)) s despite the step limit")
        CrashReport.length = 0 // printed once is enough
        fatalError("\(label): program #\(index) hangs (see the program printed above)")
      }
    }
    pthread_join(thread, nil)
  }
}

/// Prints the program being run if the process dies of a signal (a Swift trap is SIGILL or
/// SIGTRAP, a native stack overflow SIGSEGV), then lets the previous handler (Swift's
/// backtracer, which names the failed check) or the default action finish the job.
enum CrashReport {
  static let capacity = 1 << 20
  nonisolated(unsafe) static let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
  nonisolated(unsafe) static var length = 0
  nonisolated(unsafe) static let previous = UnsafeMutablePointer<sigaction>.allocate(capacity: 32)
  static let signals: [Int32] = [SIGILL, SIGTRAP, SIGSEGV, SIGBUS, SIGFPE, SIGABRT]
  nonisolated(unsafe) static var alternateStack: UnsafeMutableRawPointer?

  /// Records what to print if the process crashes now.
  static func setCurrent(_ title: String, _ program: String) {
    var n = 0
    func append(_ text: String) {
      var text = text
      text.withUTF8 { bytes in
        let k = min(bytes.count, capacity - n)
        if k > 0 { (buffer + n).update(from: bytes.baseAddress!, count: k) }
        n += k
      }
    }
    append("\n*** Pavlov robustness: crashed or hung while running \(title) ***\n")
    append(program)
    append("\n*** end of program ***\n")
    length = n
  }

  static func printCurrent(reason: String) {
    let header = Array("\n*** \(reason) ***".utf8)
    _ = header.withUnsafeBufferPointer { write(2, $0.baseAddress, $0.count) }
    _ = write(2, buffer, length)
  }

  static func install() {
    let size = 1 << 20
    alternateStack = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
    var stack = stack_t()
    stack.ss_sp = alternateStack
    stack.ss_size = size
    stack.ss_flags = 0
    sigaltstack(&stack, nil)
    for sig in signals {
      var action = sigaction()
      action.__sigaction_handler.sa_sigaction = { sig, info, _ in
        _ = write(2, CrashReport.buffer, CrashReport.length)
        // Hand the signal to whoever handled it before; a fault then recurs on return.
        sigaction(sig, CrashReport.previous + Int(sig), nil)
        if let info, info.pointee.si_code <= 0 { raise(sig) }
      }
      action.sa_flags = Int32(SA_SIGINFO | SA_ONSTACK)
      sigemptyset(&action.sa_mask)
      sigaction(sig, &action, previous + Int(sig))
    }
  }

  static func uninstall() {
    for sig in signals { sigaction(sig, previous + Int(sig), nil) }
    var stack = stack_t()
    stack.ss_flags = Int32(SS_DISABLE)
    sigaltstack(&stack, nil)
    alternateStack?.deallocate()
    alternateStack = nil
  }
}

/// Caps the address space while fuzzing (12 GiB; this machine is shared), so a program that
/// grows a value without bound fails an allocation quickly, and is reported, instead of
/// pushing the machine out of memory.
enum MemoryLimit {
  static func lower(to bytes: Int) -> rlimit? {
    var old = rlimit()
    guard getrlimit(Int32(RLIMIT_AS.rawValue), &old) == 0 else { return nil }
    guard old.rlim_cur == rlim_t.max || old.rlim_cur > rlim_t(bytes) else { return nil }
    var new = old
    new.rlim_cur = rlim_t(bytes)
    return setrlimit(Int32(RLIMIT_AS.rawValue), &new) == 0 ? old : nil
  }

  static func restore(_ old: rlimit?) {
    guard var old else { return }
    setrlimit(Int32(RLIMIT_AS.rawValue), &old)
  }
}
