import Foundation
import XCTest

@testable import PavlovTensor

/// The portable elementary functions stay close to libm's (which may differ between machines;
/// these may not), and keep the special values.
final class PortableMathTests: XCTestCase {
  func testDoubleExpIsWithinAnUlpOrTwo() {
    for x in stride(from: -700.0, through: 700.0, by: 0.37) {
      let want = Foundation.exp(x)
      XCTAssertLessThanOrEqual(Swift.abs(PortableMath.exp(x) - want), 2 * want.ulp, "exp(\(x))")
    }
    XCTAssertEqual(PortableMath.exp(0.0), 1)
    XCTAssertEqual(PortableMath.exp(800.0), .infinity)
    XCTAssertEqual(PortableMath.exp(-800.0), 0)
  }

  func testFloatFunctionsAreWithinAFewUlps() {
    let g = SeededGenerator(seed: 3)
    for _ in 0..<20_000 {
      let x = Float(g.nextGaussian() * Foundation.exp(g.nextDouble() * 40 - 20))
      let e = Foundation.exp(Double(x))
      if e < Double(Float.greatestFiniteMagnitude), e > Double(Float.leastNormalMagnitude) {
        XCTAssertLessThanOrEqual(Swift.abs(Double(PortableMath.exp(x)) - e), 2 * Double(Float(e).ulp), "exp(\(x))")
      }
      let a = Swift.abs(x)
      if a > 0 {
        let l = Foundation.log(Double(a))
        XCTAssertLessThanOrEqual(Swift.abs(Double(PortableMath.log(a)) - l), Double(Float(l).ulp), "log(\(a))")
      }
      if x > -1 {
        let l = Foundation.log1p(Double(x))
        XCTAssertLessThanOrEqual(Swift.abs(Double(PortableMath.log1p(x)) - l), 3 * Double(Float(l).ulp), "log1p(\(x))")
      }
    }
    XCTAssertEqual(PortableMath.log(Float(0)), -.infinity)
    XCTAssertTrue(PortableMath.log(Float(-1)).isNaN)
    XCTAssertEqual(PortableMath.log(Float.infinity), .infinity)
    XCTAssertEqual(PortableMath.log(Float.leastNonzeroMagnitude), Float(Foundation.log(Double(Float.leastNonzeroMagnitude))), accuracy: 1e-4)
    XCTAssertEqual(PortableMath.log1p(Float(1e-30)), 1e-30)
    XCTAssertEqual(PortableMath.log1p(Float(-1)), -.infinity)
  }

  func testPowerKeepsTheCommonExponentsExact() {
    for x: Float in [0, -0.0, 1.5, -2.25, 3e-20, 7e18, .infinity, -.infinity] {
      XCTAssertEqual(powFloat(x, 2).bitPattern, (x * x).bitPattern, "\(x)²")
      XCTAssertEqual(powFloat(x, 1).bitPattern, x.bitPattern)
      XCTAssertEqual(powFloat(x, 0), 1)
    }
    XCTAssertEqual(powFloat(4, 0.5), 2)
    XCTAssertEqual(powFloat(-2, 3), -8)
    XCTAssertEqual(powFloat(-2, 4), 16)
    XCTAssertTrue(powFloat(-2, 0.5).isNaN)
    XCTAssertEqual(powFloat(0, -1), .infinity)
    XCTAssertEqual(powFloat(0, 3), 0)
    XCTAssertEqual(powFloat(2, 10), 1024)
    XCTAssertEqual(powFloat(10, -2), 0.01, accuracy: 1e-9)
    XCTAssertTrue(powFloat(.nan, 2).isNaN)
    XCTAssertEqual(PortableMath.power(0.9, 10), Foundation.pow(0.9, 10), accuracy: 1e-15)
    XCTAssertEqual(PortableMath.power(0.999, 0), 1)
  }
}
