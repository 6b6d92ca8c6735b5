import PavlovLang
import PavlovStdlib
import XCTest

/// A fresh interpreter set up as `pavlov run` sets it up (builtins, prelude, import paths),
/// with output captured.
public final class TestSession {
  public let interpreter: Interpreter
  public private(set) var output = ""

  public init() {
    do {
      interpreter = try Startup.makeInterpreter()
    } catch {
      // No stdlib/ found: still give a working session of builtins, and say why.
      XCTFail("cannot load the prelude: \(error.message)")
      let registry = Registry()
      Stdlib.register(into: registry)
      interpreter = Interpreter(registry: registry)
    }
    interpreter.write = { [unowned self] text in self.output += text }
    interpreter.writeStatus = { [unowned self] text in self.status += text }
    interpreter.statusIsTerminal = false
  }

  /// What progress displays wrote (standard error in `pavlov run`).
  public private(set) var status = ""

  deinit { interpreter.tearDown() }

  /// Runs `source` and returns its final expression's value.
  @discardableResult
  public func run(_ source: String, name: String = "test.pav") throws(PavlovError) -> Value {
    try interpreter.run(SourceFile(name: name, text: source))
  }

  public func clearOutput() { output = "" }
}

/// Asserts that `source` runs without error and prints exactly `expected`.
public func assertProgram(_ source: String, prints expected: String, file: StaticString = #filePath, line: UInt = #line) {
  let session = TestSession()
  do {
    try session.run(source)
    XCTAssertEqual(session.output, expected, file: file, line: line)
  } catch {
    XCTFail("unexpected error:\n\(error.render())", file: file, line: line)
  }
}

/// Asserts that `source` fails (at compile time or run time) with a report containing `fragment`.
@discardableResult
public func assertError(_ source: String, contains fragment: String, file: StaticString = #filePath, line: UInt = #line) -> PavlovError? {
  let session = TestSession()
  do {
    try session.run(source)
    XCTFail("expected an error containing \"\(fragment)\", but the program ran; output:\n\(session.output)", file: file, line: line)
    return nil
  } catch {
    let report = error.render()
    XCTAssertTrue(report.contains(fragment), "error report does not contain \"\(fragment)\":\n\(report)", file: file, line: line)
    return error
  }
}

/// Asserts that evaluating `source` gives `expected` (compared with Pavlov's `==`, shown as repr).
public func assertValue(_ source: String, equals expected: String, file: StaticString = #filePath, line: UInt = #line) {
  let session = TestSession()
  do {
    let value = try session.run(source)
    XCTAssertEqual(Format.repr(value), expected, file: file, line: line)
  } catch {
    XCTFail("unexpected error:\n\(error.render())", file: file, line: line)
  }
}
