import PavlovCore
import CPavlovKernels
import Glibc

/// How the learning rate changes over training, as a factor of the base rate, with an optional
/// linear warmup. Steps are counted from 0 (the number of updates already made), following
/// Hugging Face transformers' schedules (`get_cosine_schedule_with_warmup` and friends):
///
/// - warmup: for `step < warmup`, lr = base · step / warmup (so the very first update uses 0);
/// - then `progress = min(1, (step - warmup) / (totalSteps - warmup))` and
///   - constant: base;
///   - linear: base · (1 + (endFactor - 1) · progress), reaching base · endFactor at `totalSteps`;
///   - cosine: minLR + (base - minLR) · (1 + cos(π · progress)) / 2, as PyTorch's CosineAnnealingLR.
///
/// After `totalSteps` the rate stays at its final value.
public enum LRSchedule: Equatable, Sendable {
  case constant(warmup: Int = 0)
  /// Linear decay from base to base · endFactor over totalSteps (warmup included).
  case linear(endFactor: Float, totalSteps: Int, warmup: Int = 0)
  /// Half a cosine from base down to minLR (an absolute rate) over totalSteps (warmup included).
  case cosine(totalSteps: Int, minLR: Float = 0, warmup: Int = 0)

  public var warmup: Int {
    switch self {
    case .constant(let w), .linear(_, _, let w), .cosine(_, _, let w): return w
    }
  }

  /// The learning rate of the update that follows `step` updates.
  public func lr(base: Float, step: Int) -> Float {
    let step = Swift.max(step, 0)
    let w = warmup
    if step < w { return Float(Double(base) * Double(step) / Double(w)) }
    func progress(_ total: Int) -> Double {
      guard total > w else { return 1 }
      return Swift.min(1, Double(step - w) / Double(total - w))
    }
    switch self {
    case .constant:
      return base
    case .linear(let end, let total, _):
      return Float(Double(base) * (1 + (Double(end) - 1) * progress(total)))
    case .cosine(let total, let minLR, _):
      let p = progress(total)
      return Float(Double(minLR) + (Double(base) - Double(minLR)) * (1 + cos(Double.pi * p)) / 2)
    }
  }

  /// Why the schedule is invalid, or nil.
  func problem() -> String? {
    if warmup < 0 { return "the warmup cannot be negative (got \(warmup))" }
    switch self {
    case .constant: return nil
    case .linear(let end, let total, let w):
      if total <= 0 { return "the number of steps must be positive (got \(total))" }
      if w > total { return "the warmup (\(w) steps) is longer than the schedule (\(total) steps)" }
      if !end.isFinite || end < 0 { return "the end factor must be a non-negative number (got \(end))" }
      return nil
    case .cosine(let total, let minLR, let w):
      if total <= 0 { return "the number of steps must be positive (got \(total))" }
      if w > total { return "the warmup (\(w) steps) is longer than the schedule (\(total) steps)" }
      if !minLR.isFinite || minLR < 0 { return "the minimum learning rate must be a non-negative number (got \(minLR))" }
      return nil
    }
  }
}

/// The total L2 norm of the gradients of `params` (computed in Double; parameters without a
/// gradient are skipped), and — when it exceeds `maxNorm` — every gradient scaled in place by
/// maxNorm / (norm + 1e-6), as `torch.nn.utils.clip_grad_norm_`. Returns the norm before
/// clipping. A NaN or infinite norm is returned as is and the gradients are left alone.
@discardableResult
public func clipGradNorm(_ params: [Tensor], maxNorm: Float) -> Float {
  let norm = gradNorm(params)
  scaleGrads(params, norm: norm, maxNorm: maxNorm)
  return Float(norm)
}

