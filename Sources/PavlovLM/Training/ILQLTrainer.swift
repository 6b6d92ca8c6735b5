import PavlovRL
import PavlovTensor

/// One turn of a logged dialogue: what the model read (its prompt, encoded as `sft` encodes
/// one), what it answered, and the reward the environment paid for the answer.
public struct DialogueTurn: Sendable {
  public var prompt: [Int64], response: [Int64]
  public var reward: Double
  public init(prompt: [Int64], response: [Int64], reward: Double) {
    self.prompt = prompt
    self.response = response
    self.reward = reward
  }
}

/// The heads ILQL puts on a GPT's final hidden states: two token-level Q heads (d → vocab), a
/// V head (d → 1), and the Q heads' Polyak-averaged targets. Each head is a small MLP, as trlx's.
public final class ILQLHeads: Module {
  public let q1: Sequential, q2: Sequential, v: Sequential
  public let target1: Sequential, target2: Sequential

  public init(dim: Int, vocab: Int, generator: SeededGenerator) throws {
    func head(_ out: Int) throws -> Sequential {
      try Sequential.mlp([dim, 2 * dim, out], activation: .relu, outputInitialization: .normal(std: 0.01), generator: generator)
    }
    (q1, q2, v) = (try head(vocab), try head(vocab), try head(1))
    (target1, target2) = (try q1.typedCopy(), try q2.typedCopy())
    super.init(kind: "ilql_heads")
    for (name, m) in [("q1", q1), ("q2", q2), ("v", v), ("target1", target1), ("target2", target2)] { addChild(name, m) }
    target1.setFrozen(true)
    target2.setFrozen(true)
  }

  /// min(Q̂₁, Q̂₂) of the target heads for hidden states (N, d): (N, vocab), no graph.
  public func targetQ(_ h: Tensor) throws -> Tensor {
    try Autograd.noGrad { try Tensor.minimum(try target1.forward(h), try target2.forward(h)) }
  }
}

/// Implicit language Q-learning (Snell et al., 2022) for multi-turn dialogues, on the GPT core.
/// Every response token a is an action in the state s of the text before it; with h the GPT's
/// hidden state there (shared by every head and the language model):
///
///     Q:    Σₖ mean((Qₖ(s, a) − y)²),   y = V(s⁺)  inside a response,
///                                       y = r + γ·V(s′)  at its last token (0 after the last turn)
///     V:    mean(|τ − 1(u < 0)| · u²),   u = min(Q̂₁, Q̂₂)(s, a) − V(s)   (expectile, as IQL)
///     CQL:  α · Σₖ mean(logsumexp Qₖ(s, ·) − Qₖ(s, a))
///     BC:   −mean(log π_β(a | s))   (the language model on the logged responses)
///
/// s⁺ is the state after a, s′ the state at the end of the next turn's prompt, and V(s⁺), V(s′)
/// carry no gradient. With `targets: .mc` y is the logged Monte-Carlo return instead
/// (LMRL-Gym's MC Returns baseline: a value head on the returns, perturbing the BC logits). Decoding samples from log π_β(a|s) + β·(Q̂(s, a) − V(s)): the logged
/// behaviour, tilted toward tokens with a high advantage.
public final class ILQLTrainer {
  public struct Stats: Sendable {
    public var step = 0
    public var loss = 0.0, qLoss = 0.0, vLoss = 0.0, cqlLoss = 0.0, bcLoss = 0.0
    /// Mean Q of the logged tokens and mean V over the batch's states.
    public var meanQ = 0.0, meanV = 0.0
  }

  public let model: GPT
  public let heads: ILQLHeads
  public let config: ILQLConfig
  public let padding: Int64
  public let turns: [DialogueTurn]
  /// The index of the turn after each turn in its dialogue (nil after the last).
  let next: [Int?]
  /// The discounted return of each turn's dialogue from that turn on (the Monte-Carlo target).
  let returns: [Double]
  let optimizer: Optimizer
  public private(set) var history: [Stats] = []
  /// The turns left in the current shuffled pass (a pass continues across calls to `fit`).
  private var order: [Int] = []

