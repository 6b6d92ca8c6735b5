import PavlovTensor
import XCTest

final class TensorTests: XCTestCase {
  func testBroadcastingFollowsNumPy() throws {
    let a = try Tensor.make(shape: [2, 1], data: [1, 2])
    let b = try Tensor.make(shape: [3], data: [10, 20, 30])
    let c = try a + b
    XCTAssertEqual(c.shape, [2, 3])
    XCTAssertEqual(c.data, [11, 21, 31, 12, 22, 32])
    XCTAssertEqual(Shape.broadcast([5, 1, 4], [3, 1]), [5, 3, 4])
    XCTAssertNil(Shape.broadcast([2, 3], [4]))
  }

  func testMismatchedShapesNameBothShapesAndTheOperation() {
    let a = Tensor.zeros([2, 3]), b = Tensor.zeros([4])
    XCTAssertThrowsError(try a + b) { error in
      XCTAssertTrue("\(error)".contains("add: shapes (2, 3) and (4,) do not match"), "\(error)")
    }
    XCTAssertThrowsError(try Tensor.zeros([2, 3]).matmul(Tensor.zeros([2, 3]))) { error in
      XCTAssertTrue("\(error)".contains("matmul: shapes (2, 3) and (2, 3)"), "\(error)")
    }
    XCTAssertThrowsError(try Tensor.make(shape: [2, 2], data: [1, 2, 3]))
  }

  func testMatmulMatchesTheDefinition() throws {
    let a = sample([7, 5], seed: 1), b = sample([5, 3], seed: 2)
    let c = try a.matmul(b)
    for i in 0..<7 {
      for j in 0..<3 {
        var expected: Float = 0
        for k in 0..<5 { expected += a.data[i * 5 + k] * b.data[k * 3 + j] }
        XCTAssertEqual(c.data[i * 3 + j], expected, accuracy: 1e-5)
      }
    }
  }

  func testReductionsAlongAxes() throws {
    let x = try Tensor.make(shape: [2, 3], data: [1, 2, 3, 4, 5, 6])
    XCTAssertEqual(try x.sum().item(), 21)
    XCTAssertEqual(try x.sum(axis: 0).data, [5, 7, 9])
    XCTAssertEqual(try x.sum(axis: 1).data, [6, 15])
    XCTAssertEqual(try x.sum(axis: 1, keepdim: true).shape, [2, 1])
    XCTAssertEqual(try x.mean(axis: 0).data, [2.5, 3.5, 4.5])
    XCTAssertThrowsError(try x.sum(axis: 2))
  }

  func testGradientsAccumulateUntilZeroed() throws {
    let w = try Tensor.make(shape: [2], data: [1, 2]).requiringGrad()
    try (try w * w).sum().backward()
    try (try w * w).sum().backward()
    XCTAssertEqual(w.grad?.data, [4, 8])   // 2 × 2w
    w.zeroGrad()
    try (try w * 3).sum().backward()
    XCTAssertEqual(w.grad?.data, [3, 3])
  }

  func testNoGradRecordsNothingAndDetachCutsTheGraph() throws {
    let w = Tensor.ones([3]).requiringGrad()
    let y = try Autograd.noGrad { try (w * 2).sum() }
    XCTAssertThrowsError(try y.backward()) // computed without recording: no graph to walk
    let z = try (try w.detached() * 2).sum()
    try? z.backward()
    XCTAssertNil(w.grad)
  }

  func testBackwardOnANonScalarNeedsASeed() throws {
    let w = Tensor.ones([3]).requiringGrad()
    XCTAssertThrowsError(try (try w * 2).backward()) { error in
      XCTAssertTrue("\(error)".contains("needs a scalar"), "\(error)")
    }
    try (try w * 2).backward(seed: Tensor.ones([3]))
    XCTAssertEqual(w.grad?.data, [2, 2, 2])
  }

  func testAVeryDeepGraphDoesNotOverflowTheStack() throws {
    let w = Tensor.ones([1]).requiringGrad()
    var x = w
    for _ in 0..<20_000 { x = try x * 1.0001 }
    try x.sum().backward()
    XCTAssertEqual(try XCTUnwrap(w.grad).data[0], Float(pow(1.0001, 20_000)), accuracy: 1e-2)
  }

  func testSeededRandomTensorsRepeat() {
    let a = Tensor.randn([4], generator: SeededGenerator(seed: 3))
    let b = Tensor.randn([4], generator: SeededGenerator(seed: 3))
    XCTAssertEqual(a.data, b.data)
  }
}
