import CPavlovSupport
import Glibc
import PavlovLang
import PavlovStdlib

/// The REPL without the terminal: it takes lines, assembles multi-line entries, runs them,
/// answers `:` commands and completes names. The readline front end and the tests drive it.
public final class ReplSession {
  public private(set) var interpreter: Interpreter
  /// Lines of an entry still waiting for its brackets to close.
  public private(set) var pending: [String] = []
  /// Whether the lines in `pending` form a complete entry, tracked line by line.
  private var continuation = Lexer.EntryContinuation()
  /// Colored error reports (on a terminal).
  public var color = false
  let seed: UInt64?
  var entryCount = 0

  public enum Outcome: Equatable {
    /// The entry is incomplete: show the continuation prompt.
    case needsMore
    /// Done; the text (possibly empty) to show.
    case output(String)
    /// `:quit`.
    case quit
  }

  public init(seed: UInt64? = nil) throws(PavlovError) {
    self.seed = seed
    interpreter = try Startup.makeInterpreter(seed: seed)
  }

  deinit { interpreter.tearDown() }

  public var prompt: String { pending.isEmpty ? "pavlov> " : "   ...> " }

  /// Drops a half-typed entry (Ctrl-C at the prompt).
  public func cancelPending() {
    pending.removeAll()
    continuation = Lexer.EntryContinuation()
  }

  /// Feeds one line. `print` output goes through the interpreter's `write` as it happens; the
  /// returned text is the echo of an expression's value, an error report, or a command's answer.
  public func feed(_ line: String) -> Outcome {
    if pending.isEmpty {
      let trimmed = line.trimmingCharacters(in: " \t")
      if trimmed.hasPrefix(":") { return command(trimmed) }
      if trimmed.isEmpty { return .output("") }
    }
    pending.append(line)
    if continuation.needsMore(after: line) { return .needsMore }
    let text = pending.joined(separator: "\n")
    cancelPending()
    return .output(evaluate(text))
  }

  /// Runs one complete entry and returns what to show.
  public func evaluate(_ text: String) -> String {
    entryCount += 1
    let file = SourceFile(name: "<repl \(entryCount)>", text: text)
    do {
      let value = try interpreter.run(file, replMode: true)
      if case .null = value { return "" }
      return Format.repr(value, limit: 10_000)
    } catch {
      _ = pavlov_take_interrupt()
      if error.kind == .exit { return "(exit ignored in the REPL; use :quit)" }
      // The terminal echoed ^C on the line of the running statement: start a new one.
      guard error.kind == .interrupt else { return error.render(color: color) }
      error.message += " (variables keep their values)"
      return "\n" + error.render(color: color)
    }
  }

  // MARK: - Commands

