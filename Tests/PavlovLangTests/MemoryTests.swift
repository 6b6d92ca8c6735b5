import PavlovLang
import PavlovStdlib
import PavlovTestSupport
import XCTest

/// Interpreters and the code they compiled must be freed: a leaked session keeps its 32 MiB
/// value stack reserved, and a test or REPL that makes many runs out of memory.
final class MemoryTests: XCTestCase {
  func testAnInterpreterIsFreedAfterRunningFunctionsAndClosures() throws {
    weak var weakInterpreter: Interpreter?
    weak var weakScope: GlobalScope?
    do {
      let session = TestSession()
      weakInterpreter = session.interpreter
      weakScope = session.interpreter.globals
      try session.run("""
        let total = 0
        fn add(x, by: 1) { return x + by }
        let twice = f => (x => f(f(x)))
        let counter = () => { total += 1; return total }
        for i in range(10) { total = add(total, by: i) }
        print(twice(x => x * 3)(2), counter(), mean([1, 2, 3]))
        """)
      XCTAssertEqual(session.output, "18 46 2.0\n")
    }
    XCTAssertNil(weakInterpreter, "the interpreter leaked (a reference cycle through compiled code?)")
    XCTAssertNil(weakScope, "the global scope leaked")
  }

  func testManySessionsDoNotExhaustMemory() throws {
    // Each session reserves a 32 MiB stack; 300 leaked sessions would hold ~10 GB.
    for i in 0..<300 {
      let session = TestSession()
      try session.run("fn f(n) { return n * 2 }\nprint(f(\(i)))")
      XCTAssertEqual(session.output, "\(i * 2)\n")
    }
  }
}
