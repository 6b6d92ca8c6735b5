import Glibc
import PavlovTensor
import XCTest

/// Layers: gradients against finite differences, initializations, modes, copies, LoRA, and
/// generation with the key/value cache against the full forward pass.
final class NNTests: XCTestCase {
  func testFusedLinearGradient() {
    assertGradient([sample([5, 3], seed: 1), sample([4, 3], seed: 2), sample([4], seed: 3)]) { x in try Tensor.linear(x[0], x[1], x[2]) }
    assertGradient([sample([2, 5, 3], seed: 4), sample([4, 3], seed: 5)]) { x in try Tensor.linear(x[0], x[1], nil) }
  }

  func testLayerNormGradient() {
    assertGradient([sample([3, 6], low: -2, high: 2, seed: 1), sample([6], low: 0.5, high: 1.5, seed: 2), sample([6], seed: 3)],
                   tolerance: 2e-2) { x in try Tensor.layerNorm(x[0], x[1], x[2]) }
  }

  func testLayerNormGradientOverBlocksOfRows() {
    // The kernel sums rows four at a time: 9 rows cover two full blocks and a tail.
    assertGradient([sample([9, 6], low: -2, high: 2, seed: 4), sample([6], low: 0.5, high: 1.5, seed: 5), sample([6], seed: 6)],
                   tolerance: 2e-2) { x in try Tensor.layerNorm(x[0], x[1], x[2]) }
  }

  func testLayerNormGivesARowTheSameBitsInABlockAsAlone() throws {
    let row = sample([1, 37], low: -3, high: 3, seed: 8).data
    let weight = sample([37], seed: 9), bias = sample([37], seed: 10)
    let alone = try Tensor.layerNorm(Tensor(shape: [1, 37], data: row), weight, bias)
    let inBlocks = try Tensor.layerNorm(Tensor(shape: [6, 37], data: Array([[Float]](repeating: row, count: 6).joined())), weight, bias)
    for r in 0..<6 { XCTAssertEqual(Array(inBlocks.data[(r * 37)..<((r + 1) * 37)]), alone.data, "row \(r)") }
  }

  func testLayerNormNormalizes() throws {
    let x = Tensor(shape: [2, 4], data: [1, 2, 3, 4, -3, 0, 3, 8])
    let y = try Tensor.layerNorm(x, Tensor.ones([4]), Tensor.zeros([4]), eps: 0)
    for r in 0..<2 {
      let row = Array(y.data[(r * 4)..<(r * 4 + 4)])
      XCTAssertEqual(row.reduce(0, +), 0, accuracy: 1e-5)
      XCTAssertEqual(row.map { $0 * $0 }.reduce(0, +) / 4, 1, accuracy: 1e-4)
    }
  }

  func testAttentionGradientAndCausality() throws {
    assertGradient([sample([2, 4, 12], seed: 1)], tolerance: 2e-2) { x in try Tensor.causalSelfAttention(x[0], heads: 2) }
    // Changing a later position must not change earlier outputs.
    let qkv = sample([1, 5, 12], seed: 2)
    let before = try Tensor.causalSelfAttention(qkv, heads: 2)
    qkv.setElement(4 * 12 + 3, 9)
    let after = try Tensor.causalSelfAttention(qkv, heads: 2)
    XCTAssertEqual(Array(before.data[0..<16]), Array(after.data[0..<16]))
    XCTAssertNotEqual(Array(before.data[16..<20]), Array(after.data[16..<20]))
  }

  func testAttentionGradientOverLongRows() {
    // Rows longer than one 16-lane vector, and lengths between whole vectors.
    assertGradient([sample([1, 21, 6], seed: 4)], tolerance: 2e-2) { x in try Tensor.causalSelfAttention(x[0], heads: 2) }
  }

  func testAttentionMatchesUnfusedComputation() throws {
    let qkv = sample([1, 3, 6], seed: 3)  // d = 2, one head
    let out = try Tensor.causalSelfAttention(qkv, heads: 1)
    let q = try qkv.index([.all, .all, .slice(0, 2, 1)]).squeezed(0)
    let k = try qkv.index([.all, .all, .slice(2, 4, 1)]).squeezed(0)
    let v = try qkv.index([.all, .all, .slice(4, 6, 1)]).squeezed(0)
    let scores = try q.matmul(try k.transposed()) / Float(2).squareRoot()
    let mask = Tensor(shape: [3, 3], ints: [1, 0, 0, 1, 1, 0, 1, 1, 1], dtype: .bool)
    let masked = try Tensor.where(mask, scores, Tensor(scalar: -.infinity))
    let expected = try masked.softmax(axis: -1).matmul(v)
    for (a, b) in zip(out.data, expected.data) { XCTAssertEqual(a, b, accuracy: 1e-5) }
  }

