/// What `train` returns: each episode's (undiscounted) return and length.
public struct TrainingStats: Equatable, Sendable {
  public var returns: [Double] = []
  public var lengths: [Int] = []
  /// Episodes trained so far, all calls together.
  public var episodes = 0
  /// The exploration rate the next episode will use.
  public var epsilon = 0.0
  public var meanReturn: Double { returns.isEmpty ? 0 : returns.reduce(0, +) / Double(returns.count) }
}

/// What `evaluate` returns: each greedy episode's return and length, and how many reached the goal.
public struct EvaluationStats: Equatable, Sendable {
  public var returns: [Double] = []
  public var lengths: [Int] = []
  public var successes = 0
  public var meanReturn: Double { returns.isEmpty ? 0 : returns.reduce(0, +) / Double(returns.count) }
  public var successRate: Double { returns.isEmpty ? 0 : Double(successes) / Double(returns.count) }
}
