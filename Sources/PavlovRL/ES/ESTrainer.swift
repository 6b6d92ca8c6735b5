import Dispatch
import PavlovGym
import PavlovTensor

/// Augmented random search (Mania, Guy and Recht, 2018), an evolution strategy that needs no
/// gradients. Each iteration draws `population` Gaussian directions δ_k over the policy's flat
/// parameters θ, plays one episode with θ + νδ_k and one with θ − νδ_k (ν = `sigma`), keeps the
/// `top` b directions with the best max(r⁺_k, r⁻_k), and moves
///
///     θ ← θ + α / (b · σ_R) · Σ_k (r⁺_k − r⁻_k) δ_k
///
/// with σ_R the standard deviation of those 2b returns. The policy is linear (ARS) or a small
/// tanh MLP; with `normalizeObs` (ARS V2) it reads states standardized by the running mean and
/// variance of every state seen in training, frozen within an iteration. A discrete action is
/// the argmax of the outputs; a continuous one is the outputs clipped to the action box.
///
/// Budgets count whole iterations: a step budget stops after the iteration that reaches it.
/// All randomness comes from `config.seed`, and a checkpoint resumes bit for bit.
public final class ESTrainer: Trainer {
  public private(set) var config: ESConfig
  public let envs: TrainingEnvs
  public let policy: Sequential
  let actor: MLPForward
  let generator: SeededGenerator
  /// The current parameters, flattened in `policy.allParameters` order.
  public private(set) var theta: [Float]
  /// Running statistics of the raw states (ARS V2).
  public private(set) var observationStats: RunningMeanStd
  public private(set) var timesteps = 0
  public private(set) var iterations = 0
  private let parameters: [Tensor]
  // Reused across iterations, so rollouts allocate nothing once warmed up.
  private var directions: [Float]
  private var visited: [Float] = []
  private var input: [Float]
  private var row: [Double]
  private var discreteAction = [0]
  private var continuousAction: [Double]

  struct Counters: Codable {
    var timesteps: Int
    var iterations: Int
  }

  public var algorithm: String { "es" }
  public var configJSON: String { (try? TrainerCheckpoint.json(config)) ?? "{}" }
  public var observationSpace: Space { envs.observationSpace }
  public var actionSpace: Space { envs.actionSpace }

  public convenience init(env: EnvSource, config: ESConfig) throws {
    try self.init(env: env, config: config, restoring: nil)
  }

  private init(env: EnvSource, config given: ESConfig, restoring checkpoint: TrainerCheckpoint?) throws {
    var config = given
    if config.env.isEmpty { config.env = env.name }
    try config.validate()
    envs = try TrainingEnvs(source: env, count: 1, seed: config.seed)
    let (observed, acted) = try envs.spaceDescriptions(restoring: checkpoint != nil, savedEnv: config.env,
                                                       savedObservation: config.observationSpace, savedAction: config.actionSpace)
    let outputs: Int
    switch envs.actionSpace {
    case .discrete(let n, _): outputs = n
    case .box(let low, _, _): outputs = low.count
    case .multiDiscrete, .text, .tuple, .dict: throw CoreError("es does not support \(envs.actionSpace.description) action spaces (\(acted))", hint: "use a Discrete or Box action space")
    }
    config.observationSpace = observed
    config.actionSpace = acted
    self.config = config
    generator = SeededGenerator(seed: config.seed)
    let size = envs.features.size
    if config.hidden.isEmpty {
      // ARS's linear policy: no bias, starting at zero.
      policy = Sequential([Linear(size, outputs, bias: false, initialization: .normal(std: 0), generator: generator)], label: "linear")
    } else {
      policy = try Sequential.mlp([size] + config.hidden + [outputs], activation: .tanh, generator: generator)
    }
    guard let actor = MLPForward(policy) else { throw CoreError("es: could not build the policy") }
    self.actor = actor
    parameters = policy.allParameters
    theta = parameters.flatMap(\.data)
    observationStats = RunningMeanStd(size: size)
    directions = Array(repeating: 0, count: config.population * theta.count)
    input = Array(repeating: 0, count: size)
    row = Array(repeating: 0, count: size)
    continuousAction = Array(repeating: 0, count: outputs)
    if let checkpoint {
      try restoreState(from: checkpoint)
    } else {
      try envs.start()
    }
  }

  /// The number of parameters searched over.
  public var parameterCount: Int { theta.count }

  // MARK: - Training

