import PavlovLang
import PavlovTestSupport
import XCTest

/// Pins the full text of representative error reports: the message, ` --> file:line:col`, the
/// source line with its caret, the hint, and for runtime errors the stack trace. Errors are
/// for the user, so a change to any of them should be a deliberate one.
final class ErrorMessageTests: XCTestCase {
  /// Runs `source` as `test.pav` and returns the uncolored report of the error it raises.
  private func report(_ source: String, file: StaticString = #filePath, line: UInt = #line) -> String {
    let session = TestSession()
    do {
      try session.run(source, name: "test.pav")
      XCTFail("expected an error, but the program ran; output:\n\(session.output)", file: file, line: line)
      return ""
    } catch {
      return error.render(color: false)
    }
  }

  private func assertReport(_ source: String, _ expected: String, file: StaticString = #filePath, line: UInt = #line) {
    let actual = report(source, file: file, line: line)
    XCTAssertEqual(actual, expected, "\n--- actual ---\n\(actual)\n--- expected ---\n\(expected)", file: file, line: line)
  }

  func testUndefinedNameSuggestsTheClosestName() {
    assertReport("""
      let learning_rate = 0.1
      print(learning_rat)
      """, #"""
      error: undefined name `learning_rat`
       --> test.pav:2:7
        |
      2 | print(learning_rat)
        |       ^^^^^^^^^^^^
        = hint: did you mean `learning_rate`?
      """#)
  }

  func testIndexErrorInsideNestedCallsShowsTheStackTrace() {
    assertReport("""
      fn get(xs, i) {
        return xs[i]
      }
      fn run() {
        let data = [1, 2, 3]
        return get(data, 5)
      }
      run()
      """, #"""
      error: index 5 out of range for list of length 3
       --> test.pav:2:12
        |
      2 |   return xs[i]
        |            ^
        = hint: valid indices are 0 to 2 (or -3 to -1 from the end)
      stack trace (innermost last):
        test.pav:8:1  in <script>
        test.pav:6:10  in run
        test.pav:2:12  in get
      """#)
  }

  func testTypeMismatchNamesBothTypesAndPointsAtTheOperator() {
    assertReport(#"let x = 1 + "a""#, #"""
      error: cannot apply `+` to int and string
       --> test.pav:1:11
        |
      1 | let x = 1 + "a"
        |           ^
        = hint: convert with str(...) first: str(x) + "text"
      """#)
  }

  func testUnterminatedString() {
    assertReport("let s = \"abc\nprint(s)", #"""
      error: unterminated string (strings end on the line they start; use \n for a newline)
       --> test.pav:1:9
        |
      1 | let s = "abc
        |         ^
      """#)
  }

  func testMissingClosingBracePointsAtTheOpeningOne() {
    assertReport("""
      fn f() {
        print(1)
      """, #"""
      error: this `{` is never closed
       --> test.pav:1:8
        |
      1 | fn f() {
        |        ^
        = hint: add a `}` to end the body of function `f`
      """#)
  }

  func testSeveralResolverErrorsAreReportedAtOnceWithTheirCount() {
    assertReport("""
      let x = undefined_a
      y = 2
      break
      """, #"""
      error: undefined name `undefined_a`
       --> test.pav:1:9
        |
      1 | let x = undefined_a
        |         ^^^^^^^^^^^
        = hint: declare it with `let undefined_a = ...`
      error: assignment to undeclared variable `y`
       --> test.pav:2:1
        |
      2 | y = 2
        | ^
        = hint: declare it first with `let y = ...`
      error: `break` outside a loop
       --> test.pav:3:1
        |
      3 | break
        | ^^^^^
        = hint: `break` only works inside `for` or `while`
      3 errors
      """#)
  }

  func testFormatSpecError() {
    assertReport("""
      let x = 3.14159
      print(f"{x:.f}")
      """, #"""
      error: invalid format spec `.f`: a precision must follow `.`
       --> test.pav:2:7
        |
      2 | print(f"{x:.f}")
        |       ^^^^^^^^^
        = hint: specs look like `.3f` (3 decimals), `>8` (right-align in 8), `,d` (thousands), `.1%` (percent), `08.2f`
      """#)
  }

  func testErrorInsideAnFStringExpressionPointsIntoTheString() {
    assertReport("""
      let x = 3
      print(f"value: {x + 'a'}")
      """, #"""
      error: cannot apply `+` to int and string
       --> test.pav:2:19
        |
      2 | print(f"value: {x + 'a'}")
        |                   ^
        = hint: convert with str(...) first: str(x) + "text"
      """#)
  }

  func testUndefinedNameInsideAnFString() {
    assertReport("""
      let count = 1
      print(f"n = {cout}")
      """, #"""
      error: undefined name `cout`
       --> test.pav:2:14
        |
      2 | print(f"n = {cout}")
        |              ^^^^
        = hint: did you mean `count`?
      """#)
  }

  func testUnknownKeywordArgumentListsTheParameters() {
    assertReport("""
      fn train(steps, lr: 0.1) { return steps }
      train(10, lf: 0.2)
      """, #"""
      error: `train` has no parameter named `lf`
       --> test.pav:2:11
        |
      2 | train(10, lf: 0.2)
        |           ^^
        = hint: did you mean `lr`? its parameters are (steps, lr)
      """#)
  }

  func testMissingRecordKeySuggestsTheClosestKey() {
    assertReport("""
      let cfg = {lr: 0.1, gamma: 0.9}
      print(cfg.gamme)
      """, #"""
      error: record has no key `gamme`
       --> test.pav:2:11
        |
      2 | print(cfg.gamme)
        |           ^^^^^
        = hint: did you mean `gamma`?
      """#)
  }

  func testUncaughtErrorCallShowsWhereItWasRaised() {
    assertReport("""
      fn f() {
        g()
      }
      fn g() {
        error("deep")
      }
      f()
      """, #"""
      error: deep
       --> test.pav:5:3
        |
      5 |   error("deep")
        |   ^^^^^
      stack trace (innermost last):
        test.pav:7:1  in <script>
        test.pav:2:3  in f
        test.pav:5:3  in g
      """#)
  }

  func testDivisionByZeroInALoop() {
    assertReport("""
      let total = 0
      for d in [2, 1, 0] {
        total += 10 // d
      }
      """, #"""
      error: integer division by zero
       --> test.pav:3:15
        |
      3 |   total += 10 // d
        |               ^^
        = hint: check the divisor before dividing
      """#)
  }

  func testWrongArgumentCountThroughAVariable() {
    assertReport("""
      let f = (a, b) => a + b
      f(1, 2, 3)
      """, #"""
      error: `<lambda>` takes 2 arguments but 3 were given
       --> test.pav:2:1
        |
      2 | f(1, 2, 3)
        | ^
        = hint: its parameters are (a, b)
      """#)
  }

  func testCaughtErrorReportMatchesTheUncaughtOne() {
    let source = """
      let xs = [1]
      try { xs[3] } catch e { print(e.report()) }
      """
    let session = TestSession()
    do { try session.run(source, name: "test.pav") } catch { XCTFail(error.render()) }
    XCTAssertEqual(session.output, #"""
      error: index 3 out of range for list of length 1
       --> test.pav:2:9
        |
      2 | try { xs[3] } catch e { print(e.report()) }
        |         ^
        = hint: valid indices are 0 to 0 (or -1 to -1 from the end)

      """#)
  }

  func testColorOffHasNoEscapeCodes() {
    XCTAssertFalse(report("print(nope)").contains("\u{1B}"))
  }

  // MARK: - Diagnostics that cannot flood or hijack a terminal (issue 25)

  /// Escape sequences in a file used to reach the terminal when its errors were shown (window
  /// titles, cleared screens); a NUL in a message cut it short.
  func testControlCharactersInSourceAndMessagesAreShownEscaped() {
    let escapes = report("let x = 1\u{1B}]0;pwned\u{07}")
    XCTAssertFalse(escapes.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" }, escapes)
    XCTAssertTrue(escapes.contains("\\u{1b}]0;pwned\\u{7}"), escapes)
    XCTAssertEqual(report("error(\"a\\u{0}b\\u{1b}[2J\")").split(separator: "\n")[0], "error: a\\u{0}b\\u{1b}[2J")
  }

  /// A 40 KB line of control characters printed the whole line for each of its errors: over 60 s
  /// and 2.6 GB. Now the first 20 are shown, each with a 100-character window of the line.
  func testALongBadLineGivesAFewShortDiagnostics() {
    let text = report(String(repeating: "\u{1B}[2J", count: 10_000))
    XCTAssertLessThan(text.utf8.count, 20_000, "the report is \(text.utf8.count) bytes")
    XCTAssertTrue(text.contains("... and "), text)
    XCTAssertTrue(text.contains("more errors (fix these first)"), text)
    let window = report(String(repeating: "a + ", count: 2_000) + "@")
    XCTAssertTrue(window.contains("| …"), window)
    XCTAssertLessThan(window.utf8.count, 1_000, window)
  }
}
