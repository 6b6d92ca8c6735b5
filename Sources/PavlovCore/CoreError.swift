/// An error a user can act on: what went wrong, where it happened when a file or a line is
/// involved (`prefs.jsonl:3`, `7:12`), and what to do. The language's bindings turn every one into
/// a Pavlov error through one bridge, so a core can add an error without touching the bindings.
public protocol ExplainedError: Error, CustomStringConvertible {
  var message: String { get }
  var hint: String? { get }
  /// Where it happened, when that is not the caller's own call: a file, `file:line`, `line:col`.
  var place: String? { get }
}

extension ExplainedError {
  /// The message with its place in front (`prefs.jsonl:3: missing key "prompt"`).
  public var placedMessage: String { place.map { "\($0): \(message)" } ?? message }

  public var description: String { hint.map { "\(placedMessage) (\($0))" } ?? placedMessage }
}

/// Why an operation of a core could not run — a tensor, an environment, a trainer, a tokenizer,
/// a data file. One type for all of them: what differs between them is the message, not how it
/// is reported.
public struct CoreError: ExplainedError, Sendable {
  public let message: String
  public let hint: String?
  public let place: String?

  public init(_ message: String, hint: String? = nil, at place: String? = nil) {
    self.message = message
    self.hint = hint
    self.place = place
  }
}

/// Thrown when a long loop's `shouldStop` says so (Ctrl-C at the REPL): what was learned so far
/// is kept.
public struct Interrupted: Error, Sendable {
  public init() {}
}

/// How a core's long loops learn of Ctrl-C: the language installs `requested` (it reads and
/// clears the SIGINT flag), and a loop that may run long — an evaluation of many episodes, a
/// read from a pipe — calls `check()` and stops with `Interrupted`, which the bindings report as
/// "stopped by Ctrl-C" with what was done so far kept.
public enum Interruption {
  nonisolated(unsafe) public static var requested: () -> Bool = { false }

  @inline(__always)
  public static func check() throws(Interrupted) {
    if requested() { throw Interrupted() }
  }
}
