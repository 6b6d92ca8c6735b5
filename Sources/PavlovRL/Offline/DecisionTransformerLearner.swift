import PavlovCore
import PavlovGym
import PavlovTensor

/// The decision transformer's settings, with the paper's Atari/gym defaults where they suit
/// small problems (one head, dropout 0.1, AdamW with weight decay 1e-4, gradients clipped to
/// 0.25, a linear warm-up of the learning rate).
public struct DTConfig: Sendable {
  /// K: the steps of history the model reads.
  public var context = 20
  public var dim = 64
  public var layers = 3
  public var heads = 1
  public var dropout = 0.1
  public var lr = 6e-4
  public var weightDecay = 1e-4
  public var warmupSteps = 100
  public var batchSize = 64
  public var maxGradNorm = 0.25
  /// Returns-to-go (and costs-to-go) are divided by this before they are embedded; 0 picks the
  /// largest |episode return| (cost) of the dataset.
  public var returnScale = 0.0
  /// Adds the cost-to-go token: the constrained decision transformer, for datasets with costs.
  public var constrained = false
  public var seed: UInt64 = 0

  public init() {}

  public func validate(_ name: String) throws {
    func fail(_ message: String) -> CoreError { CoreError("\(name): \(message)") }
    guard context >= 1 else { throw fail("context must be at least 1, got \(context)") }
    guard dim >= 1, heads >= 1, dim % heads == 0 else { throw fail("d = \(dim) must be a positive multiple of heads = \(heads)") }
    guard layers >= 0 else { throw fail("layers must be ≥ 0, got \(layers)") }
    guard dropout >= 0 && dropout < 1 else { throw fail("dropout must be in [0, 1), got \(dropout)") }
    guard lr.isFinite && lr > 0 else { throw fail("lr must be a positive number, got \(lr)") }
    guard weightDecay.isFinite && weightDecay >= 0 else { throw fail("weight_decay must be a number ≥ 0, got \(weightDecay)") }
    guard warmupSteps >= 0 else { throw fail("warmup_steps must be ≥ 0, got \(warmupSteps)") }
    guard batchSize >= 1 else { throw fail("batch_size must be at least 1, got \(batchSize)") }
    guard maxGradNorm.isFinite && maxGradNorm > 0 else { throw fail("max_grad_norm must be a positive number, got \(maxGradNorm)") }
    guard returnScale.isFinite && returnScale >= 0 else { throw fail("return_scale must be a number ≥ 0 (0: automatic), got \(returnScale)") }
    try ConfigBounds.check(name, "batch_size", batchSize * context, atMost: ConfigBounds.maxTransitions)
  }
}

/// What a return-conditioned evaluation measured: the returns and lengths, and each episode's
/// total cost (0 where the env reports none).
public struct ConditionedEvaluation: Sendable {
  public var result: EvalResult
  public var costs: [Double]
  public var targetReturn: Double
  public var costBudget: Double?
}

/// Offline RL as sequence modelling: the decision transformer learns to predict each logged
/// action from the return still to come (and, constrained, the cost still allowed), the states
/// and the actions before it. Acting, it is told the return to aim for; every reward then
/// lowers the return-to-go, so asking for more than the logs achieved shows what it learned.
/// An epoch predicts every logged step once, at the end of the window of up to K steps that
/// ends there (the window it sees when acting).
public final class DecisionTransformerLearner: OfflineLearner {
  public let name: String
  public let config: DTConfig
  public let observationSpace: Space
  public let actionSpace: Space
  public let model: DecisionTransformer
  let optimizer: Optimizer
  let generator: SeededGenerator
  let rows: TransitionRows
  /// Per logged step: the row where its episode starts, and its cost-to-go (constrained).
  let episodeStarts: [Int]
  let costsToGo: [Float]
  /// The divisors of returns-to-go and costs-to-go.
  public let returnScale: Double, costScale: Double
  /// The best undiscounted episode return in the logs (the default target).
  public let bestReturn: Double
  public var steps: Int { rows.count }
  public var policyNetwork: Module { model }
  public var valueNetwork: Module? { nil }
  public var qNetwork: Module? { nil }
  public private(set) var epochs = 0

