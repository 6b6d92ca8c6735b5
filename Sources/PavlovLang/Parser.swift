/// Recursive-descent parser. It records every syntax error it can recover from (skipping to the
/// next statement) so that `pavlov check` reports them all at once.
public struct Parser {
  let file: SourceFile
  var tokens: [Token]
  var pos = 0
  var diagnostics: [Diagnostic] = []
  /// Bracket nesting (the parser recurses once per level) and the height of the tree being
  /// built (chains like `a + b + c` deepen the tree without nesting). The compiler and the
  /// evaluator recurse once per level of the tree, so both are bounded, with errors instead
  /// of native stack overflows.
  var depth = 0
  var treeDepth = 0
  static let maxDepth = 180
  static let maxTreeDepth = 2_000

  struct Bail: Error {}

  public init(file: SourceFile, tokens: [Token]) {
    self.file = file
    self.tokens = tokens
  }

  /// Parses a whole file (or REPL entry). Throws a compile error listing every problem.
  public static func parse(_ file: SourceFile) throws(PavlovError) -> Program {
    let (tokens, lexErrors) = Lexer.tokenize(file)
    var parser = Parser(file: file, tokens: tokens)
    parser.diagnostics = lexErrors
    let body = parser.parseProgram()
    if !parser.diagnostics.isEmpty { throw PavlovError.compile(parser.diagnostics) }
    return Program(file: file, body: body)
  }

  // MARK: - Token helpers

  var current: Token { tokens[min(pos, tokens.count - 1)] }

  func peekKind(_ k: Int = 1) -> TokenKind { tokens[min(pos + k, tokens.count - 1)].kind }

  mutating func advance() -> Token {
    let t = current
    if pos < tokens.count - 1 { pos += 1 }
    return t
  }

  func at(_ s: Symbol) -> Bool { if case .symbol(s) = current.kind { return true } else { return false } }
  func at(_ k: Keyword) -> Bool { if case .keyword(k) = current.kind { return true } else { return false } }
  var atNewline: Bool { if case .newline = current.kind { return true } else { return false } }
  var atEOF: Bool { if case .eof = current.kind { return true } else { return false } }

  mutating func match(_ s: Symbol) -> Bool {
    if at(s) { _ = advance(); return true }
    return false
  }

  mutating func match(_ k: Keyword) -> Bool {
    if at(k) { _ = advance(); return true }
    return false
  }

  mutating func skipNewlines() { while atNewline { _ = advance() } }

  func location(_ t: Token) -> SourceLocation { t.location(in: file) }

  mutating func fail(_ message: String, at token: Token? = nil, hint: String? = nil) -> Bail {
    let t = token ?? current
    diagnostics.append(Diagnostic(message, at: location(t), hint: hint))
    return Bail()
  }

  @discardableResult
  mutating func expect(_ s: Symbol, _ context: String, hint: String? = nil) throws(Bail) -> Token {
    if at(s) { return advance() }
    throw fail("expected `\(s.rawValue)` \(context), found \(current.display)", hint: hint)
  }

  mutating func identifier(_ context: String) throws(Bail) -> (String, Token) {
    if case .identifier(let name) = current.kind { return (name, advance()) }
    if case .keyword(let k) = current.kind {
      throw fail("`\(k.rawValue)` is a keyword and cannot be used as \(context)", hint: "choose another name, e.g. `\(k.rawValue)_`")
    }
    throw fail("expected \(context), found \(current.display)")
  }

  mutating func nest() throws(Bail) {
    depth += 1
    treeDepth += 1
    if depth > Self.maxDepth {
      throw fail("nesting is too deep (more than \(Self.maxDepth) levels)", hint: "split the expression into several statements")
    }
  }

  mutating func unnest() {
    depth -= 1
    treeDepth -= 1
  }

  /// One more operand in a chain (`a + b + ...`): the tree gets one level deeper.
  mutating func chainLink(_ links: inout Int) throws(Bail) {
    links += 1
    treeDepth += 1
    if treeDepth > Self.maxTreeDepth {
      throw fail("this expression is too long (more than \(Self.maxTreeDepth) operations in a row)",
                 hint: "split it into several statements, or sum a list with sum(xs)")
    }
  }

  // MARK: - Statements

