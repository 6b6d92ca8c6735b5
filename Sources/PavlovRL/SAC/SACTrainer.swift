import PavlovCore
import PavlovGym
import PavlovTensor

/// Soft actor-critic (Haarnoja et al., 2018) as Stable-Baselines3 runs it: a squashed Gaussian
/// policy acts on one environment into a replay ring (uniformly random actions for the first
/// `learningStarts` steps); after every `trainFreq` steps, `gradientSteps` updates, each on one
/// minibatch: the entropy coefficient α towards `targetEntropy` (unless fixed), the twin
/// critics towards r + γ(1 − terminated)(min Q_target(s′, a′) − α log π(a′|s′)), the actor
/// towards α log π − min Q, and a Polyak update of the target critics.
///
/// Actions are squashed into [−1, 1] and mapped linearly onto the env's box; the buffer keeps
/// the squashed ones. All randomness (weights, exploration, noise, minibatches, episode seeds)
/// comes from `config.seed`, and a checkpoint — the replay buffer included — resumes bit for bit.
public final class SACTrainer: Trainer {
  public private(set) var config: SACConfig
  public let envs: TrainingEnvs
  public let actor: SquashedGaussianActor
  public let q1: Sequential, q2: Sequential
  public let q1Target: Sequential, q2Target: Sequential
  /// log α, tuned when `config.entCoef` is nil.
  public let logAlpha: Tensor
  let actorOptimizer: Optimizer
  let criticOptimizer: Optimizer
  let alphaOptimizer: Optimizer
  let buffer: ReplayBuffer
  let batch: ReplayBatch
  let generator: SeededGenerator
  let actGenerator: SeededGenerator
  var actionSize: Int { box.count }
  let box: BoxActions
  let collector: ContinuousCollector
  let targetEntropy: Float
  public private(set) var timesteps = 0
  public private(set) var updates = 0

  struct Counters: Codable {
    var timesteps: Int
    var updates: Int
  }

  public var algorithm: String { "sac" }
  public var iterations: Int { timesteps / config.trainFreq }
  public var configJSON: String { (try? TrainerCheckpoint.json(config)) ?? "{}" }
  public var observationSpace: Space { envs.observationSpace }
  public var actionSpace: Space { envs.actionSpace }
  /// The entropy coefficient in use.
  public var entropyCoefficient: Double { config.entCoef ?? Double(PortableMath.exp(Double(logAlpha.data[0]))) }

  public convenience init(env: EnvSource, config: SACConfig) throws {
    try self.init(env: env, config: config, restoring: nil)
  }

