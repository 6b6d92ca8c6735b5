import PavlovLang
import PavlovTensor

/// A Pavlov value that owns trainable parameters (a model): optimizers and `clip_grad_norm`
/// accept it wherever they take a list of parameters.
public protocol ParameterProvider: AnyObject {
  /// The tensors an optimizer should update, in a stable order (checkpoint state is indexed by it).
  var parameterTensors: [Tensor] { get }
}

/// An `Optimizer` as a Pavlov value (native type "optimizer").
final class OptimizerValue: PObject {
  let optimizer: Optimizer

  nonisolated(unsafe) static let nativeType: NativeType = OptimBindings.makeType()

  init(_ optimizer: Optimizer) {
    self.optimizer = optimizer
    super.init(type: OptimizerValue.nativeType)
  }

  override var displayString: String {
    let o = optimizer
    let n = o.params.count
    return "<\(o.kind.name): \(n) parameter\(n == 1 ? "" : "s"), lr \(Format.display(TensorBindings.float(o.lr))), \(o.stepCount) step\(o.stepCount == 1 ? "" : "s")>"
  }
}

/// `sgd`, `adam`, `adamw` and `clip_grad_norm`: torch.optim's optimizers (same update rules),
/// with optional gradient clipping and learning-rate schedules built in.
enum OptimBindings {
  static let scheduleKeys: [String: [String]] = [
    "constant": ["kind", "warmup"],
    "linear": ["kind", "steps", "end", "warmup"],
    "cosine": ["kind", "steps", "min_lr", "warmup"],
  ]

  static func register(_ r: Registry) {
    r.family("optimizers")
    r.addType(OptimizerValue.nativeType)

    let paramsParam = Param("params", doc: "the tensors to train: a list of param(...) tensors, a model, or a list or record mixing them")
    let decayDoc = "L2 penalty: adds weight_decay·p to each gradient"
    let clipParam = Param("max_grad_norm", default: .null, doc: "when set, gradients are clipped to this total L2 norm before every step", range: .positive)
    let scheduleParam = Param("schedule", default: .null,
                              doc: "nil (constant lr) or a record: {kind: \"cosine\", steps: 1000, warmup: 100, min_lr: 0} (down to min_lr), {kind: \"linear\", steps: 1000, end: 0.0} (down to end·lr), {kind: \"constant\", warmup: 10}; warmup steps rise linearly from 0")
    let betasParam = Param("betas", default: .list(PList([.float(0.9), .float(0.999)])), doc: "[beta1, beta2]: the decay rates of the moment estimates")
    let epsParam = Param("eps", default: .float(1e-8), doc: "added to the denominator for stability", range: .nonNegative)

    r.function("sgd", [
      paramsParam,
      Param("lr", default: .float(0.01), doc: "the learning rate", range: .nonNegative),
      Param("momentum", default: .int(0), doc: "the momentum factor (0: plain gradient descent)", range: .nonNegative),
      Param("nesterov", default: .bool(false), doc: "use Nesterov momentum (needs momentum > 0)"),
      Param("weight_decay", default: .int(0), doc: decayDoc, range: .nonNegative),
      clipParam, scheduleParam,
    ], doc: "Stochastic gradient descent with optional momentum, as torch.optim.SGD.") { args in
      let params = try parameters(args[0], "sgd")
      let momentum = try number(args, 2), nesterov = try args.bool(3)
      return try make(.sgd(momentum: momentum, nesterov: nesterov), params, args, lr: 1, betas: nil, eps: nil, decay: 4, clip: 5, schedule: 6, "sgd")
    }

    r.function("adam", [
      paramsParam,
      Param("lr", default: .float(0.001), doc: "the learning rate", range: .nonNegative),
      betasParam, epsParam,
      Param("weight_decay", default: .int(0), doc: decayDoc + " (use adamw for decoupled decay)", range: .nonNegative),
      clipParam, scheduleParam,
    ], doc: "The Adam optimizer, as torch.optim.Adam (bias-corrected moment estimates).") { args in
      let params = try parameters(args[0], "adam")
      return try make(.adam, params, args, lr: 1, betas: 2, eps: 3, decay: 4, clip: 5, schedule: 6, "adam")
    }

    r.function("adamw", [
      paramsParam,
      Param("lr", default: .float(0.001), doc: "the learning rate", range: .nonNegative),
      betasParam, epsParam,
      Param("weight_decay", default: .float(0.01), doc: "decoupled decay: every step multiplies the weights by 1 - lr·weight_decay", range: .nonNegative),
      clipParam, scheduleParam,
    ], doc: "Adam with decoupled weight decay, as torch.optim.AdamW.") { args in
      let params = try parameters(args[0], "adamw")
      return try make(.adamw, params, args, lr: 1, betas: 2, eps: 3, decay: 4, clip: 5, schedule: 6, "adamw")
    }

    r.function("clip_grad_norm", [
      Param("params", doc: "the tensors whose .grad to clip: a list of tensors, a model, or a list or record mixing them"),
      Param("max_norm", doc: "the largest allowed total L2 norm of all gradients together", range: .positive),
    ], doc: "Scales the gradients in place so their total L2 norm is at most max_norm (torch.nn.utils.clip_grad_norm_); returns the norm before clipping.") { args in
      let params = try parameters(args[0], "clip_grad_norm", requireParams: false)
      let maxNorm = try number(args, 1)
      let norm = clipGradNorm(params, maxNorm: maxNorm)
      guard norm.isFinite else {
        throw PavlovError.runtime("clip_grad_norm: the gradient norm is \(norm.isNaN ? "nan" : "inf")", hint: nonFiniteHint)
      }
      return TensorBindings.float(norm)
    }
  }