  mutating func parseProgram() -> Block {
    let start = current
    var statements: [Stmt] = []
    skipSeparators()
    while !atEOF {
      if at(.rbrace) {
        diagnostics.append(Diagnostic("unmatched `}`", at: location(current), hint: "remove it, or open a block before it"))
        _ = advance()
      } else {
        parseStatementRecovering(into: &statements)
      }
      skipSeparators()
    }
    return Block(statements, at: location(start))
  }

  mutating func skipSeparators() { while atNewline || at(.semicolon) { _ = advance() } }

  mutating func parseStatementRecovering(into statements: inout [Stmt]) {
    do {
      let s = try parseStatement()
      statements.append(s)
      if !(atNewline || at(.semicolon) || atEOF || at(.rbrace)) {
        throw fail("expected a new line or `;` after the statement, found \(current.display)")
      }
    } catch {
      synchronize()
    }
  }

  /// After an error, skip to a likely statement start so later errors are still found.
  mutating func synchronize() {
    var braceDepth = 0
    depth = 0
    treeDepth = 0
    while !atEOF {
      if at(.lbrace) { braceDepth += 1 }
      if at(.rbrace) {
        if braceDepth == 0 { return }
        braceDepth -= 1
      }
      if (atNewline || at(.semicolon)) && braceDepth == 0 { _ = advance(); return }
      _ = advance()
    }
  }

  mutating func parseBlock(_ context: String) throws(Bail) -> Block {
    let open = current
    if at(.assign) {
      throw fail("expected `{` to open the body of \(context), found `=`", hint: "to compare, use `==`")
    }
    try expect(.lbrace, "to open the body of \(context)")
    try nest()
    defer { unnest() }
    var statements: [Stmt] = []
    skipSeparators()
    while !at(.rbrace) {
      if atEOF {
        throw fail("this `{` is never closed", at: open, hint: "add a `}` to end the body of \(context)")
      }
      parseStatementRecovering(into: &statements)
      skipSeparators()
    }
    _ = advance()
    return Block(statements, at: location(open))
  }

  mutating func parseStatement() throws(Bail) -> Stmt {
    let t = current
    let loc = location(t)
    if case .keyword(let k) = t.kind {
      switch k {
      case .let:
        _ = advance()
        let (bindings, destructure) = try parseBindingPattern("a variable name after `let`")
        try expect(.assign, "after `let \(bindings.map(\.name).joined(separator: ", "))`",
                   hint: "a `let` gives the variable its first value: `let x = 0`")
        skipNewlines()
        return Stmt(.let(bindings, destructure: destructure, try parseExpression()), at: loc)
      case .fn:
        if case .identifier = peekKind() {
          _ = advance()
          let (name, nameToken) = try identifier("a function name")
          let decl = try parseFunctionRest(name: name, at: location(nameToken))
          return Stmt(.function(decl, Binding(name: name, location: location(nameToken))), at: loc)
        }
      case .if:
        _ = advance()
        return try parseIf(at: loc)
      case .while:
        _ = advance()
        let condition = try parseExpression()
        return Stmt(.while(condition, try parseBlock("`while`")), at: loc)
      case .for:
        _ = advance()
        let (bindings, destructure) = try parseBindingPattern("a loop variable after `for`")
        guard match(.in) else { throw fail("expected `in` after the loop variable, found \(current.display)", hint: "write `for x in xs { ... }`") }
        let iterable = try parseExpression()
        return Stmt(.for(bindings, destructure: destructure, iterable, try parseBlock("`for`")), at: loc)
      case .break:
        _ = advance()
        return Stmt(.break, at: loc)
      case .continue:
        _ = advance()
        return Stmt(.continue, at: loc)
      case .return:
        _ = advance()
        if atNewline || at(.semicolon) || at(.rbrace) || atEOF { return Stmt(.return(nil), at: loc) }
        return Stmt(.return(try parseExpression()), at: loc)
      case .try:
        _ = advance()
        let body = try parseBlock("`try`")
        skipNewlinesBefore(.catch)
        guard match(.catch) else { throw fail("expected `catch` after the `try` block, found \(current.display)", hint: "write `try { ... } catch e { ... }`") }
        var binding: Binding?
        if case .identifier(let name) = current.kind {
          binding = Binding(name: name, location: location(advance()))
        }
        return Stmt(.try(body, binding, try parseBlock("`catch`")), at: loc)
      case .throw:
        _ = advance()
        return Stmt(.throw(try parseExpression()), at: loc)
      case .import:
        _ = advance()
        guard case .string(let path) = current.kind else { throw fail("expected a file path in quotes after `import`", hint: "write `import \"lib.pav\" as lib`") }
        _ = advance()
        guard match(.as) else { throw fail("expected `as NAME` after the import path", hint: "write `import \"\(path)\" as \(Self.moduleName(path))`") }
        let (name, nameToken) = try identifier("a module name after `as`")
        return Stmt(.import(path, Binding(name: name, location: location(nameToken))), at: loc)
      case .elif, .else:
        throw fail("`\(k.rawValue)` without an `if` before it")
      case .catch:
        throw fail("`catch` without a `try` before it")
      default:
        break
      }
    }
    if at(.lbrace) && !looksLikeRecord(at: pos) {
      throw fail("a bare block `{ ... }` cannot stand here as a statement",
                 hint: "blocks belong to `if`, `while`, `for`, `fn` and `try`; a record is written {key: value}")
    }
    let expr = try parseExpression()
    var op: AssignOp?
    if case .symbol(let s) = current.kind {
      switch s {
      case .assign: op = nil
      case .plusAssign: op = .add
      case .minusAssign: op = .subtract
      case .starAssign: op = .multiply
      case .slashAssign: op = .divide
      default: return Stmt(.expression(expr), at: loc)
      }
      let opToken = advance()
      switch expr.kind {
      case .name, .index, .member, .multiIndex, .slice: break
      default:
        throw fail("cannot assign to this expression", at: opToken, hint: "the left side of `\(s.rawValue)` must be a variable, `xs[i]` or `r.field`")
      }
      skipNewlines()
      return Stmt(.assign(expr, op, try parseExpression()), at: loc)
    }
    return Stmt(.expression(expr), at: loc)
  }

