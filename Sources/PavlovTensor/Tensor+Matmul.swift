import PavlovCore
import CPavlovKernels

/// Matrix products through `pv_sgemm` (one summation order on every CPU), with PyTorch's rules
/// for vectors and batches: a vector operand gains (and then loses) an axis; leading axes are
/// batch axes that broadcast.
extension Tensor {
  /// `self @ other`.
  public func matmul(_ other: Tensor) throws -> Tensor {
    guard rank >= 1, other.rank >= 1 else {
      throw CoreError("matmul: scalars cannot be multiplied with @ (shapes \(Shape.describe(shape)) and \(Shape.describe(other.shape)))",
                        hint: "use * for scaling")
    }
    if rank == 1 {
      return try unsqueezed(0).matmul(other).squeezed(-2 + (other.rank == 1 ? 1 : 0))
    }
    if other.rank == 1 {
      return try matmul(other.unsqueezed(1)).squeezed(-1)
    }
    let k = shape[rank - 1]
    guard k == other.shape[other.rank - 2] else {
      throw CoreError.shapes("matmul", shape, other.shape,
                               hint: "the inner sizes (\(k) and \(other.shape[other.rank - 2])) must be equal")
    }
    try AllocationLimit.elements(Array(shape.dropLast()) + [other.shape[other.rank - 1]], "matmul")
    if rank == 2 && other.rank == 2 { return matmul2D(other) }
    // A batch of matrices times one matrix is one big product.
    if other.rank == 2 {
      let rows = count / Swift.max(k, 1)
      let flat = try reshaped([rows, k]).matmul2D(other)
      return try flat.reshaped(Array(shape.dropLast()) + [other.shape[1]])
    }
    return try batchedMatmul(other)
  }

  private func matmul2D(_ other: Tensor) -> Tensor {
    let a = self, b = other
    let m = shape[0], k = shape[1], n = other.shape[1]
    let out = Tensor.gemm(a.data, rowsA: m, colsA: k, transposeA: false, b.data, rowsB: k, colsB: n, transposeB: false)
    return Tensor.result([m, n], out, "matmul", [a, b]) { g in
      // dA = G Bᵀ (m×n · n×k), dB = Aᵀ G (k×m · m×n)
      let ga = a.tracksGradient ? Tensor(shape: a.shape, data: Tensor.gemm(g.data, rowsA: m, colsA: n, transposeA: false, b.data, rowsB: k, colsB: n, transposeB: true)) : nil
      let gb = b.tracksGradient ? Tensor(shape: b.shape, data: Tensor.gemm(a.data, rowsA: m, colsA: k, transposeA: true, g.data, rowsB: m, colsB: n, transposeB: false)) : nil
      return [ga, gb]
    }
  }

  private func batchedMatmul(_ other: Tensor) throws -> Tensor {
    let m = shape[rank - 2], k = shape[rank - 1], n = other.shape[other.rank - 1]
    let batchA = Array(shape.dropLast(2)), batchB = Array(other.shape.dropLast(2))
    guard let batch = Shape.broadcast(batchA, batchB) else {
      throw CoreError.shapes("matmul (batch axes)", shape, other.shape, hint: "the leading axes must broadcast")
    }
    let a = self, b = other
    let fullA = batch + [m, k], fullB = batch + [k, n]
    for full in [fullA, fullB, batch + [m, n]] { try AllocationLimit.elements(full, "matmul") }
    let da = a.shape == fullA ? a.data : a.broadcastCopy(to: fullA).data
    let db = b.shape == fullB ? b.data : b.broadcastCopy(to: fullB).data
    let count = Shape.count(batch)
    var out = [Float].uninitialized(count * m * n)
    Tensor.gemmBatch(count, da, m, k, false, db, k, n, false, into: &out)
    return Tensor.result(batch + [m, n], out, "matmul", [a, b]) { g in
      var ga: Tensor?, gb: Tensor?
      if a.tracksGradient {
        var grad = [Float](repeating: 0, count: count * m * k)
        Tensor.gemmBatch(count, g.data, m, n, false, db, k, n, true, into: &grad)
        ga = Broadcast.reduce(Tensor(shape: fullA, data: grad), to: a.shape)
      }
      if b.tracksGradient {
        var grad = [Float](repeating: 0, count: count * k * n)
        Tensor.gemmBatch(count, da, m, k, true, g.data, m, n, false, into: &grad)
        gb = Broadcast.reduce(Tensor(shape: fullB, data: grad), to: b.shape)
      }
      return [ga, gb]
    }
  }

