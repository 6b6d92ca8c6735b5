import PavlovTensor

/// ε-greedy action selection (Sutton and Barto 2.2–2.6): with probability ε a uniformly random
/// arm, otherwise one with the highest estimate (ties broken at random). Optimistic initial
/// values (`initial` above any reward) make even a greedy agent try every arm early.
public final class EpsilonGreedy: BanditStrategy {
  public let name = "epsilon_greedy"
  public let schedule: EpsilonSchedule
  private var table: ActionValues

  public init(arms: Int, epsilon: EpsilonSchedule, initial: Double = 0, stepSize: StepSize = .sampleAverage) {
    schedule = epsilon
    table = ActionValues(arms: max(arms, 1), initial: initial, stepSize: stepSize)
  }

  public var arms: Int { table.values.count }
  public var estimates: [Double] { table.values }
  public var pulls: [Int] { table.pulls }
  public var steps: Int { table.steps }
  /// The exploration rate for the next pull.
  public var epsilon: Double { schedule.epsilon(at: steps) }

  public func choose(_ generator: SeededGenerator) -> Int {
    if generator.nextDouble() < epsilon { return generator.nextInt(below: arms) }
    return argmaxBreakingTies(table.values, generator)
  }

  public func learn(arm: Int, reward: Double) { table.learn(arm: arm, reward: reward) }
  public func reset() { table.reset() }

  public func fresh() -> BanditStrategy {
    EpsilonGreedy(arms: arms, epsilon: schedule, initial: table.initial, stepSize: table.stepSize)
  }
}
