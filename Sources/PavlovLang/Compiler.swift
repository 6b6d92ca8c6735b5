/// Closure compilation: each resolved node becomes a Swift closure that evaluates it, with
/// variable slots and method caches fixed at compile time. See docs/architecture.md for why
/// this beat a tree walker here.
final class Compiler {
  unowned let interp: Interpreter
  let globals: GlobalScope
  let file: SourceFile
  /// Frame layout of the functions being compiled, innermost last: where upvalues start.
  var upvalueBases: [Int] = []
  /// The variables behind those functions' upvalues, innermost last.
  var upvalueDecls: [[LocalDecl]] = []

  init(interpreter: Interpreter, globals: GlobalScope, file: SourceFile) {
    self.interp = interpreter
    self.globals = globals
    self.file = file
  }

  var upvalueBase: Int { upvalueBases.last ?? 0 }

  /// Whether upvalue `k` of the function being compiled holds a copy of the value (not a cell).
  func upvalueByValue(_ k: Int) -> Bool {
    guard let decls = upvalueDecls.last, k < decls.count else { return false }
    return decls[k].capturedByValue
  }

  /// The whole program; its result is the value of a final expression statement.
  func compile(_ program: Program) -> (Frame) throws(PavlovError) -> Value {
    upvalueBases = [program.localCount]
    upvalueDecls = [[]]
    let statements = program.body.statements
    var lastValue: Eval?
    var body = statements
    if let last = statements.last, case .expression(let e) = last.kind {
      lastValue = compile(e)
      body.removeLast()
    }
    let execs = body.map(compile)
    return { f throws(PavlovError) in
      for s in execs { _ = try s(f) }
      if let lastValue { return try lastValue(f) }
      return .null
    }
  }

  static func usedBeforeDefinition(_ name: String) -> PavlovError {
    .runtime("`\(name)` is used before it has a value", hint: "make sure the `let` or `fn` that defines `\(name)` runs first")
  }

  static func internalError(_ what: String) -> PavlovError {
    .runtime("internal error: \(what)", hint: "please report this with the script that caused it")
  }

  // MARK: - Variables

  /// The value of the name at `loc` (where an error reading it is reported).
  func read(_ ref: NameRef, at loc: SourceLocation) -> Eval {
    let name = ref.name
    switch ref.resolution {
    case .local(let d):
      let slot = d.slot
      if d.needsCell { return cellReader(slot, name, at: loc) }
      return { f in Value.copy(of: f + slot) }
    case .upvalue(let k):
      let slot = upvalueBase + k
      if upvalueByValue(k) { return { f in Value.copy(of: f + slot) } }
      return cellReader(slot, name, at: loc)
    case .global(let g):
      let index = g.index, store = globals
      return { _ throws(PavlovError) in
        let v = store.storage[index]
        if case .undefined = v { throw Self.usedBeforeDefinition(name).located(loc) }
        return v
      }
    case .builtin(let v):
      return { _ in v }
    case .unresolved:
      return { _ throws(PavlovError) in throw Self.internalError("unresolved name `\(name)`") }
    }
  }

  /// For a plain local or a global: code giving a pointer to its storage (valid until the next
  /// statement), so an update can work in place.
  func plainSlotAccess(_ ref: NameRef) -> ((Frame) -> UnsafeMutablePointer<Value>)? {
    switch ref.resolution {
    case .local(let d) where !d.needsCell:
      let slot = d.slot
      return { f in f + slot }
    case .global(let g):
      let index = g.index, store = globals
      return { _ in store.storage + index }
    default:
      return nil
    }
  }

  func cellReader(_ slot: Int, _ name: String, at loc: SourceLocation) -> Eval {
    return { f throws(PavlovError) in
      guard case .cell(let c) = f[slot] else { throw Self.internalError("`\(name)` is not in a cell").located(loc) }
      let v = c.value
      if case .undefined = v { throw Self.usedBeforeDefinition(name).located(loc) }
      return v
    }
  }

  typealias Store = (Frame, Value) throws(PavlovError) -> Void

  func writer(_ resolution: Resolution, _ name: String) -> Store {
    switch resolution {
    case .local(let d):
      let slot = d.slot
      if d.needsCell { return cellWriter(slot, name) }
      return { f, v in f[slot] = v }
    case .upvalue(let k):
      return cellWriter(upvalueBase + k, name)  // a copied upvalue is never assigned
    case .global(let g):
      let index = g.index, store = globals
      return { _, v in store.storage[index] = v }
    case .builtin, .unresolved:
      return { _, _ throws(PavlovError) in throw Self.internalError("cannot assign to `\(name)`") }
    }
  }

  func cellWriter(_ slot: Int, _ name: String) -> Store {
    return { f, v throws(PavlovError) in
      guard case .cell(let c) = f[slot] else { throw Self.internalError("`\(name)` is not in a cell") }
      c.value = v
    }
  }

  func binder(_ binding: Binding) -> Store {
    switch binding.target {
    case .local(let d): return writer(.local(d), binding.name)
    case .global(let g): return writer(.global(g), binding.name)
    case .unresolved:
      let name = binding.name
      return { _, _ throws(PavlovError) in throw Self.internalError("unbound `\(name)`") }
    }
  }

  /// Stores a sequence's elements into several names: `for (i, x) in ...`, `let (a, b) = ...`.
  func destructuringBinder(_ bindings: [Binding], location: SourceLocation) -> Store {
    let count = bindings.count
    // `let (item, left, right) = node` into plain locals (the common case) writes the slots
    // directly: no store closures called through an array.
    if let slots = plainLocalSlots(bindings) {
      let general = destructuringBinder(bindings.map(binder), count: count, location: location)
      // Two and three names (pairs, and tree nodes as in binary_trees) with their slots held
      // as constants: the loop over the slot array cost a third of the binding.
      if count == 2 || count == 3 {
        let s0 = slots[0], s1 = slots[1], s2 = count == 3 ? slots[2] : 0
        return { f, v throws(PavlovError) in
          if case .list(let l) = v, l.count == count { return Self.unpack(l, count, into: f, s0, s1, s2) }
          try general(f, v)
        }
      }
      return { f, v throws(PavlovError) in
        if case .list(let l) = v, l.count == count {
          slots.withUnsafeBufferPointer { slots in
            for k in 0..<count { Interpreter.write(l.item(k), to: f + slots[k]) }
          }
          return
        }
        try general(f, v)
      }
    }
    return destructuringBinder(bindings.map(binder), count: count, location: location)
  }

