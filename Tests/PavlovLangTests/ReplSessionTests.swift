import CPavlovSupport
import Foundation
import PavlovLang
import PavlovREPL
import PavlovTestSupport
import XCTest

/// Drives `ReplSession` the way the readline front end does: one line at a time, looking at
/// the outcome, the prompt and what `print` wrote.
final class ReplSessionTests: XCTestCase {
  private var session: ReplSession!
  /// What the session's scripts printed (through `interpreter.write`).
  private var printed = ""
  private var tempFiles: [String] = []

  override func setUpWithError() throws {
    // A stray interrupt from another test must not stop the first loop here.
    _ = pavlov_take_interrupt()
    session = try ReplSession(seed: nil)
    capturePrints()
  }

  override func tearDown() {
    _ = pavlov_take_interrupt()
    for path in tempFiles { try? FileManager.default.removeItem(atPath: path) }
    tempFiles = []
    session = nil
  }

  // MARK: - Helpers

  /// Sends `print` output to `printed`. `:reset` makes a new interpreter, so call it again after.
  private func capturePrints() {
    session.interpreter.write = { [unowned self] text in self.printed += text }
  }

  /// Feeds a line that must complete an entry; returns the text the REPL shows.
  @discardableResult
  private func run(_ line: String, file: StaticString = #filePath, line testLine: UInt = #line) -> String {
    switch session.feed(line) {
    case .output(let text):
      return text
    case .needsMore:
      XCTFail("`\(line)` was taken as an incomplete entry (pending: \(session.pending))", file: file, line: testLine)
      session.cancelPending()
      return ""
    case .quit:
      XCTFail("`\(line)` ended the session", file: file, line: testLine)
      return ""
    }
  }

  /// Feeds a line that must leave the entry open.
  private func more(_ line: String, file: StaticString = #filePath, line testLine: UInt = #line) {
    let outcome = session.feed(line)
    XCTAssertEqual(outcome, .needsMore, "`\(line)` should continue the entry", file: file, line: testLine)
    XCTAssertEqual(session.prompt, "   ...> ", "continuation prompt", file: file, line: testLine)
  }

  private func assertContains(_ text: String, _ fragment: String, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertTrue(text.contains(fragment), "expected to find \"\(fragment)\" in:\n\(text)", file: file, line: line)
  }

  private func tempFile(_ contents: String, suffix: String = ".pav") throws -> String {
    let path = NSTemporaryDirectory() + "/pavlov-repl-\(UUID().uuidString)\(suffix)"
    try contents.write(toFile: path, atomically: true, encoding: .utf8)
    tempFiles.append(path)
    return path
  }

  // MARK: - Echo and state

  func testExpressionValuesAreEchoedAsRepr() {
    XCTAssertEqual(session.prompt, "pavlov> ")
    XCTAssertEqual(run("1 + 2"), "3")
    XCTAssertEqual(run("\"hi\""), "\"hi\"", "strings are echoed quoted")
    XCTAssertEqual(run("[1, \"a\", 2.5]"), "[1, \"a\", 2.5]")
    XCTAssertEqual(run("{a: 1}"), "{a: 1}")
    XCTAssertEqual(run("true"), "true")
    XCTAssertEqual(run("nil"), "", "nil is not echoed")
    XCTAssertEqual(run(""), "", "an empty line shows nothing")
    XCTAssertEqual(run("   "), "")
    XCTAssertEqual(printed, "", "echoing is not printing")
  }

  func testPrintGoesThroughWriteAndIsNotEchoed() {
    XCTAssertEqual(run("print(\"hello\")"), "", "print returns nil, which is not echoed")
    XCTAssertEqual(printed, "hello\n")
    XCTAssertEqual(run("print(\"a\"); 5"), "5")
    XCTAssertEqual(printed, "hello\na\n")
  }

  func testLetPersistsAcrossEntries() {
    XCTAssertEqual(run("let x = 40"), "", "a declaration shows nothing")
    XCTAssertEqual(run("let y = x + 2"), "")
    XCTAssertEqual(run("y"), "42")
    XCTAssertEqual(run("x = 1"), "", "assignment to an earlier entry's variable")
    XCTAssertEqual(run("x + y"), "43")
  }

  func testRedeclaringLetInALaterEntryWorks() {
    run("let x = 1")
    XCTAssertEqual(run("let x = \"now a string\""), "")
    XCTAssertEqual(run("x"), "\"now a string\"")
    XCTAssertEqual(run("let x = x + \"!\""), "", "the new value may use the old one")
    XCTAssertEqual(run("x"), "\"now a string!\"")
  }

