import CPavlovSupport
import PavlovLM
import PavlovRL
import PavlovLang
import PavlovTensor

/// `ppo_lm`, `grpo` and `rloo`: RLHF policy trainers on a gpt model. Each returns a trainer
/// whose `.train(iterations: n)` prints and returns per-iteration statistics.
enum PolicyBindings {
  static func register(_ r: Registry) {
    for algorithm in LMAlgorithm.allCases {
      let name = builtinName(algorithm)
      let params = parameters(algorithm)
      let doc: String
      switch algorithm {
      case .ppo: doc = "PPO on a language model (InstructGPT's step 3): value head, GAE, per-token KL penalty to a frozen reference; call .train(iterations: n)."
      case .grpo: doc = "GRPO: several answers per prompt, advantages normalized within each group, no critic, KL (k3) in the loss; call .train(iterations: n)."
      case .rloo: doc = "RLOO: several answers per prompt, a leave-one-out baseline, no critic, KL in the reward; call .train(iterations: n)."
      }
      r.function(name, params, doc: doc) { args in try make(algorithm, name, params, args) }
    }
  }

  /// The builtin training with `algorithm` (`ppo` is taken by the env trainer).
  static func builtinName(_ algorithm: LMAlgorithm) -> String { algorithm == .ppo ? "ppo_lm" : algorithm.rawValue }
  static var builtinNames: [String] { LMAlgorithm.allCases.map(builtinName) }

  static let inputs: [Param] = [
    Param("model", doc: "the policy: a gpt model (usually the SFT model, or it with lora(...)); trained in place"),
    Param("tokenizer", doc: "the tokenizer the model reads"),
    Param("prompts", doc: "the prompt strings to answer during training"),
    Param("reward", doc: "a reward model, a function (prompt, text) => number, or [[reward, weight], ...]"),
    Param("ref", default: .null, doc: "the frozen reference (nil: a frozen copy of the model now, or the model with LoRA adapters off)"),
  ]

  /// The options of `algorithm`'s builtin, their defaults from `PolicyConfig.defaults(for:)`.
  static func options(_ algorithm: LMAlgorithm) -> [ConfigOption<PolicyConfig>] {
    var options: [ConfigOption<PolicyConfig>] = [
      .number("kl", \.klCoef, "β, the weight of the KL to the reference", .nonNegative),
      .choice("kl_estimator", \.klEstimator, "\"k1\" (log π − log π_ref), \"k2\" ((log r)²/2) or \"k3\" ((r − 1) − log r), for the penalty and the reported KL"),
      .optionalNumber("target_kl", \.targetKL, "with a target, β adapts so the per-answer KL tracks it (Ziegler et al.)", .positive),
      .number("kl_horizon", \.klHorizon, "the adaptive controller's horizon in answers", .positive),
      .int("batch", \.prompts, "prompts per iteration", .count),
    ]
    if algorithm != .ppo { options.append(.int("group", \.groupSize, "answers per prompt", .atLeast(2))) }
    options += [
      .int("max_tokens", \.maxTokens, "tokens per answer at most (answers end at the end-of-text token)", .count),
      .float("temperature", \.temperature, "the sampling temperature of rollouts", .nonNegative),
      .bool("stop_at_eos", \.stopAtEndOfText, "false: every answer runs to max_tokens (fixed-length rollouts, for benchmarks)"),
      .int("epochs", \.epochs, "passes over each rollout", .count),
      .int("minibatch", \.minibatch, "answers per update", .count),
      .float("lr", \.lr, "Adam's learning rate", .positive),
      .number("clip", \.clip, "the PPO clip range ε of the probability ratio", .positive),
      .float("max_grad_norm", \.maxGradNorm, "gradients are clipped to this total L2 norm", .positive),
      .optionalNumber("missing_eos_penalty", \.missingEOSPenalty, "added to the score of answers that never end (e.g. -1)", .finite),
    ]
    if algorithm == .ppo {
      options += [
        .number("vf_coef", \.vfCoef, "the weight of the value loss", .nonNegative),
        .number("clip_value", \.clipValue, "value predictions move at most this far from the rollout's", .positive),
        .number("lam", \.lambda, "GAE's λ (γ is 1: one answer is one episode)", .discount),
        .bool("whiten", \.whitenAdvantages, "normalize advantages over each rollout"),
      ]
    }
    return options
  }

  static func parameters(_ algorithm: LMAlgorithm) -> [Param] {
    var params = inputs + options(algorithm).params(PolicyConfig.defaults(for: algorithm))
    if algorithm == .ppo {
      params.append(Param("critic", default: .null, doc: "a reward model to copy as a separate value model (InstructGPT); nil: a value head on the policy"))
    }
    return params
  }

