import Glibc

/// The builtins every Pavlov program has: printing, conversions, math, sequences and
/// higher-order functions. Methods of lists, strings and records live in their own files.
enum CoreLibrary {
  static func register(into r: Registry) {
    r.family("core")
    registerOutputAndTypes(r)
    r.family("math")
    registerMath(r)
    r.family("sequences")
    registerSequences(r)
    r.family("errors")
    registerErrors(r)
    ListMethods.register(r.listType)
    StringMethods.register(r.stringType)
    RecordMethods.register(r.recordType)
    r.rangeType.property("start", doc: "The first value.") { v in if case .range(let x) = v { return .int(x.start) }; return .null }
    r.rangeType.property("end", doc: "The bound (not included).") { v in if case .range(let x) = v { return .int(x.end) }; return .null }
    r.rangeType.property("step", doc: "The step.") { v in if case .range(let x) = v { return .int(x.step) }; return .null }
    r.rangeType.method("list", doc: "The range's values as a list.") { args in
      .list(PList(try iterate(args.receiver, args.interpreter)))
    }
    r.functionType.property("name", doc: "The function's name.") { v in if case .function(let f) = v { return .str(f.name) }; return .null }
  }

  static func registerOutputAndTypes(_ r: Registry) {
    r.function("print", [Param("values", kind: .variadic, doc: "what to print"),
                         Param("sep", default: .str(" "), kind: .keywordOnly, doc: "between values"),
                         Param("end", default: .str("\n"), kind: .keywordOnly, doc: "after the last value")],
               doc: "Prints values separated by `sep` and followed by `end`.") { args in
      guard case .list(let values) = args[0] else { return .null }
      let sep = try args.string(1), end = try args.string(2)
      var out = ""
      for (i, v) in values.items.enumerated() {
        if i > 0 { out += sep }
        out += try Format.checkedText(v, quoted: false)
      }
      args.interpreter.write(out + end)
      return .null
    }
    r.function("len", [Param("x", doc: "a list, string, record, range or sized object")],
               doc: "The number of items in `x`.") { args in try length(args[0]) }
      .fast1 = { _, x in try length(x) }
    r.function("range", [Param("start", doc: "first value, or the end if alone"), Param("end", default: .null, doc: "bound (excluded)"),
                         Param("step", default: .int(1), doc: "increment (not zero)", range: .finite)],
               doc: "Ints from `start` up to (not including) `end`: range(5) is 0..5, range(0, 10, 2) is 0, 2, 4, 6, 8.") { args in
      var start = try args.int(0)
      var end = 0
      if args.isNull(1) { end = start; start = 0 } else { end = try args.int(1) }
      let step = try args.int(2)
      if step == 0 { throw PavlovError.runtime("range: step cannot be zero") }
      return .range(PRange(start: start, end: end, step: step))
    }
    r.function("str", [Param("x", default: .str(""))], doc: "`x` as text, as print shows it.") { args in
      .str(try Format.checkedText(args[0], quoted: false))
    }
    r.function("repr", [Param("x")], doc: "`x` as source-like text (strings quoted).") { args in
      .str(try Format.checkedText(args[0], quoted: true))
    }
    r.function("int", [Param("x", doc: "a number, bool, numeric string or one-element tensor")],
               doc: "Converts to int; floats are truncated toward zero.") { args in
      switch args[0].scalarOrSelf {
      case .int: return args[0]
      case .bool(let b): return .int(b ? 1 : 0)
      case .float(let d):
        guard d.isFinite, abs(d) < 9.2e18 else { throw PavlovError.runtime("int: cannot convert \(Format.float(d)) to int") }
        return .int(Int(d))
      case .string(let s):
        let t = s.value.trimmingCharacters(in: " \t\n\r").replacingUnderscores()
        if let i = Int(t) { return .int(i) }
        throw PavlovError.runtime("int: \(Format.quoted(s.value)) is not an integer", hint: "for \"2.5\" use int(float(s))")
      default: throw PavlovError.runtime("int: cannot convert \(args[0].typeName) to int")
      }
    }
    r.function("float", [Param("x", doc: "a number, bool, numeric string or one-element tensor")], doc: "Converts to float.") { args in
      switch args[0].scalarOrSelf {
      case .float: return args[0]
      case .int(let i): return .float(Double(i))
      case .bool(let b): return .float(b ? 1 : 0)
      case .string(let s):
        let t = s.value.trimmingCharacters(in: " \t\n\r")
        switch t.lowercased() {
        case "inf", "+inf", "infinity": return .float(.infinity)
        case "-inf", "-infinity": return .float(-.infinity)
        case "nan": return .float(.nan)
        default: break
        }
        if let d = Double(t.replacingUnderscores()) { return .float(d) }
        throw PavlovError.runtime("float: \(Format.quoted(s.value)) is not a number")
      default: throw PavlovError.runtime("float: cannot convert \(args[0].typeName) to float")
      }
    }
    r.function("bool", [Param("x", default: .bool(false))], doc: "The truth of `x`: nil, false, 0, \"\", [] and {} are false.") { args in
      .bool(args[0].isTruthy)
    }
    r.function("type", [Param("x")], doc: "The name of `x`'s type: \"int\", \"list\", \"record\", ...") { args in .str(args[0].typeName) }
    r.function("list", [Param("x", default: .list([]), doc: "any iterable")], doc: "A new list of the items of `x`.") { args in
      .list(PList(try iterate(args[0], args.interpreter)))
    }
    r.function("record", [Param("pairs", default: .list([]), doc: "a list of [key, value] pairs")],
               doc: "A new record from [key, value] pairs.") { args in
      let out = PRecord()
      for pair in try iterate(args[0], args.interpreter) {
        guard case .list(let p) = pair, p.items.count == 2, let key = Ops.recordKey(p.items[0]) else {
          throw PavlovError.runtime("record: each item must be a [key, value] pair with a string or int key")
        }
        out[key] = p.items[1]
      }
      return .record(out)
    }
    r.function("chr", [Param("code")], doc: "The character with Unicode code point `code`.") { args in
      let code = try args.int(0)
      guard code >= 0, code <= 0x10FFFF, let scalar = Unicode.Scalar(UInt32(code)) else {
        throw PavlovError.runtime("chr: \(code) is not a valid code point")
      }
      return .str(String(scalar))
    }
    r.function("ord", [Param("char")], doc: "The Unicode code point of a one-character string.") { args in
      let s = try args.string(0)
      guard s.unicodeScalars.count == 1, let scalar = s.unicodeScalars.first else {
        throw PavlovError.runtime("ord: needs a string of one character, got \(Format.quoted(s))")
      }
      return .int(Int(scalar.value))
    }
  }