  func testFunctionDefinedInOneEntryIsCalledInALaterOne() {
    XCTAssertEqual(run("fn square(n) { return n * n }"), "")
    XCTAssertEqual(run("square(7)"), "49")
    run("let base = 10")
    run("fn add_base(n) { return n + base }")
    XCTAssertEqual(run("add_base(5)"), "15")
    run("base = 100")
    XCTAssertEqual(run("add_base(5)"), "105", "a function sees the current value of a global")
  }

  // MARK: - Multi-line entries

  func testOpenBraceContinuesUntilClosed() {
    XCTAssertEqual(session.prompt, "pavlov> ")
    more("fn add(a, b) {")
    XCTAssertEqual(session.pending, ["fn add(a, b) {"])
    more("  let s = a + b")
    XCTAssertEqual(run("  return s }"), "")
    XCTAssertEqual(session.prompt, "pavlov> ", "back to the main prompt")
    XCTAssertTrue(session.pending.isEmpty)
    XCTAssertEqual(run("add(2, 3)"), "5")
  }

  func testOpenBracketAndParenContinue() {
    more("let xs = [1,")
    more("  2,")
    XCTAssertEqual(run("  3]"), "")
    XCTAssertEqual(run("xs"), "[1, 2, 3]")
    more("max(10,")
    XCTAssertEqual(run("  20)"), "20")
  }

  func testMultiLineStatementsRunAsOneEntry() {
    run("let total = 0")
    more("for x in [1, 2, 3] {")
    more("  total += x")
    more("  print(x)")
    XCTAssertEqual(printed, "", "nothing runs before the entry is complete")
    XCTAssertEqual(run("}"), "")
    XCTAssertEqual(printed, "1\n2\n3\n")
    XCTAssertEqual(run("total"), "6")
  }

  func testTrailingOperatorContinues() {
    more("1 +")
    XCTAssertEqual(run("2"), "3")
  }

  func testErrorInsideAMultiLineEntryResetsThePrompt() {
    more("if true {")
    let shown = run("  1 / 0 }")
    assertContains(shown, "division by zero")
    XCTAssertEqual(session.prompt, "pavlov> ")
    XCTAssertTrue(session.pending.isEmpty)
  }

  func testCancelPendingDropsAHalfEntry() {
    more("let half = [1,")
    more("2,")
    session.cancelPending()
    XCTAssertTrue(session.pending.isEmpty)
    XCTAssertEqual(session.prompt, "pavlov> ")
    // The next line is a fresh entry, not the tail of the dropped one.
    XCTAssertEqual(run("3"), "3")
    assertContains(run("half"), "undefined name `half`")
  }

  func testCommandsAreCodeInsideAnOpenEntry() {
    // A line starting with `:` is only a command at the main prompt.
    more("let r = {a:")
    XCTAssertEqual(run(" 1}"), "")
    XCTAssertEqual(run("r.a"), "1")
  }

  /// Strings end on their line (the lexer says so), so an unterminated string can never be
  /// completed by later lines: the REPL should report it at once instead of waiting forever.
  func testUnterminatedStringIsReportedNotContinuedForever() {
    let first = session.feed("print(\"abc")
    guard first == .needsMore else {
      if case .output(let text) = first { assertContains(text, "unterminated string") }
      return
    }
    // Any continuation line keeps the entry open: the user is stuck until Ctrl-C.
    let second = session.feed("\")")
    let third = session.feed("1")
    session.cancelPending()
    XCTFail("""
      an unterminated string keeps the REPL in continuation mode forever \
      (feed(\"print(\\\"abc\") → \(first), then feed(\"\\\")\") → \(second), feed(\"1\") → \(third)); \
      strings cannot span lines, so it should be reported as an error right away
      """)
  }

  // MARK: - Errors

  func testErrorDoesNotEndTheSessionAndVariablesSurvive() {
    run("let kept = [1, 2]")
    let runtime = run("kept[10]")
    XCTAssertFalse(runtime.isEmpty, "an error is reported")
    assertContains(runtime, "<repl")
    let compile = run("let = 3")
    XCTAssertFalse(compile.isEmpty)
    assertContains(run("undefined_name_here + 1"), "undefined name `undefined_name_here`")
    assertContains(run("1 / 0"), "division by zero")
    XCTAssertEqual(run("kept"), "[1, 2]", "variables survive errors")
    run("kept.push(3)")
    XCTAssertEqual(run("kept"), "[1, 2, 3]")
  }

