import PavlovLang

// Random Pavlov programs for the robustness test (RobustnessTests.swift): a seeded PRNG, a
// grammar-based generator of mostly well-formed programs, hand-written seeds and edge cases,
// and a mutator that breaks programs at the byte and token level. Everything is a pure
// function of a seed, so any failing program can be regenerated from the number in the report.

/// SplitMix64: tiny, fast, and good enough to drive a fuzzer; the same seed gives the same stream.
struct FuzzRandom {
  private(set) var state: UInt64

  init(seed: UInt64) { state = seed }

  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// A number in 0..<n.
  mutating func below(_ n: Int) -> Int { n <= 1 ? 0 : Int(next() % UInt64(n)) }

  mutating func int(_ range: ClosedRange<Int>) -> Int { range.lowerBound + below(range.upperBound - range.lowerBound + 1) }

  /// True with the given probability in percent.
  mutating func chance(_ percent: Int) -> Bool { below(100) < percent }

  mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }

  /// A seed derived from two numbers (a base seed and a program index, say).
  static func mix(_ a: UInt64, _ b: UInt64) -> UInt64 {
    var r = FuzzRandom(seed: a ^ (b &* 0xD6E8_FEB8_6659_FD93))
    _ = r.next()
    return r.next()
  }
}

// MARK: - Generator

/// Builds random programs from Pavlov's grammar. It tracks variables in scope with a rough
/// type so that most programs run (and reach deep into the evaluator) instead of stopping at
/// the first type error; a small share of expressions deliberately mixes types.
struct ProgramGenerator {
  enum Kind: CaseIterable { case int, float, str, bool, ints, strs, record, fn }

  struct Variable {
    let name: String
    let kind: Kind
  }

  struct FunctionInfo {
    let name: String
    /// The index of the scope that declares it (it disappears with that scope).
    let scope: Int
    /// Parameter names; the first `required` have no default.
    let params: [String]
    let required: Int
    let returns: Kind
  }

  var rng: FuzzRandom
  var lines: [String] = []
  var indent = 0
  var scopes: [[Variable]] = [[]]
  var functions: [FunctionInfo] = []
  var loopDepth = 0
  var functionReturn: [Kind] = []
  var counter = 0
  var budget = 0

  init(seed: UInt64) { rng = FuzzRandom(seed: seed) }

  /// The program for `seed`.
  static func program(seed: UInt64) -> String {
    var g = ProgramGenerator(seed: seed)
    return g.generate()
  }

  mutating func generate() -> String {
    if rng.chance(8) { return EdgeCases.program(&rng) }
    budget = rng.int(3...12)
    for _ in 0..<rng.int(1...3) { declare(rng.pick(Kind.allCases)) }
    for _ in 0..<rng.int(0...2) { functionDeclaration() }
    if rng.chance(20) { recursiveFunction() }
    while budget > 0 { statement(depth: 3) }
    if rng.chance(8) {
      let s = EdgeCases.snippet(&rng)
      emit("if true {\n\(s)\n}")
    }
    if rng.chance(40) { expressionStatement(rng.pick(Kind.allCases)) }
    return lines.joined(separator: "\n")
  }

  // MARK: Output and scopes

  mutating func emit(_ line: String) {
    lines.append(String(repeating: "  ", count: indent) + line)
  }

  mutating func fresh(_ prefix: String) -> String {
    counter += 1
    if rng.chance(3) { return rng.pick(["café", "变量", "π", "ñ_", "Ωmega", "x̄"]) + String(counter) }
    return prefix + String(counter)
  }

  func visible(_ kind: Kind) -> [Variable] {
    var out: [Variable] = []
    if hideContainers && Self.growable.contains(kind) { return out }
    for scope in scopes { for v in scope where v.kind == kind { out.append(v) } }
    return out
  }

  /// Kinds whose values can grow. While a new value for one of them is generated, variables
  /// of these kinds are hidden, so `s = s + s` in a loop cannot double a string until memory
  /// runs out (the step limit bounds time in the evaluator, not the size of one value).
  static let growable: Set<Kind> = [.str, .ints, .strs, .record]
  var hideContainers = false

  /// `body` with growable variables hidden when `kind` is growable.
  mutating func withoutGrowth<T>(_ kind: Kind, _ body: (inout ProgramGenerator) -> T) -> T {
    let saved = hideContainers
    if Self.growable.contains(kind) { hideContainers = true }
    defer { hideContainers = saved }
    return body(&self)
  }

  mutating func bind(_ name: String, _ kind: Kind) { scopes[scopes.count - 1].append(Variable(name: name, kind: kind)) }

  mutating func block(_ header: String, _ body: (inout ProgramGenerator) -> Void) {
    emit(header + " {")
    indent += 1
    scopes.append([])
    body(&self)
    popScope()
    indent -= 1
    emit("}")
  }

  mutating func popScope() {
    scopes.removeLast()
    functions.removeAll { $0.scope >= scopes.count }
  }

  static func prefix(_ kind: Kind) -> String {
    switch kind {
    case .int: return "n"
    case .float: return "x"
    case .str: return "s"
    case .bool: return "b"
    case .ints: return "xs"
    case .strs: return "ws"
    case .record: return "r"
    case .fn: return "f"
    }
  }

  mutating func declare(_ kind: Kind) {
    let name = fresh(Self.prefix(kind))
    emit("let \(name) = \(expr(kind, 2))")
    bind(name, kind)
  }

  // MARK: Functions

  mutating func functionDeclaration() {
    let name = fresh("g")
    let returns = rng.pick([Kind.int, .int, .int, .str, .ints, .float])
    var params = ["a\(counter)"]
    var header = params[0]
    var defaults: [(String, Kind)] = []
    if rng.chance(70) {
      let p = "k\(counter)"
      params.append(p)
      header += ", \(p): \(rng.int(0...5))"
      defaults.append((p, .int))
    }
    if rng.chance(40) {
      let p = "t\(counter)"
      params.append(p)
      header += ", \(p): \(stringLiteral())"
      defaults.append((p, .str))
    }
    let info = FunctionInfo(name: name, scope: scopes.count - 1, params: params, required: 1, returns: returns)
    functions.append(info) // visible in its own body: recursion
    block("fn \(name)(\(header))") { g in
      g.bind(params[0], .int)
      for (p, k) in defaults { g.bind(p, k) }
      g.functionReturn.append(returns)
      let saved = g.loopDepth
      g.loopDepth = 0
      for _ in 0..<g.rng.int(0...3) { g.statement(depth: 2) }
      g.emit("return \(g.expr(returns, 2))")
      g.loopDepth = saved
      g.functionReturn.removeLast()
    }
  }

  mutating func recursiveFunction() {
    let name = fresh("rec")
    switch rng.below(5) {
    case 0:
      emit("fn \(name)(n) { if n <= 1 { return 1 }; return n * \(name)(n - 1) }")
      emit("print(\(name)(\(rng.pick([5, 10, 20, 21, 25, 30]))))")
    case 1:
      emit("fn \(name)(n) { if n < 2 { return n }; return \(name)(n - 1) + \(name)(n - 2) }")
      emit("let v\(counter) = \(name)(\(rng.int(0...14)))")
    case 2:
      emit("fn \(name)(xs, acc: []) { if len(xs) == 0 { return acc }; acc.push(xs[0] * 2); return \(name)(xs[1:], acc: acc) }")
      emit("print(\(name)(\(listLiteral(.int, 1))))")
    case 3:
      emit("fn \(name)(n) { return \(name)(n + 1) + 1 }") // unbounded: a stack overflow error
      emit(rng.chance(50) ? "\(name)(0)" : "try { \(name)(0) } catch e { print(e.message) }")
    default:
      emit("fn \(name)(n, depth: 0) { if depth > \(rng.pick([10, 100, 1000, 10000])) { return n }; return \(name)(n + depth, depth: depth + 1) }")
      emit("print(\(name)(1))")
    }
  }

  mutating func call(_ f: FunctionInfo) -> String {
    var args = [expr(.int, 1)]
    let optional = Array(f.params.dropFirst(f.required))
    switch rng.below(10) {
    case 0: // a keyword for the required parameter
      args = ["\(f.params[0]): \(expr(.int, 1))"]
    case 1, 2:
      if let p = optional.first { args.append(p.hasPrefix("k") ? expr(.int, 1) : stringLiteral()) }
    case 3, 4:
      for p in optional where rng.chance(60) { args.append("\(p): \(p.hasPrefix("k") ? expr(.int, 1) : expr(.str, 1))") }
    case 5 where rng.chance(10): // wrong calls: the resolver or the call reports them
      args = rng.pick([[], ["1", "2", "3", "4"], ["1", "nope: 2"]])
    default: break
    }
    return "\(f.name)(\(args.joined(separator: ", ")))"
  }

  // MARK: Statements

  mutating func statement(depth: Int) {
    budget -= 1
    let inLoop = loopDepth > 0, inFunction = !functionReturn.isEmpty, nested = depth > 0
    var roll = rng.below(30)
    // Compound statements only while nesting is allowed; break/continue/return only where legal.
    if !nested && (12...20).contains(roll) { roll = 27 }
    if roll == 22 && !inLoop { roll = 27 }
    if roll == 23 && !inFunction { roll = 10 }
    switch roll {
    case 0, 1, 2:
      declare(rng.pick(Kind.allCases))
    case 3, 4:
      let all = scopes.flatMap { $0 }
      if all.isEmpty { return declare(.int) }
      let v = rng.pick(all)
      let value = withoutGrowth(v.kind) { g in g.expr(v.kind, 2) }
      emit("\(v.name) = \(value)")
    case 5, 6: compoundAssignment()
    case 7, 8: listMutation()
    case 9: recordMutation()
    case 10, 11: printStatement()
    case 12, 13: ifStatement(depth: depth)
    case 14: whileLoop(depth: depth)
    case 15, 16: forLoop(depth: depth)
    case 17: tryStatement(depth: depth)
    case 18: raise()
    case 19:
      functionDeclaration()
      if let f = functions.last {
        let c = call(f)
        emit(c)
      }
    case 20: closuresInLoop()
    case 21:
      let c = functions.isEmpty ? expr(.int, 2) : call(rng.pick(functions))
      emit(c)
    case 22:
      let c = expr(.bool, 1)
      emit("if \(c) { \(rng.pick(["break", "continue"])) }")
    case 23:
      let c = expr(.bool, 1), v = expr(functionReturn[functionReturn.count - 1], 1)
      emit("if \(c) { return \(v) }")
    case 24: selfContaining()
    case 25: boundMethod()
    case 26: destructuring()
    case 28 where rng.chance(10):
      let s = EdgeCases.snippet(&rng)
      emit("if true {\n\(s)\n}")
    default:
      expressionStatement(rng.pick(Kind.allCases))
    }
  }