  /// `let (item, left, right) = node` with a plain local on the right and two or three plain
  /// locals on the left, none of them the source: code that unpacks a list of that length
  /// from the source's slot with the list lent (the source keeps it alive while the old values
  /// of the targets are dropped); anything else runs `general`.
  func unpackInPlace(_ bindings: [Binding], from value: Expr, else general: @escaping Exec) -> Exec? {
    guard bindings.count == 2 || bindings.count == 3, let source = plainLocalSlot(value),
          let slots = plainLocalSlots(bindings), !slots.contains(source) else { return nil }
    let count = slots.count, s0 = slots[0], s1 = slots[1], s2 = count == 3 ? slots[2] : 0
    return { f throws(PavlovError) in
      let unpacked = PList.lent(in: f + source, { l in
        guard l.count == count else { return false }
        Self.unpack(l, count, into: f, s0, s1, s2)
        return true
      })
      return unpacked == true ? .normal : try general(f)
    }
  }

  /// The slots of bindings that all go to plain locals (not in cells); nil if one does not.
  func plainLocalSlots(_ bindings: [Binding]) -> [Int]? {
    let slots = bindings.compactMap { b -> Int? in
      if case .local(let d) = b.target, !d.needsCell { return d.slot }
      return nil
    }
    return slots.count == bindings.count ? slots : nil
  }

  /// Writes the two or three items of `l` (its length checked by the caller) into slots.
  @inline(__always)
  static func unpack(_ l: PList, _ count: Int, into f: Frame, _ s0: Int, _ s1: Int, _ s2: Int) {
    Interpreter.write(l.copyOfItem(0), to: f + s0)
    Interpreter.write(l.copyOfItem(1), to: f + s1)
    if count == 3 { Interpreter.write(l.copyOfItem(2), to: f + s2) }
  }

  private func destructuringBinder(_ stores: [Store], count: Int, location: SourceLocation) -> Store {
    return { f, v throws(PavlovError) in
      let items: [Value]
      switch v {
      case .list(let l): items = l.items
      case .range(let r):
        // Only a range of the right length is materialized (a huge one would not fit).
        guard r.count == count else {
          throw PavlovError.runtime("cannot unpack a range of \(r.count) item\(r.count == 1 ? "" : "s") into \(count) names").located(location)
        }
        items = (0..<count).map { .int(r.element($0)) }
      default:
        throw PavlovError.runtime("cannot unpack \(v.typeName) into \(count) names", hint: "the value must be a list of \(count) items")
          .located(location)
      }
      guard items.count == count else {
        throw PavlovError.runtime("cannot unpack a list of \(items.count) item\(items.count == 1 ? "" : "s") into \(count) names")
          .located(location)
      }
      for (k, store) in stores.enumerated() { try store(f, items[k]) }
    }
  }

  // MARK: - Blocks and statements

  /// Makes fresh cells for the block's captured variables (each entry, e.g. each loop iteration).
  func blockEntry(_ block: Block) -> ((Frame) -> Void)? {
    let slots = block.capturedDecls.filter(\.needsCell).map(\.slot)
    if slots.isEmpty { return nil }
    return { f in for s in slots { f[s] = .cell(Cell(.undefined)) } }
  }

  /// A statement sequence as a balanced tree of two-way sequences. Closures taken out of an
  /// array are re-wrapped by Swift (a reabstraction thunk per call), so hot code never calls
  /// through arrays of closures.
  func compileStatements(_ statements: [Stmt]) -> Exec {
    compileStatements(statements[...])
  }

  func compileStatements(_ statements: ArraySlice<Stmt>) -> Exec {
    // `...; return x` (most function bodies end so): the return is folded into the sequence.
    if statements.count == 2, let last = statements.last, case .return(let value?) = last.kind {
      let first = compile(statements[statements.startIndex])
      let result = operand(value)
      let interp = self.interp
      return { f throws(PavlovError) in
        let flow = try first(f)
        if flow != .normal { return flow }
        interp.returnValue = try result.load(f)
        return .returned
      }
    }
    switch statements.count {
    case 0: return { _ in .normal }
    case 1: return compile(statements[statements.startIndex])
    default:
      let middle = statements.startIndex + statements.count / 2
      let a = compileStatements(statements[..<middle]), b = compileStatements(statements[middle...])
      return { f throws(PavlovError) in
        let flow = try a(f)
        if flow != .normal { return flow }
        return try b(f)
      }
    }
  }

  func compile(_ block: Block) -> Exec {
    let body = compileStatements(block.statements)
    guard let entry = blockEntry(block) else { return body }
    return { f throws(PavlovError) in
      entry(f)
      return try body(f)
    }
  }

  func compile(_ stmt: Stmt) -> Exec {
    let loc = stmt.location
    switch stmt.kind {
    case .expression(let e):
      let code = compile(e)
      return { f throws(PavlovError) in
        _ = try code(f)
        return .normal
      }

    case .let(let bindings, let destructure, let value):
      let code = compile(value)
      if !destructure, case .local(let d) = bindings[0].target, !d.needsCell {
        let slot = d.slot
        return { f throws(PavlovError) in
          Interpreter.write(try code(f), to: f + slot)
          return .normal
        }
      }
      let store = destructure ? destructuringBinder(bindings, location: loc) : binder(bindings[0])
      let general: Exec = { f throws(PavlovError) in
        try store(f, try code(f))
        return .normal
      }
      if destructure, let unpack = unpackInPlace(bindings, from: value, else: general) { return unpack }
      return general

    case .assign(let target, let op, let value):
      return compileAssignment(target, op, value, at: loc)

    case .function(let decl, let binding):
      let make = compileFunction(decl)
      let store = binder(binding)
      return { f throws(PavlovError) in
        try store(f, make(f))
        return .normal
      }

    case .if(let branches, let elseBlock):
      return compileIf(branches[...], elseBlock)

    case .while(let condition, let block):
      let c = compileCondition(condition)
      let body = compile(block)
      let interp = self.interp
      return { f throws(PavlovError) in
        while try c(f) {
          let flow = try body(f)
          if flow != .normal {
            if flow == .breakLoop { break }
            if flow == .returned { return .returned }
          }
          try interp.tick()
        }
        return .normal
      }

    case .for(let bindings, let destructure, let iterable, let block):
      return compileFor(bindings, destructure: destructure, iterable, block, at: loc)

    case .break: return { _ in .breakLoop }
    case .continue: return { _ in .continueLoop }

    case .return(let value):
      let interp = self.interp
      guard let value else {
        return { _ in
          interp.returnValue = .null
          return .returned
        }
      }
      let code = operand(value)
      return { f throws(PavlovError) in
        interp.returnValue = try code.load(f)
        return .returned
      }

    case .try(let block, let binding, let handler):
      let body = compile(block)
      let entry = blockEntry(handler)
      let store = binding.map(binder)
      let handlerBody = compileStatements(handler.statements)
      let interp = self.interp
      return { f throws(PavlovError) in
        let savedSP = interp.sp, savedDepth = interp.depth
        do throws(PavlovError) {
          return try body(f)
        } catch {
          guard error.isCatchable else { throw error }
          interp.sp = savedSP
          interp.depth = savedDepth
          entry?(f)
          if let store { try store(f, .object(ErrorValue(error, type: interp.errorType))) }
          return try handlerBody(f)
        }
      }

    case .throw(let value):
      let code = compile(value)
      return { f throws(PavlovError) in
        let v = try code(f)
        if case .object(let o) = v, let e = o as? ErrorValue { throw e.error }
        let message: String
        if case .string(let s) = v { message = s.value } else { message = Format.repr(v) }
        throw PavlovError(kind: .thrown, message: message, location: loc, value: v)
      }

    case .import(let path, let binding):
      let store = binder(binding)
      let interp = self.interp
      let file = self.file
      return { f throws(PavlovError) in
        let module: Value
        do throws(PavlovError) { module = try interp.importModule(path, from: file) } catch { throw error.located(loc) }
        try store(f, module)
        return .normal
      }
    }
  }

