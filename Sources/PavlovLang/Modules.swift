import Glibc

extension Interpreter {
  /// Reads a whole text file, or explains why it cannot.
  public static func readFile(_ path: String) throws(PavlovError) -> String {
    guard let handle = fopen(path, "rb") else {
      let reason = String(cString: strerror(errno))
      throw PavlovError.runtime("cannot read \(path): \(reason)")
    }
    defer { fclose(handle) }
    var info = stat()
    if fstat(fileno(handle), &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
      throw PavlovError.runtime("cannot read \(path): it is a folder, not a Pavlov file", hint: "give the path of a .pav file")
    }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65_536)
    while true {
      let n = fread(&chunk, 1, chunk.count, handle)
      if n > 0 { bytes.append(contentsOf: chunk[0..<n]) }
      if n < chunk.count { break }
      if bytes.count > Ops.maxStringBytes {
        throw PavlovError.runtime("cannot read \(path): it is larger than \(Ops.maxStringBytes) bytes", hint: "a Pavlov source file is text of at most 256 MiB")
      }
    }
    if ferror(handle) != 0 { throw PavlovError.runtime("cannot read \(path): \(String(cString: strerror(errno)))") }
    return try sourceText(bytes, path: path)
  }

  /// A source file's bytes as text: a binary file (a NUL byte) or invalid UTF-8 is one clear
  /// error instead of thousands of diagnostics or silently replaced characters (two different
  /// bad names would collide); a UTF-8 byte-order mark is dropped.
  static func sourceText(_ bytes: [UInt8], path: String) throws(PavlovError) -> String {
    if let zero = bytes.firstIndex(of: 0) {
      throw PavlovError.runtime("\(path) is not a Pavlov source file: it holds a NUL byte (at byte \(zero)), so it is binary",
                                hint: "give the path of a .pav text file")
    }
    var parser = Unicode.UTF8.ForwardParser()
    var iterator = bytes.makeIterator()
    var offset = 0
    decoding: while true {
      switch parser.parseScalar(from: &iterator) {
      case .valid(let encoded): offset += encoded.count
      case .emptyInput: break decoding
      case .error:
        throw PavlovError.runtime("\(path) is not valid UTF-8 (at byte \(offset))", hint: "save the file as UTF-8 text")
      }
    }
    let start = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
    return String(decoding: bytes[start...], as: UTF8.self)
  }

  static func directory(of path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "." }
    return String(path[..<slash]).isEmpty ? "/" : String(path[..<slash])
  }

  static func folderExists(_ path: String) -> Bool {
    var info = stat()
    return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
  }

  static func fileExists(_ path: String) -> Bool {
    var info = stat()
    return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
  }

  static func canonical(_ path: String) -> String {
    guard let resolved = realpath(path, nil) else { return path }
    defer { free(resolved) }
    return String(cString: resolved)
  }

  /// `import "path.pav" as name`: runs the module once (in its own globals) and returns a
  /// record of what it defines. Paths are relative to the importing file, then `importPaths`.
  func importModule(_ path: String, from file: SourceFile) throws(PavlovError) -> Value {
    var candidates: [String] = []
    if path.hasPrefix("/") {
      candidates = [path]
    } else {
      let here = file.name.hasPrefix("<") ? "." : Self.directory(of: file.name)
      candidates = [here + "/" + path] + importPaths.map { $0 + "/" + path }
    }
    guard let found = candidates.first(where: Self.fileExists) else {
      if let folder = candidates.first(where: Self.folderExists) {
        throw PavlovError.runtime("cannot import \"\(path)\": \(folder) is a folder, not a .pav file", hint: "import a file inside it, e.g. \"\(path)/lib.pav\"")
      }
      throw PavlovError.runtime("cannot find module \"\(path)\"",
                                hint: "looked in: \(candidates.joined(separator: ", "))")
    }
    let key = Self.canonical(found)
    if let cached = moduleCache[key] { return cached }
    if modulesLoading.contains(key) {
      throw PavlovError.runtime("circular import of \"\(path)\"", hint: "two modules import each other; move the shared part into a third")
    }
    modulesLoading.insert(key)
    defer { modulesLoading.remove(key) }
    let source = SourceFile(name: found, text: try Self.readFile(found))
    let program = try Parser.parse(source)
    let moduleGlobals = GlobalScope()
    ownedScopes.append(moduleGlobals)
    _ = try run(program, globals: moduleGlobals, replMode: false)
    let exports = PRecord()
    for name in moduleGlobals.definedNames where !name.hasPrefix("_") {
      if let v = moduleGlobals.value(named: name) { exports[name] = v }
    }
    let module = Value.record(exports)
    moduleCache[key] = module
    return module
  }

  /// Runs `source` (the prelude) and makes its top-level definitions visible everywhere, like
  /// builtins. `## ` comments just above a `fn` become its `:help` text.
  public func loadPrelude(_ source: SourceFile) throws(PavlovError) {
    let program = try Parser.parse(source)
    let preludeGlobals = GlobalScope()
    ownedScopes.append(preludeGlobals)
    _ = try run(program, globals: preludeGlobals, replMode: false)
    for name in preludeGlobals.definedNames where !name.hasPrefix("_") {
      if let v = preludeGlobals.value(named: name) { preludeValues[name] = v }
    }
    for stmt in program.body.statements {
      guard case .function(let decl, _) = stmt.kind else { continue }
      var lines: [String] = []
      var line = decl.location.line - 1
      while line >= 1 {
        let text = source.lineText(line).trimmingCharacters(in: " \t")
        guard text.hasPrefix("##") else { break }
        lines.insert(String(text.dropFirst(2)).trimmingCharacters(in: " \t"), at: 0)
        line -= 1
      }
      if !lines.isEmpty { preludeDocs[decl.name] = lines.joined(separator: " ") }
    }
  }

  /// `value.name = v`: a record field or an assignable property.
  func setMember(_ value: Value, _ name: String, _ newValue: Value) throws(PavlovError) {
    if case .record(let r) = value {
      r[name] = newValue
      return
    }
    let type = registry.type(of: value)
    if let p = type.properties[name] {
      guard let set = p.set else { throw PavlovError.runtime("`\(type.name).\(name)` is read-only") }
      try Interpreter.bridge { () throws in try set(value, newValue) }
      return
    }
    throw PavlovError.runtime("cannot set `\(name)` on \(type.name)", hint: "only records and objects with assignable properties take `x.name = value`")
  }
}

extension String {
  /// The string without leading and trailing code points from `set` (no Foundation needed).
  public func trimmingCharacters(in set: String) -> String {
    let scalars = Set(set.unicodeScalars)
    var s = Substring(self).unicodeScalars
    while let c = s.first, scalars.contains(c) { s.removeFirst() }
    while let c = s.last, scalars.contains(c) { s.removeLast() }
    return String(s)
  }
}
