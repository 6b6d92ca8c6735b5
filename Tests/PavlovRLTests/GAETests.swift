import PavlovRL
import XCTest

/// GAE against numbers worked out by hand (γ = λ = 0.5, so every term is a short fraction).
final class GAETests: XCTestCase {
  func testTruncationBootstrapsAndTerminationDoesNot() {
    // Two copies, four steps, rows step-major. Copy 0: truncated at t1 with V(final) = 4,
    // terminated at t3 (its last value 10 must be ignored). Copy 1: no episode end, so the
    // last value 8 is bootstrapped.
    let rewards: [Float] = [1, 0, 1, 0, 2, 0, 1, 1]
    let values: [Float] = [0.5, 0, 1, 0, 2, 0, 1, 0]
    let terminated = [false, false, false, false, false, false, true, false]
    let truncated = [false, false, true, false, false, false, false, false]
    let truncationValues: [Float] = [0, 0, 4, 0, 0, 0, 0, 0]
    let result = GAE.compute(rewards: rewards, values: values, terminated: terminated, truncated: truncated,
                             truncationValues: truncationValues, lastValues: [10, 8], steps: 4, copies: 2, gamma: 0.5, lambda: 0.5)
    // Copy 0: t3 δ = 1 - 1 = 0; t2 δ = 2 + 0.5·1 - 2 = 0.5, A = 0.5;
    // t1 (truncated) δ = 1 + 0.5·4 - 1 = 2, A = 2 (no recursion past the end);
    // t0 δ = 1 + 0.5·1 - 0.5 = 1, A = 1 + 0.25·2 = 1.5.
    // Copy 1: t3 δ = 1 + 0.5·8 = 5; then A = 0.25·A_next: 1.25, 0.3125, 0.078125.
    let expectedAdvantages: [Float] = [1.5, 0.078125, 2, 0.3125, 0.5, 1.25, 0, 5]
    let expectedReturns: [Float] = [2, 0.078125, 3, 0.3125, 2.5, 1.25, 1, 5]
    for k in 0..<8 {
      XCTAssertEqual(result.advantages[k], expectedAdvantages[k], accuracy: 1e-6, "advantage row \(k)")
      XCTAssertEqual(result.returns[k], expectedReturns[k], accuracy: 1e-6, "return row \(k)")
    }
  }

  func testTruncatedAndTerminatedOnTheSameStepDoesNotBootstrap() {
    let result = GAE.compute(rewards: [1], values: [0], terminated: [true], truncated: [true], truncationValues: [100],
                             lastValues: [100], steps: 1, copies: 1, gamma: 0.9, lambda: 0.95)
    XCTAssertEqual(result.advantages, [1])
  }

  func testLambdaOneIsTheDiscountedReturnMinusValue() {
    let result = GAE.compute(rewards: [1, 1, 1], values: [0.3, 0.2, 0.1], terminated: [false, false, true], truncated: [false, false, false],
                             truncationValues: [0, 0, 0], lastValues: [0], steps: 3, copies: 1, gamma: 0.9, lambda: 1)
    XCTAssertEqual(result.returns[0], 1 + 0.9 + 0.81, accuracy: 1e-6)
    XCTAssertEqual(result.advantages[0], 2.71 - 0.3, accuracy: 1e-6)
  }

  func testExplainedVariance() {
    XCTAssertEqual(GAE.explainedVariance(values: [1, 2, 3], returns: [1, 2, 3]), 1, accuracy: 1e-12)
    XCTAssertEqual(GAE.explainedVariance(values: [2, 2, 2], returns: [1, 2, 3]), 0, accuracy: 1e-12)
    XCTAssertTrue(GAE.explainedVariance(values: [0, 0], returns: [5, 5]).isNaN)
  }
}
