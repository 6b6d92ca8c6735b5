import Glibc
import PavlovTensor
import XCTest

/// The vectorized exp/tanh/erf-based kernels against Glibc's scalar functions on a dense grid,
/// including the special values and the overflow and underflow edges.
final class VectorMathTests: XCTestCase {
  /// A dense grid over [low, high] plus the awkward values every kernel must get right.
  private func grid(_ low: Float, _ high: Float, count: Int = 200_003) -> [Float] {
    var values = (0..<count).map { low + (high - low) * Float($0) / Float(count - 1) }
    values += [0, -0.0, 1e-30, -1e-30, 1e-8, -1e-8, .infinity, -.infinity, .leastNormalMagnitude]
    return values
  }

  /// Largest error in units of the reference's magnitude (relative, with an absolute floor
  /// for results near zero).
  private func worstError(_ got: [Float], _ want: [Float], floor: Float) -> Float {
    var worst: Float = 0
    for (g, w) in zip(got, want) {
      if w.isNaN { XCTAssertTrue(g.isNaN); continue }
      if w.isInfinite { XCTAssertEqual(g, w); continue }
      worst = Swift.max(worst, Swift.abs(g - w) / Swift.max(Swift.abs(w), floor))
    }
    return worst
  }

  func testExpMatchesGlibc() {
    let x = grid(-100, 100) + [88.72, 88.7228, 88.73, -87.33, -87.34, .nan]
    let got = Tensor(shape: [x.count], data: x).exp().data
    // Below e^-87.34 (the smallest normal float) results flush to zero instead of going subnormal.
    XCTAssertLessThan(worstError(got, x.map { expf($0) }, floor: 1e-30), 4e-7)
  }

  func testTanhMatchesGlibc() {
    let x = grid(-20, 20) + [0.6249, 0.625, 0.6251, .nan]
    let got = Tensor(shape: [x.count], data: x).tanh().data
    XCTAssertLessThan(worstError(got, x.map { tanhf($0) }, floor: 1e-30), 4e-7)
    XCTAssertEqual(got[x.count - 4], tanhf(0.6249), accuracy: 1e-7)
  }

  func testSigmoidMatchesReference() {
    let x = grid(-100, 100)
    let got = Tensor(shape: [x.count], data: x).sigmoid().data
    let want = x.map { Float(1 / (1 + Glibc.exp(-Double($0)))) }
    XCTAssertLessThan(worstError(got, want, floor: 1e-30), 4e-7)
  }

  func testGeluMatchesErfReference() {
    let x = grid(-12, 12) + [.nan]
    let got = Tensor(shape: [x.count], data: x).gelu().data
    let want = x.map { v in Float(0.5 * Double(v) * Glibc.erfc(-Double(v) / 2.squareRoot())) }
    let central = x.indices.filter { Swift.abs(x[$0]) <= 5 || x[$0].isNaN }
    XCTAssertLessThan(worstError(central.map { got[$0] }, central.map { want[$0] }, floor: 1e-30), 2e-6)
    // Relative accuracy holds far into the left tail (x·Φ(x) ≈ -1e-19 at x = -9), where
    // ½x(1 + erf(x/√2)) in float32 would cancel to garbage; float32 x² costs a few ulp there.
    XCTAssertLessThan(worstError(got, want, floor: 1e-30), 5e-5)
  }

  func testOddLengthsUseTheTail() {
    for count in [1, 7, 8, 9, 17] {
      let x = (0..<count).map { Float($0) * 0.37 - 2 }
      XCTAssertEqual(Tensor(shape: [count], data: x).tanh().data, x.map { Tensor(shape: [1], data: [$0]).tanh().data[0] })
      let got = Tensor(shape: [count], data: x).exp().data
      for (g, v) in zip(got, x) { XCTAssertEqual(g, expf(v), accuracy: expf(v) * 3e-7) }
    }
  }
}