  /// `count` products C_i = op(A_i) · op(B_i) over consecutive matrices.
  static func gemmBatch(_ count: Int, _ a: [Float], _ rowsA: Int, _ colsA: Int, _ transposeA: Bool,
                        _ b: [Float], _ rowsB: Int, _ colsB: Int, _ transposeB: Bool, into c: inout [Float]) {
    let m = transposeA ? colsA : rowsA, k = transposeA ? rowsA : colsA, n = transposeB ? rowsB : colsB
    guard m > 0, n > 0 else { return }  // k = 0: pv_sgemm writes the zeros
    a.withUnsafeBufferPointer { pa in
      b.withUnsafeBufferPointer { pb in
        c.withUnsafeMutableBufferPointer { pc in
          for i in 0..<count {
            sgemm(transposeA, transposeB, m, n, k, pa.baseAddress! + i * rowsA * colsA, colsA,
                  pb.baseAddress! + i * rowsB * colsB, colsB, 0, pc.baseAddress! + i * m * n, n)
          }
        }
      }
    }
  }

  /// Products below this many multiply-adds run as one call. With Dispatch's hand-off (~50 µs) a
  /// 128×128×128 product ran at 88 GFLOP/s whole and 53 split; with the spinning worker
  /// (`Parallel.halves`) it runs at 150-170 split, so products down to 2^20 are split.
  static let splitWork = 1 << 20

  /// Row-major C (m×n) = op(A)·op(B) + beta·C (see `pv_sgemm`: each element one FMA chain over k
  /// in order). Large products are cut into two blocks of C — fixed by the sizes, not by the
  /// cores, and never along k, so the bits never depend on the machine — run on two cores.
  /// Blocks split C's longer side: a short wide product (DQN's 64×256 layers) cut into two
  /// 32-row halves ran 13% slower than whole, into two column halves no slower.
  static func sgemm(_ transposeA: Bool, _ transposeB: Bool, _ m: Int, _ n: Int, _ k: Int,
                    _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
                    _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int) {
    func call(rows: Range<Int>, cols: Range<Int>) {
      let aStart = transposeA ? a + rows.lowerBound : a + rows.lowerBound * lda
      let bStart = transposeB ? b + cols.lowerBound * ldb : b + cols.lowerBound
      pv_sgemm(transposeA ? 1 : 0, transposeB ? 1 : 0, rows.count, cols.count, k, aStart, lda, bStart, ldb, beta,
               c + rows.lowerBound * ldc + cols.lowerBound, ldc)
    }
    let byColumns = n > m, side = byColumns ? n : m
    guard side >= 2 * 16, m * n * k >= splitWork else {
      call(rows: 0..<m, cols: 0..<n)
      return
    }
    // Blocks rounded to 16 rows or columns so both halves keep whole register tiles.
    let half = ((side / 2 + 15) / 16) * 16
    func block(_ i: Int) {
      let part = i == 0 ? 0..<half : half..<side
      if byColumns { call(rows: 0..<m, cols: part) } else { call(rows: part, cols: 0..<n) }
    }
    Parallel.halves({ block(0) }, { block(1) })
  }

  /// C = op(A) · op(B) for row-major A (rowsA×colsA) and B (rowsB×colsB).
  static func gemm(_ a: [Float], rowsA: Int, colsA: Int, transposeA: Bool,
                   _ b: [Float], rowsB: Int, colsB: Int, transposeB: Bool) -> [Float] {
    let m = transposeA ? colsA : rowsA
    let n = transposeB ? rowsB : colsB
    // Not zeroed: with beta 0 every element is written without being read.
    var c = [Float].uninitialized(m * n)
    gemmBatch(1, a, rowsA, colsA, transposeA, b, rowsB, colsB, transposeB, into: &c)
    return c
  }
}
