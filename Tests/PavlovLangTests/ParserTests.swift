import PavlovLang
import PavlovTestSupport
import XCTest

/// The parser's grammar decisions, checked on the syntax tree printed as S-expressions:
/// `1 + 2 * 3` is `(+ 1 (* 2 3))`. Evaluation-level checks use `assertValue`.
final class ParserTests: XCTestCase {
  // MARK: - Helpers

  private func parse(_ source: String, file: StaticString = #filePath, line: UInt = #line) -> Program? {
    do {
      return try Parser.parse(SourceFile(name: "test.pav", text: source))
    } catch {
      XCTFail("parse failed:\n\(error.render())", file: file, line: line)
      return nil
    }
  }

  /// The statements of `source`, one S-expression each.
  private func statements(_ source: String, file: StaticString = #filePath, line: UInt = #line) -> [String] {
    parse(source, file: file, line: line)?.body.statements.map(Self.show) ?? []
  }

  /// Asserts that `source` is one statement that prints as `expected`.
  private func assertParse(_ source: String, _ expected: String, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(statements(source, file: file, line: line), [expected], file: file, line: line)
  }

  /// Asserts that `source` fails to parse with a report containing `fragment`.
  @discardableResult
  private func assertSyntaxError(_ source: String, contains fragment: String, file: StaticString = #filePath, line: UInt = #line) -> PavlovError? {
    do {
      _ = try Parser.parse(SourceFile(name: "test.pav", text: source))
      XCTFail("expected a syntax error containing \"\(fragment)\"", file: file, line: line)
      return nil
    } catch {
      XCTAssertEqual(error.kind, .compile, file: file, line: line)
      XCTAssertTrue(error.render().contains(fragment), "report lacks \"\(fragment)\":\n\(error.render())", file: file, line: line)
      return error
    }
  }

  static func show(_ e: Expr) -> String {
    switch e.kind {
    case .literal(let v): return Format.repr(v)
    case .fstring(let parts):
      let shown = parts.map { part -> String in
        switch part {
        case .text(let t): return Format.quoted(t)
        case .expr(let x, let spec): return spec.map { "\(show(x)):\($0)" } ?? show(x)
        }
      }
      return "(f \(shown.joined(separator: " ")))"
    case .name(let ref): return ref.name
    case .list(let items): return "[" + items.map(show).joined(separator: " ") + "]"
    case .record(let entries):
      return "{" + entries.map { "\($0.key.text): \(show($0.value))" }.joined(separator: ", ") + "}"
    case .unary(let op, let x): return "(\(op.rawValue) \(show(x)))"
    case .binary(let op, let a, let b): return "(\(op.rawValue) \(show(a)) \(show(b)))"
    case .compare(let ops, let operands):
      var out = "(cmp \(show(operands[0]))"
      for (k, op) in ops.enumerated() { out += " \(op.rawValue) \(show(operands[k + 1]))" }
      return out + ")"
    case .and(let a, let b): return "(and \(show(a)) \(show(b)))"
    case .or(let a, let b): return "(or \(show(a)) \(show(b)))"
    case .conditional(let c, let a, let b): return "(if \(show(c)) \(show(a)) \(show(b)))"
    case .range(let a, let b): return "(.. \(show(a)) \(show(b)))"
    case .call(let callee, let args):
      let shown = args.map { a in a.label.map { "\($0):\(show(a.value))" } ?? show(a.value) }
      return "(call \(show(callee))" + shown.map { " " + $0 }.joined() + ")"
    case .member(let base, let name): return "(. \(show(base)) \(name))"
    case .index(let base, let i): return "(index \(show(base)) \(show(i)))"
    case .slice(let base, let a, let b, let c):
      return "(slice \(show(base)) " + [a, b, c].map { $0.map(show) ?? "_" }.joined(separator: " ") + ")"
    case .multiIndex(let base, let parts):
      let shown = parts.map { part -> String in
        switch part {
        case .at(let e): return show(e)
        case .slice(let a, let b, let c): return "(: " + [a, b, c].map { $0.map(show) ?? "_" }.joined(separator: " ") + ")"
        }
      }
      return "(index \(show(base)) " + shown.joined(separator: " ") + ")"
    case .lambda(let f): return show(f)
    }
  }