  static let nonFiniteHint = "a gradient is not finite: look for log(0), division by zero or values that blow up in the loss"

  /// Builds an optimizer from the shared arguments (indices into `args`; nil: not a parameter).
  static func make(_ kind: Optimizer.Kind, _ params: [Tensor], _ args: Args, lr: Int, betas: Int?, eps: Int?,
                   decay: Int, clip: Int, schedule: Int, _ name: String) throws(PavlovError) -> Value {
    var pair: (Float, Float) = (0.9, 0.999)
    if let betas {
      guard case .list(let l) = args[betas], l.items.count == 2,
            let b1 = numeric(l.items[0]), let b2 = numeric(l.items[1]) else {
        throw args.typeError(betas, "a list of two numbers [beta1, beta2]")
      }
      pair = (Float(b1), Float(b2))
    }
    let clipNorm: Float? = args.isNull(clip) ? nil : try number(args, clip)
    let sched = try self.schedule(args[schedule], name)
    let rate = try number(args, lr), decayValue = try number(args, decay)
    let epsValue: Float = eps == nil ? 1e-8 : try number(args, eps!)
    let optimizer = try CoreBridge.run { () throws -> Optimizer in
      try Optimizer(kind, params: params, lr: rate, betas: pair, eps: epsValue, weightDecay: decayValue, maxGradNorm: clipNorm, schedule: sched)
    }
    return .object(OptimizerValue(optimizer))
  }

  // MARK: - The optimizer type

  static func makeType() -> NativeType {
    let t = NativeType(name: "optimizer", doc: "Updates parameters from their gradients; made by sgd(...), adam(...) or adamw(...).")

    t.method("step", [Param("loss", default: .null, doc: "a scalar loss tensor: zero_grad, backward, clip and update in one call; nil: update from the gradients already there")],
             doc: "One update. step(loss) returns the gradient norm before clipping (and fails on a nan/inf norm); step() returns nil.") { args in
      let opt = try optimizer(args.receiver)
      if args.isNull(0) {
        try CoreBridge.run { try opt.step() }
        return .null
      }
      guard case .object(let o) = args[0], let loss = (o as? TensorValue)?.tensor else {
        throw args.typeError(0, "a loss tensor (or nil)")
      }
      let norm = try CoreBridge.run { try opt.step(loss: loss) }
      return TensorBindings.float(norm)
    }
    t.method("zero_grad", doc: "Clears the gradient of every parameter (their .grad becomes nil).") { args in
      try optimizer(args.receiver).zeroGrad()
      return .null
    }
    t.method("state", doc: "The optimizer's state (step counts, moment or momentum buffers) as a record of tensors, for save_tensors.") { args in
      let out = PRecord()
      for (name, tensor) in try optimizer(args.receiver).stateTensors() { out[name] = TensorValue.wrap(tensor) }
      return .record(out)
    }
    t.method("load_state", [Param("state", doc: "a record of tensors from state() (or load_tensors), for the same parameters")],
             doc: "Restores state saved by state(), so training resumes where it stopped.") { args in
      let opt = try optimizer(args.receiver)
      let record = try args.record(0)
      var tensors: [(String, Tensor)] = []
      for (key, value) in zip(record.keys, record.values) {
        guard case .object(let o) = value, let t = (o as? TensorValue)?.tensor else {
          throw PavlovError.runtime("load_state: state[\(Format.quoted(key.text))] must be a tensor, got \(value.typeName)")
        }
        tensors.append((key.text, t))
      }
      try CoreBridge.run { try opt.loadState(tensors) }
      return .null
    }

    t.property("lr", doc: "The base learning rate (assignable); the schedule scales it.", get: { v in
      TensorBindings.float(try optimizer(v).lr)
    }, set: { v, newValue in
      let opt = try optimizer(v)
      guard let lr = numeric(newValue), lr >= 0, lr.isFinite else {
        throw PavlovError.runtime("optimizer.lr must be a non-negative number, got \(Format.repr(newValue, limit: 40))")
      }
      opt.lr = Float(lr)
    })
    t.property("current_lr", doc: "The learning rate the next step will use (the schedule applied to lr).") { v in
      TensorBindings.float(try optimizer(v).currentLR)
    }
    t.property("steps", doc: "The number of updates made so far.") { v in .int(try optimizer(v).stepCount) }
    t.property("params", doc: "The parameters being trained, as a list of tensors.") { v in
      .list(try optimizer(v).params.map { TensorValue.wrap($0) })
    }
    return t
  }

