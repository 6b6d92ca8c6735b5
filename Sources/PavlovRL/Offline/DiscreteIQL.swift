import PavlovCore
import PavlovGym
import PavlovTensor

/// Implicit Q-learning's settings (Kostrikov, Nair and Levine 2021), with CORL's defaults.
public struct IQLConfig: Sendable, Codable {
  /// τ of the expectile V(s) regresses to: 0.5 is the mean of Q over the logged actions, near 1
  /// their maximum.
  public var expectile = 0.7
  /// The inverse temperature of the policy's weights exp(β·(Q − V)).
  public var beta = 3.0
  public var gamma = 0.99
  /// Polyak rate of the target Q-network.
  public var tau = 0.005
  public var hidden = [64, 64]
  public var lr = 3e-4
  public var batchSize = 256
  /// A step's weight never exceeds this (CORL's exp_adv_max).
  public var maxWeight = 100.0
  public var seed: UInt64 = 0

  public init() {}

  public func validate(_ name: String) throws {
    func fail(_ message: String) -> CoreError { CoreError("\(name): \(message)") }
    guard expectile > 0 && expectile < 1 else { throw fail("expectile must be in (0, 1), got \(expectile)") }
    guard beta.isFinite && beta >= 0 else { throw fail("beta must be a number ≥ 0, got \(beta)") }
    guard gamma >= 0 && gamma <= 1 else { throw fail("gamma must be in [0, 1], got \(gamma)") }
    guard tau > 0 && tau <= 1 else { throw fail("tau must be in (0, 1], got \(tau)") }
    guard !hidden.isEmpty, hidden.allSatisfy({ $0 >= 1 }) else { throw fail("hidden must list at least one positive layer size, got \(hidden)") }
    guard lr.isFinite && lr > 0 else { throw fail("lr must be a positive number, got \(lr)") }
    guard batchSize >= 1 else { throw fail("batch_size must be at least 1, got \(batchSize)") }
    guard maxWeight.isFinite && maxWeight > 0 else { throw fail("max_weight must be a positive number, got \(maxWeight)") }
    try ConfigBounds.check(name, "batch_size", batchSize, atMost: ConfigBounds.maxTransitions)
    try ConfigBounds.checkHidden(name, hidden)
  }
}

/// IQL for discrete actions. It never asks Q about an action the logs did not take:
///
///     V:  mean(|τ − 1(u < 0)| · u²),  u = Q_target(s, a) − V(s)          (expectile regression)
///     Q:  mean((Q(s, a) − (r + γ·(1 − terminated)·V(s')))²)
///     π:  −mean(min(exp(β·(Q_target(s, a) − V(s))), max_weight) · log π(a|s))
///
/// V(s') comes from before this step's V update and the advantages from V before it, as in
/// CORL; the target Q-network follows Q by Polyak averaging. Acting takes the most likely action.
public final class DiscreteIQL: OfflineLearner {
  public let name: String
  public let config: IQLConfig
  public let observationSpace: Space
  public let actionSpace: Space
  public let policy: Sequential
  public let q: Sequential
  public let value: Sequential
  let target: Sequential
  let optimizers: (policy: Optimizer, q: Optimizer, value: Optimizer)
  let generator: SeededGenerator
  let rows: TransitionRows
  let actionStart: Int
  public var steps: Int { rows.count }
  public var policyNetwork: Module { policy }
  public var valueNetwork: Module? { value }
  public var qNetwork: Module? { q }
  public private(set) var epochs = 0

