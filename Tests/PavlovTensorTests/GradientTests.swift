import PavlovTensor
import XCTest

/// Every differentiable operation against finite differences.
final class GradientTests: XCTestCase {
  func testAddWithBroadcasting() {
    assertGradient([sample([3, 1], seed: 1), sample([1, 4], seed: 2)]) { x in try x[0] + x[1] }
    assertGradient([sample([2, 3], seed: 1), sample([3], seed: 2)]) { x in try x[0] + x[1] }
  }

  func testSubtractMultiplyDivide() {
    assertGradient([sample([2, 3], seed: 1), sample([2, 1], seed: 2)]) { x in try x[0] - x[1] }
    assertGradient([sample([2, 3], seed: 1), sample([1, 3], seed: 2)]) { x in try x[0] * x[1] }
    assertGradient([sample([2, 3], seed: 1), sample([2, 3], low: 0.5, high: 2, seed: 2)]) { x in try x[0] / x[1] }
  }

  func testScalarOperandsAndNegation() {
    assertGradient([sample([4], seed: 5)]) { x in try (try 2 * x[0] + 1) / 3 }
    assertGradient([sample([4], seed: 5)]) { x in -x[0] }
  }

  func testElementwiseFunctions() {
    assertGradient([sample([5], seed: 1)]) { x in x[0].exp() }
    assertGradient([sample([5], low: 0.3, high: 3, seed: 1)]) { x in x[0].log() }
    assertGradient([sample([5], seed: 1)]) { x in x[0].tanh() }
    assertGradient([sample([5], low: -4, high: 4, seed: 1)]) { x in x[0].sigmoid() }
    assertGradient([awayFromZero([6])]) { x in x[0].relu() }
    assertGradient([sample([5], low: 0.3, high: 3, seed: 1)]) { x in x[0].sqrt() }
    assertGradient([awayFromZero([6])]) { x in x[0].abs() }
    assertGradient([sample([5], low: 0.3, high: 2, seed: 1)]) { x in x[0].pow(3) }
    assertGradient([sample([5], low: 0.3, high: 2, seed: 1)]) { x in x[0].pow(-0.5) }
  }

  func testReductions() {
    assertGradient([sample([3, 4], seed: 9)]) { x in try x[0].sum() }
    assertGradient([sample([3, 4], seed: 9)]) { x in try x[0].sum(axis: 0) }
    assertGradient([sample([3, 4], seed: 9)]) { x in try x[0].sum(axis: 1, keepdim: true) }
    assertGradient([sample([2, 3, 4], seed: 9)]) { x in try x[0].sum(axis: -2) }
    assertGradient([sample([3, 4], seed: 9)]) { x in try x[0].mean() }
    assertGradient([sample([3, 4], seed: 9)]) { x in try x[0].mean(axis: 1) }
  }

  func testSelect() {
    assertGradient([sample([3, 4], seed: 1)]) { x in try x[0].select(1) }
  }

  func testMatmulReshapeTranspose() {
    assertGradient([sample([3, 4], seed: 1), sample([4, 2], seed: 2)]) { x in try x[0].matmul(x[1]) }
    assertGradient([sample([2, 6], seed: 1)]) { x in try x[0].reshaped([3, -1]) }
    assertGradient([sample([2, 3], seed: 1)]) { x in try x[0].transposed() }
  }

  func testAComposedLayer() {
    // tanh(x W + b), a hidden layer of an MLP.
    assertGradient([sample([5, 3], seed: 1), sample([3, 4], seed: 2), sample([4], seed: 3)]) { p in
      try (try p[0].matmul(p[1]) + p[2]).tanh()
    }
  }

  func testATensorUsedTwiceAccumulatesBothPaths() {
    assertGradient([sample([4], seed: 4)]) { x in try x[0] * x[0] + x[0].exp() }
  }
}