/// The total L2 norm of the gradients, in Double.
func gradNorm(_ params: [Tensor]) -> Double {
  var total = 0.0
  for p in params {
    guard let g = p.grad else { continue }
    g.data.withUnsafeBufferPointer { b in
      // Four accumulators so the loop vectorizes.
      var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
      let n = b.count, n4 = n & ~3
      var i = 0
      while i < n4 {
        let a0 = Double(b[i]), a1 = Double(b[i + 1]), a2 = Double(b[i + 2]), a3 = Double(b[i + 3])
        s0 += a0 * a0; s1 += a1 * a1; s2 += a2 * a2; s3 += a3 * a3
        i += 4
      }
      while i < n { let a = Double(b[i]); s0 += a * a; i += 1 }
      total += (s0 + s1) + (s2 + s3)
    }
  }
  return total.squareRoot()
}

/// Scales the gradients by maxNorm / (norm + 1e-6) when that is below 1 (PyTorch's rule).
func scaleGrads(_ params: [Tensor], norm: Double, maxNorm: Float) {
  guard norm.isFinite else { return }
  let coefficient = Double(maxNorm) / (norm + 1e-6)
  guard coefficient < 1 else { return }
  let c = Float(coefficient)
  for p in params {
    guard let g = p.grad else { continue }
    g.withMutableData { data in
      data.withUnsafeMutableBufferPointer { b in
        for i in 0..<b.count { b[i] *= c }
      }
    }
  }
}

/// A first-order optimizer over a list of parameters, with PyTorch's update rules
/// (torch.optim.SGD, Adam and AdamW, single-tensor CPU path, no amsgrad, no dampening):
///
/// - SGD: g ← grad + wd·p; with momentum μ: b ← μ·b + g (b = g on the first step), then
///   g ← g + μ·b (nesterov) or g ← b; p ← p − lr·g.
/// - Adam: g ← grad + wd·p (L2); m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²;
///   p ← p − lr/(1−β1ᵗ) · m / (√v/√(1−β2ᵗ) + ε), with t counted per parameter.
/// - AdamW: p ← p·(1 − lr·wd) (decoupled decay), then the Adam step without L2.
///
/// Parameters whose gradient is nil are skipped (their state and step count do not advance).
/// The learning rate of each update comes from `schedule` applied to the base rate `lr` at
/// `stepCount`. Updates run in place on the parameters' storage, outside autograd.
public final class Optimizer {
  public enum Kind: Equatable, Sendable {
    case sgd(momentum: Float, nesterov: Bool)
    case adam
    case adamw

    /// "sgd", "adam" or "adamw".
    public var name: String {
      switch self {
      case .sgd: return "sgd"
      case .adam: return "adam"
      case .adamw: return "adamw"
      }
    }

    var isAdam: Bool { self == .adam || self == .adamw }
  }

  /// The per-parameter state: Adam's moments and step count, or SGD's momentum buffer.
  /// Empty arrays until the parameter's first update.
  final class State {
    var expAvg: [Float] = []
    var expAvgSq: [Float] = []
    var momentum: [Float] = []
    var steps = 0
  }

  public let kind: Kind
  /// The parameters, each once (duplicates are dropped, so tied weights update once).
  public let params: [Tensor]
  /// The base learning rate; the schedule scales it.
  public var lr: Float
  public var betas: (Float, Float)
  public var eps: Float
  public var weightDecay: Float
  /// When set, gradients are clipped to this total L2 norm before every update.
  public var maxGradNorm: Float?
  public var schedule: LRSchedule
  /// The number of updates made so far.
  public private(set) var stepCount = 0
  private var states: [State]

  /// Throws when a hyperparameter is out of range or a parameter is not a float tensor.
  public init(_ kind: Kind, params: [Tensor], lr: Float, betas: (Float, Float) = (0.9, 0.999), eps: Float = 1e-8,
              weightDecay: Float = 0, maxGradNorm: Float? = nil, schedule: LRSchedule = .constant()) throws {
    var seen = Set<ObjectIdentifier>()
    var unique: [Tensor] = []
    for (i, p) in params.enumerated() {
      guard !p.isInteger else {
        throw CoreError("\(kind.name): parameter \(i) is an \(p.dtype.rawValue) tensor; only float tensors can be optimized")
      }
      if seen.insert(ObjectIdentifier(p)).inserted { unique.append(p) }
    }
    guard !unique.isEmpty else {
      throw CoreError("\(kind.name): there are no parameters to optimize", hint: "pass a list of param(...) tensors or a model")
    }
    self.kind = kind
    self.params = unique
    self.lr = lr
    self.betas = betas
    self.eps = eps
    self.weightDecay = weightDecay
    self.maxGradNorm = maxGradNorm
    self.schedule = schedule
    self.states = unique.map { _ in State() }
    if let problem = hyperparameterProblem() { throw CoreError("\(kind.name): \(problem)") }
  }