  /// An expression as a statement; a record literal there would read as a block, so it is printed.
  mutating func expressionStatement(_ kind: Kind) {
    let e = expr(kind, 2)
    emit(e.hasPrefix("{") ? "print(\(e))" : e)
  }

  mutating func compoundAssignment() {
    let candidates = visible(.int) + visible(.float) + visible(.str) + visible(.ints)
    guard let v = candidates.isEmpty ? nil : rng.pick(candidates) else { return declare(.int) }
    switch v.kind {
    case .int: emit("\(v.name) \(rng.pick(["+=", "+=", "-=", "*="])) \(expr(.int, 1))")
    case .float: emit("\(v.name) \(rng.pick(["+=", "-=", "*=", "/="])) \(expr(.float, 1))")
    case .str:
      let value = withoutGrowth(.str) { g in g.expr(.str, 1) }
      emit("\(v.name) += \(value)")
    default:
      let value = withoutGrowth(.ints) { g in g.listLiteral(.int, 1) }
      emit("\(v.name) += \(value)")
    }
  }

  mutating func listExprForMutation() -> String {
    let vars = visible(.ints)
    if let v = vars.isEmpty ? nil : rng.pick(vars) { return v.name }
    let name = fresh("xs")
    emit("let \(name) = \(listLiteral(.int, 1))")
    bind(name, .ints)
    return name
  }

  mutating func listMutation() {
    let xs = listExprForMutation()
    switch rng.below(12) {
    case 0, 1: emit("\(xs).push(\(expr(.int, 1)))")
    case 2: emit("\(xs).pop(\(rng.chance(50) ? "" : expr(.int, 0)))")
    case 3: emit("\(xs).insert(\(expr(.int, 1)), \(expr(.int, 1)))")
    case 4: emit("\(xs).remove(\(expr(.int, 0)))")
    case 5: emit("\(xs).sort(\(rng.pick(["", "reverse: true", "key: x => -x", "key: x => x % 3, reverse: true"])))")
    case 6: emit("\(xs).reverse()")
    case 7:
      let items = withoutGrowth(.ints) { g in g.expr(.ints, 1) }
      emit("\(xs).extend(\(items))")
    case 8: emit("\(xs)[\(expr(.int, 0))] = \(expr(.int, 1))")
    case 9: emit("\(xs)[\(expr(.int, 0))] += \(expr(.int, 0))")
    case 10: emit("\(xs).append(\(expr(.int, 1)))")
    default: emit("if len(\(xs)) > 0 { \(xs)[-1] = \(xs)[0] }")
    }
  }

