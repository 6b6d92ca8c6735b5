import CPavlovSupport
import PavlovLM
import PavlovLang
import PavlovTensor

/// `ilql(model, tokenizer, dialogues, ...)`: implicit language Q-learning on logged multi-turn
/// dialogues; returns the learner, whose `generate` decodes with advantage-weighted logits.
enum ILQLBindings {
  static let options: [ConfigOption<ILQLConfig>] = [
    .choice("targets", \.targets, "\"td\": ILQL's one-step targets through V; \"mc\": the logged Monte-Carlo returns (LMRL-Gym's MC Returns)"),
    .int("steps", \.steps, "updates to make now (more with .train(steps: n))", .nonNegative),
    .int("batch", \.batchSize, "turns per update", .count),
    .float("lr", \.lr, "Adam's learning rate (the model and the heads)", .positive),
    .number("gamma", \.gamma, "the discount between turns (a response's tokens are one action)", .discount),
    .number("expectile", \.expectile, "τ of V's expectile regression on Q̂ of the logged tokens (0.5: their mean; near 1: their best)",
            ParamRange(lower: 0, lowerOpen: true, upper: 1, upperOpen: true)),
    .number("cql", \.cqlWeight, "α of the conservative term (cross-entropy of the Q logits toward the logged token)", .nonNegative),
    .number("bc", \.bcWeight, "the weight of the language-model loss on the logged responses (π_β)", .nonNegative),
    .number("target_tau", \.targetTau, "Polyak rate of the target Q heads after each update", ParamRange(lower: 0, lowerOpen: true, upper: 1)),
    .number("beta", \.beta, "decoding's default β in log π_β + β·(Q − V)", .nonNegative),
    .float("max_grad_norm", \.maxGradNorm, "gradients are clipped to this total L2 norm", .positive),
  ]

  static let params: [Param] = [
    LMBindings.modelParam, LMBindings.tokenizerParam,
    Param("dialogues", doc: "logged episodes: each a list of turns {prompt, response, reward} in order (the last turn ends the episode)"),
  ] + options.params(ILQLConfig()) + [
    Param("log_every", default: .int(0), doc: "print the losses every this many steps (0: quiet)", range: .nonNegative),
  ]

  static func register(_ r: Registry) {
    r.function("ilql", params, doc: "Implicit language Q-learning (Snell et al.) on logged dialogues: token-level Q and V heads on the model, expectile V, CQL, BC; .generate decodes with log π + β·(Q − V).") { args in
      let a = TrainerArguments(args: args, params: params, name: "ilql")
      let codec = try TextCodec(args[1])
      let model = try LMBindings.gpt(args[0], "ilql", for: codec)
      let config = try options.configured(ILQLConfig(), a)
      let dialogues = try self.dialogues(args[2], codec)
      let trainer = try CoreBridge.run("ilql") {
        try ILQLTrainer(model: model, dialogues: dialogues, config: config, padding: codec.endOfText, generator: Stdlib.generator(for: args.interpreter))
      }
      let value = ILQLValue(trainer, codec)
      _ = try value.train(config.steps, logEvery: try args.int(params.count - 1), args.interpreter)
      return .object(value)
    }
  }

  /// Episodes of {prompt, response, reward} records as token turns, encoded as sft encodes
  /// demonstrations; errors name the episode and the turn.
  static func dialogues(_ value: Value, _ codec: TextCodec) throws(PavlovError) -> [[DialogueTurn]] {
    let shape = "each dialogue is a list of {prompt: \"...\", response: \"...\", reward: 0.0} records"
    guard case .list(let episodes) = value else { throw PavlovError.runtime("ilql: dialogues must be a list of episodes, got \(value.typeName)", hint: shape) }
    var out: [[DialogueTurn]] = []
    for (e, episode) in episodes.items.enumerated() {
      guard case .list(let turns) = episode, !turns.items.isEmpty else {
        throw PavlovError.runtime("ilql: dialogues[\(e)] must be a non-empty list of turns, got \(Format.repr(episode, limit: 40))", hint: shape)
      }
      var dialogue: [DialogueTurn] = []
      for (t, turn) in turns.items.enumerated() {
        let at = "ilql: dialogues[\(e)][\(t)]"
        guard case .record(let r) = turn, case .string(let prompt)? = r["prompt"], case .string(let response)? = r["response"] else {
          throw PavlovError.runtime("\(at) needs string fields prompt and response, got \(Format.repr(turn, limit: 60))", hint: shape)
        }
        let reward: Double
        switch r["reward"] {
        case .int(let i)?: reward = Double(i)
        case .float(let x)? where x.isFinite: reward = x
        default: throw PavlovError.runtime("\(at) needs a finite number field reward, got \(r["reward"].map { Format.repr($0, limit: 20) } ?? "none")", hint: shape)
        }
        do {
          dialogue.append(DialogueTurn(prompt: try codec.prompt(prompt.value), response: try codec.answer(response.value), reward: reward))
        } catch { throw PavlovError.runtime("\(at): \(error.message)", hint: error.hint) }
      }
      out.append(dialogue)
    }
    guard !out.isEmpty else { throw PavlovError.runtime("ilql: there are no dialogues to learn from", hint: shape) }
    return out
  }
}

