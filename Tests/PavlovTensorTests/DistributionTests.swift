import Foundation
import PavlovTensor
import XCTest

final class DistributionTests: XCTestCase {
  private func ints(_ values: [Int64], _ shape: [Int]? = nil) -> Tensor { Tensor(shape: shape ?? [values.count], ints: values) }
  private func floats(_ values: [Float], _ shape: [Int]? = nil) -> Tensor { Tensor(shape: shape ?? [values.count], data: values) }

  private func assertThrows(_ fragment: String, file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> Any) {
    do {
      _ = try body()
      XCTFail("expected an error containing \"\(fragment)\"", file: file, line: line)
    } catch let e as CoreError {
      XCTAssertTrue(e.description.contains(fragment), "\"\(e.description)\" does not contain \"\(fragment)\"", file: file, line: line)
    } catch {
      XCTFail("unexpected error \(error)", file: file, line: line)
    }
  }

  // MARK: - Categorical values

  func testCategoricalLogProbFromLogits() throws {
    let d = try Categorical(logits: floats([1, 2, 3]))
    let normalizer = log(exp(1.0) + exp(2.0) + exp(3.0))
    XCTAssertEqual(d.categories, 3)
    XCTAssertEqual(d.batchShape, [])
    let lp = try d.logProb(ints([2], []))
    XCTAssertEqual(lp.shape, [])
    XCTAssertEqual(Double(lp.data[0]), 3 - normalizer, accuracy: 1e-6)
    for j in 0..<3 { XCTAssertEqual(Double(d.probs.data[j]), exp(Double(j + 1) - normalizer), accuracy: 1e-6) }
    // The stored logits are normalized (logsumexp 0), as in PyTorch.
    XCTAssertEqual(Double(d.logits.data[0]), 1 - normalizer, accuracy: 1e-6)
  }

  func testCategoricalFromProbsNormalizesWeights() throws {
    let d = try Categorical(probs: floats([2, 3, 5]))
    XCTAssertEqual(d.probs.data, [0.2, 0.3, 0.5])
    let lp = try d.logProb(ints([0, 1, 2]))
    XCTAssertEqual(lp.shape, [3])
    for (j, p) in [0.2, 0.3, 0.5].enumerated() { XCTAssertEqual(Double(lp.data[j]), log(p), accuracy: 1e-6) }
  }

  func testLogProbBroadcastsOverTheBatch() throws {
    let d = try Categorical(logits: floats([0, 0, 0, 1, 2, 3], [2, 3]))
    XCTAssertEqual(d.batchShape, [2])
    let lp = try d.logProb(ints([1, 2]))
    XCTAssertEqual(lp.shape, [2])
    XCTAssertEqual(Double(lp.data[0]), -log(3.0), accuracy: 1e-6)
    XCTAssertEqual(Double(lp.data[1]), 3 - log(exp(1.0) + exp(2.0) + exp(3.0)), accuracy: 1e-6)
    // Several actions per distribution: shape (4, 1) against batch (2,) gives (4, 2).
    let many = try d.logProb(ints([0, 1, 2, 0], [4, 1]))
    XCTAssertEqual(many.shape, [4, 2])
    XCTAssertEqual(many.data[5], lp.data[1], accuracy: 1e-7)  // row 2 (action 2), distribution 1
    // Whole-number float actions are accepted (Pavlov's tensor(...) makes floats).
    XCTAssertEqual(try d.logProb(floats([1, 2])).data, lp.data)
  }

  func testEntropy() throws {
    for k in [1, 2, 5, 10] {
      let uniform = try Categorical(logits: Tensor.zeros([3, k]))
      let h = try uniform.entropy()
      XCTAssertEqual(h.shape, [3])
      for v in h.data { XCTAssertEqual(Double(v), log(Double(k)), accuracy: 1e-6) }
    }
    let d = try Categorical(probs: floats([0.1, 0.2, 0.7]))
    let expected = -[0.1, 0.2, 0.7].map { $0 * log($0) }.reduce(0, +)
    XCTAssertEqual(Double(try d.entropy().item()), expected, accuracy: 1e-6)
  }

  func testImpossibleCategories() throws {
    // Masked logits and zero probabilities: entropy stays finite, log_prob is -inf, never sampled.
    let masked = try Categorical(logits: floats([0, -.infinity, 0]))
    let zeroed = try Categorical(probs: floats([0.5, 0, 0.5]))
    for d in [masked, zeroed] {
      XCTAssertEqual(Double(try d.entropy().item()), log(2.0), accuracy: 1e-6)
      XCTAssertEqual(try d.logProb(ints([1], [])).item(), -.infinity)
      XCTAssertEqual(d.logits.data[1], -.infinity)
      XCTAssertFalse(d.sample(shape: [2000], generator: SeededGenerator(seed: 3)).ints.contains(1))
    }
    // Gradients stay finite (0 where a category is ruled out).
    let logits = floats([0.3, -.infinity, -0.2]).requiringGrad()
    try Categorical(logits: logits).entropy().backward()
    XCTAssertTrue(logits.grad!.data.allSatisfy(\.isFinite), "\(logits.grad!.data)")
    XCTAssertEqual(logits.grad!.data[1], 0)
    let probs = floats([0.5, 0, 0.5]).requiringGrad()
    try (try Categorical(probs: probs).entropy() + (try Categorical(probs: probs).logProb(ints([0], [])))).backward()
    XCTAssertTrue(probs.grad!.data.allSatisfy(\.isFinite), "\(probs.grad!.data)")
  }

