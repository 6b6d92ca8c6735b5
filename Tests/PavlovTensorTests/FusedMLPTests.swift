import PavlovTensor
import XCTest

/// FusedMLP against the same network under autograd: the same output and gradient bits.
final class FusedMLPTests: XCTestCase {
  /// Runs `model` on `x` both ways, backpropagating `seed` (the output's gradient), and
  /// compares outputs and every parameter's gradient exactly.
  private func assertSameAsAutograd(_ model: Sequential, rows: Int, file: StaticString = #filePath, line: UInt = #line) throws {
    guard let fused = FusedMLP(model, maxRows: rows) else { return XCTFail("FusedMLP refused the model", file: file, line: line) }
    let x = sample([rows, fused.inputSize], seed: 11)
    let seed = sample([rows, fused.outputSize], seed: 12)
    let params = model.parameters
    for p in params { p.zeroGrad() }
    let expected = try model.forward(x)
    try expected.backward(seed: seed)
    let expectedGrads = params.map { $0.grad?.data }
    for p in params { p.zeroGrad() }

    let out = x.data.withUnsafeBufferPointer { Array(fused.forward($0, rows: rows)) }
    XCTAssertEqual(out, expected.data, "outputs", file: file, line: line)
    seed.data.withUnsafeBufferPointer { fused.backward($0) }
    for (i, p) in params.enumerated() {
      XCTAssertEqual(p.grad?.data, expectedGrads[i], "gradient of parameter \(i)", file: file, line: line)
    }
  }

  func testReLUNetworkMatchesAutogradBitForBit() throws {
    let g = SeededGenerator(seed: 1)
    try assertSameAsAutograd(try Sequential.mlp([5, 16, 12, 3], activation: .relu, generator: g), rows: 7)
    // DQN's CartPole size: the 256×256 products are split over two row blocks.
    try assertSameAsAutograd(try Sequential.mlp([4, 256, 256, 2], activation: .relu, generator: g), rows: 64)
  }

  func testIdentityLayersBiasFreeLayersAndFrozenParameters() throws {
    let g = SeededGenerator(seed: 2)
    let model = Sequential([Linear(3, 8, generator: g), Activation(.identity), Linear(8, 4, bias: false, generator: g),
                            Activation(.relu), Linear(4, 2, generator: g)])
    try assertSameAsAutograd(model, rows: 5)
    // A frozen layer gets no gradient, as under autograd.
    let first = try XCTUnwrap(model.children[0].module as? Linear)
    first.weight.requiresGrad = false
    first.weight.grad = nil
    try assertSameAsAutograd(model, rows: 5)
    XCTAssertNil(first.weight.grad)
  }

  func testFewerRowsThanTheBuffersAndRefusedModels() throws {
    let g = SeededGenerator(seed: 3)
    let model = try Sequential.mlp([2, 6, 2], activation: .relu, generator: g)
    let fused = try XCTUnwrap(FusedMLP(model, maxRows: 10))
    let x = sample([3, 2], seed: 4)
    let out = x.data.withUnsafeBufferPointer { Array(fused.forward($0, rows: 3)) }
    XCTAssertEqual(out, try Autograd.noGrad { try model.forward(x) }.data)
    XCTAssertNil(FusedMLP(try Sequential.mlp([2, 6, 2], activation: .tanh, generator: g), maxRows: 4))
    XCTAssertNil(FusedMLP(Linear(2, 2, generator: g), maxRows: 4))
  }
}
