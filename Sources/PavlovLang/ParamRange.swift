/// The numbers a numeric parameter accepts. Declared on its `Param`, it is checked where the
/// builtin reads the argument (`Args.int`, `Args.float`), shown by `:help` and the reference, and
/// probed by the builtin fuzzer with values on both sides of each bound — so a setting that makes
/// no sense (`huber_loss(delta: -1)`, `temperature: nan`) is an error naming it, never nonsense.
public struct ParamRange: Sendable, Equatable {
  public let lower: Double
  public let lowerOpen: Bool
  public let upper: Double
  public let upperOpen: Bool
  /// NaN and the infinities are welcome too (a fill value, a clamp bound).
  public let anyNumber: Bool

  public init(lower: Double, lowerOpen: Bool = false, upper: Double, upperOpen: Bool = false, anyNumber: Bool = false) {
    self.lower = lower
    self.lowerOpen = lowerOpen
    self.upper = upper
    self.upperOpen = upperOpen
    self.anyNumber = anyNumber
  }

  /// `x >= lower`, finite.
  public static func atLeast(_ lower: Double) -> ParamRange { ParamRange(lower: lower, upper: .infinity, upperOpen: true) }
  /// `x > lower`, finite.
  public static func above(_ lower: Double) -> ParamRange { ParamRange(lower: lower, lowerOpen: true, upper: .infinity, upperOpen: true) }
  /// `lower <= x <= upper`.
  public static func between(_ lower: Double, _ upper: Double) -> ParamRange { ParamRange(lower: lower, upper: upper) }
  /// A count of steps, episodes or items: 1 or more.
  public static let count = atLeast(1)
  public static let positive = above(0)
  public static let nonNegative = atLeast(0)
  public static let probability = between(0, 1)
  /// A discount factor or a trace decay.
  public static let discount = between(0, 1)
  public static let finite = ParamRange(lower: -.infinity, lowerOpen: true, upper: .infinity, upperOpen: true)
  /// Every number, NaN and the infinities included.
  public static let any = ParamRange(lower: -.infinity, upper: .infinity, anyNumber: true)

  public func contains(_ x: Double) -> Bool {
    if anyNumber { return true }
    if x.isNaN { return false }
    return (lowerOpen ? x > lower : x >= lower) && (upperOpen ? x < upper : x <= upper)
  }

  /// How messages and docs state it: `> 0`, `>= 1`, `in [0, 1]`, `finite`, `any number`.
  public var text: String {
    if anyNumber { return "any number" }
    let bounded = (lower: lower > -.infinity, upper: upper < .infinity)
    switch bounded {
    case (false, false): return "finite"
    case (true, false): return "\(lowerOpen ? ">" : ">=") \(Self.number(lower))"
    case (false, true): return "\(upperOpen ? "<" : "<=") \(Self.number(upper))"
    case (true, true): return "in \(lowerOpen ? "(" : "[")\(Self.number(lower)), \(Self.number(upper))\(upperOpen ? ")" : "]")"
    }
  }

  static func number(_ x: Double) -> String {
    x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : "\(x)"
  }
}
