import PavlovCore
import CPavlovKernels
import Glibc

/// Fused operations for the layers: each is one autograd node with a hand-written backward,
/// because at RL model sizes the per-operation overhead, not the arithmetic, is the cost.
extension Tensor {
  /// x · Wᵀ + b for x of shape (..., in), W of shape (out, in) (PyTorch's layout), b of shape (out).
  public static func linear(_ x: Tensor, _ w: Tensor, _ b: Tensor?) throws -> Tensor {
    guard w.rank == 2, x.rank >= 1, x.shape[x.rank - 1] == w.shape[1] else {
      throw CoreError("linear: input of shape \(Shape.describe(x.shape)) does not fit a layer with \(w.rank == 2 ? w.shape[1] : -1) inputs (weight \(Shape.describe(w.shape)))",
                        hint: "the last axis of the input must be the layer's input size")
    }
    let k = w.shape[1], n = w.shape[0]
    let m = x.count / Swift.max(k, 1)
    // Rows start as the bias (sgemm then adds x·Wᵀ with beta 1), or as scratch sgemm overwrites.
    var out = [Float].uninitialized(m * n)
    if let b {
      guard b.shape == [n] else { throw CoreError.shapes("linear bias", b.shape, [n]) }
      b.data.withUnsafeBufferPointer { bias in
        out.withUnsafeMutableBufferPointer { o in
          guard let source = bias.baseAddress, let target = o.baseAddress else { return }
          for r in 0..<m { (target + r * n).update(from: source, count: n) }
        }
      }
    }
    gemmAccumulate(m, n, k, x.data, false, w.data, true, into: &out, beta: b == nil ? 0 : 1)
    let outShape = Array(x.shape.dropLast()) + [n]
    let inputs = b.map { [x, w, $0] } ?? [x, w]
    return result(outShape, out, "linear", inputs) { g in
      var grads: [Tensor?] = []
      if x.tracksGradient {
        var gx = [Float].uninitialized(m * k)
        gemmAccumulate(m, k, n, g.data, false, w.data, false, into: &gx, beta: 0)
        grads.append(Tensor(shape: x.shape, data: gx))
      } else {
        grads.append(nil)
      }
      if w.tracksGradient {
        var gw = [Float].uninitialized(n * k)
        gemmAccumulate(n, k, m, g.data, true, x.data, false, into: &gw, beta: 0)
        grads.append(Tensor(shape: w.shape, data: gw))
      } else {
        grads.append(nil)
      }
      if let b {
        if b.tracksGradient {
          grads.append(Broadcast.reduce(Tensor(shape: [m, n], data: g.data), to: [n]))
        } else {
          grads.append(nil)
        }
      }
      return grads
    }
  }

  /// C = op(A)·op(B) + beta·C with C of m×n, the inner size k (row-major, unpadded).
  static func gemmAccumulate(_ m: Int, _ n: Int, _ k: Int, _ a: [Float], _ transposeA: Bool, _ b: [Float], _ transposeB: Bool,
                             into c: inout [Float], beta: Float) {
    guard m > 0, n > 0, k > 0 else { return }
    a.withUnsafeBufferPointer { pa in
      b.withUnsafeBufferPointer { pb in
        c.withUnsafeMutableBufferPointer { pc in
          Tensor.sgemm(transposeA, transposeB, m, n, k, pa.baseAddress!, transposeA ? m : k, pb.baseAddress!, transposeB ? k : n, beta, pc.baseAddress!, n)
        }
      }
    }
  }

