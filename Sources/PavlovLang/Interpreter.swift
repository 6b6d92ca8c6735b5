import Glibc
import CPavlovSupport

/// A frame is a window of the value stack: locals first, then the cells of captured variables.
public typealias Frame = UnsafeMutablePointer<Value>
/// A compiled expression.
typealias Eval = (Frame) throws(PavlovError) -> Value
/// A compiled statement; a non-normal flow unwinds to the enclosing loop or function.
typealias Exec = (Frame) throws(PavlovError) -> Flow

enum Flow: UInt8 { case normal, breakLoop, continueLoop, returned }

/// What the compiler produces for a function: its code and frame layout.
final class FunctionProto {
  let name: String
  let parameterNames: [String]
  /// For documentation: `name` or `name: default` (see `FunctionDecl.parameterSignatures`).
  var parameterSignatures: [String] = []
  let frameSize: Int
  let upvalueBase: Int
  let defaults: [Eval?]
  let firstDefault: Int
  let capturedParameters: [Int]
  let location: SourceLocation
  var body: Eval = { _ in .null }
  init(name: String, parameterNames: [String], frameSize: Int, upvalueBase: Int, defaults: [Eval?],
       capturedParameters: [Int], location: SourceLocation) {
    self.name = name
    self.parameterNames = parameterNames
    self.frameSize = frameSize
    self.upvalueBase = upvalueBase
    self.defaults = defaults
    self.firstDefault = defaults.firstIndex { $0 != nil } ?? defaults.count
    self.capturedParameters = capturedParameters
    self.location = location
  }
}

/// What a call does to a fresh frame before running the body.
enum FrameSetUp {
  /// Nothing: no captured variables, captured parameters or defaults.
  case nothing
  /// Copies the captures in (inline in the call: most closures need only this).
  case captures
  /// `Interpreter.prepareFrame`: captures, missing defaults, boxed parameters.
  case full
}

/// A user function value: compiled code plus what it captured: for each upvalue, a cell shared
/// with the enclosing function, or a copy of a value that never changes (`capturedByValue`).
public final class Closure: Callable {
  let proto: FunctionProto
  let captures: [Value]
  // Copied out of `proto` so a call reads them without another pointer hop.
  let body: Eval
  let frameSize: Int
  public let parameterCount: Int
  let setUp: FrameSetUp
  let upvalueBase: Int
  /// The frame slots a return clears: all of them, but for the captures a call lent (they
  /// are taken back, cleared, before the call returns or throws).
  let slotsToClear: Int
  init(proto: FunctionProto, captures: [Value]) {
    self.proto = proto
    self.captures = captures
    body = proto.body
    frameSize = proto.frameSize
    parameterCount = proto.parameterNames.count
    upvalueBase = proto.upvalueBase
    if !proto.capturedParameters.isEmpty || proto.firstDefault < proto.parameterNames.count {
      setUp = .full
    } else {
      setUp = captures.isEmpty ? .nothing : .captures
    }
    slotsToClear = setUp == .captures ? upvalueBase : frameSize
    super.init(name: proto.name, kind: .closure)
  }

  public var parameterNames: [String] { proto.parameterNames }
  public var location: SourceLocation { proto.location }
}

/// A method together with the value it was read from (`let p = xs.push`).
public final class BoundMethod: Callable {
  let receiver: Value
  let method: BuiltinFunction
  init(receiver: Value, method: BuiltinFunction) {
    self.receiver = receiver
    self.method = method
    super.init(name: method.name, kind: .boundMethod)
  }
}

/// Runs compiled Pavlov code. One interpreter holds the builtins, the global variables, the
/// value stack and the state of a session (the REPL keeps one for its whole life).
public final class Interpreter {
  public let registry: Registry
  public let globals = GlobalScope()
  /// Values defined by `stdlib/prelude.pav`, visible everywhere like builtins.
  public internal(set) var preludeValues: [String: Value] = [:]
  public internal(set) var preludeDocs: [String: String] = [:]

  // The value stack never moves, so frames can be raw pointers.
  static let stackCapacity = 1 << 21
  @usableFromInline let stack: UnsafeMutablePointer<Value>
  @usableFromInline var initializedSlots = 0
  @usableFromInline var sp = 0

