/// Maps every name to a slot before anything runs, and reports at once every undefined name,
/// bad assignment, misplaced `break`/`continue`/`return`, duplicate parameter and unknown
/// keyword argument. Variables that inner functions capture are marked so they live in cells.
struct Resolver {
  final class FunctionState {
    let decl: FunctionDecl?
    var scopes: [[String: LocalDecl]] = [[:]]
    var nextSlot = 0
    /// Upvalues by name: within one function a free name always means the same outer variable.
    var upvalueIndex: [String: Int] = [:]
    var upvalueSources: [Int] = []
    var upvalueNames: [String] = []
    var upvalueDecls: [LocalDecl] = []
    var loopDepth = 0
    /// Block objects currently open, so captured declarations can be attached to their block.
    var blocks: [Block] = []
    init(decl: FunctionDecl?) { self.decl = decl }
  }

  let globals: GlobalScope
  unowned let interpreter: Interpreter
  /// REPL entries may re-declare a global (the new value replaces the old).
  let allowRedeclaration: Bool
  var diagnostics: [Diagnostic] = []
  var functions: [FunctionState] = []
  /// Calls to `fn`-declared functions, checked once all assignments are known.
  var pendingCallChecks: [(args: [CallArgument], function: () -> (FunctionDecl?, Bool), location: SourceLocation)] = []
  /// Globals declared by this program (they become "declared" as their statements are passed).
  var declaredHere: Set<String> = []

  init(globals: GlobalScope, interpreter: Interpreter, allowRedeclaration: Bool) {
    self.globals = globals
    self.interpreter = interpreter
    self.allowRedeclaration = allowRedeclaration
  }

  mutating func error(_ message: String, at location: SourceLocation, hint: String? = nil) {
    diagnostics.append(Diagnostic(message, at: location, hint: hint))
  }

  var current: FunctionState { functions[functions.count - 1] }
  var atTopLevelScope: Bool { functions.count == 1 && current.scopes.count == 1 }

  // MARK: - Program

  mutating func resolve(_ program: Program) throws(PavlovError) {
    let top = FunctionState(decl: nil)
    functions = [top]
    top.blocks = [program.body]
    hoistGlobals(program.body)
    for stmt in program.body.statements { resolve(stmt) }
    program.localCount = top.nextSlot
    program.body.capturedDecls = []
    for check in pendingCallChecks { checkCall(check) }
    if !diagnostics.isEmpty {
      // Nothing of a program that does not compile may linger (a REPL entry's `let` that
      // failed must not leave a half-declared name behind).
      for name in declaredHere { globals.forget(name) }
      diagnostics.sort { ($0.location.line, $0.location.column) < ($1.location.line, $1.location.column) }
      throw PavlovError.compile(diagnostics)
    }
  }

  /// Top-level `let`, `fn` and `import` names are known before any statement, so functions
  /// may use globals defined further down (reading one before its `let` ran is a runtime error).
  mutating func hoistGlobals(_ block: Block) {
    var seen: [String: SourceLocation] = [:]
    for stmt in block.statements {
      let bindings: [Binding]
      switch stmt.kind {
      case .let(let b, _, _): bindings = b
      case .function(_, let b): bindings = [b]
      case .import(_, let b): bindings = [b]
      default: continue
      }
      for b in bindings {
        if let earlier = seen[b.name], !allowRedeclaration {
          error("`\(b.name)` is already declared at line \(earlier.line)", at: b.location,
                hint: "use `\(b.name) = ...` to assign a new value, or pick another name")
          continue
        }
        seen[b.name] = b.location
        let kind: LocalDecl.Kind
        switch stmt.kind {
        case .function: kind = .fn
        case .import: kind = .import
        default: kind = .let
        }
        let existed = globals.decls[b.name] != nil
        let decl = globals.declare(b.name, kind: kind, at: b.location)
        decl.kind = kind
        decl.location = b.location
        if !existed || !decl.declared { decl.declared = false }
        if case .function(let f, _) = stmt.kind { decl.function = f } else { decl.function = nil }
        decl.assignedAfterDeclaration = false
        if !existed { declaredHere.insert(b.name) }
        b.target = .global(decl)
      }
    }
    // Names re-declared in a REPL entry keep their slot but count as declared: earlier entries
    // already gave them values.
  }