  public func train(_ budget: Budget, callback: TrainCallback? = nil) throws -> TrainStats? {
    try budget.validate()
    let start = DispatchTime.now().uptimeNanoseconds
    var callSteps = 0, callIterations = 0
    var last: TrainStats?
    repeat {
      let before = timesteps
      var stats = try iterate()
      iterations += 1
      callIterations += 1
      callSteps += timesteps - before
      let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
      stats.fps = seconds > 0 ? Double(callSteps) / seconds : 0
      last = stats
      if let callback, try callback(stats) == .stop { break }
    } while !budget.isSpent(steps: callSteps, rounds: callIterations, meanReturn: envs.window.meanReturn)
    return last
  }

  /// One ARS iteration: 2N episodes, the update, then the state statistics.
  private func iterate() throws -> TrainStats {
    let p = theta.count, n = config.population
    for k in 0..<(n * p) { directions[k] = Float(generator.nextGaussian()) }
    var plus = [Double](repeating: 0, count: n), minus = plus
    let sigma = Float(config.sigma)
    visited.removeAll(keepingCapacity: true)
    for k in 0..<n {
      setParameters(direction: k, scale: sigma)
      plus[k] = try episode()
      setParameters(direction: k, scale: -sigma)
      minus[k] = try episode()
    }
    // The b best directions by max(r⁺, r⁻); ties keep the lower index, so the order is fixed.
    let order = (0..<n).sorted { a, b in
      let ra = Swift.max(plus[a], minus[a]), rb = Swift.max(plus[b], minus[b])
      return ra != rb ? ra > rb : a < b
    }
    let chosen = order.prefix(config.used)
    let used = chosen.flatMap { [plus[$0], minus[$0]] }
    let mean = used.reduce(0, +) / Double(used.count)
    let spread = (used.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(used.count)).squareRoot()
    guard spread.isFinite else {
      throw CoreError("es: iteration \(iterations + 1) (timestep \(timesteps)): an episode return is \(spread)",
                         hint: "check the env's rewards for nan/inf")
    }
    // Equal returns everywhere carry no direction (and would divide by zero): no step.
    if spread > 1e-12 {
      let scale = config.lr / (Double(chosen.count) * spread)
      for k in chosen {
        let weight = Float(scale * (plus[k] - minus[k]))
        let base = k * p
        for i in 0..<p { theta[i] += weight * directions[base + i] }
      }
    }
    setParameters(direction: nil, scale: 0)
    if config.normalizeObs { absorbVisitedStates() }
    let all = plus + minus
    var stats = TrainStats(iteration: iterations + 1, timesteps: timesteps, episodes: envs.episodes, meanReturn: envs.window.meanReturn,
                           meanLength: envs.window.meanLength, fps: 0, learningRate: config.lr)
    stats.set("rollout_return_mean", all.reduce(0, +) / Double(all.count))
    stats.set("rollout_return_max", all.max() ?? 0)
    stats.set("return_std", spread)
    stats.set("theta_norm", Double(theta.reduce(0) { $0 + $1 * $1 }).squareRoot())
    return stats
  }

  /// Writes θ + scale·δ_direction (or θ) into the policy's parameters.
  private func setParameters(direction: Int?, scale: Float) {
    var offset = 0
    let base = (direction ?? 0) * theta.count
    for t in parameters {
      let count = t.count
      t.withMutableData { data in
        for i in 0..<count {
          data[i] = direction == nil ? theta[offset + i] : theta[offset + i] + scale * directions[base + offset + i]
        }
      }
      offset += count
    }
  }

  /// Plays one episode with the parameters in place; returns its undiscounted return.
  private func episode() throws -> Double {
    var total = 0.0
    var length = 0
    while true {
      if config.normalizeObs { visited.append(contentsOf: envs.observations) }
      // Act first, step after: stepping inside the closure would make the env copy its row.
      let outputs = envs.observations.withUnsafeBufferPointer { act($0) }
      try stepEnvs(outputs)
      timesteps += 1
      length += 1
      total += Double(envs.rewards[0])
      if envs.terminated[0] || envs.truncated[0] { return total }
      guard length < PolicyEvaluation.stepLimit else {
        throw CoreError("es: an episode ran \(length) steps without ending", hint: "give the env a time limit (max_episode_steps)")
      }
    }
  }

  /// The policy's outputs for one raw feature row, normalized first when ARS V2 is on.
  private func act(_ features: UnsafeBufferPointer<Float>) -> UnsafeBufferPointer<Float> {
    guard config.normalizeObs else { return actor(features) }
    let mean = observationStats.mean, variance = observationStats.variance
    for i in input.indices {
      input[i] = Float((Double(features[i]) - mean[i]) / (variance[i] + 1e-8).squareRoot())
    }
    return input.withUnsafeBufferPointer { actor($0) }
  }