  static func moduleName(_ path: String) -> String {
    let base = path.split(separator: "/").last.map(String.init) ?? path
    return base.hasSuffix(".pav") ? String(base.dropLast(4)) : base
  }

  mutating func skipNewlinesBefore(_ k: Keyword) {
    var look = pos
    while look < tokens.count, case .newline = tokens[look].kind { look += 1 }
    if look < tokens.count, case .keyword(k) = tokens[look].kind { pos = look }
  }

  mutating func parseBindingPattern(_ context: String) throws(Bail) -> ([Binding], Bool) {
    if match(.lparen) {
      var bindings: [Binding] = []
      repeat {
        if at(.rparen) { break }
        let (name, t) = try identifier("a variable name")
        bindings.append(Binding(name: name, location: location(t)))
      } while match(.comma)
      try expect(.rparen, "to close the list of names")
      if bindings.isEmpty { throw fail("expected at least one name between the parentheses") }
      return (bindings, true)
    }
    let (name, t) = try identifier(context)
    return ([Binding(name: name, location: location(t))], false)
  }

  mutating func parseIf(at loc: SourceLocation) throws(Bail) -> Stmt {
    var branches: [(Expr, Block)] = []
    let condition = try parseExpression()
    branches.append((condition, try parseBlock("`if`")))
    var elseBlock: Block?
    while true {
      skipNewlinesBefore(.elif)
      skipNewlinesBefore(.else)
      if match(.elif) {
        let c = try parseExpression()
        branches.append((c, try parseBlock("`elif`")))
      } else if match(.else) {
        if match(.if) { // `else if` reads as `elif`
          let c = try parseExpression()
          branches.append((c, try parseBlock("`else if`")))
        } else {
          elseBlock = try parseBlock("`else`")
          break
        }
      } else {
        break
      }
    }
    return Stmt(.if(branches, else: elseBlock), at: loc)
  }

  mutating func parseParams() throws(Bail) -> [ParamDecl] {
    try expect(.lparen, "to open the parameter list")
    var params: [ParamDecl] = []
    while !at(.rparen) {
      let (name, t) = try identifier("a parameter name")
      var defaultValue: Expr?
      if match(.colon) {
        defaultValue = try parseExpression()
      } else if let previous = params.last, previous.defaultValue != nil {
        throw fail("parameter `\(name)` needs a default because the one before it has one", at: t,
                   hint: "put parameters without defaults first: fn f(a, b, lr: 0.1)")
      }
      params.append(ParamDecl(binding: Binding(name: name, location: location(t)), defaultValue: defaultValue))
      if !match(.comma) { break }
    }
    try expect(.rparen, "to close the parameter list")
    return params
  }

