import PavlovLang
import PavlovTensor

/// A `Module` as a Pavlov value: callable (`model(x)`), with parameters, modes and checkpoints.
public final class ModelValue: PObject, ParameterProvider {
  public let module: Module

  nonisolated(unsafe) public static let nativeType: NativeType = NNBindings.makeType()

  public init(_ module: Module) {
    self.module = module
    super.init(type: ModelValue.nativeType)
  }

  public var parameterTensors: [Tensor] { module.parameters }
  public override var displayString: String { module.describe() }
}

/// Layer and model builders (`linear`, `mlp`, `gpt`, `lora`, ...), loss functions, and the
/// methods of the `model` type.
enum NNBindings {
  static func register(_ r: Registry) {
    r.addType(ModelValue.nativeType)
    let initParam = Param("init", default: .str("default"), doc: "\"default\" (PyTorch's), \"orthogonal\" or \"normal\"")
    let gainParam = Param("gain", default: .float(1), doc: "orthogonal: the scale (√2 for hidden layers, 0.01 for a policy head); normal: the std", range: .nonNegative)

    r.function("linear", [Param("inputs", doc: "the input size"), Param("outputs", doc: "the output size"),
                          Param("bias", default: .bool(true), doc: "whether to add a learned bias"), initParam, gainParam],
               doc: "A linear layer y = x·Wᵀ + b (W of shape [outputs, inputs], as PyTorch).") { args in
      let rng = Stdlib.generator(for: args.interpreter)
      let initialization = try initializationArg(args, 3, 4)
      let inputs = try size(args, 0), outputs = try size(args, 1)
      try checkWeights("linear", [outputs, inputs])
      return wrap(Linear(inputs, outputs, bias: try args.bool(2), initialization: initialization, generator: rng))
    }

    r.function("mlp", [Param("sizes", doc: "the layer sizes, input first: [4, 64, 64, 2]"),
                       Param("act", default: .str("tanh"), doc: "the hidden activation: tanh, relu, sigmoid, gelu"),
                       Param("out_act", default: .null, doc: "an activation after the last layer (nil: none)"),
                       initParam, gainParam,
                       Param("out_gain", default: .null, doc: "orthogonal init: the gain of the last layer (e.g. 0.01 for a policy, 1 for a value)")],
               doc: "A multi-layer perceptron: linear layers with `act` between them.") { args in
      let rng = Stdlib.generator(for: args.interpreter)
      let sizes = try TensorBindings.shape(.list(PList([args[0]])), name: "mlp", isTensorShape: false)
      for (a, b) in zip(sizes, sizes.dropFirst()) { try checkWeights("mlp", [b, a]) }
      let act = try activation(args, 1)
      let outAct = args.isNull(2) ? nil : try activation(args, 2)
      let initialization = try initializationArg(args, 3, 4)
      var outInit: Initialization? = nil
      if !args.isNull(5) {
        guard case .orthogonal = initialization else { throw PavlovError.runtime("mlp: out_gain needs init: \"orthogonal\"") }
        outInit = .orthogonal(gain: Float(try args.float(5)))
      }
      return try CoreBridge.run { () throws -> Value in
        wrap(try Sequential.mlp(sizes, activation: act, outputActivation: outAct, initialization: initialization, outputInitialization: outInit, generator: rng))
      }
    }

    r.function("sequential", [Param("layers", doc: "a list of models/layers, applied in order")],
               doc: "Layers applied one after another.") { args in
      let list = try args.list(0)
      var modules: [Module] = []
      for (k, item) in list.items.enumerated() {
        guard case .object(let o) = item, let m = o as? ModelValue else {
          throw PavlovError.runtime("sequential: item \(k) is \(item.typeName), not a layer", hint: "use layers such as linear(4, 8), or activation(\"relu\")")
        }
        modules.append(m.module)
      }
      return wrap(Sequential(modules))
    }

    r.function("activation", [Param("name", doc: "tanh, relu, sigmoid, gelu or identity")], doc: "An activation function as a layer (for sequential).") { args in
      wrap(Activation(try activation(args, 0)))
    }

    r.function("embedding", [Param("count", doc: "the number of ids (rows)"), Param("dim", doc: "the size of each vector")],
               doc: "A table of learned vectors indexed by int64 ids (initialized N(0, 1), as PyTorch).") { args in
      let count = try size(args, 0), dim = try size(args, 1)
      try checkWeights("embedding", [count, dim])
      return wrap(Embedding(count, dim, generator: Stdlib.generator(for: args.interpreter)))
    }

    r.function("layer_norm", [Param("dim", doc: "the size of the last axis"), Param("eps", default: .float(1e-5), doc: "added to the variance", range: .nonNegative)],
               doc: "Layer normalization over the last axis with a learned scale and shift.") { args in
      wrap(LayerNorm(try size(args, 0), eps: Float(try args.float(1))))
    }

    r.function("dropout", [Param("p", doc: "the probability of zeroing each element while training")],
               doc: "Dropout (seeded; inactive after .eval()).") { args in
      let p = Float(try args.float(0))
      return try CoreBridge.run { () throws -> Value in wrap(try Dropout(p, generator: Stdlib.generator(for: args.interpreter))) }
    }

    r.function("attention", [Param("d", doc: "the model width"), Param("heads", doc: "the number of heads (dividing d)")],
               doc: "Multi-head causal self-attention on (batch, time, d) inputs.") { args in
      let d = try size(args, 0), heads = try size(args, 1)
      try checkWeights("attention", [4, d, d])
      return try CoreBridge.run { () throws -> Value in
        wrap(try CausalSelfAttention(dim: d, heads: heads, initialization: .standard, generator: Stdlib.generator(for: args.interpreter)))
      }
    }

    r.function("gpt", [Param("vocab", doc: "the vocabulary size"), Param("d", default: .int(128), doc: "the model width", range: .count),
                       Param("layers", default: .int(4), doc: "the number of transformer blocks", range: .nonNegative), Param("heads", default: .int(4), doc: "attention heads per block", range: .count),
                       Param("ctx", default: .int(64), doc: "the context length (positions)", range: .count), Param("dropout", default: .float(0), doc: "dropout in the blocks' MLPs", range: ParamRange(lower: 0, upper: 1, upperOpen: true))],
               doc: "A pre-LayerNorm GPT: model(ids) gives next-token logits; .generate(...) continues a prompt with a key/value cache.") { args in
      let vocab = try size(args, 0), d = try size(args, 1), layers = try size(args, 2, allowZero: true), heads = try size(args, 3), ctx = try size(args, 4)
      let p = Float(try args.float(5))
      try checkWeights("gpt", [vocab, d], [ctx, d], [layers, 12, d, d], [ctx, ctx])
      return try CoreBridge.run { () throws -> Value in
        wrap(try GPT(vocab: vocab, dim: d, layers: layers, heads: heads, context: ctx, dropout: p, generator: Stdlib.generator(for: args.interpreter)))
      }
    }

    r.function("scalar_head", [Param("d", doc: "the input size")],
               doc: "A value/reward head: linear(d, 1) whose output loses its last axis ((..., d) → (...)).") { args in
      let d = try size(args, 0)
      let rng = Stdlib.generator(for: args.interpreter)
      return wrap(Sequential([Linear(d, 1, initialization: .orthogonal(gain: 1), generator: rng), Squeeze()], label: "scalar_head(\(d))"))
    }

    r.function("lora", [Param("model", doc: "the model to adapt (changed in place)"), Param("rank", default: .int(8), doc: "the rank of each update", range: .count),
                        Param("alpha", default: .float(16), doc: "the update is scaled by alpha / rank", range: .positive)],
               doc: "Freezes the model and adds low-rank adapters to its linear layers (not the output head); returns the model.") { args in
      let m = try model(args[0])
      let rank = try args.int(1), alpha = Float(try args.float(2))
      _ = try CoreBridge.run { try m.module.addLoRA(rank: rank, alpha: alpha, generator: Stdlib.generator(for: args.interpreter)) }
      return args[0]
    }

    // Losses.
    let pred = Param("prediction", doc: "the model's output"), target = Param("target", doc: "the wanted values, same shape")
    r.function("mse_loss", [pred, target], doc: "Mean squared error.") { args in
      let a = try TensorBindings.operandOrTensor(args[0], "mse_loss"), b = try TensorBindings.operandOrTensor(args[1], "mse_loss")
      return try CoreBridge.run { try Tensor.mseLoss(a, b) }
    }
    r.function("huber_loss", [pred, target, Param("delta", default: .float(1), doc: "where the loss turns from quadratic to linear", range: .positive)],
               doc: "Huber (smooth L1) loss, mean over elements: DQN's loss.") { args in
      let a = try TensorBindings.operandOrTensor(args[0], "huber_loss"), b = try TensorBindings.operandOrTensor(args[1], "huber_loss")
      let delta = Float(try args.float(2))
      return try CoreBridge.run { try Tensor.huberLoss(a, b, delta: delta) }
    }
    r.function("cross_entropy", [Param("logits", doc: "scores of shape (..., classes)"),
                                 Param("target", doc: "int64 class ids of shape (...), or probabilities shaped like logits"),
                                 Param("ignore_index", default: .null, doc: "a target id to leave out of the mean (e.g. padding)")],
               doc: "Cross-entropy of softmax(logits) against the targets, averaged.") { args in
      let logits = try TensorBindings.tensor(args[0])
      let t = try TensorBindings.fromValue(args[1], name: "cross_entropy")
      let ignore = args.isNull(2) ? nil : Int64(try args.int(2))
      return try CoreBridge.run { try Tensor.crossEntropy(logits, t, ignoreIndex: ignore) }
    }
    r.function("bce_with_logits", [Param("logits", doc: "scores (any shape)"), Param("target", doc: "0/1 (or soft) labels, same shape")],
               doc: "Binary cross-entropy of sigmoid(logits), computed stably, averaged.") { args in
      let a = try TensorBindings.tensor(args[0]), b = try TensorBindings.fromValue(args[1], name: "bce_with_logits", dtype: .float32)
      return try CoreBridge.run { try Tensor.binaryCrossEntropyWithLogits(a, b) }
    }
  }

