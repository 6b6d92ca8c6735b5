import PavlovCore
import PavlovGym
import PavlovTensor

/// TD3 (Fujimoto et al., 2018) and DDPG (Lillicrap et al., 2016) as Stable-Baselines3 runs
/// them: a deterministic policy tanh(μ(s)) acts, with exploration noise, on one environment
/// into a replay ring (uniformly random actions for the first `learningStarts` steps); each
/// gradient step moves the critics towards r + γ(1 − terminated)·min_i Q_i,target(s′, a′) with
/// a′ the target policy's action plus clipped noise (target policy smoothing), and every
/// `policyDelay` steps the actor up the first critic's value and all targets by Polyak
/// averaging. DDPG is the same with one critic, no delay and no smoothing.
///
/// All randomness comes from `config.seed`; a checkpoint (replay buffer and exploration noise
/// state included) resumes bit for bit.
public final class TD3Trainer: Trainer {
  public private(set) var config: TD3Config
  public let envs: TrainingEnvs
  public let actor: Sequential
  public let actorTarget: Sequential
  public let critics: [Sequential]
  public let criticTargets: [Sequential]
  let actorOptimizer: Optimizer
  let criticOptimizer: Optimizer
  let buffer: ReplayBuffer
  let batch: ReplayBatch
  let generator: SeededGenerator
  let actGenerator: SeededGenerator
  let box: BoxActions
  let collector: ContinuousCollector
  var actionSize: Int { box.count }
  public private(set) var timesteps = 0
  public private(set) var updates = 0
  /// The Ornstein–Uhlenbeck process's state (zeros for other noise).
  private var noiseState: [Double]

  struct Counters: Codable {
    var timesteps: Int
    var updates: Int
  }

  public var algorithm: String { config.algorithm }
  public var iterations: Int { timesteps / config.trainFreq }
  public var configJSON: String { (try? TrainerCheckpoint.json(config)) ?? "{}" }
  public var observationSpace: Space { envs.observationSpace }
  public var actionSpace: Space { envs.actionSpace }

  public convenience init(env: EnvSource, config: TD3Config) throws {
    try self.init(env: env, config: config, restoring: nil)
  }

  private init(env: EnvSource, config given: TD3Config, restoring checkpoint: TrainerCheckpoint?) throws {
    var config = given
    if config.env.isEmpty { config.env = env.name }
    try config.validate()
    envs = try TrainingEnvs(source: env, count: 1, seed: config.seed, gamma: config.gamma)
    let (observed, acted) = try envs.spaceDescriptions(restoring: checkpoint != nil, savedEnv: config.env,
                                                       savedObservation: config.observationSpace, savedAction: config.actionSpace)
    box = try BoxActions(envs.actionSpace, algorithm: config.algorithm, envName: env.name)
    config.observationSpace = observed
    config.actionSpace = acted
    self.config = config
    generator = SeededGenerator(seed: config.seed)
    actGenerator = SeededGenerator(seed: config.seed ^ 0x6A09_E667_F3BC_C908)
    let d = envs.features.size
    actor = try Sequential.mlp([d] + config.hidden + [box.count], activation: .relu, outputActivation: .tanh, generator: generator)
    let criticSizes = [d + box.count] + config.hidden + [1], weights = generator
    critics = try (0..<config.nCritics).map { _ in try Sequential.mlp(criticSizes, activation: .relu, generator: weights) }
    guard let target = try actor.copy() as? Sequential else { throw CoreError("\(config.algorithm): could not build the networks") }
    actorTarget = target
    criticTargets = try critics.map { critic in
      guard let copy = try critic.copy() as? Sequential else { throw CoreError("\(config.algorithm): could not build the critics") }
      return copy
    }
    actorTarget.setFrozen(true)
    criticTargets.forEach { $0.setFrozen(true) }
    actorOptimizer = try Optimizer(.adam, params: actor.parameters, lr: Float(config.lr))
    criticOptimizer = try Optimizer(.adam, params: critics.flatMap(\.parameters), lr: Float(config.lr))
    buffer = try ReplayBuffer(capacity: config.bufferSize, observationSize: d, actionWidth: box.count)
    batch = ReplayBatch(size: config.batchSize, observationSize: d, actionWidth: box.count)
    noiseState = Array(repeating: 0, count: box.count)
    collector = ContinuousCollector(box: box, observationSize: d)
    if let checkpoint {
      try restoreState(from: checkpoint)
    } else {
      try envs.start()
    }
  }

  // MARK: - Training