  mutating func recordMutation() {
    let vars = visible(.record)
    guard let r = vars.isEmpty ? nil : rng.pick(vars) else { return declare(.record) }
    switch rng.below(7) {
    case 0: emit("\(r.name).a = \(expr(.int, 1))")
    case 1: emit("\(r.name)[\"b\"] += \(expr(.int, 1))")
    case 2:
      let value = withoutGrowth(.str) { g in g.expr(.str, 1) }
      emit("\(r.name)[\"c d\"] = \(value)")
    case 3:
      let kind = rng.pick(Kind.allCases)
      let value = withoutGrowth(kind) { g in g.expr(kind, 1) }
      emit("\(r.name).extra = \(value)")
    case 4: emit("\(r.name).set(\(stringLiteral()), \(expr(.int, 1)))")
    case 5: emit("\(r.name).remove(\(rng.pick(["\"extra\"", "\"zz\"", "\"🙂\"", "7"])))")
    default: emit("\(r.name)[\(rng.int(0...3))] = \(expr(.int, 1))")
    }
  }

  mutating func printStatement() {
    switch rng.below(5) {
    case 0: emit("print(\(expr(rng.pick(Kind.allCases), 2)))")
    case 1: emit("print(\(expr(.int, 1)), \(expr(.str, 1)), \(expr(rng.pick(Kind.allCases), 1)))")
    case 2: emit("print(\(fString()))")
    case 3: emit("print(\(expr(.ints, 1)), \(expr(.str, 1)), sep: \(stringLiteral()), end: \(rng.pick(["\"\"", "\"\\n\"", "\"; \""])))")
    default: emit("print(str(\(expr(rng.pick(Kind.allCases), 1))) + \(expr(.str, 1)))")
    }
  }

  mutating func body(depth: Int, count: ClosedRange<Int> = 1...4) {
    for _ in 0..<rng.int(count) { statement(depth: depth - 1) }
  }

  mutating func ifStatement(depth: Int) {
    block("if \(expr(.bool, 2))") { g in g.body(depth: depth) }
    for _ in 0..<rng.int(0...2) {
      lines[lines.count - 1] += " elif \(expr(.bool, 1)) {"
      indent += 1
      scopes.append([])
      body(depth: depth)
      popScope()
      indent -= 1
      emit("}")
    }
    if rng.chance(40) {
      lines[lines.count - 1] += " else {"
      indent += 1
      scopes.append([])
      body(depth: depth)
      popScope()
      indent -= 1
      emit("}")
    }
  }

  mutating func whileLoop(depth: Int) {
    let c = fresh("c")
    emit("let \(c) = 0")
    bind(c, .int)
    let forever = rng.chance(4) // a loop that only the step limit stops
    let limit = rng.int(0...12)
    block(forever ? "while true" : "while \(c) < \(limit)") { g in
      g.emit("\(c) += 1")
      g.loopDepth += 1
      g.body(depth: depth, count: forever ? 0...2 : 1...4)
      g.loopDepth -= 1
    }
  }

  mutating func forLoop(depth: Int) {
    let i = fresh("i")
    var header: String
    var bound: [(String, Kind)] = [(i, .int)]
    switch rng.below(10) {
    case 0, 1: header = "for \(i) in \(rng.int(-2...3))..\(rng.int(0...12))"
    case 2: header = "for \(i) in range(\(rng.int(-5...10)), \(rng.int(-5...10)), \(rng.pick([1, 2, 3, -1, -2])))"
    case 3: header = "for \(i) in \(expr(.ints, 1))"
    case 4:
      header = "for \(i) in \(expr(.str, 1))"
      bound = [(i, .str)]
    case 5:
      header = "for \(i) in \(expr(.record, 1))"
      bound = [(i, .str)]
    case 6:
      let x = fresh("x")
      header = "for (\(i), \(x)) in enumerate(\(expr(.ints, 1)))"
      bound = [(i, .int), (x, .int)]
    case 7:
      let v = fresh("v")
      header = "for (\(i), \(v)) in \(expr(.record, 1)).items()"
      bound = [(i, .str), (v, .int)]
    case 8:
      let w = fresh("w")
      header = "for (\(i), \(w)) in zip(\(expr(.ints, 1)), \(expr(.strs, 1)))"
      bound = [(i, .int), (w, .str)]
    default:
      header = "for \(i) in range(\(rng.int(0...10)))"
    }
    block(header) { g in
      for (name, kind) in bound { g.bind(name, kind) }
      g.loopDepth += 1
      g.body(depth: depth)
      g.loopDepth -= 1
    }
  }

  mutating func tryStatement(depth: Int) {
    block("try") { g in g.body(depth: depth) }
    if rng.chance(80) {
      let e = fresh("e")
      lines[lines.count - 1] += " catch \(e) {"
      indent += 1
      scopes.append([])
      emit("print(\(rng.pick(["\(e).message", "\(e).line", "\(e).value", "\(e).hint", "\(e).trace", "\(e).column", "\(e)", "\(e).report()", "\(e).file"])))")
      if rng.chance(30) { body(depth: depth, count: 0...2) }
      if rng.chance(10) { emit("throw \(e)") }
      popScope()
      indent -= 1
      emit("}")
    } else {
      lines[lines.count - 1] += " catch {"
      emit("}")
    }
  }

  mutating func raise() {
    let what: String
    switch rng.below(7) {
    case 0: what = "throw \(stringLiteral())"
    case 1: what = "throw {code: \(rng.int(0...9)), why: \(stringLiteral())}"
    case 2: what = "error(\(expr(.str, 1)))"
    case 3: what = "assert(\(expr(.bool, 1)), \(stringLiteral()))"
    case 4: what = "throw \(expr(.int, 1))"
    case 5: what = "error(\(expr(rng.pick(Kind.allCases), 1)))"
    default: what = "throw nil"
    }
    if rng.chance(70) { emit("if \(expr(.bool, 1)) { \(what) }") } else { emit(what) }
  }

  mutating func closuresInLoop() {
    let fs = fresh("fs"), i = fresh("i")
    emit("let \(fs) = []")
    emit("for \(i) in 0..\(rng.int(0...5)) { let sq = \(i) * \(i); \(fs).push(\(rng.pick(["() => \(i) * 10", "x => x + \(i) + sq", "fn() { return [\(i), sq] }"]))) }")
    let g = fresh("g")
    emit("for \(g) in \(fs) { try { print(\(g)()) } catch e { print(\(g)(1)) } }")
  }

  mutating func selfContaining() {
    let xs = fresh("xs"), r = fresh("r")
    switch rng.below(4) {
    case 0: emit("let \(xs) = [1, 2]; \(xs).push(\(xs)); print(\(xs)); print(len(str(\(xs))), \(xs) == \(xs), \(xs) in \(xs))")
    case 1: emit("let \(r) = {a: 1}; \(r).me = \(r); \(r)[\"list\"] = [\(r), \(r)]; print(\(r), f\"{\(r)}\", repr(\(r)))")
    case 2: emit("let \(xs) = []; \(xs).push(\(xs)); let \(r) = []; \(r).push(\(r)); print(\(xs) == \(r), \(xs).count(\(r)), \(xs).contains(\(r)))")
    default: emit("let \(xs) = [0]; \(xs)[0] = \(xs); print(sorted([\(xs), \(xs)]), \(xs)[0][0][0], \(xs)[0][0][0] < \(xs))")
    }
  }

  mutating func boundMethod() {
    let p = fresh("p")
    switch rng.below(3) {
    case 0:
      let xs = listExprForMutation()
      emit("let \(p) = \(xs).push; \(p)(\(expr(.int, 1))); print(\(p), \(p).name)")
    case 1: emit("let \(p) = \(expr(.str, 1)).upper; print(\(p)(), \(p))")
    default: emit("let \(p) = [print, len, str, \(expr(.fn, 1))]; for q in \(p) { print(q, type(q)) }")
    }
  }

  mutating func destructuring() {
    let a = fresh("a"), b = fresh("b")
    let rhs = rng.pick(["[\(expr(.int, 1)), \(expr(.int, 1))]", "\(expr(.ints, 1))", "0..2", "[1]", "[1, 2, 3]"])
    emit("let (\(a), \(b)) = \(rhs)")
    bind(a, .int)
    bind(b, .int)
  }

  // MARK: Expressions

  mutating func pickVariable(_ kind: Kind) -> String? {
    let vars = visible(kind)
    if vars.isEmpty || rng.chance(25) { return nil }
    return rng.pick(vars).name
  }

  mutating func expr(_ wanted: Kind, _ depth: Int) -> String {
    var kind = wanted
    if rng.chance(2) { kind = rng.pick(Kind.allCases) } // a deliberate type error, now and then
    if depth <= 0 || rng.chance(30) { return atom(kind) }
    let d = depth - 1
    switch kind {
    case .int: return intExpr(d)
    case .float: return floatExpr(d)
    case .str: return strExpr(d)
    case .bool: return boolExpr(d)
    case .ints: return intsExpr(d)
    case .strs: return strsExpr(d)
    case .record: return recordExpr(d)
    case .fn: return fnExpr(d)
    }
  }

  mutating func atom(_ kind: Kind) -> String {
    if let v = pickVariable(kind) { return v }
    switch kind {
    case .int: return intLiteral()
    case .float: return rng.pick(["0.5", "1.5", "2.0", "-3.25", "1e-3", "2.5e10", "0.1", "3.14159", "1e308", "-0.0", "1e-320", "100.0"])
    case .str: return stringLiteral()
    case .bool: return rng.pick(["true", "false"])
    case .ints: return listLiteral(.int, 0)
    case .strs: return listLiteral(.str, 0)
    case .record: return recordLiteral(0)
    case .fn: return rng.pick(["x => x * 2", "(x => x + 1)", "abs", "(x) => { return x - 1 }", "fn(x) { return x % 7 }", "(x, k: 3) => x * k"])
    }
  }

  mutating func intLiteral() -> String {
    let roll = rng.below(100)
    if roll < 75 { return String(rng.int(0...10)) }
    if roll < 93 { return String(rng.int(-100...1000)) }
    return rng.pick(["9223372036854775807", "-9223372036854775807", "4611686018427387904", "2147483647", "0x7fffffffffffffff",
                     "1_000_000", "-1", "3037000500", "0xff"])
  }

  static let strings = [
    "\"\"", "\"a\"", "\"abc\"", "\"hello world\"", "\"a,b,c\"", "\"héllo\"", "\"日本語\"", "\"🙂🙃\"", "\"e\\u{301}\"",
    "\"👩‍👩‍👧\"", "\"tab\\tsep\"", "\"line\\nbreak\"", "\"quote\\\"s\"", "\"back\\\\slash\"", "'single'", "\"ß\"", "\"İ\"",
    "\"\\0\"", "\"ﬃ\"", "\"  padded  \"", "\"12\"", "\"3.5\"", "\"-7\"", "\"inf\"", "\"nan\"", "\"{}\"", "\"{0} {1}\"", "\"x\"",
  ]

  mutating func stringLiteral() -> String { rng.pick(Self.strings) }

  mutating func listLiteral(_ element: Kind, _ depth: Int) -> String {
    let n = rng.pick([0, 1, 2, 3, 3, 4, 5, 8])
    var items: [String] = []
    for _ in 0..<n { items.append(depth > 0 ? expr(element, depth - 1) : atom(element)) }
    return "[" + items.joined(separator: ", ") + "]"
  }

  mutating func recordLiteral(_ depth: Int) -> String {
    var entries = ["a: \(depth > 0 ? expr(.int, depth - 1) : intLiteral())", "b: \(intLiteral())", "\"c d\": \(stringLiteral())"]
    for _ in 0..<rng.int(0...2) {
      entries.append(rng.pick(["7: \"seven\"", "\"🙂\": 1", "if: true", "nested: {x: 1, y: [1, 2]}", "f: x => x + 1", "none: nil",
                               "xs: \(listLiteral(.int, 0))"]))
    }
    var seen = Set<String>()
    entries = entries.filter { seen.insert(String($0.prefix(while: { $0 != ":" }))).inserted }
    if rng.chance(20) { entries.fuzzShuffle(&rng) }
    return "{" + entries.joined(separator: ", ") + "}"
  }

  mutating func fString() -> String {
    var parts: [String] = []
    for _ in 0..<rng.int(1...3) {
      let kind = rng.pick([Kind.int, .float, .str, .ints, .bool])
      let inner = pickVariable(kind) ?? (kind == .str ? "'\(rng.pick(["ab", "é", "🙂", ""]))'" : atom(kind))
      let spec: String
      switch kind {
      case .int: spec = rng.pick(["", ":5", ":05d", ":,", ":x", ":b", ":+", ":>8", ":.2f", ":e", ":.1%", ":*^9"])
      case .float: spec = rng.pick(["", ":.2f", ":10.3f", ":e", ":.3g", ":%", ":,.2f", ":08.2f", ":d", ":.0f"])
      case .str: spec = rng.pick(["", ":>8", ":<5", ":^7", ":.2", ":s", ":d"])
      default: spec = rng.pick(["", ":>20", ":.3"])
      }
      parts.append(rng.pick(["", "v=", " and ", "{{", "}} ", "🙂 "]) + "{\(inner)\(rng.chance(10) ? randomSpec() : spec)}")
    }
    return "f\"" + parts.joined() + "\""
  }

  /// A format spec made of the characters specs use, in any order: `{x:0>+,9.3%}`.
  mutating func randomSpec() -> String {
    let alphabet = Array("<>^=+- 0123456789,_.%xXobdeEfFgGsn#*")
    var spec = ":"
    for _ in 0..<rng.int(0...8) { spec.append(rng.pick(alphabet)) }
    if rng.chance(10) { spec += String(repeating: "9", count: rng.int(5...30)) }
    return spec
  }

  mutating func intExpr(_ d: Int) -> String {
    switch rng.below(24) {
    case 0, 1: return "(\(expr(.int, d)) + \(expr(.int, d)))"
    case 2: return "(\(expr(.int, d)) - \(expr(.int, d)))"
    case 3: return "(\(expr(.int, d)) * \(expr(.int, d)))"
    case 4: return "(\(expr(.int, d)) // \(expr(.int, d)))"
    case 5: return "(\(expr(.int, d)) % \(expr(.int, d)))"
    case 6: return "(\(expr(.int, d)) ** \(rng.int(0...4)))"
    case 7: return "-\(atom(.int))"
    case 8: return "abs(\(expr(.int, d)))"
    case 9: return rng.chance(50) ? "min(\(expr(.int, d)), \(expr(.int, d)))" : "max(\(expr(.int, d)), \(expr(.int, d)), \(atom(.int)))"
    case 10: return "len(\(expr(rng.pick([Kind.ints, .str, .record, .strs]), d)))"
    case 11: return "sum(\(expr(.ints, d)))"
    case 12: return "\(rng.pick(["int", "round", "floor", "ceil"]))(\(expr(.float, d)))"
    case 13: return "\(atom(.ints))[\(expr(.int, d))]"
    case 14:
      if let f = functions.isEmpty ? nil : rng.pick(functions.filter { $0.returns == .int }.isEmpty ? functions : functions.filter { $0.returns == .int }) {
        return call(f)
      }
      return "(\(atom(.fn)))(\(expr(.int, d)))"
    case 15: return rng.pick(["\(atom(.record)).a", "\(atom(.record))[\"b\"]", "\(atom(.record)).get(\"zz\", 0)", "\(atom(.record)).get(\"a\")"])
    case 16: return "\(expr(.str, d)).find(\(stringLiteral()))"
    case 17: return "len(range(\(expr(.int, d)), \(expr(.int, d))))"
    case 18: return "reduce((p, q) => p + q, \(expr(.ints, d)), 0)"
    case 19: return rng.chance(50) ? "\(atom(.ints)).count(\(atom(.int)))" : "\(atom(.ints)).index(\(atom(.int)))"
    case 20: return "ord(\(rng.pick(["\"a\"", "\"é\"", "\"🙂\"", "\"\"", "\"ab\""])))"
    case 21: return "int(\(rng.pick(["\"12\"", "\" -7 \"", "\"1_000\"", "\"abc\"", "\"3.5\"", "true", "2.9", "-2.9"])))"
    case 22: return "(\(atom(.fn)))(\(expr(.int, d)))"
    default: return "(\(atom(.fn)))(\(atom(.int)))"
    }
  }

  mutating func floatExpr(_ d: Int) -> String {
    switch rng.below(12) {
    case 0: return "(\(expr(.float, d)) + \(expr(.float, d)))"
    case 1: return "(\(expr(.float, d)) * \(expr(.int, d)))"
    case 2: return "(\(expr(.int, d)) / \(expr(.int, d)))"
    case 3: return "float(\(expr(.int, d)))"
    case 4: return "sqrt(\(expr(.float, d)))"
    case 5: return "exp(\(atom(.int)))"
    case 6: return "log(\(expr(.float, d))\(rng.chance(30) ? ", \(atom(.int))" : ""))"
    case 7: return "round(\(expr(.float, d)), \(rng.int(-3...5)))"
    case 8: return "(\(expr(.float, d)) ** \(atom(.float)))"
    case 9: return "float(\(rng.pick(["\"3.5\"", "\"inf\"", "\"-inf\"", "\"nan\"", "\"1e400\"", "\"x\"", "\" 2 \""])))"
    case 10: return "(\(expr(.float, d)) // \(expr(.float, d)))"
    default: return "(\(expr(.float, d)) % \(expr(.float, d)))"
    }
  }

  mutating func strExpr(_ d: Int) -> String {
    switch rng.below(20) {
    case 0: return "str(\(expr(rng.pick(Kind.allCases), d)))"
    case 1, 2: return "(\(expr(.str, d)) + \(expr(.str, d)))"
    case 3: return "(\(expr(.str, d)) * \(rng.int(-1...4)))"
    case 4: return "\(atom(.str))[\(expr(.int, d))]"
    case 5: return "\(atom(.str))[\(rng.pick(["1:3", "::-1", "-2:", ":2", "::2", "5:1", "-100:100"]))]"
    case 6: return "\(expr(.str, d)).\(rng.pick(["upper()", "lower()", "strip()", "strip(\"a\")"]))"
    case 7: return "\(expr(.str, d)).replace(\(stringLiteral()), \(stringLiteral()))"
    case 8: return "\(stringLiteral()).join(\(expr(.strs, d)))"
    case 9: return "\(expr(.ints, d)).join(\(stringLiteral()))"
    case 10: return fString()
    case 11: return "type(\(expr(rng.pick(Kind.allCases), d)))"
    case 12: return "repr(\(expr(rng.pick(Kind.allCases), d)))"
    case 13:
      if rng.chance(30) { return "\"{\(randomSpec())}\".format(\(expr(rng.pick([Kind.int, .float, .str, .bool, .ints]), d)))" }
      return "\"{} and {:.2f}\".format(\(expr(.int, d)), \(expr(.float, d)))"
    case 14: return "\(rng.pick(["\"{0}-{1}\"", "\"{}\"", "\"{:>6}\"", "\"{2}\"", "\"{\"", "\"}\""])).format(\(expr(.str, d)), \(atom(.int)))"
    case 15: return "chr(\(rng.pick(["65", "0x1F600", "233", "-1", "1114112", "55296", "\(rng.int(0...200))"])))"
    case 16: return "reversed(\(expr(.str, d)))"
    case 17: return "\(expr(.str, d)).pad_left(\(rng.int(-2...12)), \(rng.pick(["\"*\"", "\"\"", "\"🙂\""])))"
    case 18: return "\(expr(.strs, d))[\(atom(.int))]"
    default: return "\(expr(.record, d))[\"c d\"]"
    }
  }

  mutating func boolExpr(_ d: Int) -> String {
    switch rng.below(18) {
    case 0, 1: return "\(expr(.int, d)) \(rng.pick(["<", "<=", ">", ">=", "==", "!="])) \(expr(.int, d))"
    case 2: return "\(expr(.float, d)) \(rng.pick(["<", "<=", ">", ">=", "==", "!="])) \(expr(.float, d))"
    case 3: return "\(expr(.str, d)) \(rng.pick(["<", "<=", ">", "==", "!="])) \(expr(.str, d))"
    case 4: return "\(expr(.int, d)) \(rng.pick(["in", "not in"])) \(expr(.ints, d))"
    case 5: return "\(expr(.str, d)) \(rng.pick(["in", "not in"])) \(rng.pick([expr(.str, d), expr(.record, d), expr(.strs, d)]))"
    case 6: return "not \(expr(.bool, d))"
    case 7: return "(\(expr(.bool, d)) and \(expr(.bool, d)))"
    case 8: return "(\(expr(.bool, d)) or \(expr(.bool, d)))"
    case 9: return "\(atom(.int)) < \(atom(.int)) <= \(atom(.int))"
    case 10: return "\(rng.pick(["any", "all"]))(\(expr(.ints, d)))"
    case 11: return "\(expr(.str, d)).\(rng.pick(["starts_with", "ends_with", "contains"]))(\(stringLiteral()))"
    case 12: return "\(atom(.record)).has(\(rng.pick(["\"a\"", "\"zz\"", "7", "\"c d\""])))"
    case 13: return "\(atom(.ints)).contains(\(atom(.int)))"
    case 14: return "bool(\(expr(rng.pick(Kind.allCases), d)))"
    case 15: return "\(expr(.ints, d)) \(rng.pick(["==", "<", "!="])) \(expr(.ints, d))"
    case 16: // mixed types: equality is false, ordering is an error
      return "\(expr(rng.pick(Kind.allCases), d)) \(rng.pick(["==", "!=", "<", ">="])) \(expr(rng.pick(Kind.allCases), d))"
    default: return "is_nan(\(expr(.float, d)))"
    }
  }

  mutating func intsExpr(_ d: Int) -> String {
    switch rng.below(20) {
    case 0, 1: return listLiteral(.int, d)
    case 2: return "list(range(\(rng.int(-3...3)), \(rng.int(0...12))))"
    case 3: return "range(\(rng.int(0...9))).list()"
    case 4: return "sorted(\(expr(.ints, d))\(rng.pick(["", ", reverse: true", ", key: x => -x", ", key: x => x % 3"])))"
    case 5: return "reversed(\(expr(.ints, d)))"
    case 6: return "\(atom(.ints))[\(rng.pick(["1:3", "::-1", "-2:", ":2", "::2", "5:1", "-100:100", "1::3", "::-2"]))]"
    case 7: return "\(expr(.ints, d)).copy()"
    case 8: return "(\(expr(.ints, d)) + \(expr(.ints, d)))"
    case 9: return "(\(expr(.ints, d)) * \(rng.int(-1...3)))"
    case 10: return "map(\(atom(.fn)), \(expr(.ints, d)))"
    case 11: return "filter(x => x % 2 == 0, \(expr(.ints, d)))"
    case 12: return "\(expr(.ints, d)).map(\(atom(.fn)))"
    case 13: return "\(expr(.ints, d)).filter(x => x > \(atom(.int)))"
    case 14: return "\(atom(.ints)).slice(\(rng.int(-2...3)), \(rng.int(-1...5)))"
    case 15: return "[len(\(expr(.str, d))), \(expr(.int, d))]"
    case 16: return "map(p => p[0], enumerate(\(expr(.strs, d))))"
    case 17: return "range(\(rng.int(0...5)), \(rng.int(5...15)), \(rng.pick([1, 2, 3]))).list()"
    case 18: return "map(p => p[0] * p[1], zip(\(expr(.ints, d)), \(expr(.ints, d))))"
    default: return "\(expr(.record, d)).values().filter(v => type(v) == \"int\")"
    }
  }

  mutating func strsExpr(_ d: Int) -> String {
    switch rng.below(9) {
    case 0, 1: return listLiteral(.str, d)
    case 2: return "\(expr(.str, d)).split(\(rng.pick(["\",\"", "\" \"", "", "\"\"", "\"🙂\""])))"
    case 3: return "\(expr(.record, d)).keys().map(k => str(k))"
    case 4: return "list(\(expr(.str, d)))"
    case 5: return "sorted(\(expr(.strs, d)))"
    case 6: return "\(expr(.ints, d)).map(str)"
    case 7: return "\(expr(.str, d)).lines()"
    default: return "map(w => w.upper(), \(expr(.strs, d)))"
    }
  }

  mutating func recordExpr(_ d: Int) -> String {
    switch rng.below(6) {
    case 0, 1, 2: return recordLiteral(d)
    case 3: return "\(atom(.record)).copy()"
    case 4: return "\(atom(.record)).merge({a: \(expr(.int, d)), z: 1})"
    default: return "record([[\"a\", \(expr(.int, d))], [\"b\", 2], [\"c d\", \"x\"]])"
    }
  }

  mutating func fnExpr(_ d: Int) -> String {
    if rng.chance(15) { return "(a => b => a + b)(\(expr(.int, d)))" }
    let x = fresh("x")
    scopes.append([Variable(name: x, kind: .int)])
    defer { scopes.removeLast() }
    switch rng.below(5) {
    case 0: return "\(x) => \(expr(.int, d))"
    case 1: return "(\(x)) => { let y = \(expr(.int, d)); return y + \(x) }"
    case 2: return "fn(\(x)) { if \(x) > \(atom(.int)) { return \(x) }; return \(expr(.int, d)) }"
    case 3: return "(\(x), step: \(atom(.int))) => \(x) + step"
    default: return atom(.fn)
    }
  }
}

