import PavlovGym
import PavlovTensor

/// Deep Q-learning (Mnih et al., 2015) as Stable-Baselines3 runs it: ε-greedy steps on one
/// environment into a replay ring; every `trainFreq` steps (once past `learningStarts`),
/// `gradientSteps` minibatch updates of the Huber TD loss with clipped gradients (Adam); every
/// `targetUpdateInterval` steps the target network moves to the online one (a copy, or a τ
/// blend). ε falls linearly over the first `explorationFraction` of `totalSteps`.
///
/// One iteration is the `trainFreq` steps up to a training phase, and that phase. Everything is
/// keyed to the step count, so a budget can end mid-iteration and the next call continues as
/// if uninterrupted. All randomness (weights, exploration, minibatches, episode seeds) comes
/// from `config.seed`, and a checkpoint resumes bit for bit.
public final class DQNTrainer: Trainer {
  public private(set) var config: DQNConfig
  public let envs: TrainingEnvs
  public let qNetwork: Sequential
  public let targetNetwork: Sequential
  let optimizer: Optimizer
  let buffer: ReplayBuffer
  /// Two, so one group's minibatches can be valued while the previous group's train.
  let batches: [ReplayBatch]
  let greedy: MLPForward
  /// The Q-network's training passes, and the target network's batched values.
  let online: FusedMLP
  let targetValues: [FusedMLP]
  /// Exploration, minibatches.
  let generator: SeededGenerator
  /// `act` and stochastic evaluation, apart so they never change training.
  let actGenerator: SeededGenerator
  let actionCount: Int
  let actionStart: Int
  public private(set) var timesteps = 0
  /// Gradient steps taken.
  public private(set) var updates = 0
  /// The optimizer step the target network last copied, so a hard update of a network that has
  /// not changed is skipped.
  private var targetSyncedAt = -1
  // Reused rows, so steps allocate nothing.
  private var previous: [Float]
  private var targets: [Float]
  private var qGradient: [Float]
  private var nextOnline: [Float]
  private var discreteAction = [0]
  /// Gradient steps whose minibatches are drawn and valued together (see `learn`).
  private let groupSteps: Int
  /// Rows of next observations valued by one target forward pass.
  private static let targetRows = 1024

  struct Counters: Codable {
    var timesteps: Int
    var updates: Int
    var targetSyncedAt: Int
  }

  public var algorithm: String { "dqn" }
  /// Iterations are whole training periods of `trainFreq` steps.
  public var iterations: Int { timesteps / config.trainFreq }
  public var configJSON: String { (try? TrainerCheckpoint.json(config)) ?? "{}" }
  public var observationSpace: Space { envs.observationSpace }
  public var actionSpace: Space { envs.actionSpace }

  /// A new trainer on `env`; its first `train` call starts a fresh episode.
  public convenience init(env: EnvSource, config: DQNConfig) throws {
    try self.init(env: env, config: config, restoring: nil)
  }

  private init(env: EnvSource, config given: DQNConfig, restoring checkpoint: TrainerCheckpoint?) throws {
    var config = given
    if config.env.isEmpty { config.env = env.name }
    try config.validate()
    envs = try TrainingEnvs(source: env, count: 1, seed: config.seed, gamma: config.gamma)
    let (observed, acted) = try envs.spaceDescriptions(restoring: checkpoint != nil, savedEnv: config.env,
                                                       savedObservation: config.observationSpace, savedAction: config.actionSpace)
    guard case .discrete(let n, let start) = envs.actionSpace else {
      throw CoreError("dqn needs a discrete action space, but \(env.name) acts in \(acted)", hint: "use ppo or es for continuous actions")
    }
    config.observationSpace = observed
    config.actionSpace = acted
    self.config = config
    actionCount = n
    actionStart = start
    generator = SeededGenerator(seed: config.seed)
    actGenerator = SeededGenerator(seed: config.seed ^ 0x6A09_E667_F3BC_C908)
    let size = envs.features.size
    qNetwork = try Sequential.mlp([size] + config.hidden + [n], activation: .relu, generator: generator)
    groupSteps = Swift.max(1, Self.targetRows / config.batchSize)
    guard let target = try qNetwork.copy() as? Sequential, let greedy = MLPForward(qNetwork),
          let online = FusedMLP(qNetwork, maxRows: config.batchSize),
          let valuer = FusedMLP(target, maxRows: groupSteps * config.batchSize),
          let secondValuer = FusedMLP(target, maxRows: groupSteps * config.batchSize) else {
      throw CoreError("dqn: could not build the Q-network")
    }
    self.online = online
    targetValues = [valuer, secondValuer]
    target.setFrozen(true)
    targetNetwork = target
    self.greedy = greedy
    // Clipping happens in `learn`, where a non-finite norm can be reported with its step.
    optimizer = try Optimizer(.adam, params: qNetwork.parameters, lr: Float(config.lr))
    buffer = try ReplayBuffer(capacity: config.bufferSize, observationSize: size)
    let rows = groupSteps * config.batchSize
    batches = (0..<2).map { _ in ReplayBatch(size: rows, observationSize: size) }
    previous = Array(repeating: 0, count: size)
    targets = Array(repeating: 0, count: config.batchSize)
    qGradient = Array(repeating: 0, count: config.batchSize * n)
    nextOnline = Array(repeating: 0, count: config.batchSize * n)
    if let checkpoint {
      try restoreState(from: checkpoint)
    } else {
      try envs.start()
    }
  }