  static func length(_ x: Value) throws -> Value {
    switch x {
    case .list(let l): return .int(l.count)  // not `items`, which would move inline items out
    case .string(let s): return .int(s.count)
    case .record(let rec): return .int(rec.count)
    case .range(let rg): return .int(rg.count)
    case .object(let o): if let n = o.length { return .int(n) }
    default: break
    }
    throw PavlovError.runtime("len: \(x.typeName) has no length")
  }

  static func number(_ args: Args, _ i: Int, _ name: String) throws(PavlovError) -> Double {
    guard let d = Ops.asDouble(args[i]) else { throw args.typeError(i, "a number") }
    return d
  }

  static func registerMath(_ r: Registry) {
    r.function("abs", [Param("x")], doc: "The absolute value of a number.") { args in
      switch args[0] {
      case .int(let i):
        if i == Int.min { throw Ops.overflow("abs") }
        return .int(abs(i))
      case .float(let d): return .float(abs(d))
      default: throw args.typeError(0, "a number")
      }
    }
    func unary(_ name: String, _ doc: String, _ f: @escaping (Double) -> Double, domain: ((Double) -> String?)? = nil) {
      r.function(name, [Param("x")], doc: doc) { args in
        let x = try number(args, 0, name)
        if let check = domain, let problem = check(x) { throw PavlovError.runtime("\(name): \(problem)") }
        return .float(f(x))
      }
    }
    unary("sqrt", "The square root (float).", { $0.squareRoot() }) { $0 < 0 ? "cannot take the square root of a negative number (\(Format.float($0)))" : nil }
    unary("exp", "e raised to `x`.", { Glibc.exp($0) })
    unary("sin", "The sine of `x` (radians).", { Glibc.sin($0) })
    unary("cos", "The cosine of `x` (radians).", { Glibc.cos($0) })
    unary("tanh", "The hyperbolic tangent.", { Glibc.tanh($0) })
    r.function("log", [Param("x"), Param("base", default: .null, doc: "defaults to e")], doc: "The logarithm of `x` (natural unless `base` is given).") { args in
      let x = try number(args, 0, "log")
      if x < 0 { throw PavlovError.runtime("log: cannot take the logarithm of a negative number (\(Format.float(x)))") }
      if args.isNull(1) { return .float(Glibc.log(x)) }
      return .float(Glibc.log(x) / Glibc.log(try args.float(1)))
    }
    func rounding(_ name: String, _ doc: String, _ rule: FloatingPointRoundingRule) {
      r.function(name, [Param("x")], doc: doc) { args in
        if case .int = args[0] { return args[0] }
        let d = try number(args, 0, name).rounded(rule)
        guard d.isFinite, abs(d) < 9.2e18 else { throw PavlovError.runtime("\(name): \(Format.float(d)) does not fit in an int") }
        return .int(Int(d))
      }
    }
    rounding("floor", "The largest int not above `x`.", .down)
    rounding("ceil", "The smallest int not below `x`.", .up)
    r.function("round", [Param("x"), Param("digits", default: .null, doc: "decimals to keep; nil rounds to an int")],
               doc: "Rounds half to even, like Python: round(2.5) is 2; round(3.14159, 2) is 3.14.") { args in
      if args.isNull(1) {
        if case .int = args[0] { return args[0] }
        let d = try number(args, 0, "round").rounded(.toNearestOrEven)
        guard d.isFinite, abs(d) < 9.2e18 else { throw PavlovError.runtime("round: \(Format.float(d)) does not fit in an int") }
        return .int(Int(d))
      }
      let digits = max(-308, min(308, try args.int(1)))
      if case .int(let i) = args[0] {
        guard digits < 0 else { return args[0] }
        // Round an int to tens, hundreds, ... half to even, staying an int.
        var scale = 1
        for _ in 0..<min(-digits, 18) { scale *= 10 }
        if -digits > 18 { return .int(0) }
        let q = i / scale, r = i % scale
        var rounded = q
        let twice = 2 * abs(r)
        if twice > scale || (twice == scale && q % 2 != 0) { rounded += i < 0 ? -1 : 1 }
        let (result, overflow) = rounded.multipliedReportingOverflow(by: scale)
        if overflow { throw Ops.overflow("round") }
        return .int(result)
      }
      let x = try number(args, 0, "round")
      guard x.isFinite else { return .float(x) }
      if digits >= 0 {
        // printf rounds the exact binary value, as Python does: round(2.675, 2) is 2.67.
        return .float(Double(Format.cFormat(x, precision: digits, conversion: "f")) ?? x)
      }
      let scale = Glibc.pow(10.0, Double(-digits))
      return .float((x / scale).rounded(.toNearestOrEven) * scale)
    }
    r.function("min", [Param("values", kind: .variadic, doc: "numbers, or one list"), Param("key", default: .null, kind: .keywordOnly)],
               doc: "The smallest value: min(3, 1, 2) or min(xs) or min(xs, key: f).") { args in
      try extreme(args, wantLess: true)
    }.fast1 = { interp, xs in try extreme(of: try iterate(xs, interp), wantLess: true) }
    r.function("max", [Param("values", kind: .variadic, doc: "numbers, or one list"), Param("key", default: .null, kind: .keywordOnly)],
               doc: "The largest value: max(3, 1, 2) or max(xs) or max(xs, key: f).") { args in
      try extreme(args, wantLess: false)
    }.fast1 = { interp, xs in try extreme(of: try iterate(xs, interp), wantLess: false) }
    r.function("sum", [Param("xs", doc: "an iterable of numbers"), Param("start", default: .int(0), range: .any)],
               doc: "The sum of the items (ints stay ints).") { args in
      var total = args[1]
      if case .list(let l) = args[0] {
        for v in l.items { total = try Ops.add(total, v) }
        return total
      }
      if case .range(let rg) = args[0], case .int(var t) = total {
        for k in 0..<rg.count {
          let (s, o) = t.addingReportingOverflow(rg.element(k))
          if o { throw Ops.overflow("sum") }
          t = s
        }
        return .int(t)
      }
      for v in try iterate(args[0], args.interpreter) { total = try Ops.add(total, v) }
      return total
    }
    r.function("pow", [Param("x"), Param("y")], doc: "`x` raised to `y` (same as x ** y).") { args in
      try Ops.arithmeticSlow(.power, args[0], args[1])
    }
    r.function("is_nan", [Param("x")], doc: "True if `x` is a float NaN.") { args in
      if case .float(let d) = args[0] { return .bool(d.isNaN) }
      return .bool(false)
    }
  }