  /// `if / elif / else` as nested two-way choices (no arrays of closures on the hot path).
  func compileIf(_ branches: ArraySlice<(Expr, Block)>, _ elseBlock: Block?) -> Exec {
    guard let (condition, block) = branches.first else {
      if let elseBlock { return compile(elseBlock) }
      return { _ in .normal }
    }
    // `if n < 2 { return n }`: a guard on a local int, in one closure with the comparison inline.
    if branches.count == 1 && elseBlock == nil && block.capturedDecls.isEmpty && block.statements.count == 1,
       case .return(let value) = block.statements[0].kind,
       case .compare(let ops, let operands) = condition.kind, ops.count == 1,
       let slot = plainLocalSlot(operands[0]), case .literal(.int(let k)) = operands[1].kind,
       [.lt, .le, .gt, .ge, .eq, .ne].contains(ops[0]) {
      let op = ops[0]
      let result = value.map(operand) ?? .constant(.null)
      let general = compileCondition(condition)
      let interp = self.interp
      return { f throws(PavlovError) in
        let holds: Bool
        if case .int(let i) = f[slot], let direct = Ops.compareInts(op, i, k) { holds = direct } else { holds = try general(f) }
        guard holds else { return .normal }
        interp.returnValue = try result.load(f)
        return .returned
      }
    }
    let c = compileCondition(condition)
    // `if c { return x }` (a guard) in one closure: the commonest shape in recursive functions.
    if branches.count == 1 && elseBlock == nil && block.capturedDecls.isEmpty && block.statements.count == 1,
       case .return(let value) = block.statements[0].kind {
      let result = value.map(operand) ?? .constant(.null)
      let interp = self.interp
      return { f throws(PavlovError) in
        guard try c(f) else { return .normal }
        interp.returnValue = try result.load(f)
        return .returned
      }
    }
    let body = compile(block)
    if branches.count == 1 && elseBlock == nil {
      return { f throws(PavlovError) in try c(f) ? try body(f) : .normal }
    }
    let otherwise = compileIf(branches.dropFirst(), elseBlock)
    return { f throws(PavlovError) in try c(f) ? try body(f) : try otherwise(f) }
  }

  /// `for i in a..b` and `for i in range(...)` count with native ints (no range object).
  func intBounds(_ iterable: Expr) -> (Operand, Operand, Operand)? {
    switch iterable.kind {
    case .range(let a, let b):
      return (operand(a), operand(b), .constant(.int(1)))
    case .call(let callee, let args) where !args.isEmpty && args.count <= 3 && args.allSatisfy({ $0.label == nil }):
      guard case .name(let ref) = callee.kind, case .builtin(.function(let f)) = ref.resolution,
            f === interp.registry.function(named: "range") else { return nil }
      if args.count == 1 { return (.constant(.int(0)), operand(args[0].value), .constant(.int(1))) }
      return (operand(args[0].value), operand(args[1].value), args.count == 3 ? operand(args[2].value) : .constant(.int(1)))
    default:
      return nil
    }
  }

  func compileFor(_ bindings: [Binding], destructure: Bool, _ iterable: Expr, _ block: Block, at loc: SourceLocation) -> Exec {
    if !destructure, let (start, end, step) = intBounds(iterable) {
      return compileCountingFor(bindings[0], start, end, step, block, iterable: iterable)
    }
    let source = compile(iterable)
    let store = destructure ? destructuringBinder(bindings, location: bindings[0].location) : binder(bindings[0])
    let entry = blockEntry(block)
    let body = compileStatements(block.statements)
    let interp = self.interp
    // Fast path: a single plain local loop variable over a range.
    var plainSlot: Int? = nil
    if !destructure, case .local(let d) = bindings[0].target, !d.needsCell { plainSlot = d.slot }
    let iterableLocation = iterable.location

    return { f throws(PavlovError) in
      let sequence = try source(f)
      @inline(__always) func step(_ v: Value) throws(PavlovError) -> Flow {
        entry?(f)
        if let slot = plainSlot { f[slot] = v } else { try store(f, v) }
        let flow = try body(f)
        try interp.tick()
        return flow
      }
      switch sequence {
      case .range(let r):
        var i = r.start
        let end = r.end, stride = r.step
        while stride > 0 ? i < end : i > end {
          let flow = try step(.int(i))
          if flow == .breakLoop { break }
          if flow == .returned { return .returned }
          let (next, overflow) = i.addingReportingOverflow(stride)
          if overflow { break }
          i = next
        }
      case .list(let l):
        var k = 0
        while k < l.items.count {
          let flow = try step(l.items[k])
          if flow == .breakLoop { break }
          if flow == .returned { return .returned }
          k += 1
        }
      case .string(let s):
        for scalar in s.value.unicodeScalars {
          let flow = try step(.str(String(scalar)))
          if flow == .breakLoop { break }
          if flow == .returned { return .returned }
        }
      case .record(let r):
        for key in r.keys {
          let flow = try step(key.value)
          if flow == .breakLoop { break }
          if flow == .returned { return .returned }
        }
      case .object(let o):
        guard let next = o.makeIterator() else {
          throw PavlovError.runtime("cannot iterate over \(o.type.name)").located(iterableLocation)
        }
        while let v = try Interpreter.bridge({ () throws in try next() }) {
          let flow = try step(v)
          if flow == .breakLoop { break }
          if flow == .returned { return .returned }
        }
      default:
        var hint = "loop over a list, range, string or record"
        if case .int(let n) = sequence { hint = "to loop \(n) times, write `for i in range(\(n))` or `0..\(n)`" }
        throw PavlovError.runtime("cannot iterate over \(sequence.typeName)", hint: hint).located(iterableLocation)
      }
      return .normal
    }
  }

