import Glibc

/// Causal multi-head attention as one fused operation on the packed projection `qkv` of shape
/// (B, T, 3d): per batch and head, S = Q·Kᵀ/√hd, masked so position i sees keys ≤ i, P =
/// softmax(S), O = P·V, written straight into the (B, T, d) output. The heads are read in place
/// through BLAS leading dimensions, so no transposes or copies are made.
extension Tensor {
  public static func causalSelfAttention(_ qkv: Tensor, heads: Int) throws -> Tensor {
    guard qkv.rank == 3, qkv.shape[2] % (3 * Swift.max(heads, 1)) == 0, heads > 0 else {
      throw TensorError("attention: expected a (batch, time, 3·d) projection with d divisible by \(heads) heads, got \(Shape.describe(qkv.shape))")
    }
    let B = qkv.shape[0], T = qkv.shape[1], d = qkv.shape[2] / 3, hd = d / heads
    let scale = 1 / Float(hd).squareRoot()
    var out = [Float](repeating: 0, count: B * T * d)
    var probabilities = [Float](repeating: 0, count: B * heads * T * T)
    qkv.data.withUnsafeBufferPointer { src in
      out.withUnsafeMutableBufferPointer { o in
        probabilities.withUnsafeMutableBufferPointer { p in
          for b in 0..<B {
            for h in 0..<heads {
              let base = src.baseAddress! + b * T * 3 * d + h * hd
              let pb = p.baseAddress! + (b * heads + h) * T * T
              attentionRows(q: base, k: base + d, v: base + 2 * d, ld: 3 * d, queries: T, keys: T, offset: 0, hd: hd, scale: scale,
                            probabilities: pb, out: o.baseAddress! + b * T * d + h * hd, outLD: d)
            }
          }
        }
      }
    }
    let saved = probabilities
    return result([B, T, d], out, "attention", [qkv]) { g in
      var grad = [Float](repeating: 0, count: qkv.count)
      var dP = [Float](repeating: 0, count: T * T)
      qkv.data.withUnsafeBufferPointer { src in
        g.data.withUnsafeBufferPointer { gd in
          grad.withUnsafeMutableBufferPointer { gq in
            saved.withUnsafeBufferPointer { p in
              dP.withUnsafeMutableBufferPointer { dp in
                for b in 0..<B {
                  for h in 0..<heads {
                    let base = src.baseAddress! + b * T * 3 * d + h * hd
                    let gbase = gq.baseAddress! + b * T * 3 * d + h * hd
                    let pb = p.baseAddress! + (b * heads + h) * T * T
                    let dO = gd.baseAddress! + b * T * d + h * hd
                    // dP = dO·Vᵀ ; dV = Pᵀ·dO
                    sgemm(false, true, T, T, hd, dO, d, base + 2 * d, 3 * d, 0, dp.baseAddress!, T)
                    sgemm(true, false, T, hd, T, pb, T, dO, d, 0, gbase + 2 * d, 3 * d)
                    // dS = P ⊙ (dP − Σ_j dP⊙P) · scale (masked entries have P = 0)
                    for i in 0..<T {
                      var dot: Float = 0
                      for j in 0...i { dot += dp[i * T + j] * pb[i * T + j] }
                      for j in 0..<T { dp[i * T + j] = j <= i ? pb[i * T + j] * (dp[i * T + j] - dot) * scale : 0 }
                    }
                    // dQ = dS·K ; dK = dSᵀ·Q
                    sgemm(false, false, T, hd, T, dp.baseAddress!, T, base + d, 3 * d, 0, gbase, 3 * d)
                    sgemm(true, false, T, hd, T, dp.baseAddress!, T, base, 3 * d, 0, gbase + d, 3 * d)
                  }
                }
              }
            }
          }
        }
      }
      return [Tensor(shape: qkv.shape, data: grad)]
    }
  }

  /// Attention of `queries` rows against `keys` rows for one head: query i sees keys
  /// 0...offset+i. Writes the probabilities (queries × keys) and the output rows.
  static func attentionRows(q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>, ld: Int,
                            queries: Int, keys: Int, offset: Int, hd: Int, scale: Float,
                            probabilities p: UnsafeMutablePointer<Float>, out: UnsafeMutablePointer<Float>, outLD: Int,
                            keyLD: Int? = nil) {
    let kld = keyLD ?? ld
    sgemm(false, true, queries, keys, hd, q, ld, k, kld, 0, p, keys)
    for i in 0..<queries {
      let row = p + i * keys
      let visible = Swift.min(keys, offset + i + 1)
      var top = -Float.infinity
      for j in 0..<visible { row[j] *= scale; top = Swift.max(top, row[j]) }
      var total: Float = 0
      for j in 0..<visible { row[j] = expf(row[j] - top); total += row[j] }
      let inv = 1 / total
      for j in 0..<visible { row[j] *= inv }
      for j in visible..<Swift.max(visible, keys) { row[j] = 0 }
    }
    sgemm(false, false, queries, hd, keys, p, keys, v, kld, 0, out, outLD)
  }
}
