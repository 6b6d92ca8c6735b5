import PavlovCore
import CPavlovKernels
import Glibc

// Probability distributions for policies, as in `torch.distributions`: a categorical
// distribution over K actions and a diagonal Gaussian. Everything that should be
// differentiable (log-probabilities, entropies, KL divergences, reparameterized samples) is
// built from differentiable tensor operations, so gradients flow back to the parameters.
//
// Both carry a batch shape: a categorical distribution made from logits of shape (..., K) is
// a batch of independent distributions of shape (...); a normal distribution's batch shape is
// its mean and standard deviation broadcast together (each element its own 1-D Gaussian, so
// `logProb` and `entropy` are per element; sum over the last axis for a diagonal Gaussian).

/// A distribution over the categories 0..<K, one per batch row.
public struct Categorical {
  /// The normalized log-probabilities (log-softmax of the given logits), shape (..., K).
  public let logits: Tensor
  /// The probabilities, shape (..., K); each row sums to 1.
  public let probs: Tensor
  /// The number of categories K.
  public let categories: Int

  /// The shape of the batch of distributions: the logits' shape without its last axis.
  public var batchShape: [Int] { Array(logits.shape.dropLast()) }

  /// From unnormalized log-probabilities (any real numbers; -inf rules a category out).
  public init(logits given: Tensor) throws {
    let raw = try Categorical.checkedRows(given, what: "logits")
    for (k, v) in raw.data.enumerated() {
      if v.isNaN { throw CoreError("categorical: the logits contain nan (element \(k))", hint: "the network producing them has probably diverged") }
      if v == .infinity { throw CoreError("categorical: the logits contain inf (element \(k))", hint: "logits must be finite or -inf") }
    }
    let k = raw.shape[raw.rank - 1]
    for row in 0..<(raw.count / Swift.max(k, 1)) where raw.data[(row * k)..<((row + 1) * k)].allSatisfy({ $0 == -.infinity }) {
      throw CoreError("categorical: every logit of row \(row) is -inf, so no category is possible",
                        hint: "at least one category per row needs a finite logit (check the action mask)")
    }
    logits = try raw.logSoftmax(axis: -1)
    probs = logits.exp()
    categories = k
  }

  /// From probabilities (non-negative; each row is divided by its sum, so weights will do).
  public init(probs given: Tensor) throws {
    let raw = try Categorical.checkedRows(given, what: "probs")
    for (k, v) in raw.data.enumerated() where !(v >= 0 && v.isFinite) {
      throw CoreError("categorical: probabilities must be finite and non-negative, got \(v) (element \(k))",
                        hint: v.isNaN ? "the network producing them has probably diverged" : "pass logits: for unnormalized log-probabilities")
    }
    let k = raw.shape[raw.rank - 1]
    for row in 0..<(raw.count / Swift.max(k, 1)) where raw.data[(row * k)..<((row + 1) * k)].allSatisfy({ $0 == 0 }) {
      throw CoreError("categorical: the probabilities of row \(row) are all 0", hint: "each row needs at least one positive probability")
    }
    probs = try raw / (try raw.sum(axis: -1, keepdim: true))
    // A zero probability gives a -inf logit, as a -inf logit gives a zero probability.
    logits = probs.logOfProbabilities()
    categories = k
  }

  /// A float tensor of rank >= 1 with a non-empty last axis.
  private static func checkedRows(_ t: Tensor, what: String) throws -> Tensor {
    guard t.rank >= 1 else {
      throw CoreError("categorical: \(what) must have at least one axis (the categories), got a scalar",
                        hint: "e.g. a vector of shape (K,) or a batch of shape (B, K)")
    }
    guard t.shape[t.rank - 1] > 0 else {
      throw CoreError("categorical: \(what) of shape \(Shape.describe(t.shape)) have no categories (the last axis is empty)")
    }
    return t.converted(to: .float32)
  }

  /// One category per distribution of the batch: an int64 tensor of shape `shape + batchShape`.
  /// Inverse-CDF sampling with one `nextDouble()` per sample, so a seed fixes the samples.
  /// No gradient flows through a sample.
  public func sample(shape sampleShape: [Int] = [], generator: SeededGenerator) -> Tensor {
    let k = categories
    let rows = probs.count / k
    let draws = Shape.count(sampleShape)
    var out = [Int64](repeating: 0, count: draws * rows)
    // The last category with positive probability: the answer if rounding leaves u beyond the total.
    var lastPositive = [Int](repeating: k - 1, count: rows)
    var totals = [Double](repeating: 0, count: rows)
    probs.data.withUnsafeBufferPointer { p in
      for r in 0..<rows {
        for j in 0..<k where p[r * k + j] > 0 { lastPositive[r] = j; totals[r] += Double(p[r * k + j]) }
      }
      for d in 0..<draws {
        for r in 0..<rows {
          let target = generator.nextDouble() * totals[r]
          var cumulative = 0.0
          var chosen = lastPositive[r]
          for j in 0..<k {
            cumulative += Double(p[r * k + j])
            if target < cumulative { chosen = j; break }
          }
          out[d * rows + r] = Int64(chosen)
        }
      }
    }
    return Tensor(shape: sampleShape + batchShape, ints: out)
  }

