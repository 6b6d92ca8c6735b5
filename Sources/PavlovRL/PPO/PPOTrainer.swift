import Dispatch
import Glibc
import PavlovGym
import PavlovTensor

/// Proximal policy optimization (Schulman et al. 2017) with the implementation details of SB3
/// and CleanRL that make it work, and A2C as its special case (`PPOConfig.a2c`).
///
/// One iteration: a rollout of nSteps × nEnvs transitions from the vector env (actions sampled
/// from the policy in one batched forward per step), GAE(λ) advantages (truncated episodes
/// bootstrap from V(final observation)), then `epochs` passes of shuffled minibatches minimizing
/// the clipped surrogate + vf_coef·value loss − ent_coef·entropy with Adam (ε 1e-5) and the
/// gradient norm clipped to max_grad_norm. The learning rate and the clip range can fall
/// linearly to 0 over `totalSteps`, computed (as SB3) from the steps taken after each rollout.
///
/// All randomness (weights, action samples, shuffles, episode seeds) comes from `config.seed`, so
/// runs repeat bit for bit, and a checkpoint continues exactly.
public final class PPOTrainer: Trainer {
  public private(set) var config: PPOConfig
  public let model: ActorCritic
  public let envs: TrainingEnvs
  let optimizer: Optimizer
  /// Rollout action samples and minibatch shuffles.
  let generator: SeededGenerator
  /// `act` and stochastic evaluation: kept apart so calling them never changes training.
  let actGenerator: SeededGenerator
  let buffer: RolloutBuffer
  public private(set) var timesteps = 0
  public private(set) var iterations = 0
  /// Gradient steps taken.
  public private(set) var updates = 0
  // Reused per step, so rollouts build no action arrays.
  private var discreteActions: [Int]
  private var continuousActions: [Double]

  /// Counters saved in the checkpoint's metadata.
  struct Counters: Codable {
    var timesteps: Int
    var iterations: Int
    var updates: Int
  }

  public var algorithm: String { config.algorithm }
  public var configJSON: String { (try? TrainerCheckpoint.json(config)) ?? "{}" }
  public var observationSpace: Space { envs.observationSpace }
  public var actionSpace: Space { envs.actionSpace }

  /// A new trainer on copies of `env`; its first `train` call starts from fresh episodes.
  public convenience init(env: EnvSource, config: PPOConfig) throws {
    try self.init(env: env, config: config, restoring: nil)
  }

  private init(env: EnvSource, config given: PPOConfig, restoring checkpoint: TrainerCheckpoint?) throws {
    var config = given
    if config.env.isEmpty { config.env = env.name }
    try config.validate()
    generator = SeededGenerator(seed: config.seed)
    actGenerator = SeededGenerator(seed: config.seed ^ 0x6A09_E667_F3BC_C908)
    envs = try TrainingEnvs(source: env, count: config.nEnvs, seed: config.seed, threads: config.threads,
                            normalizeObservations: config.normalizeObs, normalizeRewards: config.normalizeReward, gamma: config.gamma)
    let (observed, acted) = try envs.spaceDescriptions(restoring: checkpoint != nil, savedEnv: config.env,
                                                       savedObservation: config.observationSpace, savedAction: config.actionSpace)
    config.observationSpace = observed
    config.actionSpace = acted
    if case .box(let low, let high, _) = envs.actionSpace, zip(low, high).contains(where: { !$0.isFinite || !$1.isFinite }) {
      throw CoreError("\(config.algorithm): the action box \(acted) is unbounded; Gaussian actions are clipped to the box, so it needs finite bounds",
                         hint: "wrap the env so its actions have finite bounds")
    }
    self.config = config
    model = try ActorCritic(inputs: envs.features.size, actionSpace: envs.actionSpace, hidden: config.hidden,
                            activation: config.activation == "relu" ? .relu : .tanh, logStdInit: Float(config.logStdInit),
                            stateDependentExploration: config.usesSDE, generator: generator)
    optimizer = try Optimizer(.adam, params: model.parameters, lr: Float(config.lr), eps: Float(config.adamEps),
                              maxGradNorm: Float(config.maxGradNorm))
    buffer = RolloutBuffer(steps: config.nSteps, copies: config.nEnvs, inputSize: envs.features.size, actionSize: model.actionSize)
    discreteActions = Array(repeating: 0, count: config.nEnvs)
    continuousActions = Array(repeating: 0, count: config.nEnvs * model.actionSize)
    if let checkpoint {
      try restoreState(from: checkpoint)
    } else {
      try envs.start()
    }
  }

