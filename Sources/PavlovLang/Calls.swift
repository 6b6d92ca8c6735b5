/// How compiled code calls: direct calls of closures found in slots, method calls on
/// records and native values, argument pushing, and the per-site objects their closures
/// capture (one object each: see "Why closure compilation" in docs/architecture.md).

extension Compiler {
  typealias Push = (Frame) throws(PavlovError) -> Void

  /// `f()`, `f(x)` or `f(x, y)`. When `f` is a global or a plain local, a closure found there
  /// is called without first copying the slot's value (one reference count instead of two,
  /// and no dispatch on the callee's kind); anything else is called as any callee is.
  func directClosureCall(_ callee: Operand, _ a: Operand?, _ b: Operand?, at loc: SourceLocation) -> Eval {
    // The closures capture one object: a forwarding thunk copies a closure's whole context
    // into arguments on every call, and a location alone is four words.
    let site = DirectCallSite(interp: interp, callee: callee, a: a, b: b, location: loc)
    // One closure per argument count, each with its count a constant: the call path then
    // neither tests nor loads an argument it does not have.
    switch (callee, site.argc) {
    case (.global(let store, let index, _), 0):
      return { f throws(PavlovError) in try Compiler.call(in: store.storage + index, f, site, argc: 0) }
    case (.global(let store, let index, _), 1):
      return { f throws(PavlovError) in try Compiler.call(in: store.storage + index, f, site, argc: 1) }
    case (.global(let store, let index, _), _):
      return { f throws(PavlovError) in try Compiler.call(in: store.storage + index, f, site, argc: 2) }
    case (.local(let slot), 0):
      return { f throws(PavlovError) in try Compiler.call(in: f + slot, f, site, argc: 0) }
    case (.local(let slot), 1):
      return { f throws(PavlovError) in try Compiler.call(in: f + slot, f, site, argc: 1) }
    case (.local(let slot), _):
      return { f throws(PavlovError) in try Compiler.call(in: f + slot, f, site, argc: 2) }
    default:
      return { f throws(PavlovError) in try Compiler.call(f, site) }
    }
  }

  /// The call of `site` whose callee is the value in `slot`; `argc` is the site's (a constant
  /// where this is inlined).
  @inline(__always)
  static func call(in slot: UnsafeMutablePointer<Value>, _ f: Frame, _ site: DirectCallSite, argc: Int) throws(PavlovError) -> Value {
    // The slot's first word is a function's reference (the layout `RunningClosureTests` checks).
    if let running = site.interp.running, Value.reference(in: slot) == UnsafeRawPointer(running), case .function = slot.pointee {
      return try callRunning(Unmanaged<Closure>.fromOpaque(running), f, site, argc: argc)
    }
    guard let closure = Value.closure(in: slot)?.reference else { return try call(f, site) }
    let base = site.interp.sp
    try pushArguments(f, site, argc: argc)
    do throws(PavlovError) { return try site.interp.runClosure(closure, base: base, argc: argc, labels: nil) }
    catch { throw annotate(error, closure.name, site.location) }
  }

  /// A call of the closure running now, found again in the slot (a recursion, `fib(n - 1)`):
  /// the call that started the running one holds it until it returns, which is after this
  /// call, so this call takes no reference of its own (a retain and a release, ~40
  /// instructions, of fib's ~300 a call). `Interpreter.running` is exact on every path,
  /// errors included, so an equal address is this closure and no other.
  @inline(__always)
  static func callRunning(_ running: Unmanaged<Closure>, _ f: Frame, _ site: DirectCallSite, argc: Int) throws(PavlovError) -> Value {
    let base = site.interp.sp
    try pushArguments(f, site, argc: argc)
    do {
      return try running._withUnsafeGuaranteedRef { closure in try site.interp.runClosure(closure, base: base, argc: argc, labels: nil) }
    } catch {
      throw annotate(error as! PavlovError, running.takeUnretainedValue().name, site.location)
    }
  }

  /// The call of `site` with its callee read as any operand is: functions of every kind,
  /// callable objects, and the error for anything else. Out of line: inlined into the direct
  /// path's fallback, it made fib 7% slower.
  @inline(never)
  static func call(_ f: Frame, _ site: DirectCallSite) throws(PavlovError) -> Value {
    let function = try site.callee.load(f)
    let base = site.interp.sp
    try pushArguments(f, site, argc: site.argc)
    do throws(PavlovError) { return try site.interp.invoke(function, base: base, argc: site.argc, labels: nil) }
    catch { throw callFailed(error, function, site.location) }
  }

