import PavlovCore

/// The real positions of a right-padded batch (B, T), packed one sequence after another: what a
/// transformer computes when it skips the padding (PyTorch's nested tensors, FlashAttention's
/// variable-length batches).
///
/// A causal model's outputs at real positions never read the padding after them, and the
/// padding's gradients are zeros, so every product, kernel and row-split sum over the packed
/// rows meets the same nonzero terms in the same order as over the padded ones: the same bits,
/// with a quarter less arithmetic for typical batches of short texts (and half the attention).
/// The one sum whose split depends on the row count, layer norm's weight gradient, is split
/// where it would split the padded rows (`layerNormPartition`).
public struct PackedRows {
  public let batch: Int, width: Int
  /// Real positions per sequence (each at most `width`) and where each starts among the packed rows.
  public let lengths: [Int], starts: [Int]
  /// Packed rows in all.
  public let count: Int

  /// Nil when there is nothing to skip: every sequence fills the width.
  public init?(lengths: [Int], width: Int) {
    let clamped = lengths.map { Swift.min(Swift.max($0, 1), width) }
    guard clamped.contains(where: { $0 < width }) else { return nil }
    batch = clamped.count
    self.width = width
    self.lengths = clamped
    var starts: [Int] = [], total = 0
    for length in clamped {
      starts.append(total)
      total += length
    }
    self.starts = starts
    count = total
  }

  /// The packed rows' positions within their sequences (0, 1, ... per sequence).
  public func positions() -> Tensor {
    var out: [Int64] = []
    out.reserveCapacity(count)
    for length in lengths { for t in 0..<length { out.append(Int64(t)) } }
    return Tensor(shape: [count], ints: out)
  }

  /// The real entries of padded (B, T) int64 ids, in packed order.
  public func pack(ids: Tensor) -> Tensor {
    var out: [Int64] = []
    out.reserveCapacity(count)
    ids.ints.withUnsafeBufferPointer { source in
      for b in 0..<batch { out += source[(b * width)..<(b * width + lengths[b])] }
    }
    return Tensor(shape: [count], ints: out)
  }

  /// Packed rows (count, d) laid out as the padded batch (B, T, d), zeros at the padding; the
  /// gradient flows back to the packed rows.
  public func unpack(_ x: Tensor) -> Tensor {
    let d = x.count / Swift.max(count, 1)
    var out = [Float](repeating: 0, count: batch * width * d)
    x.data.withUnsafeBufferPointer { source in
      out.withUnsafeMutableBufferPointer { target in
        for b in 0..<batch {
          (target.baseAddress! + b * width * d).update(from: source.baseAddress! + starts[b] * d, count: lengths[b] * d)
        }
      }
    }
    let rows = self
    return Tensor.result([batch, width, d], out, "unpack_rows", [x]) { g in
      var grad = [Float].uninitialized(rows.count * d)
      g.data.withUnsafeBufferPointer { source in
        grad.withUnsafeMutableBufferPointer { target in
          for b in 0..<rows.batch {
            (target.baseAddress! + rows.starts[b] * d).update(from: source.baseAddress! + b * rows.width * d, count: rows.lengths[b] * d)
          }
        }
      }
      return [Tensor(shape: x.shape, data: grad)]
    }
  }

  /// The packed row where layer norm's second part starts: the packed rows before the padded
  /// row where `Parallel.forEachPart` splits B·T rows (nil when it runs them as one).
  func layerNormPartition(grain: Int) -> Int? {
    guard let split = Parallel.splitPoint(batch * width, minimumPerPart: grain) else { return nil }
    var before = 0
    for b in 0..<batch { before += Swift.min(lengths[b], Swift.max(0, split - b * width)) }
    return before
  }
}
