import CPavlovSupport

/// A Pavlov value. Small (one word of payload and a tag) so the evaluator moves it cheaply;
/// strings, lists, records and objects are references, so lists and records alias like Python's.
public enum Value {
  case null
  case bool(Bool)
  case int(Int)
  case float(Double)
  case string(PString)
  case list(PList)
  case record(PRecord)
  case range(PRange)
  case function(Callable)
  /// A native object of a registered type (errors, iterators, and later tensors, envs, models).
  case object(PObject)
  /// A variable captured by a closure lives in a cell; only the evaluator sees these.
  case cell(Cell)
  /// A slot whose `let` has not run yet; only the evaluator sees this.
  case undefined

  @inlinable public static func str(_ s: String) -> Value { .string(PString(s)) }
  public static func list(_ items: [Value]) -> Value { .list(PList(items)) }

  /// Python's truthiness: nil, false, 0, 0.0, "", [] and {} are false.
  /// A one-element tensor (any object with a `scalarValue`) as its number; anything else as is.
  public var scalarOrSelf: Value {
    if case .object(let o) = self, let v = o.scalarValue { return v }
    return self
  }

  @inlinable public var isTruthy: Bool {
    switch self {
    case .bool(let b): return b
    case .null, .undefined: return false
    case .int(let i): return i != 0
    case .float(let d): return d != 0
    case .string(let s): return !s.value.isEmpty
    case .list(let l): return l.count != 0  // not `items`, which would move inline items out
    case .record(let r): return r.count != 0
    case .range(let r): return r.count != 0
    case .cell(let c): return c.value.isTruthy
    case .object(let o): return o.scalarValue?.isTruthy ?? true
    default: return true
    }
  }

  /// The name `type(x)` returns and error messages use.
  public var typeName: String {
    switch self {
    case .null, .undefined: return "nil"
    case .bool: return "bool"
    case .int: return "int"
    case .float: return "float"
    case .string: return "string"
    case .list: return "list"
    case .record: return "record"
    case .range: return "range"
    case .function: return "function"
    case .object(let o): return o.type.name
    case .cell(let c): return c.value.typeName
    }
  }

  public var isNull: Bool { if case .null = self { return true } else { return false } }
}

/// A mutable box for a captured variable.
public final class Cell {
  public var value: Value
  @inlinable public init(_ value: Value) { self.value = value }
}

/// An immutable string. Indexing is by Unicode scalar, so the scalars are cached on first use.
public final class PString {
  /// The most bytes one string may hold (256 MiB); text readers apply it while reading.
  public static let maxBytes = 1 << 28

  /// The text, less the bytes appended in place since it was last read (`pending`).
  private var stored: String
  /// UTF-8 bytes `s += piece` appended and no read has moved into `stored` yet. Appending a
  /// short piece to a byte array costs a third of appending it to a String (~120 against
  /// ~350 instructions), and a loop building a string reads it only at its end.
  private var pending: [UInt8]?
  private var scalarCache: [Unicode.Scalar]?

  public init(_ value: String) { stored = value }

  public var value: String {
    if pending != nil { movePendingBytes() }
    return stored
  }

  /// The length in UTF-8 bytes (what the size limit counts), without reading the text.
  var utf8Count: Int { stored.utf8.count + (pending?.count ?? 0) }

  /// Appends in place. Only for a string nobody else can see (the evaluator checks that it is
  /// uniquely referenced, so `other` is never this string), so `s += "x"` in a loop is linear
  /// instead of quadratic.
  func appendInPlace(_ other: PString) {
    var piece = other.value
    piece.withUTF8 { bytes in
      if pending == nil { pending = [] }
      pending!.append(contentsOf: bytes)
    }
    scalarCache = nil
  }

  @inline(never)
  private func movePendingBytes() {
    guard let bytes = pending else { return }
    pending = nil
    // Pieces of valid strings join into valid UTF-8, so decoding repairs nothing.
    stored += String(decoding: bytes, as: UTF8.self)
  }