  mutating func parseFunctionRest(name: String, at loc: SourceLocation) throws(Bail) -> FunctionDecl {
    let params = try parseParams()
    let body = try parseBlock("function `\(name)`")
    return FunctionDecl(name: name, params: params, body: body, location: loc)
  }

  // MARK: - Expressions (lowest precedence first)

  mutating func parseExpression() throws(Bail) -> Expr {
    try nest()
    defer { unnest() }
    if let lambda = try parseLambdaIfPresent() { return lambda }
    return try parseOr()
  }

  /// `x => e`, `(a, b) => e`, `() => { ... }`, `(x, lr: 0.1) => e`.
  mutating func parseLambdaIfPresent() throws(Bail) -> Expr? {
    let start = current
    if case .identifier(let name) = current.kind, case .symbol(.arrow) = peekKind() {
      _ = advance(); _ = advance()
      let param = ParamDecl(binding: Binding(name: name, location: location(start)), defaultValue: nil)
      return try lambdaBody(params: [param], start: start)
    }
    guard at(.lparen), let close = matchingParen(from: pos), close + 1 < tokens.count,
          case .symbol(.arrow) = tokens[close + 1].kind else { return nil }
    let params = try parseParams()
    _ = advance() // =>
    return try lambdaBody(params: params, start: start)
  }

  mutating func lambdaBody(params: [ParamDecl], start: Token) throws(Bail) -> Expr {
    let loc = location(start)
    skipNewlines()
    let body: Block
    if at(.lbrace) && !looksLikeRecord(at: pos) {
      body = try parseBlock("the lambda")
    } else {
      let value = try parseExpression()
      body = Block([Stmt(.return(value), at: value.location)], at: value.location)
    }
    return Expr(.lambda(FunctionDecl(name: "<lambda>", params: params, body: body, location: loc)), at: loc)
  }

  /// `{}` or `{ name: ...` or `{ "key": ...` starts a record; anything else is a block.
  func looksLikeRecord(at index: Int) -> Bool {
    var i = index + 1
    while i < tokens.count, case .newline = tokens[i].kind { i += 1 }
    guard i < tokens.count else { return false }
    if case .symbol(.rbrace) = tokens[i].kind { return true }
    let next = i + 1 < tokens.count ? tokens[i + 1].kind : .eof
    switch tokens[i].kind {
    case .identifier, .string, .int, .keyword:
      if case .symbol(.colon) = next { return true }
      if case .identifier = tokens[i].kind, case .symbol(let s) = next, s == .comma || s == .rbrace { return true }
      return false
    default: return false
    }
  }

  func matchingParen(from index: Int) -> Int? {
    var depth = 0
    var i = index
    while i < tokens.count {
      switch tokens[i].kind {
      case .symbol(.lparen), .symbol(.lbracket), .symbol(.lbrace): depth += 1
      case .symbol(.rparen), .symbol(.rbracket), .symbol(.rbrace):
        depth -= 1
        if depth == 0 { return i }
      case .eof: return nil
      default: break
      }
      i += 1
    }
    return nil
  }

  mutating func parseOr() throws(Bail) -> Expr {
    var left = try parseAnd()
    var links = 0
    defer { treeDepth -= links }
    while at(.or) {
      try chainLink(&links)
      let t = advance()
      skipNewlines()
      let right = try parseAnd()
      left = Expr(.or(left, right), at: location(t))
    }
    return left
  }

  mutating func parseAnd() throws(Bail) -> Expr {
    var left = try parseNot()
    var links = 0
    defer { treeDepth -= links }
    while at(.and) {
      try chainLink(&links)
      let t = advance()
      skipNewlines()
      let right = try parseNot()
      left = Expr(.and(left, right), at: location(t))
    }
    return left
  }

  mutating func parseNot() throws(Bail) -> Expr {
    if at(.not) {
      let t = advance()
      try nest()
      defer { unnest() }
      return Expr(.unary(.not, try parseNot()), at: location(t))
    }
    return try parseComparison()
  }

