import Foundation
import PavlovRL
import PavlovTensor
import XCTest

/// The PPO and A2C loss pieces against hand-computed values.
final class PPOLossTests: XCTestCase {
  // Ratios 1.5, 0.5, 1.1, 1.5 against advantages 1, -1, 2, -1 with ε = 0.2: rows 0 and 1 are
  // clipped (no gradient), row 2 is inside the range, row 3 is outside but the unclipped term
  // is the smaller one, so its gradient flows.
  let ratios: [Double] = [1.5, 0.5, 1.1, 1.5]
  let advantages: [Float] = [1, -1, 2, -1]

  func makeLoss(clip: Double?, clipValue: Double? = nil) throws -> (PPOLoss, Tensor) {
    let logProbs = Tensor(shape: [4], data: ratios.map { Float(log($0)) }).requiringGrad()
    let loss = try PPOLoss(logProbs: logProbs, oldLogProbs: [0, 0, 0, 0], advantages: advantages,
                           values: Tensor(shape: [4], data: [1, 2, 3, 4]), oldValues: [1.8, 2, 2.5, 2], returns: [2, 2, 2, 2],
                           entropy: Tensor(shape: [4], data: [0.5, 0.7, 0.9, 1.1]), clip: clip, clipValue: clipValue,
                           entCoef: 0.01, vfCoef: 0.5)
    return (loss, logProbs)
  }

  func testClippedSurrogateValuesAndGradient() throws {
    let (loss, logProbs) = try makeLoss(clip: 0.2)
    // min terms: 1.2, -0.8, 2.2, -1.5 → -(1.1)/4
    XCTAssertEqual(loss.policyLoss.data[0], -0.275, accuracy: 1e-6)
    XCTAssertEqual(loss.valueLoss.data[0], 1.5, accuracy: 1e-6)  // (1 + 0 + 1 + 4) / 4
    XCTAssertEqual(loss.entropyLoss.data[0], -0.8, accuracy: 1e-6)
    XCTAssertEqual(loss.total.data[0], -0.275 - 0.008 + 0.75, accuracy: 1e-6)
    XCTAssertEqual(loss.clipFraction, 0.75)
    let kl = ratios.map { ($0 - 1) - log($0) }.reduce(0, +) / 4
    XCTAssertEqual(loss.approxKl, kl, accuracy: 1e-6)
    try loss.policyLoss.backward()
    // d/dlogp of -mean(ratio·A) = -ratio·A/4 where the unclipped term is chosen, else 0.
    let grad = logProbs.grad?.data ?? []
    XCTAssertEqual(grad.count, 4)
    XCTAssertEqual(grad[0], 0, accuracy: 1e-7)
    XCTAssertEqual(grad[1], 0, accuracy: 1e-7)
    XCTAssertEqual(grad[2], -0.55, accuracy: 1e-6)
    XCTAssertEqual(grad[3], 0.375, accuracy: 1e-6)
  }

  func testValueClippingKeepsPredictionsNearTheRolloutValues() throws {
    // Predictions 1, 2, 3, 4 around old values 1.8, 2, 2.5, 2 with ±0.5: 1.3, 2, 3, 2.5.
    let (loss, _) = try makeLoss(clip: 0.2, clipValue: 0.5)
    XCTAssertEqual(loss.valueLoss.data[0], (0.49 + 0 + 1 + 0.25) / 4, accuracy: 1e-6)
  }

  func testA2CPolicyGradientLoss() throws {
    let (loss, logProbs) = try makeLoss(clip: nil)
    let expected = -zip(ratios, advantages).map { log($0) * Double($1) }.reduce(0, +) / 4
    XCTAssertEqual(Double(loss.policyLoss.data[0]), expected, accuracy: 1e-6)
    XCTAssertEqual(loss.clipFraction, 0)
    try loss.policyLoss.backward()
    XCTAssertEqual(logProbs.grad?.data ?? [], [-0.25, 0.25, -0.5, 0.25])
  }

  func testAdvantageNormalizationUsesTheUnbiasedStd() {
    // mean 0.25, unbiased std 1.5
    let n = PPOLoss.normalized([1, -1, 2, -1])
    for (a, b) in zip(n, [0.5, -5.0 / 6, 7.0 / 6, -5.0 / 6]) { XCTAssertEqual(Double(a), b, accuracy: 1e-6) }
    XCTAssertEqual(PPOLoss.normalized([3]), [3])
  }
}
