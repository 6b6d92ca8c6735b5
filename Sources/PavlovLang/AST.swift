/// The syntax tree. Nodes are classes so the resolver can annotate them in place (slots,
/// captures) before the compiler turns them into closures.

public final class Expr {
  public let location: SourceLocation
  public var kind: ExprKind
  public init(_ kind: ExprKind, at location: SourceLocation) {
    self.kind = kind
    self.location = location
  }
}

public enum UnaryOp: String { case negate = "-", plus = "+", not = "not" }

public enum BinaryOp: String {
  case add = "+", subtract = "-", multiply = "*", divide = "/", floorDivide = "//", modulo = "%"
  case power = "**", matmul = "@"
}

public enum CompareOp: String { case eq = "==", ne = "!=", lt = "<", le = "<=", gt = ">", ge = ">=", `in` = "in", notIn = "not in" }

/// One component of a multi-index `t[i, a:b]`.
public enum IndexPart {
  case at(Expr)
  case slice(Expr?, Expr?, Expr?)
}

public struct CallArgument {
  public let label: String?
  public let value: Expr
  public let location: SourceLocation
}

public enum FStringPart {
  case text(String)
  case expr(Expr, spec: String?)
}

public struct RecordEntry {
  public let key: RecordKey
  public let value: Expr
}

public indirect enum ExprKind {
  case literal(Value)
  case fstring([FStringPart])
  case name(NameRef)
  case list([Expr])
  case record([RecordEntry])
  case unary(UnaryOp, Expr)
  case binary(BinaryOp, Expr, Expr)
  /// `a < b <= c`: operands and the operators between them.
  case compare([CompareOp], [Expr])
  case and(Expr, Expr)
  case or(Expr, Expr)
  /// `if c { a } elif d { b } else { e }` as an expression: the chosen branch's value.
  case conditional(Expr, Expr, Expr)
  case range(Expr, Expr)
  case call(Expr, [CallArgument])
  case member(Expr, String)
  case index(Expr, Expr)
  case slice(Expr, Expr?, Expr?, Expr?)
  /// `t[i, a:b, ...]`: several index components (tensors), each a value or a slice.
  case multiIndex(Expr, [IndexPart])
  case lambda(FunctionDecl)
}

/// A use of a name; the resolver decides where it lives.
public final class NameRef {
  public let name: String
  public var resolution: Resolution = .unresolved
  public init(_ name: String) { self.name = name }
}

public enum Resolution {
  case unresolved
  /// A slot of the current frame (its declaration says whether it holds a cell).
  case local(LocalDecl)
  /// The k-th captured variable of the current function (a cell copied into the frame on entry).
  case upvalue(Int)
  /// A module-level variable.
  case global(GlobalDecl)
  /// A builtin function or a prelude definition: a constant known before running.
  case builtin(Value)
}

/// A variable declared inside a function (or a block at top level).
public final class LocalDecl {
  public enum Kind: String { case `let`, fn, parameter, loopVariable = "loop variable", catchVariable = "catch variable", `import` }
  public let name: String
  public let slot: Int
  public let kind: Kind
  public let location: SourceLocation
  /// An inner function reads or writes it.
  public var captured = false
  /// An inner function was made in its own `let` (`let f = n => ... f(n - 1)`), before it had a value.
  public var capturedInOwnInitializer = false
  /// The resolver has passed its declaration (uses before that are errors).
  public var declared = false
  public var assignedAfterDeclaration = false
  /// Captured, but never assigned after it gets its value, which it has before any function
  /// capturing it is made: each function keeps a copy of the value (as JavaScript closures keep
  /// a `const`), read like a plain local. `fn` names are visible, hence capturable, before
  /// their statement runs, so they are never copied.
  public var capturedByValue: Bool {
    captured && !assignedAfterDeclaration && !capturedInOwnInitializer && kind != .fn
  }
  /// Captured and possibly changed after capture: it lives in a cell that every function shares.
  public var needsCell: Bool { captured && !capturedByValue }
  /// For `fn` declarations: the function, so calls can be checked before running.
  public var function: FunctionDecl?
  init(name: String, slot: Int, kind: Kind, location: SourceLocation) {
    self.name = name
    self.slot = slot
    self.kind = kind
    self.location = location
  }
}