  func testRuntimeErrorKeepsEffectsOfStatementsBeforeIt() {
    let shown = run("let before = 5; let after = 1 / 0")
    assertContains(shown, "division by zero")
    XCTAssertEqual(run("before"), "5")
    // `after` never got a value; using it is an error, and declaring it again works.
    XCTAssertFalse(run("after").isEmpty)
    run("let after = 6")
    XCTAssertEqual(run("after"), "6")
  }

  /// An entry that fails to compile runs nothing, so it should declare nothing either.
  func testCompileErrorLeavesNoHalfDeclaredVariable() {
    let shown = run("let phantom = no_such_name_anywhere")
    assertContains(shown, "undefined name `no_such_name_anywhere`")
    assertContains(run("phantom"), "undefined name `phantom`")
    XCTAssertEqual(session.completions(forLine: "phanto"), [], "a failed entry should not add completions")
  }

  func testExitIsIgnoredInTheRepl() {
    let shown = run("exit(3)")
    assertContains(shown, "exit ignored")
    assertContains(shown, ":quit")
    XCTAssertEqual(run("1"), "1", "the session goes on")
  }

  func testThrownErrorCanBeCaughtAcrossEntries() {
    run("fn boom() { throw \"bang\" }")
    assertContains(run("boom()"), "bang")
    XCTAssertEqual(run("let got = nil; try { boom() } catch e { got = \"caught\" }; got"), "\"caught\"")
  }

  // MARK: - Commands

  func testHelpOverviewListsFamilies() {
    let text = run(":help")
    for family in ["core:", "random:", "math:", "sequences:", "json:", "io:", "time:"] {
      assertContains(text, family)
    }
    assertContains(text, "len")
    assertContains(text, "print")
    assertContains(text, "REPL commands")
    XCTAssertEqual(run(":h"), text, ":h is :help")
    XCTAssertEqual(run("  :help  "), text, "surrounding spaces are allowed")
  }

  func testHelpForAFunctionShowsSignatureAndDoc() {
    let text = run(":help len")
    XCTAssertTrue(text.hasPrefix("len(x)"), text)
    assertContains(text, "The number of items")
  }

  func testHelpForAMethod() {
    let text = run(":help list.push")
    XCTAssertTrue(text.hasPrefix("list.push("), text)
    assertContains(text, "Appends")
  }

  func testHelpForAPreludeFunctionAndAKeyword() {
    assertContains(run(":help mean"), "[prelude]")
    assertContains(run(":help discounted"), "discounted(rewards, gamma: 0.99)   [prelude]")
    let keyword = run(":help while")
    XCTAssertFalse(keyword.hasPrefix("no help"), keyword)
  }

  func testHelpForAVariable() {
    run("let xs = [1, 2]")
    XCTAssertEqual(run(":help xs"), "xs: a variable holding list: [1, 2]")
  }

  func testHelpForUnknownNameSuggests() {
    assertContains(run(":help nosuch"), "no help for `nosuch`")
    let typo = run(":help lenn")
    assertContains(typo, "no help for `lenn`")
    assertContains(typo, "did you mean `len`?")
    assertContains(run(":help prnit"), "did you mean `print`?")
  }

  func testVarsListsVariablesWithTypes() {
    XCTAssertEqual(run(":vars"), "(no variables yet)")
    run("let count = 3")
    run("let name = \"ada\"")
    run("let xs = [1, 2]")
    run("fn f(a) { return a }")
    let lines = run(":vars").split(separator: "\n").map(String.init)
    XCTAssertTrue(lines.contains("count: int = 3"), "\(lines)")
    XCTAssertTrue(lines.contains("name: string = \"ada\""), "\(lines)")
    XCTAssertTrue(lines.contains("xs: list = [1, 2]"), "\(lines)")
    XCTAssertTrue(lines.contains { $0.hasPrefix("f: function = ") }, "\(lines)")
    XCTAssertEqual(lines.count, 4, "only the session's variables, not builtins or the prelude: \(lines)")
  }