  // MARK: - Training

  public func train(_ budget: Budget, callback: TrainCallback? = nil) throws -> TrainStats? {
    try budget.validate()
    let n = config.nEnvs
    if let steps = budget.timesteps, steps % n != 0 {
      let lower = steps / n * n
      throw CoreError("\(algorithm): steps must be a multiple of n_envs (\(n)) so the budget is exact, got \(steps)",
                         hint: lower > Int.max - n ? "use \(lower)" : "use \(lower == 0 ? n : lower) or \(lower + n)")
    }
    if config.totalSteps == nil {
      // The schedules' horizon: fixed by the first call, saved with the config.
      config.totalSteps = budget.timesteps ?? Budget.saturating((budget.iterations ?? 1), config.rolloutSize)
    }
    let horizon = Double(config.totalSteps ?? 1)
    let start = DispatchTime.now().uptimeNanoseconds
    var callSteps = 0, callIterations = 0
    var last: TrainStats?
    repeat {
      var steps = config.nSteps
      if let budgetSteps = budget.timesteps { steps = Swift.min(steps, (budgetSteps - callSteps) / n) }
      try collect(steps: steps)
      timesteps += steps * n
      callSteps += steps * n
      let remaining = 1 - Double(timesteps) / horizon
      let lr = config.lrSchedule.value(config.lr, progressRemaining: remaining)
      let clip = config.clipSchedule.value(config.clip, progressRemaining: remaining)
      var stats = TrainStats(iteration: iterations + 1, timesteps: timesteps, episodes: envs.episodes,
                             meanReturn: envs.window.meanReturn, meanLength: envs.window.meanLength, fps: 0, learningRate: lr)
      try update(lr: lr, clip: clip, into: &stats)
      iterations += 1
      callIterations += 1
      let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
      stats.fps = seconds > 0 ? Double(callSteps) / seconds : 0
      last = stats
      if let callback, try callback(stats) == .stop { break }
    } while !budget.isSpent(steps: callSteps, rounds: callIterations, meanReturn: envs.window.meanReturn)
    return last
  }

  /// Fills the rollout buffer with `steps` steps of every copy, then its advantages.
  private func collect(steps: Int) throws {
    let n = config.nEnvs, size = envs.features.size, a = model.actionSize
    buffer.steps = steps
    var explorationMatrices: [Float] = []
    let resampleEvery = Swift.max(config.sdeSampleFreq ?? 0, 0)
    for t in 0..<steps {
      if let noise = model.stateDependentNoise, let logStd = model.logStd,
         t == 0 || (resampleEvery > 0 && t % resampleEvery == 0) {
        // As SB3: new exploration matrices at every rollout's start and every sde_sample_freq steps.
        explorationMatrices = noise.sampleMatrices(count: n, logStd: logStd, generator: generator)
      }
      let input = Tensor(shape: [n, size], data: envs.observations)
      let (actions, logProbs, values) = try Autograd.noGrad {
        let (d, features) = try distributionAndFeatures(input, during: "the rollout")
        let actions = try sample(d, features: features, matrices: explorationMatrices, generator: generator)
        return (actions, try d.logProb(actions), try model.values(input))
      }
      let row = t * n
      for k in 0..<(n * size) { buffer.observations[row * size + k] = input.data[k] }
      for k in 0..<(n * a) { buffer.actions[row * a + k] = actions.data[k] }
      for i in 0..<n {
        buffer.logProbs[row + i] = logProbs.data[i]
        buffer.values[row + i] = values.data[i]
      }
      try stepEnvs(actions.data, rolloutStep: t, of: steps)
      var anyTruncated = false
      for i in 0..<n {
        buffer.rewards[row + i] = envs.rewards[i]
        buffer.terminated[row + i] = envs.terminated[i]
        buffer.truncated[row + i] = envs.truncated[i]
        if envs.truncated[i] && !envs.terminated[i] { anyTruncated = true }
      }
      if anyTruncated {
        // V(final observation) of the truncated copies, to bootstrap their cut-off future.
        let finals = Tensor(shape: [n, size], data: envs.finalObservations)
        let v = try Autograd.noGrad { try model.values(finals) }
        for i in 0..<n where envs.truncated[i] && !envs.terminated[i] { buffer.truncationValues[row + i] = v.data[i] }
      }
    }
    let last = try Autograd.noGrad { try model.values(Tensor(shape: [n, size], data: envs.observations)) }
    buffer.finish(lastValues: last.data, gamma: config.gamma, lambda: config.gaeLambda)
  }

