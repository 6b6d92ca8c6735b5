@testable import PavlovLang
import PavlovStdlib
import PavlovTestSupport
import XCTest

/// What the call path assumes about values and the interpreter's state (`Compiler.callRunning`,
/// `Interpreter.running`), checked where a change of layout or a missed restore would show.
final class RunningClosureTests: XCTestCase {
  /// A function value keeps its reference in its first word, as `Compiler.call(in:)` and
  /// `Value.closure(in:)` read it; no other case puts a closure's address there with the
  /// function's tag, and a builtin function is no closure.
  func testAFunctionValueKeepsItsReferenceInItsFirstWord() throws {
    let interp = Interpreter()
    defer { interp.tearDown() }
    let value = try interp.run(SourceFile(name: "t", text: "(x) => x"), replMode: true)
    guard case .function(let function) = value else { return XCTFail("not a function") }
    var slot = value
    let closure = try XCTUnwrap(withUnsafePointer(to: &slot) { Value.closure(in: $0)?.reference })
    XCTAssertTrue(closure === function)
    let word = withUnsafeBytes(of: &slot) { $0.load(as: UInt.self) }
    XCTAssertEqual(word, UInt(bitPattern: Unmanaged.passUnretained(closure).toOpaque()))
    XCTAssertEqual(MemoryLayout<Value>.stride, 16)
    var builtin = try interp.run(SourceFile(name: "t", text: "len"), replMode: true)
    XCTAssertNil(withUnsafePointer(to: &builtin) { Value.closure(in: $0) })
    var number = Value.int(Int(bitPattern: Unmanaged.passUnretained(closure).toOpaque()))
    XCTAssertNil(withUnsafePointer(to: &number) { Value.closure(in: $0) })
  }

  /// Record and list values keep their reference in their first word too, as `PRecord.lent`
  /// and `PList.lent` read it, and each lends exactly its own kind.
  func testARecordValueKeepsItsReferenceInItsFirstWord() throws {
    let record = PRecord([("n", .int(1))])
    var slot = Value.record(record)
    let word = withUnsafeBytes(of: &slot) { $0.load(as: UInt.self) }
    XCTAssertEqual(word, UInt(bitPattern: Unmanaged.passUnretained(record).toOpaque()))
    XCTAssertTrue(withUnsafePointer(to: &slot) { PRecord.lent(in: $0) { $0 === record } } == true)
    var list = Value.list([.int(1)])
    XCTAssertNil(withUnsafePointer(to: &list) { PRecord.lent(in: $0) { _ in true } })
    guard case .list(let items) = list else { return XCTFail("not a list") }
    XCTAssertTrue(withUnsafePointer(to: &list) { PList.lent(in: $0) { $0 === items } } == true)
    XCTAssertNil(withUnsafePointer(to: &slot) { PList.lent(in: $0) { _ in true } })
  }

  /// A return leaves no reference in the frame it drops: locals are released (numbers are
  /// left as they are), and the captures a call lent are taken back (so a return need not
  /// clear their slots, `Closure.slotsToClear`).
  func testCallsLeaveTheirFramesCleared() throws {
    let interp = Interpreter()
    defer { interp.tearDown() }
    _ = try interp.run(SourceFile(name: "t", text: """
      fn make() {
        let xs = [1]
        let ys = [2]
        return (n) => {
          let local = [n, xs]
          if n > 2 { return 1 // 0 }
          return len(local) + len(ys)
        }
      }
      let f = make()
      let total = f(1) + f(2)
      try { f(3) } catch e { }
      f(1)
      """), replMode: true)
    for k in 0..<interp.initializedSlots {
      switch interp.stack[k] {
      case .null, .int, .float, .bool: continue
      default: break
      }
      XCTFail("slot \(k) holds \(Format.repr(interp.stack[k]))")
    }
  }

  /// `running` is nil between top-level statements, after returns and after errors alike.
  func testRunningIsRestoredOnEveryWayOut() throws {
    let interp = Interpreter()
    defer { interp.tearDown() }
    _ = try interp.run(SourceFile(name: "t", text: """
      fn down(n) { if n == 0 { return 0 }; return down(n - 1) }
      fn fail(n) { if n == 0 { return 1 // 0 }; return fail(n - 1) }
      down(20)
      """), replMode: true)
    XCTAssertNil(interp.running)
    XCTAssertThrowsError(try interp.run(SourceFile(name: "t", text: "fail(20)"), replMode: true))
    XCTAssertNil(interp.running)
    _ = try interp.run(SourceFile(name: "t", text: "try { fail(5) } catch e { }"), replMode: true)
    XCTAssertNil(interp.running)
  }

  /// Calls from Swift that throw leave the depth as they found it: an env whose render fails
  /// on every step must not end in a false "stack overflow" after maxDepth steps.
  func testSwiftCallsThatThrowLeaveTheDepthAsItWas() throws {
    let interp = Interpreter()
    defer { interp.tearDown() }
    let failing = try interp.run(SourceFile(name: "t", text: "(x) => 1 // 0"), replMode: true)
    for _ in 0..<(interp.maxDepth + 100) { XCTAssertThrowsError(try interp.call(failing, [.int(1)])) }
    XCTAssertEqual(interp.depth, 0)
    let deep = try interp.run(SourceFile(name: "t", text: "fn d(n) { if n == 0 { return 7 }; return d(n - 1) }\nd(1000)"), replMode: true)
    XCTAssertEqual(Format.repr(deep), "7")
  }
}
