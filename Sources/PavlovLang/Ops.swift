import Glibc

/// The meaning of operators on values. Fast paths for ints and floats sit inline; everything
/// else goes through the slower general functions, which also produce the error messages.
enum Ops {
  static func typeMismatch(_ op: String, _ a: Value, _ b: Value) -> PavlovError {
    var hint: String? = nil
    if case .string = a, op == "+" { hint = "convert with str(...) first: \"text\" + str(x)" }
    else if case .string = b, op == "+" { hint = "convert with str(...) first: str(x) + \"text\"" }
    return .runtime("cannot apply `\(op)` to \(a.typeName) and \(b.typeName)", hint: hint)
  }

  static func overflow(_ op: String) -> PavlovError {
    .runtime("integer overflow in `\(op)`", hint: "the result does not fit in 64 bits; use floats (e.g. 1.0 * x) for large values")
  }

  // MARK: - Arithmetic

  @inline(__always)
  static func add(_ a: Value, _ b: Value) throws(PavlovError) -> Value {
    if case .int(let x) = a, case .int(let y) = b {
      let (r, o) = x.addingReportingOverflow(y)
      if o { throw overflow("+") }
      return .int(r)
    }
    if case .float(let x) = a, case .float(let y) = b { return .float(x + y) }
    return try arithmeticSlow(.add, a, b)
  }

  @inline(__always)
  static func subtract(_ a: Value, _ b: Value) throws(PavlovError) -> Value {
    if case .int(let x) = a, case .int(let y) = b {
      let (r, o) = x.subtractingReportingOverflow(y)
      if o { throw overflow("-") }
      return .int(r)
    }
    if case .float(let x) = a, case .float(let y) = b { return .float(x - y) }
    return try arithmeticSlow(.subtract, a, b)
  }

  @inline(__always)
  static func multiply(_ a: Value, _ b: Value) throws(PavlovError) -> Value {
    if case .int(let x) = a, case .int(let y) = b {
      let (r, o) = x.multipliedReportingOverflow(by: y)
      if o { throw overflow("*") }
      return .int(r)
    }
    if case .float(let x) = a, case .float(let y) = b { return .float(x * y) }
    return try arithmeticSlow(.multiply, a, b)
  }

  static func binary(_ op: BinaryOp, _ a: Value, _ b: Value) throws(PavlovError) -> Value {
    switch op {
    case .add: return try add(a, b)
    case .subtract: return try subtract(a, b)
    case .multiply: return try multiply(a, b)
    default: return try arithmeticSlow(op, a, b)
    }
  }

  static func asDouble(_ v: Value) -> Double? {
    switch v {
    case .int(let i): return Double(i)
    case .float(let d): return d
    case .bool(let b): return b ? 1 : 0
    default: return nil
    }
  }

  static func asInt(_ v: Value) -> Int? {
    switch v {
    case .int(let i): return i
    case .bool(let b): return b ? 1 : 0
    default: return nil
    }
  }

  @inline(never)
  static func arithmeticSlow(_ op: BinaryOp, _ a: Value, _ b: Value) throws(PavlovError) -> Value {
    if case .object(let o) = a, let r = try o.binary(op, b, selfOnLeft: true) { return r }
    if case .object(let o) = b, let r = try o.binary(op, a, selfOnLeft: false) { return r }
    if let x = asInt(a), let y = asInt(b) { return try intArithmetic(op, x, y) }
    if let x = asDouble(a), let y = asDouble(b) { return try floatArithmetic(op, x, y) }
    switch (op, a, b) {
    case (.add, .string(let x), .string(let y)):
      try checkStringSize(x.value.utf8.count + y.value.utf8.count)
      return .str(x.value + y.value)
    case (.add, .list(let x), .list(let y)):
      try checkListSize(x.items.count + y.items.count)
      return .list(PList(x.items + y.items))
    case (.multiply, .string(let s), .int(let n)), (.multiply, .int(let n), .string(let s)):
      return .str(try repeated(s.value, n))
    case (.multiply, .list(let l), .int(let n)), (.multiply, .int(let n), .list(let l)):
      guard n > 0, !l.items.isEmpty else { return .list(PList()) }
      let (total, overflow) = l.items.count.multipliedReportingOverflow(by: n)
      guard !overflow, total <= maxListItems else { throw PavlovError.runtime("list repetition too large (\(l.items.count) × \(n))") }
      var out: [Value] = []
      out.reserveCapacity(total)
      for _ in 0..<n { out.append(contentsOf: l.items) }
      return .list(PList(out))
    default:
      if op == .matmul { throw PavlovError.runtime("`@` (matrix product) needs tensors, got \(a.typeName) and \(b.typeName)") }
      throw typeMismatch(op.rawValue, a, b)
    }
  }

