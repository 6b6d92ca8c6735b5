import PavlovGym
import PavlovTensor

/// A strategy learning on one bandit environment: the trainer behind `bandit_agent`. It plays
/// the bandit itself, under `make`'s wrappers, so a run is one long episode with no 1000-step
/// limit, and the env's render shows the agent's pulls.
///
/// Seeds: the agent chooses with a generator seeded by `seed`, and its first `train` resets the
/// bandit with `seed + 1` (a new problem, drawn independently of the agent's choices).
public final class BanditAgent {
  /// The bandit under the env's wrappers: the agent pulls its arms directly.
  public let bandit: Bandit
  public let strategy: BanditStrategy
  /// Seeds the agent's choices (and, plus one, the env's first reset).
  public let seed: UInt64
  private let generator: SeededGenerator
  private var started = false
  /// Checked every few thousand steps; true stops a long run with `Interrupted`.
  public var shouldStop: () -> Bool = { false }

  /// `env` must be a bandit (under any wrappers) with as many arms as the strategy.
  public init(env: Environment, strategy: BanditStrategy, seed: UInt64, owner: String = "bandit_agent", envName: String = "this env") throws {
    let bandit = try BanditAgent.bandit(in: env, owner: owner, envName: envName)
    guard bandit.arms == strategy.arms else {
      throw CoreError("\(owner): the strategy has \(strategy.arms) arms but \(envName) has \(bandit.arms)")
    }
    self.bandit = bandit
    self.strategy = strategy
    self.seed = seed
    generator = SeededGenerator(seed: seed)
  }

  /// The bandit inside `env`, or an error that names the bandit envs.
  public static func bandit(in env: Environment, owner: String, envName: String) throws -> Bandit {
    guard let bandit = env.unwrapped as? Bandit else {
      throw CoreError("\(owner) needs a bandit env (GaussianBandit-v0, BernoulliBandit-v0, NonstationaryBandit-v0, ContextualBandit-v0); \(envName) is not one",
                    hint: "make(\"GaussianBandit-v0\", seed: 0) is Sutton and Barto's 10-armed testbed")
    }
    return bandit
  }

  /// Plays `steps` more pulls, learning from each, and returns what happened.
  public func train(steps: Int) throws -> BanditHistory {
    if !started {
      _ = try bandit.reset(seed: seed &+ 1)
      started = true
    }
    return try BanditAgent.play(strategy, on: bandit, steps: steps, generator: generator, learning: true, shouldStop: shouldStop)
  }

  /// Plays `steps` pulls of the greedy arm on a copy of the bandit, without learning.
  public func evaluate(steps: Int) throws -> BanditHistory {
    guard let twin = bandit.copy() as? Bandit else { throw CoreError("this bandit cannot be copied for evaluation") }
    if !started { _ = try twin.reset(seed: seed &+ 1) }
    return try BanditAgent.play(strategy, on: twin, steps: steps, generator: generator, learning: false, shouldStop: shouldStop)
  }

  /// Forgets the strategy's experience and the generator's position: the next `train` starts
  /// over exactly as a new agent would.
  public func reset() {
    strategy.reset()
    generator.reseed(seed)
    started = false
  }

  /// The testbed experiment: `runs` independent runs of a fresh copy of the strategy, each on a
  /// new problem, averaged step by step. Run i plays exactly like a new agent with seed
  /// `seed + 2i` trained for `steps` (agent stream `seed + 2i`, bandit reset with `seed + 2i + 1`).
  /// Neither this agent nor its env changes.
  public func experiment(steps: Int, runs: Int, seed: UInt64) throws -> BanditHistory {
    guard let twin = bandit.copy() as? Bandit else { throw CoreError("this bandit cannot be copied for an experiment") }
    // A running sum, not a list of runs: memory stays one run's worth however many there are.
    var total = BanditHistory(steps: steps)
    for run in 0..<runs {
      let runSeed = seed &+ UInt64(2 * run)
      let player = strategy.fresh()
      _ = try twin.reset(seed: runSeed &+ 1)
      let history = try BanditAgent.play(player, on: twin, steps: steps, generator: SeededGenerator(seed: runSeed),
                                         learning: true, shouldStop: shouldStop)
      total.add(history)
    }
    total.divide(by: runs)
    return total
  }

  /// The loop every run shares: choose (or exploit), pull, learn, and record the env's regret.
  static func play(_ strategy: BanditStrategy, on bandit: Bandit, steps: Int, generator: SeededGenerator,
                   learning: Bool, shouldStop: () -> Bool) throws -> BanditHistory {
    var history = BanditHistory(steps: steps)
    var total = 0.0
    // A contextual strategy reads the features before each choice (cast once, not per step).
    let contextual = (strategy as? ContextualStrategy).flatMap { s in (bandit as? ContextualBandit).map { (s, $0) } }
    for t in 0..<steps {
      if t % 4096 == 4095, shouldStop() { throw Interrupted() }
      if let (reader, features) = contextual { reader.see(features.context) }
      let arm = learning ? strategy.choose(generator) : strategy.greedyArm
      let result = try bandit.step(.int(arm))
      if learning { strategy.learn(arm: arm, reward: result.reward) }
      let regret: Double
      if case .double(let r)? = result.info["regret"] { regret = r } else { regret = 0 }
      total += regret
      history.rewards[t] = result.reward
      history.regret[t] = regret
      history.cumulativeRegret[t] = total
      if case .bool(true)? = result.info["optimal"] { history.optimal[t] = 1 }
    }
    return history
  }
}