  var depth = 0
  /// The closure whose body runs now (not a reference: the call running it holds one), nil
  /// outside every closure. A call of this same closure from the variable holding it needs no
  /// reference of its own (`Compiler.callRunning`).
  @usableFromInline var running: UnsafeMutableRawPointer?
  /// Calls deeper than this end in a catchable "stack overflow" error instead of a crash.
  public var maxDepth = 8_000
  /// Calls also stop when the native stack comes within `nativeStackMargin` of its end:
  /// deep recursion through deeply nested expressions can exhaust it before `maxDepth`.
  var nativeStackLimit: UInt = 0
  static let nativeStackMargin: UInt = 2 << 20
  var returnValue: Value = .null

  // Interrupt and step-budget polling: `ticks` counts down at calls and loop iterations.
  @usableFromInline var ticks = 4096
  /// When set, running more than this many steps stops with an interrupt (used by fuzz tests).
  public var stepLimit: Int? { didSet { stepsLeft = stepLimit ?? Int.max; ticks = min(4096, stepsLeft) } }
  var stepsLeft = Int.max

  /// Where `print` writes. Defaults to standard output; tests capture it.
  public var write: (String) -> Void = { text in
    text.utf8CString.withUnsafeBufferPointer { buffer in
      _ = fwrite(buffer.baseAddress, 1, buffer.count - 1, stdout)
    }
  }

  /// Where progress displays (training bars) write: standard error, as tqdm's, so what a script
  /// prints stays clean when piped. Tests silence it.
  public var writeStatus: (String) -> Void = { text in
    text.utf8CString.withUnsafeBufferPointer { buffer in _ = fwrite(buffer.baseAddress, 1, buffer.count - 1, stderr) }
    fflush(stderr)
  }
  /// Whether `writeStatus` reaches a terminal, where a display may redraw itself in place.
  public var statusIsTerminal = isatty(2) != 0

  /// Folders searched for `import` after the importing file's own folder.
  public var importPaths: [String] = []
  var moduleCache: [String: Value] = [:]
  /// Every global scope this interpreter made (prelude, modules), so `tearDown` can empty them.
  var ownedScopes: [GlobalScope] = []
  var modulesLoading: Set<String> = []
  /// State other layers attach to a session (the seeded generator, for example).
  public var extensions: [String: AnyObject] = [:]
  /// The session's random generator, kept in a field of its own because every `rand()` reads
  /// it (a dictionary lookup per draw showed up in profiles). Its type lives in PavlovStdlib.
  public var randomSource: AnyObject?

  /// The type of caught errors (`catch e`).
  public let errorType: NativeType

  public init(registry: Registry = Registry()) {
    self.registry = registry
    stack = UnsafeMutablePointer<Value>.allocate(capacity: Self.stackCapacity)
    errorType = registry.types["error"] ?? registry.addType(ErrorValue.makeType())
    if registry.function(named: "print") == nil { CoreLibrary.register(into: registry) }
  }

  deinit {
    stack.deinitialize(count: initializedSlots)
    stack.deallocate()
  }

  /// Ends the session: drops every value it holds, which frees its compiled code.
  ///
  /// Compiled code holds its interpreter and global scope strongly (weak or unowned captures
  /// cost ~45% more reference counting per call, measured on fib), so a session's functions
  /// and the interpreter form a cycle. Whoever owns a session calls this when done with it
  /// (the REPL on `:reset`, test sessions when they end); afterwards the interpreter is unusable.
  public func tearDown() {
    globals.reset()
    for scope in ownedScopes { scope.reset() }
    ownedScopes.removeAll()
    preludeValues.removeAll()
    preludeDocs.removeAll()
    moduleCache.removeAll()
    extensions.removeAll()
    randomSource = nil
    returnValue = .null
    for i in 0..<initializedSlots { stack[i] = .null }
    sp = 0
  }

  // MARK: - Running code

  /// Parses, checks and runs `source`; returns the value of a final expression statement.
  @discardableResult
  public func run(_ file: SourceFile, replMode: Bool = false) throws(PavlovError) -> Value {
    let program = try Parser.parse(file)
    return try run(program, globals: globals, replMode: replMode)
  }