/// A module-level variable: a slot in the interpreter's global store.
public final class GlobalDecl {
  public let name: String
  public let index: Int
  public var kind: LocalDecl.Kind
  public var location: SourceLocation?
  public var declared = false
  public var assignedAfterDeclaration = false
  public var function: FunctionDecl?
  init(name: String, index: Int, kind: LocalDecl.Kind, location: SourceLocation?) {
    self.name = name
    self.index = index
    self.kind = kind
    self.location = location
  }
}

/// Where a `let`, parameter or loop variable stores its value.
public enum BindingTarget {
  case unresolved
  case local(LocalDecl)
  case global(GlobalDecl)
}

public final class Binding {
  public let name: String
  public let location: SourceLocation
  public var target: BindingTarget = .unresolved
  public init(name: String, location: SourceLocation) {
    self.name = name
    self.location = location
  }
}

public final class ParamDecl {
  public let binding: Binding
  public let defaultValue: Expr?
  init(binding: Binding, defaultValue: Expr?) {
    self.binding = binding
    self.defaultValue = defaultValue
  }
}

/// A function or lambda.
public final class FunctionDecl {
  public let name: String
  public let params: [ParamDecl]
  public let body: Block
  public let location: SourceLocation
  /// Frame layout, filled by the resolver: locals first, then captured cells.
  public var localCount = 0
  /// For each captured variable, the slot in the enclosing frame that holds its cell.
  public var upvalueSources: [Int] = []
  public var upvalueNames: [String] = []
  /// The variable behind each upvalue, in the function that declares it.
  public var upvalueDecls: [LocalDecl] = []
  init(name: String, params: [ParamDecl], body: Block, location: SourceLocation) {
    self.name = name
    self.params = params
    self.body = body
    self.location = location
  }

  public var parameterNames: [String] { params.map(\.binding.name) }

  /// Each parameter as documentation shows it: `gamma: 0.99` when the default is a literal,
  /// `f: …` when it is computed.
  public var parameterSignatures: [String] {
    params.map { p in
      guard let d = p.defaultValue else { return p.binding.name }
      return "\(p.binding.name): \(Self.literalText(d) ?? "…")"
    }
  }

  private static func literalText(_ e: Expr) -> String? {
    switch e.kind {
    case .literal(.string(let s)): return Format.quoted(s.value)
    case .literal(let v): return Format.display(v)
    case .unary(.negate, let inner): return literalText(inner).map { "-" + $0 }
    case .list(let items): return items.isEmpty ? "[]" : nil
    default: return nil
    }
  }
}

public final class Block {
  public var statements: [Stmt]
  /// Captured variables declared directly in this block: each entry into the block gives them
  /// fresh cells, so closures made in a loop each see their own iteration's variables.
  public var capturedDecls: [LocalDecl] = []
  public let location: SourceLocation
  init(_ statements: [Stmt], at location: SourceLocation) {
    self.statements = statements
    self.location = location
  }
}

public enum AssignOp: String { case add = "+=", subtract = "-=", multiply = "*=", divide = "/=" }

public final class Stmt {
  public let location: SourceLocation
  public var kind: StmtKind
  init(_ kind: StmtKind, at location: SourceLocation) {
    self.kind = kind
    self.location = location
  }
}

public enum StmtKind {
  case expression(Expr)
  /// `let x = e` or `let (a, b) = e`.
  case `let`([Binding], destructure: Bool, Expr)
  /// `target = e` or `target += e`.
  case assign(Expr, AssignOp?, Expr)
  case function(FunctionDecl, Binding)
  case `if`([(Expr, Block)], else: Block?)
  case `while`(Expr, Block)
  /// `for x in e` or `for (i, x) in e`; the loop variables are declared in the body block.
  case `for`([Binding], destructure: Bool, Expr, Block)
  case `break`
  case `continue`
  case `return`(Expr?)
  case `try`(Block, Binding?, Block)
  case `throw`(Expr)
  case `import`(String, Binding)
}

/// A parsed file or REPL entry.
public final class Program {
  public let file: SourceFile
  public let body: Block
  /// Slots for block-scoped locals of the top-level code.
  public var localCount = 0
  init(file: SourceFile, body: Block) {
    self.file = file
    self.body = body
  }
}