  static func show(_ f: FunctionDecl) -> String {
    let params = f.params.map { p in p.defaultValue.map { "\(p.binding.name)=\(show($0))" } ?? p.binding.name }
    return "(fn (\(params.joined(separator: " "))) \(show(f.body)))"
  }

  static func show(_ b: Block) -> String {
    "{" + b.statements.map(show).joined(separator: "; ") + "}"
  }

  static func show(_ s: Stmt) -> String {
    switch s.kind {
    case .expression(let e): return show(e)
    case .let(let bindings, let destructure, let e):
      let names = bindings.map(\.name).joined(separator: " ")
      return "(let \(destructure ? "(\(names))" : names) \(show(e)))"
    case .assign(let target, let op, let e): return "(\(op?.rawValue ?? "=") \(show(target)) \(show(e)))"
    case .function(let f, let binding): return "(def \(binding.name) \(show(f)))"
    case .if(let branches, let elseBlock):
      var out = "(if"
      for (c, b) in branches { out += " \(show(c)) \(show(b))" }
      if let elseBlock { out += " else \(show(elseBlock))" }
      return out + ")"
    case .while(let c, let b): return "(while \(show(c)) \(show(b)))"
    case .for(let bindings, let destructure, let e, let b):
      let names = bindings.map(\.name).joined(separator: " ")
      return "(for \(destructure ? "(\(names))" : names) \(show(e)) \(show(b)))"
    case .break: return "break"
    case .continue: return "continue"
    case .return(let e): return e.map { "(return \(show($0)))" } ?? "(return)"
    case .try(let body, let binding, let handler):
      return "(try \(show(body)) catch \(binding?.name ?? "_") \(show(handler)))"
    case .throw(let e): return "(throw \(show(e)))"
    case .import(let path, let binding): return "(import \(Format.quoted(path)) \(binding.name))"
    }
  }

  // MARK: - Precedence and associativity

  /// Every symbol lexes as itself, alone and between names, and a two-byte symbol wins over
  /// its first byte (`a==b` is `==`, not `=` then `=`).
  func testEverySymbolLexesAsItself() {
    for symbol in Symbol.allCases {
      for text in [symbol.rawValue, "a\(symbol.rawValue)b"] {
        let (tokens, diagnostics) = Lexer.tokenize(SourceFile(name: "test.pav", text: text))
        XCTAssertEqual(diagnostics.count, 0, text)
        let symbols = tokens.compactMap { token -> Symbol? in
          if case .symbol(let s) = token.kind { return s } else { return nil }
        }
        XCTAssertEqual(symbols, [symbol], text)
      }
    }
    let (tokens, diagnostics) = Lexer.tokenize(SourceFile(name: "test.pav", text: "a ! b & c"))
    XCTAssertEqual(diagnostics.map(\.message), ["unexpected character `!`", "unexpected character `&`"])
    XCTAssertEqual(tokens.count, 4) // a, b, c, end of input
  }

  func testMultiplicationBindsTighterThanAddition() {
    assertParse("1 + 2 * 3", "(+ 1 (* 2 3))")
    assertParse("1 * 2 + 3", "(+ (* 1 2) 3)")
    assertParse("(1 + 2) * 3", "(* (+ 1 2) 3)")
    assertParse("a - b / c // d % e", "(- a (% (// (/ b c) d) e))")
  }

  func testBinaryOperatorsAreLeftAssociative() {
    assertParse("10 - 4 - 3", "(- (- 10 4) 3)")
    assertParse("a / b / c", "(/ (/ a b) c)")
    assertParse("a // b % c", "(% (// a b) c)")
    assertValue("10 - 4 - 3", equals: "3")
    assertValue("100 / 10 / 5", equals: "2.0")
  }

  func testPowerIsRightAssociative() {
    assertParse("2 ** 3 ** 2", "(** 2 (** 3 2))")
    assertValue("2 ** 3 ** 2", equals: "512")
  }

  func testPowerBindsTighterThanUnaryMinusOnItsLeft() {
    assertParse("-2 ** 2", "(- (** 2 2))")
    assertParse("-x ** 2", "(- (** x 2))")
    assertParse("2 ** -1", "(** 2 -1)")
    assertParse("2 ** -x", "(** 2 (- x))")
    assertValue("-2 ** 2", equals: "-4")
    assertValue("(-2) ** 2", equals: "4")
  }