  /// Steps the envs with the sampled actions: indices shifted by the space's start, or Gaussian
  /// samples clipped to the box (the raw sample stays in the buffer for the log-probability).
  private func stepEnvs(_ sampled: [Float], rolloutStep t: Int, of steps: Int) throws {
    // An env that fails is reset by `envs`; the rollout so far is discarded (the next train
    // call collects a fresh one), and the error says where training was.
    func locating(_ step: () throws -> Void) throws {
      do { try step() } catch let e as CoreError {
        throw CoreError("\(algorithm): iteration \(iterations + 1), rollout step \(t + 1) of \(steps): \(e.placedMessage)", hint: e.hint)
      }
    }
    switch envs.actionSpace {
    case .discrete(_, let start):
      for i in discreteActions.indices { discreteActions[i] = Int(sampled[i]) + start }
      try locating { try envs.step(discrete: discreteActions) }
    case .box(let low, let high, _):
      let a = low.count
      for k in continuousActions.indices {
        let x = Double(sampled[k])
        guard x.isFinite else {
          throw CoreError("\(algorithm): iteration \(iterations + 1), timestep \(timesteps): the policy produced a \(x) action",
                             hint: "training diverged; lower lr or max_grad_norm, or normalize observations and rewards")
        }
        continuousActions[k] = Swift.min(Swift.max(x, low[k % a]), high[k % a])
      }
      try locating { try envs.step(continuous: continuousActions) }
    case .multiDiscrete, .text, .tuple, .dict:
      throw CoreError("\(algorithm) does not support \(envs.actionSpace.description) action spaces")
    }
  }

  /// The policy for a batch, with a diverged network reported as a trainer error.
  private func distribution(_ input: Tensor, during phase: String) throws -> PolicyDistribution {
    try distributionAndFeatures(input, during: phase).distribution
  }

  private func distributionAndFeatures(_ input: Tensor, during phase: String) throws -> (distribution: PolicyDistribution, features: Tensor?) {
    do {
      return try model.distributionAndFeatures(input)
    } catch let e as CoreError {
      throw CoreError("\(algorithm): iteration \(iterations + 1), timestep \(timesteps), \(phase): \(e.message)",
                         hint: "training diverged; lower lr or max_grad_norm, or normalize observations and rewards")
    }
  }