  static func make(_ algorithm: LMAlgorithm, _ name: String, _ params: [Param], _ args: Args) throws -> Value {
    let a = TrainerArguments(args: args, params: params, name: name)
    let codec = try TextCodec(args[1])
    let model = try LMBindings.gpt(args[0], name, for: codec)
    let prompts = try TextCodec.each(try TextCodec.strings(args[2], "\(name): prompts"), "\(name): prompts") { p throws(PavlovError) in try codec.prompt(p) }
    let reward = try TextScorer(args[3], args.interpreter, "\(name): reward")
    var c = try options(algorithm).configured(PolicyConfig.defaults(for: algorithm), a)
    c.name = name
    let reference: PolicyTrainer.Reference
    if let i = a.given("ref") {
      reference = .model(try LMBindings.gpt(args[i], "\(name): ref", for: codec))
    } else if model.hasAdapters {
      reference = .adaptersOff
    } else {
      let frozen = try CoreBridge.run(name) { try model.typedCopy() }
      frozen.setFrozen(true)
      reference = .model(frozen)
    }
    var critic: (trunk: GPT, head: Linear)? = nil
    if let i = a.given("critic") {
      let source = try RewardModelValue.value(args[i]).model
      let copy = try CoreBridge.run(name) { try source.typedCopy() }
      copy.setFrozen(false)
      critic = (copy.trunk, copy.head)
    }
    let trainer = try CoreBridge.run {
      try PolicyTrainer(policy: model, reference: reference, reward: reward.tokens(codec), prompts: prompts, endOfText: codec.endOfText,
                        config: c, critic: critic, generator: Stdlib.generator(for: args.interpreter))
    }
    return .object(PolicyTrainerValue(trainer, codec, name: name))
  }
}

/// The trainer `ppo_lm`, `grpo` and `rloo` return.
final class PolicyTrainerValue: PObject {
  let trainer: PolicyTrainer
  let codec: TextCodec
  let name: String
  /// The token ids of the responses `generate` returned since the last `step`, by (query,
  /// response) text, so `step` scores exactly the tokens sampled (an answer cut at max_tokens has
  /// no end token) — also when a multi-turn rollout calls `generate` once per turn.
  var generated: [String: [Int64]] = [:]
  nonisolated(unsafe) static let nativeType: NativeType = makeType()

  init(_ trainer: PolicyTrainer, _ codec: TextCodec, name: String) {
    self.trainer = trainer
    self.codec = codec
    self.name = name
    super.init(type: PolicyTrainerValue.nativeType)
  }

  override var displayString: String { "<\(name) trainer on \(trainer.policy.summary), \(trainer.history.count) iterations>" }

  static func value(_ v: Value) throws(PavlovError) -> PolicyTrainerValue {
    guard case .object(let o as PolicyTrainerValue) = v else { throw PavlovError.runtime("expected an RLHF trainer (ppo_lm, grpo, rloo), got \(v.typeName)") }
    return o
  }

  func record(_ s: PolicyStats) throws(PavlovError) -> Value {
    var fields: [(String, Value)] = [
      ("iteration", .int(s.iteration)), ("score", .float(s.score)), ("reward", .float(s.reward)), ("kl", .float(s.kl)),
      ("kl_estimator", .str(s.klEstimator.rawValue)), ("kl_coef", .float(s.klCoef)), ("ref_ratio", .float(s.refRatio)),
      ("entropy", .float(s.entropy)), ("clip_fraction", .float(s.clipFraction)), ("approx_kl", .float(s.approxKL)),
    ]
    if trainer.valueHead != nil { fields.append(("value_error", .float(s.valueError))) }
    fields += [
      ("loss", .float(s.loss)), ("length", .float(s.length)), ("end_rate", .float(s.endRate)),
      ("time", .record(PRecord([("generate", .float(s.generateSeconds)), ("score", .float(s.scoreSeconds)), ("update", .float(s.updateSeconds))]))),
      ("tokens_per_s", .float(s.tokensPerSecond)), ("memory_mb", .float(s.memoryMB)), ("peak_memory_mb", .float(s.peakMemoryMB)),
      ("samples", .list(try s.samples.map { p throws(PavlovError) in
        .record(PRecord([("prompt", .str(try codec.promptText(p.prompt))), ("response", .str(try codec.text(p.answer))), ("score", .float(p.score))]))
      })),
    ]
    return .record(PRecord(fields))
  }

  func line(_ s: PolicyStats) -> String {
    let f = LMBindings.short
    var text = "\(name) it \(s.iteration)  score \(f(s.score))  kl(\(s.klEstimator.rawValue)) \(f(s.kl))  β \(f(s.klCoef))  entropy \(f(s.entropy))  clip \(f(s.clipFraction))"
    if trainer.valueHead != nil { text += "  vf_err \(f(s.valueError))" }
    text += "  len \(f(s.length))  eos \(f(s.endRate))  gen/score/update \(f(s.generateSeconds))/\(f(s.scoreSeconds))/\(f(s.updateSeconds))s"
    return text
  }