extension Array {
  mutating func fuzzShuffle(_ rng: inout FuzzRandom) {
    guard count > 1 else { return }
    for i in stride(from: count - 1, to: 0, by: -1) { swapAt(i, rng.below(i + 1)) }
  }
}

// MARK: - Edge cases

/// Programs aimed at the places interpreters break: nesting, sizes, unicode, cycles, integer
/// limits, recursion and odd calls. Each must end in a value or a Pavlov error.
enum EdgeCases {
  static func program(_ rng: inout FuzzRandom) -> String {
    var parts: [String] = []
    for _ in 0..<rng.int(1...4) {
      let s = snippet(&rng)
      parts.append(rng.chance(40) ? "try {\n\(s)\n} catch e { print(e.message) }" : "if true {\n\(s)\n}")
    }
    return parts.joined(separator: "\n")
  }

  static func snippet(_ rng: inout FuzzRandom) -> String {
    switch rng.below(11) {
    case 0, 1: return deepNesting(&rng)
    case 2: return longLine(&rng)
    case 3: return rng.pick(unicode)
    case 4: return rng.pick(selfContaining)
    case 5, 6: return rng.pick(integerLimits)
    case 7: return rng.pick(divisionByZero)
    case 8: return rng.chance(96) ? rng.pick(recursion) : deepRecursion(&rng)
    case 9: return rng.below(1000) >= 3 ? rng.pick(mixedComparisons) : rng.pick(unboundedGrowth)
    default: return rng.pick(oddCalls)
    }
  }

