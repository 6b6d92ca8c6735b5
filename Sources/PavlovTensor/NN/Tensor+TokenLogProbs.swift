import PavlovCore
import CPavlovKernels
import Glibc

/// The log-probabilities a language model gives the tokens that actually came next: the fused
/// log-softmax-and-pick every RLHF loss is built on (SFT, PPO's ratios, DPO, KL to a reference).
/// One pass per row over the vocabulary, not a (rows × vocab) log-softmax kept for backward.
extension Tensor {
  /// log p(target) for logits (..., V) and int64 targets (...): shape of the targets. The
  /// gradient w.r.t. a row of logits is g · (onehot(target) − softmax(row)).
  public static func tokenLogProbs(_ logits: Tensor, _ targets: Tensor) throws -> Tensor {
    guard logits.rank >= 1, targets.dtype == .int64, Array(logits.shape.dropLast()) == targets.shape else {
      throw CoreError("token_log_probs: logits \(Shape.describe(logits.shape)) need int64 targets of shape \(Shape.describe(Array(logits.shape.dropLast()))), got \(targets.dtype.rawValue) \(Shape.describe(targets.shape))")
    }
    let vocab = logits.shape[logits.rank - 1], rows = targets.count
    guard vocab > 0 else { throw CoreError("token_log_probs: the vocabulary axis is empty") }
    for t in targets.ints where t < 0 || t >= Int64(vocab) {
      throw CoreError("token_log_probs: token \(t) is outside the vocabulary (0 to \(vocab - 1))")
    }
    var logNorm = [Float](repeating: 0, count: rows)
    var out = [Float](repeating: 0, count: rows)
    logits.data.withUnsafeBufferPointer { x in
      targets.ints.withUnsafeBufferPointer { ids in
        logNorm.withUnsafeMutableBufferPointer { norm in
          out.withUnsafeMutableBufferPointer { o in
            let (xp, np, op) = (x.baseAddress!, norm.baseAddress!, o.baseAddress!)
            Parallel.forEachPart(rows, minimumPerPart: Swift.max(1, 8192 / vocab)) { _, range in
              for r in range {
                let row = xp + r * vocab
                let lse = logSumExp(row, vocab)
                np[r] = lse
                op[r] = row[Int(ids[r])] - lse
              }
            }
          }
        }
      }
    }
    let norms = logNorm
    return Tensor.result(targets.shape, out, "token_log_probs", [logits]) { g in
      var grad = [Float](repeating: 0, count: rows * vocab)
      logits.data.withUnsafeBufferPointer { x in
        g.data.withUnsafeBufferPointer { gp in
          grad.withUnsafeMutableBufferPointer { dx in
            let (xp, dp, gb) = (x.baseAddress!, dx.baseAddress!, gp.baseAddress!)
            Parallel.forEachPart(rows, minimumPerPart: Swift.max(1, 8192 / vocab)) { _, range in
              for r in range where gb[r] != 0 {
                let row = xp + r * vocab, d = dp + r * vocab, scale = gb[r], lse = norms[r]
                for k in 0..<vocab { d[k] = -scale * pv_expf(row[k] - lse) }
                d[Int(targets.ints[r])] += scale
              }
            }
          }
        }
      }
      return [Tensor(shape: logits.shape, data: grad)]
    }
  }

  /// The entropy of the softmax of each row of logits (..., V), in nats (no gradient).
  public static func tokenEntropies(_ logits: Tensor) -> Tensor {
    let vocab = logits.shape.last ?? 1, rows = logits.count / Swift.max(vocab, 1)
    var out = [Float](repeating: 0, count: rows)
    logits.data.withUnsafeBufferPointer { x in
      for r in 0..<rows {
        let row = x.baseAddress! + r * vocab
        let lse = logSumExp(row, vocab)
        var h: Float = 0
        for k in 0..<vocab {
          let lp = row[k] - lse
          h -= pv_expf(lp) * lp
        }
        out[r] = h
      }
    }
    return Tensor(shape: Array(logits.shape.dropLast()), data: out)
  }

  /// log Σ exp over n floats, stably.
  private static func logSumExp(_ row: UnsafePointer<Float>, _ n: Int) -> Float {
    var top = -Float.infinity
    for k in 0..<n { top = Swift.max(top, row[k]) }
    guard top.isFinite else { return top }
    var total: Float = 0
    for k in 0..<n { total += pv_expf(row[k] - top) }
    return top + pv_logf(total)
  }
}
