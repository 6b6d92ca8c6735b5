@testable import PavlovLang
import PavlovTestSupport
import XCTest

/// Function bodies compiled to value-returning code (FunctionBody.swift) and the statement form
/// they fall back to.
final class FunctionBodyTests: XCTestCase {
  /// The body of `fn pick(n)`: `count` guards `if n == k { return k * 10 }`, then `return -1`.
  static func guards(_ count: Int) -> String {
    (0..<count).map { "  if n == \($0) { return \($0 * 10) }" }.joined(separator: "\n") + "\n  return -1"
  }

  struct NotAFunction: Error {}

  static func body(of source: String) throws -> ArraySlice<Stmt> {
    let program = try Parser.parse(SourceFile(name: "test.pav", text: source))
    guard case .function(let decl, _) = program.body.statements[0].kind else { throw NotAFunction() }
    return decl.body.statements[...]
  }

  func testBodiesWithUpToTheLimitOfBranchesReturnByValue() throws {
    let limit = Compiler.maxChoices
    XCTAssertTrue(Compiler.returnsByValue(try Self.body(of: "fn pick(n) {\n\(Self.guards(limit))\n}")))
    XCTAssertFalse(Compiler.returnsByValue(try Self.body(of: "fn pick(n) {\n\(Self.guards(limit + 1))\n}")))
    XCTAssertFalse(Compiler.returnsByValue(try Self.body(of: "fn f(xs) {\n  for x in xs { return x }\n}")))
    XCTAssertFalse(Compiler.returnsByValue(try Self.body(of: "fn f() {\n  try { return 1 } catch e { return 2 }\n}")))
    XCTAssertTrue(Compiler.returnsByValue(try Self.body(of: "fn f(x) {\n  let y = x\n  for i in range(3) { y += i }\n  return y\n}")))
  }

  /// Thousands of guards (generated code) run in the statement form, without deep native
  /// recursion in the compiler or in the call, on the 8 MiB stack of the test thread.
  func testThousandsOfGuardsInOneBody() {
    let source = "fn pick(n) {\n\(Self.guards(5000))\n}\nprint(pick(0), pick(4999), pick(64), pick(-3))"
    assertProgram(source, prints: "0 49990 640 -1\n")
  }

  func testGuardsAtTheLimitGiveTheSameResults() {
    let limit = Compiler.maxChoices
    let source = "fn pick(n) {\n\(Self.guards(limit))\n}\nprint(pick(0), pick(\(limit - 1)), pick(\(limit)))"
    assertProgram(source, prints: "0 \((limit - 1) * 10) -1\n")
  }
}