  func testMode() throws {
    let d = try Categorical(logits: floats([1, 3, 2, 5, 5, 0], [2, 3]))
    let m = try d.mode()
    XCTAssertEqual(m.dtype, .int64)
    XCTAssertEqual(m.shape, [2])
    XCTAssertEqual(m.ints, [1, 0])  // ties: the first
    XCTAssertEqual(try Categorical(probs: floats([0.2, 0.8])).mode().ints, [1])
  }

  // MARK: - Sampling

  func testSamplingFrequenciesConverge() throws {
    let p: [Float] = [0.1, 0.2, 0.3, 0.4]
    let d = try Categorical(probs: floats(p))
    let n = 20_000
    let s = d.sample(shape: [n], generator: SeededGenerator(seed: 42))
    XCTAssertEqual(s.dtype, .int64)
    XCTAssertEqual(s.shape, [n])
    var counts = [Int](repeating: 0, count: 4)
    for a in s.ints { counts[Int(a)] += 1 }
    for j in 0..<4 { XCTAssertEqual(Double(counts[j]) / Double(n), Double(p[j]), accuracy: 0.02) }
  }

  func testBatchedSamplingUsesEachRowsProbabilities() throws {
    let d = try Categorical(logits: Tensor(shape: [2, 3], data: [Float(log(0.7)), Float(log(0.2)), Float(log(0.1)), 0, 0, 0]))
    let n = 20_000
    let s = d.sample(shape: [n], generator: SeededGenerator(seed: 5))
    XCTAssertEqual(s.shape, [n, 2])
    var counts = [[Int]](repeating: [0, 0, 0], count: 2)
    for i in 0..<n { for r in 0..<2 { counts[r][Int(s.ints[i * 2 + r])] += 1 } }
    for (j, p) in [0.7, 0.2, 0.1].enumerated() { XCTAssertEqual(Double(counts[0][j]) / Double(n), p, accuracy: 0.02) }
    for j in 0..<3 { XCTAssertEqual(Double(counts[1][j]) / Double(n), 1.0 / 3, accuracy: 0.02) }
    // One sample per distribution by default: the batch shape.
    XCTAssertEqual(d.sample(generator: SeededGenerator(seed: 1)).shape, [2])
  }

  func testSameSeedSameSamples() throws {
    let c = try Categorical(logits: sample([8, 5], low: -2, high: 2, seed: 9))
    let a = c.sample(shape: [10], generator: SeededGenerator(seed: 123))
    let b = c.sample(shape: [10], generator: SeededGenerator(seed: 123))
    XCTAssertEqual(a.ints, b.ints)
    XCTAssertNotEqual(a.ints, c.sample(shape: [10], generator: SeededGenerator(seed: 124)).ints)
    // Exactly one uniform draw per sample: the generator advances by the sample count.
    let g = SeededGenerator(seed: 77), h = SeededGenerator(seed: 77)
    _ = c.sample(shape: [3], generator: g)
    for _ in 0..<(3 * 8) { _ = h.nextDouble() }
    XCTAssertEqual(g.nextDouble(), h.nextDouble())

    let normal = try Normal(mean: floats([0, 1]), std: floats([1, 2]))
    XCTAssertEqual(try normal.sample(shape: [4], generator: SeededGenerator(seed: 8)).data,
                   try normal.sample(shape: [4], generator: SeededGenerator(seed: 8)).data)
  }

  // MARK: - Normal

  func testNormalLogProbAndEntropyMatchTheFormula() throws {
    let mean: [Float] = [0, 1.5, -2], std: [Float] = [1, 0.5, 3]
    let x: [Float] = [0.3, 1, -7]
    let d = try Normal(mean: floats(mean), std: floats(std))
    let lp = try d.logProb(floats(x))
    let h = try d.entropy()
    for i in 0..<3 {
      let m = Double(mean[i]), s = Double(std[i]), v = Double(x[i])
      let expected = -(v - m) * (v - m) / (2 * s * s) - log(s) - 0.5 * log(2 * Double.pi)
      XCTAssertEqual(Double(lp.data[i]), expected, accuracy: 1e-5)
      XCTAssertEqual(Double(h.data[i]), 0.5 + 0.5 * log(2 * Double.pi) + log(s), accuracy: 1e-5)
    }
    XCTAssertEqual(d.mode().data, mean)
  }

