/// Module-level variables of one interpreter: names for the resolver, values for the evaluator.
/// The REPL keeps one across entries, so a later line sees an earlier line's `let`.
public final class GlobalScope {
  public private(set) var decls: [String: GlobalDecl] = [:]
  /// Values by `GlobalDecl.index`; `.undefined` until the `let` runs.
  @usableFromInline var storage: UnsafeMutablePointer<Value>
  @usableFromInline var capacity: Int
  public private(set) var count = 0

  public init() {
    capacity = 256
    storage = UnsafeMutablePointer<Value>.allocate(capacity: capacity)
    storage.initialize(repeating: .undefined, count: capacity)
  }

  deinit {
    storage.deinitialize(count: capacity)
    storage.deallocate()
  }

  func declare(_ name: String, kind: LocalDecl.Kind, at location: SourceLocation?) -> GlobalDecl {
    if let existing = decls[name] { return existing }
    if count == capacity { grow() }
    let decl = GlobalDecl(name: name, index: count, kind: kind, location: location)
    count += 1
    decls[name] = decl
    return decl
  }

  private func grow() {
    let newCapacity = capacity * 2
    let fresh = UnsafeMutablePointer<Value>.allocate(capacity: newCapacity)
    fresh.moveInitialize(from: storage, count: capacity)
    (fresh + capacity).initialize(repeating: .undefined, count: newCapacity - capacity)
    storage.deallocate()
    storage = fresh
    capacity = newCapacity
  }

  @inlinable public subscript(index: Int) -> Value {
    get { storage[index] }
    set { storage[index] = newValue }
  }

  /// Reads a global by name (for embedding and tests); nil if undeclared or not yet set.
  public func value(named name: String) -> Value? {
    guard let d = decls[name] else { return nil }
    if case .undefined = storage[d.index] { return nil }
    return storage[d.index]
  }

  /// Declares (or overwrites) a global from Swift, e.g. `args` for a script.
  public func define(_ name: String, _ value: Value) {
    let d = declare(name, kind: .let, at: nil)
    d.declared = true
    storage[d.index] = value
  }

  /// The names that hold values, sorted, for `:vars` and completion.
  public var definedNames: [String] {
    decls.values.filter { if case .undefined = storage[$0.index] { return false } else { return true } }
      .map(\.name).sorted()
  }

  /// Forgets a name whose declaration never ran (its slot stays allocated, unused).
  func forget(_ name: String) {
    guard let d = decls[name] else { return }
    storage[d.index] = .undefined
    decls[name] = nil
  }

  /// Forgets every variable (`:reset`).
  public func reset() {
    for i in 0..<count { storage[i] = .undefined }
    decls.removeAll()
    count = 0
  }
}
