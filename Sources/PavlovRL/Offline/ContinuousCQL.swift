import PavlovCore
import PavlovGym
import PavlovTensor

/// Continuous CQL's settings: d3rlpy's CQL defaults (conservative weight 5, ten sampled actions,
/// actor lr 1e-4, critic lr 3e-4, batches of 256, Polyak rate 0.005), on SAC's networks.
public struct ContinuousCQLConfig: Sendable {
  /// The weight of the conservative penalty (logsumexp over sampled actions of Q − Q of the logged action).
  public var alpha = 5.0
  public var gamma = 0.99
  public var hidden = [256, 256]
  public var actorLR = 1e-4
  public var criticLR = 3e-4
  public var batchSize = 256
  public var tau = 0.005
  /// Actions sampled per state for the logsumexp: this many uniform, from π(·|s) and from π(·|s').
  public var actionSamples = 10
  public var seed: UInt64 = 0

  public init() {}

  public func validate(_ name: String) throws {
    func fail(_ message: String) -> CoreError { CoreError("\(name): \(message)") }
    guard alpha.isFinite && alpha >= 0 else { throw fail("alpha must be a number ≥ 0, got \(alpha)") }
    guard gamma >= 0 && gamma <= 1 else { throw fail("gamma must be in [0, 1], got \(gamma)") }
    guard !hidden.isEmpty, hidden.allSatisfy({ $0 >= 1 }) else { throw fail("hidden must list at least one positive layer size, got \(hidden)") }
    guard actorLR.isFinite && actorLR > 0, criticLR.isFinite && criticLR > 0 else { throw fail("actor_lr and critic_lr must be positive numbers") }
    guard batchSize >= 1 else { throw fail("batch_size must be at least 1, got \(batchSize)") }
    guard tau > 0 && tau <= 1 else { throw fail("tau must be in (0, 1], got \(tau)") }
    guard actionSamples >= 1 else { throw fail("action_samples must be at least 1, got \(actionSamples)") }
    try ConfigBounds.check(name, "batch_size × action_samples", batchSize * actionSamples, atMost: ConfigBounds.maxTransitions)
    try ConfigBounds.checkHidden(name, hidden)
  }
}

/// CQL for box actions (Kumar et al. 2020, CQL(H) on SAC, as d3rlpy's CQL): SAC's squashed
/// Gaussian actor, twin critics with Polyak targets and a tuned entropy coefficient, learned
/// from the logged transitions alone. Each critic's loss adds
///
///     α · mean_s( logsumexp_j Q(s, a_j) − Q(s, a_logged) )
///
/// over N actions drawn uniformly (less log 0.5^d, their density), N drawn from π(·|s) and N
/// from π(·|s′) (less their log-probabilities): an importance-sampled soft maximum of Q over
/// all actions, pushed down where the logs are not, while the logged actions' values are
/// pushed up. The actor maximises min Q − α_ent log π, as SAC's.
public final class ContinuousCQL: OfflineLearner {
  public let name: String
  public let config: ContinuousCQLConfig
  public let observationSpace: Space
  public let actionSpace: Space
  public let actor: SquashedGaussianActor
  public let q1: Sequential, q2: Sequential
  let q1Target: Sequential, q2Target: Sequential
  let logAlpha: Tensor
  let actorOptimizer: Optimizer, criticOptimizer: Optimizer, alphaOptimizer: Optimizer
  let generator: SeededGenerator
  let rows: TransitionRows
  let box: BoxActions
  /// The logged actions mapped into [−1, 1], per row.
  let scaledActions: [Float]
  let targetEntropy: Float
  public var steps: Int { rows.count }
  public var policyNetwork: Module { actor }
  public var valueNetwork: Module? { nil }
  public var qNetwork: Module? { q1 }
  public private(set) var epochs = 0

  public init(_ dataset: EpisodeDataset, config: ContinuousCQLConfig, name: String) throws {
    try config.validate(name)
    try OfflineData.checkSteps(dataset, name)
    let box = try BoxActions(dataset.actionSpace, algorithm: name, envName: "this dataset")
    self.box = box
    self.name = name
    self.config = config
    observationSpace = dataset.observationSpace
    actionSpace = dataset.actionSpace
    let rows = TransitionRows(dataset, gamma: config.gamma)
    self.rows = rows
    let width = box.count
    scaledActions = rows.actions.enumerated().map { i, a in box.unitValue(Double(a), i % width) }
    targetEntropy = -Float(width)
    generator = SeededGenerator(seed: config.seed)
    let d = rows.features.size
    actor = try SquashedGaussianActor(inputs: d, actions: width, hidden: config.hidden, generator: generator)
    q1 = try Sequential.mlp([d + width] + config.hidden + [1], activation: .relu, generator: generator)
    q2 = try Sequential.mlp([d + width] + config.hidden + [1], activation: .relu, generator: generator)
    guard let t1 = try q1.copy() as? Sequential, let t2 = try q2.copy() as? Sequential else { throw CoreError("\(name): could not build the critics") }
    t1.setFrozen(true)
    t2.setFrozen(true)
    q1Target = t1
    q2Target = t2
    logAlpha = Tensor(shape: [1], data: [0], requiresGrad: true)
    actorOptimizer = try Optimizer(.adam, params: actor.parameters, lr: Float(config.actorLR))
    criticOptimizer = try Optimizer(.adam, params: q1.parameters + q2.parameters, lr: Float(config.criticLR))
    alphaOptimizer = try Optimizer(.adam, params: [logAlpha], lr: Float(config.actorLR))
  }

  public func train(epochs count: Int) throws -> [OfflineEpochStats] {
    try rows.trainEpochs(count, batchSize: config.batchSize, generator: generator, finished: { epochs += 1; return epochs }) { try update($0) }
  }