  /// `epochs` passes over the rollout in shuffled minibatches (A2C: one step on all of it).
  private func update(lr: Double, clip: Double, into stats: inout TrainStats) throws {
    let rows = buffer.rows
    let size = envs.features.size, a = model.actionSize
    let batch = config.isA2C ? rows : Swift.min(config.batchSize, rows)
    optimizer.lr = Float(lr)
    var indices = Array(0..<rows)
    var policySum = 0.0, valueSum = 0.0, entropySum = 0.0, klSum = 0.0, clipSum = 0.0, normSum = 0.0
    var minibatches = 0
    var lastLoss = 0.0
    var stopped = false
    for epoch in 0..<config.epochs where !stopped {
      if !config.isA2C { generator.shuffle(&indices) }
      var start = 0
      while start < rows {
        let chosen = indices[start..<Swift.min(start + batch, rows)]
        let place = "iteration \(iterations + 1) (timestep \(timesteps)), epoch \(epoch + 1), minibatch \(start / batch + 1)"
        start += batch
        let b = chosen.count
        let input = Tensor(shape: [b, size], data: RolloutBuffer.gather(buffer.observations, width: size, chosen))
        let actionData = RolloutBuffer.gather(buffer.actions, width: a, chosen)
        let actions = Tensor(shape: a == 1 && !isGaussian ? [b] : [b, a], data: actionData)
        var advantages = RolloutBuffer.gather(buffer.advantages, width: 1, chosen)
        if config.normalizeAdvantage { advantages = PPOLoss.normalized(advantages) }
        let d = try distribution(input, during: place)
        let loss = try PPOLoss(logProbs: try d.logProb(actions), oldLogProbs: RolloutBuffer.gather(buffer.logProbs, width: 1, chosen),
                               advantages: advantages, values: try model.values(input),
                               oldValues: RolloutBuffer.gather(buffer.values, width: 1, chosen),
                               returns: RolloutBuffer.gather(buffer.returns, width: 1, chosen), entropy: try d.entropy(),
                               clip: config.isA2C ? nil : clip, clipValue: config.clipValue, entCoef: config.entCoef, vfCoef: config.vfCoef)
        for (name, t) in [("policy loss", loss.policyLoss), ("value loss", loss.valueLoss), ("entropy", loss.entropyLoss)] where !t.data[0].isFinite {
          throw CoreError("\(algorithm): \(place): the \(name) is \(t.data[0].isNaN ? "nan" : t.data[0] > 0 ? "inf" : "-inf")",
                             hint: "lower lr, set normalize_reward: true, or check the env's rewards and observations for nan/inf")
        }
        // SB3 stops the epochs before the step whose KL is already too large.
        if let target = config.targetKl, loss.approxKl > 1.5 * target {
          stopped = true
          break
        }
        let norm: Float
        do {
          norm = try optimizer.step(loss: loss.total)
        } catch let e as CoreError {
          throw CoreError("\(algorithm): \(place): \(e.message)", hint: e.hint)
        }
        updates += 1
        minibatches += 1
        policySum += Double(loss.policyLoss.data[0])
        valueSum += Double(loss.valueLoss.data[0])
        entropySum += -Double(loss.entropyLoss.data[0])
        klSum += loss.approxKl
        clipSum += loss.clipFraction
        normSum += Double(norm)
        lastLoss = Double(loss.total.data[0])
      }
    }
    let m = Double(Swift.max(minibatches, 1))
    stats.set("loss", lastLoss)
    stats.set("policy_loss", policySum / m)
    stats.set("value_loss", valueSum / m)
    stats.set("entropy", entropySum / m)
    if !config.isA2C {
      stats.set("approx_kl", klSum / m)
      stats.set("clip_fraction", clipSum / m)
      stats.set("clip_range", clip)
    }
    stats.set("explained_variance", GAE.explainedVariance(values: Array(buffer.values[0..<rows]), returns: buffer.returns))
    stats.set("grad_norm", normSum / m)
    if let logStd = model.logStd {
      stats.set("std", Double(logStd.data.reduce(0) { $0 + PortableMath.exp($1) }) / Double(logStd.count))
    }
    stats.set("updates", Double(updates))
  }

  private var isGaussian: Bool {
    if case .gaussian = model.head { return true } else { return false }
  }

  // MARK: - Acting and evaluation

  public func act(_ observation: Point, deterministic: Bool) throws -> Point {
    try act(observation, deterministic: deterministic, generator: actGenerator)
  }

  /// One action per row: from the distribution, or with gSDE its mean plus the features times
  /// each row's exploration matrix.
  private func sample(_ d: PolicyDistribution, features: Tensor?, matrices: [Float], generator: SeededGenerator) throws -> Tensor {
    guard let noise = model.stateDependentNoise, let features, case .gaussian(let normal) = d else { return try d.sample(generator) }
    let offsets = noise.noise(features: features, matrices: matrices)
    return Tensor(shape: normal.mean.shape, data: zip(normal.mean.data, offsets).map { $0 + $1 })
  }

