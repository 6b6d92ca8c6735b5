/// A value that moves linearly from `start` to `end` over the first `fraction` of training and
/// then stays at `end` — SB3's `get_linear_fn`, used for DQN's exploration rate.
public struct LinearSchedule: Equatable, Sendable {
  public var start: Double
  public var end: Double
  /// The share of training (0...1) the change takes.
  public var fraction: Double

  public init(start: Double, end: Double, fraction: Double) {
    self.start = start
    self.end = end
    self.fraction = fraction
  }

  /// The value after `step` of `total` steps.
  public func value(step: Int, total: Int) -> Double {
    let progress = total > 0 ? Double(step) / Double(total) : 1
    if progress >= fraction { return end }
    return start + progress * (end - start) / fraction
  }
}
