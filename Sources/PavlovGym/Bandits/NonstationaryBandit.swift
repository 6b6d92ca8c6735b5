/// `NonstationaryBandit-v0`: Sutton and Barto's exercise 2.5. Every arm's mean starts at 0 and,
/// after each step, all of them take an independent random-walk step N(0, drift²) (drift 0.01
/// by default); a pull pays N(mean, 1). Info and reward use the means before that step's walk.
public final class NonstationaryBandit: Bandit {
  public let observationSpace = Space.discrete(1)
  public let actionSpace: Space
  /// Every arm's mean reward right now.
  public private(set) var means: [Double]
  /// The standard deviation of each mean's step per time step.
  public let drift: Double
  private var ledger: BanditLedger
  private let generator: SeededGenerator

  /// An `arms` below 1 counts as 1.
  public init(arms: Int = 10, drift: Double = 0.01, seed: UInt64 = 0) {
    let arms = max(arms, 1)
    actionSpace = .discrete(arms)
    means = Array(repeating: 0, count: arms)
    self.drift = drift
    ledger = BanditLedger(arms: arms)
    generator = SeededGenerator(seed: seed)
  }

  public var pulls: [Int] { ledger.pulls }

  public func reset(seed: UInt64?) throws -> Reset {
    if let seed { generator.reseed(seed) }
    for i in means.indices { means[i] = 0 }
    ledger.reset()
    return Reset(observation: .int(0))
  }

  public func step(_ action: Point) throws -> Step {
    let arm = try BanditLedger.arm(action, arms: means.count, id: "NonstationaryBandit-v0")
    let reward = means[arm] + generator.nextGaussian()
    let info = ledger.record(arm, means: means)
    for i in means.indices { means[i] += drift * generator.nextGaussian() }
    return Step(observation: .int(0), reward: reward, terminated: false, info: info)
  }

  public func render() -> String { ledger.render(means: means) }

  public func copy() -> Environment? {
    let twin = NonstationaryBandit(arms: means.count, drift: drift)
    twin.generator.copyState(from: generator)
    (twin.means, twin.ledger) = (means, ledger)
    return twin
  }
}
