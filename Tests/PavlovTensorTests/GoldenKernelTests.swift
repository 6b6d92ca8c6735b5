import CPavlovKernels
import Foundation
import XCTest

@testable import PavlovTensor

/// Golden bits of every float kernel: products over odd and tiny shapes, and each element-wise
/// kernel over a grid of inputs, fingerprinted and compared with `Tests/golden/kernels.expected`
/// on every kernel path this CPU supports. Any machine running the suite checks that it computes
/// what the machine that wrote the file computed. `PAVLOV_GOLDEN_WRITE=1` rewrites the file.
final class GoldenKernelTests: XCTestCase {
  static let expectedURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("golden/kernels.expected")

  override func tearDown() {
    KernelPath.use(.best)
  }

  func testEveryPathGivesTheGoldenBits() throws {
    let computed = KernelPath.supported.map { path -> (KernelPath, [(String, String)]) in
      XCTAssertTrue(KernelPath.use(path))
      return (path, Self.fingerprints())
    }
    KernelPath.use(.best)
    if ProcessInfo.processInfo.environment["PAVLOV_GOLDEN_WRITE"] == "1" {
      let lines = computed.last!.1.map { "\($0.0) \($0.1)" }
      try (lines.joined(separator: "\n") + "\n").write(to: Self.expectedURL, atomically: true, encoding: .utf8)
    }
    let expected = try Self.readExpected()
    let cpu = CPU.model
    for (path, results) in computed {
      XCTAssertEqual(results.map(\.0), expected.map(\.0), "the golden cases changed: rewrite with PAVLOV_GOLDEN_WRITE=1")
      for ((name, got), (_, want)) in zip(results, expected) where got != want {
        XCTFail("golden bits differ: \(name) on the \(path.name) path of \(cpu): got \(got), expected \(want) (Tests/golden/kernels.expected)")
      }
    }
  }

  /// The contract itself: on every path, every element is the one FMA chain over k in order that
  /// `pv_sgemm_portable` computes an element at a time — over random shapes (edge tiles, k blocks,
  /// shapes whose A is read in place or packed), transposes, padded strides and betas.
  func testEveryPathIsTheReferenceChain() {
    let g = SeededGenerator(seed: 11)
    for trial in 0..<160 {
      var m = 1 + g.nextInt(below: 70), n = 1 + g.nextInt(below: 140), k = 1 + g.nextInt(below: 600)
      if trial % 40 == 0 { (m, n, k) = (200 + g.nextInt(below: 60), 300 + g.nextInt(below: 40), 520) }
      let ta = g.nextInt(below: 2) == 1, tb = g.nextInt(below: 2) == 1
      let beta = Float(g.nextInt(below: 3)) * 0.5
      let lda = (ta ? m : k) + g.nextInt(below: 3), ldb = (tb ? k : n) + g.nextInt(below: 3), ldc = n + g.nextInt(below: 3)
      let a = Self.gaussians((ta ? k : m) * lda, seed: UInt64(3 * trial)), b = Self.gaussians((tb ? n : k) * ldb, seed: UInt64(3 * trial + 1))
      let start = Self.gaussians(m * ldc, seed: UInt64(3 * trial + 2))
      var reference = start
      pv_sgemm_portable(ta ? 1 : 0, tb ? 1 : 0, m, n, k, a, lda, b, ldb, beta, &reference, ldc)
      for path in KernelPath.supported {
        KernelPath.use(path)
        var c = start
        pv_sgemm(ta ? 1 : 0, tb ? 1 : 0, m, n, k, a, lda, b, ldb, beta, &c, ldc)
        if c.map(\.bitPattern) != reference.map(\.bitPattern) {
          XCTFail("\(path.name) path of \(CPU.model): \(m)×\(n)×\(k) ta \(ta) tb \(tb) beta \(beta) differs from the reference chain")
        }
      }
    }
  }

