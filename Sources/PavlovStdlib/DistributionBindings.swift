import PavlovLang
import PavlovTensor

/// A categorical distribution as a Pavlov value.
final class CategoricalValue: PObject {
  let distribution: Categorical

  nonisolated(unsafe) static let nativeType: NativeType = DistributionBindings.makeCategoricalType()

  init(_ distribution: Categorical) {
    self.distribution = distribution
    super.init(type: CategoricalValue.nativeType)
  }

  override var displayString: String {
    let batch = distribution.batchShape
    return "<categorical: \(distribution.categories) categories" + (batch.isEmpty ? "" : ", batch shape \(Shape.describe(batch))") + ">"
  }
}

/// A normal (Gaussian) distribution as a Pavlov value.
final class NormalValue: PObject {
  let distribution: Normal

  nonisolated(unsafe) static let nativeType: NativeType = DistributionBindings.makeNormalType()

  init(_ distribution: Normal) {
    self.distribution = distribution
    super.init(type: NormalValue.nativeType)
  }

  override var displayString: String {
    let batch = distribution.batchShape
    return "<normal" + (batch.isEmpty ? "" : ": batch shape \(Shape.describe(batch))") + ">"
  }
}

/// `categorical(...)`, `normal(...)` and `kl(p, q)`: probability distributions for policies, as in
/// torch.distributions. Sampling draws from the interpreter's seeded generator, so `seed(n)`
/// fixes the samples; log_prob, entropy and kl are differentiable.
enum DistributionBindings {
  static func register(_ r: Registry) {
    r.family("distributions")
    r.addType(CategoricalValue.nativeType)
    r.addType(NormalValue.nativeType)

    r.function("categorical", [
      Param("logits", default: .null, doc: "unnormalized log-probabilities of shape (..., K), a tensor or list (-inf rules an action out)"),
      Param("probs", default: .null, doc: "instead of logits: non-negative weights of shape (..., K), each row divided by its sum"),
    ], doc: "A categorical distribution over the actions 0 to K-1 (one per row of a batch), from logits or probs.") { args in
      switch (args.isNull(0), args.isNull(1)) {
      case (true, true):
        throw PavlovError.runtime("categorical: pass the logits or the probabilities",
                                  hint: "categorical(logits) or categorical(probs: [0.2, 0.8])")
      case (false, false):
        throw PavlovError.runtime("categorical: pass the logits or the probabilities, not both")
      case (false, true):
        let logits = try parameter(args[0], name: "categorical", what: "logits")
        return .object(CategoricalValue(try CoreBridge.run { try Categorical(logits: logits) }))
      case (true, false):
        let probs = try parameter(args[1], name: "categorical", what: "probs")
        return .object(CategoricalValue(try CoreBridge.run { try Categorical(probs: probs) }))
      }
    }

    r.function("normal", [
      Param("mean", doc: "the means: a number, list or tensor"),
      Param("std", doc: "the standard deviations (positive): a number, list or tensor that broadcasts with mean"),
    ], doc: "Independent normal (Gaussian) distributions N(mean, std²), one per element of mean and std broadcast together.") { args in
      let mean = try parameter(args[0], name: "normal", what: "mean")
      let std = try parameter(args[1], name: "normal", what: "std")
      return .object(NormalValue(try CoreBridge.run { try Normal(mean: mean, std: std) }))
    }

    r.function("kl", [
      Param("p", doc: "a categorical or normal distribution"),
      Param("q", doc: "a distribution of the same kind, with a batch shape that broadcasts with p's"),
    ], doc: "The KL divergence KL(p ‖ q) of each distribution of the batch, a tensor (differentiable).") { args in
      switch (args[0], args[1]) {
      case (.object(let a as CategoricalValue), .object(let b as CategoricalValue)):
        return TensorValue.wrap(try CoreBridge.run { try kl(a.distribution, b.distribution) })
      case (.object(let a as NormalValue), .object(let b as NormalValue)):
        return TensorValue.wrap(try CoreBridge.run { try kl(a.distribution, b.distribution) })
      default:
        guard isDistribution(args[0]) else { throw args.typeError(0, "a distribution (categorical or normal)") }
        guard isDistribution(args[1]) else { throw args.typeError(1, "a distribution (categorical or normal)") }
        throw PavlovError.runtime("kl: both distributions must be of the same kind, got \(args[0].typeName) and \(args[1].typeName)")
      }
    }
  }

  // MARK: - Types

  static let sampleShapeParam = Param("shape", kind: .variadic,
                                      doc: "none for one sample per distribution; sizes (e.g. sample(1000)) for that many more leading axes")

  static func makeCategoricalType() -> NativeType {
    let t = NativeType(name: "categorical", doc: "A batch of categorical distributions over the actions 0 to K-1; made by categorical(logits) or categorical(probs: p).")

    t.property("probs", doc: "The probabilities, shape (..., K); each row sums to 1.") { v in TensorValue.wrap(try categorical(v).probs) }
    t.property("logits", doc: "The normalized log-probabilities (log_softmax of the logits), shape (..., K).") { v in
      TensorValue.wrap(try categorical(v).logits)
    }
    t.property("batch_shape", doc: "The shape of the batch of distributions: the logits' shape without the last axis.") { v in
      .list(try categorical(v).batchShape.map { .int($0) })
    }

    t.method("sample", [sampleShapeParam],
             doc: "Random actions, an int tensor of the batch shape (sample(n): shape (n, ...)); seed(n) fixes them.") { args in
      let d = try categorical(args.receiver)
      let shape = try sampleShape(args[0], batch: d.batchShape + [d.logits.shape.last ?? 1])
      return TensorValue.wrap(d.sample(shape: shape, generator: Stdlib.generator(for: args.interpreter)))
    }
    t.method("log_prob", [Param("actions", doc: "actions (ints in 0 to K-1): an int, list or tensor that broadcasts with the batch shape")],
             doc: "The log-probability of each action, a tensor (differentiable in the logits or probs).") { args in
      let d = try categorical(args.receiver)
      let actions = try actionTensor(args[0])
      return TensorValue.wrap(try CoreBridge.run { try d.logProb(actions) })
    }
    t.method("entropy", doc: "The entropy -Σ p·log p of each distribution, a tensor of the batch shape (differentiable).") { args in
      TensorValue.wrap(try CoreBridge.run { try categorical(args.receiver).entropy() })
    }
    t.method("mode", doc: "The most likely action of each distribution (ties: the first), an int tensor of the batch shape.") { args in
      TensorValue.wrap(try CoreBridge.run { try categorical(args.receiver).mode() })
    }
    return t
  }