  /// Strings are capped (256 MiB) so a runaway loop gets an error instead of exhausting memory.
  static let maxStringBytes = PString.maxBytes

  @inline(__always)
  static func checkStringSize(_ bytes: Int) throws(PavlovError) {
    if bytes > maxStringBytes {
      throw PavlovError.runtime("string too large (\(bytes) bytes; the limit is \(maxStringBytes))",
                                hint: "is a loop or recursion growing a string without end?")
    }
  }

  /// Lists are capped at 100 million items, like repetition: an error instead of running out
  /// of memory when a loop doubles a list.
  static let maxListItems = PList.maxItems

  static func checkListSize(_ count: Int) throws(PavlovError) {
    if count > maxListItems {
      throw PavlovError.runtime("list too large (\(count) items; the limit is \(maxListItems))",
                                hint: "is a loop growing a list without end?")
    }
  }

  static func repeated(_ s: String, _ n: Int) throws(PavlovError) -> String {
    guard n > 0, !s.isEmpty else { return "" }
    let (bytes, overflow) = s.utf8.count.multipliedReportingOverflow(by: n)
    guard !overflow, bytes <= maxStringBytes else { throw PavlovError.runtime("string repetition too large (\(s.utf8.count) bytes × \(n))") }
    // The bytes once, then doubling copies: String(repeating:count:) appends the piece n
    // times (2.3 s for "x" * 90,000,000; this takes 0.07 s, mostly the kernel giving the pages).
    var piece = s
    return piece.withUTF8 { source in
      String(unsafeUninitializedCapacity: bytes) { buffer in
        guard let target = buffer.baseAddress, let from = source.baseAddress else { return 0 }
        target.initialize(from: from, count: source.count)
        var filled = source.count
        while filled < bytes {
          let copy = min(filled, bytes - filled)
          (target + filled).initialize(from: target, count: copy)
          filled += copy
        }
        return bytes
      }
    }
  }

  static func intArithmetic(_ op: BinaryOp, _ x: Int, _ y: Int) throws(PavlovError) -> Value {
    switch op {
    case .add:
      let (r, o) = x.addingReportingOverflow(y); if o { throw overflow("+") }; return .int(r)
    case .subtract:
      let (r, o) = x.subtractingReportingOverflow(y); if o { throw overflow("-") }; return .int(r)
    case .multiply:
      let (r, o) = x.multipliedReportingOverflow(by: y); if o { throw overflow("*") }; return .int(r)
    case .divide:
      if y == 0 { throw PavlovError.runtime("division by zero", hint: "check the divisor before dividing") }
      return .float(Double(x) / Double(y))
    case .floorDivide:
      if y == 0 { throw PavlovError.runtime("integer division by zero", hint: "check the divisor before dividing") }
      if x == Int.min && y == -1 { throw overflow("//") }
      let q = x / y
      return .int((x % y != 0 && ((x < 0) != (y < 0))) ? q - 1 : q)
    case .modulo:
      if y == 0 { throw PavlovError.runtime("integer modulo by zero", hint: "check the divisor before using %") }
      if y == -1 { return .int(0) }
      let r = x % y
      return .int((r != 0 && ((r < 0) != (y < 0))) ? r + y : r)
    case .power:
      if y < 0 { return .float(pow(Double(x), Double(y))) }
      var result = 1, base = x, e = y
      while e > 0 {
        if e & 1 == 1 {
          let (r, o) = result.multipliedReportingOverflow(by: base); if o { throw overflow("**") }
          result = r
        }
        e >>= 1
        if e > 0 {
          let (b2, o) = base.multipliedReportingOverflow(by: base); if o { throw overflow("**") }
          base = b2
        }
      }
      return .int(result)
    case .matmul:
      throw PavlovError.runtime("`@` (matrix product) needs tensors, got int and int")
    }
  }