  mutating func compareOp() -> CompareOp? {
    switch current.kind {
    case .symbol(.eq): return .eq
    case .symbol(.ne): return .ne
    case .symbol(.lt): return .lt
    case .symbol(.le): return .le
    case .symbol(.gt): return .gt
    case .symbol(.ge): return .ge
    case .keyword(.in): return .in
    case .keyword(.not): if case .keyword(.in) = peekKind() { return .notIn } else { return nil }
    default: return nil
    }
  }

  mutating func parseComparison() throws(Bail) -> Expr {
    let first = try parseRange()
    var ops: [CompareOp] = []
    var operands = [first]
    var opToken = current
    while let op = compareOp() {
      if ops.isEmpty { opToken = current }
      _ = advance()
      if op == .notIn { _ = advance() }
      skipNewlines()
      ops.append(op)
      operands.append(try parseRange())
    }
    if ops.isEmpty { return first }
    return Expr(.compare(ops, operands), at: location(opToken))
  }

  mutating func parseRange() throws(Bail) -> Expr {
    let left = try parseAdditive()
    if at(.dotdot) {
      let t = advance()
      skipNewlines()
      return Expr(.range(left, try parseAdditive()), at: location(t))
    }
    return left
  }

  mutating func parseAdditive() throws(Bail) -> Expr {
    var left = try parseMultiplicative()
    var links = 0
    defer { treeDepth -= links }
    while true {
      let op: BinaryOp
      if at(.plus) { op = .add } else if at(.minus) { op = .subtract } else { return left }
      try chainLink(&links)
      let t = advance()
      skipNewlines()
      left = Expr(.binary(op, left, try parseMultiplicative()), at: location(t))
    }
  }

  mutating func parseMultiplicative() throws(Bail) -> Expr {
    var left = try parseUnary()
    var links = 0
    defer { treeDepth -= links }
    while true {
      let op: BinaryOp
      switch current.kind {
      case .symbol(.star): op = .multiply
      case .symbol(.slash): op = .divide
      case .symbol(.slashslash): op = .floorDivide
      case .symbol(.percent): op = .modulo
      case .symbol(.at): op = .matmul
      default: return left
      }
      try chainLink(&links)
      let t = advance()
      skipNewlines()
      left = Expr(.binary(op, left, try parseUnary()), at: location(t))
    }
  }

  mutating func parseUnary() throws(Bail) -> Expr {
    if at(.minus) || at(.plus) {
      let t = advance()
      try nest()
      defer { unnest() }
      let operand = try parseUnary()
      if case .minus = t.kind.symbol, case .literal(let v) = operand.kind {
        // Fold negative literals so `-9223372036854775808`-style edge cases stay simple.
        if case .int(let i) = v, i != Int.min { return Expr(.literal(.int(-i)), at: location(t)) }
        if case .float(let d) = v { return Expr(.literal(.float(-d)), at: location(t)) }
      }
      return Expr(.unary(t.kind.symbol == .minus ? .negate : .plus, operand), at: location(t))
    }
    return try parsePower()
  }

  mutating func parsePower() throws(Bail) -> Expr {
    let base = try parsePostfix()
    if at(.starstar) {
      let t = advance()
      skipNewlines()
      try nest()
      defer { unnest() }
      return Expr(.binary(.power, base, try parseUnary()), at: location(t)) // right-associative
    }
    return base
  }

  mutating func parsePostfix() throws(Bail) -> Expr {
    var expr = try parsePrimary()
    // A long chain `a.b(c)[d]...` deepens the tree like any other chain.
    var links = 0
    defer { treeDepth -= links }
    while true {
      if at(.lparen) {
        let t = advance()
        _ = t
        expr = Expr(.call(expr, try parseArguments()), at: expr.location)
      } else if at(.lbracket) {
        let t = advance()
        expr = try parseIndex(expr, at: t)
      } else if at(.dot) || (atNewline && nextNonNewlineIsDot()) {
        skipNewlines()
        _ = advance()
        let (name, nameToken) = try memberName()
        expr = Expr(.member(expr, name), at: location(nameToken))
      } else {
        return expr
      }
      try chainLink(&links)
    }
  }

  func nextNonNewlineIsDot() -> Bool {
    var i = pos
    while i < tokens.count, case .newline = tokens[i].kind { i += 1 }
    if i < tokens.count, case .symbol(.dot) = tokens[i].kind { return true }
    return false
  }