  /// The smallest or largest of `items` with no key function (the one-argument `min(xs)`).
  static func extreme(of items: [Value], wantLess: Bool) throws(PavlovError) -> Value {
    guard var best = items.first else {
      throw PavlovError.runtime("\(wantLess ? "min" : "max") of an empty sequence", hint: "check that the list is not empty first")
    }
    for v in items.dropFirst() {
      if case .float(let x) = v, case .float(let y) = best {
        if wantLess ? x < y : y < x { best = v }
        continue
      }
      if wantLess ? try Ops.lessThan(v, best) : try Ops.lessThan(best, v) { best = v }
    }
    return best
  }

  static func extreme(_ args: Args, wantLess: Bool) throws(PavlovError) -> Value {
    guard case .list(let given) = args[0] else { return .null }
    var items = given.items
    if items.count == 1 { items = try iterate(items[0], args.interpreter) }
    let name = wantLess ? "min" : "max"
    guard var best = items.first else { throw PavlovError.runtime("\(name) of an empty sequence", hint: "check that the list is not empty first") }
    let key = args[1]
    var bestKey = key.isNull ? best : try args.call(key, [best])
    for v in items.dropFirst() {
      let k = key.isNull ? v : try args.call(key, [v])
      let better = wantLess ? try Ops.lessThan(k, bestKey) : try Ops.lessThan(bestKey, k)
      if better { best = v; bestKey = k }
    }
    return best
  }

