import PavlovCore
/// How much an ε-greedy agent explores as it gains experience: ε / (1 + decay·t), where t
/// counts pulls for a bandit and finished episodes for a tabular learner. decay 0 keeps ε
/// constant; decay 0.01 halves it after 100 steps (or episodes). A hyperbolic decay never
/// reaches zero, so exploration never stops entirely.
public struct EpsilonSchedule: Equatable, Sendable {
  /// ε at t = 0.
  public let start: Double
  /// How fast ε shrinks: it halves after 1/decay steps (or episodes).
  public let decay: Double

  public init(_ start: Double, decay: Double = 0) {
    self.start = start
    self.decay = decay
  }

  /// ε after t steps (or episodes).
  public func epsilon(at t: Int) -> Double { start / (1 + decay * Double(t)) }

  /// Throws unless ε is a probability and the decay a finite rate ≥ 0.
  public func validate(_ owner: String) throws {
    guard start >= 0, start <= 1 else {
      throw CoreError("\(owner): epsilon is a probability and must be from 0 to 1, got \(start)")
    }
    guard decay >= 0, decay.isFinite else {
      throw CoreError("\(owner): epsilon_decay must be a finite number ≥ 0, got \(decay)", hint: "epsilon at t is epsilon / (1 + epsilon_decay * t)")
    }
  }
}
