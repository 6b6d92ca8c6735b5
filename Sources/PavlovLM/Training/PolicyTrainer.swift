import Dispatch
import Glibc
import PavlovRL
import PavlovTensor

/// RLHF's third step: a language-model policy learns from a reward on its own answers, kept
/// near a frozen reference by a KL penalty. One class runs PPO (value head, GAE, KL in the
/// per-token reward), GRPO and RLOO (several answers per prompt, no critic); they share the
/// rollout (generate, score, reference pass) and the clipped update.
public final class PolicyTrainer {
  /// Scores answers: (prompts, answers) token ids → one number each, higher is better.
  public typealias Reward = (_ prompts: [[Int64]], _ answers: [[Int64]]) throws -> [Double]

  /// The frozen model the KL is measured against.
  public enum Reference {
    /// A separate frozen copy (usually of the SFT model).
    case model(GPT)
    /// The policy itself with its LoRA adapters switched off: no second copy in memory.
    case adaptersOff
  }

  public let policy: GPT
  public let valueHead: Linear?
  /// A separate value model's trunk (InstructGPT starts it from the reward model); nil: the
  /// value head reads the policy's own hidden states (a shared trunk, as TRL's value head).
  public let critic: GPT?
  public let reference: Reference
  public private(set) var config: PolicyConfig
  public let optimizer: Optimizer
  public let endOfText: Int64
  public private(set) var history: [PolicyStats] = []
  let reward: Reward
  let prompts: [[Int64]]
  let generator: SeededGenerator
  private var promptOrder: [Int] = []

  /// `critic`: a value model (trunk and head, trained here) for PPO instead of a head on the policy.
  public init(policy: GPT, reference: Reference, reward: @escaping Reward, prompts: [[Int64]], endOfText: Int64,
              config: PolicyConfig, critic: (trunk: GPT, head: Linear)? = nil, generator: SeededGenerator) throws {
    if let problem = config.problem() { throw CoreError("\(config.label): \(problem)") }
    guard !prompts.isEmpty, prompts.allSatisfy({ !$0.isEmpty }) else { throw CoreError("\(config.label): there are no prompts to answer") }
    if let (i, p) = prompts.enumerated().first(where: { $0.element.count + config.maxTokens > policy.context }) {
      throw CoreError("\(config.label): prompt \(i + 1) (\(p.count) tokens) plus max_tokens \(config.maxTokens) exceeds the model's context of \(policy.context)",
                        hint: "lower max_tokens or use a model with a larger ctx")
    }
    if case .model(let ref) = reference, ref.vocab != policy.vocab || ref.context != policy.context {
      throw CoreError("\(config.label): the reference (\(ref.summary)) does not match the policy (\(policy.summary))")
    }
    if case .adaptersOff = reference, !policy.hasAdapters {
      throw CoreError("\(config.label): the policy has no LoRA adapters to switch off for the reference", hint: "pass ref: a frozen copy of the model, or add lora(...) to the policy")
    }
    self.policy = policy
    self.reference = reference
    self.reward = reward
    self.prompts = prompts
    self.endOfText = endOfText
    self.config = config
    self.generator = generator
    if let critic, critic.trunk.context < policy.context || critic.head.inputs != critic.trunk.dim {
      throw CoreError("\(config.label): the critic (\(critic.trunk.summary)) must read sequences as long as the policy's")
    }
    self.critic = config.algorithm == .ppo ? critic?.trunk : nil
    valueHead = config.algorithm == .ppo ? (critic?.head ?? Linear(policy.dim, 1, initialization: .normal(std: 0), generator: generator)) : nil
    optimizer = try Optimizer(.adam, params: policy.parameters + (self.critic?.parameters ?? []) + (valueHead?.parameters ?? []),
                              lr: config.lr, maxGradNorm: config.maxGradNorm)
  }

  /// β now (it moves when the config has a KL target).
  public var klCoef: Double { config.klCoef }

