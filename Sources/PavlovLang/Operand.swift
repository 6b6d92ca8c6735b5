/// A trivially readable operand (a plain local, a constant, a global) is read inline by the
/// operation that uses it, saving a closure call per use; anything else is compiled code.
enum Operand {
  case local(Int)
  case constant(Value)
  case global(GlobalScope, Int, GlobalName)
  /// `n - 1`, `i + 1`, `k * 2` on a plain local: the int case inline, anything else (a float,
  /// an overflow, an error) through the compiled expression.
  case localIntOp(Int, BinaryOp, Int, Eval)
  /// `values[a]` with both plain locals: a list read by an int in range, or a record by an int
  /// key it has, inline; anything else (a negative index, a string key, an error) through the
  /// compiled expression.
  case localIndex(Int, Int, Eval)
  /// `self.state` on a plain local: a record's own field inline (through the field's hint),
  /// anything else (a missing field, a method, an error) through the compiled expression.
  case localField(Int, FieldHint, Eval)
  case code(Eval)

  @inline(__always)
  func load(_ f: Frame) throws(PavlovError) -> Value {
    switch self {
    case .local(let slot): return f[slot]
    case .constant(let v): return v
    case .localIntOp(let slot, let op, let k, let general):
      if case .int(let i) = f[slot], let r = Ops.intArithmetic(op, i, k) { return .int(r) }
      return try general(f)
    case .localIndex(let base, let index, let general): return try Self.index(f, base, index, general)
    case .localField(let base, let hint, let general): return try Self.field(f, base, hint, general)
    case .global(let store, let index, let name):
      let v = store.storage[index]
      if case .undefined = v { throw Compiler.usedBeforeDefinition(name.name).located(name.location) }
      return v
    case .code(let c): return try c(f)
    }
  }

  /// `load`, with a local's number, bool or nil copied inline (`Value.copy(of:)`): for leaf
  /// code that reads several operands, such as a list literal.
  @inline(__always)
  func loadCopying(_ f: Frame) throws(PavlovError) -> Value {
    if case .local(let slot) = self { return Value.copy(of: f + slot) }
    return try load(f)
  }

  // Out of line, so that `load` stays small enough to be inlined where the cases above are read.
  @inline(never)
  static func index(_ f: Frame, _ base: Int, _ index: Int, _ general: Eval) throws(PavlovError) -> Value {
    if case .int(let k) = f[index], let v = Compiler.item(in: f + base, at: k) { return v }
    return try general(f)
  }

  @inline(never)
  static func field(_ f: Frame, _ base: Int, _ hint: FieldHint, _ general: Eval) throws(PavlovError) -> Value {
    if case .record(let r) = f[base], let v = r.value(hint) { return v }
    return try general(f)
  }
}

extension Compiler {
  /// A literal, a builtin or a global: operands `Operand` reads inline.
  func isConstant(_ expr: Expr) -> Bool {
    switch expr.kind {
    case .literal: return true
    case .name(let ref):
      switch ref.resolution {
      case .builtin, .global: return true
      default: return false
      }
    default: return false
    }
  }

  /// Whether reading `expr` can neither fail nor change anything: a literal or a plain local
  /// (a global can be unset, and reading it then is an error).
  func readsWithoutEffects(_ expr: Expr) -> Bool {
    if case .literal = expr.kind { return true }
    return plainLocalSlot(expr) != nil
  }

  /// Whether `expr` may give an int key: anything but a literal of another type.
  func mayBeIntKey(_ expr: Expr) -> Bool {
    guard case .literal(let v) = expr.kind else { return true }
    if case .int = v { return true }
    return false
  }

  /// The slot of a variable read as a plain local (not in a cell: uncaptured, or a copied
  /// upvalue), found without compiling anything.
  func plainLocalSlot(_ expr: Expr) -> Int? {
    guard case .name(let ref) = expr.kind else { return nil }
    switch ref.resolution {
    case .local(let d) where !d.needsCell: return d.slot
    case .upvalue(let k) where upvalueByValue(k): return upvalueBase + k
    default: return nil
    }
  }

  func operand(_ expr: Expr) -> Operand {
    switch expr.kind {
    case .literal(let v): return .constant(v)
    case .name(let ref):
      if let slot = plainLocalSlot(expr) { return .local(slot) }
      switch ref.resolution {
      case .global(let g): return .global(globals, g.index, GlobalName(ref.name, at: expr.location))
      case .builtin(let v): return .constant(v)
      default: break
      }
    default: break
    }
    if case .binary(let op, let left, let right) = expr.kind, op == .add || op == .subtract || op == .multiply,
       let slot = plainLocalSlot(left), case .literal(.int(let k)) = right.kind {
      return .localIntOp(slot, op, k, compile(expr))
    }
    if case .index(let base, let index) = expr.kind, let b = plainLocalSlot(base), let i = plainLocalSlot(index) {
      return .localIndex(b, i, compile(expr))
    }
    if case .member(let base, let name) = expr.kind, let b = plainLocalSlot(base) {
      return .localField(b, FieldHint(name), compile(expr))
    }
    return .code(compile(expr))
  }
}

/// A global read as an operand: its name and where it is read, for the error when it is read
/// before its `let` ran (one reference, so the operand stays small).
final class GlobalName {
  let name: String
  let location: SourceLocation
  init(_ name: String, at location: SourceLocation) {
    self.name = name
    self.location = location
  }
}