  private func stepEnvs(_ outputs: UnsafeBufferPointer<Float>) throws {
    switch envs.actionSpace {
    case .discrete(_, let start):
      var best = 0
      for a in 1..<outputs.count where outputs[a] > outputs[best] { best = a }
      discreteAction[0] = start + best
      try envs.step(discrete: discreteAction)
    default:
      try envs.step(continuous: clippedAction(outputs))
    }
  }

  /// Outputs clipped to the action box; a nan output is an error.
  private func clippedAction(_ outputs: UnsafeBufferPointer<Float>) throws -> [Double] {
    guard case .box(let low, let high, _) = envs.actionSpace else { return [] }
    for i in continuousAction.indices {
      let x = Double(outputs[i])
      guard !x.isNaN else {
        throw CoreError("es: iteration \(iterations + 1) (timestep \(timesteps)): the policy produced a nan action",
                           hint: "lower lr or sigma; check the env's observations for nan/inf")
      }
      continuousAction[i] = Swift.min(Swift.max(x, low[i]), high[i])
    }
    return continuousAction
  }

  /// Folds this iteration's states into the running statistics.
  private func absorbVisitedStates() {
    let size = row.count
    var k = 0
    while k < visited.count {
      for i in 0..<size { row[i] = Double(visited[k + i]) }
      observationStats.update(row)
      k += size
    }
  }

  // MARK: - Acting and evaluation

  /// The policy's action for a raw observation (ARS policies are deterministic).
  public func act(_ observation: Point, deterministic: Bool) throws -> Point {
    let features = try envs.input(for: observation)
    let outputs = features.withUnsafeBufferPointer { Array(act($0)) }
    switch envs.actionSpace {
    case .discrete(_, let start):
      var best = 0
      for a in 1..<outputs.count where outputs[a] > outputs[best] { best = a }
      return .int(start + best)
    default:
      return .reals(try outputs.withUnsafeBufferPointer { try clippedAction($0) })
    }
  }

  public func evaluate(episodes: Int, deterministic: Bool = true, seed: UInt64 = Evaluation.seed) throws -> EvalResult {
    try PolicyEvaluation.run(source: envs.source, copyIndex: 1, episodes: episodes, seed: seed) { try act($0, deterministic: true) }
  }

  // MARK: - Checkpoints

  public func save(to path: String) throws {
    var checkpoint = TrainerCheckpoint(algorithm: algorithm, config: try TrainerCheckpoint.json(config),
                                       counters: try TrainerCheckpoint.json(Counters(timesteps: timesteps, iterations: iterations)))
    checkpoint.add(prefix: "policy.", module: policy)
    checkpoint.add("rng.train", generator: generator)
    checkpoint.add("obs_stats.mean", doubles: observationStats.mean)
    checkpoint.add("obs_stats.var", doubles: observationStats.variance)
    checkpoint.add("obs_stats.count", doubles: [observationStats.count])
    envs.save(into: &checkpoint, prefix: "env.")
    try checkpoint.write(to: path)
  }

  public static func load(from path: String, env: EnvSource) throws -> ESTrainer {
    let checkpoint = try TrainerCheckpoint.read(path, algorithm: "es")
    let config = try checkpoint.decode(ESConfig.self, from: checkpoint.config, what: "config")
    return try ESTrainer(env: env, config: config, restoring: checkpoint)
  }

  public func restoreState(from checkpoint: TrainerCheckpoint) throws {
    let counters = try checkpoint.decode(Counters.self, from: checkpoint.counters, what: "counters")
    try checkpoint.load(prefix: "policy.", into: policy)
    theta = parameters.flatMap(\.data)
    try checkpoint.restore("rng.train", generator: generator)
    let size = envs.features.size
    guard let stats = RunningMeanStd(mean: try checkpoint.doubles("obs_stats.mean", count: size),
                                     variance: try checkpoint.doubles("obs_stats.var", count: size),
                                     count: try checkpoint.doubles("obs_stats.count", count: 1)[0]) else {
      throw CoreError("the saved state statistics are not valid (a value is not finite or a variance is negative)", hint: "the checkpoint is damaged")
    }
    observationStats = stats
    try envs.restore(from: checkpoint, prefix: "env.")
    timesteps = counters.timesteps
    iterations = counters.iterations
  }
}
