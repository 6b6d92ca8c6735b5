/// `BernoulliBandit-v0`: each arm pays 1 with its own probability, else 0. The probabilities are
/// the `probs` option when given (fixed for every episode), otherwise drawn uniformly from
/// [0, 1) at each reset.
public final class BernoulliBandit: Bandit {
  public let observationSpace = Space.discrete(1)
  public let actionSpace: Space
  /// Every arm's probability of paying 1 (its expected reward).
  public private(set) var means: [Double]
  /// The probabilities given at construction, kept across resets; nil when they are drawn.
  public let fixedProbabilities: [Double]?
  private var ledger: BanditLedger
  private let generator: SeededGenerator

  /// `probabilities`, when given, fixes the arms (and their number); each must lie in [0, 1].
  /// An `arms` below 1 counts as 1.
  public init(arms: Int = 10, probabilities: [Double]? = nil, seed: UInt64 = 0) {
    let count = max(probabilities?.count ?? arms, 1)
    actionSpace = .discrete(count)
    fixedProbabilities = probabilities.flatMap { $0.isEmpty ? nil : $0 }
    means = probabilities.flatMap { $0.isEmpty ? nil : $0 } ?? Array(repeating: 0.5, count: count)
    ledger = BanditLedger(arms: count)
    generator = SeededGenerator(seed: seed)
  }

  public var pulls: [Int] { ledger.pulls }

  public func reset(seed: UInt64?) throws -> Reset {
    if let seed { generator.reseed(seed) }
    if fixedProbabilities == nil {
      for i in means.indices { means[i] = generator.nextDouble() }
    }
    ledger.reset()
    return Reset(observation: .int(0))
  }

  public func step(_ action: Point) throws -> Step {
    let arm = try BanditLedger.arm(action, arms: means.count, id: "BernoulliBandit-v0")
    let reward: Double = generator.nextDouble() < means[arm] ? 1 : 0
    return Step(observation: .int(0), reward: reward, terminated: false, info: ledger.record(arm, means: means))
  }

  public func render() -> String { ledger.render(means: means) }

  public func copy() -> Environment? {
    let twin = BernoulliBandit(arms: means.count, probabilities: fixedProbabilities)
    twin.generator.copyState(from: generator)
    (twin.means, twin.ledger) = (means, ledger)
    return twin
  }
}