  func compileCountingFor(_ binding: Binding, _ startCode: Operand, _ endCode: Operand, _ stepCode: Operand,
                          _ block: Block, iterable: Expr) -> Exec {
    let store = binder(binding)
    let entry = blockEntry(block)
    let body = compileStatements(block.statements)
    let interp = self.interp
    var plainSlot: Int? = nil
    if case .local(let d) = binding.target, !d.needsCell { plainSlot = d.slot }
    let loc = iterable.location
    let isRangeCall: Bool = { if case .call = iterable.kind { return true } else { return false } }()
    return { f throws(PavlovError) in
      let s = try startCode.load(f), e = try endCode.load(f), st = try stepCode.load(f)
      guard case .int(var i) = s, case .int(let end) = e, case .int(let step) = st else {
        let what = isRangeCall ? "range" : "a range `a..b`"
        let bad = [s, e, st].first { if case .int = $0 { return false } else { return true } } ?? s
        throw PavlovError.runtime("\(what) needs ints, got \(bad.typeName) \(Format.repr(bad, limit: 40))",
                                  hint: "convert with int(...)").located(loc)
      }
      if step == 0 { throw PavlovError.runtime("range: step cannot be zero").located(loc) }
      while step > 0 ? i < end : i > end {
        entry?(f)
        if let slot = plainSlot { Interpreter.write(.int(i), to: f + slot) } else { try store(f, .int(i)) }
        let flow = try body(f)
        if flow == .breakLoop { break }
        if flow == .returned { return .returned }
        try interp.tick()
        let (next, overflow) = i.addingReportingOverflow(step)
        if overflow { break }
        i = next
      }
      return .normal
    }
  }

  func compileAssignment(_ target: Expr, _ op: AssignOp?, _ value: Expr, at loc: SourceLocation) -> Exec {
    let code = compile(value)
    let binaryOp: BinaryOp? = op.map {
      switch $0 {
      case .add: return .add
      case .subtract: return .subtract
      case .multiply: return .multiply
      case .divide: return .divide
      }
    }
    let opLocation = target.location
    switch target.kind {
    case .name(let ref):
      let store = writer(ref.resolution, ref.name)
      if binaryOp == nil, case .local(let d) = ref.resolution, !d.needsCell {
        let slot = d.slot
        return { f throws(PavlovError) in
          Interpreter.write(try code(f), to: f + slot)
          return .normal
        }
      }
      guard let binaryOp else {
        return { f throws(PavlovError) in
          try store(f, try code(f))
          return .normal
        }
      }
      let load = read(ref, at: target.location)
      // `x += 1` on a plain local or global int (the commonest statement in loops) updates the
      // slot in place, and `s += "text"` appends in place when nothing else holds the string.
      if binaryOp == .add, let slotAccess = plainSlotAccess(ref) {
        return { f throws(PavlovError) in
          let rhs = try code(f)
          let slot = slotAccess(f)
          if case .int(let x) = slot.pointee, case .int(let y) = rhs {
            let (r, o) = x.addingReportingOverflow(y)
            if !o { slot.initialize(to: .int(r)); return .normal }  // the slot holds an int: nothing to release
          }
          if case .string(let addition) = rhs, case .string = slot.pointee {
            // Move the value out of the slot so the slot's reference does not count.
            guard case .string(var text) = slot.move() else { return .normal }
            if text.utf8Count + addition.utf8Count > Ops.maxStringBytes {
              slot.initialize(to: .string(text))
              do throws(PavlovError) { try Ops.checkStringSize(text.utf8Count + addition.utf8Count) }
              catch { throw error.located(loc) }
            }
            if isKnownUniquelyReferenced(&text) {
              text.appendInPlace(addition)
              slot.initialize(to: .string(text))
            } else {
              slot.initialize(to: .str(text.value + addition.value))
            }
            return .normal
          }
          if case .undefined = slot.pointee { throw Self.usedBeforeDefinition(ref.name).located(loc) }
          do throws(PavlovError) { slot.pointee = try Ops.binary(.add, slot.pointee, rhs) } catch { throw error.located(loc) }
          return .normal
        }
      }
      return { f throws(PavlovError) in
        let current = try load(f)
        let rhs = try code(f)
        let result: Value
        do throws(PavlovError) { result = try Ops.binary(binaryOp, current, rhs) } catch { throw error.located(opLocation) }
        try store(f, result)
        return .normal
      }
    case .index(let base, let index):
      let baseCode = operand(base), indexCode = operand(index)
      if binaryOp == nil {
        // The value first, then the container and the key, as in Python (and as `obj.name =
        // v`). On a list or a record in a variable, with a key that may be an int and is read
        // without effects (so reading it before the variable changes nothing), an int key
        // writes in place (`store(_:in:at:)`); anything else goes through `setIndex`.
        let keyInPlace = readsWithoutEffects(index) && mayBeIntKey(index)
        switch baseCode {
        case .local(let slot) where keyInPlace:
          return { f throws(PavlovError) in
            let newValue = try code(f), key = try indexCode.load(f)
            if case .int(let k) = key, Compiler.store(newValue, in: f + slot, at: k) { return .normal }
            return try Compiler.setIndex(try baseCode.load(f), key, newValue, at: opLocation)
          }
        case .global(let store, let index, _) where keyInPlace:
          return { f throws(PavlovError) in
            let newValue = try code(f), key = try indexCode.load(f)
            if case .int(let k) = key, Compiler.store(newValue, in: store.storage + index, at: k) { return .normal }
            return try Compiler.setIndex(try baseCode.load(f), key, newValue, at: opLocation)
          }
        default:
          return { f throws(PavlovError) in
            let newValue = try code(f)
            return try Compiler.setIndex(try baseCode.load(f), try indexCode.load(f), newValue, at: opLocation)
          }
        }
      }
      return { f throws(PavlovError) in
        let container = try baseCode.load(f)
        let key = try indexCode.load(f)
        var newValue = try code(f)
        do throws(PavlovError) {
          if let binaryOp { newValue = try Ops.binary(binaryOp, try Ops.index(container, key), newValue) }
          try Ops.setIndex(container, key, newValue)
        } catch { throw error.located(opLocation) }
        return .normal
      }
    case .multiIndex(let base, let parts):
      return compileIndicesAssignment(base, parts, code, binaryOp, opLocation)
    case .slice(let base, let a, let b, let c):
      return compileIndicesAssignment(base, [.slice(a, b, c)], code, binaryOp, opLocation)
    case .member(let base, let name):
      // One object for the closure to capture (see `DirectCallSite`).
      let site = MemberWrite(object: operand(base), value: code, op: binaryOp, name: name, interp: interp,
                             location: opLocation)
      if binaryOp == nil {
        // The value first, as Python does; then a record in a variable is matched in its slot
        // (read after the value, which may have replaced it) and written there.
        switch site.object {
        case .local(let slot):
          return { f throws(PavlovError) in
            let newValue = try site.value(f)
            if PRecord.lent(in: f + slot, { r in r.set(site.hint, newValue) }) != nil { return .normal }
            return try Compiler.writeMember(site, try site.object.load(f), newValue)
          }
        case .global(let store, let index, _):
          return { f throws(PavlovError) in
            let newValue = try site.value(f)
            if PRecord.lent(in: store.storage + index, { r in r.set(site.hint, newValue) }) != nil { return .normal }
            return try Compiler.writeMember(site, try site.object.load(f), newValue)
          }
        default:
          return { f throws(PavlovError) in
            let newValue = try site.value(f)
            return try Compiler.writeMember(site, try site.object.load(f), newValue)
          }
        }
      }
      let general: Exec = { f throws(PavlovError) in
        let object = try site.object.load(f)
        return try Compiler.updateMember(site, object, try site.value(f))
      }
      // `self.counter += 1`: a record in a variable and an amount read without effects (so
      // reading it before the variable changes nothing); an int field updated in place with
      // the record lent (`updateIntField`), anything else as above.
      guard readsWithoutEffects(value) else { return general }
      let amount = operand(value)
      switch site.object {
      case .local(let slot):
        return { f throws(PavlovError) in
          let rhs = try amount.load(f)
          if Compiler.updateIntField(in: f + slot, site, rhs) { return .normal }
          return try Compiler.updateMember(site, try site.object.load(f), rhs)
        }
      case .global(let store, let index, _):
        return { f throws(PavlovError) in
          let rhs = try amount.load(f)
          if Compiler.updateIntField(in: store.storage + index, site, rhs) { return .normal }
          return try Compiler.updateMember(site, try site.object.load(f), rhs)
        }
      default:
        return general
      }
    default:
      return { _ throws(PavlovError) in throw PavlovError.runtime("cannot assign to this expression").located(loc) }
    }
  }

