import PavlovCore
import CPavlovKernels
import Glibc

/// `logsumexp`, `softmax` and `log_softmax` along an axis, computed stably (the maximum is
/// subtracted before exponentiating, so large logits never overflow).
extension Tensor {
  /// The layout of an axis: `outer` blocks of `n` elements `inner` apart.
  func axisLayout(_ axis: Int, _ op: String) throws -> (axis: Int, outer: Int, n: Int, inner: Int) {
    let a = try checkedAxis(axis, op)
    return (a, Shape.count(Array(shape[..<a])), shape[a], Shape.count(Array(shape[(a + 1)...])))
  }

  /// log Σ exp(x) along `axis`.
  public func logsumexp(axis: Int = -1, keepdim: Bool = false) throws -> Tensor {
    let ((a, outer, n, inner), shifted, logNorm) = try shiftedRows(axis, "logsumexp")
    var out = [Float](repeating: 0, count: outer * inner)
    for o in 0..<outer {
      for i in 0..<inner {
        // max = x - (x - max) for any element of the row; the first will do.
        let j = o * n * inner + i
        let top = data[j] - shifted[j]
        out[o * inner + i] = top.isFinite ? top + logNorm[o * inner + i] : top
      }
    }
    var kept = shape
    kept[a] = 1
    let outShape = keepdim ? kept : shape.enumerated().filter { $0.offset != a }.map(\.element)
    let x = self
    let lse = Tensor(shape: kept, data: out)
    return Tensor.result(outShape, out, "logsumexp", [x]) { g in
      // d lse / dx = softmax(x)
      let soft = x.zipData(lse.broadcastCopy(to: x.shape)) { xi, li in pv_expf(xi - li) }
      return [soft.zipData(Tensor(shape: kept, data: g.data).broadcastCopy(to: x.shape), *)]
    }
  }

  /// For each row along `axis`: x - max(x) and log Σ exp(x - max(x)). Subtracting the maximum
  /// first keeps precision for large logits (1000.0 and 1002.0 differ by exactly 2).
  func shiftedRows(_ axis: Int, _ op: String) throws -> (layout: (axis: Int, outer: Int, n: Int, inner: Int), shifted: [Float], logNorm: [Float]) {
    let layout = try axisLayout(axis, op)
    let (_, outer, n, inner) = layout
    guard n > 0 else { throw CoreError("\(op) over an empty axis (shape \(Shape.describe(shape)))") }
    var shifted = [Float](repeating: 0, count: count)
    var logNorm = [Float](repeating: 0, count: outer * inner)
    data.withUnsafeBufferPointer { d in
      for o in 0..<outer {
        for i in 0..<inner {
          var top = -Float.infinity
          for k in 0..<n { top = Swift.max(top, d[(o * n + k) * inner + i]) }
          var total = 0.0
          for k in 0..<n {
            let j = (o * n + k) * inner + i
            shifted[j] = top == -.infinity ? 0 : d[j] - top
            total += Double(pv_expf(shifted[j]))
          }
          logNorm[o * inner + i] = Float(PortableMath.log(total))
        }
      }
    }
    return (layout, shifted, logNorm)
  }

  /// exp(x) / Σ exp(x) along `axis`.
  public func softmax(axis: Int = -1) throws -> Tensor {
    let ((_, outer, n, inner), shifted, logNorm) = try shiftedRows(axis, "softmax")
    var p = shifted
    for o in 0..<outer { for i in 0..<inner { for k in 0..<n {
      let j = (o * n + k) * inner + i
      p[j] = pv_expf(shifted[j] - logNorm[o * inner + i])
    } } }
    let probabilities = p
    return Tensor.result(shape, p, "softmax", [self]) { g in
      // dx = p ⊙ (g - Σ g ⊙ p)
      var grad = [Float](repeating: 0, count: probabilities.count)
      for o in 0..<outer { for i in 0..<inner {
        var dot: Float = 0
        for k in 0..<n { let j = (o * n + k) * inner + i; dot += g.data[j] * probabilities[j] }
        for k in 0..<n { let j = (o * n + k) * inner + i; grad[j] = probabilities[j] * (g.data[j] - dot) }
      } }
      return [Tensor(shape: g.shape, data: grad)]
    }
  }

