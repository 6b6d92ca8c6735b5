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
      let name = algorithm == .ppo ? "ppo_lm" : algorithm.rawValue
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

  static func parameters(_ algorithm: LMAlgorithm) -> [Param] {
    let d = PolicyConfig()
    var params: [Param] = [
      Param("model", doc: "the policy: a gpt model (usually the SFT model, or it with lora(...)); trained in place"),
      Param("tokenizer", doc: "the tokenizer the model reads"),
      Param("prompts", doc: "the prompt strings to answer during training"),
      Param("reward", doc: "a reward model, a function (prompt, text) => number, or [[reward, weight], ...]"),
      Param("ref", default: .null, doc: "the frozen reference (nil: a frozen copy of the model now, or the model with LoRA adapters off)"),
      Param("kl", default: .float(algorithm == .grpo ? 0.04 : d.klCoef), doc: "β, the weight of the KL to the reference"),
      Param("kl_estimator", default: .str(algorithm == .grpo ? "k3" : "k1"), doc: "\"k1\" (log π − log π_ref), \"k2\" ((log r)²/2) or \"k3\" ((r − 1) − log r), for the penalty and the reported KL"),
      Param("target_kl", default: .null, doc: "with a target, β adapts so the per-answer KL tracks it (Ziegler et al.)"),
      Param("kl_horizon", default: .float(d.klHorizon), doc: "the adaptive controller's horizon in answers"),
      Param("batch", default: .int(algorithm == .ppo ? 32 : 8), doc: "prompts per iteration"),
    ]
    if algorithm != .ppo { params.append(Param("group", default: .int(4), doc: "answers per prompt")) }
    params += [
      Param("max_tokens", default: .int(d.maxTokens), doc: "tokens per answer at most (answers end at the end-of-text token)"),
      Param("temperature", default: .float(Double(d.temperature)), doc: "the sampling temperature of rollouts"),
      Param("stop_at_eos", default: .bool(true), doc: "false: every answer runs to max_tokens (fixed-length rollouts, for benchmarks)"),
      Param("epochs", default: .int(d.epochs), doc: "passes over each rollout"),
      Param("minibatch", default: .int(d.minibatch), doc: "answers per update"),
      Param("lr", default: .float(Double(d.lr)), doc: "Adam's learning rate"),
      Param("clip", default: .float(d.clip), doc: "the PPO clip range ε of the probability ratio"),
      Param("max_grad_norm", default: .float(Double(d.maxGradNorm)), doc: "gradients are clipped to this total L2 norm"),
      Param("missing_eos_penalty", default: .null, doc: "added to the score of answers that never end (e.g. -1)"),
    ]
    if algorithm == .ppo {
      params += [
        Param("vf_coef", default: .float(d.vfCoef), doc: "the weight of the value loss"),
        Param("clip_value", default: .float(d.clipValue), doc: "value predictions move at most this far from the rollout's"),
        Param("lam", default: .float(d.lambda), doc: "GAE's λ (γ is 1: one answer is one episode)"),
        Param("whiten", default: .bool(true), doc: "normalize advantages over each rollout"),
        Param("critic", default: .null, doc: "a reward model to copy as a separate value model (InstructGPT); nil: a value head on the policy"),
      ]
    }
    return params
  }

  static func make(_ algorithm: LMAlgorithm, _ name: String, _ params: [Param], _ args: Args) throws -> Value {
    let a = TrainerArguments(args: args, params: params, name: name)
    let codec = try TextCodec(args[1])
    let model = try LMBindings.gpt(args[0], name, for: codec)
    let prompts = try TextCodec.each(try TextCodec.strings(args[2], "\(name): prompts"), "\(name): prompts") { p throws(PavlovError) in try codec.prompt(p) }
    let reward = try TextScorer(args[3], args.interpreter, "\(name): reward")
    var c = PolicyConfig()
    c.algorithm = algorithm
    c.name = name
    if algorithm != .ppo { c.groupSize = 4 }
    if algorithm == .grpo { c.klCoef = 0.04; c.klEstimator = .k3 }
    c.prompts = algorithm == .ppo ? 32 : 8
    if let v = try a.number("kl") { c.klCoef = v }
    if let i = a.given("kl_estimator") {
      let text = try args.string(i)
      guard let e = KLEstimator(rawValue: text) else { throw PavlovError.runtime("\(name): unknown kl_estimator \(Format.quoted(text))", hint: "use \"k1\", \"k2\" or \"k3\"") }
      c.klEstimator = e
    }
    c.targetKL = try a.number("target_kl")
    if let v = try a.number("kl_horizon") { c.klHorizon = v }
    if let v = try a.int("batch") { c.prompts = v }
    if let v = try a.int("group") { c.groupSize = v }
    if let v = try a.int("max_tokens") { c.maxTokens = v }
    if let v = try a.number("temperature") { c.temperature = Float(v) }
    if let v = try a.bool("stop_at_eos") { c.stopAtEndOfText = v }
    if let v = try a.int("epochs") { c.epochs = v }
    if let v = try a.int("minibatch") { c.minibatch = v }
    if let v = try a.number("lr") { c.lr = Float(v) }
    if let v = try a.number("clip") { c.clip = v }
    if let v = try a.number("max_grad_norm") { c.maxGradNorm = Float(v) }
    c.missingEOSPenalty = try a.number("missing_eos_penalty")
    if let v = try a.number("vf_coef") { c.vfCoef = v }
    if let v = try a.number("clip_value") { c.clipValue = v }
    if let v = try a.number("lam") { c.lambda = v }
    if let v = try a.bool("whiten") { c.whitenAdvantages = v }
    let reference: PolicyTrainer.Reference
    if let i = a.given("ref") {
      reference = .model(try LMBindings.gpt(args[i], "\(name): ref", for: codec))
    } else if model.namedParameters().contains(where: { $0.0.hasSuffix("lora_A") }) {
      reference = .adaptersOff
    } else {
      let copy = try CoreBridge.run { try model.copy() }
      guard let frozen = copy as? GPT else { throw PavlovError.runtime("\(name): could not copy the model for the reference") }
      frozen.setFrozen(true)
      reference = .model(frozen)
    }
    var critic: (trunk: GPT, head: Linear)? = nil
    if let i = a.given("critic") {
      let source = try RewardModelValue.value(args[i]).model
      guard let copy = try CoreBridge.run(nil, { try source.copy() }) as? RewardModel else { throw PavlovError.runtime("\(name): could not copy the critic") }
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
    t.method("train", [Param("iterations", default: .int(10), doc: "rollout-and-update rounds to run"),
                       Param("log", default: .bool(true), doc: "print one line of statistics per iteration"),
                       Param("callback", default: .null, doc: "called after each iteration with its statistics; return false to stop")],
             doc: "Runs iterations; returns their statistics [{iteration, score, reward, kl, kl_estimator, kl_coef, ref_ratio, entropy, clip_fraction, approx_kl, value_error, loss, length, end_rate, time, tokens_per_s, memory_mb, peak_memory_mb, samples}].") { args in
      let v = try value(args.receiver)
      let iterations = try args.int(0), log = try args.bool(1)
      let callback: Value? = args.isNull(2) ? nil : try args.callable(2)
      var out: [Value] = []
      for _ in 0..<Swift.max(iterations, 0) {
        if pavlov_take_interrupt() != 0 { throw PavlovError.interrupted() }
        let stats = try CoreBridge.run(v.name) { try v.trainer.iterate() }
        if log { args.interpreter.write(v.line(stats) + "\n") }
        let record = try v.record(stats)
        out.append(record)
        if let callback, case .bool(false) = try args.interpreter.call(callback, [record]) { break }
      }
      return .list(out)
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