  /// One rollout and update; returns (and keeps) its statistics.
  @discardableResult
  public func iterate() throws -> PolicyStats {
    // 1. Generate: each chosen prompt answered groupSize times.
    var start = clock()
    var rows: [[Int64]] = []
    for _ in 0..<config.prompts {
      if promptOrder.isEmpty { promptOrder = generator.permutation(prompts.count) }
      let p = prompts[promptOrder.removeFirst()]
      rows += [[Int64]](repeating: p, count: config.groupSize)
    }
    let answers = try generate(rows)
    let generateSeconds = clock() - start
    // 2. Score with the reward.
    start = clock()
    let scores = try reward(rows, answers)
    return try step(queries: rows, responses: answers, scores: scores, generateSeconds: generateSeconds, scoringStarted: start)
  }

  /// Answers for `queries` (one per row), sampled as rollouts are: the config's temperature,
  /// top-k/top-p and stop token, the trainer's generator.
  public func generate(_ queries: [[Int64]]) throws -> [[Int64]] {
    policy.setTraining(false)
    return try policy.generate(queries, maxTokens: config.maxTokens, temperature: config.temperature, topK: config.topK,
                               topP: config.topP, stop: config.stopAtEndOfText ? [endOfText] : [], generator: generator)
  }

  /// One update from answers scored elsewhere (TRL's `step(queries, responses, rewards)`):
  /// the reference pass, the KL penalty, advantages and the clipped epochs; returns (and keeps)
  /// the statistics. GRPO and RLOO compare answers in consecutive groups of `groupSize`.
  @discardableResult
  public func step(queries rows: [[Int64]], responses answers: [[Int64]], scores given: [Double]) throws -> PolicyStats {
    try step(queries: rows, responses: answers, scores: given, generateSeconds: 0, scoringStarted: clock())
  }

  private func clock() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

  private func step(queries rows: [[Int64]], responses answers: [[Int64]], scores given: [Double], generateSeconds: Double,
                    scoringStarted: Double) throws -> PolicyStats {
    var stats = PolicyStats()
    stats.iteration = history.count + 1
    stats.klEstimator = config.klEstimator
    stats.klCoef = config.klCoef
    stats.generateSeconds = generateSeconds
    var start = scoringStarted
    guard !rows.isEmpty, answers.count == rows.count, rows.count % config.groupSize == 0 else {
      throw CoreError("\(config.label): step needs one response per query, in groups of \(config.groupSize), got \(rows.count) queries and \(answers.count) responses")
    }
    for (i, (query, answer)) in zip(rows, answers).enumerated() where query.isEmpty || query.count + answer.count > policy.context {
      throw CoreError("\(config.label): query \(i + 1) (\(query.count) tokens) and its response (\(answer.count)) do not fit the model's context of \(policy.context)",
                      hint: query.isEmpty ? "a query needs at least one token" : "shorten the response or the query")
    }
    var scores = given
    guard scores.count == rows.count, scores.allSatisfy(\.isFinite) else {
      throw CoreError("\(config.label): the reward gave \(scores.count) scores for \(rows.count) answers, or a score that is not finite")
    }
    let ended = answers.map { $0.last == endOfText }
    if let penalty = config.missingEOSPenalty { for i in scores.indices where !ended[i] { scores[i] += penalty } }
    let rollout = try Autograd.noGrad { try score(rows, answers) }
    stats.scoreSeconds = clock() - start

    // 3. Advantages.
    start = clock()
    let n = rows.count
    var kl = [[Double]](), klSums = [Double]()
    for i in 0..<n {
      let perToken = zip(rollout.logProbs[i], rollout.refLogProbs[i]).map { config.klEstimator.value(logProb: Double($0), refLogProb: Double($1)) }
      kl.append(perToken)
      klSums.append(perToken.reduce(0, +))
    }
    let (advantages, returns) = advantagesAndReturns(scores: scores, kl: kl, klSums: klSums, values: rollout.values)

    // 4. Update: epochs of minibatches of answers.
    policy.setTraining(true)
    var clipped = 0.0, approxKL = 0.0, valueError = 0.0, lossSum = 0.0, tokens = 0.0, updates = 0.0
    for _ in 0..<config.epochs {
      let order = generator.permutation(n)
      for s in stride(from: 0, to: n, by: config.minibatch) {
        let picked = Array(order[s..<Swift.min(n, s + config.minibatch)])
        let m = try updateStep(picked, rows: rows, answers: answers, rollout: rollout, advantages: advantages, returns: returns)
        clipped += m.clipped
        approxKL += m.approxKL
        valueError += m.valueError
        tokens += m.tokens
        lossSum += m.loss
        updates += 1
      }
    }
    stats.updateSeconds = clock() - start

    // 5. Statistics, and the adaptive KL coefficient.
    let tokenCount = Double(answers.reduce(0) { $0 + $1.count })
    stats.score = scores.reduce(0, +) / Double(n)
    stats.kl = klSums.reduce(0, +) / Double(n)
    stats.reward = stats.score - config.klCoef * stats.kl
    var ratioSum = 0.0
    for i in 0..<n { for (a, b) in zip(rollout.logProbs[i], rollout.refLogProbs[i]) { ratioSum += PortableMath.exp(Double(a - b)) } }
    stats.refRatio = ratioSum / Swift.max(tokenCount, 1)
    stats.entropy = rollout.entropy
    stats.clipFraction = clipped / Swift.max(tokens, 1)
    stats.approxKL = approxKL / Swift.max(tokens, 1)
    stats.valueError = valueError / Swift.max(tokens, 1)
    stats.loss = lossSum / Swift.max(updates, 1)
    stats.length = tokenCount / Double(n)
    stats.endRate = Double(ended.filter { $0 }.count) / Double(n)
    let total = stats.generateSeconds + stats.scoreSeconds + stats.updateSeconds
    stats.tokensPerSecond = tokenCount / Swift.max(total, 1e-9)
    (stats.memoryMB, stats.peakMemoryMB) = MemoryReport.residentMB()
    stats.samples = (0..<Swift.min(config.samples, n)).map { (rows[$0 * n / Swift.max(config.samples, 1)], answers[$0 * n / Swift.max(config.samples, 1)], scores[$0 * n / Swift.max(config.samples, 1)]) }
    var controller = KLController(value: config.klCoef, target: config.targetKL, horizon: config.klHorizon)
    controller.update(kl: stats.kl, count: n)
    config.klCoef = controller.value
    history.append(stats)
    return stats
  }

