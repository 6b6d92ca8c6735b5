/// `+ - * /` with broadcasting, negation, and powers, each with its backward rule.
extension Tensor {
  public static func + (a: Tensor, b: Tensor) throws -> Tensor {
    if let exact = try integerArithmetic(a, b, "add") { return exact }
    let (shape, data) = try Broadcast.binary(a, b, "add", .add)
    return result(shape, data, "add", [a, b]) { g in
      [Broadcast.reduce(g, to: a.shape), Broadcast.reduce(g, to: b.shape)]
    }
  }

  public static func - (a: Tensor, b: Tensor) throws -> Tensor {
    if let exact = try integerArithmetic(a, b, "subtract") { return exact }
    let (shape, data) = try Broadcast.binary(a, b, "subtract", .subtract)
    return result(shape, data, "subtract", [a, b]) { g in
      [Broadcast.reduce(g, to: a.shape), Broadcast.reduce(g.mapData { -$0 }, to: b.shape)]
    }
  }

  public static func * (a: Tensor, b: Tensor) throws -> Tensor {
    if let exact = try integerArithmetic(a, b, "multiply") { return exact }
    let (shape, data) = try Broadcast.binary(a, b, "multiply", .multiply)
    return result(shape, data, "multiply", [a, b]) { g in
      // Shapes broadcast already, so these products cannot fail.
      let ga = (try? Broadcast.binary(g, b, "multiply", .multiply)).map { Tensor(shape: $0.0, data: $0.1) }
      let gb = (try? Broadcast.binary(g, a, "multiply", .multiply)).map { Tensor(shape: $0.0, data: $0.1) }
      return [ga.map { Broadcast.reduce($0, to: a.shape) }, gb.map { Broadcast.reduce($0, to: b.shape) }]
    }
  }

  public static func / (a: Tensor, b: Tensor) throws -> Tensor {
    let (shape, data) = try Broadcast.binary(a, b, "divide", .divide)
    return result(shape, data, "divide", [a, b]) { g in
      let ga = (try? Broadcast.binary(g, b, "divide", .divide)).map { Tensor(shape: $0.0, data: $0.1) }
      // d(a/b)/db = -a / b²
      let ratio = (try? Broadcast.binary(a, b, "divide") { x, y in -x / (y * y) }).map { Tensor(shape: $0.0, data: $0.1) }
      let gb = ratio.flatMap { r in (try? Broadcast.binary(g, r, "multiply", .multiply)).map { Tensor(shape: $0.0, data: $0.1) } }
      return [ga.map { Broadcast.reduce($0, to: a.shape) }, gb.map { Broadcast.reduce($0, to: b.shape) }]
    }
  }

  public static prefix func - (a: Tensor) -> Tensor {
    if a.isInteger { return Tensor(shape: a.shape, ints: a.ints.map { 0 &- $0 }) }
    return result(a.shape, a.data.map { -$0 }, "negate", [a]) { g in [g.mapData { -$0 }] }
  }

  public static func + (a: Tensor, b: Float) throws -> Tensor { try a + Tensor(scalar: b) }
  public static func - (a: Tensor, b: Float) throws -> Tensor { try a - Tensor(scalar: b) }
  public static func * (a: Tensor, b: Float) throws -> Tensor { try a * Tensor(scalar: b) }
  public static func / (a: Tensor, b: Float) throws -> Tensor { try a / Tensor(scalar: b) }
  public static func + (a: Float, b: Tensor) throws -> Tensor { try Tensor(scalar: a) + b }
  public static func - (a: Float, b: Tensor) throws -> Tensor { try Tensor(scalar: a) - b }
  public static func * (a: Float, b: Tensor) throws -> Tensor { try Tensor(scalar: a) * b }
  public static func / (a: Float, b: Tensor) throws -> Tensor { try Tensor(scalar: a) / b }

  /// `self ** exponent` for a constant exponent.
  public func pow(_ exponent: Float) -> Tensor {
    let x = self
    return Tensor.result(shape, data.map { powFloat($0, exponent) }, "pow", [x]) { g in
      [g.zipData(x) { gi, xi in gi * exponent * powFloat(xi, exponent - 1) }]
    }
  }

  /// A new tensor of this shape with `f` applied to each element (no autograd).
  func mapData(_ f: (Float) -> Float) -> Tensor { Tensor(shape: shape, data: data.map(f)) }

  /// `f` applied pairwise to this tensor's and `other`'s elements (same shapes; no autograd).
  func zipData(_ other: Tensor, _ f: (Float, Float) -> Float) -> Tensor {
    Tensor(shape: shape, data: Broadcast.elementwise(data, other.data, f))
  }
}
