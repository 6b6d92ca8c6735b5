import Foundation
import PavlovTensor
import XCTest

/// The optimizers against PyTorch's published update rules, recomputed here in Double, and
/// against values worked out by hand.
final class OptimizerTests: XCTestCase {
  // A tiny quadratic: f(p) = ½ Σ a_i (p_i − c_i)², so ∇f = a ⊙ (p − c).
  private let a: [Double] = [1, 3, 0.5]
  private let c: [Double] = [0.5, -1, 2]
  private let start: [Float] = [1, 2, -1]

  private func quadraticGrad(_ p: [Double]) -> [Double] { (0..<p.count).map { a[$0] * (p[$0] - c[$0]) } }

  /// Sets p.grad to the quadratic's gradient at p (as PyTorch's backward would).
  private func setQuadraticGrad(_ p: Tensor) {
    p.grad = Tensor(shape: p.shape, data: quadraticGrad(p.data.map(Double.init)).map(Float.init))
  }

  private func param(_ values: [Float]) -> Tensor { Tensor(shape: [values.count], data: values, requiresGrad: true) }

  private func assertClose(_ actual: [Float], _ expected: [Double], accuracy: Double = 1e-5,
                           file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(actual.count, expected.count, file: file, line: line)
    for (x, y) in zip(actual, expected) {
      XCTAssertEqual(Double(x), y, accuracy: accuracy * Swift.max(1, abs(y)), "\(actual) vs \(expected)", file: file, line: line)
    }
  }

  private func assertThrows(_ fragment: String, file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> Void) {
    do {
      try body()
      XCTFail("expected an error containing \"\(fragment)\"", file: file, line: line)
    } catch let e as CoreError {
      XCTAssertTrue(e.description.contains(fragment), "\"\(e.description)\" does not contain \"\(fragment)\"", file: file, line: line)
    } catch {
      XCTFail("unexpected error \(error)", file: file, line: line)
    }
  }

  /// Runs `steps` updates of `optimizer` on the quadratic and returns the parameter values.
  private func run(_ kind: Optimizer.Kind, steps: Int, lr: Float, weightDecay: Float = 0, betas: (Float, Float) = (0.9, 0.999),
                   schedule: LRSchedule = .constant()) throws -> [Float] {
    let p = param(start)
    let opt = try Optimizer(kind, params: [p], lr: lr, betas: betas, weightDecay: weightDecay, schedule: schedule)
    for _ in 0..<steps {
      setQuadraticGrad(p)
      try opt.step()
    }
    XCTAssertEqual(opt.stepCount, steps)
    return p.data
  }

  // MARK: - Reference implementations in Double (torch.optim's docs)

  private func referenceSGD(steps: Int, lr: Double, momentum: Double, nesterov: Bool, wd: Double) -> [Double] {
    var p = start.map(Double.init)
    var b: [Double]? = nil
    for _ in 0..<steps {
      var g = quadraticGrad(p)
      for i in 0..<p.count { g[i] += wd * p[i] }
      if momentum != 0 {
        if let old = b { b = (0..<p.count).map { momentum * old[$0] + g[$0] } } else { b = g }
        g = nesterov ? (0..<p.count).map { g[$0] + momentum * b![$0] } : b!
      }
      for i in 0..<p.count { p[i] -= lr * g[i] }
    }
    return p
  }