  static func floatArithmetic(_ op: BinaryOp, _ x: Double, _ y: Double) throws(PavlovError) -> Value {
    switch op {
    case .add: return .float(x + y)
    case .subtract: return .float(x - y)
    case .multiply: return .float(x * y)
    case .divide: return .float(x / y)
    case .floorDivide: return .float(floatDivMod(x, y).quotient)
    case .modulo: return .float(floatDivMod(x, y).remainder)
    case .power: return .float(pow(x, y))
    case .matmul: throw PavlovError.runtime("`@` (matrix product) needs tensors, got float and float")
    }
  }

  /// Python's float floor division and modulo: computed from fmod so that `a == q * b + r`
  /// holds as closely as floats allow (1 // 0.1 is 9.0, not 10.0), and r takes b's sign.
  static func floatDivMod(_ a: Double, _ b: Double) -> (quotient: Double, remainder: Double) {
    if b == 0 { return (a == 0 || a.isNaN ? .nan : (a > 0) == (b.sign == .plus) ? .infinity : -.infinity, .nan) }
    var mod = fmod(a, b)
    var div = (a - mod) / b
    if mod != 0 {
      if (b < 0) != (mod < 0) {
        mod += b
        div -= 1
      }
    } else {
      mod = copysign(0, b)
    }
    var floorDiv: Double
    if div != 0 {
      floorDiv = div.rounded(.down)
      if div - floorDiv > 0.5 { floorDiv += 1 }
    } else {
      floorDiv = copysign(0, a / b)
    }
    return (floorDiv, mod)
  }

  static func negate(_ v: Value) throws(PavlovError) -> Value {
    switch v {
    case .int(let i):
      if i == Int.min { throw overflow("-") }
      return .int(-i)
    case .float(let d): return .float(-d)
    case .object(let o): if let r = try o.negate() { return r }
    default: break
    }
    throw PavlovError.runtime("cannot negate \(v.typeName)")
  }

  static func unaryPlus(_ v: Value) throws(PavlovError) -> Value {
    switch v {
    case .int, .float, .object: return v
    default: throw PavlovError.runtime("unary `+` needs a number, got \(v.typeName)")
    }
  }

  // MARK: - Comparison

  /// `==`: numbers compare by value (1 == 1.0); containers compare element by element, at any
  /// depth and through cycles (two lists that each contain themselves are equal).
  static func equals(_ a: Value, _ b: Value) -> Bool {
    shallowEquals(a, b, depth: 0) ?? structurallyEqual(a, b)
  }

  /// Containers nested up to 64 deep, by recursion (the common case, and the fastest); nil when
  /// the nesting goes deeper — perhaps through a cycle — and `structurallyEqual` must decide.
  private static func shallowEquals(_ a: Value, _ b: Value, depth: Int) -> Bool? {
    switch (a, b) {
    case (.list(let x), .list(let y)):
      if x === y { return true }
      guard x.items.count == y.items.count else { return false }
      guard depth < 64 else { return nil }
      for i in 0..<x.items.count {
        guard let same = shallowEquals(x.items[i], y.items[i], depth: depth + 1) else { return nil }
        if !same { return false }
      }
      return true
    case (.record(let x), .record(let y)):
      if x === y { return true }
      guard x.count == y.count else { return false }
      guard depth < 64 else { return nil }
      for (k, v) in zip(x.keys, x.values) {
        guard let w = y[k] else { return false }
        guard let same = shallowEquals(v, w, depth: depth + 1) else { return nil }
        if !same { return false }
      }
      return true
    default:
      return leafEquals(a, b)
    }
  }

  /// Equality of arbitrarily deep or cyclic containers without recursion: a worklist of pairs
  /// still to compare, and the pairs of containers already taken as equal, so a cycle is
  /// followed once. The answer is `false` as soon as one pair differs; when none does, the two
  /// structures unfold into the same (possibly infinite) tree.
  private static func structurallyEqual(_ a: Value, _ b: Value) -> Bool {
    struct Pair: Hashable { let x: ObjectIdentifier, y: ObjectIdentifier }
    var taken = Set<Pair>()
    var work = [(a, b)]
    while let (u, v) = work.popLast() {
      switch (u, v) {
      case (.list(let x), .list(let y)):
        if x === y { continue }
        guard x.items.count == y.items.count else { return false }
        guard taken.insert(Pair(x: ObjectIdentifier(x), y: ObjectIdentifier(y))).inserted else { continue }
        for i in stride(from: x.items.count - 1, through: 0, by: -1) { work.append((x.items[i], y.items[i])) }
      case (.record(let x), .record(let y)):
        if x === y { continue }
        guard x.count == y.count else { return false }
        guard taken.insert(Pair(x: ObjectIdentifier(x), y: ObjectIdentifier(y))).inserted else { continue }
        for (k, item) in zip(x.keys, x.values).reversed() {
          guard let other = y[k] else { return false }
          work.append((item, other))
        }
      default:
        if !leafEquals(u, v) { return false }
      }
    }
    return true
  }

