import Dispatch
import Glibc
import PavlovGym
import PavlovTensor

/// REINFORCE (Williams, 1992), the Monte-Carlo policy gradient, with a learned baseline: play
/// `episodesPerUpdate` whole episodes with the stochastic policy, compute each step's discounted
/// return G_t to the end of its episode, and take one Adam step on
///
///     −mean_t[log π(a_t|s_t) · (G_t − V(s_t))]  +  mean_t[(V(s_t) − G_t)²]
///
/// (V held fixed in the first term). The returns may be standardized per update. Episodes cut
/// by a time limit end there: REINFORCE does not bootstrap.
///
/// Acting samples from the policy's softmax one observation at a time without building tensors;
/// all randomness comes from `config.seed`, and a checkpoint resumes bit for bit, mid-episode
/// included.
public final class ReinforceTrainer: Trainer {
  public private(set) var config: ReinforceConfig
  public let envs: TrainingEnvs
  public let policy: Sequential
  /// The baseline V(s); nil without one.
  public let value: Sequential?
  let optimizer: Optimizer
  let actor: MLPForward
  let generator: SeededGenerator
  let actGenerator: SeededGenerator
  let actionStart: Int
  public private(set) var batch: EpisodeBatch
  public private(set) var timesteps = 0
  public private(set) var iterations = 0
  private var discreteAction = [0]
  private var probabilities: [Double]
  private var state: [Float]

  struct Counters: Codable {
    var timesteps: Int
    var iterations: Int
  }

  public var algorithm: String { "reinforce" }
  public var configJSON: String { (try? TrainerCheckpoint.json(config)) ?? "{}" }
  public var observationSpace: Space { envs.observationSpace }
  public var actionSpace: Space { envs.actionSpace }

  public convenience init(env: EnvSource, config: ReinforceConfig) throws {
    try self.init(env: env, config: config, restoring: nil)
  }

  private init(env: EnvSource, config given: ReinforceConfig, restoring checkpoint: TrainerCheckpoint?) throws {
    var config = given
    if config.env.isEmpty { config.env = env.name }
    try config.validate()
    envs = try TrainingEnvs(source: env, count: 1, seed: config.seed, gamma: config.gamma)
    let (observed, acted) = try envs.spaceDescriptions(restoring: checkpoint != nil, savedEnv: config.env,
                                                       savedObservation: config.observationSpace, savedAction: config.actionSpace)
    guard case .discrete(let n, let start) = envs.actionSpace else {
      throw CoreError("reinforce needs a discrete action space, but \(env.name) acts in \(acted)", hint: "use ppo or es for continuous actions")
    }
    config.observationSpace = observed
    config.actionSpace = acted
    self.config = config
    actionStart = start
    generator = SeededGenerator(seed: config.seed)
    actGenerator = SeededGenerator(seed: config.seed ^ 0x6A09_E667_F3BC_C908)
    let size = envs.features.size
    policy = try Sequential.mlp([size] + config.hidden + [n], activation: .tanh, generator: generator)
    value = config.baseline ? try Sequential.mlp([size] + config.hidden + [1], activation: .tanh, generator: generator) : nil
    guard let actor = MLPForward(policy) else { throw CoreError("reinforce: could not build the policy network") }
    self.actor = actor
    optimizer = try Optimizer(.adam, params: policy.parameters + (value?.parameters ?? []), lr: Float(config.lr))
    batch = EpisodeBatch(inputSize: size)
    probabilities = Array(repeating: 0, count: n)
    state = Array(repeating: 0, count: size)
    if let checkpoint {
      try restoreState(from: checkpoint)
    } else {
      try envs.start()
    }
  }

  // MARK: - Training