  /// Normalizes over the last axis: (x - mean) / sqrt(var + eps) · weight + bias (biased variance,
  /// as PyTorch's LayerNorm). For the rows of a packed batch, `packed` makes the weight gradient
  /// sum the same partial sums as over the padded batch (see `PackedRows`).
  public static func layerNorm(_ x: Tensor, _ weight: Tensor, _ bias: Tensor, eps: Float = 1e-5, packed: PackedRows? = nil) throws -> Tensor {
    let d = weight.count
    guard x.rank >= 1, x.shape[x.rank - 1] == d, bias.count == d else {
      throw CoreError("layer_norm: input of shape \(Shape.describe(x.shape)) does not end in the normalized size \(d)")
    }
    let rows = x.count / Swift.max(d, 1)
    var out = [Float].uninitialized(x.count)
    var normalized = [Float].uninitialized(x.count)
    var inverseStd = [Float].uninitialized(rows)
    // Rows are independent: they are split over the cores (see Parallel).
    let rowGrain = Swift.max(1, 4096 / Swift.max(d, 1))
    let partition = packed.map { $0.layerNormPartition(grain: rowGrain) } ?? Parallel.splitPoint(rows, minimumPerPart: rowGrain)
    x.data.withUnsafeBufferPointer { xd in
      weight.data.withUnsafeBufferPointer { wd in
        bias.data.withUnsafeBufferPointer { bd in
          out.withUnsafeMutableBufferPointer { od in
            normalized.withUnsafeMutableBufferPointer { nd in
              inverseStd.withUnsafeMutableBufferPointer { sd in
                Parallel.forEachPart(rows, minimumPerPart: rowGrain) { _, range in
                  pv_layer_norm(xd.baseAddress, wd.baseAddress, bd.baseAddress, range.lowerBound, range.upperBound, d, eps,
                                od.baseAddress, nd.baseAddress, sd.baseAddress)
                }
              }
            }
          }
        }
      }
    }
    return result(x.shape, out, "layer_norm", [x, weight, bias]) { g in
      var gx = [Float].uninitialized(x.count)
      // Each part sums its rows' weight and bias gradients; the parts are added in order after.
      var partials = [Float](repeating: 0, count: Parallel.parts * 2 * d)
      g.data.withUnsafeBufferPointer { gd in
        weight.data.withUnsafeBufferPointer { wd in
          normalized.withUnsafeBufferPointer { nd in
            inverseStd.withUnsafeBufferPointer { sd in
              gx.withUnsafeMutableBufferPointer { gxd in
                partials.withUnsafeMutableBufferPointer { pd in
                  guard let partialsBase = pd.baseAddress else { return }
                  Parallel.forEachPart(rows, splitAt: partition) { part, range in
                    let gw = partialsBase + part * 2 * d, gb = gw + d
                    pv_layer_norm_backward(gd.baseAddress, wd.baseAddress, nd.baseAddress, sd.baseAddress, range.lowerBound,
                                           range.upperBound, d, gxd.baseAddress, gw, gb)
                  }
                }
              }
            }
          }
        }
      }
      var gw = [Float](repeating: 0, count: d), gb = [Float](repeating: 0, count: d)
      for part in 0..<Parallel.parts {
        for i in 0..<d {
          gw[i] += partials[part * 2 * d + i]
          gb[i] += partials[part * 2 * d + d + i]
        }
      }
      return [Tensor(shape: x.shape, data: gx), Tensor(shape: weight.shape, data: gw), Tensor(shape: bias.shape, data: gb)]
    }
  }

  /// Mean squared error (mean over all elements).
  public static func mseLoss(_ prediction: Tensor, _ target: Tensor) throws -> Tensor {
    guard prediction.shape == target.shape else {
      throw CoreError.shapes("mse_loss", prediction.shape, target.shape, hint: "prediction and target need the same shape (reshape one of them)")
    }
    let diff = try prediction - target
    return try (diff * diff).mean()
  }

  /// Huber loss (smooth L1 with threshold delta), mean over elements.
  public static func huberLoss(_ prediction: Tensor, _ target: Tensor, delta: Float = 1) throws -> Tensor {
    guard prediction.shape == target.shape else { throw CoreError.shapes("huber_loss", prediction.shape, target.shape) }
    let diff = try prediction - target
    let a = diff.abs()
    let quadratic = try diff * diff * 0.5
    let linear = try (a - 0.5 * delta) * delta
    return try Tensor.where(try a.compare(.le, Tensor(scalar: delta)), quadratic, linear).mean()
  }

  /// Cross-entropy of logits (N, C) against int64 class targets (N) — or logits (..., C) with
  /// targets (...) — averaged over the targets not equal to `ignoreIndex`.
  public static func crossEntropy(_ logits: Tensor, _ target: Tensor, ignoreIndex: Int64? = nil) throws -> Tensor {
    guard logits.rank >= 1 else { throw CoreError("cross_entropy: logits need a class axis, got a scalar") }
    let classes = logits.shape[logits.rank - 1]
    if target.dtype == .float32 {
      guard target.shape == logits.shape else { throw CoreError.shapes("cross_entropy (probability targets)", logits.shape, target.shape) }
      let rows = Swift.max(1, logits.count / Swift.max(classes, 1))
      return try (-(try (try logits.logSoftmax(axis: -1)) * target).sum()) / Float(rows)
    }
    guard Array(logits.shape.dropLast()) == target.shape else {
      throw CoreError("cross_entropy: targets of shape \(Shape.describe(target.shape)) do not match logits of shape \(Shape.describe(logits.shape))",
                        hint: "targets hold one class index per row of logits: shape \(Shape.describe(Array(logits.shape.dropLast())))")
    }
    let rows = target.count
    let flat = try logits.reshaped([rows, classes])
    var source = [Int](), kept = 0
    source.reserveCapacity(rows)
    for (r, c) in target.ints.enumerated() {
      if let ignoreIndex, c == ignoreIndex { continue }
      guard c >= 0 && c < Int64(classes) else {
        throw CoreError("cross_entropy: target \(c) is out of range for \(classes) classes (0 to \(classes - 1))")
      }
      source.append(r * classes + Int(c))
      kept += 1
    }
    guard kept > 0 else { throw CoreError("cross_entropy: every target is ignored") }
    let logProbabilities = try flat.logSoftmax(axis: 1)
    return try -(logProbabilities.picking([kept], source, "pick_targets").sum()) / Float(kept)
  }

  /// log σ-based binary cross-entropy from logits, averaged (stable for large |x|).
  public static func binaryCrossEntropyWithLogits(_ logits: Tensor, _ target: Tensor) throws -> Tensor {
    guard logits.shape == target.shape else { throw CoreError.shapes("bce_with_logits", logits.shape, target.shape) }
    // max(x, 0) - x·y + log(1 + exp(-|x|))
    let softplus = (try (-logits.abs()).exp() + 1).log()
    return try (try logits.relu() - logits * target + softplus).mean()
  }
}
