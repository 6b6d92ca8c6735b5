/// `:help` text and the generated reference pages, both read from the registrations so they
/// cannot drift from what the builtins actually take.
public enum Help {
  /// Help for `name`: a builtin, a prelude function, a type (`list`) or a member (`list.push`).
  public static func text(for name: String, in interp: Interpreter) -> String? {
    let registry = interp.registry
    if let f = registry.function(named: name) { return describe(f) }
    if let doc = interp.preludeDocs[name], case .function(let f)? = interp.preludeValues[name] {
      let params = (f as? Closure)?.proto.parameterSignatures.joined(separator: ", ") ?? ""
      return "\(name)(\(params))   [prelude]\n  \(doc)"
    }
    if let v = interp.preludeValues[name] { return "\(name) = \(Format.repr(v, limit: 200))   [prelude]" }
    if let t = registry.types[name] { return describe(t) }
    let parts = name.split(separator: ".", maxSplits: 1).map(String.init)
    if parts.count == 2, let t = registry.types[parts[0]] {
      if let m = t.methods[parts[1]] { return describe(m) }
      if let p = t.properties[parts[1]] { return "\(t.name).\(parts[1])   (property\(p.set == nil ? "" : ", assignable"))\n  \(p.doc)" }
    }
    if let k = Keyword(rawValue: name) { return keywordHelp(k) }
    return nil
  }

  /// The parameter names a call to `callee` takes — a builtin (`ppo`), a function defined in
  /// Pavlov (`train`), or a method of a variable's value (`agent.train`) — for completing
  /// keyword arguments. Nothing is run: variables are only looked up.
  public static func parameterNames(ofCallee callee: String, in interp: Interpreter) -> [String]? {
    let parts = callee.split(separator: ".").map(String.init)
    guard let first = parts.first else { return nil }
    if parts.count == 1 {
      if let f = interp.registry.function(named: first) { return f.params.map(\.name) }
      let value = interp.globals.value(named: first) ?? interp.preludeValues[first]
      if case .function(let f)? = value, let closure = f as? Closure { return closure.proto.parameterNames }
      return nil
    }
    var value: Value
    if let v = interp.globals.value(named: first) { value = v } else if let t = interp.registry.types[first], parts.count == 2 {
      return t.methods[parts[1]]?.params.map(\.name)
    } else { return nil }
    for part in parts.dropFirst().dropLast() {
      guard case .record(let r) = value, let next = r[part] else { return nil }
      value = next
    }
    let method = parts[parts.count - 1]
    if case .record(let r) = value, case .function(let f)? = r[method], let closure = f as? Closure { return closure.proto.parameterNames }
    return interp.registry.type(of: value).methods[method]?.params.map(\.name)
  }

  public static func describe(_ f: BuiltinFunction) -> String {
    var out = "\(f.signature)\n  \(f.doc)"
    let documented = f.params.filter { !$0.doc.isEmpty || $0.range != nil }
    if !documented.isEmpty {
      out += "\n  parameters:"
      for p in documented { out += "\n    \(p.signature) — \(p.described)" }
    }
    return out
  }

  public static func describe(_ t: NativeType) -> String {
    var out = "type \(t.name)\n  \(t.doc)"
    if !t.properties.isEmpty {
      out += "\n  properties:"
      for name in t.properties.keys.sorted() { out += "\n    .\(name) — \(t.properties[name]?.doc ?? "")" }
    }
    if !t.methods.isEmpty {
      out += "\n  methods:"
      for name in t.methods.keys.sorted() {
        guard let m = t.methods[name] else { continue }
        out += "\n    .\(name)(\(m.params.map(\.signature).joined(separator: ", "))) — \(m.doc)"
      }
    }
    return out
  }

  /// The `:help` overview: every builtin by family, then the types.
  public static func overview(_ interp: Interpreter) -> String {
    let registry = interp.registry
    var out = "Pavlov builtins (`:help NAME` for one; `:help list` for a type's methods)\n"
    for family in registry.families {
      out += "\n\(family.name):\n" + wrap(family.members.sorted(), indent: "  ")
    }
    if !interp.preludeValues.isEmpty {
      out += "\nprelude (stdlib/prelude.pav):\n" + wrap(interp.preludeValues.keys.sorted(), indent: "  ")
    }
    out += "\ntypes:\n" + wrap(registry.types.keys.sorted(), indent: "  ")
    out += "\nREPL commands: :help [name]  :vars  :load FILE  :time EXPR  :reset  :quit"
    return out
  }

