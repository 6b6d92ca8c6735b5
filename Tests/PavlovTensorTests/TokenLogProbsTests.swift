import PavlovTensor
import XCTest

final class TokenLogProbsTests: XCTestCase {
  func testMatchesLogSoftmaxAtTheTargets() throws {
    let logits = Tensor.randn([2, 3, 5], generator: SeededGenerator(seed: 1))
    let targets = Tensor(shape: [2, 3], ints: [0, 4, 2, 1, 3, 3])
    let fused = try Tensor.tokenLogProbs(logits, targets)
    let reference = try logits.logSoftmax(axis: -1)
    for r in 0..<6 { XCTAssertEqual(fused.data[r], reference.data[r * 5 + Int(targets.ints[r])], accuracy: 1e-5) }
  }

  func testGradientMatchesFiniteDifferences() {
    let targets = Tensor(shape: [2, 3], ints: [0, 4, 2, 1, 3, 3])
    assertGradient([Tensor.randn([2, 3, 5], generator: SeededGenerator(seed: 2))]) { x in try Tensor.tokenLogProbs(x[0], targets) }
  }

  func testEntropyOfUniformLogitsIsLogOfTheVocabulary() {
    let h = Tensor.tokenEntropies(Tensor.zeros([3, 8]))
    for v in h.data { XCTAssertEqual(v, logf(8), accuracy: 1e-5) }
  }

  func testRejectsTargetsOutsideTheVocabulary() {
    XCTAssertThrowsError(try Tensor.tokenLogProbs(Tensor.zeros([1, 2, 4]), Tensor(shape: [1, 2], ints: [0, 4])))
    XCTAssertThrowsError(try Tensor.tokenLogProbs(Tensor.zeros([1, 2, 4]), Tensor(shape: [2], ints: [0, 1])))
  }

  /// Prompts of different lengths in one batch continue exactly as each would alone.
  func testBatchedGenerationWithRaggedPromptsMatchesOneRowAtATime() throws {
    let model = try GPT(vocab: 11, dim: 16, layers: 2, heads: 2, context: 12, generator: SeededGenerator(seed: 3))
    let prompts: [[Int64]] = [[1, 2, 3, 4, 5], [6], [7, 8, 9]]
    let together = try model.generate(prompts, maxTokens: 9, temperature: 0, generator: SeededGenerator(seed: 0))
    for (i, p) in prompts.enumerated() {
      let alone = try model.generate([p], maxTokens: 9, temperature: 0, generator: SeededGenerator(seed: 0))
      XCTAssertEqual(together[i], alone[0], "row \(i)")
    }
    // Greedy decoding equals the argmax of a full forward pass, token by token.
    var sequence: [Int64] = [7, 8, 9]
    for _ in 0..<4 {
      let logits = try model.forward(Tensor(shape: [sequence.count], ints: sequence))
      let last = Array(logits.data[((sequence.count - 1) * 11)..<(sequence.count * 11)])
      sequence.append(Int64(last.indices.max { last[$0] < last[$1] }!))
    }
    XCTAssertEqual(Array(sequence.dropFirst(3)), Array(together[2].prefix(4)))
  }

  func testGenerationStopsEachRowAtItsStopToken() throws {
    let model = try GPT(vocab: 5, dim: 8, layers: 1, heads: 1, context: 16, generator: SeededGenerator(seed: 4))
    let out = try model.generate([[0], [1, 2]], maxTokens: 12, temperature: 1, stop: [3], generator: SeededGenerator(seed: 9))
    for row in out {
      if let k = row.firstIndex(of: 3) { XCTAssertEqual(k, row.count - 1) } else { XCTAssertEqual(row.count, 12) }
    }
  }
}

final class LogSigmoidTests: XCTestCase {
  func testValuesAreFiniteAndGradientIsHalfAtZero() throws {
    let x = Tensor(shape: [4], data: [-200, 0, 3, 200], requiresGrad: true)
    let y = x.logSigmoid()
    XCTAssertEqual(y.data[0], -200, accuracy: 1e-3)
    XCTAssertEqual(y.data[1], -logf(2), accuracy: 1e-6)
    XCTAssertEqual(y.data[3], 0, accuracy: 1e-6)
    try y.sum().backward()
    XCTAssertEqual(x.grad!.data[1], 0.5, accuracy: 1e-6)
    XCTAssertEqual(x.grad!.data[0], 1, accuracy: 1e-6)
    assertGradient([Tensor.randn([6], generator: SeededGenerator(seed: 5))]) { x in x[0].logSigmoid() }
  }
}