  /// One-row products (generation's attention) take their own loop; it too is the reference chain.
  func testOneRowProductsAreTheReferenceChain() {
    var trial: UInt64 = 0
    for ta in [false, true] {
      for tb in [false, true] {
        for (n, k) in [(1, 1), (3, 16), (16, 59), (33, 16), (61, 300)] {
          for beta: Float in [0, 1, 0.5] {
            trial += 1
            let lda = ta ? 2 : k + 1, ldb = (tb ? k : n) + 2
            let a = Self.gaussians(k * lda, seed: 1000 + 3 * trial), b = Self.gaussians((tb ? n : k) * ldb, seed: 1001 + 3 * trial)
            var reference = Self.gaussians(n, seed: 1002 + 3 * trial)
            let start = reference
            pv_sgemm_portable(ta ? 1 : 0, tb ? 1 : 0, 1, n, k, a, lda, b, ldb, beta, &reference, n)
            for path in KernelPath.supported {
              KernelPath.use(path)
              var c = start
              pv_sgemm(ta ? 1 : 0, tb ? 1 : 0, 1, n, k, a, lda, b, ldb, beta, &c, n)
              XCTAssertEqual(c.map(\.bitPattern), reference.map(\.bitPattern), "\(path.name): 1×\(n)×\(k) ta \(ta) tb \(tb) beta \(beta)")
            }
          }
        }
      }
    }
  }

  /// A product's rows do not depend on the other rows computed with them (a batch of one gives
  /// the bits of the same row in a batch of 64), which makes comparisons such as DPO's policy
  /// against its own copy exact by construction.
  func testProductRowsDoNotDependOnTheBatch() {
    let g = SeededGenerator(seed: 5)
    let (m, n, k) = (67, 45, 129)
    let a = (0..<m * k).map { _ in Float(g.nextGaussian()) }
    let b = (0..<k * n).map { _ in Float(g.nextGaussian()) }
    for path in KernelPath.supported {
      KernelPath.use(path)
      let whole = Tensor.gemm(a, rowsA: m, colsA: k, transposeA: false, b, rowsB: k, colsB: n, transposeB: false)
      for row in [0, 7, 40, 66] {
        let alone = Tensor.gemm(Array(a[row * k..<(row + 1) * k]), rowsA: 1, colsA: k, transposeA: false, b, rowsB: k, colsB: n,
                                transposeB: false)
        XCTAssertEqual(alone.map(\.bitPattern), whole[row * n..<(row + 1) * n].map(\.bitPattern), "row \(row) on \(path.name)")
      }
    }
  }

  // MARK: the cases

  static func fingerprints() -> [(String, String)] {
    var out: [(String, String)] = []
    let shapes: [(Int, Int, Int)] = [
      (1, 1, 1), (1, 7, 3), (3, 1, 5), (5, 5, 1), (2, 3, 300), (7, 13, 29), (17, 33, 65), (64, 256, 4), (64, 2, 256),
      (100, 3, 37), (9, 31, 257), (129, 130, 131), (33, 1000, 17), (256, 256, 256), (300, 70, 600),
    ]
    for (m, n, k) in shapes {
      for (ta, tb, beta) in [(false, false, Float(0)), (true, false, 0), (false, true, 1), (true, true, 0.5)] {
        out.append(("sgemm \(m)x\(n)x\(k) ta\(ta ? 1 : 0) tb\(tb ? 1 : 0) beta\(beta)", sgemm(m, n, k, ta, tb, beta)))
      }
    }
    let x = grid()
    let n = x.count
    func hash(_ arrays: [Float]...) -> String {
      var f = Fingerprint()
      for a in arrays { for v in a { f.add(floatBits: v) } }
      return f.hex
    }
    func map(_ kernel: (UnsafePointer<Float>?, UnsafeMutablePointer<Float>?, Int) -> Void) -> [Float] {
      var y = [Float](repeating: 0, count: n)
      kernel(x, &y, n)
      return y
    }
    out.append(("exp", hash(map(pv_exp))))
    out.append(("tanh", hash(map(pv_tanh))))
    out.append(("sigmoid", hash(map(pv_sigmoid))))
    out.append(("gelu", hash(map(pv_gelu))))
    out.append(("relu", hash(map(pv_relu))))
    var y = [Float](repeating: 0, count: n), cdf = [Float](repeating: 0, count: n)
    pv_gelu_keeping_cdf(x, &y, &cdf, n)
    let g = gaussians(n, seed: 2)
    var back = [Float](repeating: 0, count: n)
    pv_gelu_backward_from_cdf(x, cdf, g, &back, n)
    out.append(("gelu_keeping_cdf+backward", hash(y, cdf, back)))
    pv_relu_backward(x, g, &back, n)
    out.append(("relu_backward", hash(back)))
    let finite = x.map { $0.isFinite ? $0 : 1 }
    for (name, kernel) in [("add", pv_add), ("sub", pv_sub), ("mul", pv_mul), ("div", pv_div)] as [(String, (UnsafePointer<Float>?, Int32, UnsafePointer<Float>?, Int32, UnsafeMutablePointer<Float>?, Int) -> Void)] {
      var results: [[Float]] = []
      for (aStep, bStep) in [(Int32(1), Int32(1)), (1, 0), (0, 1), (0, 0)] {
        var z = [Float](repeating: 0, count: n)
        kernel(finite, aStep, g, bStep, &z, n)
        results.append(z)
      }
      out.append((name, hash(results[0], results[1], results[2], results[3])))
    }
    var param = gaussians(n, seed: 3), m = [Float](repeating: 0, count: n), v = [Float](repeating: 0, count: n)
    for step in 1...3 {
      let bc2 = Float(1 / (1 - Foundation.pow(0.999, Double(step))).squareRoot())
      pv_adam(&param, g, &m, &v, n, step == 2 ? 1 : 0, 0.999, step == 3 ? 0.01 : 0, 0.1, 0.999, 0.001, bc2, 1e-8, 1e-3)
    }
    out.append(("adam", hash(param, m, v)))
    let (rows, d) = (37, 96)
    let lx = gaussians(rows * d, seed: 4), w = gaussians(d, seed: 5), bias = gaussians(d, seed: 6)
    var lout = [Float](repeating: 0, count: rows * d), normalized = lout, inv = [Float](repeating: 0, count: rows)
    pv_layer_norm(lx, w, bias, 0, rows, d, 1e-5, &lout, &normalized, &inv)
    let lg = gaussians(rows * d, seed: 7)
    var gx = lout, gw = [Float](repeating: 0, count: d), gb = gw
    pv_layer_norm_backward(lg, w, normalized, inv, 0, rows, d, &gx, &gw, &gb)
    out.append(("layer_norm+backward", hash(lout, normalized, inv, gx, gw, gb)))
    var sums = [Float](repeating: 0, count: d)
    pv_column_sums_add(lx, rows, d, &sums)
    out.append(("column_sums", hash(sums)))
    let t = 45
    var p = gaussians(t * t, seed: 8).map { $0 * 4 }
    pv_causal_softmax(&p, t, t, 0, 0.25)
    var dp = gaussians(t * t, seed: 9)
    pv_causal_softmax_backward(&dp, p, t, 0.25)
    var offset = gaussians(5 * 50, seed: 10)
    pv_causal_softmax(&offset, 5, 50, 40, 1)
    out.append(("causal_softmax+backward", hash(p, dp, offset)))
    return out
  }