  static func makeNormalType() -> NativeType {
    let t = NativeType(name: "normal", doc: "Independent normal distributions N(mean, std²), element by element; made by normal(mean, std).")

    t.property("mean", doc: "The means, broadcast to the batch shape.") { v in TensorValue.wrap(try normal(v).mean) }
    t.property("stddev", doc: "The standard deviations, broadcast to the batch shape.") { v in TensorValue.wrap(try normal(v).std) }
    t.property("variance", doc: "The variances std².") { v in TensorValue.wrap(try normal(v).variance) }
    t.property("batch_shape", doc: "The shape of the batch: mean and std broadcast together.") { v in
      .list(try normal(v).batchShape.map { .int($0) })
    }

    t.method("sample", [sampleShapeParam],
             doc: "Random values mean + std·ε of the batch shape (sample(n): shape (n, ...)), without gradient; seed(n) fixes them.") { args in
      let d = try normal(args.receiver)
      let shape = try sampleShape(args[0], batch: d.batchShape)
      return TensorValue.wrap(try CoreBridge.run { try d.sample(shape: shape, generator: Stdlib.generator(for: args.interpreter)) })
    }
    t.method("rsample", [sampleShapeParam],
             doc: "Reparameterized random values mean + std·ε: gradients flow back to the mean and std.") { args in
      let d = try normal(args.receiver)
      let shape = try sampleShape(args[0], batch: d.batchShape)
      return TensorValue.wrap(try CoreBridge.run { try d.rsample(shape: shape, generator: Stdlib.generator(for: args.interpreter)) })
    }
    t.method("log_prob", [Param("x", doc: "values: a number, list or tensor that broadcasts with the batch shape")],
             doc: "The log-density of each value, per element (sum over the last axis for a diagonal Gaussian); differentiable.") { args in
      let d = try normal(args.receiver)
      let x = try parameter(args[0], name: "normal.log_prob", what: "x")
      return TensorValue.wrap(try CoreBridge.run { try d.logProb(x) })
    }
    t.method("entropy", doc: "The entropy ½·log(2πe·std²) of each element, a tensor of the batch shape (differentiable).") { args in
      TensorValue.wrap(try CoreBridge.run { try normal(args.receiver).entropy() })
    }
    t.method("mode", doc: "The most likely value: the mean, broadcast to the batch shape.") { args in
      TensorValue.wrap(try normal(args.receiver).mode())
    }
    return t
  }

  // MARK: - Helpers

  static func categorical(_ v: Value) throws(PavlovError) -> Categorical {
    if case .object(let o) = v, let d = o as? CategoricalValue { return d.distribution }
    throw PavlovError.runtime("expected a categorical distribution, got \(v.typeName)")
  }

  static func normal(_ v: Value) throws(PavlovError) -> Normal {
    if case .object(let o) = v, let d = o as? NormalValue { return d.distribution }
    throw PavlovError.runtime("expected a normal distribution, got \(v.typeName)")
  }

  static func isDistribution(_ v: Value) -> Bool {
    guard case .object(let o) = v else { return false }
    return o is CategoricalValue || o is NormalValue
  }

  /// A tensor argument as given (so gradients flow back to it), or a number or list as a new tensor.
  static func parameter(_ v: Value, name: String, what: String) throws(PavlovError) -> Tensor {
    if case .object(let o) = v, let t = o as? TensorValue { return t.tensor }
    switch v {
    case .int, .float, .list: return try TensorBindings.fromValue(v, name: "\(name): \(what)")
    default: throw PavlovError.runtime("\(name): \(what) must be a number, a list or a tensor, got \(v.typeName)")
    }
  }

  /// Actions for `log_prob`: an int is a scalar int tensor; lists and tensors are checked there.
  static func actionTensor(_ v: Value) throws(PavlovError) -> Tensor {
    if case .int(let i) = v { return Tensor(shape: [], ints: [Int64(i)]) }
    return try parameter(v, name: "categorical.log_prob", what: "actions")
  }

  /// The leading sample axes: ints given one by one (`sample(10, 2)`) or one list. With the
  /// distribution's `batch` shape after them, they must fit the allocation limit.
  static func sampleShape(_ v: Value, batch: [Int]) throws(PavlovError) -> [Int] {
    guard case .list(let given) = v else { return [] }
    var items = given.items
    if items.count == 1, case .list(let inner) = items[0] { items = inner.items }
    var out: [Int] = []
    for item in items {
      guard case .int(let n) = item, n >= 0 else {
        throw PavlovError.runtime("sample: sizes must be non-negative ints, got \(Format.repr(item, limit: 40))", hint: "e.g. d.sample(1000)")
      }
      out.append(n)
    }
    try CoreBridge.run { () throws -> Void in try AllocationLimit.elements(out + batch, "sample") }
    return out
  }
}