  // MARK: - Scopes

  mutating func pushScope(_ block: Block) {
    current.scopes.append([:])
    current.blocks.append(block)
    hoistFunctions(block)
  }

  mutating func popScope() {
    current.scopes.removeLast()
    current.blocks.removeLast()
  }

  /// Inside blocks, `fn` declarations are visible from the start of the block (so local
  /// functions can call each other); `let` takes effect from its own statement on.
  mutating func hoistFunctions(_ block: Block) {
    for stmt in block.statements {
      if case .function(let f, let b) = stmt.kind {
        let decl = declareLocal(b, kind: .fn)
        decl.function = f
      }
    }
  }

  @discardableResult
  mutating func declareLocal(_ binding: Binding, kind: LocalDecl.Kind) -> LocalDecl {
    let state = current
    if let existing = state.scopes[state.scopes.count - 1][binding.name] {
      if kind == .parameter {
        error("duplicate parameter `\(binding.name)`", at: binding.location, hint: "each parameter needs its own name")
      } else if existing.kind == .fn || kind == .fn {
        error("`\(binding.name)` is already declared at line \(existing.location.line)", at: binding.location,
              hint: "pick another name for one of them")
      }
    }
    let decl = LocalDecl(name: binding.name, slot: state.nextSlot, kind: kind, location: binding.location)
    state.nextSlot += 1
    state.scopes[state.scopes.count - 1][binding.name] = decl
    if kind != .fn { decl.declared = true }
    binding.target = .local(decl)
    return decl
  }

  /// Binds a `let`, loop or catch variable in the current scope (globals at the top level).
  mutating func bind(_ binding: Binding, kind: LocalDecl.Kind) {
    if atTopLevelScope {
      if case .global(let g) = binding.target {
        g.declared = true
      } else {
        let g = globals.declare(binding.name, kind: kind, at: binding.location)
        g.declared = true
        binding.target = .global(g)
      }
      return
    }
    if case .local(let existing) = binding.target, existing.kind == .fn {
      existing.declared = true
      return
    }
    declareLocal(binding, kind: kind)
  }

  // MARK: - Names

  mutating func lookup(_ name: String, at location: SourceLocation) -> Resolution? {
    let level = functions.count - 1
    if let decl = findLocal(name, in: functions[level]) {
      if !decl.declared {
        error("`\(name)` is used before its definition (line \(decl.location.line))", at: location,
              hint: "move the definition of `\(name)` above this line")
      }
      return .local(decl)
    }
    if level > 0, let index = resolveUpvalue(name, level: level) { return .upvalue(index) }
    if let g = globals.decls[name] {
      if functions.count == 1 && !g.declared && declaredHere.contains(name) {
        error("`\(name)` is used before its definition (line \(g.location?.line ?? 0))", at: location,
              hint: "move the definition of `\(name)` above this line")
      }
      return .global(g)
    }
    if let b = interpreter.registry.function(named: name) { return .builtin(.function(b)) }
    if let v = interpreter.preludeValues[name] { return .builtin(v) }
    return nil
  }

  func findLocal(_ name: String, in state: FunctionState) -> LocalDecl? {
    for scope in state.scopes.reversed() { if let d = scope[name] { return d } }
    return nil
  }

  /// Finds `name` in an enclosing function, marks it captured, and threads it through every
  /// function in between as an upvalue. Returns its upvalue index in function `level`.
  mutating func resolveUpvalue(_ name: String, level: Int) -> Int? {
    guard level > 0 else { return nil }
    let enclosing = functions[level - 1]
    let state = functions[level]
    if let decl = findLocal(name, in: enclosing) {
      decl.captured = true
      attachCaptured(decl, in: enclosing)
      return addUpvalue(state, source: decl.slot, name: name, decl: decl)
    }
    if let outer = resolveUpvalue(name, level: level - 1) {
      return addUpvalue(state, source: -(outer + 1), name: name, decl: enclosing.upvalueDecls[outer])
    }
    return nil
  }

