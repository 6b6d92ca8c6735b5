import PavlovTensor
import XCTest

final class SoftmaxTests: XCTestCase {
  func testSoftmaxRowsSumToOneAndStayFiniteForHugeLogits() throws {
    let logits = try Tensor.make(shape: [2, 3], data: [1, 2, 3, 1000, 1001, 1002])
    let p = try logits.softmax(axis: 1)
    XCTAssertTrue(p.data.allSatisfy(\.isFinite))
    XCTAssertEqual(try p.sum(axis: 1).data[0], 1, accuracy: 1e-6)
    XCTAssertEqual(try p.sum(axis: 1).data[1], 1, accuracy: 1e-6)
    // Shifting the logits does not change the probabilities.
    for i in 0..<3 { XCTAssertEqual(p.data[i], p.data[3 + i], accuracy: 1e-6) }
    // Known value: softmax([1, 2, 3])[2] = e² / (1 + e + e²).
    XCTAssertEqual(p.data[2], Float(exp(2.0) / (1 + exp(1.0) + exp(2.0))), accuracy: 1e-6)
  }

  func testLogSoftmaxIsTheLogOfSoftmax() throws {
    let x = sample([3, 5], low: -3, high: 3, seed: 11)
    let a = try x.logSoftmax(axis: 1), b = try x.softmax(axis: 1).log()
    for i in 0..<a.count { XCTAssertEqual(a.data[i], b.data[i], accuracy: 1e-5) }
  }

  func testGradients() {
    assertGradient([sample([3, 4], low: -2, high: 2, seed: 2)]) { x in try x[0].logsumexp(axis: 1) }
    assertGradient([sample([3, 4], low: -2, high: 2, seed: 2)]) { x in try x[0].logsumexp(axis: 0, keepdim: true) }
    assertGradient([sample([3, 4], low: -2, high: 2, seed: 2)]) { x in try x[0].softmax(axis: 1) }
    assertGradient([sample([2, 5], low: -2, high: 2, seed: 2)]) { x in try x[0].logSoftmax(axis: -1) }
    assertGradient([sample([3, 4], seed: 6)]) { x in try x[0].max(axis: 1).values }
  }

  func testMaxAndArgmax() throws {
    let x = try Tensor.make(shape: [2, 3], data: [1, 5, 5, 7, 2, 3])
    let (values, indices) = try x.max(axis: 1)
    XCTAssertEqual(values.data, [5, 7])
    XCTAssertEqual(indices, [1, 0])   // ties go to the first
    XCTAssertEqual(try x.argmax(axis: 0), [1, 0, 0])
  }
}