  /// The log-probability of each action: `actions` holds category indices (int64, or floats
  /// with whole values) in a shape that broadcasts with the batch shape; the result has the
  /// broadcast shape. Differentiable with respect to the logits (or probabilities).
  public func logProb(_ actions: Tensor) throws -> Tensor {
    let batch = batchShape
    guard let outShape = Shape.broadcast(actions.shape, batch) else {
      throw CoreError("categorical.log_prob: actions of shape \(Shape.describe(actions.shape)) do not match the batch shape \(Shape.describe(batch))",
                        hint: "pass one action per distribution, i.e. shape \(Shape.describe(batch))")
    }
    let k = categories
    let indices = try Categorical.actionIndices(actions, categories: k, op: "categorical.log_prob")
    // Each output element reads logits[row, action]: its batch row and its action, broadcast.
    var source = [Int](repeating: 0, count: Shape.count(outShape))
    let rowStrides = Shape.broadcastStrides(batch, to: outShape)
    let actionStrides = Shape.broadcastStrides(actions.shape, to: outShape)
    Broadcast.forEachIndex(outShape, rowStrides, actionStrides) { io, row, a in source[io] = row * k + indices[a] }
    return logits.picking(outShape, source, "log_prob")
  }

  /// Category indices from an int64 tensor, or a float one holding whole numbers, each checked
  /// to be in 0..<categories.
  static func actionIndices(_ actions: Tensor, categories k: Int, op: String) throws -> [Int] {
    var out = [Int](repeating: 0, count: actions.count)
    for i in 0..<actions.count {
      let v: Int64
      if actions.isInteger {
        v = actions.ints[i]
      } else {
        let f = actions.data[i]
        guard f.isFinite, f == f.rounded() else {
          throw CoreError("\(op): actions must be whole numbers (category indices), got \(f)")
        }
        v = Int64(f)
      }
      guard v >= 0 && v < Int64(k) else {
        throw CoreError("\(op): action \(v) is out of range for \(k) categories", hint: "valid actions are 0 to \(k - 1)")
      }
      out[i] = Int(v)
    }
    return out
  }

  /// The entropy -Σ p log p of each distribution (shape: the batch shape); differentiable.
  public func entropy() throws -> Tensor {
    // Categories ruled out (-inf logits) contribute 0 · (finite) = 0, not 0 · -inf = nan.
    let finite = logits.clipped(min: -Float.greatestFiniteMagnitude, max: nil)
    // Summing p · (-log p), rather than negating the sum, gives +0 (not -0) for a certain outcome.
    return try (probs * (-finite)).sum(axis: -1)
  }

  /// The most likely category of each distribution (ties: the first), an int64 tensor of the
  /// batch shape.
  public func mode() throws -> Tensor {
    let indices = try logits.argmax(axis: -1)
    return Tensor(shape: batchShape, ints: indices.map { Int64($0) })
  }
}

extension Tensor {
  /// The natural logarithm of probabilities: log 0 = -inf, with a zero gradient there rather
  /// than the nan (0 / 0) of `log()`.
  func logOfProbabilities() -> Tensor {
    let x = self
    return Tensor.result(shape, data.map { $0 > 0 ? pv_logf($0) : -.infinity }, "log", [x]) { g in
      [g.zipData(x) { gi, xi in xi > 0 ? gi / xi : 0 }]
    }
  }
}

/// Independent normal distributions N(mean, std²), one per element of the batch shape (mean
/// and std broadcast together).
public struct Normal {
  /// The means, broadcast to the batch shape.
  public let mean: Tensor
  /// The standard deviations (all positive), broadcast to the batch shape.
  public let std: Tensor

  public var batchShape: [Int] { mean.shape }
  /// The variances std².
  public var variance: Tensor { std.pow(2) }

  /// log √(2π)
  static let halfLogTwoPi: Float = 0.918_938_533_204_672_7

