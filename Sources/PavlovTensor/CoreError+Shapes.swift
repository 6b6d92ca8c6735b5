import PavlovCore
extension CoreError {
  /// Always says which operation and the shapes involved.
  static func shapes(_ op: String, _ a: [Int], _ b: [Int], hint: String? = nil) -> CoreError {
    CoreError("\(op): shapes \(Shape.describe(a)) and \(Shape.describe(b)) do not match", hint: hint)
  }
}