  private func referenceAdam(steps: Int, lr: Double, beta1: Double = 0.9, beta2: Double = 0.999, eps: Double = 1e-8,
                             wd: Double, decoupled: Bool) -> [Double] {
    var p = start.map(Double.init)
    var m = [Double](repeating: 0, count: p.count), v = m
    for t in 1...steps {
      var g = quadraticGrad(p)
      for i in 0..<p.count {
        if decoupled { p[i] *= 1 - lr * wd } else { g[i] += wd * p[i] }
        m[i] = beta1 * m[i] + (1 - beta1) * g[i]
        v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i]
        let mHat = m[i] / (1 - pow(beta1, Double(t))), vHat = v[i] / (1 - pow(beta2, Double(t)))
        p[i] -= lr * mHat / (vHat.squareRoot() + eps)
      }
    }
    return p
  }

  // MARK: - SGD

  func testPlainSGDStepByHand() throws {
    // grad at start = a ⊙ (p − c) = [0.5, 9, -1.5]; p − 0.1·grad.
    assertClose(try run(.sgd(momentum: 0, nesterov: false), steps: 1, lr: 0.1), [0.95, 1.1, -0.85])
  }

  func testSGDWeightDecayAddsToTheGradient() throws {
    // grad + 0.1·p = [0.6, 9.2, -1.6].
    assertClose(try run(.sgd(momentum: 0, nesterov: false), steps: 1, lr: 0.1, weightDecay: 0.1), [0.94, 1.08, -0.84])
    assertClose(try run(.sgd(momentum: 0, nesterov: false), steps: 4, lr: 0.05, weightDecay: 0.1),
                referenceSGD(steps: 4, lr: 0.05, momentum: 0, nesterov: false, wd: 0.1))
  }

  func testSGDMomentumByHand() throws {
    // One coordinate: a = 1, c = 0.5, p0 = 1. Step 1: g = 0.5, b = g = 0.5, p = 1 − 0.1·0.5 = 0.95.
    // Step 2: g = 0.45, b = 0.9·0.5 + 0.45 = 0.9, p = 0.95 − 0.09 = 0.86.
    let two = try run(.sgd(momentum: 0.9, nesterov: false), steps: 2, lr: 0.1)
    XCTAssertEqual(Double(two[0]), 0.86, accuracy: 1e-6)
    assertClose(try run(.sgd(momentum: 0.9, nesterov: false), steps: 6, lr: 0.05, weightDecay: 0.01),
                referenceSGD(steps: 6, lr: 0.05, momentum: 0.9, nesterov: false, wd: 0.01))
  }

  func testSGDNesterovByHand() throws {
    // Step 1: g = 0.5, b = 0.5, update g + 0.9·b = 0.95, p = 1 − 0.095 = 0.905.
    let one = try run(.sgd(momentum: 0.9, nesterov: true), steps: 1, lr: 0.1)
    XCTAssertEqual(Double(one[0]), 0.905, accuracy: 1e-6)
    let nesterov = try run(.sgd(momentum: 0.9, nesterov: true), steps: 6, lr: 0.05)
    assertClose(nesterov, referenceSGD(steps: 6, lr: 0.05, momentum: 0.9, nesterov: true, wd: 0))
    XCTAssertNotEqual(nesterov, try run(.sgd(momentum: 0.9, nesterov: false), steps: 6, lr: 0.05))
  }

  // MARK: - Adam and AdamW

  func testAdamFirstStepIsASignStep() throws {
    // m̂ = g and v̂ = g² after one step, so each coordinate moves by lr·g/(|g| + eps) ≈ lr.
    assertClose(try run(.adam, steps: 1, lr: 0.1), [0.9, 1.9, -0.9])
  }

  func testAdamMatchesTheFormula() throws {
    assertClose(try run(.adam, steps: 10, lr: 0.05), referenceAdam(steps: 10, lr: 0.05, wd: 0, decoupled: false))
    assertClose(try run(.adam, steps: 10, lr: 0.05, weightDecay: 0.1), referenceAdam(steps: 10, lr: 0.05, wd: 0.1, decoupled: false))
    assertClose(try run(.adam, steps: 10, lr: 0.05, betas: (0.5, 0.9)),
                referenceAdam(steps: 10, lr: 0.05, beta1: 0.5, beta2: 0.9, wd: 0, decoupled: false))
  }

  func testAdamWDecaysDecoupled() throws {
    let adamw = try run(.adamw, steps: 10, lr: 0.05, weightDecay: 0.5)
    assertClose(adamw, referenceAdam(steps: 10, lr: 0.05, wd: 0.5, decoupled: true))
    let adam = try run(.adam, steps: 10, lr: 0.05, weightDecay: 0.5)
    for (x, y) in zip(adamw, adam) { XCTAssertGreaterThan(abs(x - y), 1e-3) }
  }

  func testZeroGradientShowsTheDifferenceBetweenL2AndDecoupledDecay() throws {
    // With a zero gradient, AdamW only shrinks the weight, by 1 − lr·wd = 0.95 per step, while
    // Adam's L2 term wd·p becomes the gradient and goes through the moment estimates.
    for kind in [Optimizer.Kind.adam, .adamw] {
      let p = param([2])
      let opt = try Optimizer(kind, params: [p], lr: 0.1, weightDecay: 0.5)
      for _ in 0..<2 {
        p.grad = Tensor(shape: [1], data: [0])
        try opt.step()
      }
      if kind == .adamw {
        XCTAssertEqual(Double(p.data[0]), 2 * 0.95 * 0.95, accuracy: 1e-6)
      } else {
        var m = 0.0, v = 0.0, x = 2.0
        for t in 1...2 {
          let g = 0.5 * x
          m = 0.9 * m + 0.1 * g
          v = 0.999 * v + 0.001 * g * g
          x -= 0.1 * (m / (1 - pow(0.9, Double(t)))) / ((v / (1 - pow(0.999, Double(t)))).squareRoot() + 1e-8)
        }
        XCTAssertEqual(Double(p.data[0]), x, accuracy: 1e-6)
        XCTAssertNotEqual(Double(p.data[0]), 2 * 0.95 * 0.95, accuracy: 1e-3)
      }
    }
  }

  func testParametersWithoutGradientAreSkipped() throws {
    let p = param([1, 2]), q = param([3])
    let opt = try Optimizer(.adam, params: [p, q], lr: 0.1)
    p.grad = Tensor(shape: [2], data: [1, -1])
    try opt.step()
    XCTAssertEqual(q.data, [3])
    assertClose(p.data, [0.9, 2.1])
    // Only p has state; q's Adam step count has not started.
    XCTAssertEqual(opt.stateTensors().map(\.0), ["step", "exp_avg.0", "exp_avg_sq.0", "step.0"])
    // q's first update later is a full (bias-corrected) sign step.
    p.grad = nil
    q.grad = Tensor(shape: [1], data: [5])
    try opt.step()
    assertClose(q.data, [2.9])
    XCTAssertEqual(opt.stepCount, 2)
  }

  func testDuplicateParametersUpdateOnce() throws {
    let p = param([1])
    let opt = try Optimizer(.sgd(momentum: 0, nesterov: false), params: [p, p], lr: 0.1)
    XCTAssertEqual(opt.params.count, 1)
    p.grad = Tensor(shape: [1], data: [1])
    try opt.step()
    assertClose(p.data, [0.9])
  }

  // MARK: - Clipping

  func testClipGradNorm() {
    let p = param([0, 0]), q = param([0])
    p.grad = Tensor(shape: [2], data: [3, 4])
    q.grad = Tensor(shape: [1], data: [12])
    // Total norm √(9 + 16 + 144) = 13.
    XCTAssertEqual(clipGradNorm([p, q], maxNorm: 20), 13)
    XCTAssertEqual(p.grad?.data, [3, 4])
    XCTAssertEqual(clipGradNorm([p, q], maxNorm: 6.5), 13)
    let scale = 6.5 / (13 + 1e-6)
    assertClose(p.grad!.data, [3 * scale, 4 * scale], accuracy: 1e-6)
    assertClose(q.grad!.data, [12 * scale], accuracy: 1e-6)
    XCTAssertEqual(Double(clipGradNorm([p, q], maxNorm: 100)), 6.5, accuracy: 1e-5)
    // No gradients at all: norm 0.
    XCTAssertEqual(clipGradNorm([param([1])], maxNorm: 1), 0)
  }

  func testClipGradNormReportsNaNAndLeavesGradients() {
    let p = param([0, 0])
    p.grad = Tensor(shape: [2], data: [.nan, 1])
    XCTAssertTrue(clipGradNorm([p], maxNorm: 0.5).isNaN)
    XCTAssertEqual(p.grad?.data[1], 1)
    p.grad = Tensor(shape: [2], data: [.infinity, 1])
    XCTAssertEqual(clipGradNorm([p], maxNorm: 0.5), .infinity)
  }

  func testStepWithLossZeroesBackpropagatesClipsAndReturnsTheNorm() throws {
    let p = param([3, 4])
    // A stale gradient must not leak into the step.
    p.grad = Tensor(shape: [2], data: [100, 100])
    let opt = try Optimizer(.sgd(momentum: 0, nesterov: false), params: [p], lr: 0.1, maxGradNorm: 5)
    // loss = Σ p², grad = 2p = [6, 8], norm 10, clipped to 5 → [3, 4] (up to the 1e-6).
    let norm = try opt.step(loss: try (p * p).sum())
    XCTAssertEqual(Double(norm), 10, accuracy: 1e-5)
    assertClose(p.data, [3 - 0.3, 4 - 0.4])
    XCTAssertEqual(opt.stepCount, 1)
  }

  func testStepClipsWhenMaxGradNormIsSet() throws {
    let p = param([0])
    let opt = try Optimizer(.sgd(momentum: 0, nesterov: false), params: [p], lr: 1, maxGradNorm: 1)
    p.grad = Tensor(shape: [1], data: [-4])
    try opt.step()
    assertClose(p.data, [1])
  }

  func testNonFiniteGradientNormStopsTheStep() throws {
    let p = param([1, -1])
    let opt = try Optimizer(.adam, params: [p], lr: 0.1)
    try opt.step(loss: try (p * p).sum())
    let before = p.data
    assertThrows("step 2: the gradient norm is nan") { try opt.step(loss: try p.sqrt().sum()) }
    XCTAssertEqual(p.data, before)
    XCTAssertEqual(opt.stepCount, 1)
    assertThrows("step 2: the gradient norm is inf") { try opt.step(loss: try (p * Float.infinity).sum()) }
  }

  // MARK: - Schedules

  func testConstantScheduleWithWarmup() {
    let s = LRSchedule.constant(warmup: 10)
    XCTAssertEqual(s.lr(base: 2, step: 0), 0)
    XCTAssertEqual(s.lr(base: 2, step: 5), 1)
    XCTAssertEqual(s.lr(base: 2, step: 10), 2)
    XCTAssertEqual(s.lr(base: 2, step: 1_000_000), 2)
    XCTAssertEqual(LRSchedule.constant().lr(base: 0.3, step: 0), 0.3)
  }

  func testLinearSchedule() {
    let s = LRSchedule.linear(endFactor: 0.1, totalSteps: 100)
    XCTAssertEqual(s.lr(base: 1, step: 0), 1)
    XCTAssertEqual(Double(s.lr(base: 1, step: 50)), 0.55, accuracy: 1e-6)
    XCTAssertEqual(Double(s.lr(base: 1, step: 100)), 0.1, accuracy: 1e-6)
    XCTAssertEqual(Double(s.lr(base: 1, step: 500)), 0.1, accuracy: 1e-6)
    let warm = LRSchedule.linear(endFactor: 0, totalSteps: 110, warmup: 10)
    XCTAssertEqual(Double(warm.lr(base: 1, step: 4)), 0.4, accuracy: 1e-6)
    XCTAssertEqual(warm.lr(base: 1, step: 10), 1)
    XCTAssertEqual(Double(warm.lr(base: 1, step: 60)), 0.5, accuracy: 1e-6)
    XCTAssertEqual(warm.lr(base: 1, step: 110), 0)
  }

  func testCosineSchedule() {
    let s = LRSchedule.cosine(totalSteps: 110, minLR: 0.1, warmup: 10)
    XCTAssertEqual(Double(s.lr(base: 1, step: 3)), 0.3, accuracy: 1e-6)
    XCTAssertEqual(s.lr(base: 1, step: 10), 1)
    // The midpoint of the decay is halfway between base and minLR.
    XCTAssertEqual(Double(s.lr(base: 1, step: 60)), 0.55, accuracy: 1e-6)
    // A quarter of the way: minLR + (1 − minLR)·(1 + cos(π/4))/2.
    XCTAssertEqual(Double(s.lr(base: 1, step: 35)), 0.1 + 0.9 * (1 + cos(Double.pi / 4)) / 2, accuracy: 1e-6)
    XCTAssertEqual(Double(s.lr(base: 1, step: 110)), 0.1, accuracy: 1e-6)
    XCTAssertEqual(Double(s.lr(base: 1, step: 1000)), 0.1, accuracy: 1e-6)
  }

  func testOptimizerFollowsItsSchedule() throws {
    let p = param([0])
    let opt = try Optimizer(.sgd(momentum: 0, nesterov: false), params: [p], lr: 1, schedule: .constant(warmup: 2))
    var seen: [Float] = []
    for _ in 0..<3 {
      seen.append(opt.currentLR)
      p.grad = Tensor(shape: [1], data: [-1])
      try opt.step()
    }
    XCTAssertEqual(seen, [0, 0.5, 1])
    XCTAssertEqual(p.data, [1.5])
    opt.lr = 4
    XCTAssertEqual(opt.currentLR, 4)
  }

  // MARK: - Checkpoint state

  func testStateRoundTripResumesExactly() throws {
    for kind in [Optimizer.Kind.adam, .adamw, .sgd(momentum: 0.9, nesterov: true)] {
      let p = param(start), copy = param(start)
      let opt = try Optimizer(kind, params: [p], lr: 0.05, weightDecay: 0.01)
      for _ in 0..<3 { setQuadraticGrad(p); try opt.step() }
      copy.assign(p.data)
      let resumed = try Optimizer(kind, params: [copy], lr: 0.05, weightDecay: 0.01)
      try resumed.loadState(opt.stateTensors())
      XCTAssertEqual(resumed.stepCount, 3)
      for _ in 0..<3 {
        setQuadraticGrad(p); try opt.step()
        setQuadraticGrad(copy); try resumed.step()
      }
      XCTAssertEqual(p.data, copy.data, "\(kind)")
    }
  }

  func testLoadStateErrors() throws {
    let p = param([1, 2])
    let adam = try Optimizer(.adam, params: [p], lr: 0.1)
    p.grad = Tensor(shape: [2], data: [1, 1])
    try adam.step()
    let saved = adam.stateTensors()
    let sgd = try Optimizer(.sgd(momentum: 0.9, nesterov: false), params: [param([1, 2])], lr: 0.1)
    assertThrows("sgd state: \"exp_avg.0\" is Adam state, but this optimizer is sgd") { try sgd.loadState(saved) }
    let other = try Optimizer(.adam, params: [param([1, 2, 3])], lr: 0.1)
    assertThrows("adam state: \"exp_avg.0\" has shape (2,), but parameter 0 has shape (3,)") { try other.loadState(saved) }
    assertThrows("adam state: \"exp_avg.3\" refers to parameter 3, but the optimizer has 1 parameter") {
      try adam.loadState([("step", Tensor(scalar: 1)), ("exp_avg.3", Tensor.zeros([2]))])
    }
    assertThrows("adam state: the \"step\" entry is missing") { try adam.loadState(saved.filter { $0.0 != "step" }) }
    assertThrows("adam state: parameter 0 has partial state: \"exp_avg_sq.0\" is missing") {
      try adam.loadState(saved.filter { $0.0 != "exp_avg_sq.0" })
    }
    assertThrows("adam state: unknown entry \"velocity.0\"") { try adam.loadState(saved + [("velocity.0", Tensor.zeros([2]))]) }
    assertThrows("adam state: \"step\" must be a whole number of steps, got -1.0") { try adam.loadState([("step", Tensor(scalar: -1))]) }
    // A failed load changes nothing.
    XCTAssertEqual(adam.stepCount, 1)
    XCTAssertEqual(adam.stateTensors().count, 4)
  }

  // MARK: - Validation

  func testInvalidHyperparameters() {
    assertThrows("sgd: nesterov momentum needs a momentum above 0") {
      _ = try Optimizer(.sgd(momentum: 0, nesterov: true), params: [self.param([1])], lr: 0.1)
    }
    assertThrows("adam: beta2 must be in [0, 1) (got 1.0)") { _ = try Optimizer(.adam, params: [self.param([1])], lr: 0.1, betas: (0.9, 1)) }
    assertThrows("adamw: the learning rate must be a non-negative number (got -1.0)") { _ = try Optimizer(.adamw, params: [self.param([1])], lr: -1) }
    assertThrows("adam: there are no parameters to optimize") { _ = try Optimizer(.adam, params: [], lr: 0.1) }
    assertThrows("adam: schedule: the warmup (20 steps) is longer than the schedule (10 steps)") {
      _ = try Optimizer(.adam, params: [self.param([1])], lr: 0.1, schedule: .cosine(totalSteps: 10, warmup: 20))
    }
    assertThrows("only float tensors can be optimized") { _ = try Optimizer(.adam, params: [Tensor(shape: [1], ints: [1])], lr: 0.1) }
  }

  // MARK: - Minimizing

  func testAdamSolvesLeastSquares() throws {
    // y = X·[2, −3] + 0.5 exactly, so the least-squares solution is w = [2, −3], b = 0.5.
    let xs: [Float] = [0, 1, 1, 0, 1, 1, 2, -1, -1, 2, 0.5, 0.25]
    let x = Tensor(shape: [6, 2], data: xs)
    let y = Tensor(shape: [6, 1], data: (0..<6).map { 2 * xs[2 * $0] - 3 * xs[2 * $0 + 1] + 0.5 })
    let w = Tensor(shape: [2, 1], data: [0, 0], requiresGrad: true), b = Tensor(shape: [1], data: [0], requiresGrad: true)
    let opt = try Optimizer(.adam, params: [w, b], lr: 0.05, schedule: .cosine(totalSteps: 3000))
    var loss: Float = 1
    for _ in 0..<3000 {
      let residual = try x.matmul(w) + b - y
      let l = try (residual * residual).mean()
      loss = l.data[0]
      try opt.step(loss: l)
    }
    XCTAssertLessThan(loss, 1e-6)
    assertClose(w.data + b.data, [2, -3, 0.5], accuracy: 1e-3)
  }

  func testAdamFindsTheRosenbrockMinimum() throws {
    // f(x, y) = (1 − x)² + 100 (y − x²)², minimum at (1, 1); gradients by hand.
    let p = param([-1, 1.5])
    let opt = try Optimizer(.adam, params: [p], lr: 0.02)
    for _ in 0..<6000 {
      let x = Double(p.data[0]), y = Double(p.data[1])
      p.grad = Tensor(shape: [2], data: [Float(-2 * (1 - x) - 400 * x * (y - x * x)), Float(200 * (y - x * x))])
      try opt.step()
    }
    assertClose(p.data, [1, 1], accuracy: 2e-2)
  }

  func testSGDWithMomentumMinimizesTheQuadratic() throws {
    assertClose(try run(.sgd(momentum: 0.9, nesterov: true), steps: 300, lr: 0.05), c, accuracy: 1e-4)
  }
}
