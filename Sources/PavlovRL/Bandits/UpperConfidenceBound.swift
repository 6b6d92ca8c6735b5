import PavlovTensor

/// UCB action selection (Auer et al.'s UCB1, in Sutton and Barto's form 2.10): pull the arm
/// maximising Q(a) + c·√(ln t / N(a)), where t is the current step. Arms never pulled count as
/// maximising, so each is tried once first (in order). c = √2 is UCB1; the book uses c = 2.
public final class UpperConfidenceBound: BanditStrategy {
  public let name = "ucb"
  public let c: Double
  private var table: ActionValues

  public init(arms: Int, c: Double = 2, initial: Double = 0, stepSize: StepSize = .sampleAverage) {
    self.c = c
    table = ActionValues(arms: max(arms, 1), initial: initial, stepSize: stepSize)
  }

  public var arms: Int { table.values.count }
  public var estimates: [Double] { table.values }
  public var pulls: [Int] { table.pulls }
  public var steps: Int { table.steps }

  /// Each arm's upper confidence bound for the next step (+inf for an arm never pulled).
  public var bounds: [Double] {
    let logT = PortableMath.log(Double(steps + 1))
    return (0..<arms).map { a in
      let n = table.pulls[a]
      return n == 0 ? .infinity : table.values[a] + c * (logT / Double(n)).squareRoot()
    }
  }

  public func choose(_ generator: SeededGenerator) -> Int {
    if let untried = table.pulls.firstIndex(of: 0) { return untried }
    return argmaxBreakingTies(bounds, generator)
  }

  public func learn(arm: Int, reward: Double) { table.learn(arm: arm, reward: reward) }
  public func reset() { table.reset() }
  public func fresh() -> BanditStrategy { UpperConfidenceBound(arms: arms, c: c, initial: table.initial, stepSize: table.stepSize) }
}