  /// Why the hyperparameters are invalid (PyTorch's checks), or nil.
  func hyperparameterProblem() -> String? {
    if !lr.isFinite || lr < 0 { return "the learning rate must be a non-negative number (got \(lr))" }
    if !weightDecay.isFinite || weightDecay < 0 { return "the weight decay must be a non-negative number (got \(weightDecay))" }
    if let m = maxGradNorm, !(m > 0) || !m.isFinite { return "max_grad_norm must be a positive number (got \(m))" }
    switch kind {
    case .sgd(let momentum, let nesterov):
      if !momentum.isFinite || momentum < 0 { return "the momentum must be a non-negative number (got \(momentum))" }
      if nesterov && momentum == 0 { return "nesterov momentum needs a momentum above 0" }
    case .adam, .adamw:
      if !(0 <= betas.0 && betas.0 < 1) { return "beta1 must be in [0, 1) (got \(betas.0))" }
      if !(0 <= betas.1 && betas.1 < 1) { return "beta2 must be in [0, 1) (got \(betas.1))" }
      if !eps.isFinite || eps < 0 { return "eps must be a non-negative number (got \(eps))" }
    }
    if let problem = schedule.problem() { return "schedule: \(problem)" }
    return nil
  }

  /// The learning rate the next update will use (the schedule at `stepCount`).
  public var currentLR: Float { schedule.lr(base: lr, step: stepCount) }

  /// Clears every parameter's gradient.
  public func zeroGrad() {
    for p in params { p.zeroGrad() }
  }

  /// One update from the gradients already accumulated (clipped first when `maxGradNorm` is set).
  public func step() throws {
    if let maxNorm = maxGradNorm { scaleGrads(params, norm: gradNorm(params), maxNorm: maxNorm) }
    try update()
  }

  /// The one-call training step: clears the gradients, runs `loss.backward()`, clips (when
  /// `maxGradNorm` is set) and updates. Returns the total gradient norm before clipping (the
  /// caller already has the loss). A NaN or infinite norm throws before any parameter changes,
  /// naming the step; the gradients are left for inspection.
  @discardableResult
  public func step(loss: Tensor) throws -> Float {
    zeroGrad()
    try loss.backward()
    let norm = gradNorm(params)
    guard norm.isFinite else {
      throw CoreError("step \(stepCount + 1): the gradient norm is \(norm.isNaN ? "nan" : "inf")",
                        hint: "the loss or a gradient is not finite: look for log(0), division by zero or values that blow up; a lower learning rate or max_grad_norm can keep the weights in range")
    }
    if let maxNorm = maxGradNorm { scaleGrads(params, norm: norm, maxNorm: maxNorm) }
    try update()
    return Float(norm)
  }

  /// Applies the update rule to every parameter that has a gradient.
  private func update() throws {
    for (i, p) in params.enumerated() {
      if let g = p.grad, g.count != p.count {
        throw CoreError("\(kind.name): the gradient of parameter \(i) has shape \(Shape.describe(g.shape)), but the parameter has shape \(Shape.describe(p.shape))")
      }
    }
    let lrT = currentLR
    for (i, p) in params.enumerated() {
      guard let g = p.grad else { continue }
      let state = states[i]
      switch kind {
      case .sgd(let momentum, let nesterov): sgdUpdate(p, g, state, lr: lrT, momentum: momentum, nesterov: nesterov)
      case .adam: adamUpdate(p, g, state, lr: lrT, decoupled: false)
      case .adamw: adamUpdate(p, g, state, lr: lrT, decoupled: true)
      }
    }
    stepCount += 1
  }

