import PavlovTensor

/// A way of choosing arms of a multi-armed bandit and learning from the rewards (Sutton and
/// Barto, chapter 2). A strategy holds its own experience; the generator it chooses with is
/// passed in, so a runner decides where the randomness comes from.
public protocol BanditStrategy: AnyObject {
  /// The strategy's name as Pavlov spells it: "epsilon_greedy", "ucb", "thompson", "gradient".
  var name: String { get }
  var arms: Int { get }
  /// What the strategy believes of each arm now: value estimates, posterior means, or (for the
  /// gradient bandit) preferences.
  var estimates: [Double] { get }
  /// How often each arm was pulled since the last reset.
  var pulls: [Int] { get }
  /// Pulls since the last reset.
  var steps: Int { get }
  /// The arm to pull next.
  func choose(_ generator: SeededGenerator) -> Int
  /// Learns from the reward of pulling `arm`.
  func learn(arm: Int, reward: Double)
  /// Forgets all experience.
  func reset()
  /// A strategy with the same settings and no experience.
  func fresh() -> BanditStrategy
}

extension BanditStrategy {
  /// The arm the strategy believes best (the first on ties): what it would exploit.
  public var greedyArm: Int { firstArgmax(estimates) }
}

/// How an action-value estimate moves toward a reward: by 1/n (the sample average, for
/// stationary problems) or by a constant α (a recency-weighted average that tracks drifting ones).
public enum StepSize: Equatable, Sendable {
  case sampleAverage
  case constant(Double)

  func size(afterPulls n: Int) -> Double {
    switch self {
    case .sampleAverage: return 1 / Double(n)
    case .constant(let alpha): return alpha
    }
  }
}

/// Value estimates with their pull counts, shared by the strategies that keep them.
struct ActionValues {
  let initial: Double
  let stepSize: StepSize
  private(set) var values: [Double]
  private(set) var pulls: [Int]
  private(set) var steps = 0

  init(arms: Int, initial: Double, stepSize: StepSize) {
    self.initial = initial
    self.stepSize = stepSize
    values = Array(repeating: initial, count: arms)
    pulls = Array(repeating: 0, count: arms)
  }

  mutating func learn(arm: Int, reward: Double) {
    pulls[arm] += 1
    steps += 1
    values[arm] += stepSize.size(afterPulls: pulls[arm]) * (reward - values[arm])
  }

  mutating func reset() {
    for i in values.indices {
      values[i] = initial
      pulls[i] = 0
    }
    steps = 0
  }
}