  public init(_ dataset: EpisodeDataset, config: DTConfig, name: String) throws {
    try config.validate(name)
    try OfflineData.checkSteps(dataset, name)
    if config.constrained && !dataset.hasCosts {
      throw CoreError("\(name): the constrained decision transformer needs a cost per logged step; this dataset has none",
                      hint: "record from an env that reports info[\"cost\"] (GridWorld-v0 with hazards does)")
    }
    self.name = name
    self.config = config
    observationSpace = dataset.observationSpace
    actionSpace = dataset.actionSpace
    rows = TransitionRows(dataset, gamma: 1)
    var starts: [Int] = [], costs: [Float] = [], returns: [Double] = [], totals: [Double] = []
    for episode in dataset.episodes {
      let start = starts.count
      starts += [Int](repeating: start, count: episode.steps)
      returns.append(episode.rewards.reduce(0, +))
      if config.constrained {
        var togo = 0.0, column = [Float](repeating: 0, count: episode.steps)
        for t in stride(from: episode.steps - 1, through: 0, by: -1) { togo += episode.costs[t]; column[t] = Float(togo) }
        costs += column
        totals.append(togo)
      }
    }
    episodeStarts = starts
    costsToGo = costs
    bestReturn = returns.max() ?? 0
    returnScale = config.returnScale > 0 ? config.returnScale : Swift.max(1, returns.map(Swift.abs).max() ?? 1)
    costScale = config.returnScale > 0 ? config.returnScale : Swift.max(1, totals.max() ?? 1)
    let longest = dataset.episodes.map(\.steps).max() ?? 1
    let actionInputs: Int, outputs: Int
    var bounds: (low: [Float], high: [Float])?
    switch actionSpace {
    case .discrete(let n, _):
      (actionInputs, outputs) = (n, n)
    case .box(let low, let high, _):
      (actionInputs, outputs) = (low.count, low.count)
      if low.allSatisfy(\.isFinite) && high.allSatisfy(\.isFinite) { bounds = (low.map(Float.init), high.map(Float.init)) }
    case .multiDiscrete, .text, .tuple, .dict:
      throw CoreError("\(name) learns Discrete or Box actions; this dataset acts in \(actionSpace.description)")
    }
    generator = SeededGenerator(seed: config.seed)
    model = try DecisionTransformer(stateSize: rows.features.size, actionInputs: actionInputs, actionOutputs: outputs, actionBounds: bounds,
                                    usesCost: config.constrained, dim: config.dim, layers: config.layers, heads: config.heads,
                                    maxTimestep: longest, dropout: Float(config.dropout), seed: config.seed)
    optimizer = try Optimizer(.adamw, params: model.parameters, lr: Float(config.lr), weightDecay: Float(config.weightDecay),
                              maxGradNorm: Float(config.maxGradNorm), schedule: .constant(warmup: config.warmupSteps))
  }

  public func train(epochs count: Int) throws -> [OfflineEpochStats] {
    model.setTraining(true)  // dropout on; begin turns it off for acting
    return try rows.trainEpochs(count, batchSize: config.batchSize, generator: generator, finished: { epochs += 1; return epochs }) { batch in
      let loss = try model.loss(windows(endingAt: batch))
      guard loss.data[0].isFinite else {
        throw CoreError("\(name): the loss is \(loss.data[0]) at epoch \(epochs + 1)", hint: "lower lr, or check the dataset for nan/inf")
      }
      try optimizer.step(loss: loss)
      return [("action_loss", Double(loss.data[0]))]
    }
  }

