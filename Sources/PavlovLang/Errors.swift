/// One problem found before running (syntax or name resolution), with where and how to fix it.
public struct Diagnostic {
  public let message: String
  public let location: SourceLocation
  public let hint: String?

  public init(_ message: String, at location: SourceLocation, hint: String? = nil) {
    self.message = message
    self.location = location
    self.hint = hint
  }
}

/// A frame of a Pavlov stack trace: the function that was running and where in it.
public struct TraceEntry {
  public let function: String
  public let location: SourceLocation?
}

/// Every error Pavlov reports: compile errors (all of them at once), runtime errors that
/// scripts can catch, and the uncatchable interrupt.
public final class PavlovError: Error, @unchecked Sendable {
  public enum Kind: Equatable {
    /// Found before running; `diagnostics` lists each one.
    case compile
    /// A runtime error raised by the language or a builtin; catchable.
    case runtime
    /// Raised by `throw` or `error(...)` in a script; catchable; `value` holds what was thrown.
    case thrown
    /// Ctrl-C or an exhausted step budget; `try` does not catch it, so it always stops the run.
    case interrupt
    /// `exit(code)`: ends the script with `value` as the exit code; not catchable.
    case exit
  }

  public let kind: Kind
  public var message: String
  public var location: SourceLocation?
  public var hint: String?
  public var diagnostics: [Diagnostic]
  /// Call sites the error passed through, innermost first (see `renderedTrace`).
  public var callSites: [TraceEntry] = []
  /// What a script threw (a string for `error("...")`).
  public var value: Value?

  public init(kind: Kind, message: String, location: SourceLocation? = nil, hint: String? = nil,
              diagnostics: [Diagnostic] = [], value: Value? = nil) {
    self.kind = kind
    self.message = message
    self.location = location
    self.hint = hint
    self.diagnostics = diagnostics
    self.value = value
  }

  /// A catchable runtime error; the evaluator adds the location of the expression that failed.
  public static func runtime(_ message: String, hint: String? = nil) -> PavlovError {
    PavlovError(kind: .runtime, message: message, hint: hint)
  }

  /// The error Ctrl-C raises, wherever it is noticed (the evaluator or a long builtin). The
  /// REPL adds that variables keep their values; a script just ends.
  public static func interrupted() -> PavlovError {
    PavlovError(kind: .interrupt, message: "stopped by Ctrl-C")
  }

  public static func compile(_ diagnostics: [Diagnostic]) -> PavlovError {
    let first = diagnostics.first
    return PavlovError(kind: .compile, message: first?.message ?? "compile error",
                       location: first?.location, hint: first?.hint, diagnostics: diagnostics)
  }

  /// Sets the location only if no inner expression set a more precise one.
  @inline(__always)
  func located(_ location: SourceLocation) -> PavlovError {
    if self.location == nil { self.location = location }
    return self
  }

  public var isCatchable: Bool { kind == .runtime || kind == .thrown }

  /// The frames from the outermost (the script) to the innermost (where it failed).
  public var trace: [TraceEntry] {
    guard !callSites.isEmpty else { return [] }
    var frames: [TraceEntry] = []
    // callSites[k] says: function callSites[k].function was called at callSites[k].location.
    // The caller of the outermost call is the script itself.
    let ordered = callSites.reversed()
    var callerName = "<script>"
    for site in ordered {
      frames.append(TraceEntry(function: callerName, location: site.location))
      callerName = site.function
    }
    frames.append(TraceEntry(function: callerName, location: location))
    return frames
  }
}

extension PavlovError: CustomStringConvertible {
  public var description: String { render(color: false) }

