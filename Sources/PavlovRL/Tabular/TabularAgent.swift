import PavlovGym
import PavlovTensor

/// The model-free tabular control methods of Sutton and Barto, chapters 5 and 6.
public enum TabularMethod: String, CaseIterable, Sendable {
  /// Off-policy TD control: bootstraps on the best next action (section 6.5).
  case qLearning = "q_learning"
  /// On-policy TD control: bootstraps on the next action actually chosen (section 6.4).
  case sarsa = "sarsa"
  /// Bootstraps on the expected value of the next action under the ε-greedy policy (6.6).
  case expectedSarsa = "expected_sarsa"
  /// First-visit Monte Carlo control with ε-soft policies (section 5.4): no bootstrapping.
  case monteCarlo = "mc_control"
}

/// The hyperparameters every tabular learner shares.
public struct TabularSettings: Equatable, Sendable {
  /// The step size; nil (Monte Carlo only) averages the returns seen so far, 1/N(s, a).
  public var alpha: Double?
  public var gamma: Double
  public var epsilon: EpsilonSchedule
  /// Every Q(s, a) before learning; above every return it is "optimistic" and drives exploration.
  public var initial: Double
  /// Episodes are cut after this many steps (as a truncation), a guard for envs with no time
  /// limit of their own such as CliffWalking.
  public var maxSteps: Int

  public static let defaultMaxSteps = 10_000

  public init(alpha: Double? = 0.1, gamma: Double = 0.99, epsilon: EpsilonSchedule = EpsilonSchedule(0.1),
              initial: Double = 0, maxSteps: Int = TabularSettings.defaultMaxSteps) {
    self.alpha = alpha
    self.gamma = gamma
    self.epsilon = epsilon
    self.initial = initial
    self.maxSteps = maxSteps
  }

  func validate(_ owner: String) throws {
    if let alpha, !(alpha > 0 && alpha <= 1) {
      throw CoreError("\(owner): alpha is a step size and must be in (0, 1], got \(alpha)")
    }
    guard gamma >= 0, gamma <= 1 else { throw CoreError("\(owner): gamma is a discount and must be from 0 to 1, got \(gamma)") }
    try epsilon.validate(owner)
    guard initial.isFinite else { throw CoreError("\(owner): initial must be a finite number, got \(initial)") }
    guard maxSteps >= 1 else { throw CoreError("\(owner): max_steps must be at least 1, got \(maxSteps)") }
  }
}

/// One agent learning a Q table on one env with Q-learning, SARSA, expected SARSA or Monte Carlo
/// control, behaving ε-greedily (ties broken at random) and acting greedily (the first best
/// action) when asked.
///
/// Seeds: the agent explores with a generator seeded by `seed`; its first training episode
/// resets the env with `seed + 1`, and `evaluate` plays a copy of the env reset with `seed + 2`
/// unless told otherwise, so training and evaluation never disturb each other's streams.
public final class TabularAgent {
  public let method: TabularMethod
  public let settings: TabularSettings
  public let spaces: TabularSpaces
  public let env: Environment
  public let seed: UInt64
  public internal(set) var q: [[Double]]
  /// First visits counted per (s, a), for Monte Carlo's sample averages.
  var visits: [[Int]]
  let generator: SeededGenerator
  /// Episodes trained so far.
  public private(set) var episodes = 0
  private var started = false
  /// The reward of a successful ending: the best reward of any terminating transition in the
  /// env's model (the goal, not a hole or a pit); nil without a model (then any termination counts).
  let goalReward: Double?
  /// Checked between episodes; true stops training with `Interrupted`, keeping what was learned.
  public var shouldStop: () -> Bool = { false }

