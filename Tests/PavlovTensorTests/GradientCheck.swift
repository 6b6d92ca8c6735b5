import PavlovTensor
import XCTest

/// Compares autograd's gradients with central finite differences of the same function.
/// `f` maps the inputs to any tensor; the check differentiates `sum(f(x) * w)` for fixed random
/// weights `w`, so every output element matters.
func assertGradient(_ inputs: [Tensor], epsilon: Float = 1e-3, tolerance: Float = 1e-2, seed: UInt64 = 7,
                    file: StaticString = #filePath, line: UInt = #line, _ f: ([Tensor]) throws -> Tensor) {
  do {
    let probe = try Autograd.noGrad { try f(inputs) }
    let weights = Tensor.rand(probe.shape, low: 0.5, high: 1.5, generator: SeededGenerator(seed: seed))
    func loss() throws -> Tensor { try (try f(inputs) * weights).sum() }
    for t in inputs {
      t.requiresGrad = true
      t.zeroGrad()
    }
    try loss().backward()
    for (k, t) in inputs.enumerated() {
      guard let analytic = t.grad else { XCTFail("input \(k) got no gradient", file: file, line: line); continue }
      XCTAssertEqual(analytic.shape, t.shape, "gradient shape of input \(k)", file: file, line: line)
      for i in 0..<t.count {
        let original = t.data[i]
        t.setElement(i, original + epsilon)
        let plus = try Autograd.noGrad { try loss().item() }
        t.setElement(i, original - epsilon)
        let minus = try Autograd.noGrad { try loss().item() }
        t.setElement(i, original)
        let numeric = (plus - minus) / (2 * epsilon)
        let a = analytic.data[i]
        let scale = max(1, Swift.abs(a), Swift.abs(numeric))
        XCTAssertLessThanOrEqual(Swift.abs(a - numeric), tolerance * scale,
                                 "input \(k) element \(i): autograd \(a), finite differences \(numeric)", file: file, line: line)
      }
    }
  } catch {
    XCTFail("unexpected error: \(error)", file: file, line: line)
  }
}

/// Random values in [low, high) from a fixed seed.
func sample(_ shape: [Int], low: Float = -1, high: Float = 1, seed: UInt64 = 1) -> Tensor {
  Tensor.rand(shape, low: low, high: high, generator: SeededGenerator(seed: seed))
}

/// Values whose magnitude is at least 0.2, so kinks (relu, abs at 0) are not straddled.
func awayFromZero(_ shape: [Int], seed: UInt64 = 3) -> Tensor {
  let t = sample(shape, seed: seed)
  for i in 0..<t.count where Swift.abs(t.data[i]) < 0.2 { t.setElement(i, t.data[i] < 0 ? -0.5 : 0.5) }
  return t
}