  @discardableResult
  public func run(source: String, name: String = "<string>") throws(PavlovError) -> Value {
    try run(SourceFile(name: name, text: source))
  }

  /// Parses and resolves only (`pavlov check`): reports every error, runs nothing.
  public func check(_ file: SourceFile) throws(PavlovError) {
    let program = try Parser.parse(file)
    var resolver = Resolver(globals: GlobalScope(), interpreter: self, allowRedeclaration: false)
    try resolver.resolve(program)
  }

  func run(_ program: Program, globals: GlobalScope, replMode: Bool) throws(PavlovError) -> Value {
    if depth == 0 {
      // The thread running this may differ between runs (tests, REPL), so measure each time.
      let low = UInt(pavlov_stack_low())
      nativeStackLimit = low == 0 ? 0 : low + Self.nativeStackMargin
    }
    var resolver = Resolver(globals: globals, interpreter: self, allowRedeclaration: replMode)
    try resolver.resolve(program)
    let compiled = Compiler(interpreter: self, globals: globals, file: program.file).compile(program)
    let base = sp
    let savedDepth = depth
    try ensureStack(program.localCount)
    sp = base + program.localCount
    defer {
      for i in 0..<program.localCount { stack[base + i] = .null }
      sp = base
      depth = savedDepth
    }
    return try compiled(stack + base)
  }

  // MARK: - Stack

  @inline(__always)
  func ensureStack(_ extra: Int) throws(PavlovError) {
    let needed = sp &+ extra  // both bounded by the stack's capacity
    if needed > initializedSlots { try growStack(to: needed) }
  }

  @inline(never)
  func growStack(to needed: Int) throws(PavlovError) {
    guard needed <= Self.stackCapacity else {
      throw PavlovError.runtime("stack overflow: the value stack is full (depth \(depth))",
                                hint: "is there a recursion without a base case?")
    }
    // Doubling from 4,096 slots (64 KiB): a first step of 65,536 slots wrote a whole MiB at
    // every start, a quarter of a short script's page faults.
    let target = min(Self.stackCapacity, max(needed, initializedSlots * 2, 4_096))
    (stack + initializedSlots).initialize(repeating: .null, count: target - initializedSlots)
    initializedSlots = target
  }

  /// Where the native stack is now: the calling function's frame.
  @inline(__always)
  static func stackAddress() -> UInt { UInt(pavlov_frame_address()) }

  /// Drops the reference a dead slot holds, so a big list in a returned frame is freed now;
  /// slots holding plain numbers are left alone (clearing them costs a call per slot).
  @inline(__always)
  static func release(_ slot: UnsafeMutablePointer<Value>) { Teardown.drop(&slot.pointee) }

  /// Writes `v` into a slot. A slot holding a number, a bool or nil (most do: dead slots are
  /// cleared to nil) has nothing to release, so the write skips Value's outlined destroy.
  @inline(__always)
  static func write(_ v: Value, to slot: UnsafeMutablePointer<Value>) {
    switch slot.pointee {
    case .int, .float, .bool, .null: slot.initialize(to: v)
    default: slot.pointee = v
    }
  }

  @inline(__always)
  func push(_ v: Value) {
    Self.write(v, to: stack + sp)
    sp &+= 1
  }

  // MARK: - Polling (Ctrl-C, step limits)

  @inline(__always)
  func tick() throws(PavlovError) {
    ticks &-= 1
    if ticks <= 0 || pavlov_interrupt_seen() != 0 { try poll() }
  }

  @inline(never)
  func poll() throws(PavlovError) {
    if stepsLeft != Int.max {
      stepsLeft -= max(1, 4096 - ticks)
      if stepsLeft <= 0 {
        stepsLeft = 0
        ticks = 1
        throw PavlovError(kind: .interrupt, message: "step limit of \(stepLimit ?? 0) reached")
      }
    }
    ticks = min(4096, stepsLeft)
    if pavlov_take_interrupt() != 0 {
      throw PavlovError.interrupted()
    }
  }

  // MARK: - Calls