  // MARK: - The model type

  static func makeType() -> NativeType {
    let t = NativeType(name: "model", doc: "A neural-network layer or model: call it on a tensor, train its params().")
    t.call = BuiltinFunction(name: "model", params: [Param("x", doc: "the input: a tensor (ids for gpt and embedding)")],
                             doc: "The model's output for x.") { args in
      let m = try model(args.receiver)
      let input = args[0].isTensor ? try TensorBindings.tensor(args[0]) : try TensorBindings.fromValue(args[0], name: "model input")
      return try CoreBridge.run { try m.module.forward(input) }
    }
    t.method("params", doc: "The trainable parameters, as a list of tensors (what optimizers take).") { args in
      .list(try model(args.receiver).module.parameters.map { TensorValue.wrap($0) })
    }
    t.method("named_params", doc: "Every parameter by its dotted name (a record), e.g. \"0.weight\".") { args in
      let r = PRecord()
      for (name, tensor) in try model(args.receiver).module.namedParameters() { r[.init(name)] = TensorValue.wrap(tensor) }
      return .record(r)
    }
    t.property("num_params", doc: "The number of parameter values (trainable or not).") { v in .int(try model(v).module.parameterCount) }
    t.property("dim", doc: "gpt: the width d of its hidden states (a value or reward head's input size).") { v in
      guard let g = try model(v).module as? GPT else { throw PavlovError.runtime("dim: only a gpt model has a hidden width; this is \(try model(v).module.summary)") }
      return .int(g.dim)
    }
    t.property("training", doc: "true in training mode, false after .eval().") { v in .bool(try model(v).module.training) }
    t.method("copy", doc: "A deep copy with its own parameters (e.g. a target network or a frozen reference).") { args in
      let m = try model(args.receiver)
      return try CoreBridge.run { () throws -> Value in wrap(try m.module.copy()) }
    }
    t.method("load_from", [Param("other", doc: "a model of the same architecture")],
             doc: "Copies the parameter values of `other` into this model (e.g. to sync a target network).") { args in
      let m = try model(args.receiver), o = try model(args[0])
      try CoreBridge.run { try m.module.loadValues(from: o.module) }
      return .null
    }
    t.method("freeze", doc: "Stops training every parameter; returns the model.") { args in
      try model(args.receiver).module.setFrozen(true)
      return args.receiver
    }
    t.method("unfreeze", doc: "Makes every parameter trainable again; returns the model.") { args in
      try model(args.receiver).module.setFrozen(false)
      return args.receiver
    }
    t.method("train", doc: "Training mode (dropout on); returns the model.") { args in
      try model(args.receiver).module.setTraining(true)
      return args.receiver
    }
    t.method("eval", doc: "Evaluation mode (dropout off); returns the model.") { args in
      try model(args.receiver).module.setTraining(false)
      return args.receiver
    }
    t.method("adapters", [Param("on", doc: "true to use the LoRA updates, false for the base model")],
             doc: "Switches LoRA adapters on or off (off: the frozen base model, e.g. an RLHF reference).") { args in
      try model(args.receiver).module.setAdapters(try args.bool(0))
      return .null
    }
    t.method("save", [Param("path", doc: "a .safetensors file to write (atomically)"), Param("metadata", default: .null, doc: "a record of hyperparameters to store")],
             doc: "Writes the parameters (by name) to a safetensors file PyTorch can load.") { args in
      let m = try model(args.receiver)
      let path = try args.string(0)
      var metadata: [String: String] = ["format": "pt", "pavlov_model": m.module.summary]
      if !args.isNull(1) {
        let record = try args.record(1)
        for (k, v) in zip(record.keys, record.values) { metadata[k.text] = Format.display(v) }
      }
      let bytes = try CoreBridge.run { try Safetensors.encode(m.module.namedParameters(), metadata: metadata) }
      try Posix.writeAtomically(path, bytes, "save")
      return .null
    }
    t.method("load", [Param("path", doc: "a safetensors file with this model's parameter names and shapes"),
                      Param("prefix", default: .str(""), doc: "read only the tensors whose names start with this, without it (a trainer checkpoint's \"model.policy.\"; see trainer.networks)")],
             doc: "Loads parameters saved by .save, by a trainer's save (with prefix:) or by PyTorch with the same names; lists every mismatch if they differ.") { args in
      let m = try model(args.receiver)
      let path = try args.string(0), prefix = try args.string(1)
      let bytes = try Posix.readBytes(path, "load", text: false)
      try CoreBridge.run { () throws -> Void in
        let contents = try Safetensors.decode(bytes, source: "load: \(path)")
        let chosen = contents.tensors.filter { $0.0.hasPrefix(prefix) }.map { (String($0.0.dropFirst(prefix.count)), $0.1) }
        guard !chosen.isEmpty else {
          throw CoreError("load: \(path) has no tensors named \(Format.quoted(prefix + "…"))", hint: "trainer checkpoints name each network's prefix in trainer.networks")
        }
        try Safetensors.match(chosen, into: m.module.namedParameters())
      }
      return .null
    }
    t.method("features", [Param("ids", doc: "int64 token ids (batch, time)")], doc: "gpt: the final hidden states (batch, time, d), for value and reward heads.") { args in
      guard let g = try model(args.receiver).module as? GPT else { throw PavlovError.runtime("features() is for gpt models") }
      let ids = try TensorBindings.fromValue(args[0], name: "features")
      return try CoreBridge.run { try g.features(ids) }
    }
    t.method("generate", [Param("prompt", doc: "token ids: a list (one sequence), a list of lists (a batch, lengths may differ), or an int64 tensor"),
                          Param("max_tokens", default: .int(32), doc: "how many tokens to add at most", range: .nonNegative),
                          Param("temperature", default: .float(1), doc: "0 for greedy decoding; higher is more random", range: .nonNegative),
                          Param("top_k", default: .null, doc: "sample among the k most likely tokens only", range: .count),
                          Param("top_p", default: .null, doc: "sample among the most likely tokens covering this probability", range: ParamRange(lower: 0, lowerOpen: true, upper: 1)),
                          Param("stop", default: .null, doc: "a token id that ends a sequence (kept in the output)")],
             doc: "gpt: continues the prompt using the key/value cache; returns the new token ids (list, or list of lists for a batch).") { args in
      guard let g = try model(args.receiver).module as? GPT else { throw PavlovError.runtime("generate() is for gpt models") }
      var single = false
      let rows: [[Int64]]
      if case .list(let items) = args[0], let first = items.items.first, case .list = first {
        rows = try LMBindings.idLists(args[0], "generate: prompt", vocab: g.vocab)  // a batch; prompts may differ in length
      } else {
        let prompt = try TensorBindings.fromValue(args[0], name: "generate", dtype: .int64)
        single = prompt.rank == 1
        rows = prompt.rank == 1 ? [prompt.ints] : (0..<(prompt.rank == 2 ? prompt.shape[0] : 0)).map { r in
          Array(prompt.ints[(r * prompt.shape[1])..<((r + 1) * prompt.shape[1])])
        }
        guard prompt.rank <= 2 else { throw PavlovError.runtime("generate: the prompt must be a list of ids or a batch (list of lists)") }
      }
      guard !rows.isEmpty, !rows.contains(where: \.isEmpty) else { throw PavlovError.runtime("generate: every prompt needs at least one token id") }
      for row in rows { for id in row where id < 0 || id >= Int64(g.vocab) {
        throw PavlovError.runtime("generate: token id \(id) is outside the vocabulary (0 to \(g.vocab - 1))")
      } }
      let maxTokens = try args.int(1)
      let temperature = Float(try args.float(2))
      let topK = args.isNull(3) ? nil : try args.int(3)
      let topP = args.isNull(4) ? nil : Float(try args.float(4))
      let stop = args.isNull(5) ? nil : Int64(try args.int(5))
      let out = try CoreBridge.run {
        try g.generate(rows, maxTokens: maxTokens, temperature: temperature, topK: topK, topP: topP, stop: stop.map { [$0] } ?? [], generator: Stdlib.generator(for: args.interpreter))
      }
      let lists = out.map { Value.list($0.map { .int(Int($0)) }) }
      return single ? lists[0] : .list(lists)
    }
    return t
  }