  /// `source` is a slot of the enclosing frame (>= 0) or, negated minus one, its upvalue index.
  mutating func addUpvalue(_ state: FunctionState, source: Int, name: String, decl: LocalDecl) -> Int {
    if let existing = state.upvalueIndex[name] { return existing }
    let index = state.upvalueSources.count
    state.upvalueSources.append(source)
    state.upvalueNames.append(name)
    state.upvalueDecls.append(decl)
    state.upvalueIndex[name] = index
    return index
  }

  /// Records a captured declaration on the block that declares it, so entering the block makes a fresh cell.
  func attachCaptured(_ decl: LocalDecl, in state: FunctionState) {
    if decl.kind == .parameter { return } // parameters are boxed on function entry
    for (i, scope) in state.scopes.enumerated().reversed() where scope[decl.name] === decl {
      let block = state.blocks[i]
      if !block.capturedDecls.contains(where: { $0 === decl }) { block.capturedDecls.append(decl) }
      return
    }
  }

  func suggestion(for name: String) -> String? {
    var candidates: [String] = interpreter.registry.functionNames + Array(interpreter.preludeValues.keys)
      + Array(globals.decls.keys)
    for state in functions { for scope in state.scopes { candidates.append(contentsOf: scope.keys) } }
    return Suggest.closest(to: name, among: candidates)
  }

  mutating func resolveName(_ ref: NameRef, at location: SourceLocation) {
    if let r = lookup(ref.name, at: location) {
      ref.resolution = r
    } else if let later = laterDeclaration(of: ref.name, after: location) {
      error("`\(ref.name)` is used before its `let` (line \(later.line))", at: location,
            hint: "move the `let \(ref.name) = ...` above this line")
    } else {
      let hint = suggestion(for: ref.name).map { "did you mean `\($0)`?" }
      error("undefined name `\(ref.name)`", at: location, hint: hint ?? "declare it with `let \(ref.name) = ...`")
    }
  }

  /// A `let` of `name` further down an enclosing block of the current function, if any (for a
  /// better message than "undefined name").
  func laterDeclaration(of name: String, after location: SourceLocation) -> SourceLocation? {
    for block in current.blocks.reversed() {
      for stmt in block.statements where stmt.location.line > location.line ||
        (stmt.location.line == location.line && stmt.location.column > location.column) {
        if case .let(let bindings, _, _) = stmt.kind, let b = bindings.first(where: { $0.name == name }) { return b.location }
      }
    }
    return nil
  }

  // MARK: - Statements

  mutating func resolve(_ block: Block) {
    pushScope(block)
    for stmt in block.statements { resolve(stmt) }
    popScope()
  }