  static func makeType() -> NativeType {
    let t = NativeType(name: "rlhf_trainer", doc: "An RLHF policy trainer (ppo_lm, grpo, rloo): train it for iterations, read its statistics.")
    t.method("train", [Param("iterations", default: .int(10), doc: "rollout-and-update rounds to run", range: .nonNegative),
                       Param("log", default: .bool(true), doc: "print one line of statistics per iteration"),
                       Param("callback", default: .null, doc: "called after each iteration with its statistics; return false to stop")],
             doc: "Runs iterations; returns their statistics [{iteration, score, reward, kl, kl_estimator, kl_coef, ref_ratio, entropy, clip_fraction, approx_kl, value_error, loss, length, end_rate, time, tokens_per_s, memory_mb, peak_memory_mb, samples}].") { args in
      let v = try value(args.receiver)
      let iterations = try args.int(0), log = try args.bool(1)
      let callback: Value? = args.isNull(2) ? nil : try args.callable(2)
      var out: [Value] = []
      for _ in 0..<iterations {
        if pavlov_take_interrupt() != 0 { throw PavlovError.interrupted() }
        let stats = try CoreBridge.run(v.name) { try v.trainer.iterate() }
        if log { args.interpreter.write(v.line(stats) + "\n") }
        let record = try v.record(stats)
        out.append(record)
        if let callback, case .bool(false) = try args.interpreter.call(callback, [record]) { break }
      }
      return .list(out)
    }
    t.method("generate", [Param("queries", doc: "prompt strings")],
             doc: "Samples responses as rollouts do (the trainer's temperature, max_tokens and generator): a string per query, or for grpo and rloo a list of group strings per query.") { args in
      let v = try value(args.receiver)
      let texts = try TextCodec.strings(args[0], "generate: queries")
      let queries = try TextCodec.each(texts, "generate: queries") { p throws(PavlovError) in try v.codec.prompt(p) }
      let g = v.trainer.config.groupSize
      let rows = queries.flatMap { [[Int64]](repeating: $0, count: g) }
      let answers = try CoreBridge.run("generate") { try v.trainer.generate(rows) }
      var responses: [String] = []
      for (k, answer) in answers.enumerated() {
        let text = try v.codec.text(answer)
        v.generated[texts[k / g] + "\u{0}" + text] = answer
        responses.append(text)
      }
      if g == 1 { return .list(PList(responses.map { .str($0) })) }
      return .list(PList(stride(from: 0, to: responses.count, by: g).map { .list(PList(responses[$0..<($0 + g)].map { .str($0) })) }))
    }
    t.method("step", [Param("queries", doc: "prompt strings"),
                      Param("responses", doc: "a response string per query (grpo, rloo: a list of group strings per query)"),
                      Param("rewards", doc: "a number per response (the same nesting), computed any way: by hand, by a rule, by a model")],
             doc: "One update from responses scored by the script (TRL's step): reference pass, KL penalty, advantages, clipped epochs; returns the statistics record (as train's).") { args in
      let v = try value(args.receiver)
      let texts = try TextCodec.strings(args[0], "step: queries")
      let g = v.trainer.config.groupSize
      func flat(_ value: Value, _ what: String) throws(PavlovError) -> [Value] {
        guard case .list(let list) = value, list.items.count == texts.count else {
          throw PavlovError.runtime("step: \(what) must be a list with one item per query (\(texts.count))")
        }
        guard g > 1 else { return list.items }
        var out: [Value] = []
        for (i, item) in list.items.enumerated() {
          guard case .list(let group) = item, group.items.count == g else {
            throw PavlovError.runtime("step: \(what)[\(i)] must be a list of \(g) (the group size)")
          }
          out += group.items
        }
        return out
      }
      let responseValues = try flat(args[1], "responses"), rewardValues = try flat(args[2], "rewards")
      var rows: [[Int64]] = [], answers: [[Int64]] = [], scores: [Double] = []
      for (k, response) in responseValues.enumerated() {
        guard case .string(let text) = response else { throw PavlovError.runtime("step: responses must be strings, got \(response.typeName)") }
        let query = texts[k / g]
        rows.append(try v.codec.prompt(query))
        answers.append(try v.generated[query + "\u{0}" + text.value] ?? v.codec.answer(text.value))
        switch rewardValues[k] {
        case .int(let i): scores.append(Double(i))
        case .float(let d): scores.append(d)
        default: throw PavlovError.runtime("step: rewards must be numbers, got \(rewardValues[k].typeName) for response \(k + 1)")
        }
      }
      let stats = try CoreBridge.run(v.name) { try v.trainer.step(queries: rows, responses: answers, scores: scores) }
      v.generated = [:]
      return try v.record(stats)
    }
    t.property("history", doc: "Every iteration's statistics so far.") { v in
      let p = try value(v)
      return .list(try p.trainer.history.map { s throws(PavlovError) in try p.record(s) })
    }
    t.property("kl_coef", doc: "β now (it moves when target_kl is set).") { v in .float(try value(v).trainer.klCoef) }
    t.property("policy", doc: "The model being trained (the same object that was passed in).") { v in NNBindings.wrap(try value(v).trainer.policy) }
    return t
  }
}