  public init(mean givenMean: Tensor, std givenStd: Tensor) throws {
    let m = givenMean.converted(to: .float32), s = givenStd.converted(to: .float32)
    guard let shape = Shape.broadcast(m.shape, s.shape) else {
      throw CoreError.shapes("normal", m.shape, s.shape, hint: "the mean and the std must broadcast together")
    }
    if let bad = m.data.firstIndex(where: { $0.isNaN }) {
      throw CoreError("normal: the mean contains nan (element \(bad))", hint: "the network producing it has probably diverged")
    }
    if let bad = s.data.firstIndex(where: { !($0 > 0) || $0.isInfinite }) {
      throw CoreError("normal: the std must be positive and finite, got \(s.data[bad]) (element \(bad))",
                        hint: "make it positive, e.g. log_std.exp() for a learned log standard deviation")
    }
    mean = m.shape == shape ? m : try m + Tensor.zeros(shape)
    std = s.shape == shape ? s : try s + Tensor.zeros(shape)
  }

  /// Samples of shape `shape + batchShape` (mean + std·ε, ε standard normal from `generator`),
  /// cut off from autograd.
  public func sample(shape sampleShape: [Int] = [], generator: SeededGenerator) throws -> Tensor {
    try Autograd.noGrad { try rsample(shape: sampleShape, generator: generator) }.detached()
  }

  /// Reparameterized samples mean + std·ε: gradients flow to the mean and the std.
  public func rsample(shape sampleShape: [Int] = [], generator: SeededGenerator) throws -> Tensor {
    let noise = Tensor.randn(sampleShape + batchShape, generator: generator)
    return try mean + std * noise
  }

  /// The log-density of `x` under each element's Gaussian (shape: x and the batch broadcast):
  /// -(x - mean)² / (2 std²) - log std - log √(2π). Differentiable in x, the mean and the std.
  public func logProb(_ x: Tensor) throws -> Tensor {
    guard Shape.broadcast(x.shape, batchShape) != nil else {
      throw CoreError("normal.log_prob: a value of shape \(Shape.describe(x.shape)) does not match the batch shape \(Shape.describe(batchShape))",
                        hint: "the value must broadcast with the mean and std")
    }
    let z = try (x.converted(to: .float32) - mean) / std
    return try (try (try z * z) * -0.5) - std.log() - Normal.halfLogTwoPi
  }

  /// The entropy ½ + log √(2π) + log std of each element (the batch shape); differentiable.
  public func entropy() throws -> Tensor {
    try std.log() + (0.5 + Normal.halfLogTwoPi)
  }

  /// The most likely value: the mean.
  public func mode() -> Tensor { mean }
}

/// KL(p ‖ q) = Σ p (log p - log q) for each pair of distributions (shape: the batch shapes
/// broadcast). Infinite where q rules out a category p allows; differentiable.
public func kl(_ p: Categorical, _ q: Categorical) throws -> Tensor {
  guard p.categories == q.categories else {
    throw CoreError("kl: the distributions have different numbers of categories (\(p.categories) and \(q.categories))")
  }
  guard Shape.broadcast(p.batchShape, q.batchShape) != nil else {
    throw CoreError("kl: batch shapes \(Shape.describe(p.batchShape)) and \(Shape.describe(q.batchShape)) do not match",
                      hint: "the batches must broadcast together")
  }
  // Ruled-out categories (-inf logits) are clipped to a finite value first, so no inf or nan
  // enters the products (or their gradients); `where` then puts the exact answers back:
  // 0 · log 0 = 0 where p rules a category out, and an infinite divergence where only q does.
  let lowest = -Float.greatestFiniteMagnitude
  let difference = try p.logits.clipped(min: lowest, max: nil) - q.logits.clipped(min: lowest, max: nil)
  let terms = try p.probs * difference
  let zero = Tensor(scalar: 0)
  let qImpossible = try Tensor.where(try q.logits.compare(.eq, Tensor(scalar: -.infinity)), Tensor(scalar: .infinity), terms)
  let guarded = try Tensor.where(try p.probs.compare(.eq, zero), zero, qImpossible)
  return try guarded.sum(axis: -1)
}

/// KL(p ‖ q) for normal distributions, element by element:
/// log(σq/σp) + (σp² + (μp - μq)²) / (2σq²) - ½. Differentiable.
public func kl(_ p: Normal, _ q: Normal) throws -> Tensor {
  guard Shape.broadcast(p.batchShape, q.batchShape) != nil else {
    throw CoreError("kl: batch shapes \(Shape.describe(p.batchShape)) and \(Shape.describe(q.batchShape)) do not match",
                      hint: "the batches must broadcast together")
  }
  let ratio = try p.std / q.std
  let varianceRatio = try ratio * ratio
  let shift = try (try p.mean - q.mean) / q.std
  let t1 = try shift * shift
  return try (try (try varianceRatio + t1) - 1 - varianceRatio.log()) * 0.5
}