  /// Calls `callee` with arguments already pushed at `base` (positional first, then the
  /// values of the keyword arguments named in `labels`, in order).
  @inline(__always)
  func invoke(_ callee: Value, base: Int, argc: Int, labels: [String]?) throws(PavlovError) -> Value {
    guard case .function(let fn) = callee else {
      if case .object(let o) = callee, let call = o.type.call {
        return try callBuiltin(call, receiver: callee, base: base, argc: argc, labels: labels)
      }
      sp = base
      throw PavlovError.runtime("\(callee.typeName) is not callable", hint: "only functions can be called with (...)")
    }
    switch fn.kind {
    case .closure:
      return try callClosure(unsafeDowncast(fn, to: Closure.self), base: base, argc: argc, labels: labels)
    case .builtin:
      return try callBuiltin(unsafeDowncast(fn, to: BuiltinFunction.self), receiver: .null, base: base, argc: argc, labels: labels)
    case .boundMethod:
      let bound = unsafeDowncast(fn, to: BoundMethod.self)
      return try callBuiltin(bound.method, receiver: bound.receiver, base: base, argc: argc, labels: labels)
    case .other:
      throw PavlovError.runtime("cannot call \(fn.name)")
    }
  }

  func callClosure(_ closure: Closure, base: Int, argc: Int, labels: [String]?) throws(PavlovError) -> Value {
    try runClosure(closure, base: base, argc: argc, labels: labels, lendingInline: true)
  }

  /// `callClosure`, inlined where a call site calls closures directly (`Compiler.call(in:)`):
  /// fib(22) 24.4M -> 22.1M instructions. Inlined everywhere, it made method calls slower.
  ///
  /// `lendingInline` (a constant where this is inlined) inlines the set-up of a closure with
  /// captures too: where methods on records of closures are called (`callClosure`), not into
  /// the direct call sites, where it made this too big to be inlined at all.
  @inline(__always)
  func runClosure(_ closure: Closure, base: Int, argc: Int, labels: [String]?, lendingInline: Bool = false) throws(PavlovError) -> Value {
    try tick()
    // Wrapping arithmetic here and below: depth stops at maxDepth + 1 and stack offsets at
    // the stack's capacity, far from overflowing, and the checks cost a branch each per call.
    depth &+= 1
    if depth > maxDepth || Self.stackAddress() < nativeStackLimit { throw stackOverflow(in: closure) }
    let frameSize = closure.frameSize
    if base &+ frameSize &+ 8 > initializedSlots { try growStack(to: base &+ frameSize &+ 8) }
    let frame = stack + base
    if labels != nil || argc != closure.parameterCount {
      sp = base + argc
      try bindArguments(closure.proto, frame: frame, argc: argc, labels: labels)
    }
    // Locals past the parameters need no reset: the resolver guarantees each is written by its
    // `let` (or, if it needs a cell, given a fresh one by its block) before it is read.
    sp = base &+ frameSize
    let outer = running
    running = Unmanaged.passUnretained(closure).toOpaque()
    let result: Value
    do throws(PavlovError) {
      switch closure.setUp {
      case .nothing: result = try closure.body(frame)
      case .captures:
        if lendingInline { result = try Self.lendingCaptures(closure, frame) } else { result = try Self.runLendingCaptures(closure, frame) }
      case .full:
        try prepareFrame(closure, frame)
        result = try closure.body(frame)
      }
    } catch {
      running = outer  // exact on the way out of an error too: an address left behind could be reused
      throw error
    }
    running = outer
    // `callRunning` relies on this call's reference to the closure lasting until here.
    withExtendedLifetime(closure) {}
    let slotsToClear = closure.slotsToClear
    var k = 0
    while k < slotsToClear { Self.release(frame + k); k &+= 1 }
    sp = base
    depth &-= 1
    return result
  }

  /// Out of line: building the message inline made `runClosure` too big to inline.
  @inline(never)
  func stackOverflow(in closure: Closure) -> PavlovError {
    PavlovError.runtime("stack overflow (depth \(depth)) in `\(closure.name)`",
                        hint: "is there a recursion without a base case? the limit is \(maxDepth) nested calls")
  }

  /// `lendingCaptures`, out of line.
  @inline(never)
  static func runLendingCaptures(_ closure: Closure, _ frame: Frame) throws(PavlovError) -> Value {
    try lendingCaptures(closure, frame)
  }