  public var scalars: [Unicode.Scalar] {
    if let cached = scalarCache { return cached }
    let built = Array(value.unicodeScalars)
    scalarCache = built
    return built
  }

  /// The number of Unicode scalars. ASCII text has one per byte, and checking eight bytes at a
  /// time is ~20 times cheaper than decoding UTF-8 to count (`len(s)` of a long string).
  public var count: Int {
    if let cached = scalarCache { return cached.count }
    if let n = Self.asciiCount(value) { return n }
    return value.unicodeScalars.count
  }

  /// The length of `text` when every byte is ASCII (and its bytes are contiguous), else nil.
  static func asciiCount(_ text: String) -> Int? {
    let ascii = text.utf8.withContiguousStorageIfAvailable { bytes -> Bool in
      guard let base = bytes.baseAddress else { return true }
      let raw = UnsafeRawPointer(base)
      var i = 0
      var seen: UInt64 = 0
      while i + 8 <= bytes.count {
        seen |= raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
        i += 8
      }
      while i < bytes.count {
        seen |= UInt64(bytes[i])
        i += 1
      }
      return seen & 0x8080_8080_8080_8080 == 0
    }
    return ascii == true ? text.utf8.count : nil
  }
}

/// A list with reference semantics.
///
/// A list of one to three items made by a literal (a tree node `[item, left, right]`) keeps
/// them in the object itself: one allocation instead of two (the object and an array buffer;
/// malloc and free were a fifth of binary_trees). They move to an array the first time anything
/// reads or changes `items`; `count` and `item(_:)`, which the evaluator's index reads and
/// unpacking use, read them where they are.
public final class PList {
  /// The most items one list may hold; materializing a range counts too.
  public static let maxItems = 100_000_000

  private var first: Value = .null, second: Value = .null, third: Value = .null
  /// How many items are held inline, or -1 when `storage` holds them.
  private var inlineCount = -1
  private var storage: [Value]

  public init(_ items: [Value] = []) { storage = items }

  /// A list of `count` (one to three) items held inline; the items past `count` are nil.
  private init(inline count: Int, _ a: Value, _ b: Value, _ c: Value) {
    storage = []; first = a; second = b; third = c; inlineCount = count
  }

  /// A list of one, two or three items held inline (`count` of them; the rest are nil), in a
  /// dead list from the pool when there is one (see `pavlov_list_pool_offer`).
  @inline(__always)
  static func inline(count: Int, _ a: Value, _ b: Value = .null, _ c: Value = .null) -> PList {
    guard let raw = pavlov_list_pool_take() else { return PList(inline: count, a, b, c) }
    let list = Unmanaged<PList>.fromOpaque(raw).takeRetainedValue()
    // A pooled list's items hold no references (`dropOrPool` leaves numbers, bools and nil),
    // so they are overwritten without a release. Nothing takes from the pool while a deinit
    // empties new entries: only literals take, and no deinit runs Pavlov code.
    withUnsafeMutablePointer(to: &list.first) { $0.initialize(to: a) }
    withUnsafeMutablePointer(to: &list.second) { $0.initialize(to: b) }
    withUnsafeMutablePointer(to: &list.third) { $0.initialize(to: c) }
    list.inlineCount = count
    return list
  }

  /// The most dead lists one thread's pool holds.
  static let poolCapacity = Int(PAVLOV_LIST_POOL_CAPACITY)
  /// How many dead lists this thread's pool holds.
  static var pooledCount: Int { Int(pavlov_list_pool_size()) }

  /// Frees the pooled lists and the pool; a thread that ran an interpreter calls it before it
  /// ends (the CLI's script thread does), or its pooled lists stay allocated after it.
  public static func drainPool() {
    while let raw = pavlov_list_pool_take() { Unmanaged<PList>.fromOpaque(raw).release() }
    pavlov_list_pool_free_array()
  }