  public init(_ dataset: EpisodeDataset, config: IQLConfig, name: String) throws {
    try config.validate(name)
    let (n, start) = try OfflineData.discreteActions(dataset, name)
    self.name = name
    self.config = config
    observationSpace = dataset.observationSpace
    actionSpace = dataset.actionSpace
    actionStart = start
    rows = TransitionRows(dataset, gamma: config.gamma)
    generator = SeededGenerator(seed: config.seed)
    let size = rows.features.size
    policy = try Sequential.mlp([size] + config.hidden + [n], activation: .relu, generator: generator)
    q = try Sequential.mlp([size] + config.hidden + [n], activation: .relu, generator: generator)
    target = try Sequential.mlp([size] + config.hidden + [n], activation: .relu, generator: generator)
    value = try Sequential.mlp([size] + config.hidden + [1], activation: .relu, generator: generator)
    SoftUpdate.blend(target, toward: q, tau: 1)
    let lr = Float(config.lr)
    optimizers = (try Optimizer(.adam, params: policy.parameters, lr: lr), try Optimizer(.adam, params: q.parameters, lr: lr),
                  try Optimizer(.adam, params: value.parameters, lr: lr))
  }

  public func train(epochs count: Int) throws -> [OfflineEpochStats] {
    try rows.trainEpochs(count, batchSize: config.batchSize, generator: generator, finished: { epochs += 1; return epochs }) { try update($0) }
  }

  /// One step of each network; returns the Q loss, the V loss, the policy loss and the mean weight.
  func update(_ batch: [Int]) throws -> [(name: String, value: Double)] {
    let b = batch.count
    let input = rows.inputTensor(batch)
    let logged = Tensor(shape: [b, 1], ints: batch.map { Int64(rows.actions[$0]) })
    let (nextValue, targetQ) = try Autograd.noGrad {
      (try value.forward(rows.inputTensor(batch, next: true)), try target.forward(input).gather(axis: 1, index: logged))
    }

    // V: the expectile of the target Q-values of the logged actions.
    let v = try value.forward(input)
    let u = try targetQ - v
    let valueLoss = try Expectile.loss(u, tau: config.expectile)
    let advantages = try (targetQ - v.detached()).data

    // Q: one-step targets through V(s').
    var goals = [Float](repeating: 0, count: b)
    for (i, r) in batch.enumerated() { goals[i] = rows.rewards[r] + Float(config.gamma) * (1 - rows.terminations[r]) * nextValue.data[i] }
    let chosen = try q.forward(input).gather(axis: 1, index: logged)
    let qLoss = try Tensor.mseLoss(chosen, Tensor(shape: [b, 1], data: goals))

    // π: advantage-weighted behaviour cloning.
    let weights = advantages.map { Float(Swift.min(PortableMath.exp(config.beta * Double($0)), config.maxWeight)) }
    let logProbability = try policy.forward(input).logSoftmax(axis: -1).gather(axis: 1, index: logged)
    let policyLoss = -(try (logProbability * Tensor(shape: [b, 1], data: weights)).mean())

    for (loss, what) in [(valueLoss, "V"), (qLoss, "Q"), (policyLoss, "policy")] where !loss.data[0].isFinite {
      throw CoreError("\(name): the \(what) loss is \(loss.data[0]) at epoch \(epochs + 1)", hint: "lower lr, or check the dataset's rewards for nan/inf")
    }
    for (loss, optimizer) in [(valueLoss, optimizers.value), (qLoss, optimizers.q), (policyLoss, optimizers.policy)] {
      optimizer.zeroGrad()
      try loss.backward()
      try optimizer.step()
    }
    SoftUpdate.blend(target, toward: q, tau: Float(config.tau))
    let meanWeight = weights.reduce(0) { $0 + Double($1) } / Double(b)
    return [("q_loss", Double(qLoss.data[0])), ("v_loss", Double(valueLoss.data[0])), ("policy_loss", Double(policyLoss.data[0])),
            ("mean_weight", meanWeight)]
  }

  public func act(_ observation: Point, deterministic: Bool, generator: SeededGenerator?) throws -> Point {
    let logits = try Autograd.noGrad { try policy.forward(TransitionRows.row(observation, rows.features)) }.data
    return .int(actionStart + DiscreteChoice.pick(logits, deterministic: deterministic, generator: generator))
  }
}
