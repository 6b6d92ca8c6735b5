import Glibc

/// `pow` for floats without Foundation (Glibc's powf).
@inline(__always) func powFloat(_ x: Float, _ y: Float) -> Float { powf(x, y) }

/// Element-wise functions with their derivatives.
extension Tensor {
  public func exp() -> Tensor {
    let out = data.map { expf($0) }
    let x = self
    let outShape = shape
    return Tensor.result(shape, out, "exp", [x]) { g in
      [g.zipData(Tensor(shape: outShape, data: out)) { gi, yi in gi * yi }]
    }
  }

  public func log() -> Tensor {
    let x = self
    return Tensor.result(shape, data.map { logf($0) }, "log", [x]) { g in [g.zipData(x) { gi, xi in gi / xi }] }
  }

  public func tanh() -> Tensor {
    let out = data.map { tanhf($0) }
    let outShape = shape
    return Tensor.result(shape, out, "tanh", [self]) { g in
      [g.zipData(Tensor(shape: outShape, data: out)) { gi, yi in gi * (1 - yi * yi) }]
    }
  }

  public func sigmoid() -> Tensor {
    // Written so neither branch overflows: exp of a non-positive number only.
    let out = data.map { v -> Float in v >= 0 ? 1 / (1 + expf(-v)) : expf(v) / (1 + expf(v)) }
    let outShape = shape
    return Tensor.result(shape, out, "sigmoid", [self]) { g in
      [g.zipData(Tensor(shape: outShape, data: out)) { gi, yi in gi * yi * (1 - yi) }]
    }
  }

  public func relu() -> Tensor {
    let x = self
    return Tensor.result(shape, data.map { Swift.max($0, 0) }, "relu", [x]) { g in [g.zipData(x) { gi, xi in xi > 0 ? gi : 0 }] }
  }

  public func sqrt() -> Tensor {
    let out = data.map { sqrtf($0) }
    let outShape = shape
    return Tensor.result(shape, out, "sqrt", [self]) { g in
      [g.zipData(Tensor(shape: outShape, data: out)) { gi, yi in gi * 0.5 / yi }]
    }
  }

  public func abs() -> Tensor {
    let x = self
    return Tensor.result(shape, data.map { Swift.abs($0) }, "abs", [x]) { g in
      [g.zipData(x) { gi, xi in xi > 0 ? gi : (xi < 0 ? -gi : 0) }]
    }
  }
}
