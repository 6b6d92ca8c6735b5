import PavlovTensor

/// A reward model (Ouyang et al., 2022): a copy of a language model whose scalar head reads the
/// final hidden state of the last token, trained on preference pairs with the pairwise loss
/// −log σ(r_chosen − r_rejected). Scores can be normalized to mean 0 and standard deviation 1
/// over reference answers, so a KL coefficient means the same thing from one run to the next.
public final class RewardModel: Module {
  public let padding: Int64
  /// Subtracted from raw scores, then divided by `scale` (0 and 1 until `normalize`).
  public private(set) var offset: Double = 0
  public private(set) var scale: Double = 1

  /// The language model read, registered as "gpt", and the scalar head on its last state.
  public let trunk: GPT
  public let head: Linear

  /// The trunk is a copy of `base`; the head starts at zero, so every answer first scores 0.
  public convenience init(base: GPT, padding: Int64, generator: SeededGenerator) throws {
    let trunk = try base.typedCopy()
    trunk.setFrozen(false)
    self.init(padding: padding, trunk: trunk, head: Linear(base.dim, 1, initialization: .normal(std: 0), generator: generator))
  }

  private init(padding: Int64, trunk: GPT, head: Linear, offset: Double = 0, scale: Double = 1) {
    self.padding = padding
    self.trunk = trunk
    self.head = head
    self.offset = offset
    self.scale = scale
    super.init(kind: "reward_model")
    addChild("gpt", trunk)
    addChild("head", head)
  }

  /// Raw scores (B) for a batch, with a graph when autograd is on.
  public func rawScores(_ batch: SequenceBatch) throws -> Tensor {
    let features = try trunk.features(batch.ids, lengths: batch.lengths)  // (B, T, d)
    let last = (0..<batch.count).map { b in b * batch.width + batch.lengths[b] - 1 }
    return try head.forward(LanguageModel.states(features, at: last, "last_token")).reshaped([batch.count])
  }

  /// Normalized scores, one per (prompt, response), without a graph.
  public func scores(prompts: [[Int64]], responses: [[Int64]], batchSize: Int = 64) throws -> [Double] {
    try Autograd.noGrad {
      var out: [Double] = []
      for batch in try SequenceBatch.chunked(prompts: prompts, responses: responses, padding: padding, size: batchSize) {
        try LanguageModel.checkFits(trunk, batch.lengths.map { $0 + 1 }, what: "answer")
        out += try rawScores(batch).data.map { (Double($0) - offset) / scale }
      }
      return out
    }
  }

  /// Sets the normalization so these answers score mean 0, standard deviation 1.
  public func normalize(prompts: [[Int64]], responses: [[Int64]]) throws {
    offset = 0
    scale = 1
    let raw = try scores(prompts: prompts, responses: responses)
    guard raw.count > 1 else { throw CoreError("normalize needs at least two answers") }
    let mean = raw.reduce(0, +) / Double(raw.count)
    let variance = raw.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(raw.count - 1)
    offset = mean
    scale = Swift.max(variance.squareRoot(), 1e-8)
  }

  public override var summary: String { "reward_model(\(trunk.summary))" }
  public override func copy() throws -> Module {
    finishCopy(RewardModel(padding: padding, trunk: try trunk.typedCopy(), head: try head.typedCopy(), offset: offset, scale: scale))
  }
}

/// Token-level preference pairs: one prompt, a preferred and a dispreferred answer.
public struct TokenPreference {
  public var prompt: [Int64], chosen: [Int64], rejected: [Int64]
  public init(prompt: [Int64], chosen: [Int64], rejected: [Int64]) {
    self.prompt = prompt
    self.chosen = chosen
    self.rejected = rejected
  }
}

/// Fits a reward model to preference pairs with the pairwise (Bradley–Terry) loss.
public final class RewardModelTrainer {
  public let model: RewardModel
  public let optimizer: Optimizer

  public init(model: RewardModel, lr: Float, weightDecay: Float = 0, maxGradNorm: Float? = 1) throws {
    self.model = model
    optimizer = try Optimizer(.adamw, params: model.parameters, lr: lr, weightDecay: weightDecay, maxGradNorm: maxGradNorm)
  }

  /// One update on a batch of pairs: (loss, accuracy) before the update.
  @discardableResult
  public func step(_ pairs: [TokenPreference]) throws -> (loss: Double, accuracy: Double) {
    let batch = try SequenceBatch(prompts: pairs.map(\.prompt) + pairs.map(\.prompt), responses: pairs.map(\.chosen) + pairs.map(\.rejected), padding: model.padding)
    try LanguageModel.checkFits(model.trunk, batch.lengths.map { $0 + 1 }, what: "answer")
    let r = try model.rawScores(batch)
    let n = pairs.count
    let margin = try r.picking([n], Array(0..<n), "chosen") - r.picking([n], Array(n..<(2 * n)), "rejected")
    let loss = -(try logSigmoid(margin).mean())
    try optimizer.step(loss: loss)
    return (Double(loss.data[0]), Double(margin.data.filter { $0 > 0 }.count) / Double(n))
  }

  /// Epochs of shuffled minibatches; the mean loss and accuracy of each epoch.
  public func fit(_ pairs: [TokenPreference], epochs: Int, batchSize: Int, generator: SeededGenerator,
                  progress: (Int, Double, Double) throws -> Void = { _, _, _ in }) throws -> [(loss: Double, accuracy: Double)] {
    guard !pairs.isEmpty else { throw CoreError("there are no preference pairs to train on") }
    guard batchSize > 0, epochs > 0 else { throw CoreError("epochs and batch must be positive") }
    model.setTraining(true)
    var history: [(loss: Double, accuracy: Double)] = []
    for epoch in 1...epochs {
      let order = generator.permutation(pairs.count)
      var loss = 0.0, accuracy = 0.0, batches = 0
      for start in stride(from: 0, to: order.count, by: batchSize) {
        let (l, a) = try step(order[start..<Swift.min(order.count, start + batchSize)].map { pairs[$0] })
        loss += l
        accuracy += a
        batches += 1
      }
      history.append((loss / Double(batches), accuracy / Double(batches)))
      try progress(epoch, loss / Double(batches), accuracy / Double(batches))
    }
    return history
  }

  /// The fraction of pairs whose chosen answer scores higher (ties count as wrong).
  public static func accuracy(_ model: RewardModel, _ pairs: [TokenPreference]) throws -> Double {
    guard !pairs.isEmpty else { throw CoreError("accuracy needs at least one pair") }
    let chosen = try model.scores(prompts: pairs.map(\.prompt), responses: pairs.map(\.chosen))
    let rejected = try model.scores(prompts: pairs.map(\.prompt), responses: pairs.map(\.rejected))
    return Double(zip(chosen, rejected).filter { $0 > $1 }.count) / Double(pairs.count)
  }
}