  /// `==` of two values that are not both lists or both records.
  private static func leafEquals(_ a: Value, _ b: Value) -> Bool {
    switch (a, b) {
    case (.int(let x), .int(let y)): return x == y
    case (.float(let x), .float(let y)): return x == y
    case (.int(let x), .float(let y)): return intEqualsFloat(x, y)
    case (.float(let x), .int(let y)): return intEqualsFloat(y, x)
    case (.bool(let x), .bool(let y)): return x == y
    case (.null, .null): return true
    case (.string(let x), .string(let y)): return x === y || x.value == y.value
    case (.range(let x), .range(let y)): return x.start == y.start && x.end == y.end && x.step == y.step
    case (.function(let x), .function(let y)): return x === y
    case (.object(let x), .object(let y)): return x.isEqual(to: y)
    default: return false
    }
  }

  /// `<`: numbers, strings, and lists (lexicographically).
  /// `swapped` says the caller reversed the operands (`a > b` as `b < a`), for the message.
  static func lessThan(_ a: Value, _ b: Value, op: String = "<", depth: Int = 0, swapped: Bool = false) throws(PavlovError) -> Bool {
    switch (a, b) {
    case (.int(let x), .int(let y)): return x < y
    case (.float(let x), .float(let y)): return x < y
    case (.int(let x), .float(let y)): return intLessThanFloat(x, y)
    case (.float(let x), .int(let y)): return floatLessThanInt(x, y)
    case (.string(let x), .string(let y)): return x.value.unicodeScalars.lexicographicallyPrecedes(y.value.unicodeScalars)
    case (.bool(let x), .bool(let y)): return !x && y
    case (.list(let x), .list(let y)):
      guard depth < 200 else { throw PavlovError.runtime("lists nested too deeply to compare") }
      for i in 0..<min(x.items.count, y.items.count) {
        if equals(x.items[i], y.items[i]) { continue }
        return try lessThan(x.items[i], y.items[i], op: op, depth: depth + 1)
      }
      return x.items.count < y.items.count
    default:
      let (left, right) = swapped ? (b, a) : (a, b)
      throw PavlovError.runtime("cannot compare \(left.typeName) and \(right.typeName) with `\(op)`")
    }
  }

  // Ints and floats compare exactly, as in Python: converting the int to a float first would
  // round it (9007199254740993 == 9007199254740992.0 was true). Every double at or beyond 2^63
  // in size is outside Int's range, and every double below 2^63 that is not an integer lies
  // strictly between two Ints, so comparing with its floor or ceiling as an Int is exact.

  static func intEqualsFloat(_ i: Int, _ d: Double) -> Bool {
    guard d >= -0x1p63, d < 0x1p63, d.rounded(.towardZero) == d else { return false }  // NaN fails too
    return Int(d) == i
  }

  /// i < d
  static func intLessThanFloat(_ i: Int, _ d: Double) -> Bool {
    if d.isNaN { return false }
    if d >= 0x1p63 { return true }
    if d < -0x1p63 { return false }
    return i < Int(d.rounded(.up))
  }

  /// d < i
  static func floatLessThanInt(_ d: Double, _ i: Int) -> Bool {
    if d.isNaN { return false }
    if d >= 0x1p63 { return false }
    if d < -0x1p63 { return true }
    return Int(d.rounded(.down)) < i
  }

  /// `x + y`, `x - y` or `x * y` for `.add`, `.subtract` and anything else the caller allows
  /// (`.multiply`); nil on overflow, so the caller takes its general path (which reports it).
  @inline(__always)
  static func intArithmetic(_ op: BinaryOp, _ x: Int, _ y: Int) -> Int? {
    let (r, o): (Int, Bool)
    switch op {
    case .add: (r, o) = x.addingReportingOverflow(y)
    case .subtract: (r, o) = x.subtractingReportingOverflow(y)
    default: (r, o) = x.multipliedReportingOverflow(by: y)
    }
    return o ? nil : r
  }

