import CPavlovSupport
import PavlovLM
import PavlovLang
import PavlovTensor

/// The RLHF builtins over gpt models and tokenizers: pretrain, sft, generate, log_probs,
/// reward_model, dpo, best_of_n, win_rate and kl_to (the policy trainers are in PolicyBindings).
enum LMBindings {
  static let modelParam = Param("model", doc: "a gpt model")
  static let tokenizerParam = Param("tokenizer", doc: "the tokenizer the model reads")

  /// The sampling parameters of generate, best_of_n, win_rate, kl_to and ilql's generate (read by GenerationOptions).
  static let generationParams: [Param] = [
    Param("max_tokens", default: .int(32), doc: "tokens to add at most (an answer also ends at the end-of-text token)", range: .count),
    Param("temperature", default: .float(1), doc: "0 for greedy decoding; higher is more random", range: .nonNegative),
    Param("top_k", default: .null, doc: "sample among the k most likely tokens only", range: .count),
    Param("top_p", default: .null, doc: "sample among the most likely tokens covering this probability",
          range: ParamRange(lower: 0, lowerOpen: true, upper: 1)),
    Param("stop", default: .null, doc: "more tokens (their texts, e.g. [\".\"]) that end an answer, kept in it"),
  ]

  static func register(_ r: Registry) {
    r.function("pretrain", [modelParam, tokenizerParam, Param("texts", doc: "a list of strings (each a document)"),
                            Param("steps", default: .int(500), doc: "updates to make", range: .count),
                            Param("batch", default: .int(32), doc: "texts per update", range: .count),
                            Param("lr", default: .float(3e-3), doc: "AdamW's learning rate", range: .positive),
                            Param("weight_decay", default: .float(0), doc: "AdamW's decoupled weight decay", range: .nonNegative),
                            Param("log_every", default: .int(0), doc: "print the loss every this many steps (0: quiet)", range: .nonNegative)],
               doc: "Next-token pretraining on whole texts (each starts and ends with the end-of-text token); returns {losses, loss}.") { args in
      let codec = try TextCodec(args[1])
      let model = try gpt(args[0], "pretrain", for: codec)
      let texts = try TextCodec.each(try TextCodec.strings(args[2], "pretrain: texts"), "pretrain: texts") { t throws(PavlovError) in try codec.document(t) }
      return try train(model, codec, prompts: texts.map { Array($0.prefix(1)) }, responses: texts.map { Array($0.dropFirst()) },
                       steps: try args.int(3), epochs: nil, batch: try args.int(4), lr: try args.float(5), weightDecay: try args.float(6),
                       logEvery: try args.int(7), name: "pretrain", args)
    }
    r.function("sft", [modelParam, tokenizerParam, Param("demos", doc: "demonstrations: a list of {prompt, response} records"),
                       Param("epochs", default: .int(1), doc: "passes over the demonstrations (ignored when steps is given)", range: .count),
                       Param("steps", default: .null, doc: "updates to make instead of whole epochs", range: .count),
                       Param("batch", default: .int(32), doc: "demonstrations per update", range: .count),
                       Param("lr", default: .float(1e-3), doc: "AdamW's learning rate", range: .positive),
                       Param("weight_decay", default: .float(0), doc: "AdamW's decoupled weight decay", range: .nonNegative),
                       Param("log_every", default: .int(0), doc: "print the loss every this many steps (0: quiet)", range: .nonNegative)],
               doc: "Supervised fine-tuning: the loss on response tokens only (the prompt is context); trains only trainable params (e.g. LoRA adapters). Returns {losses, loss}.") { args in
      let codec = try TextCodec(args[1])
      let model = try gpt(args[0], "sft", for: codec)
      let demos = try TextCodec.fields(args[2], ["prompt", "response"], "sft: demos")
      return try train(model, codec, prompts: try TextCodec.each(demos, "sft: demos") { d throws(PavlovError) in try codec.prompt(d[0]) },
                       responses: try TextCodec.each(demos, "sft: demos") { d throws(PavlovError) in try codec.answer(d[1]) },
                       steps: args.isNull(4) ? nil : try args.int(4), epochs: try args.int(3), batch: try args.int(5), lr: try args.float(6),
                       weightDecay: try args.float(7), logEvery: try args.int(8), name: "sft", args)
    }
    let generation = generationParams
    r.function("generate", [modelParam, tokenizerParam, Param("prompts", doc: "a prompt string or a list of them"),
                          Param("n", default: .int(1), doc: "answers per prompt", range: .count)] + generation,
               doc: "Answers prompts, batched, with the key/value cache: a string (one prompt), a list of strings, or with n > 1 a list of lists.") { args in
      let codec = try TextCodec(args[1])
      let model = try gpt(args[0], "generate", for: codec)
      let (prompts, single) = try TextCodec.oneOrMany(args[2], "generate: prompts")
      let n = try args.int(3)
      let options = try GenerationOptions(args, from: 4, model: model, codec: codec, name: "generate")
      let encoded = try TextCodec.each(prompts, "generate: prompts") { p throws(PavlovError) in try codec.prompt(p) }
      let rows = encoded.flatMap { [[Int64]](repeating: $0, count: n) }
      let answers = try options.generate(model, rows, codec, args.interpreter)
      let texts = try answers.map { a throws(PavlovError) in Value.str(try codec.text(a)) }
      let grouped: [Value] = n == 1 ? texts : (0..<prompts.count).map { .list(Array(texts[($0 * n)..<($0 * n + n)])) }
      return single ? grouped[0] : .list(grouped)
    }
    r.function("log_probs", [modelParam, tokenizerParam, Param("prompts", doc: "a list of prompt strings"), Param("responses", doc: "a list of answers, one per prompt")],
               doc: "Σ log p(answer | prompt) per pair (the answer's end-of-text token included), batched; a list of floats (token_log_probs gives each token's, with gradients).") { args in
      let codec = try TextCodec(args[1])
      let model = try gpt(args[0], "log_probs", for: codec)
      let prompts = try TextCodec.each(try TextCodec.strings(args[2], "log_probs: prompts"), "log_probs: prompts") { p throws(PavlovError) in try codec.prompt(p) }
      let answers = try TextCodec.each(try TextCodec.strings(args[3], "log_probs: responses"), "log_probs: responses") { a throws(PavlovError) in try codec.answer(a) }
      guard prompts.count == answers.count else { throw PavlovError.runtime("log_probs: \(prompts.count) prompts but \(answers.count) responses") }
      try checkFits(model, prompts, answers, "log_probs")
      let out = try CoreBridge.run("log_probs") { try LanguageModel.sequenceLogProbs(model, prompts: prompts, responses: answers, padding: codec.endOfText) }
      return .list(out.map { .float($0) })
    }
    r.function("token_log_probs", [modelParam,
                                   Param("prompts", doc: "token-id lists, e.g. [tok.eos] + tok.encode(text) (as the RLHF builtins encode a prompt)"),
                                   Param("responses", doc: "token-id lists, one per prompt (an answer that ended has tok.eos last)")],
               doc: "Every response token's log p, entropy and final hidden state, rows in order: {log_probs (N), entropies (N), features (N, d), lengths} — with gradients, for a hand-written RLHF step.") { args in
      let model = try gpt(args[0], "token_log_probs")
      let prompts = try idLists(args[1], "token_log_probs: prompts", vocab: model.vocab)
      let responses = try idLists(args[2], "token_log_probs: responses", vocab: model.vocab)
      guard prompts.count == responses.count, !prompts.isEmpty else {
        throw PavlovError.runtime("token_log_probs: \(prompts.count) prompts and \(responses.count) responses; give one response per prompt, at least one")
      }
      if let i = prompts.firstIndex(where: \.isEmpty) {
        throw PavlovError.runtime("token_log_probs: prompt \(i + 1) is empty; a prompt needs at least one token", hint: "start it with tok.eos")
      }
      try checkFits(model, prompts, responses, "token_log_probs")
      let out = try CoreBridge.run("token_log_probs") { () throws -> (Tensor, Tensor, Tensor) in
        let batch = try SequenceBatch(prompts: prompts, responses: responses, padding: 0)
        return try LanguageModel.responseTokens(model, batch)
      }
      return .record(PRecord([("log_probs", TensorValue.wrap(out.0)), ("entropies", TensorValue.wrap(out.1)),
                              ("features", TensorValue.wrap(out.2)), ("lengths", .list(PList(responses.map { .int($0.count) })))]))
    }
    r.addType(RewardModelValue.nativeType)
    r.function("reward_model", [Param("base", doc: "a gpt model to copy as the trunk (usually the SFT or pretrained model)"), tokenizerParam],
               doc: "A reward model: a copy of base with a scalar head on the last token (starting at 0); .fit(pairs) trains it.") { args in
      let codec = try TextCodec(args[1])
      let base = try gpt(args[0], "reward_model", for: codec)
      let model = try CoreBridge.run("reward_model") { try RewardModel(base: base, padding: codec.endOfText, generator: Stdlib.generator(for: args.interpreter)) }
      return .object(RewardModelValue(model, codec))
    }
    r.function("dpo", [modelParam, tokenizerParam, Param("pairs", doc: "preference records {prompt, chosen, rejected}"),
                       Param("beta", default: .float(0.1), doc: "β: how far the implicit reward may pull from the reference", range: .positive),
                       Param("ref", default: .null, doc: "the frozen reference model (nil: the model as it is now, or with its LoRA adapters off)"),
                       Param("epochs", default: .int(1), doc: "passes over the pairs", range: .count),
                       Param("batch", default: .int(16), doc: "pairs per update", range: .count),
                       Param("lr", default: .float(1e-4), doc: "Adam's learning rate", range: .positive),
                       Param("log", default: .bool(false), doc: "print each epoch's loss, accuracy and log-probabilities")],
               doc: "Direct preference optimization (reference log-probs computed once); returns [{epoch, loss, accuracy, chosen_logp, rejected_logp, margin, chosen_reward, rejected_reward}].") { args in
      let codec = try TextCodec(args[1])
      let model = try gpt(args[0], "dpo", for: codec)
      let pairs = try RewardModelValue.pairs(args[2], codec, "dpo: pairs")
      let ref = args.isNull(4) ? nil : try gpt(args[4], "dpo: ref", for: codec)
      let beta = try args.float(3), epochs = try args.int(5), batch = try args.int(6), lr = Float(try args.float(7)), log = try args.bool(8)
      let interpreter = args.interpreter
      let history = try CoreBridge.run("dpo") {
        let trainer = try DPOTrainer(policy: model, reference: ref, pairs: pairs, beta: beta, lr: lr, padding: codec.endOfText)
        return try trainer.fit(epochs: epochs, batchSize: batch, generator: Stdlib.generator(for: interpreter)) { s in
          if log {
            interpreter.write("dpo epoch \(s.epoch)/\(epochs)  loss \(short(s.loss))  accuracy \(short(s.accuracy))  logp chosen \(short(s.chosenLogProb)) rejected \(short(s.rejectedLogProb))  margin \(short(s.margin))\n")
          }
        }
      }
      return .list(history.map { s in .record(PRecord([
        ("epoch", .int(s.epoch)), ("loss", .float(s.loss)), ("accuracy", .float(s.accuracy)),
        ("chosen_logp", .float(s.chosenLogProb)), ("rejected_logp", .float(s.rejectedLogProb)), ("margin", .float(s.margin)),
        ("chosen_reward", .float(s.chosenReward)), ("rejected_reward", .float(s.rejectedReward)),
      ])) })
    }
    r.function("best_of_n", [modelParam, tokenizerParam, Param("prompts", doc: "a list of prompt strings"),
                             Param("reward", doc: "a reward model, a function (prompt, text) => number, or [[reward, weight], ...]"),
                             Param("n", default: .int(8), doc: "answers sampled per prompt", range: .count)] + generation,
               doc: "Samples n answers per prompt and keeps the best by the reward; returns [{prompt, response, score}] (rejection-sampling data for sft).") { args in
      let codec = try TextCodec(args[1])
      let model = try gpt(args[0], "best_of_n", for: codec)
      let prompts = try TextCodec.strings(args[2], "best_of_n: prompts")
      let reward = try TextScorer(args[3], args.interpreter, "best_of_n: reward")
      let n = try args.int(4)
      let options = try GenerationOptions(args, from: 5, model: model, codec: codec, name: "best_of_n")
      let encoded = try TextCodec.each(prompts, "best_of_n: prompts") { p throws(PavlovError) in try codec.prompt(p) }
      try options.checkFits(encoded, "best_of_n")
      let choices = try CoreBridge.run("best_of_n") {
        try BestOfN.choose(model, prompts: encoded, n: n, maxTokens: options.maxTokens, temperature: options.temperature, topK: options.topK,
                           topP: options.topP, endOfText: codec.endOfText, stops: options.stops, reward: reward.tokens(codec), generator: Stdlib.generator(for: args.interpreter))
      }
      return .list(try zip(prompts, choices).map { p, c throws(PavlovError) in
        .record(PRecord([("prompt", .str(p)), ("response", .str(try codec.text(c.answer))), ("score", .float(c.score))]))
      })
    }
    r.function("win_rate", [modelParam, Param("baseline", doc: "the gpt model to compare against (e.g. the SFT model)"), tokenizerParam,
                            Param("prompts", doc: "held-out prompt strings"),
                            Param("judge", doc: "a function (prompt, text) => score (e.g. gold_score), or a reward model"),
                            Param("samples", default: .int(1), doc: "answers per prompt from each model", range: .count)] + generation,
               doc: "How often the judge scores model's answer above baseline's on the same prompt (ties count half); returns {win_rate, wins, ties, losses, score, baseline_score}.") { args in
      let codec = try TextCodec(args[2])
      let model = try gpt(args[0], "win_rate", for: codec), baseline = try gpt(args[1], "win_rate: baseline", for: codec)
      let prompts = try TextCodec.strings(args[3], "win_rate: prompts")
      let judge = try TextScorer(args[4], args.interpreter, "win_rate: judge")
      let samples = try args.int(5)
      guard !prompts.isEmpty else { throw PavlovError.runtime("win_rate: needs at least one prompt") }
      let options = try GenerationOptions(args, from: 6, model: model, codec: codec, name: "win_rate")
      let rows = try prompts.flatMap { p throws(PavlovError) in [[Int64]](repeating: try codec.prompt(p), count: samples) }
      let texts = rows.indices.map { prompts[$0 / samples] }
      let mine = try options.generate(model, rows, codec, args.interpreter).map { a throws(PavlovError) in try codec.text(a) }
      let theirs = try options.generate(baseline, rows, codec, args.interpreter).map { a throws(PavlovError) in try codec.text(a) }
      let a = try CoreBridge.run { try judge.score(texts, mine) }, b = try CoreBridge.run { try judge.score(texts, theirs) }
      let wins = zip(a, b).filter { $0 > $1 }.count, ties = zip(a, b).filter { $0 == $1 }.count
      let n = Double(rows.count)
      return .record(PRecord([
        ("win_rate", .float((Double(wins) + 0.5 * Double(ties)) / n)), ("wins", .int(wins)), ("ties", .int(ties)), ("losses", .int(rows.count - wins - ties)),
        ("score", .float(a.reduce(0, +) / n)), ("baseline_score", .float(b.reduce(0, +) / n)),
      ]))
    }
    r.function("kl_to", [modelParam, Param("ref", doc: "the reference gpt model (e.g. the SFT model)"), tokenizerParam,
                         Param("prompts", doc: "prompt strings"), Param("samples", default: .int(1), doc: "answers per prompt", range: .count)] + generation,
               doc: "KL(model ‖ ref) per answer, estimated on the model's own samples as the mean of Σ log π − log π_ref (nats).") { args in
      let codec = try TextCodec(args[2])
      let model = try gpt(args[0], "kl_to", for: codec), ref = try gpt(args[1], "kl_to: ref", for: codec)
      let samples = try args.int(4)
      let rows = try TextCodec.strings(args[3], "kl_to: prompts").flatMap { p throws(PavlovError) in [[Int64]](repeating: try codec.prompt(p), count: samples) }
      guard !rows.isEmpty else { throw PavlovError.runtime("kl_to: needs at least one prompt") }
      let options = try GenerationOptions(args, from: 5, model: model, codec: codec, name: "kl_to")
      let answers = try options.generate(model, rows, codec, args.interpreter)
      let kl = try CoreBridge.run { () throws -> Double in
        let mine = try LanguageModel.sequenceLogProbs(model, prompts: rows, responses: answers, padding: codec.endOfText)
        let theirs = try LanguageModel.sequenceLogProbs(ref, prompts: rows, responses: answers, padding: codec.endOfText)
        return zip(mine, theirs).reduce(0.0) { $0 + $1.0 - $1.1 } / Double(rows.count)
      }
      return .float(kl)
    }
  }