  func testEmbeddingGradientAccumulatesRepeatedIds() throws {
    let e = Embedding(4, 2, generator: SeededGenerator(seed: 1))
    let ids = Tensor(shape: [3], ints: [1, 3, 1])
    try e.forward(ids).sum().backward()
    XCTAssertEqual(e.weight.grad?.data, [0, 0, 2, 2, 0, 0, 1, 1])
    XCTAssertThrowsError(try e.forward(Tensor(shape: [1], ints: [4])))
  }

  func testLinearInitializations() throws {
    let rng = SeededGenerator(seed: 3)
    let standard = Linear(16, 8, generator: rng)
    XCTAssertTrue(standard.weight.data.allSatisfy { Swift.abs($0) <= 0.25 })
    let orthogonal = Linear(16, 8, initialization: .orthogonal(gain: 2), generator: rng)
    // Rows are orthogonal with norm = gain: W Wᵀ = 4 I.
    let gram = try orthogonal.weight.matmul(try orthogonal.weight.transposed())
    for i in 0..<8 { for j in 0..<8 { XCTAssertEqual(gram.data[i * 8 + j], i == j ? 4 : 0, accuracy: 1e-4) } }
    XCTAssertEqual(orthogonal.bias?.data, [Float](repeating: 0, count: 8))
    let tall = Linear(4, 10, initialization: .orthogonal(gain: 1), generator: rng)
    let cols = try tall.weight.transposed().matmul(tall.weight)
    for i in 0..<4 { for j in 0..<4 { XCTAssertEqual(cols.data[i * 4 + j], i == j ? 1 : 0, accuracy: 1e-4) } }
  }

  func testMLPCopyFreezeAndModes() throws {
    let rng = SeededGenerator(seed: 4)
    let net = try Sequential.mlp([3, 5, 2], generator: rng)
    XCTAssertEqual(net.namedParameters().map(\.0), ["0.weight", "0.bias", "2.weight", "2.bias"])
    let twin = try net.copy()
    let x = sample([2, 3], seed: 9)
    XCTAssertEqual(try net.forward(x).data, try twin.forward(x).data)
    twin.allParameters[0].setElement(0, 5)
    XCTAssertNotEqual(net.allParameters[0].data[0], 5)
    net.setFrozen(true)
    XCTAssertTrue(net.parameters.isEmpty)
    let drop = try Dropout(0.5, generator: rng)
    let ones = Tensor.ones([1000])
    let dropped = try drop.forward(ones)
    XCTAssertTrue(dropped.data.allSatisfy { $0 == 0 || $0 == 2 })
    drop.setTraining(false)
    XCTAssertEqual(try drop.forward(ones).data, ones.data)
  }

  func testLoRAStartsAsBaseAndTrainsOnlyAdapters() throws {
    let rng = SeededGenerator(seed: 5)
    let net = try Sequential.mlp([3, 4, 2], generator: rng)
    let x = sample([2, 3], seed: 1)
    let base = try net.forward(x).data
    try net.addLoRA(rank: 2, alpha: 4, generator: rng)
    XCTAssertEqual(try net.forward(x).data, base)
    XCTAssertEqual(net.parameters.count, 4)  // A and B of two layers
    net.parameters[1].setElement(0, 1)  // B of the first layer
    XCTAssertNotEqual(try net.forward(x).data, base)
    net.setAdapters(false)
    XCTAssertEqual(try net.forward(x).data, base)
  }