  public var items: [Value] {
    get {
      if inlineCount >= 0 { moveInlineItems() }
      return storage
    }
    _modify {
      if inlineCount >= 0 { moveInlineItems() }
      yield &storage
    }
  }

  /// The number of items, wherever they are.
  @inline(__always)
  @usableFromInline var count: Int { inlineCount >= 0 ? inlineCount : storage.count }

  /// Item `k`, for `0 <= k < count`, wherever it is.
  @inline(__always)
  func item(_ k: Int) -> Value {
    if inlineCount < 0 { return storage[k] }
    return k == 0 ? first : k == 1 ? second : third
  }

  /// `item(k)`, for `0 <= k < count` (not checked), with numbers, bools and nil copied inline
  /// (`Value.copy(of:)`).
  @inline(__always)
  func copyOfItem(_ k: Int) -> Value {
    if inlineCount < 0 { return storage.withUnsafeBufferPointer { Value.copy(of: $0.baseAddress! + k) } }
    switch k {
    case 0: return withUnsafePointer(to: &first) { Value.copy(of: $0) }
    case 1: return withUnsafePointer(to: &second) { Value.copy(of: $0) }
    default: return withUnsafePointer(to: &third) { Value.copy(of: $0) }
    }
  }

  @inline(never)
  private func moveInlineItems() {
    var moved: [Value] = []
    moved.reserveCapacity(inlineCount)
    if inlineCount > 0 { moved.append(first) }
    if inlineCount > 1 { moved.append(second) }
    if inlineCount > 2 { moved.append(third) }
    first = .null
    second = .null
    third = .null
    inlineCount = -1
    storage = moved
  }

  deinit {
    if inlineCount > 0 {
      // Dropped here, inside the teardown's depth count: left to Swift, they would be
      // destroyed after this deinit returns, uncounted (a chain nested a million deep would
      // overflow the native stack).
      if pavlov_teardown_enter() != 0 {
        let pooled = pavlov_list_pool_size()
        dropInlineItems()
        // The lists this pooled drop their items in turn, which may pool more: a loop over
        // the pool's new entries, not a recursion as deep as the tree.
        var next = pooled
        while next < pavlov_list_pool_size() {
          Unmanaged<PList>.fromOpaque(pavlov_list_pool_at(Int32(next))!)._withUnsafeGuaranteedRef { $0.dropInlineItems() }
          next += 1
        }
        pavlov_teardown_leave()
        return
      }
      moveInlineItems()
    }
    Teardown.free(&storage)
  }
}

extension PList {
  /// Releases the inline items (setting them to nil; numbers and bools stay, holding nothing),
  /// pooling each that is a list of inline items nobody else holds (a tree's nodes, as their
  /// parent dies) instead of freeing it.
  @inline(__always)
  fileprivate func dropInlineItems() {
    withUnsafeMutablePointer(to: &first) { PList.dropOrPool($0) }
    withUnsafeMutablePointer(to: &second) { PList.dropOrPool($0) }
    withUnsafeMutablePointer(to: &third) { PList.dropOrPool($0) }
  }

  @inline(__always)
  private static func dropOrPool(_ item: UnsafeMutablePointer<Value>) {
    if case .list = item.pointee {
      let raw = Value.reference(in: item)
      if Unmanaged<PList>.fromOpaque(raw)._withUnsafeGuaranteedRef({ $0.inlineCount >= 0 }),
         pavlov_list_pool_offer(raw) != 0 {
        item.initialize(to: .null)  // the pool holds the reference now
        return
      }
    }
    Teardown.drop(&item.pointee)
  }
}