  func command(_ line: String) -> Outcome {
    let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
    let name = parts[0]
    let argument = parts.count > 1 ? parts[1].trimmingCharacters(in: " \t") : ""
    switch name {
    case ":quit", ":q", ":exit":
      return .quit
    case ":help", ":h":
      if argument.isEmpty { return .output(Help.overview(interpreter)) }
      if let text = Help.text(for: argument, in: interpreter) { return .output(text) }
      if let family = interpreter.registry.families.first(where: { $0.name == argument }) {
        let lines = family.members.sorted().compactMap { interpreter.registry.function(named: $0) }.map { "  \($0.signature) — \($0.doc)" }
        return .output("\(family.name):\n" + lines.joined(separator: "\n"))
      }
      let names = interpreter.registry.functionNames + Array(interpreter.registry.types.keys)
        + Array(interpreter.preludeValues.keys) + interpreter.registry.families.map(\.name)
      let near = Suggest.closest(to: argument, among: names).map { " — did you mean `\($0)`?" } ?? ""
      if let value = interpreter.globals.value(named: argument) {
        return .output("\(argument): a variable holding \(value.typeName): \(Format.repr(value, limit: 200))")
      }
      return .output("no help for `\(argument)`\(near); `:help` lists every builtin by family")
    case ":vars":
      let names = interpreter.globals.definedNames
      if names.isEmpty { return .output("(no variables yet)") }
      return .output(names.compactMap { n in
        interpreter.globals.value(named: n).map { "\(n): \($0.typeName) = \(Format.repr($0, limit: 70))" }
      }.joined(separator: "\n"))
    case ":load":
      guard !argument.isEmpty else { return .output("usage: :load FILE") }
      do {
        let text = try Interpreter.readFile(argument)
        _ = try interpreter.run(SourceFile(name: argument, text: text), replMode: true)
        return .output("loaded \(argument)")
      } catch {
        _ = pavlov_take_interrupt()
        return .output(error.render(color: color))
      }
    case ":time":
      guard !argument.isEmpty else { return .output("usage: :time EXPRESSION") }
      let start = Self.now()
      let shown = evaluate(argument)
      let elapsed = Self.now() - start
      if shown.contains("stopped by Ctrl-C") { return .output(shown) }
      return .output((shown.isEmpty ? "" : shown + "\n") + "time: \(Format.format(elapsed * 1000, spec: ".3f", fallback: "?")) ms")
    case ":reset":
      do {
        let fresh = try Startup.makeInterpreter(seed: seed)
        fresh.write = interpreter.write
        interpreter.tearDown()
        interpreter = fresh
        return .output("session reset")
      } catch {
        return .output(error.render(color: color))
      }
    default:
      let commands = [":help", ":vars", ":load", ":time", ":reset", ":quit"]
      let near = Suggest.closest(to: name, among: commands).map { " — did you mean `\($0)`?" } ?? ""
      return .output("unknown command `\(name)`\(near); commands: \(commands.joined(separator: " "))")
    }
  }