  /// x - logsumexp(x) along `axis`: log-probabilities from logits.
  public func logSoftmax(axis: Int = -1) throws -> Tensor {
    let ((_, outer, n, inner), shifted, logNorm) = try shiftedRows(axis, "log_softmax")
    var out = shifted
    for o in 0..<outer { for i in 0..<inner { for k in 0..<n { out[(o * n + k) * inner + i] -= logNorm[o * inner + i] } } }
    let logProbabilities = out
    return Tensor.result(shape, out, "log_softmax", [self]) { g in
      // dx = g - softmax ⊙ Σ g
      var grad = [Float](repeating: 0, count: logProbabilities.count)
      for o in 0..<outer { for i in 0..<inner {
        var total: Float = 0
        for k in 0..<n { total += g.data[(o * n + k) * inner + i] }
        for k in 0..<n { let j = (o * n + k) * inner + i; grad[j] = g.data[j] - pv_expf(logProbabilities[j]) * total }
      } }
      return [Tensor(shape: g.shape, data: grad)]
    }
  }

  /// The largest values along `axis` and their positions (ties: the first). The gradient flows
  /// to the chosen position.
  public func max(axis: Int, keepdim: Bool = false) throws -> (values: Tensor, indices: [Int]) {
    try extreme(axis: axis, keepdim: keepdim, name: "max", >)
  }

  /// The smallest values along `axis` and their positions (ties: the first).
  public func min(axis: Int, keepdim: Bool = false) throws -> (values: Tensor, indices: [Int]) {
    try extreme(axis: axis, keepdim: keepdim, name: "min", <)
  }

  private func extreme(axis: Int, keepdim: Bool, name: String, _ better: (Float, Float) -> Bool) throws -> (values: Tensor, indices: [Int]) {
    let (a, outer, n, inner) = try axisLayout(axis, name)
    guard n > 0 else { throw CoreError("\(name) over an empty axis (shape \(Shape.describe(shape)))") }
    var values = [Float](repeating: 0, count: outer * inner)
    var indices = [Int](repeating: 0, count: outer * inner)
    data.withUnsafeBufferPointer { d in
      for o in 0..<outer {
        for i in 0..<inner {
          var best = 0
          for k in 1..<n where better(d[(o * n + k) * inner + i], d[(o * n + best) * inner + i]) { best = k }
          values[o * inner + i] = d[(o * n + best) * inner + i]
          indices[o * inner + i] = best
        }
      }
    }
    var kept = shape
    kept[a] = 1
    let outShape = keepdim ? kept : shape.enumerated().filter { $0.offset != a }.map(\.element)
    if isInteger {
      var exact = [Int64](repeating: 0, count: outer * inner)
      for o in 0..<outer { for i in 0..<inner { exact[o * inner + i] = ints[(o * n + indices[o * inner + i]) * inner + i] } }
      return (Tensor(shape: outShape, ints: exact, dtype: dtype), indices)
    }
    let x = self
    let chosen = indices
    let result = Tensor.result(outShape, values, name, [x]) { g in
      var grad = [Float](repeating: 0, count: x.count)
      for o in 0..<outer {
        for i in 0..<inner { grad[(o * n + chosen[o * inner + i]) * inner + i] = g.data[o * inner + i] }
      }
      return [Tensor(shape: x.shape, data: grad)]
    }
    return (result, indices)
  }

  /// Positions of the largest values along `axis`.
  public func argmax(axis: Int = -1) throws -> [Int] { try Autograd.noGrad { try max(axis: axis).indices } }
  /// Positions of the smallest values along `axis`.
  public func argmin(axis: Int = -1) throws -> [Int] { try Autograd.noGrad { try min(axis: axis).indices } }

  /// The largest / smallest element overall (a scalar; the gradient goes to the first such element).
  public func maxAll() throws -> Tensor { try flattened().max(axis: 0).values }
  public func minAll() throws -> Tensor { try flattened().min(axis: 0).values }
}