  /// GPT reaches its parts by named fields; LoRA swaps a linear layer in place and the field
  /// follows (attention's projections, the head when not skipped), and copies keep the adapters.
  func testGPTFieldsFollowLoRAAndCopiesKeepTheParameterNames() throws {
    let rng = SeededGenerator(seed: 9)
    let model = try GPT(vocab: 7, dim: 8, layers: 1, heads: 2, context: 4, generator: rng)
    XCTAssertEqual(model.namedParameters().map(\.0).prefix(6), ["tok.weight", "pos.weight", "blocks.0.ln1.weight", "blocks.0.ln1.bias",
                                                                  "blocks.0.attn.qkv.weight", "blocks.0.attn.qkv.bias"])
    XCTAssertFalse(model.hasAdapters)
    let ids = Tensor(shape: [1, 3], ints: [1, 2, 3])
    let base = try model.forward(ids).data
    try model.addLoRA(rank: 2, alpha: 2, skip: [], generator: rng)
    XCTAssertTrue(model.hasAdapters)
    XCTAssertTrue(model.blocks[0].attn.qkv is LoRALinear && model.head is LoRALinear)
    for (name, t) in model.namedParameters() where name.hasSuffix("lora_B") { t.setElement(0, 0.5) }
    let adapted = try model.forward(ids).data
    XCTAssertNotEqual(adapted, base)
    let copy = try model.typedCopy()
    XCTAssertEqual(copy.namedParameters().map(\.0), model.namedParameters().map(\.0))
    XCTAssertEqual(try copy.forward(ids).data, adapted)
    model.setAdapters(false)
    XCTAssertEqual(try model.forward(ids).data, base)
  }

  func testGenerationWithCacheMatchesFullForward() throws {
    let rng = SeededGenerator(seed: 6)
    let model = try GPT(vocab: 11, dim: 16, layers: 2, heads: 2, context: 8, generator: rng)
    let prompt: [Int64] = [1, 4, 2]
    let generated = try model.generate([prompt], maxTokens: 10, temperature: 0, generator: rng)[0]
    // Greedy decoding by recomputing everything each step (cropping to the context).
    var tokens = prompt
    var expected: [Int64] = []
    for _ in 0..<10 {
      let window = Array(tokens.suffix(7))
      let logits = try Autograd.noGrad { try model.forward(Tensor(shape: [window.count], ints: window)) }
      let last = Array(logits.data[((window.count - 1) * 11)..<(window.count * 11)])
      let next = Int64(last.indices.max { last[$0] < last[$1] }!)
      expected.append(next)
      tokens.append(next)
    }
    XCTAssertEqual(Array(generated.prefix(5)), Array(expected.prefix(5)))  // within the first window: exact
    XCTAssertEqual(generated.count, 10)
  }

  func testGPTGradientFlowsToEveryParameter() throws {
    let model = try GPT(vocab: 7, dim: 8, layers: 1, heads: 2, context: 4, generator: SeededGenerator(seed: 7))
    let ids = Tensor(shape: [2, 4], ints: [1, 2, 3, 4, 5, 6, 0, 1])
    let loss = try Tensor.crossEntropy(try model.forward(ids), Tensor(shape: [2, 4], ints: [2, 3, 4, 5, 6, 0, 1, 2]))
    XCTAssertEqual(try loss.item(), logf(7), accuracy: 0.05)  // small init: near uniform
    try loss.backward()
    for (name, p) in model.namedParameters() { XCTAssertNotNil(p.grad, name) }
  }

  func testLossesAgainstClosedForms() throws {
    let logits = Tensor(shape: [2, 3], data: [0, 0, 0, 1, 2, 3])
    let ce = try Tensor.crossEntropy(logits, Tensor(shape: [2], ints: [0, 2]))
    let expected = (logf(3) + (logf(expf(1) + expf(2) + expf(3)) - 3)) / 2
    XCTAssertEqual(try ce.item(), expected, accuracy: 1e-5)
    assertGradient([sample([3, 4], seed: 1)]) { x in try Tensor.crossEntropy(x[0], Tensor(shape: [3], ints: [0, 3, 1])) }
    let huber = try Tensor.huberLoss(Tensor(shape: [2], data: [0, 3]), Tensor(shape: [2], data: [0.5, 0]))
    XCTAssertEqual(try huber.item(), (0.125 + 2.5) / 2, accuracy: 1e-6)
    assertGradient([sample([5], low: -3, high: 3, seed: 2)]) { x in try Tensor.binaryCrossEntropyWithLogits(x[0], Tensor(shape: [5], data: [0, 1, 1, 0, 1])) }
  }
}