  func testNormalBroadcastsMeanAndStd() throws {
    let d = try Normal(mean: Tensor.zeros([2, 3]), std: Tensor(scalar: 2))
    XCTAssertEqual(d.batchShape, [2, 3])
    XCTAssertEqual(d.std.shape, [2, 3])
    XCTAssertEqual(try d.entropy().shape, [2, 3])
    XCTAssertEqual(try d.sample(shape: [5], generator: SeededGenerator(seed: 1)).shape, [5, 2, 3])
    XCTAssertEqual(try d.logProb(Tensor(scalar: 0)).shape, [2, 3])
    XCTAssertEqual(d.variance.data[0], 4)
  }

  func testNormalSamplesHaveTheRightMoments() throws {
    let d = try Normal(mean: floats([3]), std: floats([2]))
    let n = 20_000
    let s = try d.sample(shape: [n], generator: SeededGenerator(seed: 11))
    XCTAssertEqual(s.shape, [n, 1])
    XCTAssertFalse(s.requiresGrad)
    let m = s.data.map(Double.init).reduce(0, +) / Double(n)
    let sd = sqrt(s.data.map { (Double($0) - m) * (Double($0) - m) }.reduce(0, +) / Double(n - 1))
    XCTAssertEqual(m, 3, accuracy: 0.06)
    XCTAssertEqual(sd, 2, accuracy: 0.04)
  }

  func testSampleHasNoGradientButRsampleDoes() throws {
    let mean = floats([0.5, -1]).requiringGrad(), std = floats([1, 2]).requiringGrad()
    let d = try Normal(mean: mean, std: std)
    let s = try d.sample(generator: SeededGenerator(seed: 2))
    XCTAssertThrowsError(try s.sum().backward())
    let r = try d.rsample(generator: SeededGenerator(seed: 2))
    XCTAssertEqual(r.data, s.data)
    try r.sum().backward()
    XCTAssertEqual(mean.grad!.data, [1, 1])
    // d(mean + std·ε)/d std = ε = (sample - mean) / std
    for i in 0..<2 { XCTAssertEqual(std.grad!.data[i], (s.data[i] - mean.data[i]) / std.data[i], accuracy: 1e-6) }
  }

  // MARK: - KL

  func testKLCategorical() throws {
    let p = try Categorical(probs: floats([0.5, 0.5])), q = try Categorical(probs: floats([0.25, 0.75]))
    XCTAssertEqual(try kl(p, p).item(), 0, accuracy: 1e-7)
    XCTAssertEqual(Double(try kl(p, q).item()), 0.5 * log(0.5 / 0.25) + 0.5 * log(0.5 / 0.75), accuracy: 1e-6)
    XCTAssertEqual(Double(try kl(q, p).item()), 0.25 * log(0.25 / 0.5) + 0.75 * log(0.75 / 0.5), accuracy: 1e-6)
    // Batched: one divergence per row.
    let a = try Categorical(logits: sample([4, 6], low: -2, high: 2, seed: 1))
    let b = try Categorical(logits: sample([4, 6], low: -2, high: 2, seed: 2))
    let k = try kl(a, b)
    XCTAssertEqual(k.shape, [4])
    XCTAssertTrue(k.data.allSatisfy { $0 > 0 })
    for v in try kl(a, a).data { XCTAssertEqual(v, 0, accuracy: 1e-6) }
    // Where q rules out a category p allows, the divergence is infinite; where p does, it is finite.
    let ruledOut = try Categorical(logits: floats([0, -.infinity]))
    XCTAssertEqual(try kl(p, ruledOut).item(), .infinity)
    XCTAssertEqual(Double(try kl(ruledOut, p).item()), log(2.0), accuracy: 1e-6)
    XCTAssertEqual(try kl(ruledOut, ruledOut).item(), 0)
  }

  func testKLNormal() throws {
    let p = try Normal(mean: floats([0]), std: floats([1])), q = try Normal(mean: floats([1]), std: floats([2]))
    XCTAssertEqual(try kl(p, p).item(), 0, accuracy: 1e-7)
    // log(σq/σp) + (σp² + (μp-μq)²)/(2σq²) - ½ = log 2 + 2/8 - 1/2
    XCTAssertEqual(Double(try kl(p, q).item()), log(2.0) + 0.25 - 0.5, accuracy: 1e-6)
    XCTAssertEqual(Double(try kl(q, p).item()), log(0.5) + (4 + 1) / 2.0 - 0.5, accuracy: 1e-6)
    XCTAssertEqual(try kl(try Normal(mean: Tensor.zeros([3, 2]), std: Tensor(scalar: 1)), q).shape, [3, 2])
  }

