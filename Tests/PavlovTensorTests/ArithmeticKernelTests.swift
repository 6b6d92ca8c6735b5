@testable import PavlovTensor
import XCTest

/// `+ - * /` run in vectorized kernels for equal shapes, a scalar side and a row repeated over
/// the leading axes, and in the general index walk otherwise: every path must give exactly the
/// element-by-element IEEE result.
final class ArithmeticKernelTests: XCTestCase {
  typealias Op = (Tensor, Tensor) throws -> Tensor

  let ops: [(String, Op, (Float, Float) -> Float)] = [
    ("add", { try $0 + $1 }, { $0 + $1 }),
    ("subtract", { try $0 - $1 }, { $0 - $1 }),
    ("multiply", { try $0 * $1 }, { $0 * $1 }),
    ("divide", { try $0 / $1 }, { $0 / $1 }),
  ]

  /// The broadcast result computed one element at a time from NumPy's rule.
  func reference(_ a: Tensor, _ b: Tensor, _ f: (Float, Float) -> Float) throws -> Tensor {
    let shape = try XCTUnwrap(Shape.broadcast(a.shape, b.shape))
    let count = Shape.count(shape)
    func offset(_ index: Int, in operand: [Int]) -> Int {
      var rest = index, result = 0, stride = 1
      for axis in (0..<shape.count).reversed() {
        let position = rest % shape[axis]
        rest /= shape[axis]
        let operandAxis = axis - (shape.count - operand.count)
        if operandAxis >= 0 {
          if operand[operandAxis] != 1 { result += position * stride }
          stride *= operand[operandAxis]
        }
      }
      return result
    }
    let data = (0..<count).map { f(a.data[offset($0, in: a.shape)], b.data[offset($0, in: b.shape)]) }
    return Tensor(shape: shape, data: data)
  }

  func testEveryBroadcastPatternMatchesTheElementByElementResult() throws {
    let patterns: [([Int], [Int])] = [
      ([3, 5], [3, 5]),          // equal shapes
      ([4, 70_000], [4, 70_000]),  // equal and large enough to split over the cores
      ([2, 3, 4], []),           // a scalar on the right
      ([], [2, 3, 4]),           // and on the left
      ([1], [6]),                // a one-element tensor that broadcasts
      ([2, 3, 4], [4]),          // a row repeated over the leading axes
      ([2, 3, 4], [1, 1, 4]),    // the same row with leading 1s
      ([4], [5, 4]),             // the row on the left
      ([3, 4], [2, 3, 4]),       // a trailing block of several axes
      ([600, 128], [128]),       // rows enough to split over the cores
      ([2, 1], [3]),             // both sides broadcast: the general walk
      ([2, 3, 4], [3, 1]),       // a column: the general walk
    ]
    for (shapeA, shapeB) in patterns {
      let a = sample(shapeA, seed: 11), b = awayFromZero(shapeB, seed: 12)
      for (name, op, f) in ops {
        let got = try op(a, b), expected = try reference(a, b, f)
        XCTAssertEqual(got.shape, expected.shape, "\(name) \(shapeA) \(shapeB)")
        XCTAssertEqual(got.data, expected.data, "\(name) \(shapeA) \(shapeB)")
      }
    }
  }

  func testARepeatedRowGetsItsGradientSummedOverTheRows() throws {
    let x = sample([3, 2, 4], seed: 5).requiringGrad(), row = sample([1, 4], seed: 6).requiringGrad()
    try (x + row).sum().backward()
    XCTAssertEqual(row.grad?.shape, [1, 4])
    XCTAssertEqual(row.grad?.data, [6, 6, 6, 6])
    let weights = sample([3, 2, 4], seed: 9)
    let bias = sample([4], seed: 10).requiringGrad()
    try ((x + bias) * weights).sum().backward()
    let expected = (0..<4).map { c in (0..<6).reduce(Float(0)) { $0 + weights.data[$1 * 4 + c] } }
    XCTAssertEqual(bias.grad?.data, expected)
  }

  func testRowBroadcastGradientsMatchFiniteDifferences() {
    assertGradient([sample([3, 4], seed: 1), awayFromZero([4], seed: 2)]) { try $0[0] * $0[1] }
    assertGradient([sample([3, 4], seed: 3), awayFromZero([1, 4], seed: 4)]) { try $0[0] / $0[1] }
    assertGradient([sample([4], seed: 5), awayFromZero([2, 4], seed: 6)]) { try $0[0] - $0[1] }
  }
}
