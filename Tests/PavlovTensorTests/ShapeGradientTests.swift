import PavlovTensor
import XCTest

/// Gradients of the structural, indexing and newer element-wise operations against finite
/// differences, plus their values on small known cases.
final class ShapeGradientTests: XCTestCase {
  func testGeluClipMaximum() {
    assertGradient([sample([6], low: -2, high: 2, seed: 1)]) { x in x[0].gelu() }
    assertGradient([sample([6], low: -2, high: 2, seed: 2)]) { x in x[0].clipped(min: -0.5, max: 0.5) }
    assertGradient([sample([2, 3], seed: 3), sample([3], seed: 4)]) { x in try Tensor.maximum(x[0], x[1]) }
    assertGradient([sample([2, 3], seed: 3), sample([3], seed: 4)]) { x in try Tensor.minimum(x[0], x[1]) }
  }

  func testPermuteTransposeReshape() {
    assertGradient([sample([2, 3, 4], seed: 1)]) { x in try x[0].permuted([2, 0, 1]) }
    assertGradient([sample([2, 3, 4], seed: 2)]) { x in try x[0].transposed(0, 2) }
    assertGradient([sample([2, 3, 4], seed: 3)]) { x in try x[0].flattened(start: 1).unsqueezed(0) }
  }

  func testIndexingAndGather() throws {
    let idx = Tensor(shape: [3], ints: [2, 0, 2])
    assertGradient([sample([3, 4], seed: 1)]) { x in try x[0].index([.all, .tensor(idx)]) }
    assertGradient([sample([3, 4], seed: 2)]) { x in try x[0].index([.slice(1, nil, nil), .position(-1)]) }
    assertGradient([sample([3, 4], seed: 3)]) { x in try x[0].index([.tensor(Tensor(shape: [2], ints: [0, 2])), .tensor(Tensor(shape: [2], ints: [1, 3]))]) }
    let actions = Tensor(shape: [3, 1], ints: [1, 0, 3])
    assertGradient([sample([3, 4], seed: 4)]) { x in try x[0].logSoftmax().gather(axis: 1, index: actions) }
    let picked = try Tensor(shape: [2, 3], data: [1, 2, 3, 4, 5, 6]).index([.tensor(Tensor(shape: [2], ints: [1, 0])), .tensor(Tensor(shape: [2], ints: [2, 0]))])
    XCTAssertEqual(picked.data, [6, 1])
  }

  func testCatStackSplitWhere() throws {
    assertGradient([sample([2, 3], seed: 1), sample([2, 2], seed: 2)]) { x in try Tensor.cat([x[0], x[1]], axis: 1) }
    assertGradient([sample([2, 3], seed: 1), sample([2, 3], seed: 2)]) { x in try Tensor.stack([x[0], x[1]], axis: 1) }
    assertGradient([sample([5, 2], seed: 3)]) { x in try x[0].split(sizes: [2, 3])[1] }
    let mask = Tensor(shape: [2, 3], ints: [1, 0, 1, 0, 0, 1], dtype: .bool)
    assertGradient([sample([2, 3], seed: 4), sample([3], seed: 5)]) { x in try Tensor.where(mask, x[0], x[1]) }
    assertGradient([sample([3, 3], seed: 6)]) { x in try x[0].tril() }
  }

  func testReductionsAlongAxes() {
    assertGradient([sample([3, 4], seed: 1)]) { x in try x[0].variance(axis: 1) }
    assertGradient([sample([3, 4], seed: 2)]) { x in try x[0].standardDeviation() }
    assertGradient([sample([3, 4], seed: 3)]) { x in try x[0].cumsum(axis: 0) }
    assertGradient([sample([3, 4], seed: 4)]) { x in try x[0].min(axis: 1).values }
    assertGradient([sample([3, 4], seed: 5)]) { x in try x[0].maxAll() }
  }

  func testBatchedMatmul() {
    assertGradient([sample([2, 3, 4], seed: 1), sample([2, 4, 5], seed: 2)]) { x in try x[0].matmul(x[1]) }
    assertGradient([sample([2, 3, 4], seed: 3), sample([4, 5], seed: 4)]) { x in try x[0].matmul(x[1]) }
    assertGradient([sample([2, 1, 3, 4], seed: 5), sample([3, 4, 2], seed: 6)]) { x in try x[0].matmul(x[1]) }
    assertGradient([sample([4], seed: 7), sample([4, 3], seed: 8)]) { x in try x[0].matmul(x[1]) }
  }

  func testIntegerArithmeticIsExact() throws {
    let big = Tensor(shape: [2], ints: [1 << 40, -7])
    let sum = try big + Tensor(shape: [], ints: [1])
    XCTAssertEqual(sum.ints, [(1 << 40) + 1, -6])
    XCTAssertEqual(try big.floorDivided(by: Tensor(shape: [], ints: [2])).ints, [1 << 39, -4])
    XCTAssertEqual(try big.remainder(Tensor(shape: [], ints: [3])).ints, [1, 2])
    XCTAssertThrowsError(try big.floorDivided(by: Tensor(shape: [], ints: [0])))
    XCTAssertEqual(try big.sum().ints, [(1 << 40) - 7])
  }
}