  // MARK: - Helpers

  static func wrap(_ m: Module) -> Value { .object(ModelValue(m)) }

  static func model(_ v: Value) throws(PavlovError) -> ModelValue {
    if case .object(let o) = v, let m = o as? ModelValue { return m }
    throw PavlovError.runtime("expected a model, got \(v.typeName)")
  }

  /// A layer's weight shapes, checked against the allocation limit before any is made: each size
  /// alone may be fine while their product is not (`linear(100000, 100000)`).
  static func checkWeights(_ name: String, _ shapes: [Int]...) throws(PavlovError) {
    try CoreBridge.run { () throws -> Void in for shape in shapes { try AllocationLimit.elements(shape, name) } }
  }

  static func size(_ args: Args, _ i: Int, allowZero: Bool = false) throws(PavlovError) -> Int {
    let n = try args.int(i)
    guard n > 0 || (allowZero && n == 0), n <= 1 << 24 else {
      throw args.typeError(i, allowZero ? "a size from 0 to 16777216" : "a positive size (at most 16777216)")
    }
    return n
  }

  static func activation(_ args: Args, _ i: Int) throws(PavlovError) -> Activation.Function {
    let name = try args.string(i)
    guard let f = Activation.Function(rawValue: name) else {
      throw PavlovError.runtime("unknown activation \(Format.quoted(name))", hint: "use one of: " + Activation.Function.allCases.map(\.rawValue).joined(separator: ", "))
    }
    return f
  }

  static func initializationArg(_ args: Args, _ i: Int, _ gainIndex: Int) throws(PavlovError) -> Initialization {
    let gain = Float(try args.float(gainIndex))
    switch try args.string(i) {
    case "default": return .standard
    case "orthogonal": return .orthogonal(gain: gain)
    case "normal": return .normal(std: gain)
    case let other:
      throw PavlovError.runtime("unknown init \(Format.quoted(other))", hint: "use \"default\", \"orthogonal\" (with gain:) or \"normal\" (gain is the std)")
    }
  }
}

/// Drops a trailing size-1 axis (the last step of a scalar head).
final class Squeeze: Module {
  init() { super.init(kind: "squeeze") }
  override func forward(_ x: Tensor) throws -> Tensor { try x.squeezed(-1) }
  override func copy() throws -> Module { Squeeze() }
}

extension Value {
  var isTensor: Bool {
    if case .object(let o) = self { return o is TensorValue }
    return false
  }
}