  // MARK: - Helpers

  static func optimizer(_ v: Value) throws(PavlovError) -> Optimizer {
    if case .object(let o) = v, let opt = o as? OptimizerValue { return opt.optimizer }
    throw PavlovError.runtime("expected an optimizer, got \(v.typeName)")
  }

  /// The tensors of a `params` argument: a tensor, a ParameterProvider, or a list or record of them.
  /// Tensors given directly must be parameters (unless `requireParams` is false).
  static func parameters(_ v: Value, _ name: String, requireParams: Bool = true) throws(PavlovError) -> [Tensor] {
    var out: [Tensor] = []
    func collect(_ item: Value, _ path: String, depth: Int) throws(PavlovError) {
      switch item {
      case .object(let o):
        if let t = (o as? TensorValue)?.tensor {
          guard t.dtype == .float32 else {
            throw PavlovError.runtime("\(name): \(path) is an \(t.dtype.rawValue) tensor; only float tensors can be trained")
          }
          guard t.requiresGrad || !requireParams else {
            throw PavlovError.runtime("\(name): \(path) is not a parameter (it does not require a gradient)",
                                      hint: "make it with param(...) or call .requires_grad()")
          }
          out.append(t)
          return
        }
        if let provider = o as? ParameterProvider {
          out.append(contentsOf: provider.parameterTensors)
          return
        }
      case .list(let l) where depth == 0:
        for (i, x) in l.items.enumerated() { try collect(x, "params[\(i)]", depth: 1) }
        return
      case .record(let r) where depth == 0:
        for (k, x) in zip(r.keys, r.values) { try collect(x, "params[\(Format.quoted(k.text))]", depth: 1) }
        return
      default: break
      }
      throw PavlovError.runtime("\(name): \(path) must be a tensor or a model, got \(item.typeName)",
                                hint: depth == 0 ? "pass a list of parameters, e.g. \(name)([w, b])" : nil)
    }
    try collect(v, "params", depth: 0)
    return out
  }

  static func numeric(_ v: Value) -> Double? {
    switch v.scalarOrSelf {
    case .int(let i): return Double(i)
    case .float(let d): return d
    default: return nil
    }
  }

  /// A number argument as a Float, checked against its parameter's range.
  static func number(_ args: Args, _ i: Int) throws(PavlovError) -> Float {
    Float(try args.float(i))
  }

  /// A schedule record, checked key by key.
  static func schedule(_ v: Value, _ name: String) throws(PavlovError) -> LRSchedule {
    if v.isNull { return .constant() }
    let example = "e.g. {kind: \"cosine\", steps: 1000, warmup: 100}"
    guard case .record(let r) = v else {
      throw PavlovError.runtime("\(name): schedule must be a record or nil, got \(v.typeName)", hint: example)
    }
    guard case .string(let kindString)? = r["kind"] else {
      throw PavlovError.runtime("\(name): the schedule needs a kind: \"constant\", \"linear\" or \"cosine\"", hint: example)
    }
    let kind = kindString.value
    guard let valid = scheduleKeys[kind] else {
      throw PavlovError.runtime("\(name): unknown schedule kind \(Format.quoted(kind)); valid kinds: \"constant\", \"linear\", \"cosine\"")
    }
    for key in r.keys where !valid.contains(key.text) {
      throw PavlovError.runtime("\(name): unknown key \(Format.quoted(key.text)) in a \(kind) schedule; valid keys: \(valid.joined(separator: ", "))")
    }
    func int(_ key: String, _ fallback: Int?) throws(PavlovError) -> Int {
      guard let value = r[key] else {
        guard let fallback else {
          throw PavlovError.runtime("\(name): a \(kind) schedule needs \(key) (the total number of steps); valid keys: \(valid.joined(separator: ", "))")
        }
        return fallback
      }
      guard case .int(let n) = value.scalarOrSelf else {
        throw PavlovError.runtime("\(name): schedule \(key) must be an int, got \(value.typeName) (\(Format.repr(value, limit: 40)))")
      }
      return n
    }
    func float(_ key: String, _ fallback: Float) throws(PavlovError) -> Float {
      guard let value = r[key] else { return fallback }
      guard let d = numeric(value) else {
        throw PavlovError.runtime("\(name): schedule \(key) must be a number, got \(value.typeName) (\(Format.repr(value, limit: 40)))")
      }
      return Float(d)
    }
    switch kind {
    case "linear": return .linear(endFactor: try float("end", 0), totalSteps: try int("steps", nil), warmup: try int("warmup", 0))
    case "cosine": return .cosine(totalSteps: try int("steps", nil), minLR: try float("min_lr", 0), warmup: try int("warmup", 0))
    default: return .constant(warmup: try int("warmup", 0))
    }
  }
}
