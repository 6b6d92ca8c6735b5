import PavlovCore
import PavlovGym
import PavlovTensor

/// Conservative Q-learning's settings (Kumar et al. 2020), discrete actions, as d3rlpy's
/// DiscreteCQL: a double-DQN learner on logged transitions plus α times the CQL(H) penalty.
public struct CQLConfig: Sendable, Codable {
  /// The weight of the conservative penalty logsumexp_a Q(s, a) − Q(s, a_logged); 0 is offline DQN.
  public var alpha = 1.0
  public var gamma = 0.99
  public var hidden = [64, 64]
  public var lr = 6.25e-5
  public var batchSize = 32
  /// Gradient steps between copies of the Q-network into the target network.
  public var targetUpdateInterval = 8000
  public var seed: UInt64 = 0

  public init() {}

  public func validate(_ name: String) throws {
    func fail(_ message: String) -> CoreError { CoreError("\(name): \(message)") }
    guard alpha.isFinite && alpha >= 0 else { throw fail("alpha must be a number ≥ 0, got \(alpha)") }
    guard gamma >= 0 && gamma <= 1 else { throw fail("gamma must be in [0, 1], got \(gamma)") }
    guard !hidden.isEmpty, hidden.allSatisfy({ $0 >= 1 }) else { throw fail("hidden must list at least one positive layer size, got \(hidden)") }
    guard lr.isFinite && lr > 0 else { throw fail("lr must be a positive number, got \(lr)") }
    guard batchSize >= 1 else { throw fail("batch_size must be at least 1, got \(batchSize)") }
    guard targetUpdateInterval >= 1 else { throw fail("target_update_interval must be at least 1, got \(targetUpdateInterval)") }
    try ConfigBounds.check(name, "batch_size", batchSize, atMost: ConfigBounds.maxTransitions)
    try ConfigBounds.checkHidden(name, hidden)
  }
}

/// Discrete CQL: Q(s, ·) learned from logged transitions by double-DQN targets
/// r + γ·(1 − terminated)·Q_target(s', argmax_a Q(s', a)) under the Huber loss, plus
///
///     α · mean(logsumexp_a Q(s, a) − Q(s, a_logged))
///
/// which pushes down the values of actions the logs never took, so the greedy policy stays
/// where the data is. A time limit (truncation) bootstraps like any other step.
public final class DiscreteCQL: OfflineLearner {
  public let name: String
  public let config: CQLConfig
  public let observationSpace: Space
  public let actionSpace: Space
  public let q: Sequential
  let target: Sequential
  let optimizer: Optimizer
  let generator: SeededGenerator
  let rows: TransitionRows
  let actionStart: Int
  public var steps: Int { rows.count }
  public var policyNetwork: Module { q }
  public var valueNetwork: Module? { nil }
  public var qNetwork: Module? { q }
  public private(set) var epochs = 0
  public private(set) var gradientSteps = 0

  public init(_ dataset: EpisodeDataset, config: CQLConfig, name: String) throws {
    try config.validate(name)
    let (n, start) = try OfflineData.discreteActions(dataset, name)
    self.name = name
    self.config = config
    observationSpace = dataset.observationSpace
    actionSpace = dataset.actionSpace
    actionStart = start
    rows = TransitionRows(dataset, gamma: config.gamma)
    generator = SeededGenerator(seed: config.seed)
    q = try Sequential.mlp([rows.features.size] + config.hidden + [n], activation: .relu, generator: generator)
    target = try Sequential.mlp([rows.features.size] + config.hidden + [n], activation: .relu, generator: generator)
    SoftUpdate.blend(target, toward: q, tau: 1)
    optimizer = try Optimizer(.adam, params: q.parameters, lr: Float(config.lr))
  }

  public func train(epochs count: Int) throws -> [OfflineEpochStats] {
    try rows.trainEpochs(count, batchSize: config.batchSize, generator: generator, finished: { epochs += 1; return epochs }) { try update($0) }
  }

  /// The targets r + γ·(1 − terminated)·Q_target(s', argmax Q(s')), shape (B, 1).
  func targets(_ batch: [Int]) throws -> Tensor {
    try Autograd.noGrad {
      let next = rows.inputTensor(batch, next: true)
      let best = try q.forward(next).argmax(axis: 1)
      let nextValues = try target.forward(next).gather(axis: 1, index: Tensor(shape: [batch.count, 1], ints: best.map { Int64($0) }))
      var out = [Float](repeating: 0, count: batch.count)
      for (i, r) in batch.enumerated() {
        out[i] = rows.rewards[r] + Float(config.gamma) * (1 - rows.terminations[r]) * nextValues.data[i]
      }
      return Tensor(shape: [batch.count, 1], data: out)
    }
  }

  /// One Adam step; returns the TD loss, the CQL penalty and the mean Q of the logged actions.
  func update(_ batch: [Int]) throws -> [(name: String, value: Double)] {
    let goal = try targets(batch)
    let values = try q.forward(rows.inputTensor(batch))
    let logged = Tensor(shape: [batch.count, 1], ints: batch.map { Int64(rows.actions[$0]) })
    let chosen = try values.gather(axis: 1, index: logged)
    let td = try Tensor.huberLoss(chosen, goal)
    let penalty = try (try values.logsumexp(axis: 1, keepdim: true) - chosen).mean()
    let loss = try td + penalty * Float(config.alpha)
    guard loss.data[0].isFinite else {
      throw CoreError("\(name): the loss is \(loss.data[0]) at epoch \(epochs + 1)", hint: "lower lr, or check the dataset's rewards for nan/inf")
    }
    optimizer.zeroGrad()
    try loss.backward()
    try optimizer.step()
    gradientSteps += 1
    if gradientSteps % config.targetUpdateInterval == 0 { SoftUpdate.blend(target, toward: q, tau: 1) }
    let meanQ = chosen.data.reduce(0) { $0 + Double($1) } / Double(batch.count)
    return [("td_loss", Double(td.data[0])), ("cql_loss", Double(penalty.data[0])), ("q_mean", meanQ)]
  }

  /// The greedy action argmax_a Q(s, a) (a sample from softmax(Q) when not deterministic).
  public func act(_ observation: Point, deterministic: Bool, generator: SeededGenerator?) throws -> Point {
    let values = try Autograd.noGrad { try q.forward(TransitionRows.row(observation, rows.features)) }.data
    return .int(actionStart + DiscreteChoice.pick(values, deterministic: deterministic, generator: generator))
  }
}
