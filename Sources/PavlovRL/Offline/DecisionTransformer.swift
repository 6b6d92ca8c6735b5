import PavlovCore
import PavlovGym
import PavlovTensor

/// The decision transformer's network (Chen et al. 2021): each step of a trajectory becomes the
/// tokens (return-to-go, [cost-to-go,] state, action), each a linear embedding of its numbers
/// plus an embedding of the step's timestep; the GPT core's causal blocks read the token
/// sequence, and the action is predicted from the hidden state at each step's state token, so
/// it sees the returns, states and actions before it and never its own action.
public final class DecisionTransformer: Module {
  public let stateSize: Int, actionInputs: Int, actionOutputs: Int
  public let dim: Int, layers: Int, heads: Int, maxTimestep: Int, dropout: Float
  /// The constrained variant (Liu et al. 2023): a cost-to-go token before the state.
  public let usesCost: Bool
  /// Box actions: predictions are squashed into [low, high] through tanh; nil for logits.
  public let actionBounds: (low: [Float], high: [Float])?
  let returnEmbedding: Linear, costEmbedding: Linear?, stateEmbedding: Linear, actionEmbedding: Linear
  let timestepEmbedding: Embedding
  let embeddingNorm: LayerNorm
  let blocks: [TransformerBlock]
  let finalNorm: LayerNorm
  let actionHead: Linear
  let seed: UInt64

  /// Tokens per step: return, (cost,) state, action.
  public var tokensPerStep: Int { usesCost ? 4 : 3 }

  public init(stateSize: Int, actionInputs: Int, actionOutputs: Int, actionBounds: (low: [Float], high: [Float])?, usesCost: Bool,
              dim: Int, layers: Int, heads: Int, maxTimestep: Int, dropout: Float, seed: UInt64) throws {
    guard dim % heads == 0 else { throw CoreError("dt: d = \(dim) must be divisible by heads = \(heads)") }
    self.stateSize = stateSize
    self.actionInputs = actionInputs
    self.actionOutputs = actionOutputs
    self.actionBounds = actionBounds
    self.usesCost = usesCost
    self.dim = dim
    self.layers = layers
    self.heads = heads
    self.maxTimestep = maxTimestep
    self.dropout = dropout
    self.seed = seed
    let generator = SeededGenerator(seed: seed)
    let initialization = Initialization.normal(std: 0.02)
    returnEmbedding = Linear(1, dim, generator: generator)
    costEmbedding = usesCost ? Linear(1, dim, generator: generator) : nil
    stateEmbedding = Linear(stateSize, dim, generator: generator)
    actionEmbedding = Linear(actionInputs, dim, generator: generator)
    timestepEmbedding = Embedding(maxTimestep, dim, std: 0.02, generator: generator)
    embeddingNorm = LayerNorm(dim)
    blocks = try (0..<layers).map { _ in
      try TransformerBlock(dim: dim, heads: heads, dropout: dropout, initialization: initialization, generator: generator)
    }
    finalNorm = LayerNorm(dim)
    actionHead = Linear(dim, actionOutputs, initialization: initialization, generator: generator)
    super.init(kind: "decision_transformer")
    addChild("embed_return", returnEmbedding)
    if let costEmbedding { addChild("embed_cost", costEmbedding) }
    addChild("embed_state", stateEmbedding)
    addChild("embed_action", actionEmbedding)
    addChild("embed_timestep", timestepEmbedding)
    addChild("embed_ln", embeddingNorm)
    addChild("blocks", Sequential(blocks, label: "blocks"))
    addChild("ln_f", finalNorm)
    addChild("predict_action", actionHead)
  }