  func testUnaryMinusBindsTighterThanMultiplication() {
    assertParse("-a * b", "(* (- a) b)")
    assertParse("a * -b", "(* a (- b))")
    assertParse("- -a", "(- (- a))")
    assertParse("-3", "-3")
  }

  func testComparisonsChainAndBindLooserThanArithmetic() {
    assertParse("1 < 2 <= 3", "(cmp 1 < 2 <= 3)")
    assertParse("a + 1 < b * 2", "(cmp (+ a 1) < (* b 2))")
    assertParse("a == b != c", "(cmp a == b != c)")
    assertValue("1 < 2 < 3", equals: "true")
    assertValue("1 < 3 < 2", equals: "false")
  }

  func testRangeBindsLooserThanAdditionAndTighterThanComparison() {
    assertParse("0..n + 1", "(.. 0 (+ n 1))")
    assertParse("a - 1..b", "(.. (- a 1) b)")
    assertParse("i in 0..n", "(cmp i in (.. 0 n))")
  }

  func testMembershipOperators() {
    assertParse("a in b", "(cmp a in b)")
    assertParse("a not in b", "(cmp a not in b)")
    assertParse("not a in b", "(not (cmp a in b))")
  }

  func testNotBindsLooserThanComparisonAndTighterThanAnd() {
    assertParse("not a == b", "(not (cmp a == b))")
    assertParse("not a and b", "(and (not a) b)")
    assertParse("not not a", "(not (not a))")
  }

  func testAndBindsTighterThanOr() {
    assertParse("a or b and c", "(or a (and b c))")
    assertParse("a and b or c", "(or (and a b) c)")
    assertParse("a or b or c", "(or (or a b) c)")
    assertValue("1 or 2 and 3", equals: "1")
  }

  func testIfExpressionsNestTheirElifs() {
    assertParse("x = if a { b } elif c { d } else { e }", "(= x (if a b (if c d e)))")
    assertParse("x = if a { b } else if c { d } else { e } + 1", "(= x (+ (if a b (if c d e)) 1))")  // braces close each branch
    assertParse("f(if a { 1 } else { 2 }, 3)", "(call f (if a 1 2) 3)")
  }

  func testPostfixOperatorsBindTightest() {
    assertParse("a.b(c)[d].e", "(. (index (call (. a b) c) d) e)")
    assertParse("f(x)(y)", "(call (call f x) y)")
    assertParse("-a.b", "(- (. a b))")
    assertParse("-f(x) ** 2", "(- (** (call f x) 2))")
    assertParse("r.if", "(. r if)")
  }

  func testCallArguments() {
    assertParse("f()", "(call f)")
    assertParse("f(1, lr: 0.1, gamma: g)", "(call f 1 lr:0.1 gamma:g)")
    assertParse("f(1, 2,)", "(call f 1 2)")
  }

  func testIndexAndSliceForms() {
    assertParse("xs[-1]", "(index xs -1)")
    assertParse("xs[1:3]", "(slice xs 1 3 _)")
    assertParse("xs[:2]", "(slice xs _ 2 _)")
    assertParse("xs[1:]", "(slice xs 1 _ _)")
    assertParse("xs[::2]", "(slice xs _ _ 2)")
    assertParse("xs[:]", "(slice xs _ _ _)")
    assertParse("xs[a:b:-1]", "(slice xs a b -1)")
    assertParse("t[i, j]", "(index t i j)")
    assertParse("t[:, 1:3]", "(index t (: _ _ _) (: 1 3 _))")
    assertParse("t[0, ::2, k]", "(index t 0 (: _ _ 2) k)")
  }