  /// `container[key] = newValue`: a list's item in range and a record's int key directly.
  @inline(__always)
  static func setIndex(_ container: Value, _ key: Value, _ newValue: Value, at loc: SourceLocation) throws(PavlovError) -> Flow {
    if case .int(let k) = key {
      if case .list(let l) = container, k >= 0, k < l.items.count { l.items[k] = newValue; return .normal }
      if case .record(let r) = container { r[.int(k)] = newValue; return .normal }
    }
    do throws(PavlovError) { try Ops.setIndex(container, key, newValue) } catch { throw error.located(loc) }
    return .normal
  }

  /// `slot[k] = newValue` in place: a list's item in range, or an int key of a record (lent);
  /// false, having done nothing, for anything else.
  @inline(__always)
  static func store(_ newValue: Value, in slot: UnsafeMutablePointer<Value>, at k: Int) -> Bool {
    if case .list(let l) = slot.pointee, k >= 0, k < l.count { l.items[k] = newValue; return true }
    return PRecord.lent(in: slot, { r in r[.int(k)] = newValue }) != nil
  }

  /// `slot[k]` in place: a list's item in range, or an int key a record (lent) has; nil for
  /// anything else.
  @inline(__always)
  static func item(in slot: UnsafePointer<Value>, at k: Int) -> Value? {
    if case .list = slot.pointee { return PList.lent(in: slot, { l in k >= 0 && k < l.count ? l.copyOfItem(k) : nil }) ?? nil }
    return PRecord.lent(in: slot, { r in r[.int(k)] }) ?? nil
  }

  /// `container[key]`: a list's item in range and a record's int key directly.
  static func readIndex(_ container: Value, _ key: Value, at loc: SourceLocation) throws(PavlovError) -> Value {
    if case .int(let k) = key {
      if case .list(let l) = container, k >= 0, k < l.count { return l.copyOfItem(k) }
      if case .record(let r) = container, let v = r[.int(k)] { return v }
    }
    do throws(PavlovError) { return try Ops.index(container, key) } catch { throw error.located(loc) }
  }

  /// `obj.name op= rhs` in place when `slot` holds a record whose field is an int, `rhs` is an
  /// int and `op` is +, - or * (the record lent); false, having done nothing, otherwise.
  @inline(__always)
  static func updateIntField(in slot: UnsafePointer<Value>, _ site: MemberWrite, _ rhs: Value) -> Bool {
    guard case .int(let b) = rhs, let op = site.op else { return false }
    return PRecord.lent(in: slot, { r in r.updateInt(site.hint, op, b) }) == true
  }

  /// `object.name op= rhs` for any object: an int field of a record in place (one lookup),
  /// anything else computed by `Ops.binary` and written by `writeMember`.
  static func updateMember(_ site: MemberWrite, _ object: Value, _ rhs: Value) throws(PavlovError) -> Flow {
    guard let binaryOp = site.op else { return try writeMember(site, object, rhs) }
    let old: Value
    if case .record(let r) = object {
      if case .int(let b) = rhs, r.updateInt(site.hint, binaryOp, b) { return .normal }
      guard let field = r.value(site.hint) else { throw site.interp.memberError(object, site.name).located(site.location) }
      old = field
    } else {
      do throws(PavlovError) { old = try site.interp.member(object, site.name) } catch { throw error.located(site.location) }
    }
    let newValue: Value
    do throws(PavlovError) { newValue = try Ops.binary(binaryOp, old, rhs) } catch { throw error.located(site.location) }
    return try writeMember(site, object, newValue)
  }

  /// `object.name = value` for any object: a record's field, or a native object's property.
  static func writeMember(_ site: MemberWrite, _ object: Value, _ newValue: Value) throws(PavlovError) -> Flow {
    if case .record(let r) = object { r.set(site.hint, newValue); return .normal }
    do throws(PavlovError) { try site.interp.setMember(object, site.name, newValue) } catch { throw error.located(site.location) }
    return .normal
  }

  /// The values of a multi-index, slices as `SliceValue` objects.
  func compileIndexParts(_ parts: [IndexPart]) -> (Frame) throws(PavlovError) -> [Value] {
    let codes: [[Eval?]] = parts.map { part in
      switch part {
      case .at(let e): return [compile(e)]
      case .slice(let a, let b, let c): return [a, b, c].map { $0.map(compile) }
      }
    }
    return { f throws(PavlovError) in
      var out: [Value] = []
      out.reserveCapacity(codes.count)
      for c in codes {
        if c.count == 1, let e = c[0] {
          out.append(try e(f))
        } else {
          var bounds: [Value] = []
          for p in c { bounds.append(try p?(f) ?? .null) }
          out.append(.object(SliceValue(bounds[0], bounds[1], bounds[2])))
        }
      }
      return out
    }
  }