  public func train(_ budget: Budget, callback: TrainCallback? = nil) throws -> TrainStats? {
    let loop = OffPolicyLoop(trainFreq: config.trainFreq, gradientSteps: config.gradientSteps, learningStarts: config.learningStarts)
    return try loop.train(budget, timesteps: { timesteps }, meanReturn: { envs.window.meanReturn }, step: {
      try step()
      return timesteps
    }, update: { n in
      var sums = (critic: 0.0, actor: 0.0)
      for _ in 0..<n {
        let losses = try gradientStep()
        sums = (sums.critic + losses.critic, sums.actor + (losses.actor ?? .nan))
      }
      return [("critic_loss", sums.critic), ("actor_loss", sums.actor)]
    }, stats: { losses in
      var stats = TrainStats(iteration: iterations, timesteps: timesteps, episodes: envs.episodes, meanReturn: envs.window.meanReturn,
                             meanLength: envs.window.meanLength, fps: 0, learningRate: config.lr)
      for (name, value) in losses where value.isFinite { stats.set(name, value) }
      stats.set("updates", Double(updates))
      return stats
    }, callback: callback)
  }

  /// One environment step into the replay buffer: uniform actions until `learningStarts`, then the policy's plus the exploration noise.
  private func step() throws {
    let d = envs.features.size
    let ended = try collector.step(envs, into: buffer) { observation, action in
      if timesteps < config.learningStarts {
        for k in action.indices { action[k] = Float(generator.nextDouble() * 2 - 1) }
      } else {
        let policy = try Autograd.noGrad { try actor.forward(Tensor(shape: [1, d], data: observation)) }
        let noise = explorationNoise(generator)
        for k in action.indices { action[k] = Swift.min(1, Swift.max(-1, policy.data[k] + Float(noise[k]))) }
      }
    }
    timesteps += 1
    // SB3 resets the noise process when an episode ends.
    if ended { for k in 0..<actionSize { noiseState[k] = 0 } }
  }

  /// The exploration noise of one step, in the [−1, 1] action scale.
  private func explorationNoise(_ generator: SeededGenerator) -> [Double] {
    let sigma = config.noiseStd
    switch config.actionNoise {
    case .none: return Array(repeating: 0, count: actionSize)
    case .normal: return (0..<actionSize).map { _ in sigma * generator.nextGaussian() }
    case .ornsteinUhlenbeck:
      let theta = 0.15, dt = 1e-2
      for k in 0..<actionSize {
        noiseState[k] += theta * (0 - noiseState[k]) * dt + sigma * dt.squareRoot() * generator.nextGaussian()
      }
      return noiseState
    }
  }

  /// One critic update, and every `policyDelay` updates one actor update and the targets'.
  private func gradientStep() throws -> (critic: Double, actor: Double?) {
    buffer.sample(into: batch, generator: generator)
    let b = config.batchSize, a = actionSize
    let (observations, next, actions, rewards, notDone) = batch.continuousTensors(actionSize: a)

    let target = try Autograd.noGrad { () throws -> Tensor in
      // Target policy smoothing: clipped Gaussian noise on the target actor's action.
      let clip = Float(config.targetNoiseClip), std = Float(config.targetPolicyNoise)
      var noise = [Float](repeating: 0, count: b * a)
      if std > 0 { for i in noise.indices { noise[i] = Swift.min(clip, Swift.max(-clip, Float(generator.nextGaussian()) * std)) } }
      let nextActions = try (actorTarget.forward(next) + Tensor(shape: [b, a], data: noise)).clipped(min: -1, max: 1)
      let input = try Tensor.cat([next, nextActions], axis: 1)
      var q = try criticTargets[0].forward(input)
      for critic in criticTargets.dropFirst() { q = try Tensor.minimum(q, critic.forward(input)) }
      return try rewards + notDone * q * Float(config.gamma)
    }
    let taken = try Tensor.cat([observations, actions], axis: 1)
    var criticLoss: Tensor? = nil
    for critic in critics {
      let error = try critic.forward(taken) - target
      let loss = try (error * error).mean()
      criticLoss = try criticLoss.map { try $0 + loss } ?? loss
    }
    guard let criticLoss else { throw CoreError("\(config.algorithm): no critic") }
    try check(criticLoss, "critic loss")
    criticOptimizer.zeroGrad()
    try criticLoss.backward()
    try criticOptimizer.step()
    updates += 1

    var actorValue: Double? = nil
    if updates % config.policyDelay == 0 {
      let actorLoss = try critics[0].forward(Tensor.cat([observations, actor.forward(observations)], axis: 1)).mean() * -1
      try check(actorLoss, "actor loss")
      actorOptimizer.zeroGrad()
      try actorLoss.backward()
      try actorOptimizer.step()
      actorValue = Double(try actorLoss.item())
      let tau = Float(config.tau)
      for (target, critic) in zip(criticTargets, critics) { SoftUpdate.blend(target, toward: critic, tau: tau) }
      SoftUpdate.blend(actorTarget, toward: actor, tau: tau)
    }
    return (Double(try criticLoss.item()), actorValue)
  }