/// Frees nested lists and records: by plain recursive deinits up to a depth (the common case,
/// with nothing to allocate), and past it with a loop, so dropping a structure nested a million
/// levels deep cannot overflow the native stack.
enum Teardown {
  /// A dying container's items, dropped.
  @inline(__always)
  static func free(_ items: inout [Value]) {
    if pavlov_teardown_enter() != 0 {
      items = []  // the children's deinits run here, one level deeper
      pavlov_teardown_leave()
    } else {
      dismantle(&items)
    }
  }

  /// Sets a value to nil, skipping the release when it holds nothing counted.
  @inline(__always)
  static func drop(_ v: inout Value) {
    switch v {
    case .int, .float, .bool, .null: return
    default: v = .null
    }
  }

  @inline(__always)
  static func isContainer(_ v: Value) -> Bool {
    switch v {
    case .list, .record: return true
    default: return false
    }
  }

  static func dismantle(_ items: inout [Value]) {
    guard items.contains(where: isContainer) else { return }
    var work: [Value] = []
    for v in items where isContainer(v) { work.append(v) }
    items.removeAll()
    while let next = work.popLast() {
      switch next {
      case .list(var l):
        // Only a container nobody else holds is about to die; take its children first.
        if isKnownUniquelyReferenced(&l) {
          for v in l.items where isContainer(v) { work.append(v) }
          l.items.removeAll()
        }
      case .record(var r):
        if isKnownUniquelyReferenced(&r) {
          for v in r.values where isContainer(v) { work.append(v) }
          r.removeAll()
        }
      default: break
      }
    }
  }
}

/// A key of a record: records map strings (and ints) to values.
public enum RecordKey: Hashable {
  case string(String)
  case int(Int)

  public var value: Value {
    switch self {
    case .string(let s): return .str(s)
    case .int(let i): return .int(i)
    }
  }

  public var text: String {
    switch self {
    case .string(let s): return s
    case .int(let i): return String(i)
    }
  }
}

/// An insertion-ordered dictionary: `{lr: 1e-3}`, read as `r.lr` or `r["lr"]`.
///
/// Removing an entry from the middle leaves a hole (as CPython's compact dict does): position p
/// holds a live entry exactly when the index finds `storedKeys[p]` at p. `keys` and `values` close the
/// holes before they are read, and so does the next insertion into a record that is more than
/// half holes (as CPython's dict closes them when an insertion resizes it), so removing every
/// key one by one is linear, not quadratic (it shifted and re-indexed the tail each time), and a
/// removal itself moves nothing (closing the holes on removal cost a third of a map's removals).
public final class PRecord {
  private var storedKeys: [RecordKey] = []
  private var storedValues: [Value] = []
  private var holes = 0
  private var index = KeyIndex()
  /// How many live keys are strings: a method call on a map of int keys (`m.remove(k)`) looks
  /// for a field of that name first, and need not probe the map's index for it.
  private(set) var stringKeys = 0

  public init() {}

  deinit { Teardown.free(&storedValues) }

  @inline(__always)
  private func position(of key: RecordKey) -> Int? { index.position(of: key, in: storedKeys) }

  /// The keys in insertion order.
  public var keys: [RecordKey] {
    compact()
    return storedKeys
  }

  /// The values, in the order of `keys`.
  public var values: [Value] {
    compact()
    return storedValues
  }

  func removeAll() {
    storedKeys.removeAll()
    storedValues.removeAll()
    index.removeAll()
    holes = 0
    stringKeys = 0
  }

  public init(_ pairs: [(String, Value)]) {
    for (k, v) in pairs { self[.string(k)] = v }
  }

  public var count: Int { storedKeys.count - holes }

  /// Positions in use, live entries and holes: what the record's arrays hold.
  var positionsInUse: Int { storedKeys.count }