  func testLoadRunsAFileIntoTheSession() throws {
    let path = try tempFile("""
      let loaded_value = 41
      fn bump(x) { return x + 1 }
      print("loading")
      """)
    XCTAssertEqual(run(":load \(path)"), "loaded \(path)")
    XCTAssertEqual(printed, "loading\n")
    XCTAssertEqual(run("bump(loaded_value)"), "42")
    // Loading again redeclares without complaint.
    XCTAssertEqual(run(":load \(path)"), "loaded \(path)")
  }

  func testLoadReportsErrorsAndKeepsTheSession() throws {
    run("let survivor = 1")
    let bad = try tempFile("let a = 1\nlet b = a / 0\n")
    let shown = run(":load \(bad)")
    assertContains(shown, "division by zero")
    assertContains(shown, "\(bad):2:")
    assertContains(run(":load /no/such/file.pav"), "cannot read /no/such/file.pav")
    XCTAssertEqual(run(":load"), "usage: :load FILE")
    XCTAssertEqual(run("survivor"), "1")
  }

  func testTimePrintsValueAndMilliseconds() throws {
    let shown = run(":time 6 * 7")
    let lines = shown.split(separator: "\n").map(String.init)
    XCTAssertEqual(lines.count, 2, shown)
    XCTAssertEqual(lines.first, "42")
    let regex = try NSRegularExpression(pattern: #"^time: \d+\.\d{3} ms$"#)
    let last = lines.last ?? ""
    XCTAssertNotNil(regex.firstMatch(in: last, range: NSRange(last.startIndex..., in: last)), "bad time line: \(last)")

    let statement = run(":time let t = 1")
    XCTAssertTrue(statement.hasPrefix("time: ") && statement.hasSuffix(" ms"), statement)
    XCTAssertEqual(run("t"), "1", ":time runs in the session")
    XCTAssertEqual(run(":time"), "usage: :time EXPRESSION")
  }

  func testResetForgetsVariables() {
    run("let gone = 1")
    run("fn gone_fn() { return 1 }")
    XCTAssertEqual(run(":reset"), "session reset")
    capturePrints()
    assertContains(run("gone"), "undefined name `gone`")
    assertContains(run("gone_fn()"), "undefined name `gone_fn`")
    XCTAssertEqual(run(":vars"), "(no variables yet)")
    // Builtins and the prelude are back.
    XCTAssertEqual(run("len([1, 2])"), "2")
    XCTAssertEqual(run("mean([1, 3])"), "2.0")
    run("print(\"after reset\")")
    XCTAssertEqual(printed, "after reset\n")
  }

  func testResetRestoresTheSeededGenerator() throws {
    let seeded = try ReplSession(seed: 42)
    guard case .output(let first) = seeded.feed("[rand(), rand()]") else { return XCTFail("no output") }
    guard case .output(let second) = seeded.feed("[rand(), rand()]") else { return XCTFail("no output") }
    XCTAssertNotEqual(first, second)
    _ = seeded.feed(":reset")
    XCTAssertEqual(seeded.feed("[rand(), rand()]"), .output(first), "reset starts the seeded sequence again")
    let other = try ReplSession(seed: 42)
    XCTAssertEqual(other.feed("[rand(), rand()]"), .output(first), "same seed, same draws")
  }

  func testQuit() {
    XCTAssertEqual(session.feed(":quit"), .quit)
    XCTAssertEqual(session.feed(":q"), .quit)
    XCTAssertEqual(session.feed(":exit"), .quit)
  }

  func testUnknownCommandSuggests() {
    let typo = run(":hlep")
    assertContains(typo, "unknown command `:hlep`")
    assertContains(typo, "did you mean `:help`?")
    let unknown = run(":frobnicate")
    assertContains(unknown, "unknown command `:frobnicate`")
    for command in [":help", ":vars", ":load", ":time", ":reset", ":quit"] {
      assertContains(unknown, command)
    }
  }

  // MARK: - Completion

  func testCompletesGlobalsDefinedInTheSession() {
    run("let my_global_counter = 1")
    run("fn my_global_fn() { }")
    XCTAssertEqual(session.completions(forLine: "my_glob"), ["my_global_counter", "my_global_fn"])
    XCTAssertEqual(session.completions(forLine: "print(my_global_c"), ["my_global_counter"], "only the word under the cursor counts")
  }

  func testCompletesBuiltinsAndKeywords() {
    XCTAssertTrue(session.completions(forLine: "pri").contains("print"))
    XCTAssertTrue(session.completions(forLine: "whi").contains("while"))
    XCTAssertEqual(session.completions(forLine: "contin"), ["continue"])
    XCTAssertTrue(session.completions(forLine: "let m = mea").contains("mean"), "prelude functions")
    XCTAssertTrue(session.completions(forLine: "zzzq").isEmpty)
    XCTAssertFalse(session.completions(forLine: "_").contains { $0.hasPrefix("_") }, "private names are hidden")
  }

  func testCompletesKeywordArgumentsOfTheCallBeingTyped() {
    XCTAssertEqual(session.completions(forLine: "ppo(\"CartPole-v1\", n_e").first, "n_envs:", "a builtin's keywords come first")
    XCTAssertFalse(session.completions(forLine: "ppo(\"CartPole-v1\", n_envs: 4, n_").contains("n_envs:"), "a keyword already given is not offered again")
    XCTAssertTrue(session.completions(forLine: "ppo(\"CartPole-v1\", n_steps: max(1, n_").contains("n_envs:") == false, "inside max(...), max's own parameters")
    run("fn train_it(env, lr: 0.1, gamma: 0.99) { }")
    XCTAssertEqual(session.completions(forLine: "train_it(1, gam"), ["gamma:"], "a Pavlov function's parameters")
    run("let agent = q_learning(make(\"FrozenLake-v1\"))")
    XCTAssertEqual(session.completions(forLine: "agent.train(epi").first, "episodes:", "a method of a variable's value")
    XCTAssertEqual(session.completions(forLine: "agent.train(episodes: 5, lr: x[1:").first { $0.hasSuffix(":") }, nil, "no keywords while typing a value")
  }

  func testCompletesEnvIdsInsideTheEnvArgumentString() {
    XCTAssertEqual(session.completions(forLine: "make(\"CartP"), ["CartPole-v1"])
    XCTAssertTrue(session.completions(forLine: "let a = ppo(\"Pendulum-").contains("Pendulum-v1"))
    XCTAssertTrue(session.completions(forLine: "vec_env(env: \"Fro").contains("FrozenLake-v1"), "given by keyword")
    XCTAssertEqual(session.completions(forLine: "print(\"Cart"), [], "not every string is an env id")
    XCTAssertEqual(session.completions(forLine: "make(\"CartPole-v1\", render_mode: \"an"), [], "only the env's own argument")
  }

  func testCompletesListMembersAfterDot() {
    run("let xs = [1, 2]")
    let members = session.completions(forLine: "xs.pu")
    XCTAssertTrue(members.contains("xs.push"), "\(members)")
    XCTAssertTrue(members.allSatisfy { $0.hasPrefix("xs.pu") }, "\(members)")
    XCTAssertTrue(session.completions(forLine: "print(xs.").contains("xs.push"))
    XCTAssertTrue(session.completions(forLine: "xs.").count > 3, "all list members after a bare dot")
  }

  func testCompletesRecordKeysAfterDot() {
    run("let cfg = {alpha: 0.1, gamma: 0.99, model: {layers: 2, lr: 0.01}}")
    XCTAssertEqual(session.completions(forLine: "cfg.al"), ["cfg.alpha"])
    XCTAssertTrue(session.completions(forLine: "cfg.").contains("cfg.gamma"))
    let nested = session.completions(forLine: "cfg.model.l")
    XCTAssertTrue(nested.contains("cfg.model.layers") && nested.contains("cfg.model.lr"), "\(nested)")
    XCTAssertTrue(nested.allSatisfy { $0.hasPrefix("cfg.model.l") }, "\(nested)")
    XCTAssertTrue(session.completions(forLine: "cfg.ke").contains("cfg.keys"), "record methods too")
    XCTAssertTrue(session.completions(forLine: "cfg.nope.").isEmpty)
    XCTAssertTrue(session.completions(forLine: "unknown_thing.").isEmpty)
  }

  func testCompletesCommands() {
    XCTAssertEqual(session.completions(forLine: ":he"), [":help"])
    XCTAssertEqual(session.completions(forLine: ":"), [":help", ":vars", ":load", ":time", ":reset", ":quit"])
  }

  func testCompletionRunsNoCode() {
    run("let counter = {n: 0}")
    run("counter.bump = () => { counter.n += 1; return counter.n }")
    _ = session.completions(forLine: "counter.bump().")
    _ = session.completions(forLine: "counter.b")
    XCTAssertEqual(run("counter.n"), "0")
  }

  // MARK: - Interrupts

  func testStepLimitStopsAnEndlessLoopAndKeepsVariables() {
    run("let kept = [1, 2, 3]")
    session.interpreter.stepLimit = 50_000
    let shown = run("while true {}")
    session.interpreter.stepLimit = nil
    assertContains(shown, "step limit of 50000 reached")
    XCTAssertEqual(session.prompt, "pavlov> ")
    XCTAssertEqual(run("kept"), "[1, 2, 3]")
    XCTAssertEqual(run("let i = 0; let s = 0; while i < 10 { s += i; i += 1 }; s"), "45", "loops run again")
  }

  func testCtrlCStopsARunningLoopAndKeepsVariables() {
    run("let kept = {n: 7}")
    run("let spins = 0")
    // What the SIGINT handler does: set the flag; the evaluator polls it.
    pavlov_raise_interrupt()
    let shown = run("while true { spins += 1 }")
    assertContains(shown, "stopped by Ctrl-C")
    XCTAssertTrue(shown.hasPrefix("\n"), "the report starts on a fresh line (the terminal echoed ^C)")
    XCTAssertEqual(pavlov_interrupt_pending(), 0, "the interrupt is consumed")
    XCTAssertEqual(run("kept"), "{n: 7}")
    XCTAssertEqual(run("spins > 0"), "true", "work done before the interrupt is kept")
    XCTAssertEqual(run("let i = 0; while i < 100000 { i += 1 }; i"), "100000", "the next loop is not interrupted")
  }

  func testCtrlCInsideNestedCallsRestoresTheSession() {
    run("fn spin(n) { if n == 0 { while true {} }; return spin(n - 1) }")
    run("fn depth(n) { if n == 0 { return 0 }; return 1 + depth(n - 1) }")
    pavlov_raise_interrupt()
    assertContains(run("spin(20)"), "stopped by Ctrl-C")
    XCTAssertEqual(run("depth(200)"), "200", "calls work after an interrupt deep in the stack")
    XCTAssertEqual(run("[1, 2, 3].map(x => x * 2)"), "[2, 4, 6]")
  }
}

/// Issue 24: costs that grew with the square of the input.
final class LinearCostTests: XCTestCase {
  static func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = Date()
    try body()
    return Date().timeIntervalSince(start)
  }