  func noise(rows count: Int) -> Tensor { SoftActorCritic.noise(rows: count, width: box.count, generator) }

  /// The conservative penalty of one critic, α·mean(logsumexp(scores) − Q(s, a_logged)), from
  /// its scores (B, 3N): Q at the uniform actions less log 0.5^d, and Q at the policy's actions
  /// less their log-probabilities.
  public static func penalty(scores: Tensor, logged: Tensor, alpha: Float) throws -> Tensor {
    try (try scores.logsumexp(axis: 1, keepdim: true) - logged).mean() * alpha
  }

  /// One update of the entropy coefficient, the critics and the actor on the rows, then the
  /// targets; returns the TD loss, the conservative penalty, the actor loss and the mean Q.
  func update(_ batch: [Int]) throws -> [(name: String, value: Double)] {
    let b = batch.count, n = config.actionSamples, width = box.count
    let observations = rows.inputTensor(batch), next = rows.inputTensor(batch, next: true)
    let actions = TransitionRows.column(scaledActions, batch, width: width)
    let rewards = TransitionRows.column(rows.rewards, batch)
    let notDone = Tensor(shape: [b, 1], data: batch.map { 1 - rows.terminations[$0] })

    let (pi, logProb) = try actor.sample(observations, noise: noise(rows: b))
    let alphaLoss = try SoftActorCritic.entropyLoss(logAlpha: logAlpha, logProb: logProb, targetEntropy: targetEntropy)
    alphaOptimizer.zeroGrad()
    try alphaLoss.backward()
    try alphaOptimizer.step()
    let alpha = PortableMath.exp(logAlpha.data[0])

    let target = try SoftActorCritic.target(next: next, rewards: rewards, notDone: notDone, noise: noise(rows: b), actor: actor,
                                            q1Target: q1Target, q2Target: q2Target, alpha: alpha, gamma: Float(config.gamma))
    // N sampled actions per state, each row of `observations` repeated N times (row-major).
    let each = batch.flatMap { [Int](repeating: $0, count: n) }
    let repeated = rows.inputTensor(each), repeatedNext = rows.inputTensor(each, next: true)
    let uniform = Tensor(shape: [b * n, width], data: (0..<(b * n * width)).map { _ in Float(generator.nextDouble() * 2 - 1) })
    let (current, currentLogProb, following, followingLogProb) = try Autograd.noGrad { () throws -> (Tensor, Tensor, Tensor, Tensor) in
      let (a, l) = try actor.sample(repeated, noise: noise(rows: b * n))
      let (a2, l2) = try actor.sample(repeatedNext, noise: noise(rows: b * n))
      return (a, l, a2, l2)
    }
    let uniformLogDensity = Float(width) * PortableMath.log(Float(0.5))
    let taken = try Tensor.cat([observations, actions], axis: 1)
    var tdLoss = 0.0, penaltyTotal = 0.0
    var criticLoss: Tensor?
    for q in [q1, q2] {
      let error = try q.forward(taken) - target
      let td = try (error * error).mean() * 0.5
      func sampled(_ acts: Tensor, less logDensity: Tensor) throws -> Tensor {
        try (try q.forward(try Tensor.cat([repeated, acts], axis: 1)) - logDensity.reshaped([b * n, 1])).reshaped([b, n])
      }
      let scores = try Tensor.cat([
        try sampled(uniform, less: Tensor(shape: [b * n], data: [Float](repeating: uniformLogDensity, count: b * n))),
        try sampled(current, less: currentLogProb),
        try sampled(following, less: followingLogProb),
      ], axis: 1)
      let penalty = try Self.penalty(scores: scores, logged: try q.forward(taken), alpha: Float(config.alpha))
      let loss = try td + penalty
      criticLoss = try criticLoss.map { try $0 + loss } ?? loss
      tdLoss += Double(td.data[0])
      penaltyTotal += Double(penalty.data[0])
    }
    guard let criticLoss, criticLoss.data[0].isFinite else {
      throw CoreError("\(name): the critic loss is not finite at epoch \(epochs + 1)", hint: "lower critic_lr or alpha, or check the dataset's rewards for nan/inf")
    }
    criticOptimizer.zeroGrad()
    try criticLoss.backward()
    try criticOptimizer.step()

    let actorLoss = try SoftActorCritic.actorLoss(observations: observations, actions: pi, logProb: logProb, q1: q1, q2: q2, alpha: alpha)
    actorOptimizer.zeroGrad()
    try actorLoss.backward()
    try actorOptimizer.step()

    SoftUpdate.blend(q1Target, toward: q1, tau: Float(config.tau))
    SoftUpdate.blend(q2Target, toward: q2, tau: Float(config.tau))
    let meanQ = try Autograd.noGrad { try q1.forward(taken) }.data.reduce(0) { $0 + Double($1) } / Double(b)
    return [("td_loss", tdLoss / 2), ("cql_loss", penaltyTotal / 2), ("actor_loss", Double(actorLoss.data[0])), ("q_mean", meanQ)]
  }

  /// tanh of the Gaussian's mean (or a sample), mapped onto the box.
  public func act(_ observation: Point, deterministic: Bool, generator: SeededGenerator?) throws -> Point {
    let input = TransitionRows.row(observation, rows.features)
    let action = try Autograd.noGrad { () throws -> Tensor in
      guard !deterministic, let generator else { return try actor.forward(input) }
      return try actor.sample(input, noise: SoftActorCritic.noise(rows: 1, width: box.count, generator)).actions
    }
    return .reals((0..<box.count).map { box.envValue(action.data[$0], $0) })
  }
}