  public subscript(key: RecordKey) -> Value? {
    get { position(of: key).map { storedValues[$0] } }
    set {
      guard let newValue else {
        if let position = index.remove(key, keys: storedKeys) { closeEntry(position) }
        return
      }
      closeHolesIfMostlyHoles()
      if let position = index.positionOrInsert(key, at: storedKeys.count, keys: storedKeys) {
        storedValues[position] = Self.storable(newValue)
      } else {
        countKey(key, 1)
        storedKeys.append(key)
        storedValues.append(Self.storable(newValue))
      }
    }
  }

  /// Adds `key`, which is absent, at the end.
  private func append(_ key: RecordKey, _ value: Value) {
    closeHolesIfMostlyHoles()
    index.insert(key, at: storedKeys.count, keys: storedKeys)
    countKey(key, 1)
    storedKeys.append(key)
    storedValues.append(Self.storable(value))
  }

  /// `.undefined` marks a removed entry's hole, so it is never stored as a value (no script
  /// can make one; a builtin's "no argument" marker reads as nil).
  @inline(__always)
  private static func storable(_ value: Value) -> Value {
    if case .undefined = value { return .null }
    return value
  }

  public subscript(name: String) -> Value? {
    get { self[.string(name)] }
    set { self[.string(name)] = newValue }
  }

  public func has(_ key: RecordKey) -> Bool { position(of: key) != nil }

  /// The value of the hint's field, trying first the position where this code last found it:
  /// a field read in a loop (`self.state`, `env.step(a)`) then skips the index.
  @inline(__always)
  public func value(_ hint: FieldHint) -> Value? {
    guard let p = position(hint) else { return nil }
    return storedValues[p]
  }

  @inline(__always)
  func value(at p: Int) -> Value { storedValues[p] }

  /// Where the hint's field is, and the closure it holds if it holds one, without a reference
  /// to it. The closure is valid only while nothing can change the record: a method call takes
  /// its reference (`Unmanaged.reference`) before it runs anything, the arguments included,
  /// since the method or an argument may replace the field.
  @inline(__always)
  func method(_ hint: FieldHint) -> (position: Int, closure: Unmanaged<Closure>?)? {
    guard let p = position(hint) else { return nil }
    guard case .function = storedValues[p] else { return (p, nil) }
    // The reference's bits, as `Value.closure(in:)` reads them.
    return (p, Value.closure(reference: unsafeBitCast(storedValues[p], to: (UnsafeRawPointer, UInt8).self).0))
  }

  /// `record.name op= b` when `op` is +, - or *, the field holds an int and the result fits,
  /// in place; false (and nothing changed) otherwise.
  @inline(__always)
  func updateInt(_ hint: FieldHint, _ op: BinaryOp, _ b: Int) -> Bool {
    guard op == .add || op == .subtract || op == .multiply, let p = position(hint), case .int(let a) = storedValues[p],
          let result = Ops.intArithmetic(op, a, b) else { return false }
    storedValues[p] = .int(result)
    return true
  }

  /// Sets the hint's field to `value` (adding it if absent), as `value(_:)` finds it.
  @inline(__always)
  public func set(_ hint: FieldHint, _ value: __owned Value) {
    if let p = position(hint) {
      // Moved in, not copied: a write is then one store and the old value's release.
      if case .undefined = value { storedValues[p] = .null } else { storedValues[p] = value }
    } else {
      addField(hint, value)
    }
  }

  /// `set` of a field the record lacks (out of line: `set` stays small where it is inlined).
  @inline(never)
  private func addField(_ hint: FieldHint, _ value: __owned Value) {
    append(hint.key, value)
    hint.position = storedKeys.count - 1
  }

  /// The position of the hint's key: the hinted one when it holds the key (without holes every
  /// position is live and keys are unique, so that is the entry), else the index's
  /// (`findPosition`).
  @inline(__always)
  private func position(_ hint: FieldHint) -> Int? {
    let p = hint.position
    if holes == 0, p < storedKeys.count, storedKeys[p] == hint.key { return p }
    return findPosition(hint)
  }

