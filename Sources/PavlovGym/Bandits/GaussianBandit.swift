/// `GaussianBandit-v0`: Sutton and Barto's 10-armed testbed (section 2.3). Each reset draws a
/// new problem, every arm's mean from N(0, 1); a pull pays N(mean, 1). The same reset seed gives
/// the same problem and the same rewards.
public final class GaussianBandit: Bandit {
  public let observationSpace = Space.discrete(1)
  public let actionSpace: Space
  /// Every arm's mean reward; zeros until the first reset draws them.
  public private(set) var means: [Double]
  private var ledger: BanditLedger
  private let generator: SeededGenerator

  /// An `arms` below 1 counts as 1.
  public init(arms: Int = 10, seed: UInt64 = 0) {
    let arms = max(arms, 1)
    actionSpace = .discrete(arms)
    means = Array(repeating: 0, count: arms)
    ledger = BanditLedger(arms: arms)
    generator = SeededGenerator(seed: seed)
  }

  public var pulls: [Int] { ledger.pulls }

  public func reset(seed: UInt64?) throws -> Reset {
    if let seed { generator.reseed(seed) }
    for i in means.indices { means[i] = generator.nextGaussian() }
    ledger.reset()
    return Reset(observation: .int(0))
  }

  public func step(_ action: Point) throws -> Step {
    let arm = try BanditLedger.arm(action, arms: means.count, id: "GaussianBandit-v0")
    let reward = means[arm] + generator.nextGaussian()
    return Step(observation: .int(0), reward: reward, terminated: false, info: ledger.record(arm, means: means))
  }

  public func render() -> String { ledger.render(means: means) }

  public func copy() -> Environment? {
    let twin = GaussianBandit(arms: means.count)
    twin.generator.copyState(from: generator)
    (twin.means, twin.ledger) = (means, ledger)
    return twin
  }
}