  static func sgemm(_ m: Int, _ n: Int, _ k: Int, _ ta: Bool, _ tb: Bool, _ beta: Float) -> String {
    let a = gaussians(m * k, seed: UInt64(m * 7919 + k)), b = gaussians(k * n, seed: UInt64(n * 104_729 + k))
    var c = gaussians(m * n, seed: 99)
    a.withUnsafeBufferPointer { pa in
      b.withUnsafeBufferPointer { pb in
        c.withUnsafeMutableBufferPointer { pc in
          Tensor.sgemm(ta, tb, m, n, k, pa.baseAddress!, ta ? m : k, pb.baseAddress!, tb ? k : n, beta, pc.baseAddress!, n)
        }
      }
    }
    var f = Fingerprint()
    for v in c { f.add(floatBits: v) }
    return f.hex
  }

  /// Special values, a fine grid over [-100, 100] (every kernel's branches and range limits), and
  /// wide random magnitudes.
  static func grid() -> [Float] {
    var x: [Float] = [0, -0, 1, -1, .infinity, -.infinity, .nan, .leastNonzeroMagnitude, -.leastNormalMagnitude,
                      .greatestFiniteMagnitude, -.greatestFiniteMagnitude, 88.72283, 88.72284, -87.33654, -87.33655,
                      0.625, -0.625, 1e-20, -1e-20]
    for i in 0...20_000 { x.append(Float(i - 10_000) / 100) }
    let g = SeededGenerator(seed: 1)
    for _ in 0..<4_000 { x.append(Float(g.nextGaussian() * Foundation.exp(g.nextDouble() * 10 - 5))) }
    return x
  }

  static func gaussians(_ n: Int, seed: UInt64) -> [Float] {
    let g = SeededGenerator(seed: seed)
    return (0..<n).map { _ in Float(g.nextGaussian()) }
  }

  static func readExpected() throws -> [(String, String)] {
    let text = try String(contentsOf: expectedURL, encoding: .utf8)
    return text.split(separator: "\n").map { line in
      let cut = line.lastIndex(of: " ")!
      return (String(line[..<cut]), String(line[cut...].dropFirst()))
    }
  }
}