  public init(_ method: TabularMethod, env: Environment, settings: TabularSettings, seed: UInt64,
              envName: String = "this env") throws {
    try settings.validate(method.rawValue)
    if method != .monteCarlo, settings.alpha == nil {
      throw CoreError("\(method.rawValue): needs a step size alpha")
    }
    spaces = try TabularSpaces(env, owner: method.rawValue, envName: envName)
    self.method = method
    self.settings = settings
    self.env = env
    self.seed = seed
    q = Array(repeating: Array(repeating: settings.initial, count: spaces.actions), count: spaces.states)
    visits = Array(repeating: Array(repeating: 0, count: spaces.actions), count: spaces.states)
    generator = SeededGenerator(seed: seed)
    goalReward = (env.unwrapped as? TabularEnvironment).flatMap { model in
      model.transitions.joined().joined().filter(\.terminated).map(\.reward).max()
    }
  }

  /// The exploration rate of the next training episode.
  public var epsilon: Double { settings.epsilon.epsilon(at: episodes) }

  /// The greedy action in `state` (the first best one on ties).
  public func act(_ state: Int) -> Int { firstArgmax(q[state]) }
  /// The greedy action of every state.
  public var policy: [Int] { q.map(firstArgmax) }
  /// max_a Q(s, a) for every state.
  public var values: [Double] { q.map { $0.max() ?? 0 } }

  /// Trains for `episodes` more episodes.
  /// `afterEpisode(episode, return, length)` runs after each one and returns false to stop
  /// (the deep trainers' callback, per episode).
  public func train(episodes count: Int, afterEpisode: ((Int, Double, Int) throws -> Bool)? = nil) throws -> TrainingStats {
    var stats = TrainingStats()
    for _ in 0..<max(count, 0) {
      if shouldStop() { throw Interrupted() }
      let rate = epsilon
      let (total, length) = method == .monteCarlo ? try monteCarloEpisode(epsilon: rate) : try temporalDifferenceEpisode(epsilon: rate)
      episodes += 1
      stats.returns.append(total)
      stats.lengths.append(length)
      if let afterEpisode, try !afterEpisode(episodes, total, length) { break }
    }
    stats.episodes = episodes
    stats.epsilon = epsilon
    return stats
  }

  /// Plays `episodes` greedy episodes without learning, on a copy of the env (the env itself if
  /// it cannot be copied) reset with `seed` (default: the agent's seed + 2) for the first one.
  public func evaluate(episodes count: Int, seed evaluationSeed: UInt64? = nil) throws -> EvaluationStats {
    let player = env.copy() ?? env
    var stats = EvaluationStats()
    for episode in 0..<max(count, 0) {
      if shouldStop() { throw Interrupted() }
      var state = try spaces.state(player.reset(seed: episode == 0 ? (evaluationSeed ?? seed &+ 2) : nil).observation)
      var total = 0.0, length = 0, success = false
      while true {
        let result = try player.step(spaces.action(act(state)))
        length += 1
        total += result.reward
        if result.terminated { success = goalReward.map { result.reward >= $0 } ?? true }
        if result.terminated || result.truncated || length >= settings.maxSteps { break }
        state = try spaces.state(result.observation)
      }
      stats.returns.append(total)
      stats.lengths.append(length)
      if success { stats.successes += 1 }
    }
    return stats
  }

  // MARK: - Shared by the methods

  /// What one step of the env gave, with the step cap counted as a truncation.
  struct Outcome {
    var next: Int
    var reward: Double
    var terminated: Bool
    var truncated: Bool
    var done: Bool { terminated || truncated }
  }

  /// Resets the env (with `seed + 1` the very first time) and returns the first state.
  func beginEpisode() throws -> Int {
    let reset = try env.reset(seed: started ? nil : seed &+ 1)
    started = true
    return try spaces.state(reset.observation)
  }

  /// Takes action `a` as the `length + 1`-th step of the episode.
  func step(_ a: Int, length: Int) throws -> Outcome {
    let result = try env.step(spaces.action(a))
    return Outcome(next: try spaces.state(result.observation), reward: result.reward, terminated: result.terminated,
                   truncated: result.truncated || length + 1 >= settings.maxSteps)
  }

  /// ε-greedy: a random action with probability ε, else a best one, ties broken at random.
  func behave(_ state: Int, epsilon: Double) -> Int {
    if generator.nextDouble() < epsilon { return generator.nextInt(below: spaces.actions) }
    return argmaxBreakingTies(q[state], generator)
  }
}