  /// `dialogues`: each a list of turns in order; the last turn ends its episode.
  public init(model: GPT, dialogues: [[DialogueTurn]], config: ILQLConfig, padding: Int64, generator: SeededGenerator) throws {
    if let problem = config.problem() { throw CoreError("ilql: \(problem)") }
    var turns: [DialogueTurn] = [], next: [Int?] = []
    for (d, dialogue) in dialogues.enumerated() {
      for (k, turn) in dialogue.enumerated() {
        let at = "ilql: dialogues[\(d)][\(k)]", length = turn.prompt.count + turn.response.count
        if turn.prompt.isEmpty || turn.response.isEmpty { throw CoreError("\(at) has an empty prompt or response") }
        if !turn.reward.isFinite { throw CoreError("\(at)'s reward is \(turn.reward)") }
        if !LanguageModel.fits(model, length) {
          throw CoreError("\(at) is \(length) tokens, more than the model's context of \(model.context) allows",
                          hint: "use a model with a larger ctx, or show fewer past turns in the prompt")
        }
        turns.append(turn)
        next.append(k + 1 < dialogue.count ? turns.count : nil)
      }
    }
    guard !turns.isEmpty else { throw CoreError("ilql: there are no turns to learn from") }
    var returns = [Double](repeating: 0, count: turns.count)
    for i in turns.indices.reversed() { returns[i] = turns[i].reward + config.gamma * (next[i].map { returns[$0] } ?? 0) }
    self.model = model
    self.config = config
    self.padding = padding
    self.turns = turns
    self.next = next
    self.returns = returns
    heads = try ILQLHeads(dim: model.dim, vocab: model.vocab, generator: generator)
    optimizer = try Optimizer(.adam, params: model.parameters + heads.parameters, lr: config.lr, maxGradNorm: config.maxGradNorm)
  }

  /// The four losses on the turns at `indices` (with a graph), their weighted sum, and the
  /// batch's statistics.
  public func losses(_ indices: [Int]) throws -> (total: Tensor, stats: Stats) {
    let batch = try SequenceBatch(prompts: indices.map { turns[$0].prompt }, responses: indices.map { turns[$0].response }, padding: padding)
    let positions = batch.responsePositions()
    let flat = positions.flatMap { $0 }
    let n = flat.count
    let targetIDs = batch.targets().ints
    let tokens = Tensor(shape: [n], ints: flat.map { targetIDs[$0] })
    let logged = try tokens.reshaped([n, 1])
    let h = LanguageModel.states(try batch.features(model), at: flat, "ilql_states")

    let v = try heads.v.forward(h).reshaped([n])
    let chosenTarget = try heads.targetQ(h.detached()).gather(axis: 1, index: logged).reshaped([n])
    // Bellman targets: the next token's V inside a response, the reward and the next turn's V
    // at its end; or every token's Monte-Carlo return.
    let nextValues = config.targets == .td ? try promptEndValues(indices.map { next[$0] }) : []
    var goals = [Float](repeating: 0, count: n)
    var k = 0
    for (row, turn) in indices.enumerated() {
      let count = positions[row].count
      for j in 0..<count {
        switch config.targets {
        case .mc: goals[k + j] = Float(returns[turn])
        case .td where j + 1 < count: goals[k + j] = v.data[k + j + 1]
        case .td: goals[k + j] = Float(turns[turn].reward + config.gamma * (nextValues[row] ?? 0))
        }
      }
      k += count
    }
    let goal = Tensor(shape: [n], data: goals)
    var qLoss = Tensor(shape: [], data: [0]), cqlLoss = Tensor(shape: [], data: [0])
    var meanQ = 0.0
    for q in [heads.q1, heads.q2] {
      let all = try q.forward(h)
      let chosen = try all.gather(axis: 1, index: logged).reshaped([n])
      qLoss = try qLoss + (try Tensor.mseLoss(chosen, goal))
      cqlLoss = try cqlLoss - (try Tensor.tokenLogProbs(all, tokens).mean())
      meanQ += chosen.data.reduce(0.0) { $0 + Double($1) } / Double(2 * n)
    }
    let vLoss = try Expectile.loss(try chosenTarget - v, tau: config.expectile)
    let bcLoss = -(try Tensor.tokenLogProbs(try model.logits(fromFeatures: h), tokens).mean())
    let total = try qLoss + vLoss + (try cqlLoss * Float(config.cqlWeight)) + (try bcLoss * Float(config.bcWeight))
    var s = Stats()
    (s.loss, s.qLoss, s.vLoss) = (Double(total.data[0]), Double(qLoss.data[0]), Double(vLoss.data[0]))
    (s.cqlLoss, s.bcLoss, s.meanQ) = (Double(cqlLoss.data[0]), Double(bcLoss.data[0]), meanQ)
    s.meanV = v.data.reduce(0.0) { $0 + Double($1) } / Double(n)
    return (total, s)
  }