  /// A pasted block was re-lexed whole at every line: 1,000 lines took 1.5 s, 10,000 about 100 s.
  /// Eight times the lines must now cost well under 64 times the time (linear: about 8).
  func testPastingABlockIntoTheREPLCostsLinearTime() throws {
    func paste(_ lines: Int) throws -> Double {
      let session = try ReplSession(seed: nil)
      session.interpreter.write = { _ in }
      let block = ["let xs = ["] + Array(repeating: "  1,", count: lines - 2) + ["]"]
      return try Self.seconds {
        for line in block.dropLast() { XCTAssertEqual(session.feed(line), .needsMore) }
        XCTAssertEqual(session.feed(block.last!), .output(""))
      }
    }
    _ = try paste(500)  // warm up
    let small = try paste(1_250), large = try paste(10_000)
    print("REPL paste: 1,250 lines \(Int(small * 1000)) ms, 10,000 lines \(Int(large * 1000)) ms")
    XCTAssertLessThan(large, 1.0, "a 10,000-line paste must be assembled in under a second")
    XCTAssertLessThan(large / max(small, 1e-4), 24, "10,000 lines cost \(large) s, 1,250 lines \(small) s: not linear")
  }

  /// Each wrapper used to walk the whole stack below it (a generic cast per layer): 10,000
  /// wrappers took 5 s to build.
  func testStackingWrappersCostsLinearTime() throws {
    func stack(_ n: Int) throws -> Double {
      let session = TestSession()
      return try Self.seconds {
        try session.run("""
        let e = make("CartPole-v1")
        for i in range(\(n)) { e = transform_reward(e, r => r) }
        e.reset()
        print(e.step(0).reward)
        """)
      }
    }
    _ = try stack(500)
    let small = try stack(1_250), large = try stack(10_000)
    print("wrapper stacks: 1,250 wrappers \(Int(small * 1000)) ms, 10,000 wrappers \(Int(large * 1000)) ms")
    XCTAssertLessThan(large, 1.0)
    XCTAssertLessThan(large / max(small, 1e-4), 24, "10,000 wrappers cost \(large) s, 1,250 cost \(small) s: not linear")
  }
}