  /// Pushes the site's `argc` (none, one or two) arguments.
  @inline(__always)
  static func pushArguments(_ f: Frame, _ site: DirectCallSite, argc: Int) throws(PavlovError) {
    if argc == 0 { return }
    let interp = site.interp
    try interp.ensureStack(argc)
    interp.push(try site.a.load(f))
    if argc == 2 { interp.push(try site.b.load(f)) }
  }

  /// An error from calling `function` at `loc`: a trace entry named after it if it is a function.
  static func callFailed(_ error: PavlovError, _ function: Value, _ loc: SourceLocation) -> PavlovError {
    if case .function(let fn) = function { return annotate(error, fn.name, loc) }
    return error.located(loc)
  }

  /// A builtin's own error has no location yet: it happened at this call. An error from inside
  /// a called function already has one: this call becomes a frame of the trace.
  static func annotate(_ error: PavlovError, _ name: String, _ loc: SourceLocation) -> PavlovError {
    if error.location == nil { error.location = loc } else { error.callSites.append(TraceEntry(function: name, location: loc)) }
    return error
  }

  /// `receiver.name(args)` once the receiver is known: a record's own function field first
  /// (records of closures act as objects: `env.step(a)`), then the type's method (found
  /// through an inline cache), then a property holding a function. Inlined into the call
  /// site's one closure, which captures the site as a single reference (a closure calling
  /// another closure, with the names and locations in its context, cost ~35 instructions of
  /// thunks per call).
  @inline(__always)
  static func callMethod(_ site: MethodCallSite, _ f: Frame, _ receiver: Value) throws(PavlovError) -> Value {
    if case .record(let r) = receiver, let (position, closure) = r.method(site.hint) {
      if let closure { return try callMethodClosure(site, f, closure.reference) }
      return try callField(site, f, r, position)
    }
    return try callTypeMethod(site, f, receiver)
  }

  /// `callMethod` with the receiver in a variable's slot, read there: the call holds the
  /// field's function, not the record (the method may replace either); anything but a
  /// record's field is read as the operand is (an unset global is an error) and goes to the
  /// type's methods. The name is looked up once (a map of a million int keys misses it).
  /// A closure field is found with the record lent (`PRecord.lent`), and only the closure is
  /// retained. (An earlier version lent the record through the whole call set-up, copying the
  /// field out inside the lent closure: Swift did not inline that closure, and it cost more
  /// than the record's retain, 797M → 892M on method_call.)
  @inline(__always)
  static func callMethod(in slot: UnsafeMutablePointer<Value>, _ site: MethodCallSite, _ f: Frame) throws(PavlovError) -> Value {
    if let found = PRecord.lent(in: slot, { $0.method(site.hint) }), let (position, closure) = found {
      if let closure { return try callMethodClosure(site, f, closure.reference) }
      if case .record(let r) = slot.pointee { return try callField(site, f, r, position) }
    }
    return try callTypeMethod(site, f, try site.receiver.load(f))
  }

  /// Calls what a record's field at `position` holds, when it is not a closure (those are
  /// called directly, `callMethodClosure`), as any callee.
  @inline(__always)
  static func callField(_ site: MethodCallSite, _ f: Frame, _ r: PRecord, _ position: Int) throws(PavlovError) -> Value {
    let interp = site.interp, base = interp.sp
    let field = r.value(at: position)
    try site.pushArguments?(f)
    do throws(PavlovError) { return try interp.invoke(field, base: base, argc: site.argc, labels: site.labels) }
    catch { throw Compiler.annotate(error, site.name, site.location) }
  }

  /// Calls a method that is a closure with the site's arguments: directly, no dispatch
  /// through `invoke`; the caller holds the one reference to it the call needs.
  @inline(__always)
  static func callMethodClosure(_ site: MethodCallSite, _ f: Frame, _ closure: Closure) throws(PavlovError) -> Value {
    let interp = site.interp, base = interp.sp
    try site.pushArguments?(f)
    do throws(PavlovError) { return try interp.callClosure(closure, base: base, argc: site.argc, labels: site.labels) }
    catch { throw Compiler.annotate(error, site.name, site.location) }
  }