  static func deepNesting(_ rng: inout FuzzRandom) -> String {
    let n = rng.chance(12) ? rng.pick([1000, 5000]) : rng.pick([2, 10, 50, 100, 179, 180, 181, 200, 500])
    // Nests of 5000 brackets are spread over lines: inside ( and [ newlines are spaces, and a
    // single line that long costs the lexer seconds (its columns are counted from the line
    // start). Other kinds of nesting stop at 1000.
    let newline = n >= 500 && !rng.chance(5) ? "\n" : ""
    func rep(_ s: String, _ k: Int = min(n, 1000)) -> String { String(repeating: s, count: k) }
    func nl(_ s: String) -> String { String(repeating: s + newline, count: newline.isEmpty ? min(n, 1000) : n) }
    switch rng.below(16) {
    case 0: return "let deep = " + nl("(") + "1" + nl(")")
    case 1: return "let deep = " + nl("[") + nl("]")
    case 2: return "let deep = " + nl("{a: ") + "1" + nl("}")
    case 3: return "let deep = " + nl("abs(") + "-1" + nl(")")
    case 4: return "let deep = " + rep("-") + "1"
    case 5: return "let deep = " + rep("not ") + "true"
    case 6: return "let deep = " + rep("2 ** ") + "1"
    case 7: return "let deep = " + rep("x => ") + "1"
    case 8: return rep("if true {\n") + "print(1)\n" + rep("}\n")
    case 9: return "let deep = " + rep("fn() { return ") + "1" + rep(" }")
    case 10: return "print(" + nl("(")
    case 11: return "let deep = [1]\nprint(deep" + nl("[0]") + ")"
    case 12:
      var open: [String] = []
      var text = "let deep = "
      for _ in 0..<n {
        let c = rng.pick(["(", "[", "{k: "])
        text += c + newline
        open.append(c == "(" ? ")" : c == "[" ? "]" : "}")
      }
      text += "1"
      for c in open.reversed() { text += c + newline }
      return text
    case 13: return "let deep = f\"{" + rep("(") + "1" + rep(")") + "}\""
    case 14: return "let deep = " + rep("{") + rep("}")
    default: return "let deep = " + nl("[1, ") + "2" + nl("]") + "\nprint(deep, len(str(deep)))"
    }
  }

  static func longLine(_ rng: inout FuzzRandom) -> String {
    let n = rng.chance(10) ? rng.pick([1000, 2000]) : rng.pick([30, 100, 300])
    switch rng.below(8) {
    case 0: return "let long = " + (0..<n).map { String($0 % 10) }.joined(separator: " + ")
    case 1: return "let long = \"" + String(repeating: "abcdefghij", count: n * 2) + "\"\nprint(len(long), long[-3:])"
    case 2: return "let long = [" + (0..<n).map(String.init).joined(separator: ", ") + "]\nprint(sum(long), len(long))"
    case 3: return "let " + String(repeating: "v", count: n) + " = 1\nprint(" + String(repeating: "v", count: n) + "w)"
    case 4: return "let long = " + (0..<n).map { _ in "true" }.joined(separator: " and ")
    case 5: return "let long = " + (0..<n).map { _ in "\"é\"" }.joined(separator: " + ") + "\nprint(len(long))"
    case 6: return "let long = 0\n" + (0..<n).map { "long += \($0)" }.joined(separator: "; ") + "\nprint(long)"
    default: return "let long = 1 +\n" + (0..<n * 4).map { _ in "1" }.joined(separator: " +\n") + "\nprint(long)"
    }
  }

  static let unicode = [
    "let café = 1\nlet 变量 = 2\nlet π = 3.14159\nprint(f\"{café} {变量} {π:.2f}\", café + 变量)",
    "let s = \"e\\u{301}👩‍👩‍👧ß\"\nprint(len(s), s[0], s[-1], s[1:3], reversed(s), s.upper(), s.lower())",
    "let s = \"日本語テキスト\"\nfor ch in s { print(ch, ord(ch)) }\nprint(s.split(\"語\"), s.find(\"テ\"), s.replace(\"本\", \"🙂\"))",
    "print(chr(0x1F600), chr(233), ord(\"🙂\"), \"🙂\" * 3, f\"{'🙂':>5}|{'é':^5}|\")",
    "let r = {\"🙂\": 1, \"ключ\": 2, \"\": 3}\nprint(r, r[\"🙂\"], r.ключ, r[\"\"], r.keys())",
    "print(\"\\u{0}\", len(\"\\u{0}\"), \"\\u{10FFFF}\", \"\\u{7F}\\u{80}\")",
    "print(\"\\u{D800}\", \"\\u{110000}\", \"\\u{}\", \"\\u{FFFFFFFFFF}\", \"\\u12\")",
    "print(\"İ\".lower(), \"ﬃ\".upper(), len(\"ﬃ\".upper()), \"ß\".upper())",
    "let ₓ = [\"β\", \"α\", \"γ\", \"Α\"]\nprint(sorted(ₓ), max(ₓ), \"-\".join(ₓ), \"α\" < \"β\")",
    "print(\"a\\tb\".split(), \"x\".pad_left(5, \"🙂\"), \"🙂🙂\".count(\"🙂\"), \"🙂\".starts_with(\"\"))",
    "let \u{FEFF}bom = 1\nprint(\u{FEFF}bom)",
    "let s = \"\u{202E}rtl\u{202C}\"\nprint(s, len(s), s.strip(\"\u{202E}\"))",
  ]

  static let selfContaining = [
    "let xs = [1, 2, 3]\nxs.push(xs)\nprint(xs)\nprint(xs == xs, len(str(xs)), xs[3][3][3][0])",
    "let r = {name: \"loop\"}\nr.me = r\nprint(r, r.me.me.name, str(r) == repr(r))",
    "let a = []\nlet b = []\na.push(b)\nb.push(a)\nprint(a, b, a == b, a != b)",
    "let a = [0]\na[0] = a\nlet b = [0]\nb[0] = b\nprint(a == b)\nprint(a < b)",
    "let xs = []\nxs.push(xs)\nxs.push(xs)\nprint(sorted(xs))\nprint(xs.index(xs), xs.count(xs))",
    "let r = {}\nr.list = [r]\nr.list.push(r.list)\nprint(f\"{r}\", \"{}\".format(r), r.list)",
    "let xs = [1]\nfor i in 0..30 { xs = [xs, xs] }\nprint(len(xs))",
    "let xs = []\nxs.push(xs)\nprint(xs * 3, xs + xs, max([xs]), zip(xs, xs))",
    "let xs = [1, 2]\nxs.push(xs)\nxs.remove(xs)\nprint(xs, xs in xs, [xs] == [xs])",
  ]