  func compileIndicesAssignment(_ base: Expr, _ parts: [IndexPart], _ code: @escaping Eval, _ binaryOp: BinaryOp?, _ opLocation: SourceLocation) -> Exec {
    let baseCode = compile(base)
    let indices = compileIndexParts(parts)
    if binaryOp == nil {
      // The value first, as in every plain assignment.
      return { f throws(PavlovError) in
        let newValue = try code(f)
        let container = try baseCode(f)
        let keys = try indices(f)
        do throws(PavlovError) { try Ops.setIndices(container, keys, newValue) } catch { throw error.located(opLocation) }
        return .normal
      }
    }
    return { f throws(PavlovError) in
      let container = try baseCode(f)
      let keys = try indices(f)
      var newValue = try code(f)
      do throws(PavlovError) {
        if let binaryOp {
          let current = try Ops.indexMany(container, keys)
          newValue = try Ops.binary(binaryOp, current, newValue)
        }
        try Ops.setIndices(container, keys, newValue)
      } catch { throw error.located(opLocation) }
      return .normal
    }
  }

  // MARK: - Functions

  /// Returns code that creates the closure, capturing cells from the current frame.
  func compileFunction(_ decl: FunctionDecl) -> Eval {
    let enclosingBase = upvalueBase
    let sources = decl.upvalueSources.map { $0 >= 0 ? $0 : enclosingBase + (-$0 - 1) }
    upvalueBases.append(decl.localCount)
    upvalueDecls.append(decl.upvalueDecls)
    let defaults: [Eval?] = decl.params.map { $0.defaultValue.map(compile) }
    var captured: [Int] = []
    for p in decl.params { if case .local(let d) = p.binding.target, d.needsCell { captured.append(d.slot) } }
    let proto = FunctionProto(name: decl.name, parameterNames: decl.parameterNames,
                              frameSize: decl.localCount + sources.count, upvalueBase: decl.localCount,
                              defaults: defaults, capturedParameters: captured, location: decl.location)
    proto.parameterSignatures = decl.parameterSignatures
    proto.body = compileFunctionBody(decl.body)
    upvalueBases.removeLast()
    upvalueDecls.removeLast()
    let names = decl.upvalueNames
    if sources.isEmpty {
      return { _ in .function(Closure(proto: proto, captures: [])) }
    }
    // A copied value is taken as it is now; a shared variable must be in its cell already.
    let byValue = decl.upvalueDecls.map(\.capturedByValue)
    return { f throws(PavlovError) in
      var captures: [Value] = []
      captures.reserveCapacity(sources.count)
      for (k, slot) in sources.enumerated() {
        let v = f[slot]
        if !byValue[k] { guard case .cell = v else { throw Self.internalError("captured `\(names[k])` is not in a cell") } }
        captures.append(v)
      }
      return .function(Closure(proto: proto, captures: captures))
    }
  }

  // MARK: - Expressions

  /// `x == nil` (`isNull`) or `x != nil` by the value's case; nil for an object, which may
  /// decide for itself (`Ops.compare`).
  @inline(__always)
  static func isNil(_ x: Value, _ isNull: Bool) -> Bool? {
    switch x {
    case .null: return isNull
    case .object: return nil
    default: return !isNull
    }
  }

  func compileCondition(_ expr: Expr) -> (Frame) throws(PavlovError) -> Bool {
    switch expr.kind {
    case .compare(let ops, let operands) where ops.count == 1:
      let a = operand(operands[0]), b = operand(operands[1]), op = ops[0], loc = expr.location
      if case .literal(.int(let k)) = operands[1].kind, case .local(let slot) = a {
        return { f throws(PavlovError) in
          if case .int(let i) = f[slot], let holds = Ops.compareInts(op, i, k) { return holds }
          do throws(PavlovError) { return try Ops.compare(op, f[slot], .int(k)).isTruthy } catch { throw error.located(loc) }
        }
      }
      // `node == nil` (the end of a linked structure): a tag test, unless an object decides;
      // on a plain local, in its slot (a copy of a list cost a retain and a release).
      if case .literal(.null) = operands[1].kind, op == .eq || op == .ne {
        let isNull = op == .eq
        if case .local(let slot) = a {
          return { f throws(PavlovError) in
            if let holds = Self.isNil(f[slot], isNull) { return holds }
            do throws(PavlovError) { return try Ops.compare(op, f[slot], .null).isTruthy } catch { throw error.located(loc) }
          }
        }
        return { f throws(PavlovError) in
          let x = try a.load(f)
          if let holds = Self.isNil(x, isNull) { return holds }
          do throws(PavlovError) { return try Ops.compare(op, x, .null).isTruthy } catch { throw error.located(loc) }
        }
      }
      if case .literal(.int(let k)) = operands[1].kind {
        return { f throws(PavlovError) in
          let x = try a.load(f)
          if case .int(let i) = x, let holds = Ops.compareInts(op, i, k) { return holds }
          do throws(PavlovError) { return try Ops.compare(op, x, .int(k)).isTruthy } catch { throw error.located(loc) }
        }
      }
      return { f throws(PavlovError) in
        let x = try a.load(f), y = try b.load(f)
        if case .int(let i) = x, case .int(let j) = y, let holds = Ops.compareInts(op, i, j) { return holds }
        if case .float(let p) = x, case .float(let q) = y, let holds = Ops.compareFloats(op, p, q) { return holds }
        do throws(PavlovError) { return try Ops.compare(op, x, y).isTruthy } catch { throw error.located(loc) }
      }
    case .and(let a, let b):
      let x = compileCondition(a), y = compileCondition(b)
      return { f throws(PavlovError) in
        if try !x(f) { return false }
        return try y(f)
      }
    case .or(let a, let b):
      let x = compileCondition(a), y = compileCondition(b)
      return { f throws(PavlovError) in
        if try x(f) { return true }
        return try y(f)
      }
    case .unary(.not, let a):
      let x = compileCondition(a)
      return { f throws(PavlovError) in try !x(f) }
    case .literal(let v):
      let truth = v.isTruthy
      return { _ in truth }
    default:
      let code = compile(expr)
      return { f throws(PavlovError) in try code(f).isTruthy }
    }
  }