  private func sgdUpdate(_ p: Tensor, _ g: Tensor, _ state: State, lr: Float, momentum: Float, nesterov: Bool) {
    let wd = weightDecay
    let first = state.momentum.isEmpty
    if momentum != 0 && first { state.momentum = [Float](repeating: 0, count: p.count) }
    state.steps += 1
    g.data.withUnsafeBufferPointer { grad in
      p.withMutableData { data in
        data.withUnsafeMutableBufferPointer { param in
          if momentum == 0 {
            for i in 0..<param.count {
              let d = wd != 0 ? grad[i] + wd * param[i] : grad[i]
              param[i] -= lr * d
            }
            return
          }
          state.momentum.withUnsafeMutableBufferPointer { buf in
            for i in 0..<param.count {
              let d = wd != 0 ? grad[i] + wd * param[i] : grad[i]
              let b = first ? d : momentum * buf[i] + d
              buf[i] = b
              let step = nesterov ? d + momentum * b : b
              param[i] -= lr * step
            }
          }
        }
      }
    }
  }

  private func adamUpdate(_ p: Tensor, _ g: Tensor, _ state: State, lr: Float, decoupled: Bool) {
    if state.expAvg.isEmpty {
      state.expAvg = [Float](repeating: 0, count: p.count)
      state.expAvgSq = [Float](repeating: 0, count: p.count)
    }
    state.steps += 1
    let (beta1, beta2) = betas
    let biasCorrection1 = 1 - PortableMath.power(Double(beta1), state.steps)
    let biasCorrection2Sqrt = (1 - PortableMath.power(Double(beta2), state.steps)).squareRoot()
    let stepSize = Float(Double(lr) / biasCorrection1)
    let invBc2 = 1 / Float(biasCorrection2Sqrt)  // PyTorch divides by a scalar as a multiply by its reciprocal
    let decay: Float = decoupled ? 1 - lr * weightDecay : 1
    let l2: Float = decoupled ? 0 : weightDecay
    let oneMinusBeta1 = 1 - beta1, oneMinusBeta2 = 1 - beta2
    let eps = self.eps
    g.data.withUnsafeBufferPointer { grad in
      p.withMutableData { data in
        data.withUnsafeMutableBufferPointer { param in
          state.expAvg.withUnsafeMutableBufferPointer { m in
            state.expAvgSq.withUnsafeMutableBufferPointer { v in
              // Eight lanes at a time, then the tail; each lane does exactly the scalar
              // arithmetic, so the result does not depend on the split.
              // Large parameters are updated in two parts on two cores (each element's update is
              // independent, so the split cannot change a bit).
              guard let pp = param.baseAddress, let gp = grad.baseAddress, let mp = m.baseAddress, let vp = v.baseAddress else { return }
              Parallel.forEachPart(param.count, minimumPerPart: 1 << 15) { _, range in
                let at = range.lowerBound
                pv_adam(pp + at, gp + at, mp + at, vp + at, range.count, decoupled ? 1 : 0, decay, l2,
                        oneMinusBeta1, beta2, oneMinusBeta2, invBc2, eps, stepSize)
              }
            }
          }
        }
      }
    }
  }

  // MARK: - Checkpoint state

  /// The optimizer's state as named tensors, for checkpoints: "step" (int64 scalar: updates
  /// made) and, per parameter index i that has state, "exp_avg.i", "exp_avg_sq.i" and "step.i"
  /// (Adam, AdamW) or "momentum.i" (SGD with momentum). Buffers have the parameter's shape.
  public func stateTensors() -> [(String, Tensor)] {
    var out: [(String, Tensor)] = [("step", Tensor(shape: [], ints: [Int64(stepCount)]))]
    for (i, (p, s)) in zip(params, states).enumerated() {
      if !s.expAvg.isEmpty {
        out.append(("exp_avg.\(i)", Tensor(shape: p.shape, data: s.expAvg)))
        out.append(("exp_avg_sq.\(i)", Tensor(shape: p.shape, data: s.expAvgSq)))
        out.append(("step.\(i)", Tensor(shape: [], ints: [Int64(s.steps)])))
      }
      if !s.momentum.isEmpty { out.append(("momentum.\(i)", Tensor(shape: p.shape, data: s.momentum))) }
    }
    return out
  }