  static func wrap(_ words: [String], indent: String, width: Int = 88) -> String {
    var lines: [String] = []
    var line = indent
    for w in words {
      if line.count + w.count + 2 > width && line != indent { lines.append(line); line = indent }
      line += (line == indent ? "" : "  ") + w
    }
    if line != indent { lines.append(line) }
    return lines.joined(separator: "\n") + "\n"
  }

  static func keywordHelp(_ k: Keyword) -> String {
    switch k {
    case .let: return "let NAME = VALUE — declares a variable. `let (a, b) = pair` unpacks."
    case .fn: return "fn NAME(a, b, lr: 0.1) { ... } — declares a function; parameters may have defaults."
    case .if, .elif, .else: return "if COND { ... } elif COND { ... } else { ... }"
    case .while: return "while COND { ... } — loops while COND is truthy."
    case .for, .in: return "for x in XS { ... } — loops over a range, list, string, record (keys) or iterable; `for (i, x) in enumerate(xs)` unpacks."
    case .break, .continue: return "break leaves the innermost loop; continue starts its next iteration."
    case .return: return "return VALUE — leaves the function with VALUE (nil if omitted)."
    case .try, .catch, .throw: return "try { ... } catch e { print(e.message) } — catches runtime errors; `throw VALUE` or `error(\"...\")` raises one."
    case .import, .as: return "import \"path.pav\" as NAME — runs a module once and binds its definitions as a record."
    case .and, .or, .not: return "`a and b`, `a or b` (return an operand, like Python), `not a`."
    case .true, .false, .nil: return "The constants true, false and nil."
    }
  }

  /// The reference manual in Markdown, one page per family plus one for types.
  public static func referencePages(_ interp: Interpreter) -> [(file: String, text: String)] {
    let registry = interp.registry
    var pages: [(String, String)] = []
    var index = "# Pavlov reference\n\nGenerated by `pavlov docs` from the builtin registrations (the same text `:help` shows). Do not edit by hand.\n\n"
    for family in registry.families {
      var page = "# \(family.name)\n\n"
      for name in family.members.sorted() {
        guard let f = registry.function(named: name) else { continue }
        page += "## `\(f.signature)`\n\n\(f.doc)\n\n"
        let documented = f.params.filter { !$0.doc.isEmpty || $0.range != nil }
        if !documented.isEmpty {
          page += "| parameter | meaning |\n| --- | --- |\n"
          for p in documented { page += "| `\(p.signature)` | \(p.described) |\n" }
          page += "\n"
        }
      }
      pages.append(("\(family.name).md", page))
      index += "- [\(family.name)](\(family.name).md): \(family.members.sorted().map { "`\($0)`" }.joined(separator: ", "))\n"
    }
    var types = "# types\n\nMethods and properties of the built-in value types.\n\n"
    for name in registry.types.keys.sorted() {
      guard let t = registry.types[name] else { continue }
      types += "## \(t.name)\n\n\(t.doc)\n\n"
      for p in t.properties.keys.sorted() { types += "- `.\(p)` — \(t.properties[p]?.doc ?? "")\n" }
      for m in t.methods.keys.sorted() {
        guard let f = t.methods[m] else { continue }
        types += "- `.\(m)(\(f.params.map(\.signature).joined(separator: ", ")))` — \(f.doc)\n"
      }
      types += "\n"
    }
    pages.append(("types.md", types))
    index += "- [types](types.md): methods of \(registry.types.keys.sorted().map { "`\($0)`" }.joined(separator: ", "))\n"
    if !interp.preludeValues.isEmpty {
      var prelude = "# prelude\n\nFunctions written in Pavlov in `stdlib/prelude.pav`, loaded at start.\n\n"
      for name in interp.preludeValues.keys.sorted() {
        guard case .function(let f)? = interp.preludeValues[name], let c = f as? Closure else { continue }
        prelude += "## `\(name)(\(c.proto.parameterSignatures.joined(separator: ", ")))`\n\n\(interp.preludeDocs[name] ?? "")\n\n"
      }
      pages.append(("prelude.md", prelude))
      index += "- [prelude](prelude.md): \(interp.preludeValues.keys.sorted().map { "`\($0)`" }.joined(separator: ", "))\n"
    }
    pages.insert(("README.md", index), at: 0)
    return pages
  }
}
