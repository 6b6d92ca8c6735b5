/// Methods of lists: `xs.push(3)`, `xs.sort()`, ...
enum ListMethods {
  static func list(_ args: Args) -> PList {
    if case .list(let l) = args.receiver { return l }
    return PList()
  }

  static func register(_ t: NativeType) {
    // One method under two names: `push` is Pavlov's (the examples and docs use it), `append`
    // is there for hands that type Python.
    let push: BuiltinFunction.Body = { args in
      list(args).items.append(args[0])
      return .null
    }
    t.method("push", [Param("item")], doc: "Appends `item` at the end.", push)
    t.method("append", [Param("item")], doc: "Another name for push (Python's).", push)
    t.method("extend", [Param("items")], doc: "Appends every item of `items`.") { args in
      let l = list(args)
      let more = try CoreLibrary.iterate(args[0], args.interpreter)
      try Ops.checkListSize(l.items.count + more.count)
      l.items.append(contentsOf: more)
      return .null
    }
    t.method("pop", [Param("index", default: .int(-1), range: .finite)], doc: "Removes and returns the item at `index` (the last by default).") { args in
      let l = list(args)
      guard !l.items.isEmpty else { throw PavlovError.runtime("pop from an empty list") }
      let i = try Ops.normalizedIndex(args[0], count: l.items.count, what: "list")
      return l.items.remove(at: i)
    }
    t.method("insert", [Param("index"), Param("item")], doc: "Inserts `item` before position `index`.") { args in
      let l = list(args)
      var i = try args.int(0)
      if i < 0 { i = i.addingReportingOverflow(l.items.count).partialValue }
      l.items.insert(args[1], at: min(max(i, 0), l.items.count))
      return .null
    }
    t.method("remove", [Param("item")], doc: "Removes the first item equal to `item`.") { args in
      let l = list(args)
      guard let i = l.items.firstIndex(where: { Ops.equals($0, args[0]) }) else {
        throw PavlovError.runtime("list.remove: \(Format.repr(args[0], limit: 40)) is not in the list")
      }
      l.items.remove(at: i)
      return .null
    }
    t.method("clear", doc: "Removes every item.") { args in
      list(args).items.removeAll()
      return .null
    }
    t.method("sort", [Param("key", default: .null), Param("reverse", default: .bool(false))], doc: "Sorts in place (stable).") { args in
      let l = list(args)
      var items = l.items
      // A key function that changes the list would have its change lost when the sorted items
      // are written back (as in Python, an error): the storage is shared until a write.
      let storage = l.items.withUnsafeBufferPointer { $0.baseAddress }
      try CoreLibrary.sortValues(&items, key: args[0], reverse: try args.bool(1), args)
      guard l.items.withUnsafeBufferPointer({ $0.baseAddress }) == storage else {
        throw PavlovError.runtime("sort: the list was changed while it was being sorted", hint: "the key function must not change the list; sort a copy, or collect the changes and apply them after")
      }
      l.items = items
      return .null
    }
    t.method("reverse", doc: "Reverses in place.") { args in
      list(args).items.reverse()
      return .null
    }
    t.method("index", [Param("item")], doc: "The position of the first item equal to `item` (an error if absent).") { args in
      guard let i = list(args).items.firstIndex(where: { Ops.equals($0, args[0]) }) else {
        throw PavlovError.runtime("list.index: \(Format.repr(args[0], limit: 40)) is not in the list", hint: "check with `x in xs` first")
      }
      return .int(i)
    }
    t.method("contains", [Param("item")], doc: "True if some item equals `item`.") { args in
      .bool(list(args).items.contains { Ops.equals($0, args[0]) })
    }
    t.method("count", [Param("item")], doc: "How many items equal `item`.") { args in
      .int(list(args).items.filter { Ops.equals($0, args[0]) }.count)
    }
    t.method("join", [Param("sep", default: .str(""))], doc: "The items as text, separated by `sep`.") { args in
      .str(try StringMethods.joined(list(args).items, separator: try args.string(0)))
    }
    t.method("slice", [Param("start", default: .null), Param("end", default: .null), Param("step", default: .null)],
             doc: "A new list of items from `start` to `end` (same as xs[start:end:step]).") { args in
      try Ops.slice(args.receiver, args[0], args[1], args[2])
    }
    t.method("copy", doc: "A shallow copy.") { args in .list(PList(list(args).items)) }
    t.method("map", [Param("f")], doc: "A new list of f(x) for each item.") { args in
      let f = try args.callable(0)
      var out: [Value] = []
      for v in list(args).items { out.append(try args.call(f, [v])) }
      return .list(PList(out))
    }
    t.method("filter", [Param("f")], doc: "A new list of the items for which f(x) is truthy.") { args in
      let f = try args.callable(0)
      var out: [Value] = []
      for v in list(args).items where try args.call(f, [v]).isTruthy { out.append(v) }
      return .list(PList(out))
    }
    t.method("is_empty", doc: "True if the list has no items.") { args in .bool(list(args).items.isEmpty) }
    t.property("length", doc: "The number of items.") { v in
      if case .list(let l) = v { return .int(l.items.count) }
      return .int(0)
    }
  }
}