  /// The rollout's per-answer token numbers (answer tokens only, in order).
  struct Rollout {
    var logProbs: [[Float]], refLogProbs: [[Float]], values: [[Float]]
    var entropy: Double
  }

  func score(_ rows: [[Int64]], _ answers: [[Int64]]) throws -> Rollout {
    var out = Rollout(logProbs: [], refLogProbs: [], values: [], entropy: 0)
    var entropySum = 0.0, entropyCount = 0.0
    for batch in try SequenceBatch.chunked(prompts: rows, responses: answers, padding: endOfText, size: 64) {
      let positions = batch.responsePositions()
      let features = try batch.features(policy)
      let logits = try policy.logits(fromFeatures: features)
      let logProbs = try Tensor.tokenLogProbs(logits, batch.targets())
      let entropies = Tensor.tokenEntropies(logits)
      let values = try valueHead.map { try $0.forward(try critic.map { try batch.features($0) } ?? features) }
      let ref: Tensor
      switch reference {
      case .model(let model):
        ref = try LanguageModel.tokenLogProbs(model, batch).logProbs
      case .adaptersOff:
        policy.setAdapters(false)
        defer { policy.setAdapters(true) }
        ref = try LanguageModel.tokenLogProbs(policy, batch).logProbs
      }
      for p in positions {
        out.logProbs.append(p.map { logProbs.data[$0] })
        out.refLogProbs.append(p.map { ref.data[$0] })
        out.values.append(values.map { v in p.map { v.data[$0] } } ?? [])
        for k in p { entropySum += Double(entropies.data[k]) }
        entropyCount += Double(p.count)
      }
    }
    out.entropy = entropySum / Swift.max(entropyCount, 1)
    return out
  }