  static let integerLimits = [
    "print(9223372036854775807 + 1)",
    "print(-9223372036854775807 - 2)",
    "print(2 ** 63)",
    "print(2 ** 62 * 2)",
    "print(3037000500 * 3037000500)",
    "let m = -9223372036854775807 - 1\nprint(m // -1)",
    "let m = -9223372036854775807 - 1\nprint(m % -1, abs(m))",
    "let m = -9223372036854775807 - 1\nprint(-m)",
    "print(9223372036854775808)",
    "print(0xffffffffffffffffff)",
    "print(int(1e19), int(9.3e18))",
    "print(round(1e300), floor(-1e300), ceil(float(\"inf\")))",
    "let x = 2\nfor i in 0..10 { x *= x }\nprint(x)",
    "print(sum([9223372036854775807, 1]))",
    "print(sum(range(9223372036854775806, 9223372036854775807)))",
    "let xs = [1, 2, 3]\nprint(xs[9223372036854775807])",
    "let xs = [1, 2, 3]\nprint(xs[-9223372036854775807 - 1])",
    "let xs = [1, 2, 3]\nxs.insert(-9223372036854775807 - 1, 0)\nxs.insert(9223372036854775807, 9)\nprint(xs)",
    "let xs = [1, 2, 3]\nprint(xs.pop(-9223372036854775807 - 1))",
    "print(\"abc\"[9223372036854775807:], \"abc\"[:-9223372036854775807 - 1], [1, 2][-9223372036854775807 - 1:9223372036854775807])",
    "print([1, 2, 3][::-9223372036854775807 - 1])",
    "print([1, 2, 3][1::9223372036854775807])",
    "print(\"abcdef\"[2::9223372036854775807])",
    "print((0..10)[3::9223372036854775807])",
    "print(len(range(-9223372036854775807, 9223372036854775807)))",
    "print(len(range(0, -10, -9223372036854775807 - 1)))",
    "print(5 in range(-9223372036854775807, 9223372036854775807))",
    "print(-5 in range(9223372036854775807, -9223372036854775807, -1))",
    "print(range(9223372036854775800, 9223372036854775807, 3).list())",
    "print(len(range(1, 9223372036854775807, 3).list()))",
    "print(len(range(3037000500).list()))",
    "print(len((0..9223372036854775807)[::2]))",
    "print(len(\"\" * 9223372036854775807))",
    "print(len([] * 9223372036854775807))",
    "for i in range(9223372036854775806, 9223372036854775807) { print(i) }",
    "for i in (-9223372036854775807 - 1)..(-9223372036854775807) { print(i) }",
    "print((9223372036854775807 - 1)..9223372036854775807, len(0..9223372036854775807))",
    "print(\"ab\" * 9223372036854775807)",
    "print([1, 2] * 9223372036854775807)",
    "print(\"ab\" * 4611686018427387904)",
    "print(enumerate([1, 2], 9223372036854775807))",
    "print(enumerate([1, 2], -9223372036854775807 - 1))",
    "print(f\"{9223372036854775807:,}\", f\"{-9223372036854775807 - 1:x}\", f\"{1e308:.100f}\", f\"{1:10000}\")",
    "print(f\"{1:99999999999999999999}\", f\"{1.5:.99999999999999999999f}\")",
    "print(round(2.5, 9223372036854775807), round(2.5, -9223372036854775807 - 1), round(7, -1))",
    "print(chr(-1))",
    "print(chr(9223372036854775807))",
    "print(chr(55296))",
    "print(\"x\".pad_left(9223372036854775807), \"x\".pad_right(-9223372036854775807 - 1))",
    "print(range(0, 10, 0))",
    "print(10 ** -1, 0 ** -1, (-8) ** 0.5, 1e308 * 10, -1e308 * 10)",
    "print(int(float(\"inf\")))",
    "print(floor(float(\"nan\")))",
    "print(1e309, -1e309, 1e-400, 0.1 + 0.2)",
    "print(float(\"nan\") == float(\"nan\"), sorted([float(\"nan\"), 1.0, 0.5]), min(float(\"nan\"), 1), max(1, float(\"nan\")))",
    "print(\"x\" * -5, [1] * -1, \"\" * 3, [] * 0)",
    "print(range(-9223372036854775807 - 1, 9223372036854775807, 9223372036854775807))",
    "print(9223372036854775807 // -1, 9223372036854775807 % 9223372036854775807, (-9223372036854775807 - 1) // 1)",
    "print(2 ** 64, (-2) ** 63, 9223372036854775807 ** 1, 1 ** 9223372036854775807, (-1) ** 9223372036854775807)",
    "print(0.0 ** -1, 2.0 ** 10000, 10 ** 18, 10 ** 19)",
    "print(int(\"9223372036854775808\"), int(\"-9223372036854775808\"), float(\"1e999\"))",
    "let xs = [1, 2, 3]\nprint(xs.slice(-9223372036854775807 - 1, 9223372036854775807), \"abc\".slice(9223372036854775807))",
  ]

  static let divisionByZero = [
    "print(1 / 0)",
    "print(1 // 0)",
    "print(1 % 0)",
    "print(1.0 / 0, 1 / 0.0, 0.0 / 0.0, -1.0 / 0.0)",
    "print(1.0 // 0.0, 1.0 % 0.0, 0 // 0.0)",
    "let z = 0\nlet n = 10\nn /= z\nprint(n)",
    "let xs = [1, 2, 0]\nprint(map(x => 10 // x, xs))",
    "try { print(1 // 0) } catch e { print(e.message, e.line, e.column, e.hint) }",
    "print(log(0), log(-1))",
    "print(log(10, 1), log(10, 0), sqrt(-0.0), sqrt(-1))",
  ]

  static let recursion = [
    "fn f(n) { return f(n + 1) }\nf(0)",
    "fn f(n) { return 1 + f(n) }\ntry { f(0) } catch e { print(e.message, len(e.trace)) }",
    "fn ping(n) { return pong(n + 1) }\nfn pong(n) { return ping(n + 1) }\nping(0)",
    "let o = {}\no.f = x => o.f(x + 1)\no.f(1)",
    "fn f(x) { return map(f, [x]) }\nf(1)",
    "fn f(x) { return sorted([x, x], key: f) }\nf(1)",
    "fn f(a: f()) { return a }\nf()",
    "fn f(n) { try { return f(n + 1) } catch e { return f(n + 1) } }\nf(0)",
    "fn f(n) { try { return f(n + 1) } catch e { return n } }\nprint(f(0))",
    "let g = nil\ng = x => g(x)\ng(0)",
    "fn f(n) { let xs = [n]; return [f(n + 1), xs] }\nf(0)",
    "fn f(n) { return \"{}\".format(f(n + 1)) }\nf(0)",
    "fn f(n) { return f\"{f(n + 1)}\" }\nf(0)",
    "fn f(n) { for i in [1] { while true { return f(n + 1) } } }\nf(0)",
    "fn f(n) { return reduce((a, b) => f(a), [1, 2], 0) }\nf(0)",
    "fn f(n) { return max([n, n], key: f) }\nf(0)",
    "fn f(n) { return [[[[[[[[[[f(n + 1)]]]]]]]]]] }\nf(0)",
    "fn f(n) { let r = {a: 1}; r.g = f; return r.g(n + 1) }\nf(0)",
    "fn f(n) { if n == 0 { return 0 }; return f(n - 1) + 1 }\nprint(f(7999))\nprint(f(8001))",
  ]

  /// Unbounded recursion whose every call sits inside a long operator chain or a deep nest, so
  /// each level needs more native stack: it must still end in a "stack overflow" error.
  static func deepRecursion(_ rng: inout FuzzRandom) -> String {
    let n = rng.pick([10, 50, 100, 170])
    let k = rng.pick([10, 100, 300, 1000])
    switch rng.below(5) {
    case 0: return "fn f(n) { return f(n + 1)" + String(repeating: " + 0", count: k) + " }\nf(0)"
    case 1: return "fn f(n) { return " + String(repeating: "0 + ", count: k) + "f(n + 1) }\nf(0)"
    case 2: return "fn f(n) { return " + String(repeating: "[", count: n) + "f(n + 1)" + String(repeating: "]", count: n) + " }\nf(0)"
    case 3: return "fn f(n) { return " + String(repeating: "{a: ", count: n) + "f(n + 1)" + String(repeating: "}", count: n) + " }\nf(0)"
    default: return "fn f(n) { return f(n + 1)" + String(repeating: " and true", count: k) + " }\nf(0)"
    }
  }

  /// Values that double (or triple) at every step: the step limit bounds steps, not sizes, so
  /// only a size limit in each operation stops these before memory runs out.
  static let unboundedGrowth = [
    "let t = \"x\"\nfor i in 0..64 { t = t + t }\nprint(len(t))",
    "let t = \"x\"\nfor i in 0..64 { t += t }\nprint(len(t))",
    "let t = \"x\"\nfor i in 0..64 { t = f\"{t}{t}\" }\nprint(len(t))",
    "let t = \"x\"\nfor i in 0..64 { t = \",\".join([t, t, t]) }\nprint(len(t))",
    "let t = \"x\"\nfor i in 0..64 { t = str([t, t]) }\nprint(len(t))",
    "let t = \"x\"\nfor i in 0..64 { t = repr([t, t]) }\nprint(len(t))",
    "let t = \"x\"\nfor i in 0..64 { t = \"{}{}\".format(t, t) }\nprint(len(t))",
    "let t = \"x\"\nfor i in 0..64 { t = t.replace(\"x\", \"xx\") }\nprint(len(t))",
    "let t = \"x\"\nfor i in 0..64 { t = t.pad_left(len(t) * 2, \"ab\") }\nprint(len(t))",
    "let t = [1]\nfor i in 0..64 { t = t + t }\nprint(len(t))",
    "let t = [1]\nfor i in 0..64 { t += t }\nprint(len(t))",
    "let t = [1]\nfor i in 0..64 { t.extend(t) }\nprint(len(t))",
    "let t = [1]\nfor i in 0..64 { t = t * 2 }\nprint(len(t))",
    "fn g(t) { return g(\",\".join([t, \"a\", t, t])) }\ng(\"x\")",
    "fn g(xs) { return g(xs + xs) }\ng([1])",
  ]

  static let mixedComparisons = [
    "print(1 < \"a\")",
    "print([1] < [\"a\"])",
    "print([1, \"a\"] < [1, 2])",
    "print(nil < 1)",
    "print({a: 1} < {a: 2})",
    "print(true < 1, true == 1, 1 == 1.0, [1] == [1.0], 1 == \"1\", nil == false)",
    "print(sorted([1, \"a\", nil]))",
    "print(max(\"a\", 1))",
    "print((1..3) == (1..3), (1..3) == [1, 2], 0..3 < 0..4)",
    "print(5 in 5)",
    "print(1 in \"abc\")",
    "print(nil in {}, 1 in {a: 1}, \"a\" in {a: 1}, [1] in [[1]], 2.0 in [2])",
    "print(print < len)",
    "print((x => x) == (x => x), print == print, len != print)",
    "print(\"a\" < \"B\", \"\" < \"a\", \"é\" > \"z\", [[1], [2]] < [[1], [3]])",
    "print(sorted([[2], [1, 2], [], [1]]), sorted([\"b\", \"a\"], reverse: true), sorted([3, 1.5, 2]))",
    "print(1 < 2 < 3 < 4 > 2, 1 == 1 == true, \"a\" < \"b\" < 3)",
  ]