  static func now() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
  }

  // MARK: - Completion

  /// Candidates for the word being typed. `prefix` is the line up to the cursor.
  public func completions(forLine prefix: String) -> [String] {
    // The word under the cursor: identifier characters and dots.
    var start = prefix.endIndex
    while start > prefix.startIndex {
      let c = prefix[prefix.index(before: start)]
      if c.isLetter || c.isNumber || c == "_" || c == "." || c == ":" { start = prefix.index(before: start) } else { break }
    }
    let call = Self.openCall(prefix)
    if let call, let text = call.openString {
      // Inside a string passed where an env goes: `make("Cart`, `ppo("Pend`.
      let names = Help.parameterNames(ofCallee: call.callee, in: interpreter) ?? []
      let slot = call.keyword ?? (call.argument < names.count ? names[call.argument] : "")
      guard slot == "id" || slot == "env" else { return [] }
      return Stdlib.environmentIDs.filter { $0.hasPrefix(text) }.sorted()
    }
    let word = String(prefix[start...])
    if word.hasPrefix(":") {
      return [":help", ":vars", ":load", ":time", ":reset", ":quit"].filter { $0.hasPrefix(word) }
    }
    if let dot = word.lastIndex(of: ".") {
      let receiver = String(word[..<dot])
      let partial = String(word[word.index(after: dot)...])
      return memberNames(of: receiver).filter { $0.hasPrefix(partial) }.map { receiver + "." + $0 }
    }
    var names = Set(interpreter.globals.definedNames)
    names.formUnion(interpreter.registry.functionNames)
    names.formUnion(interpreter.preludeValues.keys)
    names.formUnion(Keyword.allCases.map(\.rawValue))
    // Inside a call's parentheses, its keyword arguments come first: `ppo("CartPole-v1", n_e` → `n_envs:`.
    var keywords: [String] = []
    if let call, call.keyword == nil, let params = Help.parameterNames(ofCallee: call.callee, in: interpreter) {
      keywords = params.filter { $0.hasPrefix(word) && !call.given.contains($0) }.map { $0 + ":" }
    }
    return keywords + names.filter { $0.hasPrefix(word) && !$0.hasPrefix("_") }.sorted()
  }

  /// The innermost call still open at the end of `prefix`: its callee (a name or dotted path),
  /// the index of the argument being typed, the keyword it is given under (`lr: 0.`), the
  /// keywords already given, and the text of a string literal left open in it.
  struct OpenCall {
    var callee: String
    var argument = 0
    var keyword: String?
    var given: Set<String> = []
    var openString: String?
  }

  static func openCall(_ prefix: String) -> OpenCall? {
    let chars = Array(prefix)
    var stack: [OpenCall?] = []   // nil: a bracket that is not a call
    var i = 0
    var stringStart: Int?
    while i < chars.count {
      let c = chars[i]
      if stringStart != nil {
        if c == "\\" { i += 2; continue }
        if c == "\"" { stringStart = nil }
        i += 1
        continue
      }
      switch c {
      case "\"": stringStart = i + 1
      case "#": while i < chars.count && chars[i] != "\n" { i += 1 }
      case "(", "[", "{":
        let name = nameBefore(i, in: chars, dotted: true)
        stack.append(c == "(" && !name.isEmpty && !(name.first?.isNumber ?? true) && Keyword(rawValue: name) == nil ? OpenCall(callee: name) : nil)
      case ")", "]", "}":
        if !stack.isEmpty { stack.removeLast() }
      case ",":
        if let last = stack.last, var call = last {
          if let k = call.keyword { call.given.insert(k) }
          call.argument += 1
          call.keyword = nil
          stack[stack.count - 1] = call
        }
      case ":":
        // `name:` inside a call is a keyword argument (a slice's colon sits inside [ ]).
        if let last = stack.last, var call = last {
          let name = nameBefore(i, in: chars, dotted: false)
          if !name.isEmpty { call.keyword = name }
          stack[stack.count - 1] = call
        }
      default: break
      }
      i += 1
    }
    guard let last = stack.last, var call = last else { return nil }
    if let s = stringStart { call.openString = String(chars[s...]) }
    return call
  }

  /// The name that ends just before `index` (spaces between allowed): `ppo` in `ppo (`, or a
  /// dotted path such as `agent.train` when `dotted`.
  private static func nameBefore(_ index: Int, in chars: [Character], dotted: Bool) -> String {
    var end = index
    while end > 0 && chars[end - 1] == " " { end -= 1 }
    var begin = end
    while begin > 0, chars[begin - 1].isLetter || chars[begin - 1].isNumber || chars[begin - 1] == "_" || (dotted && chars[begin - 1] == ".") { begin -= 1 }
    return String(chars[begin..<end])
  }

  /// Members of a dotted path of variables (`cfg.model`), without running any code.
  func memberNames(of path: String) -> [String] {
    let parts = path.split(separator: ".").map(String.init)
    guard let first = parts.first else { return [] }
    var value: Value
    if let v = interpreter.globals.value(named: first) { value = v }
    else if let t = interpreter.registry.types[first] { return t.memberNames }
    else { return [] }
    for part in parts.dropFirst() {
      guard case .record(let r) = value, let next = r[part] else { return [] }
      value = next
    }
    var names = interpreter.registry.type(of: value).memberNames
    if case .record(let r) = value { names += r.keys.map(\.text).filter { Format.isPlainName($0) } }
    return Array(Set(names)).sorted()
  }
}

extension Format {
  /// Formats a number, falling back to `fallback` if the spec is rejected.
  static func format(_ x: Double, spec: String, fallback: String) -> String {
    (try? Format.format(.float(x), spec: spec)) ?? fallback
  }

  /// True for a key that can be written after a dot.
  static func isPlainName(_ s: String) -> Bool {
    guard let first = s.unicodeScalars.first, first == "_" || (first.properties.isAlphabetic && first.isASCII) else { return false }
    return s.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ($0.value >= 48 && $0.value <= 57))) }
  }
}