  /// The index's position for the hint's key, probed with the hash the hint computed once; the
  /// hint keeps what it finds. Out of line: inlined, the probe's loop made every field read
  /// save and restore registers it needs only on a miss.
  @inline(never)
  private func findPosition(_ hint: FieldHint) -> Int? {
    if stringKeys == 0, case .string = hint.key { return nil }
    guard let found = index.position(of: hint.key, hash: hint.hash, in: storedKeys) else { return nil }
    hint.position = found
    return found
  }

  @discardableResult
  public func remove(_ key: RecordKey) -> Value? {
    guard let position = index.remove(key, keys: storedKeys) else { return nil }
    let old = storedValues[position]
    closeEntry(position)
    return old
  }

  /// Drops the entry at `position`, which the index has just forgotten (one probe found and
  /// forgot it: looking it up and then removing it took two).
  private func closeEntry(_ position: Int) {
    countKey(storedKeys[position], -1)
    if position == storedKeys.count - 1 {
      storedKeys.removeLast()
      storedValues.removeLast()
    } else {
      storedValues[position] = .undefined  // marks the hole (no record value is ever `.undefined`)
      holes += 1
    }
    // That was the last live entry, with holes before it: start afresh. (Without holes there
    // is nothing to tidy, and a record going from one entry to none and back keeps its arrays.)
    if holes > 0 && holes == storedKeys.count { removeAll() }
  }

  @inline(__always)
  private func countKey(_ key: RecordKey, _ change: Int) {
    if case .string = key { stringKeys &+= change }
  }

  /// Before an insertion: a record more than half holes closes them (they are then paid for by
  /// the removals that made them).
  @inline(__always)
  private func closeHolesIfMostlyHoles() {
    if holes > 8 && holes * 2 > storedKeys.count { compact() }
  }

  /// Closes the holes left by removals, keeping the order of the live entries.
  private func compact() {
    guard holes > 0 else { return }
    // Positions before `kept` hold the live entries so far, those from `kept` to `p` holes.
    var kept = 0
    for p in storedKeys.indices {
      if case .undefined = storedValues[p] { continue }
      if kept != p {
        storedKeys[kept] = storedKeys[p]
        storedValues.swapAt(kept, p)
      }
      kept += 1
    }
    storedKeys.removeLast(storedKeys.count - kept)
    storedValues.removeLast(storedValues.count - kept)
    holes = 0
    index.rebuild(storedKeys)
  }

  public func copy() -> PRecord {
    compact()
    let r = PRecord()
    r.storedKeys = storedKeys
    r.storedValues = storedValues
    r.index = index
    r.stringKeys = stringKeys
    return r
  }
}

/// A field name as compiled code reads it (`self.state`): its key, the key's hash computed once
/// (a method call on a map of int keys looks for a field first, and misses), and the position
/// where the code last found it (see `PRecord.value(_:)`).
public final class FieldHint {
  let key: RecordKey
  let hash: UInt
  var position = 0
  public init(_ key: RecordKey) {
    self.key = key
    hash = KeyIndex.hash(key)
  }

  public convenience init(_ name: String) { self.init(.string(name)) }
}

/// `a..b` and `range(a, b, step)`: a lazy sequence of ints.
public final class PRange {
  public let start: Int
  public let end: Int
  public let step: Int

  public init(start: Int, end: Int, step: Int = 1) {
    self.start = start
    self.end = end
    self.step = step
  }

  /// The number of values; a range longer than Int.max counts as Int.max.
  public var count: Int {
    let n = exactCount
    return n > UInt(Int.max) ? Int.max : Int(n)
  }

  /// The number of values, exactly (`range(-10, 2^63 - 1)` has more than Int.max).
  public var exactCount: UInt {
    // Distances fit in a UInt even where the Int subtraction would overflow.
    let distance: UInt
    if step > 0 {
      guard start < end else { return 0 }
      distance = UInt(bitPattern: end &- start)
    } else {
      guard start > end else { return 0 }
      distance = UInt(bitPattern: start &- end)
    }
    return (distance - 1) / step.magnitude + 1
  }