  /// An ordering or equality of two ints; nil for `in`/`not in`.
  @inline(__always)
  static func compareInts(_ op: CompareOp, _ x: Int, _ y: Int) -> Bool? {
    switch op {
    case .lt: return x < y
    case .le: return x <= y
    case .gt: return x > y
    case .ge: return x >= y
    case .eq: return x == y
    case .ne: return x != y
    default: return nil
    }
  }

  /// The same for two floats (IEEE: every ordering with NaN is false).
  @inline(__always)
  static func compareFloats(_ op: CompareOp, _ x: Double, _ y: Double) -> Bool? {
    switch op {
    case .lt: return x < y
    case .le: return x <= y
    case .gt: return x > y
    case .ge: return x >= y
    case .eq: return x == y
    case .ne: return x != y
    default: return nil
    }
  }

  static func compare(_ op: CompareOp, _ a: Value, _ b: Value) throws(PavlovError) -> Value {
    if case .int(let x) = a, case .int(let y) = b, let holds = compareInts(op, x, y) { return .bool(holds) }
    if case .object(let o) = a, let r = try o.compare(op, b, selfOnLeft: true) { return r }
    if case .object(let o) = b, let r = try o.compare(op, a, selfOnLeft: false) { return r }
    switch op {
    case .eq: return .bool(equals(a, b))
    case .ne: return .bool(!equals(a, b))
    case .lt: return .bool(try lessThan(a, b, op: "<"))
    case .gt: return .bool(try lessThan(b, a, op: ">", swapped: true))
    case .le:
      if case .float(let x) = a, x.isNaN { return .bool(false) }
      if case .float(let y) = b, y.isNaN { return .bool(false) }
      return .bool(try !lessThan(b, a, op: "<=", swapped: true))
    case .ge:
      if case .float(let x) = a, x.isNaN { return .bool(false) }
      if case .float(let y) = b, y.isNaN { return .bool(false) }
      return .bool(try !lessThan(a, b, op: ">="))
    case .in: return .bool(try contains(b, a))
    case .notIn: return .bool(try !contains(b, a))
    }
  }

  static func contains(_ container: Value, _ item: Value) throws(PavlovError) -> Bool {
    switch container {
    case .list(let l): return l.items.contains { equals($0, item) }
    case .string(let s):
      guard case .string(let sub) = item else {
        throw PavlovError.runtime("`in` on a string needs a string on the left, got \(item.typeName)")
      }
      return s.value.containsCodePoints(sub.value)
    case .record(let r):
      guard let key = recordKey(item) else { return false }
      return r.has(key)
    case .range(let r):
      guard case .int(let i) = item else { return false }
      // The distance from the start fits in a UInt even when the Int subtraction would overflow.
      if r.step > 0 { return i >= r.start && i < r.end && UInt(bitPattern: i &- r.start) % r.step.magnitude == 0 }
      return i <= r.start && i > r.end && UInt(bitPattern: r.start &- i) % r.step.magnitude == 0
    case .object(let o):
      if let r = try o.contains(item) { return r }
    default: break
    }
    throw PavlovError.runtime("`in` needs a list, string, record or range on the right, got \(container.typeName)")
  }

  static func recordKey(_ v: Value) -> RecordKey? {
    switch v {
    case .string(let s): return .string(s.value)
    case .int(let i): return .int(i)
    default: return nil
    }
  }

  // MARK: - Indexing

  static func normalizedIndex(_ index: Value, count: Int, what: String) throws(PavlovError) -> Int {
    guard case .int(let i) = index else {
      if case .bool = index {} else if case .float(let d) = index, d == d.rounded() {
        throw PavlovError.runtime("\(what) index must be an int, got float \(Format.display(index))", hint: "convert with int(...)")
      }
      throw PavlovError.runtime("\(what) index must be an int, got \(index.typeName)")
    }
    let j = i < 0 ? i.addingReportingOverflow(count).partialValue : i
    guard j >= 0 && j < count else {
      throw PavlovError.runtime("index \(i) out of range for \(what) of length \(count)",
                                hint: count == 0 ? "the \(what) is empty" : "valid indices are 0 to \(count - 1) (or -\(count) to -1 from the end)")
    }
    return j
  }

