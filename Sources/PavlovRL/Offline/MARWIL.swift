import PavlovCore
import PavlovGym
import PavlovTensor

/// MARWIL's settings (Wang et al. 2018, "Exponentially weighted imitation learning for batched
/// historical data"), with RLlib's defaults. β = 0 is behaviour cloning.
public struct MARWILConfig: Sendable, Codable {
  /// How strongly advantages tilt the imitation: weights exp(β·A / c); 0 copies the logged actions.
  public var beta = 1.0
  public var hidden = [64, 64]
  public var lr = 1e-3
  public var batchSize = 256
  /// The discount of the Monte-Carlo returns the value network learns.
  public var gamma = 0.99
  /// The weight of the value loss.
  public var vfCoef = 1.0
  /// The rate of the moving average of squared advantages c² that scales them (RLlib's 1e-8).
  public var advantageNormRate = 1e-8
  /// A weight never exceeds this (advantage-weighted regression's cap), so one lucky step
  /// cannot take over a batch.
  public var maxWeight = 20.0
  public var seed: UInt64 = 0

  public init() {}

  public func validate(_ name: String) throws {
    func fail(_ message: String) -> CoreError { CoreError("\(name): \(message)") }
    guard beta.isFinite && beta >= 0 else { throw fail("beta must be a number ≥ 0, got \(beta)") }
    guard !hidden.isEmpty, hidden.allSatisfy({ $0 >= 1 }) else { throw fail("hidden must list at least one positive layer size, got \(hidden)") }
    guard lr.isFinite && lr > 0 else { throw fail("lr must be a positive number, got \(lr)") }
    guard batchSize >= 1 else { throw fail("batch_size must be at least 1, got \(batchSize)") }
    guard gamma >= 0 && gamma <= 1 else { throw fail("gamma must be in [0, 1], got \(gamma)") }
    guard vfCoef.isFinite && vfCoef >= 0 else { throw fail("vf_coef must be a number ≥ 0, got \(vfCoef)") }
    guard advantageNormRate > 0 && advantageNormRate <= 1 else { throw fail("advantage_norm_rate must be in (0, 1], got \(advantageNormRate)") }
    guard maxWeight.isFinite && maxWeight > 0 else { throw fail("max_weight must be a positive number, got \(maxWeight)") }
    try ConfigBounds.check(name, "batch_size", batchSize, atMost: ConfigBounds.maxTransitions)
    try ConfigBounds.checkHidden(name, hidden)
  }
}

/// Learns a policy from a dataset of logged episodes, without an environment: MARWIL, and with
/// β = 0 behaviour cloning. Each epoch visits every logged step once in a seeded random order, in
/// minibatches; a step's loss is
///
///     −w · log π(a|s),  w = min(exp(β · (G − V(s)) / c), max_weight)   (w = 1 when β = 0)
///
/// plus vf_coef · ½ (V(s) − G)², where G is the discounted return from that step to the end of
/// its logged episode and c² a slow moving average of squared advantages. Discrete actions use
/// a softmax policy; box actions a Gaussian with a learned, state-independent log std (acting
/// deterministically takes its mean, clipped to the box).
public final class MARWILLearner: OfflineLearner {
  public let name: String
  public let config: MARWILConfig
  public let observationSpace: Space
  public let actionSpace: Space
  public let policy: Sequential
  public let value: Sequential?
  /// Box actions: the log standard deviation of the Gaussian, one per action dimension.
  public let logStd: Tensor?
  let optimizer: Optimizer
  let generator: SeededGenerator
  let rows: TransitionRows
  var features: ObservationFeatures { rows.features }
  public var steps: Int { rows.count }
  public var policyNetwork: Module { policy }
  public var valueNetwork: Module? { value }
  public var qNetwork: Module? { nil }
  /// c², the moving average of squared advantages (RLlib starts it at 100).
  public private(set) var squaredAdvantageAverage = 100.0
  public private(set) var epochs = 0