  /// V at the last prompt token of each given turn (the state its first response token is
  /// chosen in), without a graph; nil where there is no turn.
  func promptEndValues(_ indices: [Int?]) throws -> [Double?] {
    let values = try stateValues(indices.compactMap { $0 }.map { turns[$0].prompt })
    var k = 0
    return indices.map { i in
      guard i != nil else { return nil }
      defer { k += 1 }
      return values[k]
    }
  }

  /// One update on the turns at `indices`; returns its statistics.
  @discardableResult
  public func step(_ indices: [Int]) throws -> Stats {
    model.setTraining(true)
    let (loss, first) = try losses(indices)
    var stats = first
    guard stats.loss.isFinite else {
      throw CoreError("ilql: the loss is \(stats.loss) at step \(history.count + 1)", hint: "lower lr, or scale the rewards down")
    }
    try optimizer.step(loss: loss)
    SoftUpdate.blend(heads.target1, toward: heads.q1, tau: Float(config.targetTau))
    SoftUpdate.blend(heads.target2, toward: heads.q2, tau: Float(config.targetTau))
    stats.step = history.count + 1
    history.append(stats)
    return stats
  }

  /// `steps` updates on shuffled minibatches of turns; `progress` follows each.
  public func fit(steps: Int, generator: SeededGenerator, progress: (Stats) throws -> Void = { _ in }) throws -> [Stats] {
    var out: [Stats] = []
    for _ in 0..<steps {
      if order.isEmpty { order = generator.permutation(turns.count) }
      let picked = Array(order.prefix(config.batchSize))
      order.removeFirst(picked.count)
      let s = try step(picked)
      out.append(s)
      try progress(s)
    }
    return out
  }

  /// Answers sampled from log π_β(a|s) + β·(Q̂(s, a) − V(s)).
  public func generate(_ prompts: [[Int64]], beta: Double, maxTokens: Int, temperature: Float, topK: Int? = nil, topP: Float? = nil,
                       stop: Set<Int64>, generator: SeededGenerator) throws -> [[Int64]] {
    model.setTraining(false)
    return try Autograd.noGrad {
      try model.generate(prompts, maxTokens: maxTokens, temperature: temperature, topK: topK, topP: topP, stop: stop, generator: generator,
                         adjust: logitAdjustment(beta: beta))
    }
  }

  /// Decoding's logits for `GPT.generate`: log π_β(a|s) + β·(Q̂(s, a) − V(s)) from the final
  /// hidden states (the V term shifts every token of a row alike: it changes only their level).
  /// Call with the model in evaluation mode (no dropout).
  public func logitAdjustment(beta: Double) -> GPT.LogitAdjustment {
    let vocab = model.vocab, b = Float(beta), heads = self.heads
    heads.setTraining(false)
    return { h, logits in
      let q = try heads.targetQ(h), v = try heads.v.forward(h)
      let logPi = try Tensor(shape: [logits.count, vocab], data: logits.flatMap { $0 }).logSoftmax(axis: -1)
      for row in logits.indices {
        for a in 0..<vocab { logits[row][a] = logPi.data[row * vocab + a] + b * (q.data[row * vocab + a] - v.data[row]) }
      }
    }
  }

  /// V(s) at the end of each prompt (encoded ids, each 1 to ctx tokens): what the critic
  /// expects the dialogue to return from there.
  public func values(prompts: [[Int64]]) throws -> [Double] {
    guard !prompts.isEmpty else { return [] }
    if let (i, p) = prompts.enumerated().first(where: { $0.element.isEmpty || $0.element.count > model.context }) {
      throw CoreError("ilql: prompt \(i + 1) is \(p.count) tokens; a state is 1 to \(model.context) tokens (the model's context)")
    }
    model.setTraining(false)
    return try stateValues(prompts)
  }

  /// V at the end of each prompt (each fits the context), in whatever mode the model is in.
  func stateValues(_ prompts: [[Int64]]) throws -> [Double] {
    guard !prompts.isEmpty else { return [] }
    let width = prompts.map(\.count).max() ?? 1
    return try Autograd.noGrad { () throws -> [Double] in
      let ids = Tensor(shape: [prompts.count, width], ints: prompts.flatMap { $0 + [Int64](repeating: padding, count: width - $0.count) })
      let last = prompts.indices.map { b in b * width + prompts[b].count - 1 }
      return try heads.v.forward(LanguageModel.states(try model.features(ids, lengths: prompts.map(\.count)), at: last, "ilql_state")).data.map(Double.init)
    }
  }
}