/// The learner `ilql` returns.
final class ILQLValue: PObject {
  let trainer: ILQLTrainer
  let codec: TextCodec
  nonisolated(unsafe) static let nativeType: NativeType = makeType()

  init(_ trainer: ILQLTrainer, _ codec: TextCodec) {
    self.trainer = trainer
    self.codec = codec
    super.init(type: ILQLValue.nativeType)
  }

  override var displayString: String { "<ilql on \(trainer.model.summary), \(trainer.turns.count) turns, \(trainer.history.count) steps>" }

  static func value(_ v: Value) throws(PavlovError) -> ILQLValue {
    guard case .object(let o as ILQLValue) = v else { throw PavlovError.runtime("expected an ilql learner, got \(v.typeName)", hint: "make one with ilql(model, tokenizer, dialogues)") }
    return o
  }

  static func record(_ s: ILQLTrainer.Stats) -> Value {
    .record(PRecord([("step", .int(s.step)), ("loss", .float(s.loss)), ("q_loss", .float(s.qLoss)), ("v_loss", .float(s.vLoss)),
                     ("cql_loss", .float(s.cqlLoss)), ("bc_loss", .float(s.bcLoss)), ("mean_q", .float(s.meanQ)), ("mean_v", .float(s.meanV))]))
  }

  func train(_ steps: Int, logEvery: Int, _ interpreter: Interpreter) throws(PavlovError) -> Value {
    let total = trainer.history.count + steps
    let stats = try CoreBridge.run("ilql") {
      try trainer.fit(steps: steps, generator: Stdlib.generator(for: interpreter)) { s in
        if pavlov_take_interrupt() != 0 { throw PavlovError.interrupted() }
        if logEvery > 0 && (s.step % logEvery == 0 || s.step == total) {
          let f = LMBindings.short
          interpreter.write("ilql step \(s.step)/\(total)  loss \(f(s.loss))  q \(f(s.qLoss))  v \(f(s.vLoss))  cql \(f(s.cqlLoss))  bc \(f(s.bcLoss))  mean Q \(f(s.meanQ))  V \(f(s.meanV))\n")
        }
      }
    }
    return .list(stats.map(Self.record))
  }

  static func makeType() -> NativeType {
    let t = NativeType(name: "ilql", doc: "An ILQL learner: a gpt model with token-level Q and V heads, trained on logged dialogues.")
    t.method("train", [Param("steps", default: .int(100), doc: "more updates to make", range: .nonNegative),
                       Param("log_every", default: .int(0), doc: "print the losses every this many steps (0: quiet)", range: .nonNegative)],
             doc: "Continues training; returns the new steps' statistics [{step, loss, q_loss, v_loss, cql_loss, bc_loss, mean_q, mean_v}].") { args in
      try value(args.receiver).train(try args.int(0), logEvery: try args.int(1), args.interpreter)
    }
    t.method("generate", [Param("prompts", doc: "a prompt string or a list of them (the dialogue so far, as in training)"),
                          Param("beta", default: .null, doc: "β of the advantage term (nil: the learner's beta; 0: the behaviour policy alone)", range: .nonNegative),
                         ] + LMBindings.generationParams,
             doc: "Answers sampled from log π_β(a|s) + β·(Q̂(s, a) − V(s)), token by token with the key/value cache: a string, or a list for a list.") { args in
      let v = try value(args.receiver)
      let (prompts, single) = try TextCodec.oneOrMany(args[0], "generate: prompts")
      let beta = args.isNull(1) ? v.trainer.config.beta : try args.float(1)
      let options = try GenerationOptions(args, from: 2, model: v.trainer.model, codec: v.codec, name: "generate")
      let rows = try TextCodec.each(prompts, "generate: prompts") { p throws(PavlovError) in try v.codec.prompt(p) }
      v.trainer.model.setTraining(false)
      let answers = try options.generate(v.trainer.model, rows, v.codec, args.interpreter, adjust: v.trainer.logitAdjustment(beta: beta))
      let texts = try answers.map { a throws(PavlovError) in Value.str(try v.codec.text(a)) }
      return single ? texts[0] : .list(PList(texts))
    }
    t.method("values", [Param("prompts", doc: "prompt strings (the dialogue so far)")],
             doc: "V(s) at the end of each prompt: the return the critic expects from there.") { args in
      let v = try value(args.receiver)
      let rows = try TextCodec.each(try TextCodec.strings(args[0], "values: prompts"), "values: prompts") { p throws(PavlovError) in try v.codec.prompt(p) }
      return .list(PList(try CoreBridge.run("values") { try v.trainer.values(prompts: rows) }.map { .float($0) }))
    }
    t.property("history", doc: "Every update's statistics so far.") { v in .list(PList(try value(v).trainer.history.map(record))) }
    t.property("model", doc: "The gpt model trained (the same object that was passed in).") { v in NNBindings.wrap(try value(v).trainer.model) }
    return t
  }
}