  static func index(_ container: Value, _ index: Value) throws(PavlovError) -> Value {
    switch container {
    case .list(let l):
      if case .int(let i) = index, i >= 0, i < l.items.count { return l.items[i] }
      return l.items[try normalizedIndex(index, count: l.items.count, what: "list")]
    case .string(let s):
      let scalars = s.scalars
      return .str(String(scalars[try normalizedIndex(index, count: scalars.count, what: "string")]))
    case .record(let r):
      guard let key = recordKey(index) else {
        throw PavlovError.runtime("record keys are strings or ints, got \(index.typeName)")
      }
      if let v = r[key] { return v }
      let near = Suggest.closest(to: key.text, among: r.keys.map(\.text)).map { "did you mean \"\($0)\"? " } ?? ""
      throw PavlovError.runtime("record has no key \(Format.repr(index))", hint: "\(near)use r.get(key, default) to allow a missing key")
    case .range(let r):
      // Counted from the end in UInt: a range can hold more than Int.max values.
      if case .int(let i) = index, i < 0, r.count == Int.max {
        let back = i.magnitude
        guard back <= r.exactCount else { throw PavlovError.runtime("index \(i) out of range for range of length \(r.exactCount)") }
        return .int(r.element(at: r.exactCount - back))
      }
      return .int(r.element(try normalizedIndex(index, count: r.count, what: "range")))
    case .object(let o):
      if let v = try o.getIndex(index) { return v }
    default: break
    }
    throw PavlovError.runtime("\(container.typeName) cannot be indexed")
  }

  /// `container[i, j, ...]`: only native types (tensors) take several indices.
  static func indexMany(_ container: Value, _ indices: [Value]) throws(PavlovError) -> Value {
    if case .object(let o) = container, let v = try o.getIndices(indices) { return v }
    if indices.count == 1, case .object(let o) = indices[0], let s = o as? SliceValue {
      return try slice(container, s.start, s.end, s.step)
    }
    throw PavlovError.runtime("\(container.typeName) takes one index at a time, got \(indices.count)",
                              hint: "write xs[i][j] for nested lists; xs[i, j] is for tensors")
  }

  static func setIndices(_ container: Value, _ indices: [Value], _ value: Value) throws(PavlovError) {
    if case .object(let o) = container, try o.setIndices(indices, value) { return }
    if indices.count == 1, case .object(let s) = indices[0], s is SliceValue {
      throw PavlovError.runtime("cannot assign to a slice of \(container.typeName)", hint: "assign items one by one, or build a new list with +")
    }
    throw PavlovError.runtime("\(container.typeName) takes one index at a time, got \(indices.count)",
                              hint: "write xs[i][j] = v for nested lists; xs[i, j] = v is for tensors")
  }

  static func setIndex(_ container: Value, _ index: Value, _ value: Value) throws(PavlovError) {
    switch container {
    case .list(let l):
      l.items[try normalizedIndex(index, count: l.items.count, what: "list")] = value
      return
    case .record(let r):
      guard let key = recordKey(index) else {
        throw PavlovError.runtime("record keys are strings or ints, got \(index.typeName)")
      }
      r[key] = value
      return
    case .string:
      throw PavlovError.runtime("strings cannot be changed in place", hint: "build a new string, e.g. s[:i] + \"x\" + s[i+1:]")
    case .object(let o):
      if try o.setIndex(index, value) { return }
    default: break
    }
    throw PavlovError.runtime("cannot assign to an index of \(container.typeName)")
  }

  /// Python's slice rules: missing bounds mean the ends, negative ones count from the end, and
  /// out-of-range bounds are clamped.
  static func sliceIndices(count: Int, _ start: Value, _ end: Value, _ step: Value) throws(PavlovError) -> [Int] {
    func bound(_ v: Value, _ name: String) throws(PavlovError) -> Int? {
      switch v {
      case .null: return nil
      case .int(let i): return i
      default: throw PavlovError.runtime("slice \(name) must be an int or nil, got \(v.typeName)")
      }
    }
    let st = try bound(step, "step") ?? 1
    if st == 0 { throw PavlovError.runtime("slice step cannot be zero") }
    func clamp(_ v: Int?, _ defaultValue: Int, low: Int, high: Int) -> Int {
      guard var i = v else { return defaultValue }
      if i < 0 { i = i.addingReportingOverflow(count).partialValue }
      return min(max(i, low), high)
    }
    var out: [Int] = []
    if st > 0 {
      var i = clamp(try bound(start, "start"), 0, low: 0, high: count)
      let e = clamp(try bound(end, "end"), count, low: 0, high: count)
      while i < e {
        out.append(i)
        let (next, overflow) = i.addingReportingOverflow(st)
        if overflow { break }
        i = next
      }
    } else {
      var i = clamp(try bound(start, "start"), count - 1, low: -1, high: count - 1)
      let e = clamp(try bound(end, "end"), -1, low: -1, high: count - 1)
      while i > e {
        out.append(i)
        let (next, overflow) = i.addingReportingOverflow(st)
        if overflow { break }
        i = next
      }
    }
    return out
  }