  /// The windows of up to K logged steps that end at each of `ends` (within one episode).
  func windows(endingAt ends: [Int]) -> DecisionTransformerBatch {
    let K = config.context, size = rows.features.size
    var batch = makeBatch(count: ends.count)
    for (b, end) in ends.enumerated() {
      let first = Swift.max(episodeStarts[end], end - K + 1)
      for (position, row) in (first...end).enumerated() {
        let at = b * K + position
        batch.returnsToGo[at] = rows.returnsToGo[row] / Float(returnScale)
        if config.constrained { batch.costsToGo[at] = costsToGo[row] / Float(costScale) }
        for k in 0..<size { batch.states[at * size + k] = rows.inputs[row * size + k] }
        writeAction(rows.actions, row: row, into: &batch, at: at)
        for k in 0..<rows.actionWidth { batch.targets[at * rows.actionWidth + k] = rows.actions[row * rows.actionWidth + k] }
        batch.timesteps[at] = Int64(row - episodeStarts[row])
        batch.mask[at] = 1
      }
    }
    return batch
  }

  func makeBatch(count: Int) -> DecisionTransformerBatch {
    var discrete = false
    if case .discrete = actionSpace { discrete = true }
    return DecisionTransformerBatch(count: count, length: config.context, stateSize: rows.features.size, actionInputs: model.actionInputs,
                                    targetWidth: rows.actionWidth, discreteTargets: discrete)
  }

  /// An action as the model reads it: one-hot for a discrete action (counted from 0), else its numbers.
  func writeAction(_ source: [Float], row: Int, into batch: inout DecisionTransformerBatch, at: Int) {
    let inputs = model.actionInputs
    if case .discrete = actionSpace {
      let k = Int(source[row])
      if k >= 0 && k < inputs { batch.actions[at * inputs + k] = 1 }
    } else {
      for k in 0..<inputs { batch.actions[at * inputs + k] = source[row * inputs + k] }
    }
  }

  /// The episode being acted in: set by `begin`, extended by every `act`.
  public private(set) var episode: DTEpisode?

  /// The conditioning asked for, checked, with the defaults filled in: the best logged return,
  /// and for the constrained model a budget of 0.
  func conditioning(targetReturn: Double?, costBudget: Double?) throws -> (target: Double, budget: Double?) {
    let target = targetReturn ?? bestReturn
    guard target.isFinite else { throw CoreError("target_return must be a finite number, got \(target)") }
    if let costBudget {
      guard config.constrained else {
        throw CoreError("cost_budget needs the constrained decision transformer", hint: "train it with dt(dataset, constrained: true)")
      }
      guard costBudget.isFinite else { throw CoreError("cost_budget must be a finite number, got \(costBudget)") }
    }
    return (target, costBudget ?? (config.constrained ? 0 : nil))
  }

  /// Starts an episode aiming at `targetReturn` (and, constrained, within `costBudget`); nil
  /// asks for the defaults of `conditioning`.
  public func begin(targetReturn: Double? = nil, costBudget: Double? = nil) throws {
    let (target, budget) = try conditioning(targetReturn: targetReturn, costBudget: costBudget)
    model.setTraining(false)
    episode = DTEpisode(returnToGo: target, costToGo: budget ?? 0)
  }

  /// The next action of the episode `begin` started, after the reward (and cost) the previous
  /// action earned (ignored on the episode's first step).
  public func act(_ observation: Point, reward: Double, cost: Double) throws -> Point {
    guard var current = episode else {
      throw CoreError("no episode has begun: a decision transformer acts on the history of an episode (returns, states and actions), not on one observation",
                      hint: "call .begin(target_return: R) at each reset, then .act(obs, reward: r) with the last reward; or .evaluate(env, target_return: R)")
    }
    guard reward.isFinite, cost.isFinite else { throw CoreError("the reward and cost must be finite numbers, got \(reward) and \(cost)") }
    if current.steps > 0 {
      current.returnToGo -= reward
      current.costToGo -= cost
    }
    let inputs = model.actionInputs
    current.states += TransitionRows.row(observation, rows.features).data
    current.actions += [Float](repeating: 0, count: inputs)
    current.returnsToGo.append(Float(current.returnToGo / returnScale))
    current.costsToGo.append(Float(current.costToGo / costScale))
    let chosen = try Autograd.noGrad { try nextAction(current) }
    for j in 0..<inputs { current.actions[current.steps * inputs + j] = chosen.input[j] }
    current.steps += 1
    episode = current
    return chosen.point
  }