  private func check(_ loss: Tensor, _ what: String) throws {
    let value = try loss.item()
    guard value.isFinite else {
      throw CoreError("\(config.algorithm): gradient step \(updates + 1) (timestep \(timesteps)): the \(what) is \(value)",
                      hint: "the networks blew up: lower lr, or scale the rewards; check the env's observations and rewards for nan/inf")
    }
  }

  // MARK: - Acting and evaluation

  /// The policy's action; not deterministic: with the exploration noise (Gaussian, whatever the
  /// training noise, so evaluation never disturbs the noise process).
  public func act(_ observation: Point, deterministic: Bool) throws -> Point {
    try act(observation, deterministic: deterministic, generator: actGenerator)
  }

  private func act(_ observation: Point, deterministic: Bool, generator: SeededGenerator) throws -> Point {
    let input = Tensor(shape: [1, envs.features.size], data: try envs.input(for: observation))
    let action = try Autograd.noGrad { try actor.forward(input) }
    return .reals((0..<actionSize).map { k in
      let noise = deterministic ? 0 : Float(config.noiseStd * generator.nextGaussian())
      return box.envValue(Swift.min(1, Swift.max(-1, action.data[k] + noise)), k)
    })
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
                                       counters: try TrainerCheckpoint.json(Counters(timesteps: timesteps, updates: updates)))
    checkpoint.add(prefix: "actor.", module: actor)
    checkpoint.add(prefix: "actor_target.", module: actorTarget)
    for (i, (critic, target)) in zip(critics, criticTargets).enumerated() {
      checkpoint.add(prefix: "q\(i + 1).", module: critic)
      checkpoint.add(prefix: "q\(i + 1)_target.", module: target)
    }
    checkpoint.tensors.append(("noise_state", Tensor(shape: [actionSize], data: noiseState.map { Float($0) })))
    checkpoint.tensors.append(("noise_state_bits", Tensor(shape: [actionSize], ints: noiseState.map { Int64(bitPattern: $0.bitPattern) })))
    checkpoint.add(prefix: "optimizer.", optimizer: actorOptimizer)
    checkpoint.add(prefix: "critic_optimizer.", optimizer: criticOptimizer)
    checkpoint.add("rng.train", generator: generator)
    checkpoint.add("rng.act", generator: actGenerator)
    buffer.save(into: &checkpoint, prefix: "replay.")
    envs.save(into: &checkpoint, prefix: "env.")
    try checkpoint.write(to: path)
  }

  public static func load(from path: String, env: EnvSource) throws -> TD3Trainer {
    let checkpoint = try TrainerCheckpoint.read(path)
    guard checkpoint.algorithm == "td3" || checkpoint.algorithm == "ddpg" else {
      throw CoreError("\(path) holds a \(checkpoint.algorithm) trainer, expected td3 or ddpg", hint: "load it with load_trainer, which picks the algorithm from the file")
    }
    let config = try checkpoint.decode(TD3Config.self, from: checkpoint.config, what: "config")
    return try TD3Trainer(env: env, config: config, restoring: checkpoint)
  }

  public func restoreState(from checkpoint: TrainerCheckpoint) throws {
    let counters = try checkpoint.decode(Counters.self, from: checkpoint.counters, what: "counters")
    try checkpoint.load(prefix: "actor.", into: actor)
    try checkpoint.load(prefix: "actor_target.", into: actorTarget)
    for (i, (critic, target)) in zip(critics, criticTargets).enumerated() {
      try checkpoint.load(prefix: "q\(i + 1).", into: critic)
      try checkpoint.load(prefix: "q\(i + 1)_target.", into: target)
    }
    // The OU state in full precision (the float tensor beside it is for reading).
    let bits = try checkpoint.ints("noise_state_bits", count: actionSize)
    noiseState = bits.map { Double(bitPattern: UInt64(bitPattern: Int64($0))) }
    try checkpoint.load(prefix: "optimizer.", into: actorOptimizer)
    try checkpoint.load(prefix: "critic_optimizer.", into: criticOptimizer)
    try checkpoint.restore("rng.train", generator: generator)
    try checkpoint.restore("rng.act", generator: actGenerator)
    try buffer.restore(from: checkpoint, prefix: "replay.")
    try envs.restore(from: checkpoint, prefix: "env.")
    timesteps = counters.timesteps
    updates = counters.updates
  }
}

extension TD3Trainer: TrainerNetworks {
  public var networks: [(name: String, module: Module, prefix: String)] {
    var out: [(name: String, module: Module, prefix: String)] = [("policy", actor, "actor."), ("target_policy", actorTarget, "actor_target.")]
    for (i, (critic, target)) in zip(critics, criticTargets).enumerated() {
      out.append(("q\(i + 1)", critic, "q\(i + 1)."))
      out.append(("target_q\(i + 1)", target, "q\(i + 1)_target."))
    }
    return out
  }
  public var networkOptimizer: Optimizer { actorOptimizer }
  public var warmStartable: [String] { [] }
  public func didWarmStart(_ names: [String]) {}
}
