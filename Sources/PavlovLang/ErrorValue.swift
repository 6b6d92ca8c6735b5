/// A caught error as a Pavlov value: `catch e { print(e.message, e.line) }`.
public final class ErrorValue: PObject {
  public let error: PavlovError

  init(_ error: PavlovError, type: NativeType) {
    self.error = error
    super.init(type: type)
  }

  public override var displayString: String { "<error: \(error.message)>" }

  static func makeType() -> NativeType {
    let t = NativeType(name: "error", doc: "A caught error: `try { ... } catch e { print(e.message) }`.")
    func error(_ v: Value) -> PavlovError? {
      if case .object(let o) = v, let e = o as? ErrorValue { return e.error }
      return nil
    }
    t.property("message", doc: "What went wrong.") { v in .str(error(v)?.message ?? "") }
    t.property("line", doc: "The line where it happened (nil if unknown).") { v in
      error(v)?.location.map { .int($0.line) } ?? .null
    }
    t.property("column", doc: "The column where it happened (nil if unknown).") { v in
      error(v)?.location.map { .int($0.column) } ?? .null
    }
    t.property("file", doc: "The file where it happened.") { v in error(v)?.location.map { .str($0.file.name) } ?? .null }
    t.property("value", doc: "What `throw` threw (the message for errors raised by Pavlov itself).") { v in
      guard let e = error(v) else { return .null }
      return e.value ?? .str(e.message)
    }
    t.property("hint", doc: "A suggestion for fixing it, if any.") { v in error(v)?.hint.map { .str($0) } ?? .null }
    t.property("trace", doc: "The stack trace as a list of \"file:line:col in function\" strings, innermost last.") { v in
      guard let e = error(v) else { return .list([]) }
      return .list(e.trace.map { .str("\($0.location.map { "\($0)" } ?? "(native)") in \($0.function)") })
    }
    t.method("report", doc: "The full error report, as printed when a script fails.") { args in
      .str(error(args.receiver)?.render() ?? "")
    }
    return t
  }
}