  // MARK: - Helpers

  static func gpt(_ v: Value, _ what: String) throws(PavlovError) -> GPT {
    guard case .object(let o as ModelValue) = v, let g = o.module as? GPT else {
      throw PavlovError.runtime("\(what): expected a gpt model, got \(v.typeName)", hint: "make one with gpt(vocab: tokenizer.size, d: 64, layers: 2, heads: 4, ctx: 64)")
    }
    return g
  }

  /// A gpt model that can read every id of the tokenizer.
  static func gpt(_ v: Value, _ what: String, for codec: TextCodec) throws(PavlovError) -> GPT {
    let model = try gpt(v, what)
    guard model.vocab >= codec.tokenizer.vocabularySize else {
      throw PavlovError.runtime("\(what): the model's vocabulary (\(model.vocab)) is smaller than the tokenizer's (\(codec.tokenizer.vocabularySize))",
                                hint: "make the model with gpt(vocab: tokenizer.size, ...)")
    }
    return model
  }

  /// A list of token-id lists, every id below `vocab`.
  static func idLists(_ v: Value, _ what: String, vocab: Int) throws(PavlovError) -> [[Int64]] {
    guard case .list(let rows) = v else { throw PavlovError.runtime("\(what) must be a list of token-id lists, got \(v.typeName)") }
    var out: [[Int64]] = []
    for (i, row) in rows.items.enumerated() {
      guard case .list(let ids) = row else { throw PavlovError.runtime("\(what)[\(i)] must be a list of token ids, got \(row.typeName)", hint: "encode text with tok.encode(text)") }
      var line: [Int64] = []
      for id in ids.items {
        guard case .int(let k) = id, k >= 0, k < vocab else {
          throw PavlovError.runtime("\(what)[\(i)] holds \(Format.repr(id, limit: 20)), not a token id of this model (0 to \(vocab - 1))")
        }
        line.append(Int64(k))
      }
      out.append(line)
    }
    return out
  }