  mutating func memberName() throws(Bail) -> (String, Token) {
    if case .identifier(let name) = current.kind { return (name, advance()) }
    if case .keyword(let k) = current.kind { return (k.rawValue, advance()) }
    throw fail("expected a name after `.`, found \(current.display)")
  }

  mutating func parseArguments() throws(Bail) -> [CallArgument] {
    var args: [CallArgument] = []
    var sawKeyword = false
    while !at(.rparen) {
      let start = current
      if case .identifier(let label) = current.kind, case .symbol(.colon) = peekKind() {
        _ = advance(); _ = advance()
        if args.contains(where: { $0.label == label }) {
          throw fail("keyword argument `\(label)` is given twice", at: start)
        }
        args.append(CallArgument(label: label, value: try parseExpression(), location: location(start)))
        sawKeyword = true
      } else {
        let value = try parseExpression()
        if sawKeyword {
          throw fail("a positional argument cannot follow keyword arguments", at: start,
                     hint: "put positional arguments first: f(1, 2, lr: 0.1)")
        }
        args.append(CallArgument(label: nil, value: value, location: location(start)))
      }
      if !match(.comma) { break }
    }
    try expect(.rparen, "to close the argument list")
    return args
  }

  mutating func parseIndex(_ target: Expr, at t: Token) throws(Bail) -> Expr {
    // xs[i], xs[a:b], xs[a:b:c], xs[:b], xs[::2]; tensors also take t[i, a:b, ...]
    var components: [IndexPart] = []
    while true {
      let (parts, colons) = try parseIndexComponent(at: t)
      if colons == 0 {
        guard let index = parts[0] else { throw fail("expected an index between `[` and `]`", at: t) }
        components.append(.at(index))
      } else {
        components.append(.slice(parts[0], parts[1], parts.count > 2 ? parts[2] : nil))
      }
      if !match(.comma) { break }
    }
    try expect(.rbracket, "to close the index")
    if components.count == 1 {
      switch components[0] {
      case .at(let index): return Expr(.index(target, index), at: location(t))
      case .slice(let a, let b, let c): return Expr(.slice(target, a, b, c), at: location(t))
      }
    }
    return Expr(.multiIndex(target, components), at: location(t))
  }

  /// One comma-separated part of an index: an expression, or a slice `start:end:step`.
  mutating func parseIndexComponent(at t: Token) throws(Bail) -> ([Expr?], Int) {
    var parts: [Expr?] = [nil]
    var colons = 0
    while !at(.rbracket) && !at(.comma) {
      if at(.colon) {
        _ = advance()
        colons += 1
        if colons > 2 { throw fail("a slice has at most two `:` (start:end:step)") }
        parts.append(nil)
        continue
      }
      if parts[parts.count - 1] != nil { throw fail("expected `]`, `,` or `:` in the index, found \(current.display)") }
      parts[parts.count - 1] = try parseExpression()
    }
    while parts.count < 3 { parts.append(nil) }
    return (parts, colons)
  }

  mutating func parsePrimary() throws(Bail) -> Expr {
    let t = current
    let loc = location(t)
    switch t.kind {
    case .int(let v): _ = advance(); return Expr(.literal(.int(v)), at: loc)
    case .float(let v): _ = advance(); return Expr(.literal(.float(v)), at: loc)
    case .string(let s): _ = advance(); return Expr(.literal(.str(s)), at: loc)
    case .fstring(let raw, let offset):
      _ = advance()
      return Expr(.fstring(try parseFString(raw: raw, bodyOffset: offset, token: t)), at: loc)
    case .identifier(let name): _ = advance(); return Expr(.name(NameRef(name)), at: loc)
    case .keyword(.true): _ = advance(); return Expr(.literal(.bool(true)), at: loc)
    case .keyword(.false): _ = advance(); return Expr(.literal(.bool(false)), at: loc)
    case .keyword(.nil): _ = advance(); return Expr(.literal(.null), at: loc)
    case .keyword(.fn):
      _ = advance()
      return Expr(.lambda(try parseFunctionRest(name: "<lambda>", at: loc)), at: loc)
    case .keyword(.if):
      _ = advance()
      return try parseConditional(from: t)
    case .symbol(.lparen):
      _ = advance()
      skipNewlines()
      let inner = try parseExpression()
      skipNewlines()
      try expect(.rparen, "to close the parenthesis opened at \(loc.line):\(loc.column)")
      return inner
    case .symbol(.lbracket):
      _ = advance()
      var items: [Expr] = []
      while !at(.rbracket) {
        items.append(try parseExpression())
        if !match(.comma) { break }
      }
      try expect(.rbracket, "to close the list opened at \(loc.line):\(loc.column)")
      return Expr(.list(items), at: loc)
    case .symbol(.lbrace):
      return try parseRecord()
    case .newline, .eof:
      throw fail("expected an expression, found \(t.display)")
    default:
      throw fail("expected an expression, found \(t.display)")
    }
  }