  static let oddCalls = [
    "print(sep: \"x\")",
    "print(1, 2, sep: 3)",
    "print(len())",
    "print(len(1, 2))",
    "print(range())",
    "print(map(1, [1]))",
    "print(sorted(1))",
    "print(zip(), zip([1]), zip(1))",
    "print(min())",
    "print(max(key: 1))",
    "print(reduce((a, b) => a + b, []))",
    "1()",
    "\"s\"()",
    "nil.x",
    "[1].nope()",
    "let p = [1].push\np(1)\np()\np(1, 2)",
    "let u = \"abc\".upper\nprint(u(), u(1))",
    "print(print.name, (x => x).name, type(print), str(print), repr([].push), len.name)",
    "print(type(1), type(1.0), type(\"\"), type([]), type({}), type(nil), type(0..1), type(print))",
    "let f = (a, b: 2) => a + b\nprint(f(1), f(1, 3), f(a: 1), f(b: 1, a: 2))\nprint(f(1, a: 2))",
    "let f = (a, b: 2) => a + b\nprint(f())",
    "let f = (a, b: 2) => a + b\nprint(f(1, c: 3))",
    "fn g(a, b: 1) { return a }\nprint(g(1, 2, 3))",
    "fn g(a, b: 1) { return a }\nprint(g(b: 1))",
    "print(exit)",
    "exit(3)",
    "exit(\"x\")",
    "assert(false)",
    "assert(false, [1, {a: 2}])",
    "error({code: 7})",
    "throw [1, 2]",
    "let e = nil\ntry { error(\"x\") } catch err { e = err }\nprint(e, e.message, e.value, e.trace, e.report())\nthrow e",
    "import \"no_such_module_for_fuzzing.pav\" as m",
    "print(record([[1, 2], [\"a\", 3]]), record([[1]]), record(5))",
    "print(list(\"abc\"), list({a: 1}), list(0..3), list(5))",
    "print(str(), bool(), float(\"  \"), int(\"\"), int(\"0x10\"))",
    "let r = {a: 1}\nprint(r.get(), r.get(1.5), r.remove(\"zz\"))",
    "let xs = [3, 1, 2]\nxs.sort(key: x => \"a\")\nprint(xs)\nxs.sort(key: x => [x, \"b\"])\nprint(xs)\nxs.sort(reverse: 1)",
    "let xs = [1, 2, 3]\nfor x in xs { xs.push(x) }",
    "let xs = [1, 2, 3]\nfor x in xs { xs.pop() }\nprint(xs)",
    "let r = {a: 1, b: 2}\nfor k in r { r.remove(k) }\nprint(r)",
    "let xs = [3, 2, 1]\nxs.sort(key: x => xs.pop())\nprint(xs)",
    "let xs = [3, 2, 1]\nprint(sorted(xs, key: x => xs.clear()), xs)",
    "let xs = [1, 2]\nprint(map(x => xs.push(x), xs), xs)",
    "print(\"{} {}\".format(1), \"{0} {0}\".format(1), \"{x}\".format(1), \"{:q}\".format(1), \"{:.}\".format(1.5))",
    "print(\"a,b\".split(\"\"), \"abc\".replace(\"\", \"x\"), \"abc\".count(\"\"), \"\".join(5))",
    "let r = 0..5\nprint(r.start, r.end, r.step, r.list(), r[2], r[-1], r[1:3], len(r), 3 in r)",
    "let f = fn(x) { return x }\nf.name = \"g\"",
    "let s = \"abc\"\ns[0] = \"z\"",
    "let n = 5\nn[0] = 1",
    "let n = 5\nn.x = 1",
    "print(x => x)",
    "let (a, b) = 5",
    "let (a, b) = [1, 2, 3]",
    "for (a, b) in [1, 2] { print(a) }",
    "for x in 5 { print(x) }",
    "for x in nil { print(x) }",
  ]
}

// MARK: - Hand-written seeds

/// Small programs covering the whole syntax; the mutator starts from these and from generated ones.
enum FuzzSeeds {
  static let programs: [String] = [
    """
    # a bandit, the way a lesson writes it
    let counts = [0, 0, 0]
    let values = [0.0, 0.0, 0.0]
    fn choose(eps: 0.1) {
      let best = 0
      for (i, v) in enumerate(values) { if v > values[best] { best = i } }
      return best
    }
    for t in 0..50 {
      let a = choose()
      let reward = (t * 7 + a * 3) % 5 / 4.0
      counts[a] += 1
      values[a] += (reward - values[a]) / counts[a]
    }
    print(f"values: {values} counts: {counts}")
    """,
    """
    fn discounted(rs, gamma: 0.99) {
      let g = 0.0
      let out = []
      for r in reversed(rs) { g = r + gamma * g; out.push(g) }
      return reversed(out)
    }
    let square = x => x * x
    let cfg = {lr: 1e-3, hidden: [64, 64], "two words": true}
    print(discounted([1, 0, 0, 1]), square(12), cfg.lr, cfg["two words"], cfg.hidden[-1])
    """,
    """
    let words = "the quick brown fox jumps over the lazy dog".split(" ")
    let freq = {}
    for w in words { freq[w] = freq.get(w, 0) + 1 }
    for (k, v) in freq.items() { if v > 1 { print(k, v) } }
    print(sorted(words, key: w => len(w), reverse: true)[:3], ", ".join(words[1:4]).upper())
    """,
    """
    fn safe_div(a, b) {
      try { return a // b } catch e { print("caught:", e.message); return nil }
    }
    print(safe_div(7, 2), safe_div(1, 0))
    try { throw {code: 42} } catch e { print(e.value.code) }
    try { error("boom") } catch e { print(e.message, e.line) }
    """,
    """
    let fs = []
    for i in 0..4 { fs.push(() => i * i) }
    print(map(f => f(), fs))
    let counter = fn() { let n = 0; return () => { n += 1; return n } }
    let c = counter()
    c(); c()
    print(c())
    """,
    """
    let xs = list(range(10))
    print(xs[1:3], xs[-1], xs[::2], xs[::-1], xs[-3:], xs[:0])
    print(sum(xs), min(xs), max(xs), any(xs), all(xs), len(xs))
    print(filter(x => x % 3 == 0, xs), map(x => x ** 2, xs)[:4], reduce((a, b) => a * b, xs[1:6]))
    let (a, b) = [xs.pop(), xs.pop(0)]
    xs.insert(2, 99); xs.remove(5); xs.sort(reverse: true)
    print(a, b, xs, xs.index(99), 99 in xs, 100 not in xs, zip(xs, "abc"))
    """,
    """
    let n = 0
    while true {
      n += 1
      if n % 2 == 0 { continue }
      if n > 9 { break }
    }
    let total = 0.0
    for x in [1.5, 2.25, -0.75] { total += x }
    print(n, f"{total:.2f}", f"{n:>5}|{n:<5}|{n:^5}|{n:05d}|{1234567:,}|{0.256:.1%}", round(total, 1), floor(total), ceil(total))
    """,
    """
    fn fib(n) { if n < 2 { return n }; return fib(n - 1) + fib(n - 2) }
    fn fact(n) { if n <= 1 { return 1 }; return n * fact(n - 1) }
    print(fib(15), fact(20))
    print(fact(21))
    """,
    """
    let s = "Héllo, wörld 🙂"
    print(len(s), s.upper(), s.lower(), s[0], s[-1], s.find("w"), s.replace("l", "L"), s.strip("H🙂 "))
    print(s.starts_with("Hé"), s.ends_with("🙂"), "{} + {} = {:.1f}".format(1, 2, 3), s.split(", "), str(3.0), int("42"), float("2.5"))
    for ch in "añ🙂" { print(ch, ord(ch)) }
    """,
    """
    let r = {a: 1, b: [1, 2, {c: 3}], "d e": "f"}
    r.a += 1
    r.b[2].c *= 10
    r["new"] = r.keys()
    print(r, r.has("a"), r.values(), len(r), "a" in r, r.b[2]["c"])
    for k in r { print(k) }
    let r2 = r.copy(); r2.a = 100; print(r.a, r2.a, r.merge({z: 0}))
    """,
    """
    let grid = []
    for i in 0..3 { let row = []; for j in 0..3 { row.push(i * 3 + j) }; grid.push(row) }
    print(grid, grid[1][2], sum(map(row => sum(row), grid)), map(i => grid[i][i], 0..3))
    """,
    """
    let pred = fn(x) {
      if x < 0 { return "neg" } elif x == 0 { return "zero" } else if x < 10 { return "small" } else { return "big" }
    }
    print(map(pred, [-5, 0, 5, 50]), type(pred), pred.name, 1 < 2 <= 2 < 3, not (1 > 2) and true or false)
    """,
    """
    let big = 9223372036854775807
    try { print(big + 1) } catch e { print(e.message) }
    try { print(1 // 0) } catch e { print(e.message) }
    print(2 ** 10, 2 ** -1, 7 // -2, -7 % 3, 7.5 // 2, abs(-3), sqrt(16), exp(0), log(1))
    print(0x10, 1_000_000, 1e3, 2.5e-1, -0.0)
    """,
    """
    fn apply(f, x, times: 1) { for _ in 0..times { x = f(x) }; return x }
    print(apply(x => x * 2, 1, times: 10), apply((x) => x + "!", "hi", times: 3))
    let compose = (f, g) => x => f(g(x))
    print(compose(x => x + 1, x => x * 2)(5))
    """,
    """
    let xs = [1, 2]
    xs.push(xs)
    print(xs, xs == xs)
    let r = {}
    r.self = r
    print(r)
    print(1 < "a")
    """,
    """
    fn walk(tree, depth: 0) {
      if type(tree) != "list" { return depth }
      let best = depth
      for t in tree { best = max(best, walk(t, depth: depth + 1)) }
      return best
    }
    print(walk([1, [2, [3, [4]], 5], [[[[6]]]]]))
    """,
  ]
}

// MARK: - Mutator

/// Breaks programs: deletes, duplicates and swaps spans of bytes, inserts tokens, keywords,
/// brackets, quotes and newlines, truncates, renames identifiers, flips operators, replaces
/// numbers with extreme ones and splices programs together.
struct ProgramMutator {
  var rng: FuzzRandom

  init(seed: UInt64) { rng = FuzzRandom(seed: seed) }