  static func checkFits(_ model: GPT, _ prompts: [[Int64]], _ answers: [[Int64]], _ what: String) throws(PavlovError) {
    try CoreBridge.run { try LanguageModel.checkFits(model, zip(prompts, answers).map { $0.count + $1.count }, what: "\(what): text") }
  }

  static func train(_ model: GPT, _ codec: TextCodec, prompts: [[Int64]], responses: [[Int64]], steps: Int?, epochs: Int?, batch: Int, lr: Double,
                    weightDecay: Double, logEvery: Int, name: String, _ args: Args) throws(PavlovError) -> Value {
    let interpreter = args.interpreter
    let losses = try CoreBridge.run(name) { () throws -> [Double] in
      let trainer = try LanguageModelTrainer(model: model, lr: Float(lr), weightDecay: Float(weightDecay), padding: codec.endOfText)
      let total = steps ?? Swift.max(1, (epochs ?? 1) * ((prompts.count + batch - 1) / Swift.max(batch, 1)))
      return try trainer.fit(prompts: prompts, responses: responses, epochs: epochs ?? 1, steps: steps, batchSize: batch, generator: Stdlib.generator(for: interpreter)) { step, loss in
        if pavlov_take_interrupt() != 0 { throw PavlovError.interrupted() }
        if logEvery > 0 && (step % logEvery == 0 || step == total) { interpreter.write("\(name) step \(step)/\(total)  loss \(short(loss))\n") }
      }
    }
    let tail = losses.suffix(Swift.min(10, losses.count))
    return .record(PRecord([("losses", .list(losses.map { .float($0) })), ("loss", .float(tail.reduce(0, +) / Double(tail.count)))]))
  }