  /// The rest of `callMethod`: a method of the receiver's type, or a property holding a function.
  static func callTypeMethod(_ site: MethodCallSite, _ f: Frame, _ receiver: Value) throws(PavlovError) -> Value {
    let interp = site.interp, base = interp.sp, pushArguments = site.pushArguments
    let type = interp.registry.type(of: receiver)
    let cache = site.cache
    let method: BuiltinFunction
    if let cached = cache.method, cache.type === type {
      method = cached
    } else if let found = type.methods[site.name] {
      cache.type = type
      cache.method = found
      method = found
    } else {
      let value: Value
      do throws(PavlovError) { value = try interp.member(receiver, site.name) } catch { throw error.located(site.memberLocation) }
      try pushArguments?(f)
      do throws(PavlovError) { return try interp.invoke(value, base: base, argc: site.argc, labels: site.labels) }
      catch { throw Compiler.annotate(error, site.name, site.location) }
    }
    if let direct = method.method1, let argument = site.argument {
      let value = try argument.load(f)
      do throws(PavlovError) { return try Interpreter.runBuiltin(method) { () throws in try direct(method, receiver, value) } }
      catch { throw Compiler.annotate(error, "\(type.name).\(site.name)", site.location) }
    }
    try pushArguments?(f)
    do throws(PavlovError) { return try interp.callBuiltin(method, receiver: receiver, base: base, argc: site.argc, labels: site.labels) }
    catch { throw Compiler.annotate(error, "\(type.name).\(site.name)", site.location) }
  }

  /// Code that pushes the one argument `a`.
  func compilePush(_ a: Operand) -> Push {
    let interp = self.interp
    return { f throws(PavlovError) in
      let v = try a.load(f)
      try interp.ensureStack(1)
      interp.push(v)
    }
  }

  /// Code that evaluates arguments left to right onto the value stack; small counts are
  /// unrolled so no closure is called through an array.
  func compilePushArguments(_ exprs: [Expr]) -> Push {
    let interp = self.interp
    switch exprs.count {
    case 0:
      return { _ in }
    case 1:
      return compilePush(operand(exprs[0]))
    case 2:
      let a = operand(exprs[0]), b = operand(exprs[1])
      return { f throws(PavlovError) in
        try interp.ensureStack(2)
        interp.push(try a.load(f))
        interp.push(try b.load(f))
      }
    default:
      let a = operand(exprs[0]), rest = compilePushArguments(Array(exprs.dropFirst()))
      return { f throws(PavlovError) in
        try interp.ensureStack(1)
        interp.push(try a.load(f))
        try rest(f)
      }
    }
  }
}

/// The method a call site found last time, keyed by the receiver's type (an inline cache).
final class MethodCache {
  var type: NativeType?
  var method: BuiltinFunction?
}

/// `object.name = value` (or `+=` and the like), as its one closure reads it.
final class MemberWrite {
  let object: Operand
  let value: Eval
  let op: BinaryOp?
  let name: String
  let hint: FieldHint
  let interp: Interpreter
  let location: SourceLocation

  init(object: Operand, value: @escaping Eval, op: BinaryOp?, name: String, interp: Interpreter, location: SourceLocation) {
    self.object = object
    self.value = value
    self.op = op
    self.name = name
    hint = FieldHint(name)
    self.interp = interp
    self.location = location
  }
}

/// A call `f()`, `f(x)` or `f(x, y)` of a global or local function (see `directClosureCall`).
final class DirectCallSite {
  let interp: Interpreter
  let callee: Operand
  /// The arguments; `.constant(.null)`, never read, past `argc`.
  let a: Operand
  let b: Operand
  let argc: Int
  let location: SourceLocation

  init(interp: Interpreter, callee: Operand, a: Operand?, b: Operand?, location: SourceLocation) {
    precondition(a != nil || b == nil, "DirectCallSite: a second argument without a first")
    self.interp = interp
    self.callee = callee
    self.a = a ?? .constant(.null)
    self.b = b ?? .constant(.null)
    argc = a == nil ? 0 : b == nil ? 1 : 2
    self.location = location
  }
}

/// What a method call site `receiver.name(args)` knows: read on the fast path (the field's
/// hint, the argument count) or only off it (the names and locations for errors).
final class MethodCallSite {
  let interp: Interpreter
  let receiver: Operand
  let pushArguments: Compiler.Push?
  /// The argument of a call with one positional argument, for a method's direct entry
  /// (`BuiltinFunction.method1`); `pushArguments` pushes the same operand.
  let argument: Operand?
  let name: String
  let argc: Int
  let labels: [String]?
  let hint: FieldHint
  let cache = MethodCache()
  /// Where `receiver.name` is (a missing member), and where the call is (an error inside it).
  let memberLocation: SourceLocation
  let location: SourceLocation

  init(_ name: String, receiver: Operand, pushArguments: Compiler.Push?, argument: Operand? = nil, argc: Int, labels: [String]?,
       interp: Interpreter, member memberLocation: SourceLocation, call location: SourceLocation) {
    self.interp = interp
    self.receiver = receiver
    self.pushArguments = pushArguments
    self.argument = argument
    self.name = name
    self.argc = argc
    self.labels = labels
    hint = FieldHint(name)
    self.memberLocation = memberLocation
    self.location = location
  }
}