  /// ε for the next step: linear from the initial to the final value over the first
  /// `explorationFraction` of `totalSteps` (SB3's `get_linear_fn`).
  public var explorationRate: Double {
    LinearSchedule(start: config.explorationInitialEps, end: config.explorationFinalEps, fraction: config.explorationFraction)
      .value(step: timesteps, total: config.totalSteps ?? 1)
  }

  // MARK: - Training

  public func train(_ budget: Budget, callback: TrainCallback? = nil) throws -> TrainStats? {
    try budget.validate()
    if config.totalSteps == nil {
      // The ε schedule's horizon: fixed by the first call, saved with the config.
      config.totalSteps = budget.timesteps ?? Budget.saturating((budget.iterations ?? 1), config.trainFreq)
    }
    let loop = OffPolicyLoop(trainFreq: config.trainFreq, gradientSteps: config.gradientSteps, learningStarts: config.learningStarts)
    return try loop.train(budget, timesteps: { timesteps }, meanReturn: { envs.window.meanReturn }, step: {
      try step()
      return timesteps
    }, update: { n in
      let (loss, norm) = try learn(gradientSteps: n)
      return [("loss", loss), ("grad_norm", norm)]
    }, stats: { losses in
      var stats = TrainStats(iteration: iterations, timesteps: timesteps, episodes: envs.episodes, meanReturn: envs.window.meanReturn,
                             meanLength: envs.window.meanLength, fps: 0, learningRate: config.lr)
      for (name, value) in losses { stats.set(name, value) }
      stats.set("exploration_rate", explorationRate)
      stats.set("updates", Double(updates))
      return stats
    }, callback: callback)
  }

  /// One environment step into the replay buffer, and the target update if due.
  private func step() throws {
    let size = envs.features.size
    for i in 0..<size { previous[i] = envs.observations[i] }
    let action = chooseAction()
    discreteAction[0] = actionStart + action
    do { try envs.step(discrete: discreteAction) } catch let e as CoreError {
      // `envs` has reset the copies; the error says where training was.
      throw CoreError("dqn: timestep \(timesteps + 1): \(e.placedMessage)", hint: e.hint)
    }
    timesteps += 1
    // A truncated episode bootstraps from its final observation; after a terminal step the next
    // observation is never read (the target drops it), so the new episode's first one stands in.
    let truncatedOnly = envs.truncated[0] && !envs.terminated[0]
    previous.withUnsafeBufferPointer { obs in
      (truncatedOnly ? envs.finalObservations : envs.observations).withUnsafeBufferPointer { next in
        buffer.add(observation: obs, action: action, reward: envs.rewards[0], next: next, terminated: envs.terminated[0])
      }
    }
    if timesteps % config.targetUpdateInterval == 0 { updateTarget() }
  }

  /// Uniform before `learningStarts`, then ε-greedy: one uniform draw decides, as SB3.
  private func chooseAction() -> Int {
    if timesteps < config.learningStarts || generator.nextDouble() < explorationRate {
      return generator.nextInt(below: actionCount)
    }
    return envs.observations.withUnsafeBufferPointer { greedy.argmax($0) }
  }

  /// Copies (τ = 1) or blends the online weights into the target network, in place.
  private func updateTarget() {
    if config.tau >= 1 {
      guard targetSyncedAt != optimizer.stepCount else { return }
      targetSyncedAt = optimizer.stepCount
    }
    SoftUpdate.blend(targetNetwork, toward: qNetwork, tau: Float(config.tau))
  }