  /// Restores state saved by `stateTensors()` (of an optimizer of the same kind over
  /// parameters of the same shapes). Everything is checked before anything changes; parameters
  /// without entries start fresh.
  public func loadState(_ tensors: [(String, Tensor)]) throws {
    let adam = kind.isAdam
    let validNames = adam ? "\"step\", \"exp_avg.i\", \"exp_avg_sq.i\" and \"step.i\"" : "\"step\" and \"momentum.i\""
    func fail(_ message: String, hint: String? = nil) -> CoreError {
      CoreError("\(kind.name) state: \(message)", hint: hint)
    }
    func count(_ name: String, _ t: Tensor) throws -> Int {
      guard t.count == 1 else { throw fail("\"\(name)\" must be a single number, got shape \(Shape.describe(t.shape))") }
      let value = t.isInteger ? Double(t.ints[0]) : Double(t.data[0])
      guard value >= 0, value == value.rounded(), value < 9e15 else {
        throw fail("\"\(name)\" must be a whole number of steps, got \(value)")
      }
      return Int(value)
    }
    var globalStep: Int?
    let fresh = params.map { _ in State() }
    var seen = Set<String>()
    for (name, t) in tensors {
      guard seen.insert(name).inserted else { throw fail("\"\(name)\" appears twice") }
      if name == "step" { globalStep = try count(name, t); continue }
      let parts = name.split(separator: ".", maxSplits: 1)
      guard parts.count == 2, let index = Int(parts[1]), String(index) == parts[1] else {
        throw fail("unknown entry \"\(name)\"", hint: "expected \(validNames), with i a parameter index")
      }
      let field = String(parts[0])
      let known = ["exp_avg", "exp_avg_sq", "step", "momentum"]
      guard known.contains(field) else {
        throw fail("unknown entry \"\(name)\"", hint: "expected \(validNames), with i a parameter index")
      }
      guard (field == "momentum") != adam else {
        let other = adam ? "SGD" : "Adam"
        throw fail("\"\(name)\" is \(other) state, but this optimizer is \(kind.name)",
                   hint: "load the state into an optimizer of the kind that saved it")
      }
      if field == "momentum", case .sgd(let momentum, _) = kind, momentum == 0 {
        throw fail("\"\(name)\" is a momentum buffer, but this optimizer has no momentum")
      }
      guard index >= 0, index < params.count else {
        throw fail("\"\(name)\" refers to parameter \(index), but the optimizer has \(params.count) parameter\(params.count == 1 ? "" : "s")",
                   hint: "the state was saved for a different model")
      }
      let p = params[index]
      if field == "step" { fresh[index].steps = try count(name, t); continue }
      guard t.shape == p.shape else {
        throw fail("\"\(name)\" has shape \(Shape.describe(t.shape)), but parameter \(index) has shape \(Shape.describe(p.shape))",
                   hint: "the state was saved for a different model")
      }
      guard !t.isInteger else { throw fail("\"\(name)\" must be a float tensor, got \(t.dtype.rawValue)") }
      switch field {
      case "exp_avg": fresh[index].expAvg = t.data
      case "exp_avg_sq": fresh[index].expAvgSq = t.data
      default: fresh[index].momentum = t.data
      }
    }
    guard let globalStep else { throw fail("the \"step\" entry is missing", hint: "expected \(validNames)") }
    if adam {
      for (i, s) in fresh.enumerated() {
        let has = [!s.expAvg.isEmpty, !s.expAvgSq.isEmpty, seen.contains("step.\(i)")]
        guard has.allSatisfy({ $0 }) || !has.contains(true) else {
          let missing = zip(["exp_avg.\(i)", "exp_avg_sq.\(i)", "step.\(i)"], has).filter { !$0.1 }.map { "\"\($0.0)\"" }
          throw fail("parameter \(i) has partial state: \(missing.joined(separator: " and ")) \(missing.count == 1 ? "is" : "are") missing")
        }
      }
    }
    stepCount = globalStep
    states = fresh
  }
}