  public init(_ dataset: EpisodeDataset, config: MARWILConfig, name: String) throws {
    try config.validate(name)
    try OfflineData.checkSteps(dataset, name)
    self.name = name
    self.config = config
    observationSpace = dataset.observationSpace
    actionSpace = dataset.actionSpace
    rows = TransitionRows(dataset, gamma: config.gamma)
    let features = rows.features
    generator = SeededGenerator(seed: config.seed)
    let outputs: Int
    switch actionSpace {
    case .discrete(let n, _): outputs = n
    case .box(let low, _, _): outputs = low.count
    case .multiDiscrete, .text, .tuple, .dict: throw CoreError("\(name) learns Discrete or Box actions; this dataset acts in \(actionSpace.description)")
    }
    policy = try Sequential.mlp([features.size] + config.hidden + [outputs], activation: .tanh, generator: generator)
    value = config.beta > 0 ? try Sequential.mlp([features.size] + config.hidden + [1], activation: .tanh, generator: generator) : nil
    if case .box = actionSpace {
      logStd = Tensor(shape: [1, outputs], data: [Float](repeating: 0, count: outputs), requiresGrad: true)
    } else {
      logStd = nil
    }
    optimizer = try Optimizer(.adam, params: policy.parameters + (value?.parameters ?? []) + (logStd.map { [$0] } ?? []), lr: Float(config.lr))
  }

  public func train(epochs count: Int) throws -> [OfflineEpochStats] {
    try rows.trainEpochs(count, batchSize: config.batchSize, generator: generator, finished: { epochs += 1; return epochs }) { try update($0) }
  }

  /// One Adam step on the rows; returns the policy loss, the value loss (MARWIL) and the mean weight.
  func update(_ batch: [Int]) throws -> [(name: String, value: Double)] {
    let b = batch.count
    let input = rows.inputTensor(batch), target = TransitionRows.column(rows.returnsToGo, batch)
    let logProbability = try self.logProbability(input, TransitionRows.column(rows.actions, batch, width: rows.actionWidth))
    var weights = [Float](repeating: 1, count: b)
    var valueLoss: Tensor?
    if let value, config.beta > 0 {
      let v = try value.forward(input)
      let advantages = try (target - v.detached()).data
      var squared = 0.0
      for adv in advantages { squared += Double(adv) * Double(adv) }
      squaredAdvantageAverage += config.advantageNormRate * (squared / Double(b) - squaredAdvantageAverage)
      weights = Self.weights(advantages, beta: config.beta, scale: squaredAdvantageAverage.squareRoot(), cap: config.maxWeight)
      valueLoss = try (try (v - target) * (v - target)).mean() * 0.5
    }
    let policyLoss = -(try (logProbability * Tensor(shape: [b, 1], data: weights)).mean())
    let loss = try valueLoss.map { try policyLoss + $0 * Float(config.vfCoef) } ?? policyLoss
    guard loss.data[0].isFinite else {
      throw CoreError("\(name): the loss is \(loss.data[0]) at epoch \(epochs + 1)", hint: "lower lr, or check the dataset's observations and rewards for nan/inf")
    }
    optimizer.zeroGrad()
    try loss.backward()
    try optimizer.step()
    let meanWeight = weights.reduce(0) { $0 + Double($1) } / Double(b)
    return [("policy_loss", Double(policyLoss.data[0]))] + (valueLoss.map { [("value_loss", Double($0.data[0]))] } ?? [])
      + [("mean_weight", meanWeight)]
  }

  /// log π(a|s) per row, shape (B, 1).
  func logProbability(_ input: Tensor, _ chosen: Tensor) throws -> Tensor {
    let out = try policy.forward(input)
    if let logStd {
      return try Normal(mean: out, std: logStd.exp()).logProb(chosen).sum(axis: 1, keepdim: true)
    }
    let index = Tensor(shape: chosen.shape, ints: chosen.data.map { Int64($0) })
    return try out.logSoftmax(axis: -1).gather(axis: 1, index: index)
  }

  /// MARWIL's weights min(exp(β·A / (1e-8 + c)), cap), exactly rounded the same on every machine.
  public static func weights(_ advantages: [Float], beta: Double, scale: Double, cap: Double) -> [Float] {
    advantages.map { Float(Swift.min(PortableMath.exp(beta * Double($0) / (1e-8 + scale)), cap)) }
  }

  /// The action for one observation: the most likely one, or (deterministic: false) a sample.
  public func act(_ observation: Point, deterministic: Bool, generator: SeededGenerator?) throws -> Point {
    let out = try Autograd.noGrad { try policy.forward(TransitionRows.row(observation, features)) }.data
    switch actionSpace {
    case .discrete(_, let start):
      return .int(start + DiscreteChoice.pick(out, deterministic: deterministic, generator: generator))
    case .box(let low, let high, _):
      var values = out.map(Double.init)
      if !deterministic, let generator, let logStd {
        for k in values.indices { values[k] += Double(PortableMath.exp(logStd.data[k])) * generator.nextGaussian() }
      }
      return .reals(values.indices.map { Swift.min(Swift.max(values[$0], low[$0]), high[$0]) })
    case .multiDiscrete, .text, .tuple, .dict:
      throw CoreError("\(name): multi-discrete actions are not supported")
    }
  }
}
