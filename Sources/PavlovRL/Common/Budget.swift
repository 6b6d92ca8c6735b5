import PavlovCore
/// How long one `train` call runs. Counts are relative to the call (a trainer resumed from a
/// checkpoint trains `timesteps` more), and training stops at the first limit reached.
///
/// - `timesteps` is exact: the last rollout is shortened so the call takes exactly that many
///   environment steps over all copies (a multiple of the number of copies; see `Trainer`).
/// - `iterations` counts whole rollout-and-update rounds.
/// - `meanReturnAtLeast` stops early once the mean return of recent episodes reaches it
///   (checked after each iteration); it needs one of the other two as a ceiling.
public struct Budget: Equatable, Sendable {
  public var timesteps: Int?
  public var iterations: Int?
  public var meanReturnAtLeast: Double?

  public init(timesteps: Int? = nil, iterations: Int? = nil, meanReturnAtLeast: Double? = nil) {
    self.timesteps = timesteps
    self.iterations = iterations
    self.meanReturnAtLeast = meanReturnAtLeast
  }

  public static func timesteps(_ n: Int) -> Budget { Budget(timesteps: n) }

  /// a × b, or Int.max where that overflows (a budget of "practically forever" iterations).
  public static func saturating(_ a: Int, _ b: Int) -> Int {
    let (product, overflow) = a.multipliedReportingOverflow(by: b)
    return overflow ? Int.max : product
  }
  public static func iterations(_ n: Int) -> Budget { Budget(iterations: n) }

  /// The same budget, also stopping once the mean return reaches `threshold`.
  public func until(meanReturn threshold: Double) -> Budget {
    var copy = self
    copy.meanReturnAtLeast = threshold
    return copy
  }

  /// Throws unless the budget names a positive step or iteration count.
  public func validate() throws {
    guard timesteps != nil || iterations != nil else {
      throw CoreError("train: give a budget of steps or iterations", hint: "e.g. train(steps: 100000) or train(iterations: 10)")
    }
    if let n = timesteps, n <= 0 { throw CoreError("train: steps must be positive, got \(n)") }
    if let n = iterations, n <= 0 { throw CoreError("train: iterations must be positive, got \(n)") }
    if let x = meanReturnAtLeast, !x.isFinite { throw CoreError("train: the mean-return target must be a finite number, got \(x)") }
  }

  /// Whether a call that has taken `steps` steps and `rounds` iterations, with the recent mean
  /// return `meanReturn`, should stop.
  public func isSpent(steps: Int, rounds: Int, meanReturn: Double?) -> Bool {
    if let n = timesteps, steps >= n { return true }
    if let n = iterations, rounds >= n { return true }
    if let x = meanReturnAtLeast, let m = meanReturn, m >= x { return true }
    return false
  }
}