  mutating func resolve(_ stmt: Stmt) {
    switch stmt.kind {
    case .expression(let e):
      resolve(e)
    case .let(let bindings, let destructure, let value):
      // `let f = x => ... f(...)`: a lambda may call itself, so its name is bound first.
      if !destructure, case .lambda = value.kind {
        for b in bindings { bind(b, kind: .let) }
        resolve(value)
        for b in bindings { if case .local(let d) = b.target, d.captured { d.capturedInOwnInitializer = true } }
        return
      }
      resolve(value)
      if destructure {
        var seen = Set<String>()
        for b in bindings where !seen.insert(b.name).inserted {
          error("`\(b.name)` appears twice in this `let`", at: b.location)
        }
      }
      for b in bindings { bind(b, kind: .let) }
    case .assign(let target, _, let value):
      resolve(value)
      resolveAssignTarget(target)
    case .function(let f, let binding):
      if atTopLevelScope {
        if case .global(let g) = binding.target { g.declared = true }
      } else if case .local(let d) = binding.target {
        d.declared = true
      }
      resolveFunction(f)
    case .if(let branches, let elseBlock):
      for (condition, body) in branches {
        resolve(condition)
        resolve(body)
      }
      if let elseBlock { resolve(elseBlock) }
    case .while(let condition, let body):
      resolve(condition)
      current.loopDepth += 1
      resolve(body)
      current.loopDepth -= 1
    case .for(let bindings, let destructure, let iterable, let body):
      resolve(iterable)
      if destructure {
        var seen = Set<String>()
        for b in bindings where !seen.insert(b.name).inserted {
          error("`\(b.name)` appears twice in the loop variables", at: b.location)
        }
      }
      current.loopDepth += 1
      pushScope(body)
      for b in bindings { declareLocal(b, kind: .loopVariable) }
      for s in body.statements { resolve(s) }
      popScope()
      current.loopDepth -= 1
    case .break, .continue:
      if current.loopDepth == 0 {
        let word = { if case .break = stmt.kind { return "break" } else { return "continue" } }()
        error("`\(word)` outside a loop", at: stmt.location, hint: "`\(word)` only works inside `for` or `while`")
      }
    case .return(let value):
      if let value { resolve(value) }
      if functions.count == 1 {
        error("`return` outside a function", at: stmt.location, hint: "to end a script early, use `exit()`")
      }
    case .try(let body, let binding, let handler):
      resolve(body)
      pushScope(handler)
      if let binding { declareLocal(binding, kind: .catchVariable) }
      for s in handler.statements { resolve(s) }
      popScope()
    case .throw(let value):
      resolve(value)
    case .import(_, let binding):
      bind(binding, kind: .import)
    }
  }

  mutating func resolveAssignTarget(_ target: Expr) {
    switch target.kind {
    case .name(let ref):
      guard let r = lookup(ref.name, at: target.location) else {
        let hint = suggestion(for: ref.name).map { "declare it first with `let \(ref.name) = ...` (or did you mean `\($0)`?)" }
        error("assignment to undeclared variable `\(ref.name)`", at: target.location,
              hint: hint ?? "declare it first with `let \(ref.name) = ...`")
        return
      }
      switch r {
      case .builtin:
        error("cannot assign to the builtin `\(ref.name)`", at: target.location,
              hint: "declare your own variable with `let \(ref.name) = ...`")
      case .local(let d): d.assignedAfterDeclaration = true
      case .global(let g): g.assignedAfterDeclaration = true
      case .upvalue: markUpvalueAssigned(ref.name)
      case .unresolved: break
      }
      ref.resolution = r
    case .index(let base, let index):
      resolve(base)
      resolve(index)
    case .multiIndex(let base, let parts):
      resolve(base)
      resolveParts(parts)
    case .slice(let base, let a, let b, let c):
      resolve(base)
      for e in [a, b, c] { if let e { resolve(e) } }
    case .member(let base, _):
      resolve(base)
    default:
      error("cannot assign to this expression", at: target.location)
    }
  }

  func markUpvalueAssigned(_ name: String) {
    for state in functions.reversed() {
      if let d = findLocal(name, in: state) { d.assignedAfterDeclaration = true; return }
    }
  }

  mutating func resolveFunction(_ f: FunctionDecl) {
    let state = FunctionState(decl: f)
    functions.append(state)
    state.blocks = [f.body]
    // Parameters share the outermost scope; defaults may use earlier parameters.
    for p in f.params {
      if let d = p.defaultValue { resolve(d) }
      declareLocal(p.binding, kind: .parameter)
    }
    hoistFunctions(f.body)
    for s in f.body.statements { resolve(s) }
    f.localCount = state.nextSlot
    f.upvalueSources = state.upvalueSources
    f.upvalueNames = state.upvalueNames
    f.upvalueDecls = state.upvalueDecls
    functions.removeLast()
  }

  // MARK: - Expressions

  mutating func resolveParts(_ parts: [IndexPart]) {
    for part in parts {
      switch part {
      case .at(let e): resolve(e)
      case .slice(let a, let b, let c): for e in [a, b, c] { if let e { resolve(e) } }
      }
    }
  }