  static let tokens: [String] = {
    var t = ["(", ")", "[", "]", "{", "}", "\"", "'", "f\"", "f'", "\\", "\n", "\n\n", ";", ",", ":", ".", "..", "...", "=>", "#",
             "=", "==", "+=", "-=", "*=", "/=", "!", "!=", "&", "|", "$", "^", "~", "?", "`", "@", "**", "//", "%", "<", ">=",
             "{{", "}}", "{x:.2f}", "\t", "\r", "\r\n", " ", "é", "🙂", "\u{FEFF}", "\u{200B}", "\u{0}", "\u{7F}", "\u{FFFD}",
             "9223372036854775807", "-9223372036854775808", "9223372036854775808", "1e309", "0x", "0xFFFFFFFFFFFFFFFFF", "1.",
             ".5", "1e", "1_000", "_", "__", "0", "-1", "1.5", "nil", "true", "print(", "len(", "range(", "fn", "=> {",
             "try {", "} catch e {", "while true {", "for i in 0..3 {", "let x = ", "let (a, b) = ", "x", "xs", "self",
             ".push(", ".pop()", "[0]", "[-1]", "[1:]", "[::-1]", "f\"{", "\"\\u{", "\\u{1F600}", "\\", "\\n", "e",
             "import \"m.pav\" as m", "exit(0)", "error(\"e\")", "throw 1", "return", "break", "continue"]
    t += Keyword.allCases.map(\.rawValue)
    return t
  }()

  static let operators = ["+", "-", "*", "/", "//", "%", "**", "@", "==", "!=", "<", "<=", ">", ">=", "..", "=", "+=", "and", "or", "in", "not in", "=>", "."]
  static let numbers = ["0", "1", "-1", "2", "7", "255", "9223372036854775807", "-9223372036854775807", "-9223372036854775808",
                        "9223372036854775808", "4611686018427387904", "1e308", "1e309", "-0.0", "0.1", "1e-320", "3037000500",
                        "0x7fffffffffffffff", "100000", "65536", "2147483648"]
  static let names = ["print", "len", "range", "str", "int", "float", "bool", "type", "abs", "min", "max", "sum", "round", "floor",
                      "ceil", "sqrt", "exp", "log", "sorted", "reversed", "enumerate", "zip", "any", "all", "map", "filter",
                      "reduce", "error", "assert", "exit", "repr", "list", "record", "chr", "ord", "push", "pop", "insert",
                      "remove", "sort", "reverse", "index", "contains", "join", "slice", "copy", "split", "strip", "upper",
                      "lower", "replace", "starts_with", "ends_with", "find", "format", "keys", "values", "items", "has", "get",
                      "message", "trace", "value", "name", "undefined_name", "x", "xs", "n", "café", "nil", "true", "fn", "let"]

  static let maxBytes = 64 * 1024

  mutating func mutate(_ source: String, donor: String) -> String {
    var bytes = Array(source.utf8)
    if rng.chance(50) {
      for _ in 0..<rng.int(1...3) { mutateGently(&bytes) }
    } else {
      for _ in 0..<rng.int(1...6) { mutateOnce(&bytes, donor: donor) }
    }
    if bytes.count > Self.maxBytes { bytes.removeLast(bytes.count - Self.maxBytes) }
    return String(decoding: bytes, as: UTF8.self)
  }

  mutating func span(_ count: Int) -> Range<Int> {
    guard count > 0 else { return 0..<0 }
    let start = rng.below(count)
    let length = rng.chance(80) ? rng.int(1...8) : rng.int(1...max(1, count / 2))
    return start..<min(count, start + length)
  }

  mutating func mutateOnce(_ b: inout [UInt8], donor: String) {
    let n = b.count
    switch rng.below(17) {
    case 0, 1: // delete a span
      b.removeSubrange(span(n))
    case 2: // duplicate a span elsewhere
      let s = Array(b[span(n)])
      b.insert(contentsOf: s, at: rng.below(n + 1))
    case 3: // swap two spans
      guard n > 4 else { return }
      let a = span(n / 2), c = span(n - n / 2)
      let second = (c.lowerBound + n / 2)..<(c.upperBound + n / 2)
      guard a.upperBound <= second.lowerBound else { return }
      let x = Array(b[a]), y = Array(b[second])
      b.replaceSubrange(second, with: x)
      b.replaceSubrange(a, with: y)
    case 4, 5, 6: // insert a token
      b.insert(contentsOf: Array(rng.pick(Self.tokens).utf8), at: tokenBoundary(b))
    case 7: // overwrite a byte with any byte (invalid UTF-8 becomes U+FFFD)
      guard n > 0 else { return }
      b[rng.below(n)] = UInt8(truncatingIfNeeded: rng.next())
    case 8: // truncate
      b.removeSubrange(rng.below(n + 1)..<n)
    case 9, 10: // rename an identifier
      replaceWord(&b, where: { c in Self.isWordByte(c) && !(c >= 48 && c <= 57) }, with: { r in r.pick(Self.names) })
    case 11: // flip an operator
      replaceWord(&b, where: { c in "+-*/%<>=.@".utf8.contains(c) }, with: { r in r.pick(Self.operators) }, symbols: true)
    case 12: // an extreme number
      replaceWord(&b, where: { c in c >= 48 && c <= 57 }, with: { r in r.pick(Self.numbers) })
    case 13: // splice with the donor
      let d = Array(donor.utf8)
      b = Array(b[0..<rng.below(n + 1)]) + Array(d[rng.below(d.count + 1)...])
    case 14: // repeat a line
      let lines = b.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
      let line = Array(rng.pick(lines)) + [UInt8(ascii: "\n")]
      var insert: [UInt8] = []
      for _ in 0..<rng.pick([2, 10, 200]) { insert += line }
      b.insert(contentsOf: insert, at: lineStart(b))
    case 15: // many opening (or closing) brackets
      let k = rng.pick([3, 50, 181, 400])
      let c = rng.pick(["(", "[", "{", ")", "]", "}", "f\"{", "-", "not "])
      b.insert(contentsOf: Array(String(repeating: c, count: k).utf8), at: tokenBoundary(b))
    default: // drop every copy of one bracket or quote
      let c = rng.pick(Array("()[]{}\"'".utf8))
      b.removeAll { $0 == c && rng.chance(50) }
    }
  }

  /// Changes that usually keep the program parseable, so the mutant reaches the evaluator:
  /// one name for another of the same program, one operator for another, an extreme number.
  mutating func mutateGently(_ b: inout [UInt8]) {
    switch rng.below(4) {
    case 0:
      let words = Self.identifiers(b)
      guard !words.isEmpty else { return }
      let replacement = rng.pick(words)
      replaceWord(&b, where: { c in Self.isWordByte(c) && !(c >= 48 && c <= 57) }, with: { _ in replacement })
    case 1:
      replaceWord(&b, where: { c in "+-*/%".utf8.contains(c) }, with: { r in r.pick(["+", "-", "*", "/", "//", "%", "**"]) }, symbols: true)
    case 2:
      replaceWord(&b, where: { c in c >= 48 && c <= 57 }, with: { r in r.pick(Self.numbers) })
    default:
      replaceWord(&b, where: { c in "<>!=".utf8.contains(c) }, with: { r in r.pick(["<", "<=", ">", ">=", "==", "!="]) }, symbols: true)
    }
  }

  /// The distinct names (not keywords) in a program.
  static func identifiers(_ b: [UInt8]) -> [String] {
    var seen = Set<String>(), out: [String] = []
    var i = 0
    while i < b.count {
      guard isWordByte(b[i]) else { i += 1; continue }
      let start = i
      while i < b.count, isWordByte(b[i]) { i += 1 }
      if b[start] >= 48 && b[start] <= 57 { continue }
      let word = String(decoding: b[start..<i], as: UTF8.self)
      if Keyword(rawValue: word) == nil, seen.insert(word).inserted { out.append(word) }
    }
    return out
  }

  static func isWordByte(_ c: UInt8) -> Bool {
    (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c == 95 || c >= 0x80 || (c >= 48 && c <= 57)
  }

  /// A position between two tokens when one can be found quickly, else any position.
  mutating func tokenBoundary(_ b: [UInt8]) -> Int {
    var i = rng.below(b.count + 1)
    var steps = 0
    while i < b.count, Self.isWordByte(b[i]), steps < 32 { i += 1; steps += 1 }
    return i
  }

  mutating func lineStart(_ b: [UInt8]) -> Int {
    var i = rng.below(b.count + 1)
    while i > 0, b[i - 1] != UInt8(ascii: "\n") { i -= 1 }
    return i
  }

  /// Replaces one run of bytes matching `inWord` (chosen at random) with `replacement`.
  mutating func replaceWord(_ b: inout [UInt8], where inWord: (UInt8) -> Bool, with replacement: (inout FuzzRandom) -> String,
                            symbols: Bool = false) {
    guard !b.isEmpty else { return }
    var start = rng.below(b.count)
    var tries = 0
    while !inWord(b[start]) {
      start = (start + 1) % b.count
      tries += 1
      if tries >= b.count { return }
    }
    var end = start
    if symbols {
      end = start + 1
      if end < b.count, inWord(b[end]) { end += 1 }
    } else {
      while start > 0, Self.isWordByte(b[start - 1]) { start -= 1 }
      while end < b.count, Self.isWordByte(b[end]) { end += 1 }
    }
    b.replaceSubrange(start..<end, with: Array(replacement(&rng).utf8))
  }
}

// MARK: - The corpus

/// Program number `index` of the fuzz run with `baseSeed`: even numbers are generated, odd
/// ones are mutants of a seed program or of another generated program.
enum FuzzCorpus {
  enum Origin: String { case generated, mutated }

  static func program(index: Int, baseSeed: UInt64) -> (text: String, origin: Origin) {
    let seed = FuzzRandom.mix(baseSeed, UInt64(index))
    if index % 2 == 0 { return (ProgramGenerator.program(seed: seed), .generated) }
    var rng = FuzzRandom(seed: seed)
    let base: String
    if rng.chance(40) { base = rng.pick(FuzzSeeds.programs) } else { base = ProgramGenerator.program(seed: rng.next()) }
    let donor = rng.chance(50) ? rng.pick(FuzzSeeds.programs) : ProgramGenerator.program(seed: rng.next())
    var mutator = ProgramMutator(seed: rng.next())
    return (mutator.mutate(base, donor: donor), .mutated)
  }
}