  private init(env: EnvSource, config given: SACConfig, restoring checkpoint: TrainerCheckpoint?) throws {
    var config = given
    if config.env.isEmpty { config.env = env.name }
    try config.validate()
    envs = try TrainingEnvs(source: env, count: 1, seed: config.seed, gamma: config.gamma)
    let (observed, acted) = try envs.spaceDescriptions(restoring: checkpoint != nil, savedEnv: config.env,
                                                       savedObservation: config.observationSpace, savedAction: config.actionSpace)
    box = try BoxActions(envs.actionSpace, algorithm: "sac", envName: env.name)
    config.observationSpace = observed
    config.actionSpace = acted
    self.config = config
    targetEntropy = Float(config.targetEntropy ?? -Double(box.count))
    generator = SeededGenerator(seed: config.seed)
    actGenerator = SeededGenerator(seed: config.seed ^ 0x6A09_E667_F3BC_C908)
    let d = envs.features.size
    actor = try SquashedGaussianActor(inputs: d, actions: box.count, hidden: config.hidden, generator: generator)
    q1 = try Sequential.mlp([d + box.count] + config.hidden + [1], activation: .relu, generator: generator)
    q2 = try Sequential.mlp([d + box.count] + config.hidden + [1], activation: .relu, generator: generator)
    guard let t1 = try q1.copy() as? Sequential, let t2 = try q2.copy() as? Sequential else { throw CoreError("sac: could not build the critics") }
    t1.setFrozen(true)
    t2.setFrozen(true)
    q1Target = t1
    q2Target = t2
    logAlpha = Tensor(shape: [1], data: [Float(PortableMath.log(config.entCoefInit))], requiresGrad: true)
    let lr = Float(config.lr)
    actorOptimizer = try Optimizer(.adam, params: actor.parameters, lr: lr)
    criticOptimizer = try Optimizer(.adam, params: q1.parameters + q2.parameters, lr: lr)
    alphaOptimizer = try Optimizer(.adam, params: [logAlpha], lr: lr)
    buffer = try ReplayBuffer(capacity: config.bufferSize, observationSize: d, actionWidth: box.count)
    batch = ReplayBatch(size: config.batchSize, observationSize: d, actionWidth: box.count)
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
      var sums = (actor: 0.0, critic: 0.0, alpha: 0.0)
      for _ in 0..<n {
        let losses = try gradientStep()
        sums = (sums.actor + losses.actor, sums.critic + losses.critic, sums.alpha + losses.alpha)
      }
      return [("actor_loss", sums.actor), ("critic_loss", sums.critic), ("ent_coef_loss", sums.alpha)]
    }, stats: { losses in
      var stats = TrainStats(iteration: iterations, timesteps: timesteps, episodes: envs.episodes, meanReturn: envs.window.meanReturn,
                             meanLength: envs.window.meanLength, fps: 0, learningRate: config.lr)
      for (name, value) in losses where name != "ent_coef_loss" || config.entCoef == nil { stats.set(name, value) }
      stats.set("ent_coef", entropyCoefficient)
      stats.set("updates", Double(updates))
      return stats
    }, callback: callback)
  }

  /// One environment step into the replay buffer: uniform actions until `learningStarts`, then the policy's samples.
  private func step() throws {
    let d = envs.features.size
    _ = try collector.step(envs, into: buffer) { observation, action in
      if timesteps < config.learningStarts {
        for k in action.indices { action[k] = Float(generator.nextDouble() * 2 - 1) }
      } else {
        let sample = try Autograd.noGrad { try actor.sample(Tensor(shape: [1, d], data: observation), noise: noise(rows: 1, generator)).actions }
        for k in action.indices { action[k] = sample.data[k] }
      }
    }
    timesteps += 1
  }

  private func noise(rows: Int, _ generator: SeededGenerator) -> Tensor {
    SoftActorCritic.noise(rows: rows, width: actionSize, generator)
  }

  /// One update of α, the critics and the actor on a minibatch, then the target critics.
  private func gradientStep() throws -> (actor: Double, critic: Double, alpha: Double) {
    buffer.sample(into: batch, generator: generator)
    let b = config.batchSize
    let (observations, next, actions, rewards, notDone) = batch.continuousTensors(actionSize: actionSize)

    let (pi, logProb) = try actor.sample(observations, noise: noise(rows: b, generator))
    // α as it stands before its own update (SB3's order).
    let alpha = Float(entropyCoefficient)
    var alphaLoss = 0.0
    if config.entCoef == nil {
      let loss = try SoftActorCritic.entropyLoss(logAlpha: logAlpha, logProb: logProb, targetEntropy: targetEntropy)
      alphaOptimizer.zeroGrad()
      try loss.backward()
      try alphaOptimizer.step()
      alphaLoss = Double(try loss.item())
    }

    let target = try SoftActorCritic.target(next: next, rewards: rewards, notDone: notDone, noise: noise(rows: b, generator), actor: actor,
                                            q1Target: q1Target, q2Target: q2Target, alpha: alpha, gamma: Float(config.gamma))
    let taken = try Tensor.cat([observations, actions], axis: 1)
    let e1 = try q1.forward(taken) - target, e2 = try q2.forward(taken) - target
    let criticLoss = try ((e1 * e1).mean() + (e2 * e2).mean()) * 0.5
    try check(criticLoss, "critic loss")
    criticOptimizer.zeroGrad()
    try criticLoss.backward()
    try criticOptimizer.step()

    let actorLoss = try SoftActorCritic.actorLoss(observations: observations, actions: pi, logProb: logProb, q1: q1, q2: q2, alpha: alpha)
    try check(actorLoss, "actor loss")
    actorOptimizer.zeroGrad()
    try actorLoss.backward()
    try actorOptimizer.step()

    SoftUpdate.blend(q1Target, toward: q1, tau: Float(config.tau))
    SoftUpdate.blend(q2Target, toward: q2, tau: Float(config.tau))
    updates += 1
    return (Double(try actorLoss.item()), Double(try criticLoss.item()), alphaLoss)
  }

  private func check(_ loss: Tensor, _ what: String) throws {
    let value = try loss.item()
    guard value.isFinite else {
      throw CoreError("sac: gradient step \(updates + 1) (timestep \(timesteps)): the \(what) is \(value)",
                      hint: "the networks blew up: lower lr, or scale the rewards; check the env's observations and rewards for nan/inf")
    }
  }

  // MARK: - Acting and evaluation

  public func act(_ observation: Point, deterministic: Bool) throws -> Point {
    try act(observation, deterministic: deterministic, generator: actGenerator)
  }

  private func act(_ observation: Point, deterministic: Bool, generator: SeededGenerator) throws -> Point {
    let input = Tensor(shape: [1, envs.features.size], data: try envs.input(for: observation))
    let action = try Autograd.noGrad {
      deterministic ? try actor.forward(input) : try actor.sample(input, noise: noise(rows: 1, generator)).actions
    }
    return .reals((0..<actionSize).map { box.envValue(action.data[$0], $0) })
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
    checkpoint.add(prefix: "q1.", module: q1)
    checkpoint.add(prefix: "q2.", module: q2)
    checkpoint.add(prefix: "q1_target.", module: q1Target)
    checkpoint.add(prefix: "q2_target.", module: q2Target)
    checkpoint.tensors.append(("log_alpha", logAlpha.detached()))
    checkpoint.add(prefix: "optimizer.", optimizer: actorOptimizer)
    checkpoint.add(prefix: "critic_optimizer.", optimizer: criticOptimizer)
    checkpoint.add(prefix: "alpha_optimizer.", optimizer: alphaOptimizer)
    checkpoint.add("rng.train", generator: generator)
    checkpoint.add("rng.act", generator: actGenerator)
    buffer.save(into: &checkpoint, prefix: "replay.")
    envs.save(into: &checkpoint, prefix: "env.")
    try checkpoint.write(to: path)
  }

  public static func load(from path: String, env: EnvSource) throws -> SACTrainer {
    let checkpoint = try TrainerCheckpoint.read(path, algorithm: "sac")
    let config = try checkpoint.decode(SACConfig.self, from: checkpoint.config, what: "config")
    return try SACTrainer(env: env, config: config, restoring: checkpoint)
  }

  public func restoreState(from checkpoint: TrainerCheckpoint) throws {
    let counters = try checkpoint.decode(Counters.self, from: checkpoint.counters, what: "counters")
    try checkpoint.load(prefix: "actor.", into: actor)
    try checkpoint.load(prefix: "q1.", into: q1)
    try checkpoint.load(prefix: "q2.", into: q2)
    try checkpoint.load(prefix: "q1_target.", into: q1Target)
    try checkpoint.load(prefix: "q2_target.", into: q2Target)
    let savedAlpha = try checkpoint.tensor("log_alpha")
    guard savedAlpha.shape == [1], !savedAlpha.isInteger, savedAlpha.data[0].isFinite else {
      throw CoreError("the saved log_alpha is not one finite number", hint: "the checkpoint is damaged")
    }
    logAlpha.withMutableData { $0[0] = savedAlpha.data[0] }
    try checkpoint.load(prefix: "optimizer.", into: actorOptimizer)
    try checkpoint.load(prefix: "critic_optimizer.", into: criticOptimizer)
    try checkpoint.load(prefix: "alpha_optimizer.", into: alphaOptimizer)
    try checkpoint.restore("rng.train", generator: generator)
    try checkpoint.restore("rng.act", generator: actGenerator)
    try buffer.restore(from: checkpoint, prefix: "replay.")
    try envs.restore(from: checkpoint, prefix: "env.")
    timesteps = counters.timesteps
    updates = counters.updates
  }
}

extension SACTrainer: TrainerNetworks {
  public var networks: [(name: String, module: Module, prefix: String)] {
    [("policy", actor, "actor."), ("q1", q1, "q1."), ("q2", q2, "q2."), ("target_q1", q1Target, "q1_target."), ("target_q2", q2Target, "q2_target.")]
  }
  public var networkOptimizer: Optimizer { actorOptimizer }
  public var warmStartable: [String] { [] }
  public func didWarmStart(_ names: [String]) {}
}
