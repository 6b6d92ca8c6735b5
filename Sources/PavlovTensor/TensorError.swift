/// Why a tensor operation could not run: always says which operation and the shapes involved.
public struct TensorError: Error, CustomStringConvertible {
  public let message: String
  public let hint: String?

  public init(_ message: String, hint: String? = nil) {
    self.message = message
    self.hint = hint
  }

  public var description: String { hint.map { "\(message) (\($0))" } ?? message }

  static func shapes(_ op: String, _ a: [Int], _ b: [Int], hint: String? = nil) -> TensorError {
    TensorError("\(op): shapes \(Shape.describe(a)) and \(Shape.describe(b)) do not match", hint: hint)
  }
}
