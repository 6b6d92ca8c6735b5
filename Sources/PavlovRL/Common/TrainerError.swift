/// Why a trainer could not be built, trained, saved or loaded: what went wrong and, when there is
/// one, what to do about it. The binding layer turns it into a Pavlov error.
public struct TrainerError: Error, CustomStringConvertible, Sendable {
  public let message: String
  public let hint: String?

  public init(_ message: String, hint: String? = nil) {
    self.message = message
    self.hint = hint
  }

  public var description: String { hint.map { "\(message) (\($0))" } ?? message }
}