  /// Per-token advantages and (PPO) value targets, per answer.
  func advantagesAndReturns(scores: [Double], kl: [[Double]], klSums: [Double], values: [[Float]]) -> (advantages: [[Float]], returns: [[Float]]) {
    let n = scores.count, g = config.groupSize, beta = config.klCoef
    switch config.algorithm {
    case .ppo:
      var advantages = [[Float]](), returns = [[Float]]()
      for i in 0..<n {
        // Each answer is one episode: the KL penalty on every token, the score on the last,
        // nothing after it.
        let T = kl[i].count
        var rewards = kl[i].map { -beta * $0 }
        if T > 0 { rewards[T - 1] += scores[i] }
        let a = GAE.compute(rewards: rewards, values: values[i], terminated: (0..<T).map { $0 == T - 1 },
                            truncated: [Bool](repeating: false, count: T), truncationValues: [], lastValues: [0],
                            steps: T, copies: 1, gamma: config.gamma, lambda: config.lambda).advantages
        advantages.append(a)
        // Targets summed in Float (GAE's own returns add in Double): the published RLHF figures
        // and golden bits were made this way.
        returns.append(zip(a, values[i]).map { $0 + $1 })
      }
      if config.whitenAdvantages {
        let whitened = PPOLoss.normalized(advantages.flatMap { $0 })
        var start = 0
        advantages = advantages.map { a in
          defer { start += a.count }
          return Array(whitened[start..<(start + a.count)])
        }
      }
      return (advantages, returns)
    case .grpo, .rloo:
      // RLOO's reward carries the KL; GRPO's loss does.
      let total = config.algorithm == .rloo ? zip(scores, klSums).map { $0 - beta * $1 } : scores
      var perAnswer = [Double](repeating: 0, count: n)
      for start in stride(from: 0, to: n, by: g) {
        let group = Array(total[start..<(start + g)])
        let mean = group.reduce(0, +) / Double(g)
        if config.algorithm == .grpo {
          let std = (group.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(g - 1)).squareRoot()
          for k in 0..<g { perAnswer[start + k] = (group[k] - mean) / (std + 1e-4) }
        } else {
          for k in 0..<g { perAnswer[start + k] = (group[k] * Double(g) - group.reduce(0, +)) / Double(g - 1) }
        }
      }
      return ((0..<n).map { [Float](repeating: Float(perAnswer[$0]), count: kl[$0].count) }, [])
    }
  }

  /// One clipped-surrogate update on the answers `picked`.
  private func updateStep(_ picked: [Int], rows: [[Int64]], answers: [[Int64]], rollout: Rollout, advantages: [[Float]],
                          returns: [[Float]]) throws -> (clipped: Double, approxKL: Double, valueError: Double, tokens: Double, loss: Double) {
    let batch = try SequenceBatch(prompts: picked.map { rows[$0] }, responses: picked.map { answers[$0] }, padding: endOfText)
    let (newLogProbs, positions, features) = try LanguageModel.responseLogProbs(policy, batch)
    let count = newLogProbs.count
    guard count > 0 else { return (0, 0, 0, 0, 0) }
    let old = Tensor(shape: [count], data: picked.flatMap { rollout.logProbs[$0] })
    let advantage = Tensor(shape: [count], data: picked.flatMap { advantages[$0] })
    let ratio = try PPOObjective.ratio(logProbs: newLogProbs, oldLogProbs: old)
    var loss = try PPOObjective.clippedSurrogate(ratio: ratio, advantage: advantage, clip: config.clip)
    var valueError = 0.0
    if let head = valueHead {
      let flat = positions.flatMap { $0 }
      let values = try head.forward(try critic.map { try batch.features($0) } ?? features).flattened().picking([count], flat, "values")
      let oldValues = Tensor(shape: [count], data: picked.flatMap { rollout.values[$0] })
      let target = Tensor(shape: [count], data: picked.flatMap { returns[$0] })
      let valueLoss = try PPOObjective.pessimisticValueLoss(values, old: oldValues, returns: target, clip: config.clipValue)
      loss = try loss + valueLoss * Float(0.5 * config.vfCoef)
      for k in 0..<count { valueError += Double((values.data[k] - target.data[k]) * (values.data[k] - target.data[k])) }
    }
    if config.algorithm == .grpo && config.klCoef > 0 {
      // k3 with its gradient, averaged over tokens.
      let ref = Tensor(shape: [count], data: picked.flatMap { rollout.refLogProbs[$0] })
      loss = try loss + (try KLEstimator.k3(logRatio: try ref - newLogProbs).mean()) * Float(config.klCoef)
    }
    try optimizer.step(loss: loss)
    let (approxKL, clipped) = PPOObjective.diagnostics(ratio: ratio, logProbs: newLogProbs, oldLogProbs: old.data, clip: config.clip)
    return (Double(clipped), approxKL, valueError, Double(count), Double(loss.data[0]))
  }
}