  public func train(_ budget: Budget, callback: TrainCallback? = nil) throws -> TrainStats? {
    try budget.validate()
    let start = DispatchTime.now().uptimeNanoseconds
    var callSteps = 0, callIterations = 0
    var last: TrainStats?
    repeat {
      while batch.finishedEpisodes < config.episodesPerUpdate {
        if let limit = budget.timesteps, callSteps >= limit { return last }
        try step()
        callSteps += 1
      }
      var stats = TrainStats(iteration: iterations + 1, timesteps: timesteps, episodes: envs.episodes, meanReturn: envs.window.meanReturn,
                             meanLength: envs.window.meanLength, fps: 0, learningRate: config.lr)
      try update(into: &stats)
      iterations += 1
      callIterations += 1
      let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
      stats.fps = seconds > 0 ? Double(callSteps) / seconds : 0
      last = stats
      if let callback, try callback(stats) == .stop { break }
    } while !budget.isSpent(steps: callSteps, rounds: callIterations, meanReturn: envs.window.meanReturn)
    return last
  }

  /// One step with an action sampled from the policy, recorded with the state it was taken in.
  private func step() throws {
    let action = envs.observations.withUnsafeBufferPointer { sample($0, generator: generator) }
    for i in state.indices { state[i] = envs.observations[i] }
    discreteAction[0] = actionStart + action
    try envs.step(discrete: discreteAction)
    timesteps += 1
    state.withUnsafeBufferPointer { batch.append(input: $0, action: action, reward: Double(envs.rewards[0])) }
    if envs.terminated[0] || envs.truncated[0] { batch.endEpisode() }
  }

  /// An action drawn from softmax(policy(input)) by inverse CDF with one uniform draw.
  private func sample(_ input: UnsafeBufferPointer<Float>, generator: SeededGenerator) -> Int {
    let logits = actor(input)
    var top = logits[0]
    for a in 1..<logits.count { top = Swift.max(top, logits[a]) }
    var total = 0.0
    for a in 0..<logits.count {
      probabilities[a] = PortableMath.exp(Double(logits[a] - top))
      total += probabilities[a]
    }
    var u = generator.nextDouble() * total
    for a in 0..<(logits.count - 1) {
      u -= probabilities[a]
      if u < 0 { return a }
    }
    return logits.count - 1
  }

  /// One Adam step on the finished episodes, then they are dropped.
  private func update(into stats: inout TrainStats) throws {
    let n = batch.finishedSteps, size = envs.features.size
    let place = "reinforce: update \(iterations + 1) (timestep \(timesteps))"
    var returns = batch.returns(gamma: config.gamma)
    if config.normalizeReturns { Self.standardize(&returns) }
    let targets = Tensor(shape: [n, 1], data: returns.map { Float($0) })
    let inputs = Tensor(shape: [n, size], data: Array(batch.inputs[0..<(n * size)]))
    let actions = Tensor(shape: [n, 1], ints: batch.actions[0..<n].map { Int64($0) })
    let logProbabilities = try policy.forward(inputs).logSoftmax(axis: -1)
    let chosen = try logProbabilities.gather(axis: 1, index: actions)
    var advantages = targets
    var valueLoss: Tensor?
    if let value {
      let v = try value.forward(inputs)
      advantages = try targets - v.detached()
      valueLoss = try Tensor.mseLoss(v, targets)
    }
    let policyLoss = -(try (chosen * advantages).mean())
    let loss = try valueLoss.map { try policyLoss + $0 } ?? policyLoss
    for (name, t) in [("policy loss", policyLoss), ("value loss", valueLoss)] {
      guard let t, !t.data[0].isFinite else { continue }
      throw CoreError("\(place): the \(name) is \(t.data[0])",
                         hint: "lower lr, set max_grad_norm, or check the env's rewards and observations for nan/inf")
    }
    optimizer.zeroGrad()
    try loss.backward()
    let norm = clipGradNorm(optimizer.params, maxNorm: Float(config.maxGradNorm ?? .infinity))
    guard norm.isFinite else {
      throw CoreError("\(place): the gradient norm is \(norm)", hint: "lower lr or set max_grad_norm")
    }
    try optimizer.step()
    let p = logProbabilities.data
    var entropy = 0.0
    for k in p.indices { entropy -= Double(PortableMath.exp(p[k]) * p[k]) }
    stats.set("policy_loss", Double(policyLoss.data[0]))
    if let valueLoss { stats.set("value_loss", Double(valueLoss.data[0])) }
    stats.set("entropy", entropy / Double(n))
    stats.set("grad_norm", Double(norm))
    batch.removeFinished()
  }