  /// The items of any iterable value, materialized.
  public static func iterate(_ v: Value, _ interp: Interpreter) throws(PavlovError) -> [Value] {
    switch v {
    case .list(let l): return l.items
    case .range(let r):
      guard r.count <= PList.maxItems else { throw PavlovError.runtime("range of \(r.count) items is too large to turn into a list") }
      return (0..<r.count).map { .int(r.element($0)) }
    case .string(let s): return s.scalars.map { .str(String($0)) }
    case .record(let r): return r.keys.map(\.value)
    case .object(let o):
      if let next = o.makeIterator() {
        var out: [Value] = []
        while let item = try Interpreter.bridge({ () throws in try next() }) { out.append(item) }
        return out
      }
    default: break
    }
    throw PavlovError.runtime("\(v.typeName) is not iterable", hint: "expected a list, range, string or record")
  }

  static func sortValues(_ items: inout [Value], key: Value, reverse: Bool, _ args: Args) throws(PavlovError) {
    var keys = items
    if !key.isNull {
      keys = []
      keys.reserveCapacity(items.count)
      for v in items { keys.append(try args.call(key, [v])) }
    }
    // Stable merge sort on indices, so comparison errors surface as Pavlov errors.
    var order = Array(0..<items.count)
    var scratch = order
    var failure: PavlovError?
    func less(_ i: Int, _ j: Int) -> Bool {
      do throws(PavlovError) { return reverse ? try Ops.lessThan(keys[j], keys[i]) : try Ops.lessThan(keys[i], keys[j]) }
      catch { if failure == nil { failure = error }; return false }
    }
    var width = 1
    let n = order.count
    while width < n {
      var lo = 0
      while lo < n {
        let mid = min(lo + width, n), hi = min(lo + 2 * width, n)
        var i = lo, j = mid, k = lo
        while i < mid && j < hi {
          if less(order[j], order[i]) { scratch[k] = order[j]; j += 1 } else { scratch[k] = order[i]; i += 1 }
          k += 1
        }
        while i < mid { scratch[k] = order[i]; i += 1; k += 1 }
        while j < hi { scratch[k] = order[j]; j += 1; k += 1 }
        lo += 2 * width
      }
      swap(&order, &scratch)
      width *= 2
    }
    if let failure { throw failure }
    items = order.map { items[$0] }
  }