  /// `gradientSteps` updates of the Huber TD loss on minibatches; returns the summed losses and
  /// gradient norms (before clipping).
  ///
  /// The target network only changes between training phases, so the minibatches of up to
  /// `groupSteps` gradient steps are drawn at once (the same draws in the same order as one at a
  /// time) and valued by one target forward pass: a product of ~1k rows runs near the BLAS peak,
  /// where one of 64 rows per step did not. The Q-network's passes skip autograd (`FusedMLP`).
  ///
  /// Each group is drawn before the previous group's steps run (the steps draw nothing, so the
  /// draws keep their order) and, on two cores, valued alongside them: the target pass, a
  /// quarter of the work, leaves the critical path. The numbers are the same on one core.
  private func learn(gradientSteps: Int) throws -> (loss: Double, norm: Double) {
    let b = config.batchSize
    let groups = stride(from: 0, to: gradientSteps, by: groupSteps).map { Swift.min(groupSteps, gradientSteps - $0) }
    guard let first = groups.first else { return (0, 0) }
    var lossSum = 0.0, normSum = 0.0
    buffer.sample(into: batches[0], rows: first * b, generator: generator)
    var nextTarget = value(batches[0], with: targetValues[0], rows: first * b)
    for (k, group) in groups.enumerated() {
      let current = batches[k % 2]
      var sums: (loss: Double, norm: Double) = (0, 0)
      if k + 1 < groups.count {
        let following = batches[(k + 1) % 2], valuer = targetValues[(k + 1) % 2], rows = groups[k + 1] * b
        buffer.sample(into: following, rows: rows, generator: generator)
        var failure: Error?
        var valued = nextTarget
        Parallel.side(by: {
          do { sums = try takeSteps(group, from: current, nextTarget: nextTarget) } catch { failure = error }
        }, {
          valued = value(following, with: valuer, rows: rows)
        })
        if let failure { throw failure }
        nextTarget = valued
      } else {
        sums = try takeSteps(group, from: current, nextTarget: nextTarget)
      }
      lossSum += sums.loss
      normSum += sums.norm
    }
    return (lossSum, normSum)
  }

  /// The target network's values of `batch`'s first `rows` next observations (valid until
  /// `valuer` runs again).
  private func value(_ batch: ReplayBatch, with valuer: FusedMLP, rows: Int) -> UnsafeBufferPointer<Float> {
    batch.nextObservations.withUnsafeBufferPointer { valuer.forward($0, rows: rows) }
  }

  /// `count` gradient steps on the minibatches `batch` holds, `nextTarget` their target values.
  private func takeSteps(_ count: Int, from batch: ReplayBatch, nextTarget: UnsafeBufferPointer<Float>) throws -> (loss: Double, norm: Double) {
    let b = config.batchSize, d = envs.features.size, a = actionCount
    var lossSum = 0.0, normSum = 0.0
    for k in 0..<count {
      let rows = (k * b)..<((k + 1) * b), values = (k * b * d)..<((k + 1) * b * d)
      if config.double {
        batch.nextObservations.withUnsafeBufferPointer { next in
          let q = online.forward(UnsafeBufferPointer(rebasing: next[values]), rows: b)
          for i in 0..<(b * a) { nextOnline[i] = q[i] }
        }
      }
      computeTargets(batch, rows: rows, nextTarget: nextTarget, double: config.double)
      let value = batch.observations.withUnsafeBufferPointer { observations in
        batch.actions.withUnsafeBufferPointer { actions in
          targets.withUnsafeBufferPointer { y in
            qGradient.withUnsafeMutableBufferPointer { gradient in
              let q = online.forward(UnsafeBufferPointer(rebasing: observations[values]), rows: b)
              return TDLoss.huber(q: q, taken: UnsafeBufferPointer(rebasing: actions[rows]), targets: y, actions: a, gradient: gradient)
            }
          }
        }
      }
      guard value.isFinite else {
        throw CoreError("dqn: \(nextStep): the TD loss is \(value)",
                           hint: "the Q-values blew up: lower lr or max_grad_norm, or scale the rewards; check the env's observations and rewards for nan/inf")
      }
      qGradient.withUnsafeBufferPointer { online.backward($0) }
      let norm = clipGradNorm(optimizer.params, maxNorm: Float(config.maxGradNorm))
      guard norm.isFinite else {
        throw CoreError("dqn: \(nextStep): the gradient norm is \(norm)",
                           hint: "the Q-network's weights blew up: lower lr or max_grad_norm")
      }
      try optimizer.step()
      updates += 1
      lossSum += Double(value)
      normSum += Double(norm)
    }
    return (lossSum, normSum)
  }

  /// The gradient step about to be taken, for errors.
  private var nextStep: String { "gradient step \(updates + 1) (timestep \(timesteps))" }

