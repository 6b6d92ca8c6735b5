import PavlovTensor

/// Direct preference optimization (Rafailov et al., 2023): the policy learns straight from
/// preference pairs, no reward model, no sampling. With implicit rewards
/// r(x, y) = β (log π(y|x) − log π_ref(y|x)) the loss is −log σ(r(x, y_chosen) − r(x, y_rejected)).
/// The reference's log-probabilities are computed once, before training.
public final class DPOTrainer {
  public struct Stats: Sendable {
    public var epoch = 0
    public var loss = 0.0
    /// The fraction of pairs whose implicit reward prefers the chosen answer.
    public var accuracy = 0.0
    /// Mean Σ log π of the chosen and rejected answers, and the mean implicit reward margin.
    public var chosenLogProb = 0.0, rejectedLogProb = 0.0, margin = 0.0
    public var chosenReward = 0.0, rejectedReward = 0.0
  }

  public let policy: GPT
  public let pairs: [TokenPreference]
  public let beta: Double
  public let optimizer: Optimizer
  public let padding: Int64
  public private(set) var history: [Stats] = []
  let refChosen: [Double], refRejected: [Double]

  /// `reference` nil: the policy with its LoRA adapters off (or, without adapters, the policy as
  /// it is now — the usual case, DPO starting from the SFT model).
  public init(policy: GPT, reference: GPT?, pairs: [TokenPreference], beta: Double, lr: Float, maxGradNorm: Float? = 1, padding: Int64) throws {
    guard !pairs.isEmpty else { throw CoreError("dpo: there are no preference pairs") }
    guard beta > 0 else { throw CoreError("dpo: beta must be positive, got \(beta)") }
    try LanguageModel.checkFits(policy, pairs.map { $0.prompt.count + Swift.max($0.chosen.count, $0.rejected.count) }, what: "pair")
    self.policy = policy
    self.pairs = pairs
    self.beta = beta
    self.padding = padding
    optimizer = try Optimizer(.adam, params: policy.parameters, lr: lr, maxGradNorm: maxGradNorm)
    let ref = reference ?? policy
    let adapters = reference == nil
    if adapters { policy.setAdapters(false) }
    defer { if adapters { policy.setAdapters(true) } }
    refChosen = try LanguageModel.sequenceLogProbs(ref, prompts: pairs.map(\.prompt), responses: pairs.map(\.chosen), padding: padding)
    refRejected = try LanguageModel.sequenceLogProbs(ref, prompts: pairs.map(\.prompt), responses: pairs.map(\.rejected), padding: padding)
  }

  /// One update on the pairs at `indices`; returns its statistics.
  @discardableResult
  public func step(_ indices: [Int]) throws -> Stats {
    let n = indices.count
    let batch = try SequenceBatch(prompts: indices.map { pairs[$0].prompt } + indices.map { pairs[$0].prompt },
                                  responses: indices.map { pairs[$0].chosen } + indices.map { pairs[$0].rejected }, padding: padding)
    let (all, _) = try LanguageModel.tokenLogProbs(policy, batch)
    // Σ over each row's answer tokens, as a (2n) vector with a graph: a 0/1 mask times the
    // per-token log-probs, summed along time.
    let sums = try (all * batch.responseMask()).sum(axis: 1)
    let chosen = try sums.picking([n], Array(0..<n), "chosen"), rejected = try sums.picking([n], Array(n..<(2 * n)), "rejected")
    let refC = Tensor(shape: [n], data: indices.map { Float(refChosen[$0]) }), refR = Tensor(shape: [n], data: indices.map { Float(refRejected[$0]) })
    let chosenReward = try (chosen - refC) * Float(beta), rejectedReward = try (rejected - refR) * Float(beta)
    let margin = try chosenReward - rejectedReward
    let loss = -(try logSigmoid(margin).mean())
    try optimizer.step(loss: loss)
    var s = Stats()
    s.loss = Double(loss.data[0])
    s.accuracy = Double(margin.data.filter { $0 > 0 }.count) / Double(n)
    s.chosenLogProb = chosen.data.reduce(0.0) { $0 + Double($1) } / Double(n)
    s.rejectedLogProb = rejected.data.reduce(0.0) { $0 + Double($1) } / Double(n)
    s.margin = margin.data.reduce(0.0) { $0 + Double($1) } / Double(n)
    s.chosenReward = chosenReward.data.reduce(0.0) { $0 + Double($1) } / Double(n)
    s.rejectedReward = rejectedReward.data.reduce(0.0) { $0 + Double($1) } / Double(n)
    return s
  }

  /// Epochs of shuffled minibatches; each epoch's mean statistics.
  public func fit(epochs: Int, batchSize: Int, generator: SeededGenerator, progress: (Stats) throws -> Void = { _ in }) throws -> [Stats] {
    guard epochs > 0, batchSize > 0 else { throw CoreError("dpo: epochs and batch must be positive") }
    policy.setTraining(true)
    for _ in 0..<epochs {
      let order = generator.permutation(pairs.count)
      var mean = Stats(), batches = 0.0
      for s in stride(from: 0, to: order.count, by: batchSize) {
        let b = try step(Array(order[s..<Swift.min(order.count, s + batchSize)]))
        mean.loss += b.loss; mean.accuracy += b.accuracy; mean.margin += b.margin
        mean.chosenLogProb += b.chosenLogProb; mean.rejectedLogProb += b.rejectedLogProb
        mean.chosenReward += b.chosenReward; mean.rejectedReward += b.rejectedReward
        batches += 1
      }
      mean.epoch = history.count + 1
      mean.loss /= batches; mean.accuracy /= batches; mean.margin /= batches
      mean.chosenLogProb /= batches; mean.rejectedLogProb /= batches
      mean.chosenReward /= batches; mean.rejectedReward /= batches
      history.append(mean)
      try progress(mean)
    }
    return history
  }
}