  /// The rest of `if c { a } elif d { b } else { e }` in an expression: each branch holds one
  /// expression, and the `else` is required (the expression must always have a value).
  mutating func parseConditional(from start: Token) throws(Bail) -> Expr {
    let loc = location(start)
    let condition = try parseExpression()
    let chosen = try parseBranchValue("`if`")
    skipNewlinesBefore(.elif)
    skipNewlinesBefore(.else)
    let next = current
    if match(.elif) { return Expr(.conditional(condition, chosen, try parseConditional(from: next)), at: loc) }
    guard match(.else) else {
      throw fail("an `if` expression needs an `else` branch, so it always has a value", at: start,
                 hint: "write `if condition { a } else { b }`, or make it an `if` statement on its own line")
    }
    if match(.if) { return Expr(.conditional(condition, chosen, try parseConditional(from: next)), at: loc) }
    return Expr(.conditional(condition, chosen, try parseBranchValue("`else`")), at: loc)
  }

  /// `{ expression }`: one branch of an `if` expression.
  mutating func parseBranchValue(_ context: String) throws(Bail) -> Expr {
    let open = location(current)
    _ = try expect(.lbrace, "to start the \(context) branch of the `if` expression")
    skipNewlines()
    if case .keyword(let k) = current.kind, [.let, .while, .for, .return, .break, .continue, .import, .throw, .try].contains(k) {
      throw fail("an `if` expression's \(context) branch holds one expression, not a `\(k.rawValue)` statement",
                 hint: "put the `if` on its own line as a statement, or compute the value first")
    }
    let value = try parseExpression()
    skipNewlines()
    guard at(.rbrace) else {
      throw fail("an `if` expression's \(context) branch holds one expression, then `}` (opened at \(open.line):\(open.column)); found \(current.display)",
                 hint: "for statements, use an `if` statement and assign inside it")
    }
    _ = advance()
    return value
  }

  mutating func parseRecord() throws(Bail) -> Expr {
    let open = advance()
    var entries: [RecordEntry] = []
    var seen = Set<RecordKey>()
    skipNewlines()
    while !at(.rbrace) {
      let keyToken = current
      let key: RecordKey
      switch keyToken.kind {
      case .identifier(let name): key = .string(name)
      case .string(let s): key = .string(s)
      case .int(let i): key = .int(i)
      case .keyword(let k): key = .string(k.rawValue)
      case .eof: throw fail("this `{` is never closed", at: open, hint: "add a `}` to end the record")
      default:
        throw fail("expected a record key (a name, a \"string\" or an int), found \(keyToken.display)",
                   hint: "records are written {lr: 0.1, \"two words\": 2}; a block of statements cannot stand here")
      }
      _ = advance()
      let value: Expr
      if match(.colon) {
        skipNewlines()
        value = try parseExpression()
      } else if case .identifier(let name) = keyToken.kind {
        value = Expr(.name(NameRef(name)), at: location(keyToken)) // {x, y} means {x: x, y: y}
      } else {
        throw fail("expected `:` after the record key", hint: "write {key: value}")
      }
      if !seen.insert(key).inserted { throw fail("key `\(key.text)` appears twice in this record", at: keyToken) }
      entries.append(RecordEntry(key: key, value: value))
      skipNewlines()
      if !match(.comma) { break }
      skipNewlines()
    }
    skipNewlines()
    try expect(.rbrace, "to close the record opened at \(open.line):\(open.column)")
    return Expr(.record(entries), at: location(open))
  }

