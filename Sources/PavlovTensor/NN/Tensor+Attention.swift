import PavlovCore
import CPavlovKernels
import Glibc

/// Causal multi-head attention as one fused operation on the joint projection `qkv` of shape
/// (B, T, 3d): per batch and head, S = Q·Kᵀ/√hd, masked so position i sees keys ≤ i, P =
/// softmax(S), O = P·V, written straight into the (B, T, d) output. The heads are read in place
/// through BLAS leading dimensions, so no transposes or copies are made.
extension Tensor {
  public static func causalSelfAttention(_ qkv: Tensor, heads: Int) throws -> Tensor {
    guard qkv.rank == 3, qkv.shape[2] % (3 * Swift.max(heads, 1)) == 0, heads > 0 else {
      throw CoreError("attention: expected a (batch, time, 3·d) projection with d divisible by \(heads) heads, got \(Shape.describe(qkv.shape))")
    }
    let B = qkv.shape[0], T = qkv.shape[1]
    return attention(qkv, heads: heads, starts: (0..<B).map { $0 * T }, lengths: [Int](repeating: T, count: B),
                     shape: [B, T, qkv.shape[2] / 3])
  }

  /// The same over the packed rows (count, 3·d) of a batch (see `PackedRows`): each sequence's
  /// positions attend to their own sequence's, with no padding computed.
  public static func causalSelfAttention(_ qkv: Tensor, heads: Int, packed: PackedRows) throws -> Tensor {
    guard qkv.rank == 2, qkv.shape[0] == packed.count, qkv.shape[1] % (3 * Swift.max(heads, 1)) == 0, heads > 0 else {
      throw CoreError("attention: expected a (\(packed.count), 3·d) projection with d divisible by \(heads) heads, got \(Shape.describe(qkv.shape))")
    }
    return attention(qkv, heads: heads, starts: packed.starts, lengths: packed.lengths, shape: [packed.count, qkv.shape[1] / 3])
  }

  /// Sequence b is rows starts[b]..<starts[b] + lengths[b] of `qkv` (rows of 3·d).
  private static func attention(_ qkv: Tensor, heads: Int, starts: [Int], lengths: [Int], shape: [Int]) -> Tensor {
    let d = shape[shape.count - 1], hd = d / heads, sequences = starts.count
    let scale = 1 / Float(hd).squareRoot()
    // Each (sequence, head) pair's probabilities, lengths[b]² of them, one pair after another.
    var probabilityStarts: [Int] = [], total = 0
    for length in lengths {
      probabilityStarts.append(total)
      total += heads * length * length
    }
    var out = [Float].uninitialized(qkv.count / 3)
    var probabilities = [Float].uninitialized(total)
    // Every (sequence, head) pair writes its own rows: the pairs are split over the cores.
    qkv.data.withUnsafeBufferPointer { src in
      out.withUnsafeMutableBufferPointer { o in
        probabilities.withUnsafeMutableBufferPointer { p in
          guard let source = src.baseAddress, let output = o.baseAddress, let probs = p.baseAddress else { return }
          Parallel.forEachPart(sequences * heads, minimumPerPart: 4) { _, pairs in
            for pair in pairs {
              let b = pair / heads, h = pair % heads, T = lengths[b]
              let base = source + starts[b] * 3 * d + h * hd
              attentionRows(q: base, k: base + d, v: base + 2 * d, ld: 3 * d, queries: T, keys: T, offset: 0, hd: hd, scale: scale,
                            probabilities: probs + probabilityStarts[b] + h * T * T, out: output + starts[b] * d + h * hd, outLD: d)
            }
          }
        }
      }
    }
    let saved = probabilities
    let longest = lengths.max() ?? 0
    return result(shape, out, "attention", [qkv]) { g in
      var grad = [Float].uninitialized(qkv.count)  // every q, k and v slot is written by one sgemm
      var scratch = [Float].uninitialized(Parallel.parts * longest * longest)
      qkv.data.withUnsafeBufferPointer { src in
        g.data.withUnsafeBufferPointer { gd in
          grad.withUnsafeMutableBufferPointer { gq in
            saved.withUnsafeBufferPointer { p in
              scratch.withUnsafeMutableBufferPointer { sp in
                guard let source = src.baseAddress, let gradient = gq.baseAddress, let probs = p.baseAddress,
                      let incoming = gd.baseAddress, let scratchBase = sp.baseAddress else { return }
                Parallel.forEachPart(sequences * heads, minimumPerPart: 4) { part, pairs in
                  let dp = scratchBase + part * longest * longest
                  for pair in pairs {
                    let b = pair / heads, h = pair % heads, T = lengths[b]
                    let base = source + starts[b] * 3 * d + h * hd
                    let gbase = gradient + starts[b] * 3 * d + h * hd
                    let pb = probs + probabilityStarts[b] + h * T * T
                    let dO = incoming + starts[b] * d + h * hd
                    // dP = dO·Vᵀ ; dV = Pᵀ·dO
                    sgemm(false, true, T, T, hd, dO, d, base + 2 * d, 3 * d, 0, dp, T)
                    sgemm(true, false, T, hd, T, pb, T, dO, d, 0, gbase + 2 * d, 3 * d)
                    // dS = P ⊙ (dP − Σ_j dP⊙P) · scale (masked entries have P = 0)
                    pv_causal_softmax_backward(dp, pb, T, scale)
                    // dQ = dS·K ; dK = dSᵀ·Q
                    sgemm(false, false, T, hd, T, dp, T, base + d, 3 * d, 0, gbase, 3 * d)
                    sgemm(true, false, T, hd, T, dp, T, base, 3 * d, 0, gbase + d, 3 * d)
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
    pv_causal_softmax(p, queries, keys, offset, scale)
    sgemm(false, false, queries, hd, keys, p, keys, v, kld, 0, out, outLD)
  }
}