  /// The full report: message, `--> file:line:col`, the source line with a caret, a hint,
  /// and for runtime errors the Pavlov stack trace (innermost last).
  public func render(color: Bool = false) -> String {
    if kind == .compile && !diagnostics.isEmpty {
      // A file of garbage can hold thousands of errors: the first few say what is wrong.
      var out = diagnostics.prefix(Self.maxShownDiagnostics)
        .map { Self.renderOne(label: "error", message: $0.message, at: $0.location, hint: $0.hint, color: color) }
        .joined(separator: "\n")
      if diagnostics.count > Self.maxShownDiagnostics {
        out += "\n... and \(diagnostics.count - Self.maxShownDiagnostics) more errors (fix these first)"
      }
      if diagnostics.count > 1 { out += "\n\(diagnostics.count) errors" }
      return out
    }
    let label = kind == .interrupt ? "interrupted" : "error"
    var out = Self.renderOne(label: label, message: message, at: location, hint: hint, color: color)
    let frames = trace
    if frames.count > 1 {
      out += "\nstack trace (innermost last):"
      var lines: [String] = []
      var previous = "", repeats = 0
      func flush() {
        if repeats > 0 { lines.append("  ... the line above repeats \(repeats) more time\(repeats == 1 ? "" : "s")") }
        repeats = 0
      }
      for frame in frames {
        let place = frame.location.map { "\($0)" } ?? "(builtin)"
        let line = "  \(place)  in \(frame.function)"
        if line == previous { repeats += 1; continue }
        flush()
        lines.append(line)
        previous = line
      }
      flush()
      // Mutual recursion does not fold line by line: keep the two ends of a very long trace.
      if lines.count > 60 {
        let omitted = lines.count - 50
        lines = Array(lines.prefix(25)) + ["  ... \(omitted) more frames ..."] + Array(lines.suffix(25))
      }
      out += "\n" + lines.joined(separator: "\n")
    }
    return out
  }

  /// Compile errors shown for one run; the count of the rest follows them.
  static let maxShownDiagnostics = 20
  /// Characters of a long source line shown around the caret.
  static let lineWindow = 100

  static func renderOne(label: String, message: String, at location: SourceLocation?, hint: String?, color: Bool) -> String {
    let red = color ? "\u{1B}[1;31m" : "", blue = color ? "\u{1B}[1;34m" : "", reset = color ? "\u{1B}[0m" : ""
    var out = "\(red)\(label)\(reset): \(visible(message))"
    if let loc = location {
      let lineNumber = String(loc.line)
      let pad = String(repeating: " ", count: lineNumber.count)
      var text = Array(loc.file.lineText(loc.line))
      if text.last == "\r" { text.removeLast() }
      out += "\n\(pad)\(blue)-->\(reset) \(visible(loc.description))"
      if !text.isEmpty || loc.line <= loc.file.lineStarts.count {
        // A window of a long line around the caret, with control characters made visible (a
        // file's escape sequences must not reach the terminal); tabs before the caret keep
        // their width so the caret lines up.
        let caret = min(max(0, loc.column - 1), text.count)
        let caretEnd = min(text.count, caret + max(1, loc.length))
        var low = 0, high = text.count
        if text.count > lineWindow {
          low = max(0, min(caret - lineWindow / 2, text.count - lineWindow))
          high = min(text.count, low + lineWindow)
        }
        let shown = text[low..<high].map(visible).joined()
        let prefix = text[low..<min(caret, high)].map { $0 == "\t" ? "\t" : String(repeating: " ", count: visible($0).count) }.joined()
        let width = max(1, text[min(caret, high)..<min(caretEnd, high)].map { visible($0).count }.reduce(0, +))
        let lead = low > 0 ? "…" : "", trail = high < text.count ? "…" : ""
        out += "\n\(pad) \(blue)|\(reset)"
        out += "\n\(blue)\(lineNumber) |\(reset) \(lead)\(shown)\(trail)"
        out += "\n\(pad) \(blue)|\(reset) \(lead.isEmpty ? "" : " ")\(prefix)\(red)\(String(repeating: "^", count: width))\(reset)"
      }
    }
    if let hint { out += "\n\(pad(for: location))= hint: \(visible(hint))" }
    return out
  }

  /// Text with its control characters (but tab and newline) shown as `\u{1b}`: what reaches the
  /// terminal from a diagnostic can move no cursor, set no title, and a NUL cuts nothing short.
  public static func visible(_ text: String) -> String {
    guard text.unicodeScalars.contains(where: isControl) else { return text }
    var out = ""
    for scalar in text.unicodeScalars {
      if isControl(scalar) { out += "\\u{" + String(scalar.value, radix: 16) + "}" } else { out.unicodeScalars.append(scalar) }
    }
    return out
  }

  static func visible(_ c: Character) -> String { c == "\t" ? "\t" : visible(String(c)) }

  private static func isControl(_ s: Unicode.Scalar) -> Bool {
    (s.value < 0x20 && s != "\t" && s != "\n") || (s.value >= 0x7F && s.value < 0xA0)
  }

  private static func pad(for location: SourceLocation?) -> String {
    String(repeating: " ", count: (location.map { String($0.line).count } ?? 0) + 1)
  }
}