  /// (x − mean) / (std + 1e-8), with the sample standard deviation (n − 1), as the classic
  /// PyTorch REINFORCE example; one value becomes 0.
  static func standardize(_ values: inout [Double]) {
    let n = Double(values.count)
    guard n > 0 else { return }
    let mean = values.reduce(0, +) / n
    let variance = n > 1 ? values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1) : 0
    let std = variance.squareRoot()
    for i in values.indices { values[i] = (values[i] - mean) / (std + 1e-8) }
  }

  // MARK: - Acting and evaluation

  /// The most likely action, or one sampled from the policy.
  public func act(_ observation: Point, deterministic: Bool) throws -> Point {
    try act(observation, deterministic: deterministic, generator: actGenerator)
  }

  private func act(_ observation: Point, deterministic: Bool, generator: SeededGenerator) throws -> Point {
    let input = try envs.input(for: observation)
    let action = input.withUnsafeBufferPointer { deterministic ? actor.argmax($0) : sample($0, generator: generator) }
    return .int(actionStart + action)
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
                                       counters: try TrainerCheckpoint.json(Counters(timesteps: timesteps, iterations: iterations)))
    checkpoint.add(prefix: "policy.", module: policy)
    if let value { checkpoint.add(prefix: "value.", module: value) }
    checkpoint.add(prefix: "optimizer.", optimizer: optimizer)
    checkpoint.add("rng.train", generator: generator)
    checkpoint.add("rng.act", generator: actGenerator)
    checkpoint.tensors.append(("batch.inputs", Tensor(shape: [batch.steps, batch.inputSize], data: batch.inputs)))
    checkpoint.add("batch.actions", ints: batch.actions)
    checkpoint.add("batch.rewards", doubles: batch.rewards)
    checkpoint.add("batch.episode_ends", ints: batch.episodeEnds)
    envs.save(into: &checkpoint, prefix: "env.")
    try checkpoint.write(to: path)
  }

  public static func load(from path: String, env: EnvSource) throws -> ReinforceTrainer {
    let checkpoint = try TrainerCheckpoint.read(path, algorithm: "reinforce")
    let config = try checkpoint.decode(ReinforceConfig.self, from: checkpoint.config, what: "config")
    return try ReinforceTrainer(env: env, config: config, restoring: checkpoint)
  }

  public func restoreState(from checkpoint: TrainerCheckpoint) throws {
    let counters = try checkpoint.decode(Counters.self, from: checkpoint.counters, what: "counters")
    try checkpoint.load(prefix: "policy.", into: policy)
    if let value { try checkpoint.load(prefix: "value.", into: value) }
    try checkpoint.load(prefix: "optimizer.", into: optimizer)
    try checkpoint.restore("rng.train", generator: generator)
    try checkpoint.restore("rng.act", generator: actGenerator)
    let inputs = try checkpoint.tensor("batch.inputs")
    guard !inputs.isInteger else { throw CoreError("the saved episode batch inputs must be float32", hint: "the checkpoint is damaged") }
    try batch.restore(inputs: inputs.data, actions: try checkpoint.ints("batch.actions"), rewards: try checkpoint.doubles("batch.rewards"),
                      episodeEnds: try checkpoint.ints("batch.episode_ends"))
    try envs.restore(from: checkpoint, prefix: "env.")
    timesteps = counters.timesteps
    iterations = counters.iterations
  }
}

extension ReinforceTrainer: TrainerNetworks {
  public var networks: [(name: String, module: Module, prefix: String)] {
    [("policy", policy, "policy.")] + (value.map { [("value", $0, "value.")] } ?? [])
  }
  public var networkOptimizer: Optimizer { optimizer }
  public var warmStartable: [String] { networks.map(\.name) }
  public func didWarmStart(_ names: [String]) {}
}