  // MARK: - Gradients

  func testCategoricalGradients() throws {
    let actions = ints([0, 2, 1, 2])
    assertGradient([sample([4, 3], low: -2, high: 2, seed: 2)]) { x in try Categorical(logits: x[0]).logProb(actions) }
    assertGradient([sample([4, 3], low: -2, high: 2, seed: 3)]) { x in try Categorical(logits: x[0]).entropy() }
    assertGradient([sample([4, 3], low: 0.2, high: 1, seed: 4)]) { x in try Categorical(probs: x[0]).logProb(actions) }
    assertGradient([sample([4, 3], low: 0.2, high: 1, seed: 5)]) { x in try Categorical(probs: x[0]).entropy() }
    assertGradient([sample([4, 3], low: -2, high: 2, seed: 6), sample([4, 3], low: -2, high: 2, seed: 7)]) { x in
      try kl(try Categorical(logits: x[0]), try Categorical(logits: x[1]))
    }
    assertGradient([sample([2, 5], low: -2, high: 2, seed: 8)]) { x in try Categorical(logits: x[0]).probs }
  }

  func testNormalGradients() throws {
    let mean = sample([3, 2], low: -1, high: 1, seed: 2)
    let std = sample([3, 2], low: 0.5, high: 1.5, seed: 3)
    let x = sample([3, 2], low: -2, high: 2, seed: 4)
    assertGradient([mean, std, x]) { t in try Normal(mean: t[0], std: t[1]).logProb(t[2]) }
    assertGradient([sample([3, 2], low: 0.5, high: 1.5, seed: 5)]) { t in try Normal(mean: Tensor.zeros([3, 2]), std: t[0]).entropy() }
    assertGradient([sample([3, 2], seed: 6), sample([3, 2], low: 0.5, high: 1.5, seed: 7),
                    sample([3, 2], seed: 8), sample([3, 2], low: 0.5, high: 1.5, seed: 9)]) { t in
      try kl(try Normal(mean: t[0], std: t[1]), try Normal(mean: t[2], std: t[3]))
    }
    // Broadcast parameters get gradients of their own shape.
    assertGradient([sample([2], seed: 10), sample([3, 1], low: 0.5, high: 1.5, seed: 11)]) { t in
      try Normal(mean: t[0], std: t[1]).rsample(shape: [4], generator: SeededGenerator(seed: 12))
    }
  }

  // MARK: - Errors

  func testErrors() throws {
    assertThrows("at least one axis") { try Categorical(logits: Tensor(scalar: 1)) }
    assertThrows("no categories") { try Categorical(logits: Tensor.zeros([2, 0])) }
    assertThrows("non-negative, got -0.5") { try Categorical(probs: self.floats([0.5, -0.5, 1])) }
    assertThrows("all 0") { try Categorical(probs: self.floats([0, 0, 1, 0], [2, 2])) }
    assertThrows("contain nan") { try Categorical(logits: self.floats([0, .nan])) }
    assertThrows("every logit of row 1 is -inf") { try Categorical(logits: self.floats([0, 1, -.infinity, -.infinity], [2, 2])) }
    let d = try Categorical(logits: Tensor.zeros([2, 3]))
    assertThrows("action 3 is out of range for 3 categories") { try d.logProb(self.ints([0, 3])) }
    assertThrows("action -1 is out of range") { try d.logProb(self.ints([-1, 0])) }
    assertThrows("whole numbers") { try d.logProb(self.floats([0.5, 1])) }
    assertThrows("shape (3,) do not match the batch shape (2,)") { try d.logProb(self.ints([0, 1, 2])) }
    assertThrows("different numbers of categories (3 and 2)") { try kl(d, try Categorical(logits: Tensor.zeros([2]))) }
    assertThrows("batch shapes (2,) and (3,)") { try kl(d, try Categorical(logits: Tensor.zeros([3, 3]))) }

    assertThrows("std must be positive and finite, got 0.0") { try Normal(mean: Tensor.zeros([2]), std: self.floats([1, 0])) }
    assertThrows("got -1.0") { try Normal(mean: Tensor.zeros([2]), std: self.floats([-1, 1])) }
    assertThrows("normal: shapes (2,) and (3,) do not match") { try Normal(mean: Tensor.zeros([2]), std: Tensor.ones([3])) }
    assertThrows("mean contains nan") { try Normal(mean: self.floats([.nan]), std: Tensor.ones([1])) }
    let n = try Normal(mean: Tensor.zeros([2]), std: Tensor.ones([2]))
    assertThrows("does not match the batch shape (2,)") { try n.logProb(Tensor.zeros([3])) }
    assertThrows("batch shapes (2,) and (3,)") { try kl(n, try Normal(mean: Tensor.zeros([3]), std: Tensor.ones([3]))) }
  }
}
