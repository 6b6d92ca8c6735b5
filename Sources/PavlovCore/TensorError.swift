/// Why an operation of the numeric cores could not run (tensors, the generator, environments'
/// and trainers' configurations): what went wrong, and a hint what to do. Every binding turns it
/// into a Pavlov error. It lives here, under every core, so that all of them can throw it.
public struct TensorError: Error, CustomStringConvertible {
  public let message: String
  public let hint: String?

  public init(_ message: String, hint: String? = nil) {
    self.message = message
    self.hint = hint
  }

  public var description: String { hint.map { "\(message) (\($0))" } ?? message }
}
