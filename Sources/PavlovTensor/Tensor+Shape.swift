/// Reshaping and transposition.
extension Tensor {
  /// The same elements in a new shape (one size may be -1: inferred).
  public func reshaped(_ newShape: [Int]) throws -> Tensor {
    var target = newShape
    if let unknown = target.firstIndex(of: -1) {
      let known = target.enumerated().filter { $0.offset != unknown }.map(\.element).reduce(1, *)
      guard known > 0, count % known == 0 else {
        throw TensorError("reshape: cannot fit \(count) elements into \(Shape.describe(newShape))")
      }
      target[unknown] = count / known
    }
    guard target.allSatisfy({ $0 >= 0 }), Shape.count(target) == count else {
      throw TensorError("reshape: shape \(Shape.describe(shape)) (\(count) elements) cannot become \(Shape.describe(newShape))")
    }
    let x = self
    return Tensor.result(target, data, "reshape", [x]) { g in [Tensor(shape: x.shape, data: g.data)] }
  }

  /// Entry `i` of the first axis (a tensor of one rank less), with its gradient.
  public func select(_ i: Int) throws -> Tensor {
    guard rank >= 1 else { throw TensorError("cannot index a scalar tensor", hint: "read its value with item()") }
    let n = shape[0]
    guard i >= 0 && i < n else { throw TensorError("index \(i) out of range for tensor of length \(n)") }
    let width = n == 0 ? 0 : count / n
    let x = self
    return Tensor.result(Array(shape.dropFirst()), Array(data[(i * width)..<((i + 1) * width)]), "select", [x]) { g in
      var grad = [Float](repeating: 0, count: x.count)
      for k in 0..<width { grad[i * width + k] = g.data[k] }
      return [Tensor(shape: x.shape, data: grad)]
    }
  }

  /// The transpose of a matrix.
  public func transposed() throws -> Tensor {
    guard rank == 2 else { throw TensorError("transpose: expected a matrix, got shape \(Shape.describe(shape))") }
    let rows = shape[0], cols = shape[1]
    var out = [Float](repeating: 0, count: count)
    data.withUnsafeBufferPointer { d in
      for r in 0..<rows { for c in 0..<cols { out[c * rows + r] = d[r * cols + c] } }
    }
    return Tensor.result([cols, rows], out, "transpose", [self]) { g in [(try? g.transposed()) ?? g] }
  }
}
