import PavlovTensor

/// Next-token training of a GPT on (prompt, response) examples, the loss on response tokens
/// only: pretraining (the "prompt" is the one start token, so every later token counts) and
/// supervised fine-tuning on demonstrations (the prompt is context, not a target).
public final class LanguageModelTrainer {
  public let model: GPT
  public let optimizer: Optimizer
  public let padding: Int64

  /// AdamW over the model's trainable parameters (all of them, or only LoRA adapters).
  public init(model: GPT, lr: Float, weightDecay: Float = 0, maxGradNorm: Float? = 1, padding: Int64) throws {
    self.model = model
    self.padding = padding
    optimizer = try Optimizer(.adamw, params: model.parameters, lr: lr, weightDecay: weightDecay, maxGradNorm: maxGradNorm)
  }

  /// One update; returns the mean negative log-likelihood of the batch's response tokens.
  @discardableResult
  public func step(prompts: [[Int64]], responses: [[Int64]]) throws -> Double {
    let batch = try SequenceBatch(prompts: prompts, responses: responses, padding: padding)
    try LanguageModel.checkFits(model, batch.lengths, what: "example")
    let (flat, _, _) = try LanguageModel.responseLogProbs(model, batch)
    guard flat.count > 0 else { throw CoreError("the batch has no response tokens to learn") }
    let loss = try -(try flat.sum()) / Float(flat.count)
    try optimizer.step(loss: loss)
    return Double(loss.data[0])
  }

  /// Shuffled minibatch passes over the examples: `steps` updates (or whole `epochs` when
  /// steps is nil). `progress(step, loss)` follows every update. Returns the loss per update.
  public func fit(prompts: [[Int64]], responses: [[Int64]], epochs: Int = 1, steps: Int? = nil, batchSize: Int,
                  generator: SeededGenerator, progress: (Int, Double) throws -> Void = { _, _ in }) throws -> [Double] {
    guard prompts.count == responses.count, !prompts.isEmpty else { throw CoreError("there are no examples to train on") }
    guard batchSize > 0 else { throw CoreError("batch must be positive, got \(batchSize)") }
    try LanguageModel.checkFits(model, zip(prompts, responses).map { $0.count + $1.count }, what: "example")
    model.setTraining(true)
    let perEpoch = (prompts.count + batchSize - 1) / batchSize
    let total = steps ?? epochs * perEpoch
    var losses: [Double] = []
    losses.reserveCapacity(total)
    var order: [Int] = []
    while losses.count < total {
      if order.isEmpty { order = generator.permutation(prompts.count) }
      let picked = Array(order.prefix(batchSize))
      order.removeFirst(picked.count)
      let loss = try step(prompts: picked.map { prompts[$0] }, responses: picked.map { responses[$0] })
      losses.append(loss)
      try progress(losses.count, loss)
    }
    return losses
  }
}