  func testFStringParts() {
    assertParse(#"f"x={x:.3f} n={n}""#, #"(f "x=" x:.3f " n=" n)"#)
    assertParse(#"f"{{literal}} {a + b}""#, #"(f "{literal} " (+ a b))"#)
  }

  func testStatementForms() {
    assertParse("let (a, b) = pair", "(let (a b) pair)")
    assertParse("xs[i] += 1", "(+= (index xs i) 1)")
    assertParse("r.n -= 2", "(-= (. r n) 2)")
    assertParse("for (i, x) in enumerate(xs) { }", "(for (i x) (call enumerate xs) {})")
    assertParse("if a { } elif b { } else if c { } else { }", "(if a {} b {} c {} else {})")
    assertParse("try { } catch e { }", "(try {} catch e {})")
    assertParse(#"import "lib/a.pav" as a"#, #"(import "lib/a.pav" a)"#)
  }

  // MARK: - Lambdas

  func testLambdaForms() {
    assertParse("x => x * 2", "(fn (x) {(return (* x 2))})")
    assertParse("(a, b) => a + b", "(fn (a b) {(return (+ a b))})")
    assertParse("(x) => x", "(fn (x) {(return x)})")
    assertParse("() => 42", "(fn () {(return 42)})")
    assertParse("(x, lr: 0.1) => x * lr", "(fn (x lr=0.1) {(return (* x lr))})")
    assertParse("fn(x) { return x }", "(fn (x) {(return x)})")
  }

  func testLambdaBlockBodies() {
    assertParse("() => { print(1) }", "(fn () {(call print 1)})")
    assertParse("() => {\n  let y = 1\n  return y\n}", "(fn () {(let y 1); (return y)})")
  }

  func testLambdasNestToTheRight() {
    assertParse("a => b => a + b", "(fn (a) {(return (fn (b) {(return (+ a b))}))})")
    assertValue("(a => b => a - b)(10)(3)", equals: "7")
  }

  func testLambdaArgumentEndsAtTheComma() {
    assertParse("map(x => x + 1, xs)", "(call map (fn (x) {(return (+ x 1))}) xs)")
    assertParse("sorted(xs, key: x => -x)", "(call sorted xs key:(fn (x) {(return (- x))}))")
  }

  func testParenthesizedNameIsNotALambda() {
    assertParse("(x)", "x")
    assertParse("(x) + 1", "(+ x 1)")
  }

  func testLambdaBodyMayStartOnTheNextLine() {
    assertParse("let f = x =>\n  x + 1", "(let f (fn (x) {(return (+ x 1))}))")
  }

  // MARK: - Records and blocks

  func testRecordLiterals() {
    assertParse(#"{a: 1, "b c": 2, 3: x}"#, "{a: 1, b c: 2, 3: x}")
    assertParse("{x, y}", "{x: x, y: y}")
    assertParse("{}", "{}")
    assertParse("{if: 1}", "{if: 1}")
  }

  func testLambdaBodyIsARecordWhenItLooksLikeOne() {
    assertParse("() => {}", "(fn () {(return {})})")
    assertParse("() => {a: 1}", "(fn () {(return {a: 1})})")
    assertParse(#"() => {"k": 1}"#, #"(fn () {(return {k: 1})})"#)
    assertParse("x => {x}", "(fn (x) {(return {x: x})})")
    assertParse("(a, b) => {a, b}", "(fn (a b) {(return {a: a, b: b})})")
    assertParse("() => {\n  a: 1\n}", "(fn () {(return {a: 1})})")
  }

  func testLambdaBodyIsABlockOtherwise() {
    assertParse("() => { return 1 }", "(fn () {(return 1)})")
    assertParse("x => { x += 1 }", "(fn (x) {(+= x 1)})")
    assertParse("() => {\n  print(1)\n}", "(fn () {(call print 1)})")
  }

  func testBracesAfterIfAreABlock() {
    assertParse("if c { x }", "(if c {x})")
  }

  /// A `{` at the start of a statement opens a record, so a bare block is a syntax error.
  func testABlockCannotStandAsAStatement() {
    assertSyntaxError("{ print(1) }", contains: "record")
    assertSyntaxError("{ (1) }", contains: "cannot stand here as a statement")
  }

  // MARK: - Newlines

  func testNewlinesInsideBracketsAreIgnored() {
    assertParse("let x = (1\n  + 2\n  + 3)", "(let x (+ (+ 1 2) 3))")
    assertParse("f(\n  1,\n  2\n)", "(call f 1 2)")
    assertParse("[\n  1,\n  2,\n]", "[1 2]")
    assertParse("xs[\n  0\n]", "(index xs 0)")
  }

  func testNewlinesInsideRecordsAreIgnored() {
    assertParse("{\n  a: 1,\n  b:\n    2,\n  c: [\n    3\n  ]\n}", "{a: 1, b: 2, c: [3]}")
  }

  func testTrailingBinaryOperatorContinuesTheLine() {
    assertParse("let x = 1 +\n  2 *\n  3", "(let x (+ 1 (* 2 3)))")
    assertParse("a and\n  b or\n  c", "(or (and a b) c)")
    assertParse("a <\n  b", "(cmp a < b)")
    assertParse("x =\n  5", "(= x 5)")
    assertParse("let x =\n  5", "(let x 5)")
  }

  func testLeadingOperatorStartsANewStatement() {
    XCTAssertEqual(statements("let x = 1\n- 2"), ["(let x 1)", "-2"])
  }

  func testMethodChainMayContinueOnTheNextLine() {
    assertParse("s\n  .strip()\n  .lower()", "(call (. (call (. s strip)) lower))")
    assertParse("let t = s\n\n  .upper()", "(let t (call (. s upper)))")
  }

  func testElseAndCatchMayStartOnTheNextLine() {
    assertParse("if a {\n}\nelse {\n}", "(if a {} else {})")
    assertParse("if a {\n}\nelif b {\n}", "(if a {} b {})")
    assertParse("try {\n}\ncatch e {\n}", "(try {} catch e {})")
  }

  func testSemicolonsCommentsAndBlankLinesSeparateStatements() {
    XCTAssertEqual(statements("a; b\n\n\n# comment\nc # trailing\n"), ["a", "b", "c"])
  }

  func testBackslashContinuesALine() {
    assertParse("let x = 1 \\\n  + 2", "(let x (+ 1 2))")
  }

  func testTwoStatementsOnOneLineNeedASemicolon() {
    assertSyntaxError("let x = 1 let y = 2", contains: "expected a new line or `;` after the statement")
  }

  // MARK: - Nesting limit

  func testDeepNestingIsReportedNotACrash() {
    let deep = String(repeating: "(", count: 500) + "1" + String(repeating: ")", count: 500)
    let error = assertSyntaxError("let x = \(deep)", contains: "nesting is too deep (more than 180 levels)")
    XCTAssertTrue(error?.render().contains("split the expression into several statements") ?? false)
    assertSyntaxError("let x = " + String(repeating: "[", count: 300) + String(repeating: "]", count: 300),
                      contains: "nesting is too deep")
    assertSyntaxError("let x = " + String(repeating: "-", count: 300) + "1", contains: "nesting is too deep")
    assertSyntaxError("let x = " + String(repeating: "not ", count: 300) + "1", contains: "nesting is too deep")
  }

  func testModerateNestingIsFine() {
    let nested = String(repeating: "(", count: 50) + "1" + String(repeating: ")", count: 50)
    assertValue(nested, equals: "1")
    var blocks = ""
    for _ in 0..<30 { blocks += "if true { " }
    blocks += "print(1)"
    for _ in 0..<30 { blocks += " }" }
    assertProgram(blocks, prints: "1\n")
  }

  /// Calls in separate statements are not nesting: a long program must not reach the limit.
  func testManyCallsInAProgramAreNotNesting() {
    let program = (1...300).map { "print(\($0))" }.joined(separator: "\n")
    XCTAssertEqual(parse(program)?.body.statements.count, 300)
  }

  func testMethodChainsWithinTheLimitParse() {
    let chain = "let s = \"x\"" + String(repeating: ".upper()", count: 40)
    XCTAssertNotNil(parse(chain))
  }

  // MARK: - Syntax errors

  func testAllSyntaxErrorsAreReportedTogether() {
    let error = assertSyntaxError("let = 1\nlet y = )\nprint(\"ok\")", contains: "2 errors")
    XCTAssertEqual(error?.diagnostics.map(\.location.line), [1, 2])
  }

  func testKeywordCannotBeAVariableName() {
    assertSyntaxError("let for = 1", contains: "`for` is a keyword and cannot be used as a variable name after `let`")
  }

  func testAssignmentTargetMustBeAssignable() {
    assertSyntaxError("f() = 1", contains: "cannot assign to this expression")
  }
}
