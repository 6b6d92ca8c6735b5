import CBLAS

/// Matrix products through OpenBLAS's `cblas_sgemm`.
extension Tensor {
  /// `self @ other` for two matrices (m×k and k×n).
  public func matmul(_ other: Tensor) throws -> Tensor {
    guard rank == 2, other.rank == 2 else {
      throw TensorError("matmul: expected two matrices, got shapes \(Shape.describe(shape)) and \(Shape.describe(other.shape))",
                        hint: "reshape vectors to (1, n) or (n, 1)")
    }
    guard shape[1] == other.shape[0] else {
      throw TensorError.shapes("matmul", shape, other.shape, hint: "the inner sizes (\(shape[1]) and \(other.shape[0])) must be equal")
    }
    let a = self, b = other
    let m = shape[0], n = other.shape[1]
    let out = Tensor.gemm(a.data, rowsA: m, colsA: shape[1], transposeA: false, b.data, rowsB: other.shape[0], colsB: n, transposeB: false)
    return Tensor.result([m, n], out, "matmul", [a, b]) { g in
      // dA = G Bᵀ (m×n · n×k), dB = Aᵀ G (k×m · m×n)
      let ga = Tensor.gemm(g.data, rowsA: m, colsA: n, transposeA: false, b.data, rowsB: b.shape[0], colsB: n, transposeB: true)
      let gb = Tensor.gemm(a.data, rowsA: m, colsA: a.shape[1], transposeA: true, g.data, rowsB: m, colsB: n, transposeB: false)
      return [Tensor(shape: a.shape, data: ga), Tensor(shape: b.shape, data: gb)]
    }
  }

  /// C = op(A) · op(B) for row-major A (rowsA×colsA) and B (rowsB×colsB).
  static func gemm(_ a: [Float], rowsA: Int, colsA: Int, transposeA: Bool,
                   _ b: [Float], rowsB: Int, colsB: Int, transposeB: Bool) -> [Float] {
    let m = transposeA ? colsA : rowsA
    let k = transposeA ? rowsA : colsA
    let n = transposeB ? rowsB : colsB
    var c = [Float](repeating: 0, count: m * n)
    guard m > 0, n > 0, k > 0 else { return c }
    a.withUnsafeBufferPointer { pa in
      b.withUnsafeBufferPointer { pb in
        c.withUnsafeMutableBufferPointer { pc in
          cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                      Int32(m), Int32(n), Int32(k), 1, pa.baseAddress, Int32(colsA), pb.baseAddress, Int32(colsB),
                      0, pc.baseAddress, Int32(n))
        }
      }
    }
    return c
  }
}