  /// The action predictions (B, K, outputs) for a batch of windows: logits, or box actions.
  public func predictActions(_ batch: DecisionTransformerBatch) throws -> Tensor {
    let B = batch.count, K = batch.length, d = dim
    let time = try timestepEmbedding.forward(Tensor(shape: [B, K], ints: batch.timesteps))
    var tokens = [try returnEmbedding.forward(Tensor(shape: [B, K, 1], data: batch.returnsToGo)) + time]
    if let costEmbedding {
      tokens.append(try costEmbedding.forward(Tensor(shape: [B, K, 1], data: batch.costsToGo)) + time)
    }
    tokens.append(try stateEmbedding.forward(Tensor(shape: [B, K, stateSize], data: batch.states)) + time)
    tokens.append(try actionEmbedding.forward(Tensor(shape: [B, K, actionInputs], data: batch.actions)) + time)
    let m = tokens.count
    var x = try embeddingNorm.forward(try Tensor.stack(tokens, axis: 2).reshaped([B, K * m, d]))
    for block in blocks { x = try block.forward(x) }
    x = try finalNorm.forward(x)
    let stateTokens = try x.reshaped([B, K, m, d]).index([.all, .all, .position(m - 2), .all])
    let out = try actionHead.forward(stateTokens)
    guard let actionBounds else { return out }
    // low + (tanh(h) + 1) / 2 · (high − low): every prediction inside the box.
    let half = zip(actionBounds.low, actionBounds.high).map { ($1 - $0) / 2 }
    let middle = zip(actionBounds.low, actionBounds.high).map { ($1 + $0) / 2 }
    return try out.tanh() * Tensor(shape: [actionOutputs], data: half) + Tensor(shape: [actionOutputs], data: middle)
  }

  /// The training loss of a batch: cross-entropy of the logged discrete actions, or the mean
  /// squared error of box actions, over the steps that are not padding.
  public func loss(_ batch: DecisionTransformerBatch) throws -> Tensor {
    let predictions = try predictActions(batch)
    let B = batch.count, K = batch.length
    if batch.discreteTargets {
      let targets = zip(batch.targets, batch.mask).map { $1 > 0 ? Int64($0) : -1 }
      return try Tensor.crossEntropy(predictions, Tensor(shape: [B, K], ints: targets), ignoreIndex: -1)
    }
    let w = batch.targetWidth
    let mask = Tensor(shape: [B, K, 1], data: batch.mask)
    let error = try predictions - Tensor(shape: [B, K, w], data: batch.targets)
    let kept = batch.mask.reduce(0, +)
    return try (try (error * error) * mask).sum() / Float(Swift.max(kept, 1) * Float(w))
  }

  public override var summary: String {
    "decision_transformer(state: \(stateSize), actions: \(actionOutputs), d: \(dim), layers: \(layers), heads: \(heads)\(usesCost ? ", cost token" : ""))"
  }

  public override func copy() throws -> Module {
    finishCopy(try DecisionTransformer(stateSize: stateSize, actionInputs: actionInputs, actionOutputs: actionOutputs, actionBounds: actionBounds,
                                       usesCost: usesCost, dim: dim, layers: layers, heads: heads, maxTimestep: maxTimestep,
                                       dropout: dropout, seed: seed))
  }
}

/// B windows of K steps each, row-major (window, step, ...). Windows shorter than K are padded
/// at the end (mask 0): a causal model's predictions at real steps never see the padding.
public struct DecisionTransformerBatch {
  public var count: Int, length: Int
  public var returnsToGo: [Float], costsToGo: [Float]
  public var states: [Float], actions: [Float]
  public var timesteps: [Int64]
  /// The logged actions to predict (a discrete one counted from 0), and 1 for real steps.
  public var targets: [Float], mask: [Float]
  public var targetWidth: Int
  public var discreteTargets: Bool

  public init(count: Int, length: Int, stateSize: Int, actionInputs: Int, targetWidth: Int, discreteTargets: Bool) {
    self.count = count
    self.length = length
    let steps = count * length
    returnsToGo = [Float](repeating: 0, count: steps)
    costsToGo = [Float](repeating: 0, count: steps)
    states = [Float](repeating: 0, count: steps * stateSize)
    actions = [Float](repeating: 0, count: steps * actionInputs)
    timesteps = [Int64](repeating: 0, count: steps)
    targets = [Float](repeating: 0, count: steps * targetWidth)
    mask = [Float](repeating: 0, count: steps)
    self.targetWidth = targetWidth
    self.discreteTargets = discreteTargets
  }
}
