import PavlovTensor
import XCTest

/// A padded batch run with its padding skipped (`GPT.features(_:lengths:)`) gives the padded
/// run's bits at every real position and in every parameter gradient.
final class PackedRowsTests: XCTestCase {
  /// 4 × 40 rows of d 64: 160 padded rows, so layer norm's backward splits them in two parts
  /// (64-row grain) and the packed rows must split where the padded ones do.
  let lengths = [40, 17, 33, 5], width = 40

  func model() throws -> GPT { try GPT(vocab: 11, dim: 64, layers: 2, heads: 4, context: 48, generator: SeededGenerator(seed: 3)) }

  func ids() -> Tensor {
    let g = SeededGenerator(seed: 4)
    return Tensor(shape: [lengths.count, width], ints: (0..<(lengths.count * width)).map { _ in Int64(g.nextInt(below: 11)) })
  }

  /// Weights for a loss over the real positions only (zeros at the padding).
  func realWeights(d: Int) -> Tensor {
    let g = SeededGenerator(seed: 5)
    var w: [Float] = []
    for b in 0..<lengths.count {
      for t in 0..<width { for _ in 0..<d { w.append(t < lengths[b] ? Float(g.nextDouble()) - 0.5 : 0) } }
    }
    return Tensor(shape: [lengths.count, width, d], data: w)
  }

  func testPackedFeaturesAreThePaddedBitsAtRealPositionsAndZerosAtThePadding() throws {
    let gpt = try model()
    let padded = try Autograd.noGrad { try gpt.features(ids()) }
    let packed = try Autograd.noGrad { try gpt.features(ids(), lengths: lengths) }
    XCTAssertEqual(packed.shape, padded.shape)
    let d = gpt.dim
    for b in 0..<lengths.count {
      for t in 0..<width {
        let row = (b * width + t) * d
        let want = t < lengths[b] ? Array(padded.data[row..<(row + d)]) : [Float](repeating: 0, count: d)
        XCTAssertEqual(Array(packed.data[row..<(row + d)]).map(\.bitPattern), want.map(\.bitPattern), "row \(b), position \(t)")
      }
    }
  }

  func testPackedGradientsAreThePaddedBits() throws {
    let paddedModel = try model(), packedModel = try model()
    let weights = realWeights(d: paddedModel.dim)
    try (try paddedModel.features(ids()) * weights).sum().backward()
    try (try packedModel.features(ids(), lengths: lengths) * weights).sum().backward()
    for ((name, a), (_, b)) in zip(paddedModel.namedParameters(), packedModel.namedParameters()) {
      guard let ga = a.grad, let gb = b.grad else {
        XCTAssertTrue(a.grad == nil && b.grad == nil && name.hasPrefix("head"), "\(name) got a gradient on one path only")
        continue
      }
      XCTAssertEqual(ga.data.map(\.bitPattern), gb.data.map(\.bitPattern), name)
    }
  }

  func testFullRowsAndDropoutTakeThePaddedPath() throws {
    XCTAssertNil(PackedRows(lengths: [3, 3], width: 3))
    let gpt = try GPT(vocab: 5, dim: 8, layers: 1, heads: 2, context: 8, dropout: 0.5, generator: SeededGenerator(seed: 1))
    gpt.setTraining(false)
    let x = Tensor(shape: [2, 4], ints: [1, 2, 3, 4, 1, 2, 0, 0])
    let inEvaluation = try gpt.features(x, lengths: [4, 2])
    XCTAssertEqual(Array(inEvaluation.data[48..<64]), [Float](repeating: 0, count: 16))  // packed: zeros at the padding
    gpt.setTraining(true)
    let training = try gpt.features(x, lengths: [4, 2])
    XCTAssertNotEqual(Array(training.data[48..<64]), [Float](repeating: 0, count: 16))  // dropout's masks need the padded rows
  }

  func testPackedAttentionGradient() throws {
    guard let packed = PackedRows(lengths: [3, 1, 5], width: 5) else { return XCTFail("nothing packed") }
    assertGradient([sample([9, 12], seed: 6)], tolerance: 2e-2) { x in try Tensor.causalSelfAttention(x[0], heads: 2, packed: packed) }
    assertGradient([sample([9, 4], seed: 7)]) { x in packed.unpack(x[0]) }
  }

  func testPackedAttentionIsEachSequenceAlone() throws {
    guard let packed = PackedRows(lengths: [3, 5], width: 5) else { return XCTFail("nothing packed") }
    let qkv = sample([8, 12], seed: 8)
    let together = try Tensor.causalSelfAttention(qkv, heads: 2, packed: packed)
    let first = try Tensor.causalSelfAttention(Tensor(shape: [1, 3, 12], data: Array(qkv.data[0..<36])), heads: 2)
    let second = try Tensor.causalSelfAttention(Tensor(shape: [1, 5, 12], data: Array(qkv.data[36..<96])), heads: 2)
    XCTAssertEqual(together.data.map(\.bitPattern), (first.data + second.data).map(\.bitPattern))
    XCTAssertThrowsError(try Tensor.causalSelfAttention(sample([7, 12], seed: 9), heads: 2, packed: packed))
  }
}