  /// Runs the body of a closure with captures, lent to its frame (`lendCaptures`).
  @inline(__always)
  static func lendingCaptures(_ closure: Closure, _ frame: Frame) throws(PavlovError) -> Value {
    let upvalues = frame + closure.upvalueBase
    let lent = lendCaptures(closure, to: upvalues)
    let result: Value
    do throws(PavlovError) { result = try closure.body(frame) } catch {
      takeBack(lent, from: upvalues)
      withExtendedLifetime(closure) {}
      throw error
    }
    takeBack(lent, from: upvalues)
    withExtendedLifetime(closure) {}  // the captures it lent stay alive until here
    return result
  }

  /// Puts a closure's captured values into its frame's upvalue slots without counting
  /// references to them (a retain and a release per captured value per call): the closure
  /// holds them, its caller holds the closure until the call returns (`lendingCaptures` extends
  /// its lifetime to there), a closure's captures never change, and no code assigns a copied
  /// upvalue (the resolver gives assigned captures cells, and assigns through the cell).
  /// Reading the slot copies the value as any read does. Returns how many slots were lent.
  @inline(__always)
  static func lendCaptures(_ closure: Closure, to upvalues: Frame) -> Int {
    closure.captures.withUnsafeBufferPointer { captures in
      guard let base = captures.baseAddress else { return 0 }
      let source = UnsafeRawPointer(base), target = UnsafeMutableRawPointer(upvalues)
      for j in captures.indices {
        release(upvalues + j)  // a value left by a call that threw
        // The bytes, two words at a time (a Value is two words): memmove through the PLT
        // cost more than the copy.
        let offset = j &* MemoryLayout<Value>.stride
        if MemoryLayout<Value>.stride == 16 {
          target.storeBytes(of: source.load(fromByteOffset: offset, as: UInt64.self), toByteOffset: offset, as: UInt64.self)
          target.storeBytes(of: source.load(fromByteOffset: offset &+ 8, as: UInt64.self), toByteOffset: offset &+ 8, as: UInt64.self)
        } else {
          (target + offset).copyMemory(from: source + offset, byteCount: MemoryLayout<Value>.size)
        }
      }
      return captures.count
    }
  }

  /// Clears lent upvalue slots without releasing what they hold (they never held a reference).
  @inline(__always)
  static func takeBack(_ count: Int, from upvalues: Frame) {
    if count > 0 { upvalues.initialize(repeating: .null, count: count) }
  }

  /// Copies captured cells in, evaluates missing defaults, and boxes captured parameters.
  func prepareFrame(_ closure: Closure, _ frame: Frame) throws(PavlovError) {
    let proto = closure.proto
    closure.captures.withUnsafeBufferPointer { captures in
      let upvalues = frame + proto.upvalueBase
      for j in 0..<captures.count { upvalues[j] = captures[j] }
    }
    let paramCount = closure.parameterCount
    if proto.firstDefault >= paramCount {
      for k in proto.capturedParameters { frame[k] = .cell(Cell(frame[k])) }
      return
    }
    // In order: a default may read (or capture) earlier parameters, boxed by then if captured.
    for k in 0..<paramCount {
      if k >= proto.firstDefault, case .undefined = frame[k], let d = proto.defaults[k] { frame[k] = try d(frame) }
      if proto.capturedParameters.contains(k) { frame[k] = .cell(Cell(frame[k])) }
    }
  }