  /// The value at a position given as a UInt (0 <= i < exactCount): the wrapping arithmetic is
  /// exact because the result lies between start and end.
  public func element(at i: UInt) -> Int {
    Int(bitPattern: UInt(bitPattern: start) &+ i &* UInt(bitPattern: step))
  }

  /// The i-th value (0 <= i < count, so it lies between start and end and cannot overflow).
  public func element(_ i: Int) -> Int { start &+ i &* step }
}

/// Anything callable: user functions (closures), builtins, bound methods.
open class Callable {
  /// Which subclass this is, so a call dispatches with a compare instead of a dynamic cast.
  public enum Kind: UInt8 { case closure, builtin, boundMethod, other }
  public let name: String
  public let kind: Kind
  public init(name: String, kind: Kind = .other) {
    self.name = name
    self.kind = kind
  }
}

/// A slice `start:end:step` inside a multi-index such as `t[:, 1:3]` (each part nil or an int).
public final class SliceValue: PObject {
  public let start: Value, end: Value, step: Value
  nonisolated(unsafe) public static let nativeType = NativeType(name: "slice", doc: "A slice start:end:step inside an index, e.g. t[:, 1:3].")
  public init(_ start: Value, _ end: Value, _ step: Value) {
    self.start = start
    self.end = end
    self.step = step
    super.init(type: SliceValue.nativeType)
  }
  public override var displayString: String {
    func show(_ v: Value) -> String { v.isNull ? "" : Format.display(v) }
    return "\(show(start)):\(show(end))" + (step.isNull ? "" : ":\(show(step))")
  }
}

/// An instance of a registered native type (see `NativeType`).
open class PObject {
  public let type: NativeType
  public init(type: NativeType) { self.type = type }

  /// What `print` shows; types override it.
  open var displayString: String { "<\(type.name)>" }
  /// Lets a native type be used in `for x in obj`; nil means "not iterable".
  open func makeIterator() -> (() throws -> Value?)? { nil }
  /// `len(obj)`; nil means "has no length".
  open var length: Int? { nil }
  /// Arithmetic with this object on either side (`selfOnLeft` says which); nil means unsupported.
  open func binary(_ op: BinaryOp, _ other: Value, selfOnLeft: Bool) throws(PavlovError) -> Value? { nil }
  /// `-obj`; nil means unsupported.
  open func negate() throws(PavlovError) -> Value? { nil }
  /// `obj < x` and friends (tensors answer with masks); nil means unsupported.
  open func compare(_ op: CompareOp, _ other: Value, selfOnLeft: Bool) throws(PavlovError) -> Value? { nil }
  /// `obj[i]`; nil means unsupported.
  open func getIndex(_ index: Value) throws(PavlovError) -> Value? { nil }
  /// `obj[i] = v`; false means unsupported.
  open func setIndex(_ index: Value, _ value: Value) throws(PavlovError) -> Bool { false }
  /// `obj[i, a:b, ...]` and `obj[a:b]` (slices arrive as `SliceValue` objects); nil means unsupported.
  open func getIndices(_ indices: [Value]) throws(PavlovError) -> Value? { nil }
  /// `obj[i, a:b, ...] = v`; false means unsupported.
  open func setIndices(_ indices: [Value], _ value: Value) throws(PavlovError) -> Bool { false }
  /// `x in obj`; nil means unsupported.
  open func contains(_ item: Value) throws(PavlovError) -> Bool? { nil }
  /// The number this object stands for where a number is expected (`int(t)`, `if t > 0`,
  /// builtins taking ints or floats): one-element tensors answer; nil means "not a number".
  open var scalarValue: Value? { nil }
  /// Equality with another object (identity unless the type says otherwise).
  open func isEqual(to other: PObject) -> Bool { self === other }
}

