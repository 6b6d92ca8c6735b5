/// Function bodies compiled to code that returns the function's result.
///
/// Statements report how they ended (`Flow`) and a `return` parks its value in the interpreter
/// until the call picks it up. Most function bodies return only from straight-line code and
/// from `if` branches (`if n < 2 { return n }; return fib(n - 1) + fib(n - 2)`); those are
/// compiled here to one expression-like tree that yields the value directly: no parked value,
/// no flow checks, and fewer closures per call. A body with a `return` inside a loop or a `try`
/// keeps the statement form.
extension Compiler {
  func compileFunctionBody(_ block: Block) -> Eval {
    let none: ValueCode = .value(.constant(.null))
    // Checked on the tree first, so no code is compiled twice (that would double at each level
    // of nested functions).
    if Self.returnsByValue(block.statements[...]), let code = valueCode(block.statements[...], then: none) {
      let run = code.eval
      guard let entry = blockEntry(block) else { return run }
      return { f throws(PavlovError) in
        entry(f)
        return try run(f)
      }
    }
    let exec = compile(block)
    let interp = self.interp
    return { f throws(PavlovError) in
      guard try exec(f) == .returned else { return .null }
      let result = interp.returnValue
      interp.returnValue = .null
      return result
    }
  }

  /// Code for the rest of a body: a value read inline (`return n`) or code to run.
  enum ValueCode {
    case value(Operand)
    case code(Eval)

    var eval: Eval {
      switch self {
      case .value(let v): return { f throws(PavlovError) in try v.load(f) }
      case .code(let c): return c
      }
    }

    var operand: Operand {
      switch self {
      case .value(let v): return v
      case .code(let c): return .code(c)
      }
    }
  }

  /// `statements`, then `then` if they fall off their end; nil if a `return` sits where this
  /// form cannot take it (in a loop or a `try`).
  private func valueCode(_ statements: ArraySlice<Stmt>, then next: ValueCode) -> ValueCode? {
    guard let i = statements.firstIndex(where: Self.containsReturn) else {
      if statements.isEmpty { return next }
      return sequence(compileStatements(statements), next)
    }
    let before = statements[..<i]
    let tail: ValueCode
    switch statements[i].kind {
    case .return(let value):
      tail = .value(value.map(operand) ?? .constant(.null)) // what follows a return never runs
    case .if(let branches, let elseBlock):
      guard let rest = valueCode(statements[(i + 1)...], then: next),
            let choice = valueIf(branches[...], elseBlock, then: rest) else { return nil }
      tail = choice
    default:
      return nil
    }
    return before.isEmpty ? tail : sequence(compileStatements(before), tail)
  }

  /// Runs statements that cannot return (so they end normally: `break` and `continue` only
  /// occur inside loops), then yields `next`.
  private func sequence(_ run: @escaping Exec, _ next: ValueCode) -> ValueCode {
    let after = next.operand
    return .code { f throws(PavlovError) in
      _ = try run(f)
      return try after.load(f)
    }
  }

  private func valueIf(_ branches: ArraySlice<(Expr, Block)>, _ elseBlock: Block?, then next: ValueCode) -> ValueCode? {
    guard let (condition, block) = branches.first else {
      guard let elseBlock else { return next }
      return valueBlock(elseBlock, then: next)
    }
    guard let yes = valueBlock(block, then: next)?.operand,
          let no = valueIf(branches.dropFirst(), elseBlock, then: next)?.operand else { return nil }
    // One object for the closures to capture (two operands are ~80 bytes of context, which
    // the forwarding thunk would copy on every run).
    let choice = Choice(condition: compileCondition(condition), yes: yes, no: no)
    // `if n < 2 { ... }` on a local int: the comparison inline.
    if case .compare(let ops, let operands) = condition.kind, ops.count == 1,
       let slot = plainLocalSlot(operands[0]), case .literal(.int(let k)) = operands[1].kind {
      let op = ops[0]
      return .code { f throws(PavlovError) in
        let holds: Bool
        if case .int(let i) = f[slot], let direct = Ops.compareInts(op, i, k) { holds = direct } else { holds = try choice.condition(f) }
        return holds ? try choice.yes.load(f) : try choice.no.load(f)
      }
    }
    return .code { f throws(PavlovError) in try choice.condition(f) ? try choice.yes.load(f) : try choice.no.load(f) }
  }

  /// The parts of a value-returning `if`.
  final class Choice {
    let condition: (Frame) throws(PavlovError) -> Bool
    let yes: Operand
    let no: Operand

    init(condition: @escaping (Frame) throws(PavlovError) -> Bool, yes: Operand, no: Operand) {
      self.condition = condition
      self.yes = yes
      self.no = no
    }
  }

  private func valueBlock(_ block: Block, then next: ValueCode) -> ValueCode? {
    guard let code = valueCode(block.statements[...], then: next) else { return nil }
    guard let entry = blockEntry(block) else { return code }
    let run = code.operand
    return .code { f throws(PavlovError) in
      entry(f)
      return try run.load(f)
    }
  }

  /// Whether `valueCode` can take these statements: every `return` in straight-line code or in
  /// `if` branches, and at most `maxChoices` branches on the way (each nests a closure in the
  /// code and a level in the compiler, so a generated body of thousands of guards keeps the
  /// statement form, which runs them as a flat sequence).
  static func returnsByValue(_ statements: ArraySlice<Stmt>) -> Bool {
    var choices = 0
    return returnsByValue(statements, choices: &choices)
  }

  static let maxChoices = 64

  private static func returnsByValue(_ statements: ArraySlice<Stmt>, choices: inout Int) -> Bool {
    guard let i = statements.firstIndex(where: containsReturn) else { return true }
    switch statements[i].kind {
    case .return: return true
    case .if(let branches, let elseBlock):
      choices += branches.count
      guard choices <= maxChoices else { return false }
      for branch in branches where !returnsByValue(branch.1.statements[...], choices: &choices) { return false }
      if let elseBlock, !returnsByValue(elseBlock.statements[...], choices: &choices) { return false }
      return returnsByValue(statements[(i + 1)...], choices: &choices)
    default: return false
    }
  }

  /// Whether a `return` of this function is somewhere in the statement (not in a nested function).
  static func containsReturn(_ stmt: Stmt) -> Bool {
    switch stmt.kind {
    case .return: return true
    case .if(let branches, let elseBlock):
      return branches.contains { containsReturn($0.1) } || elseBlock.map(containsReturn) == true
    case .while(_, let block), .for(_, _, _, let block): return containsReturn(block)
    case .try(let block, _, let handler): return containsReturn(block) || containsReturn(handler)
    case .expression, .let, .assign, .function, .break, .continue, .throw, .import: return false
    }
  }

  static func containsReturn(_ block: Block) -> Bool { block.statements.contains(where: containsReturn) }
}
