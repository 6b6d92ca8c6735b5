/// A bad argument or an environment a learner cannot use, with a message that says how to fix it.
public struct RLError: Error, CustomStringConvertible, Sendable {
  public let message: String
  public let hint: String?
  public init(_ message: String, hint: String? = nil) {
    self.message = message
    self.hint = hint
  }
  public var description: String { message }
}

/// Thrown when a long loop's `shouldStop` says so (Ctrl-C at the REPL): what was learned so far
/// is kept.
public struct Interrupted: Error, Sendable {
  public init() {}
}
