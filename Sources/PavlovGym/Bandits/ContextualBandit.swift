/// `ContextualBandit-v0`: a linear contextual bandit. Each step shows a context of `dim`
/// features drawn uniformly from [-1, 1); arm a's expected reward is `weights[a] · context`, and
/// a pull pays that plus N(0, noise²). Each reset draws new weights from N(0, 1).
public final class ContextualBandit: Bandit {
  public let observationSpace: Space
  public let actionSpace: Space
  public let noise: Double
  /// One weight vector per arm; zeros until the first reset draws them.
  public private(set) var weights: [[Double]]
  /// The features the agent sees now.
  public private(set) var context: [Double]
  private var ledger: BanditLedger
  private let generator: SeededGenerator

  /// `arms` and `dim` below 1 count as 1.
  public init(arms: Int = 10, dim: Int = 4, noise: Double = 1.0, seed: UInt64 = 0) {
    let arms = max(arms, 1), dim = max(dim, 1)
    observationSpace = .box(low: -1, high: 1, shape: [dim])
    actionSpace = .discrete(arms)
    self.noise = noise
    weights = Array(repeating: Array(repeating: 0, count: dim), count: arms)
    context = Array(repeating: 0, count: dim)
    ledger = BanditLedger(arms: arms)
    generator = SeededGenerator(seed: seed)
  }

  public var pulls: [Int] { ledger.pulls }

  /// Every arm's expected reward under the current context.
  public var means: [Double] { weights.map { expectedReward($0) } }

  private func expectedReward(_ armWeights: [Double]) -> Double {
    var sum = 0.0
    for j in context.indices { sum += armWeights[j] * context[j] }
    return sum
  }

  private func drawContext() {
    for j in context.indices { context[j] = generator.uniform(-1, 1) }
  }

  public func reset(seed: UInt64?) throws -> Reset {
    if let seed { generator.reseed(seed) }
    for a in weights.indices {
      for j in weights[a].indices { weights[a][j] = generator.nextGaussian() }
    }
    drawContext()
    ledger.reset()
    return Reset(observation: .reals(context))
  }

  public func step(_ action: Point) throws -> Step {
    let arm = try BanditLedger.arm(action, arms: weights.count, id: "ContextualBandit-v0")
    let reward = expectedReward(weights[arm]) + noise * generator.nextGaussian()
    let info = ledger.record(arm, means: means)
    drawContext()
    return Step(observation: .reals(context), reward: reward, terminated: false, info: info)
  }

  public func render() -> String {
    "context [" + context.map { fixed($0, 2) }.joined(separator: ", ") + "]\n" + ledger.render(means: means)
  }

  public func copy() -> Environment? {
    let twin = ContextualBandit(arms: weights.count, dim: context.count, noise: noise)
    twin.generator.copyState(from: generator)
    (twin.weights, twin.context, twin.ledger) = (weights, context, ledger)
    return twin
  }
}