  /// A slice of a range is a range (as in Python), computed without listing its values, so
  /// `(0..9223372036854775807)[::2]` is instant.
  static func sliceRange(_ r: PRange, _ start: Value, _ end: Value, _ step: Value) throws(PavlovError) -> PRange {
    func bound(_ v: Value, _ name: String) throws(PavlovError) -> Int? {
      switch v {
      case .null: return nil
      case .int(let i): return i
      default: throw PavlovError.runtime("slice \(name) must be an int or nil, got \(v.typeName)")
      }
    }
    let count = r.count
    let st = try bound(step, "step") ?? 1
    if st == 0 { throw PavlovError.runtime("slice step cannot be zero") }
    func clamp(_ v: Int?, _ defaultValue: Int, low: Int, high: Int) -> Int {
      guard var i = v else { return defaultValue }
      if i < 0 { i = i.addingReportingOverflow(count).partialValue }
      return min(max(i, low), high)
    }
    let first: Int, n: Int
    if st > 0 {
      first = clamp(try bound(start, "start"), 0, low: 0, high: count)
      let stop = clamp(try bound(end, "end"), count, low: 0, high: count)
      n = stop > first ? Int((UInt(stop - first) - 1) / st.magnitude + 1) : 0
    } else {
      first = clamp(try bound(start, "start"), count - 1, low: -1, high: count - 1)
      let stop = clamp(try bound(end, "end"), -1, low: -1, high: count - 1)
      n = first > stop ? Int((UInt(first - stop) - 1) / st.magnitude + 1) : 0
    }
    guard n > 0 else { return PRange(start: 0, end: 0) }
    let newStart = r.element(first)
    let (newStep, stepOverflow) = r.step.multipliedReportingOverflow(by: st)
    if stepOverflow { throw PavlovError.runtime("slice step too large for this range") }
    // One past the last value; where that does not fit in an Int, the extreme is just as good.
    let (span, o1) = n.multipliedReportingOverflow(by: newStep)
    let (newEnd, o2) = newStart.addingReportingOverflow(span)
    let end = (o1 || o2) ? (newStep > 0 ? Int.max : Int.min) : newEnd
    return PRange(start: newStart, end: end, step: newStep)
  }

  static func slice(_ container: Value, _ start: Value, _ end: Value, _ step: Value) throws(PavlovError) -> Value {
    switch container {
    case .list(let l):
      if case .null = step, let s = asInt(start) ?? (start.isNull ? 0 : nil), let e = asInt(end) ?? (end.isNull ? l.items.count : nil) {
        let n = l.items.count
        let lo = min(max(s < 0 ? s.addingReportingOverflow(n).partialValue : s, 0), n)
        let hi = min(max(e < 0 ? e.addingReportingOverflow(n).partialValue : e, 0), n)
        return .list(PList(lo < hi ? Array(l.items[lo..<hi]) : []))
      }
      return .list(PList(try sliceIndices(count: l.items.count, start, end, step).map { l.items[$0] }))
    case .string(let s):
      let scalars = s.scalars
      var out = String.UnicodeScalarView()
      for i in try sliceIndices(count: scalars.count, start, end, step) { out.append(scalars[i]) }
      return .str(String(out))
    case .range(let r):
      return .range(try sliceRange(r, start, end, step))
    case .object(let o):
      if let v = try o.getIndices([.object(SliceValue(start, end, step))]) { return v }
      throw PavlovError.runtime("\(container.typeName) cannot be sliced")
    default:
      throw PavlovError.runtime("\(container.typeName) cannot be sliced")
    }
  }
}