  /// Matches positional and keyword arguments to parameters; missing ones with defaults become
  /// `.undefined` and are filled in by the callee.
  func bindArguments(_ proto: FunctionProto, frame: Frame, argc: Int, labels: [String]?) throws(PavlovError) {
    let names = proto.parameterNames
    let keywordCount = labels?.count ?? 0
    let positional = argc - keywordCount
    if positional > names.count {
      throw PavlovError.runtime("`\(proto.name)` takes \(names.count) argument\(names.count == 1 ? "" : "s") but \(positional) were given",
                                hint: "its parameters are (\(names.joined(separator: ", ")))")
    }
    var bound = [Value](repeating: .undefined, count: names.count)
    for k in 0..<positional { bound[k] = frame[k] }
    if let labels {
      for (k, label) in labels.enumerated() {
        guard let index = names.firstIndex(of: label) else {
          let near = Suggest.closest(to: label, among: names).map { "did you mean `\($0)`? " } ?? ""
          throw PavlovError.runtime("`\(proto.name)` has no parameter named `\(label)`",
                                    hint: "\(near)its parameters are (\(names.joined(separator: ", ")))")
        }
        if index < positional {
          throw PavlovError.runtime("`\(label)` is given both by position and by name in the call to `\(proto.name)`")
        }
        bound[index] = frame[positional + k]
      }
    }
    for (k, v) in bound.enumerated() {
      if case .undefined = v, proto.defaults[k] == nil {
        throw PavlovError.runtime("missing argument `\(names[k])` in call to `\(proto.name)`",
                                  hint: "its parameters are (\(names.joined(separator: ", ")))")
      }
      frame[k] = v
    }
    for k in names.count..<max(argc, names.count) { frame[k] = .null }
  }

  func callBuiltin(_ b: BuiltinFunction, receiver: Value, base: Int, argc: Int, labels: [String]?) throws(PavlovError) -> Value {
    let params = b.params
    sp = base + argc
    if labels == nil && !b.hasVariadic && b.keywordsIndex == nil && argc <= params.count {
      if argc < params.count {
        if argc < b.requiredCount {
          throw PavlovError.runtime("missing argument `\(params[argc].name)` in call to `\(b.name)`",
                                    hint: "usage: \(b.signature)")
        }
        try ensureStack(params.count - argc)
        for k in argc..<params.count {
          stack[base + k] = params[k].defaultValue ?? .null
        }
      }
    } else {
      try normalizeBuiltinArguments(b, base: base, argc: argc, labels: labels)
    }
    sp = base + params.count
    let result = try Self.runBuiltin(b) { () throws -> Value in
      try b.body(Args(interpreter: self, base: stack + base, count: params.count, receiver: receiver, function: b))
    }
    var k = base
    while k < sp { Self.release(stack + k); k += 1 } // drop references held by the arguments
    sp = base
    return result
  }

  /// Runs a builtin's body, or a direct entry standing for it (`fast0`, `fast1`, `method1`),
  /// as every call of it does: an error that is not a Pavlov error becomes a runtime error
  /// named after the builtin, and no builtin hands back a string past the cap (a loop tripling
  /// a string with join, say). A `try` that catches the error restores the value stack.
  @inline(__always)
  static func runBuiltin(_ b: BuiltinFunction, _ body: () throws -> Value) throws(PavlovError) -> Value {
    let result: Value
    do { result = try body() } catch let error as PavlovError { throw error } catch { throw PavlovError.runtime("\(b.name): \(error)") }
    if case .string(let s) = result, s.utf8Count > Ops.maxStringBytes { throw oversizeResult(b, s) }
    return result
  }

  @inline(never)
  static func oversizeResult(_ b: BuiltinFunction, _ s: PString) -> PavlovError {
    PavlovError.runtime("\(b.name): the resulting string is too large (\(s.utf8Count) bytes; the limit is \(Ops.maxStringBytes))",
                        hint: "is a loop growing a string without end?")
  }