  func compile(_ expr: Expr) -> Eval {
    let loc = expr.location
    switch expr.kind {
    case .literal(let v):
      return { _ in v }

    case .name(let ref):
      return read(ref, at: loc)

    case .fstring(let parts):
      enum Piece { case text(String), value(Eval, String?) }
      let pieces: [Piece] = parts.map {
        switch $0 {
        case .text(let t): return .text(t)
        case .expr(let e, let spec): return .value(compile(e), spec)
        }
      }
      return { f throws(PavlovError) in
        var out = ""
        for piece in pieces {
          switch piece {
          case .text(let t): out += t
          case .value(let code, let spec):
            let v = try code(f)
            if let spec { do throws(PavlovError) { out += try Format.format(v, spec: spec) } catch { throw error.located(loc) } }
            else { do throws(PavlovError) { out += try Format.checkedText(v, quoted: false) } catch { throw error.located(loc) } }
            do throws(PavlovError) { try Ops.checkStringSize(out.utf8.count) } catch { throw error.located(loc) }
          }
        }
        do throws(PavlovError) { try Ops.checkStringSize(out.utf8.count) } catch { throw error.located(loc) }
        return .str(out)
      }

    case .list(let items):
      // Short literals (a tree node `[item, left, right]`) are unrolled: the items are operands
      // (locals and constants read inline; no closure taken out of an array, which Swift calls
      // through a reabstraction thunk), held in the list object itself (see `PList`).
      switch items.count {
      case 1:
        let a = operand(items[0])
        return { f throws(PavlovError) in .list(PList.inline(count: 1, try a.load(f))) }
      case 2:
        let a = operand(items[0]), b = operand(items[1])
        return { f throws(PavlovError) in
          let x = try a.load(f)
          return .list(PList.inline(count: 2, x, try b.load(f)))
        }
      case 3:
        let a = operand(items[0]), b = operand(items[1]), c = operand(items[2])
        return { f throws(PavlovError) in
          let x = try a.loadCopying(f), y = try b.loadCopying(f)
          return .list(PList.inline(count: 3, x, y, try c.loadCopying(f)))
        }
      default: break
      }
      let codes = items.map(compile)
      return { f throws(PavlovError) in
        var values: [Value] = []
        values.reserveCapacity(codes.count)
        for c in codes { values.append(try c(f)) }
        return .list(PList(values))
      }

    case .record(let entries):
      let keys = entries.map(\.key), codes = entries.map { compile($0.value) }
      return { f throws(PavlovError) in
        let r = PRecord()
        for (k, c) in zip(keys, codes) { r[k] = try c(f) }
        return .record(r)
      }

    case .unary(let op, let operand):
      // The operand read inline where it can be (a local, a field of a local: `not self.state`).
      let value = self.operand(operand)
      switch op {
      case .not:
        return { f throws(PavlovError) in
          let v = try value.load(f)
          if case .bool(let b) = v { return .bool(!b) }
          return .bool(!v.isTruthy)
        }
      case .negate:
        return { f throws(PavlovError) in
          let v = try value.load(f)
          if case .float(let d) = v { return .float(-d) }
          do throws(PavlovError) { return try Ops.negate(v) } catch { throw error.located(loc) }
        }
      case .plus:
        return { f throws(PavlovError) in
          do throws(PavlovError) { return try Ops.unaryPlus(try value.load(f)) } catch { throw error.located(loc) }
        }
      }

    case .binary(let op, let left, let right):
      return compileBinary(op, left, right, at: loc)

    case .compare(let ops, let operands):
      let codes = operands.map(compile)
      if ops.count == 1 {
        let a = codes[0], b = codes[1], op = ops[0]
        return { f throws(PavlovError) in
          let x = try a(f), y = try b(f)
          do throws(PavlovError) { return try Ops.compare(op, x, y) } catch { throw error.located(loc) }
        }
      }
      return { f throws(PavlovError) in
        var left = try codes[0](f)
        var result = Value.bool(true)
        for (k, op) in ops.enumerated() {
          let right = try codes[k + 1](f)
          do throws(PavlovError) { result = try Ops.compare(op, left, right) } catch { throw error.located(loc) }
          if !result.isTruthy { return result }
          left = right
        }
        return result
      }

    case .and(let a, let b):
      let x = compile(a), y = compile(b)
      return { f throws(PavlovError) in
        let v = try x(f)
        return v.isTruthy ? try y(f) : v
      }

    case .or(let a, let b):
      let x = compile(a), y = compile(b)
      return { f throws(PavlovError) in
        let v = try x(f)
        return v.isTruthy ? v : try y(f)
      }

    case .conditional(let c, let a, let b):
      let condition = compileCondition(c), x = compile(a), y = compile(b)
      return { f throws(PavlovError) in try condition(f) ? try x(f) : try y(f) }

    case .range(let a, let b):
      let x = compile(a), y = compile(b)
      return { f throws(PavlovError) in
        let start = try x(f), end = try y(f)
        guard case .int(let s) = start, case .int(let e) = end else {
          throw PavlovError.runtime("a range `a..b` needs ints, got \(start.typeName) and \(end.typeName)",
                                    hint: "convert with int(...)").located(loc)
        }
        return .range(PRange(start: s, end: e))
      }

    case .call(let callee, let args):
      return compileCall(callee, args, at: loc)

    case .member(let base, let name):
      let code = operand(base)
      let interp = self.interp
      let hint = FieldHint(name)
      let general: Eval = { f throws(PavlovError) in
        let v = try code.load(f)
        if case .record(let r) = v, let field = r.value(hint) { return field }
        do throws(PavlovError) { return try interp.member(v, name) } catch { throw error.located(loc) }
      }
      // On a plain local, a record's own field is read in its slot (`Operand.field`), without
      // copying the record out.
      guard case .local(let slot) = code else { return general }
      return { f throws(PavlovError) in try Operand.field(f, slot, hint, general) }

    case .index(let base, let index):
      let b = operand(base), i = operand(index)
      let general: Eval = { f throws(PavlovError) in try Compiler.readIndex(try b.load(f), try i.load(f), at: loc) }
      // `m[i]` on a list or a record in a variable, with a key read without effects (so reading
      // it before the variable changes nothing): an int key read in place (`item(in:at:)`).
      guard readsWithoutEffects(index), mayBeIntKey(index) else { return general }
      switch b {
      case .local(let slot):
        return { f throws(PavlovError) in
          let key = try i.load(f)
          if case .int(let k) = key, let v = Compiler.item(in: f + slot, at: k) { return v }
          return try Compiler.readIndex(try b.load(f), key, at: loc)
        }
      case .global(let store, let index, _):
        return { f throws(PavlovError) in
          let key = try i.load(f)
          if case .int(let k) = key, let v = Compiler.item(in: store.storage + index, at: k) { return v }
          return try Compiler.readIndex(try b.load(f), key, at: loc)
        }
      default:
        return general
      }

    case .slice(let base, let start, let end, let step):
      let b = compile(base)
      let parts = [start, end, step].map { $0.map(compile) }
      return { f throws(PavlovError) in
        let container = try b(f)
        var bounds: [Value] = []
        for p in parts { bounds.append(try p?(f) ?? .null) }
        do throws(PavlovError) { return try Ops.slice(container, bounds[0], bounds[1], bounds[2]) } catch { throw error.located(loc) }
      }

    case .multiIndex(let base, let parts):
      let b = compile(base)
      let indices = compileIndexParts(parts)
      return { f throws(PavlovError) in
        let container = try b(f)
        let keys = try indices(f)
        do throws(PavlovError) { return try Ops.indexMany(container, keys) } catch { throw error.located(loc) }
      }

    case .lambda(let decl):
      return compileFunction(decl)
    }
  }