  static func registerSequences(_ r: Registry) {
    r.function("sorted", [Param("xs"), Param("key", default: .null, doc: "a function giving the sort key"),
                          Param("reverse", default: .bool(false))],
               doc: "A new sorted list (stable).") { args in
      var items = try iterate(args[0], args.interpreter)
      try sortValues(&items, key: args[1], reverse: try args.bool(2), args)
      return .list(PList(items))
    }
    r.function("reversed", [Param("xs")], doc: "A new list (or string) in reverse order.") { args in
      if case .string(let s) = args[0] { return .str(String(s.value.unicodeScalars.reversed().map(Character.init))) }
      return .list(PList(try iterate(args[0], args.interpreter).reversed()))
    }
    r.function("enumerate", [Param("xs"), Param("start", default: .int(0), range: .finite)],
               doc: "[index, item] pairs: for (i, x) in enumerate(xs) { ... }.") { args in
      let start = try args.int(1)
      return .list(PList(try iterate(args[0], args.interpreter).enumerated().map {
        .list([.int(start.addingReportingOverflow($0.offset).partialValue), $0.element])
      }))
    }
    r.function("zip", [Param("sequences", kind: .variadic)], doc: "Lists of items taken in step, as long as the shortest input.") { args in
      guard case .list(let seqs) = args[0] else { return .null }
      var lists: [[Value]] = []
      for s in seqs.items { lists.append(try iterate(s, args.interpreter)) }
      let n = lists.map(\.count).min() ?? 0
      return .list(PList((0..<n).map { i in .list(lists.map { $0[i] }) }))
    }
    r.function("any", [Param("xs")], doc: "True if any item is truthy.") { args in
      .bool(try iterate(args[0], args.interpreter).contains { $0.isTruthy })
    }
    r.function("all", [Param("xs")], doc: "True if every item is truthy (true for an empty list).") { args in
      .bool(try iterate(args[0], args.interpreter).allSatisfy { $0.isTruthy })
    }
    r.function("map", [Param("f"), Param("xs")], doc: "A new list of f(x) for each item.") { args in
      let f = try args.callable(0)
      var out: [Value] = []
      for v in try iterate(args[1], args.interpreter) { out.append(try args.call(f, [v])) }
      return .list(PList(out))
    }
    r.function("filter", [Param("f"), Param("xs")], doc: "A new list of the items for which f(x) is truthy.") { args in
      let f = try args.callable(0)
      var out: [Value] = []
      for v in try iterate(args[1], args.interpreter) where try args.call(f, [v]).isTruthy { out.append(v) }
      return .list(PList(out))
    }
    r.function("reduce", [Param("f"), Param("xs"), Param("initial", default: .undefined)],
               doc: "Folds the items with f(accumulator, item), starting from `initial` (or the first item).") { args in
      let f = try args.callable(0)
      var items = try iterate(args[1], args.interpreter)[...]
      var acc: Value
      if case .undefined = args[2] {
        guard let first = items.first else { throw PavlovError.runtime("reduce of an empty sequence with no initial value") }
        acc = first
        items = items.dropFirst()
      } else {
        acc = args[2]
      }
      for v in items { acc = try args.call(f, [acc, v]) }
      return acc
    }
  }

  static func registerErrors(_ r: Registry) {
    r.function("error", [Param("message", doc: "what went wrong")],
               doc: "Raises an error with `message` (catch it with try/catch).") { args in
      let v = args[0]
      let message: String
      if case .string(let s) = v { message = s.value } else { message = Format.repr(v) }
      throw PavlovError(kind: .thrown, message: message, value: v)
    }
    r.function("assert", [Param("condition"), Param("message", default: .str("assertion failed"))],
               doc: "Raises an error with `message` unless `condition` is truthy.") { args in
      if !args[0].isTruthy {
        throw PavlovError(kind: .thrown, message: Format.display(args[1]), value: args[1])
      }
      return .null
    }
    r.function("exit", [Param("code", default: .int(0), range: .between(0, 255))], doc: "Ends the script with an exit code.") { args in
      throw PavlovError(kind: .exit, message: "exit(\(try args.int(0)))", value: .int(try args.int(0)))
    }
  }
}