  /// Splits an f-string body into text and `{expr:spec}` parts; each expression is lexed in
  /// place so its errors point into the original line.
  mutating func parseFString(raw: [UInt8], bodyOffset: Int, token: Token) throws(Bail) -> [FStringPart] {
    var parts: [FStringPart] = []
    var text: [UInt8] = []
    var i = 0
    func flushText(_ parser: inout Parser) throws(Bail) {
      if text.isEmpty { return }
      parts.append(.text(try parser.unescape(text, token: token)))
      text.removeAll()
    }
    while i < raw.count {
      let c = raw[i]
      if c == UInt8(ascii: "\\"), i + 1 < raw.count { text.append(c); text.append(raw[i + 1]); i += 2; continue }
      if c == UInt8(ascii: "{") {
        if i + 1 < raw.count && raw[i + 1] == UInt8(ascii: "{") { text.append(c); i += 2; continue }
        try flushText(&self)
        // Find the matching `}` and a top-level `:` (outside brackets and strings).
        var j = i + 1, level = 0, colon: Int? = nil
        var quote: UInt8? = nil
        while j < raw.count {
          let d = raw[j]
          if let q = quote { if d == q { quote = nil } }
          else if d == UInt8(ascii: "\"") || d == UInt8(ascii: "'") { quote = d }
          else if d == UInt8(ascii: "(") || d == UInt8(ascii: "[") || d == UInt8(ascii: "{") { level += 1 }
          else if d == UInt8(ascii: ")") || d == UInt8(ascii: "]") { level -= 1 }
          else if d == UInt8(ascii: "}") { if level == 0 { break }; level -= 1 }
          else if d == UInt8(ascii: ":") && level == 0 && colon == nil { colon = j }
          j += 1
        }
        guard j < raw.count else { throw fail("`{` in f-string is never closed", at: token, hint: "write `{{` for a literal brace") }
        let exprEnd = colon ?? j
        let range = (bodyOffset + i + 1)..<(bodyOffset + exprEnd)
        var sub = Lexer(file: file, range: range, line: token.line)
        sub.run()
        diagnostics.append(contentsOf: sub.diagnostics)
        var subParser = Parser(file: file, tokens: sub.tokens)
        subParser.depth = depth
        subParser.treeDepth = treeDepth
        if case .eof = subParser.current.kind {
          throw fail("empty `{}` in f-string", at: token, hint: "put an expression inside, or write `{{}}` for braces")
        }
        let expr: Expr
        do { expr = try subParser.parseExpression() } catch {
          diagnostics.append(contentsOf: subParser.diagnostics)
          throw Bail()
        }
        if !subParser.atEOF {
          diagnostics.append(contentsOf: subParser.diagnostics)
          throw subParser.failInto(&self, "unexpected \(subParser.current.display) in f-string expression")
        }
        diagnostics.append(contentsOf: subParser.diagnostics)
        let spec = colon.map { String(decoding: raw[($0 + 1)..<j], as: UTF8.self) }
        parts.append(.expr(expr, spec: spec))
        i = j + 1
        continue
      }
      if c == UInt8(ascii: "}") {
        if i + 1 < raw.count && raw[i + 1] == UInt8(ascii: "}") { text.append(c); i += 2; continue }
        throw fail("single `}` in f-string", at: token, hint: "write `}}` for a literal brace")
      }
      text.append(c)
      i += 1
    }
    try flushText(&self)
    return parts
  }

  func failInto(_ other: inout Parser, _ message: String) -> Bail {
    other.diagnostics.append(Diagnostic(message, at: current.location(in: file)))
    return Bail()
  }

  mutating func unescape(_ bytes: [UInt8], token: Token) throws(Bail) -> String {
    var out: [UInt8] = []
    var i = 0
    while i < bytes.count {
      let c = bytes[i]
      if c == UInt8(ascii: "\\") && i + 1 < bytes.count {
        let (next, failure) = StringEscape.decode(bytes, letter: i + 1, end: bytes.count, into: &out)
        switch failure {
        case nil: i = next
        case .invalidUnicode: throw fail("invalid \\u escape in f-string; write \\u{1F600}", at: token)
        case .unknown(let e): throw fail("unknown escape `\\\(String(UnicodeScalar(e)))` in f-string", at: token)
        }
      } else {
        out.append(c)
        i += 1
      }
    }
    return String(decoding: out, as: UTF8.self)
  }
}

extension TokenKind {
  var symbol: Symbol? { if case .symbol(let s) = self { return s } else { return nil } }
}
