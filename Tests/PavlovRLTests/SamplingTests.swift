import PavlovTensor
import XCTest

@testable import PavlovRL

/// The Gamma/Beta sampler behind Thompson sampling and the portable exp behind softmax.
final class SamplingTests: XCTestCase {
  private func moments(_ draw: () -> Double, count: Int = 20_000) -> (mean: Double, variance: Double) {
    let xs = (0..<count).map { _ in draw() }
    let mean = xs.reduce(0, +) / Double(count)
    return (mean, xs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(count - 1))
  }

  func testGammaHasMeanAndVarianceEqualToItsShape() {
    let generator = SeededGenerator(seed: 1)
    for shape in [0.5, 1.0, 2.5, 10.0] {
      let m = moments { GammaSampler.gamma(shape: shape, generator) }
      XCTAssertEqual(m.mean, shape, accuracy: 0.05 * shape + 0.02, "shape \(shape)")
      XCTAssertEqual(m.variance, shape, accuracy: 0.1 * shape + 0.02, "shape \(shape)")
    }
  }

  func testBetaMoments() {
    let generator = SeededGenerator(seed: 2)
    for (a, b) in [(1.0, 1.0), (2.0, 5.0), (30.0, 10.0), (0.5, 0.5)] {
      let m = moments { GammaSampler.beta(a, b, generator) }
      let mean = a / (a + b), variance = a * b / ((a + b) * (a + b) * (a + b + 1))
      XCTAssertEqual(m.mean, mean, accuracy: 0.01, "Beta(\(a), \(b))")
      XCTAssertEqual(m.variance, variance, accuracy: 0.1 * variance, "Beta(\(a), \(b))")
    }
  }

  func testSameSeedSameDraws() {
    let a = SeededGenerator(seed: 7), b = SeededGenerator(seed: 7)
    for _ in 0..<100 { XCTAssertEqual(GammaSampler.beta(3, 4, a), GammaSampler.beta(3, 4, b)) }
  }
}
