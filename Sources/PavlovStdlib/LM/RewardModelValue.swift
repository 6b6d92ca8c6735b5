import PavlovLM
import PavlovLang
import PavlovTensor

/// `reward_model(base, tokenizer)`: a reward model as a script sees it — fit it on preference
/// pairs, check its held-out accuracy, normalize it, score texts, use it as a reward or a labeler.
final class RewardModelValue: PObject, ScoringValue {
  let model: RewardModel
  let codec: TextCodec
  nonisolated(unsafe) static let nativeType: NativeType = makeType()

  init(_ model: RewardModel, _ codec: TextCodec) {
    self.model = model
    self.codec = codec
    super.init(type: RewardModelValue.nativeType)
  }

  override var displayString: String { "<reward_model on \(model.trunk.summary)>" }

  func scores(prompts: [String], texts: [String]) throws -> [Double] {
    try CoreBridge.run {
      try model.scores(prompts: try prompts.map { p throws(PavlovError) in try codec.prompt(p) }, responses: try texts.map { t throws(PavlovError) in try codec.answer(t) })
    }
  }

  /// Preference records {prompt, chosen, rejected} as token pairs.
  static func pairs(_ value: Value, _ codec: TextCodec, _ what: String) throws(PavlovError) -> [TokenPreference] {
    let fields = try TextCodec.fields(value, ["prompt", "chosen", "rejected"], what)
    let prompts = try TextCodec.each(fields, what) { f throws(PavlovError) in try codec.prompt(f[0]) }
    let chosen = try TextCodec.each(fields, what) { f throws(PavlovError) in try codec.answer(f[1]) }
    let rejected = try TextCodec.each(fields, what) { f throws(PavlovError) in try codec.answer(f[2]) }
    return (0..<fields.count).map { TokenPreference(prompt: prompts[$0], chosen: chosen[$0], rejected: rejected[$0]) }
  }

  static func value(_ v: Value) throws(PavlovError) -> RewardModelValue {
    guard case .object(let o as RewardModelValue) = v else { throw PavlovError.runtime("expected a reward model, got \(v.typeName)", hint: "make one with reward_model(base, tokenizer)") }
    return o
  }

  static func makeType() -> NativeType {
    let t = NativeType(name: "reward_model", doc: "A reward model: a language model with a scalar head on the last token, trained on preference pairs.")
    t.method("fit", [Param("pairs", doc: "preference records {prompt, chosen, rejected}"),
                     Param("epochs", default: .int(2), doc: "passes over the pairs", range: .count),
                     Param("batch", default: .int(16), doc: "pairs per update", range: .count),
                     Param("lr", default: .float(1e-3), doc: "AdamW's learning rate", range: .positive),
                     Param("log", default: .bool(false), doc: "print the loss and accuracy after each epoch")],
             doc: "Trains with the pairwise loss −log σ(r_chosen − r_rejected); returns [{epoch, loss, accuracy}] (training accuracy).") { args in
      let rm = try value(args.receiver)
      let pairs = try RewardModelValue.pairs(args[0], rm.codec, "fit: pairs")
      let epochs = try args.int(1), batch = try args.int(2), lr = Float(try args.float(3)), log = try args.bool(4)
      let interpreter = args.interpreter
      let history = try CoreBridge.run("fit") {
        try RewardModelTrainer(model: rm.model, lr: lr).fit(pairs, epochs: epochs, batchSize: batch, generator: Stdlib.generator(for: interpreter)) { e, l, a in
          if log { interpreter.write("reward model epoch \(e)/\(epochs)  loss \(LMBindings.short(l))  accuracy \(LMBindings.short(a))\n") }
        }
      }
      return .list(history.enumerated().map { k, h in .record(PRecord([("epoch", .int(k + 1)), ("loss", .float(h.loss)), ("accuracy", .float(h.accuracy))])) })
    }
    t.method("accuracy", [Param("pairs", doc: "held-out preference records {prompt, chosen, rejected}")],
             doc: "The fraction of pairs whose chosen answer scores higher.") { args in
      let rm = try value(args.receiver)
      let pairs = try RewardModelValue.pairs(args[0], rm.codec, "accuracy: pairs")
      return .float(try CoreBridge.run { try RewardModelTrainer.accuracy(rm.model, pairs) })
    }
    t.method("score", [Param("prompt", doc: "the prompt (a string, or a list of them)"), Param("text", doc: "the answer (a string, or a list of them)")],
             doc: "The (normalized) reward of an answer, or a list of rewards for lists of prompts and answers.") { args in
      let rm = try value(args.receiver)
      if case .string(let p) = args[0], case .string(let a) = args[1] { return .float(try rm.scores(prompts: [p.value], texts: [a.value])[0]) }
      let prompts = try TextCodec.strings(args[0], "score: prompt"), texts = try TextCodec.strings(args[1], "score: text")
      guard prompts.count == texts.count else { throw PavlovError.runtime("score: \(prompts.count) prompts but \(texts.count) answers") }
      return .list(try rm.scores(prompts: prompts, texts: texts).map { .float($0) })
    }
    t.method("normalize", [Param("prompts", doc: "prompts of reference answers (e.g. the SFT model's)"), Param("texts", doc: "the answers")],
             doc: "Shifts and scales scores so these answers have mean 0 and standard deviation 1; returns {offset, scale}.") { args in
      let rm = try value(args.receiver)
      let prompts = try TextCodec.strings(args[0], "normalize: prompts").map { p throws(PavlovError) in try rm.codec.prompt(p) }
      let texts = try TextCodec.strings(args[1], "normalize: texts").map { a throws(PavlovError) in try rm.codec.answer(a) }
      guard prompts.count == texts.count else { throw PavlovError.runtime("normalize: \(prompts.count) prompts but \(texts.count) answers") }
      try CoreBridge.run { try rm.model.normalize(prompts: prompts, responses: texts) }
      return .record(PRecord([("offset", .float(rm.model.offset)), ("scale", .float(rm.model.scale))]))
    }
    t.property("model", doc: "The underlying model (trunk and head), e.g. to save it.") { v in NNBindings.wrap(try value(v).model) }
    return t
  }
}