  /// One observation continues the episode `begin` started, as if the last action earned nothing.
  public func act(_ observation: Point, deterministic: Bool, generator: SeededGenerator?) throws -> Point {
    try act(observation, reward: 0, cost: 0)
  }

  public func evaluate(_ env: EnvSource, episodes: Int, seed: UInt64) throws -> EvalResult {
    try evaluate(env, episodes: episodes, seed: seed, targetReturn: nil, costBudget: nil).result
  }

  /// Whole episodes (episode k reset with seed + k) conditioned on `targetReturn` (and, for the
  /// constrained model, `costBudget`; nil for the defaults of `conditioning`), acting on the most
  /// likely action. An episode begun by hand is left as it was.
  public func evaluate(_ source: EnvSource, episodes: Int, seed: UInt64, targetReturn: Double?, costBudget: Double?) throws -> ConditionedEvaluation {
    let (target, budget) = try conditioning(targetReturn: targetReturn, costBudget: costBudget)
    let before = episode
    defer { episode = before }
    // What the last step earned, told to the next act; and each episode's total cost.
    var reward = 0.0, cost = 0.0, costs: [Double] = []
    let result = try PolicyEvaluation.run(source: source, copyIndex: 0, episodes: episodes, seed: seed, begin: {
      try begin(targetReturn: target, costBudget: budget)
      (reward, cost) = (0, 0)
      costs.append(0)
    }, observe: { step in
      reward = step.reward
      cost = EpisodeDataset.cost(step.info) ?? 0
      costs[costs.count - 1] += cost
    }) { try act($0, reward: reward, cost: cost) }
    return ConditionedEvaluation(result: result, costs: costs, targetReturn: target, costBudget: budget)
  }

  /// The action predicted at the last of the episode's steps (reading up to K of them): the env's
  /// action, and the numbers the model reads for it.
  func nextAction(_ episode: DTEpisode) throws -> (point: Point, input: [Float]) {
    let n = episode.returnsToGo.count, K = config.context, size = rows.features.size, inputs = model.actionInputs
    let first = Swift.max(0, n - K)
    var batch = makeBatch(count: 1)
    for (position, t) in (first..<n).enumerated() {
      batch.returnsToGo[position] = episode.returnsToGo[t]
      batch.costsToGo[position] = episode.costsToGo[t]
      for j in 0..<size { batch.states[position * size + j] = episode.states[t * size + j] }
      for j in 0..<inputs { batch.actions[position * inputs + j] = episode.actions[t * inputs + j] }
      // Past the longest logged episode, the last timestep the model knows.
      batch.timesteps[position] = Int64(Swift.min(t, model.maxTimestep - 1))
      batch.mask[position] = 1
    }
    let prediction = try model.predictActions(batch).data
    let last = n - first - 1, width = model.actionOutputs
    let scores = Array(prediction[(last * width)..<((last + 1) * width)])
    switch actionSpace {
    case .discrete(_, let start):
      let k = DiscreteChoice.pick(scores, deterministic: true, generator: nil)
      var input = [Float](repeating: 0, count: inputs)
      input[k] = 1
      return (.int(start + k), input)
    case .box(let low, let high, _):
      let values = scores.indices.map { Swift.min(Swift.max(Double(scores[$0]), low[$0]), high[$0]) }
      return (.reals(values), values.map(Float.init))
    case .multiDiscrete, .text, .tuple, .dict:
      throw CoreError("\(name) learns Discrete or Box actions, not \(actionSpace.description)")
    }
  }
}

/// The history a decision transformer acts on: per step the state's features, the action taken
/// (as the model reads it), and the scaled return- and cost-to-go; and what is still to go.
public struct DTEpisode: Sendable {
  public var returnToGo: Double, costToGo: Double
  public var steps = 0
  var states: [Float] = [], actions: [Float] = [], returnsToGo: [Float] = [], costsToGo: [Float] = []

  init(returnToGo: Double, costToGo: Double) {
    self.returnToGo = returnToGo
    self.costToGo = costToGo
  }
}