extension PRecord {
  /// The record `slot` holds, lent to `body` without a reference of its own (a retain and a
  /// release per field write or map read, ~40 instructions). Whoever keeps the slot's value
  /// alive keeps it alive: the slot's reference, or for a capture lent to a frame the running
  /// closure. Nothing `body` may do changes the slot, since record operations run no Pavlov
  /// code (releasing a value never does). `body` must not run Pavlov code or write the slot.
  /// Nil when the slot holds no record.
  @inline(__always)
  static func lent<R>(in slot: UnsafePointer<Value>, _ body: (PRecord) -> R) -> R? {
    guard case .record = slot.pointee else { return nil }
    return Value.lendReference(in: slot, body)
  }
}

extension PList {
  /// The list `slot` holds, lent to `body` as `PRecord.lent` lends a record.
  @inline(__always)
  static func lent<R>(in slot: UnsafePointer<Value>, _ body: (PList) -> R) -> R? {
    guard case .list = slot.pointee else { return nil }
    return Value.lendReference(in: slot, body)
  }
}

extension Value {
  /// The object whose reference is the first word of `slot` (a record's or a list's: the
  /// layout `RunningClosureTests` checks), lent to `body` without a reference count.
  @inline(__always)
  fileprivate static func lendReference<T: AnyObject, R>(in slot: UnsafePointer<Value>, _ body: (T) -> R) -> R {
    Unmanaged<T>.fromOpaque(reference(in: slot))._withUnsafeGuaranteedRef(body)
  }
}

extension Value {
  /// A copy of the value in `slot`. Swift copies any value through one outlined function (a
  /// call and a switch on the case), numbers too; numbers, bools and nil are copied inline
  /// here. For leaf code only (unpacking, list literals and reads, arithmetic, a variable's
  /// read): in every operand read, or in a call's arguments, the larger code made fib 17%
  /// slower.
  @inline(__always)
  static func copy(of slot: UnsafePointer<Value>) -> Value {
    switch slot.pointee {
    case .int(let i): return .int(i)
    case .float(let x): return .float(x)
    case .bool(let b): return .bool(b)
    case .null: return .null
    default: return slot.pointee
    }
  }
}

extension Value {
  /// The closure `slot` holds, if it holds one, read from the slot's bits without a reference.
  /// It is valid only while nothing can change the slot: a call takes its reference
  /// (`Unmanaged.reference`) before it runs anything. Binding the function retained it, and
  /// copied the value and destroyed the copy through outlined calls.
  @inline(__always)
  static func closure(in slot: UnsafePointer<Value>) -> Unmanaged<Closure>? {
    guard case .function = slot.pointee else { return nil }
    return closure(reference: reference(in: slot))
  }

  /// The first word of `slot`: the reference of a list, record or function value (the layout
  /// `RunningClosureTests` checks); meaningless for other cases.
  @inline(__always)
  static func reference(in slot: UnsafePointer<Value>) -> UnsafeRawPointer {
    UnsafeRawPointer(slot).load(as: UnsafeRawPointer.self)
  }

  /// The function whose reference is `reference` (a function value's first word, the layout
  /// `RunningClosureTests` checks), if it is a closure.
  @inline(__always)
  static func closure(reference: UnsafeRawPointer) -> Unmanaged<Closure>? {
    guard Unmanaged<Callable>.fromOpaque(reference)._withUnsafeGuaranteedRef({ $0.kind == .closure }) else { return nil }
    return Unmanaged<Closure>.fromOpaque(reference)
  }
}

extension Unmanaged {
  /// The object, with a reference of its own. `takeUnretainedValue()` takes it with an atomic
  /// retain, which this module's single-threaded retains avoid; returned as an optional or in
  /// a tuple, Swift retained it twice.
  @inline(__always)
  var reference: Instance { _withUnsafeGuaranteedRef { $0 } }
}