  private func act(_ observation: Point, deterministic: Bool, generator: SeededGenerator) throws -> Point {
    let input = Tensor(shape: [1, envs.features.size], data: try envs.input(for: observation))
    let action = try Autograd.noGrad { () throws -> Tensor in
      let (d, features) = try model.distributionAndFeatures(input)
      if deterministic { return try d.mode() }
      // gSDE outside a rollout: a fresh exploration matrix for each call.
      var matrices: [Float] = []
      if let noise = model.stateDependentNoise, let logStd = model.logStd {
        matrices = noise.sampleMatrices(count: 1, logStd: logStd, generator: generator)
      }
      return try sample(d, features: features, matrices: matrices, generator: generator)
    }
    switch envs.actionSpace {
    case .discrete(_, let start): return .int(Int(action.data[0]) + start)
    case .box(let low, let high, _):
      return .reals((0..<low.count).map { Swift.min(Swift.max(Double(action.data[$0]), low[$0]), high[$0]) })
    case .multiDiscrete, .text, .tuple, .dict:
      throw CoreError("\(algorithm) does not support \(envs.actionSpace.description) action spaces")
    }
  }

  public func evaluate(episodes: Int, deterministic: Bool = true, seed: UInt64 = Evaluation.seed) throws -> EvalResult {
    let rng = SeededGenerator(seed: seed)
    return try PolicyEvaluation.run(source: envs.source, copyIndex: config.nEnvs, episodes: episodes, seed: seed) {
      try act($0, deterministic: deterministic, generator: rng)
    }
  }

  // MARK: - Checkpoints

  public func save(to path: String) throws {
    var checkpoint = TrainerCheckpoint(algorithm: algorithm, config: try TrainerCheckpoint.json(config),
                                       counters: try TrainerCheckpoint.json(Counters(timesteps: timesteps, iterations: iterations, updates: updates)))
    checkpoint.add(prefix: "model.", module: model)
    checkpoint.add(prefix: "optimizer.", optimizer: optimizer)
    checkpoint.add("rng.train", generator: generator)
    checkpoint.add("rng.act", generator: actGenerator)
    envs.save(into: &checkpoint, prefix: "env.")
    try checkpoint.write(to: path)
  }

  public static func load(from path: String, env: EnvSource) throws -> PPOTrainer {
    try load(from: path, env: env, algorithm: nil)
  }

  /// Loads a PPO or A2C checkpoint; `algorithm` insists on one of them.
  public static func load(from path: String, env: EnvSource, algorithm: String?) throws -> PPOTrainer {
    let checkpoint = try TrainerCheckpoint.read(path, algorithm: algorithm)
    guard checkpoint.algorithm == "ppo" || checkpoint.algorithm == "a2c" else {
      throw CoreError("\(path) holds a \(checkpoint.algorithm) trainer, expected ppo or a2c",
                         hint: "load it with load_trainer, which picks the algorithm from the file")
    }
    let config = try checkpoint.decode(PPOConfig.self, from: checkpoint.config, what: "config")
    guard config.algorithm == checkpoint.algorithm else {
      throw CoreError("\(path): its config says \(config.algorithm) but its metadata says \(checkpoint.algorithm)", hint: "the checkpoint is damaged")
    }
    return try PPOTrainer(env: env, config: config, restoring: checkpoint)
  }

  public func restoreState(from checkpoint: TrainerCheckpoint) throws {
    let counters = try checkpoint.decode(Counters.self, from: checkpoint.counters, what: "counters")
    try checkpoint.load(prefix: "model.", into: model)
    try checkpoint.load(prefix: "optimizer.", into: optimizer)
    try checkpoint.restore("rng.train", generator: generator)
    try checkpoint.restore("rng.act", generator: actGenerator)
    try envs.restore(from: checkpoint, prefix: "env.")
    timesteps = counters.timesteps
    iterations = counters.iterations
    updates = counters.updates
  }
}

extension PPOTrainer: TrainerNetworks {
  public var networks: [(name: String, module: Module, prefix: String)] {
    [("policy", model.policy, "model.policy."), ("value", model.value, "model.value.")]
  }
  public var networkOptimizer: Optimizer { optimizer }
  public var warmStartable: [String] { ["policy", "value"] }
  public func didWarmStart(_ names: [String]) {}
}