  /// `targets` ← the TD targets of minibatch rows `rows`; `nextTarget` holds the target network's
  /// values of every drawn row, `nextOnline` (double DQN) the online network's of these rows.
  private func computeTargets(_ batch: ReplayBatch, rows: Range<Int>, nextTarget: UnsafeBufferPointer<Float>, double: Bool) {
    let a = actionCount, gamma = Float(config.gamma)
    batch.rewards.withUnsafeBufferPointer { allRewards in
      batch.terminals.withUnsafeBufferPointer { allTerminals in
        targets.withUnsafeMutableBufferPointer { out in
          let r = UnsafeBufferPointer(rebasing: allRewards[rows]), t = UnsafeBufferPointer(rebasing: allTerminals[rows])
          let q = UnsafeBufferPointer(rebasing: nextTarget[(rows.lowerBound * a)..<(rows.upperBound * a)])
          if double {
            nextOnline.withUnsafeBufferPointer { online in
              TDTargets.compute(rewards: r, terminals: t, nextTarget: q, nextOnline: online, actions: a, gamma: gamma, into: out)
            }
          } else {
            TDTargets.compute(rewards: r, terminals: t, nextTarget: q, nextOnline: nil, actions: a, gamma: gamma, into: out)
          }
        }
      }
    }
  }

  // MARK: - Acting and evaluation

  /// Greedy, or ε-greedy with the current ε (SB3's `predict(deterministic: false)`).
  public func act(_ observation: Point, deterministic: Bool) throws -> Point {
    try act(observation, deterministic: deterministic, generator: actGenerator)
  }

  private func act(_ observation: Point, deterministic: Bool, generator: SeededGenerator) throws -> Point {
    if !deterministic && generator.nextDouble() < explorationRate { return .int(actionStart + generator.nextInt(below: actionCount)) }
    let input = try envs.input(for: observation)
    return .int(actionStart + input.withUnsafeBufferPointer { greedy.argmax($0) })
  }

  public func evaluate(episodes: Int, deterministic: Bool = true, seed: UInt64 = Evaluation.seed) throws -> EvalResult {
    let rng = SeededGenerator(seed: seed)
    return try PolicyEvaluation.run(source: envs.source, copyIndex: 1, episodes: episodes, seed: seed) {
      try act($0, deterministic: deterministic, generator: rng)
    }
  }

  // MARK: - Checkpoints

  public func save(to path: String) throws {
    var checkpoint = TrainerCheckpoint(algorithm: algorithm, config: try TrainerCheckpoint.json(config),
                                       counters: try TrainerCheckpoint.json(Counters(timesteps: timesteps, updates: updates, targetSyncedAt: targetSyncedAt)))
    checkpoint.add(prefix: "q.", module: qNetwork)
    checkpoint.add(prefix: "target.", module: targetNetwork)
    checkpoint.add(prefix: "optimizer.", optimizer: optimizer)
    checkpoint.add("rng.train", generator: generator)
    checkpoint.add("rng.act", generator: actGenerator)
    buffer.save(into: &checkpoint, prefix: "replay.")
    envs.save(into: &checkpoint, prefix: "env.")
    try checkpoint.write(to: path)
  }

  public static func load(from path: String, env: EnvSource) throws -> DQNTrainer {
    let checkpoint = try TrainerCheckpoint.read(path, algorithm: "dqn")
    let config = try checkpoint.decode(DQNConfig.self, from: checkpoint.config, what: "config")
    return try DQNTrainer(env: env, config: config, restoring: checkpoint)
  }

  public func restoreState(from checkpoint: TrainerCheckpoint) throws {
    let counters = try checkpoint.decode(Counters.self, from: checkpoint.counters, what: "counters")
    try checkpoint.load(prefix: "q.", into: qNetwork)
    try checkpoint.load(prefix: "target.", into: targetNetwork)
    try checkpoint.load(prefix: "optimizer.", into: optimizer)
    try checkpoint.restore("rng.train", generator: generator)
    try checkpoint.restore("rng.act", generator: actGenerator)
    try buffer.restore(from: checkpoint, prefix: "replay.")
    try envs.restore(from: checkpoint, prefix: "env.")
    timesteps = counters.timesteps
    updates = counters.updates
    targetSyncedAt = counters.targetSyncedAt
  }
}

extension DQNTrainer: TrainerNetworks {
  public var networks: [(name: String, module: Module, prefix: String)] {
    [("q", qNetwork, "q."), ("target_q", targetNetwork, "target.")]
  }
  public var networkOptimizer: Optimizer { optimizer }
  public var warmStartable: [String] { ["q"] }
  /// The target network starts equal to the Q-network, as at construction.
  public func didWarmStart(_ names: [String]) { try? targetNetwork.loadValues(from: qNetwork) }
}