  func normalizeBuiltinArguments(_ b: BuiltinFunction, base: Int, argc: Int, labels: [String]?) throws(PavlovError) {
    let params = b.params
    // The common variadic call (`max(a, b)`, `print(x)`): no keywords, the variadic parameter
    // first. Collect the arguments into its list and give the rest their defaults.
    if labels == nil, b.variadicFirst {
      let rest = Array(UnsafeBufferPointer(start: stack + base, count: argc))
      try ensureStack(params.count)
      stack[base] = .list(PList(rest))
      for k in 1..<max(1, params.count) where k < params.count { stack[base + k] = params[k].defaultValue ?? .null }
      return
    }
    let keywordCount = labels?.count ?? 0
    let positional = argc - keywordCount
    var slots = [Value?](repeating: nil, count: params.count)
    var rest: [Value] = []
    var next = 0
    var extraKeywords: [(String, Value)] = []
    for k in 0..<positional {
      let v = stack[base + k]
      while next < params.count && (params[next].kind == .keywordOnly || params[next].kind == .keywords) { next += 1 }
      if next < params.count && params[next].kind == .variadic {
        rest.append(v)
      } else if next < params.count {
        slots[next] = v
        next += 1
      } else {
        throw PavlovError.runtime("`\(b.name)` takes at most \(params.count) argument\(params.count == 1 ? "" : "s") but \(positional) were given",
                                  hint: "usage: \(b.signature)")
      }
    }
    if let labels {
      for (k, label) in labels.enumerated() {
        guard let index = params.firstIndex(where: { $0.name == label && $0.kind != .variadic && $0.kind != .keywords }) else {
          if b.keywordsIndex != nil {
            extraKeywords.append((label, stack[base + positional + k]))
            continue
          }
          let near = Suggest.closest(to: label, among: params.map(\.name)).map { "did you mean `\($0)`? " } ?? ""
          throw PavlovError.runtime("`\(b.name)` has no parameter named `\(label)`", hint: "\(near)usage: \(b.signature)")
        }
        if slots[index] != nil {
          throw PavlovError.runtime("`\(label)` is given twice in the call to `\(b.name)`")
        }
        slots[index] = stack[base + positional + k]
      }
    }
    try ensureStack(params.count)
    for (k, p) in params.enumerated() {
      if p.kind == .variadic {
        stack[base + k] = .list(PList(rest))
      } else if p.kind == .keywords {
        stack[base + k] = .record(PRecord(extraKeywords))
      } else if let v = slots[k] {
        stack[base + k] = v
      } else if let d = p.defaultValue {
        stack[base + k] = d
      } else {
        throw PavlovError.runtime("missing argument `\(p.name)` in call to `\(b.name)`", hint: "usage: \(b.signature)")
      }
    }
  }

  /// Calls a Pavlov function value from Swift with positional arguments.
  public func call(_ callee: Value, _ arguments: [Value], labels: [String]? = nil) throws(PavlovError) -> Value {
    let base = sp, savedDepth = depth
    try ensureStack(arguments.count + 1)
    for a in arguments { push(a) }
    do throws(PavlovError) {
      return try invoke(callee, base: base, argc: arguments.count, labels: labels)
    } catch {
      // A call that throws leaves its depth counted (a Pavlov `try` restores it): a Swift
      // caller that goes on after an error (`try?` around an env's render) must too.
      sp = base
      depth = savedDepth
      if case .function(let f) = callee, f is Closure { error.callSites.append(TraceEntry(function: f.name, location: nil)) }
      throw error
    }
  }

  // MARK: - Members

  /// `value.name` for reading: a record field, a property, or a method bound to the value.
  public func member(_ value: Value, _ name: String) throws(PavlovError) -> Value {
    if case .record(let r) = value, let v = r[name] { return v }
    let type = registry.type(of: value)
    if let p = type.properties[name] { return try Interpreter.bridge { () throws in try p.get(value) } }
    if let m = type.methods[name] { return .function(BoundMethod(receiver: value, method: m)) }
    throw memberError(value, name)
  }

  func memberError(_ value: Value, _ name: String) -> PavlovError {
    let type = registry.type(of: value)
    var candidates = type.memberNames
    if case .record(let r) = value {
      candidates += r.keys.map(\.text)
      let near = Suggest.closest(to: name, among: candidates).map { "did you mean `\($0)`?" }
      let keys = r.keys.prefix(12).map(\.text).joined(separator: ", ")
      return .runtime("record has no key `\(name)`", hint: near ?? (r.count == 0 ? "the record is empty" : "its keys are: \(keys)"))
    }
    let near = Suggest.closest(to: name, among: candidates).map { "did you mean `\($0)`?" }
    return .runtime("\(type.name) has no member `\(name)`", hint: near ?? "see `:help \(type.name)`")
  }
}

extension Interpreter {
  /// Runs Swift code that may throw any error, turning a foreign error into a Pavlov one.
  @inline(__always)
  static func bridge<T>(_ body: () throws -> T) throws(PavlovError) -> T {
    do { return try body() } catch let error as PavlovError { throw error } catch { throw PavlovError.runtime("\(error)") }
  }
}
