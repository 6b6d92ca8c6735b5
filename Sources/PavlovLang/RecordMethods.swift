/// Methods of records: `r.keys()`, `r.get("lr", 0.1)`, ...
enum RecordMethods {
  static func record(_ args: Args) -> PRecord { record(args.receiver) }

  static func record(_ receiver: Value) -> PRecord {
    if case .record(let r) = receiver { return r }
    return PRecord()
  }

  static func key(_ args: Args, _ i: Int) throws(PavlovError) -> RecordKey { try key(args.function, args[i], i) }

  static func key(_ method: BuiltinFunction, _ value: Value, _ i: Int) throws(PavlovError) -> RecordKey {
    guard let k = Ops.recordKey(value) else { throw method.typeError(i, value, "a string or int key") }
    return k
  }

  /// `r.has(key)`, for the method's body and its direct entry.
  static func has(_ method: BuiltinFunction, _ receiver: Value, _ keyValue: Value) throws(PavlovError) -> Value {
    .bool(record(receiver).has(try key(method, keyValue, 0)))
  }

  /// `r.get(key, default)`, for the method's body and its direct entry.
  static func get(_ method: BuiltinFunction, _ receiver: Value, _ keyValue: Value, default fallback: Value) throws(PavlovError) -> Value {
    record(receiver)[try key(method, keyValue, 0)] ?? fallback
  }

  /// `r.remove(key)`, for the method's body and its direct entry.
  static func remove(_ method: BuiltinFunction, _ receiver: Value, _ keyValue: Value) throws(PavlovError) -> Value {
    let k = try key(method, keyValue, 0)
    guard let v = record(receiver).remove(k) else { throw PavlovError.runtime("record has no key \(Format.repr(k.value))") }
    return v
  }

  static func register(_ t: NativeType) {
    t.method("keys", doc: "The keys, in insertion order.") { args in .list(PList(record(args).keys.map(\.value))) }
    t.method("values", doc: "The values, in insertion order.") { args in .list(PList(record(args).values)) }
    t.method("items", doc: "[key, value] pairs: for (k, v) in r.items() { ... }.") { args in
      let r = record(args)
      return .list(PList(zip(r.keys, r.values).map { .list([$0.0.value, $0.1]) }))
    }
    t.method("has", [Param("key")], doc: "True if `key` is present.") { args in try has(args.function, args.receiver, args[0]) }
      .method1 = { method, receiver, k in try has(method, receiver, k) }
    t.method("get", [Param("key"), Param("default", default: .null)], doc: "The value for `key`, or `default` if absent.") { args in
      try get(args.function, args.receiver, args[0], default: args[1])
    }.method1 = { method, receiver, k in try get(method, receiver, k, default: method.params[1].defaultValue ?? .null) }
    t.method("set", [Param("key"), Param("value")], doc: "Sets `key` to `value`.") { args in
      record(args)[try key(args, 0)] = args[1]
      return .null
    }
    t.method("remove", [Param("key")], doc: "Removes `key` and returns its value (an error if absent).") { args in
      try remove(args.function, args.receiver, args[0])
    }.method1 = { method, receiver, k in try remove(method, receiver, k) }
    t.method("copy", doc: "A shallow copy.") { args in .record(record(args).copy()) }
    t.method("merge", [Param("other")], doc: "A new record with `other`'s entries added (or replacing).") { args in
      let out = record(args).copy()
      let other = try args.record(0)
      for (k, v) in zip(other.keys, other.values) { out[k] = v }
      return .record(out)
    }
    t.method("len", doc: "The number of entries.") { args in .int(record(args).count) }
  }
}