  mutating func resolve(_ expr: Expr) {
    switch expr.kind {
    case .literal: break
    case .fstring(let parts):
      for case .expr(let e, _) in parts { resolve(e) }
    case .name(let ref): resolveName(ref, at: expr.location)
    case .list(let items): for i in items { resolve(i) }
    case .record(let entries): for e in entries { resolve(e.value) }
    case .unary(_, let e): resolve(e)
    case .binary(_, let a, let b), .and(let a, let b), .or(let a, let b), .range(let a, let b):
      resolve(a)
      resolve(b)
    case .conditional(let c, let a, let b):
      resolve(c)
      resolve(a)
      resolve(b)
    case .compare(_, let operands): for o in operands { resolve(o) }
    case .call(let callee, let args):
      resolve(callee)
      for a in args { resolve(a.value) }
      if case .name(let ref) = callee.kind {
        switch ref.resolution {
        case .local(let d) where d.kind == .fn:
          pendingCallChecks.append((args, { (d.function, d.assignedAfterDeclaration) }, expr.location))
        case .global(let g) where g.kind == .fn:
          pendingCallChecks.append((args, { (g.function, g.assignedAfterDeclaration) }, expr.location))
        case .builtin(.function(let f)):
          if let b = f as? BuiltinFunction { checkBuiltinCall(b, args) }
        default: break
        }
      }
    case .member(let base, _): resolve(base)
    case .index(let a, let b):
      resolve(a)
      resolve(b)
    case .slice(let a, let b, let c, let d):
      resolve(a)
      for e in [b, c, d] { if let e { resolve(e) } }
    case .multiIndex(let base, let parts):
      resolve(base)
      resolveParts(parts)
    case .lambda(let f): resolveFunction(f)
    }
  }

  /// A call to a function declared with `fn` (and never reassigned) is checked before running.
  mutating func checkCall(_ check: (args: [CallArgument], function: () -> (FunctionDecl?, Bool), location: SourceLocation)) {
    let (function, reassigned) = check.function()
    guard let f = function, !reassigned else { return }
    let names = f.parameterNames
    let positional = check.args.filter { $0.label == nil }.count
    for a in check.args {
      guard let label = a.label else { continue }
      if !names.contains(label) {
        let near = Suggest.closest(to: label, among: names).map { "did you mean `\($0)`? " } ?? ""
        error("`\(f.name)` has no parameter named `\(label)`", at: a.location,
              hint: "\(near)its parameters are (\(names.joined(separator: ", ")))")
      } else if let i = names.firstIndex(of: label), i < positional {
        error("`\(label)` is given both by position and by name", at: a.location)
      }
    }
    if positional > names.count {
      error("`\(f.name)` takes \(names.count) argument\(names.count == 1 ? "" : "s") but \(positional) were given", at: check.location,
            hint: "its parameters are (\(names.joined(separator: ", ")))")
    } else {
      let labels = Set(check.args.compactMap(\.label))
      let missing = f.params.enumerated().filter { i, p in i >= positional && p.defaultValue == nil && !labels.contains(p.binding.name) }
      if let first = missing.first {
        error("missing argument `\(first.element.binding.name)` in call to `\(f.name)`", at: check.location,
              hint: "its parameters are (\(names.joined(separator: ", ")))")
      }
    }
  }

  mutating func checkBuiltinCall(_ b: BuiltinFunction, _ args: [CallArgument]) {
    let names = b.params.map(\.name)
    if b.keywordsIndex != nil { return }  // any label is welcome; the builtin checks its options
    for a in args {
      guard let label = a.label else { continue }
      if !b.params.contains(where: { $0.name == label && $0.kind != .variadic }) {
        let near = Suggest.closest(to: label, among: names).map { "did you mean `\($0)`? " } ?? ""
        error("`\(b.name)` has no parameter named `\(label)`", at: a.location, hint: "\(near)see `:help \(b.name)`: \(b.signature)")
      }
    }
  }
}