  func compileBinary(_ op: BinaryOp, _ left: Expr, _ right: Expr, at loc: SourceLocation) -> Eval {
    let a = operand(left)
    // A constant int on the right (`n - 1`, `i * 2`) is folded into the operation.
    if case .literal(.int(let k)) = right.kind, op == .add || op == .subtract || op == .multiply {
      if case .local(let slot) = a {
        // Match the slot in place: no copy of the Value on the int path.
        return { f throws(PavlovError) in
          if case .int(let i) = f[slot], let r = Ops.intArithmetic(op, i, k) { return .int(r) }
          do throws(PavlovError) { return try Ops.binary(op, f[slot], .int(k)) } catch { throw error.located(loc) }
        }
      }
      return { f throws(PavlovError) in
        let x = try a.load(f)
        if case .int(let i) = x, let r = Ops.intArithmetic(op, i, k) { return .int(r) }
        do throws(PavlovError) { return try Ops.binary(op, x, .int(k)) } catch { throw error.located(loc) }
      }
    }
    // Both sides computed (`fib(n - 1) + fib(n - 2)`): call the closures directly. A closure
    // kept in an enum payload (`Operand.code`) is called through a reabstraction thunk.
    if case .code(let x) = a, plainLocalSlot(right) == nil, !isConstant(right), op == .add || op == .subtract || op == .multiply {
      let y = compile(right)
      return { f throws(PavlovError) in
        let p = try x(f), q = try y(f)
        if case .int(let i) = p, case .int(let j) = q, let r = Ops.intArithmetic(op, i, j) { return .int(r) }
        do throws(PavlovError) { return try Ops.binary(op, p, q) } catch { throw error.located(loc) }
      }
    }
    let b = operand(right)
    switch op {
    case .add:
      return { f throws(PavlovError) in
        let x = try a.loadCopying(f), y = try b.loadCopying(f)
        do throws(PavlovError) { return try Ops.add(x, y) } catch { throw error.located(loc) }
      }
    case .subtract:
      return { f throws(PavlovError) in
        let x = try a.loadCopying(f), y = try b.loadCopying(f)
        do throws(PavlovError) { return try Ops.subtract(x, y) } catch { throw error.located(loc) }
      }
    case .multiply:
      return { f throws(PavlovError) in
        let x = try a.loadCopying(f), y = try b.loadCopying(f)
        do throws(PavlovError) { return try Ops.multiply(x, y) } catch { throw error.located(loc) }
      }
    default:
      return { f throws(PavlovError) in
        let x = try a.loadCopying(f), y = try b.loadCopying(f)
        if case .float(let p) = x, case .float(let q) = y, op == .divide { return .float(p / q) }
        do throws(PavlovError) { return try Ops.arithmeticSlow(op, x, y) } catch { throw error.located(loc) }
      }
    }
  }

  /// Pushes arguments on the value stack and calls; keyword arguments follow the positional ones.
  func compileCall(_ callee: Expr, _ args: [CallArgument], at loc: SourceLocation) -> Eval {
    let positional = args.filter { $0.label == nil }, keyword = args.filter { $0.label != nil }
    let ordered = (positional + keyword).map(\.value)
    let labels: [String]? = keyword.isEmpty ? nil : keyword.compactMap(\.label)
    let argc = ordered.count
    let interp = self.interp
    // Each argument is compiled exactly once, by whichever path below is taken (compiling
    // twice per level made nested calls exponential to compile).

    if case .member(let receiverExpr, let name) = callee.kind {
      let receiverCode = operand(receiverExpr)
      // `xs.push(v)` is the commonest call in list-building loops: append directly when the
      // receiver is a list (records with a `push` field and other types take the general path).
      if (name == "push" || name == "append") && argc == 1 && labels == nil {
        // The argument is compiled once and shared by the direct path and the general one.
        let value = operand(ordered[0])
        let site = MethodCallSite(name, receiver: receiverCode, pushArguments: compilePush(value), argument: value, argc: 1, labels: nil,
                                  interp: interp, member: callee.location, call: loc)
        return { f throws(PavlovError) in
          let receiver = try site.receiver.load(f)
          if case .list(let l) = receiver {
            l.items.append(try value.load(f))
            return .null
          }
          return try Compiler.callMethod(site, f, receiver)
        }
      }
      // One positional argument is compiled once, for the stack and for a direct entry.
      let argument = argc == 1 && labels == nil ? operand(ordered[0]) : nil
      let pushArguments: Push? = argc == 0 ? nil : argument.map(compilePush) ?? compilePushArguments(ordered)
      let site = MethodCallSite(name, receiver: receiverCode, pushArguments: pushArguments, argument: argument, argc: argc,
                                labels: labels, interp: interp, member: callee.location, call: loc)
      switch receiverCode {
      case .local(let slot):
        return { f throws(PavlovError) in try Compiler.callMethod(in: f + slot, site, f) }
      case .global(let store, let index, _):
        return { f throws(PavlovError) in try Compiler.callMethod(in: store.storage + index, site, f) }
      default:
        return { f throws(PavlovError) in try Compiler.callMethod(site, f, try site.receiver.load(f)) }
      }
    }
    // A builtin known at compile time with a direct entry for this arity (`rand()`, `len(xs)`).
    if labels == nil, case .name(let ref) = callee.kind, case .builtin(.function(let f)) = ref.resolution,
       let builtin = f as? BuiltinFunction {
      if argc == 0, let fast = builtin.fast0 {
        return { _ throws(PavlovError) in
          do throws(PavlovError) { return try Interpreter.runBuiltin(builtin) { () throws in try fast(interp) } }
          catch { throw Compiler.annotate(error, builtin.name, loc) }
        }
      }
      if argc == 1, let fast = builtin.fast1 {
        let a = operand(ordered[0])
        return { f throws(PavlovError) in
          let v = try a.load(f)
          do throws(PavlovError) { return try Interpreter.runBuiltin(builtin) { () throws in try fast(interp, v) } }
          catch { throw Compiler.annotate(error, builtin.name, loc) }
        }
      }
    }
    let calleeCode = operand(callee)
    // Up to two positional arguments (most calls) are pushed inline, without a push closure.
    if labels == nil && argc <= 2 {
      return directClosureCall(calleeCode, argc >= 1 ? operand(ordered[0]) : nil, argc == 2 ? operand(ordered[1]) : nil, at: loc)
    }
    let pushArguments = compilePushArguments(ordered)
    return { f throws(PavlovError) in
      let function = try calleeCode.load(f)
      let base = interp.sp
      try pushArguments(f)
      do throws(PavlovError) { return try interp.invoke(function, base: base, argc: argc, labels: labels) }
      catch { throw Compiler.callFailed(error, function, loc) }
    }
  }
}