  static func short(_ x: Double) -> String { Format.display(.float((x * 1000).rounded() / 1000)) }
}

/// The sampling arguments shared by generate, best_of_n, win_rate and kl_to.
struct GenerationOptions {
  let maxTokens: Int, temperature: Float, topK: Int?, topP: Float?
  let context: Int
  /// Token ids that end an answer besides the end-of-text token.
  let stops: Set<Int64>

  let name: String

  init(_ args: Args, from i: Int, model: GPT, codec: TextCodec, name: String) throws(PavlovError) {
    self.name = name
    maxTokens = try args.int(i)
    temperature = Float(try args.float(i + 1))
    topK = args.isNull(i + 2) ? nil : try args.int(i + 2)
    topP = args.isNull(i + 3) ? nil : Float(try args.float(i + 3))
    var stops = Set<Int64>()
    if !args.isNull(i + 4) {
      for text in try TextCodec.strings(args[i + 4], "stop") {
        guard let id = codec.tokenizer.id(ofToken: text) else {
          throw PavlovError.runtime("\(name): stop: \(Format.quoted(text)) is not one token of this tokenizer", hint: "stop tokens are single tokens, e.g. \".\" for a char tokenizer")
        }
        stops.insert(id)
      }
    }
    self.stops = stops
    context = model.context
  }

  func checkFits(_ rows: [[Int64]], _ what: String) throws(PavlovError) {
    if let (i, p) = rows.enumerated().first(where: { $0.element.count + maxTokens > context }) {
      throw PavlovError.runtime("\(what): prompt \(i + 1) (\(p.count) tokens) plus max_tokens \(maxTokens) exceeds the model's context of \(context)",
                                hint: "lower max_tokens or use a model with a larger ctx")
    }
  }

  /// `adjust` rewrites each step's logits (ILQL's decoding).
  func generate(_ model: GPT, _ rows: [[Int64]], _ codec: TextCodec, _ interpreter: Interpreter,
                adjust: GPT.LogitAdjustment? = nil) throws(PavlovError) -> [[Int64]] {
    try checkFits(rows, name)
    var out: [[Int64]] = []
    for start in stride(from: 0, to: rows.count, by: 128) {
      out += try CoreBridge.run {
        try Autograd.noGrad {
          try model.generate(Array(rows[start..<Swift.min(rows.count, start + 128)]), maxTokens: maxTokens, temperature: temperature, topK: topK, topP: topP,
                             stop: stops.union([codec.endOfText]), generator: Stdlib.generator(for: interpreter), adjust: adjust)
        }
      }
    }
    return out
  }
}
