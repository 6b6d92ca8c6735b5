import CPavlovKernels
import Glibc

/// x^y for floats with the same bits on every machine: the common exponents exactly as
/// multiplications (x² is x·x, correctly rounded), the rest through float64's portable exp and log.
func powFloat(_ x: Float, _ y: Float) -> Float {
  switch y {
  case 0: return 1
  case 1: return x
  case 2: return x * x
  case -1: return 1 / x
  case 0.5 where x != 0 && x != -.infinity: return x.squareRoot()
  default: break
  }
  if x.isNaN || y.isNaN { return x == 1 ? 1 : .nan }
  let integer = y.rounded() == y
  if x < 0 && !integer { return .nan }
  let odd = integer && Swift.abs(y) < 16_777_216 && Int(y) % 2 != 0
  let magnitude: Float
  if x == 0 || x.isInfinite {
    magnitude = (x == 0) == (y > 0) ? 0 : .infinity
  } else {
    magnitude = Float(PortableMath.pow(Double(Swift.abs(x)), Double(y)))
  }
  return x < 0 && odd ? -magnitude : magnitude
}

/// Element-wise functions with their derivatives.
extension Tensor {
  public func exp() -> Tensor {
    let out = Kernels.map(data, pv_exp)
    let x = self
    let outShape = shape
    return Tensor.result(shape, out, "exp", [x]) { g in
      [Tensor(shape: outShape, data: Kernels.map(g.data, out, Kernels.multiply))]
    }
  }

  public func log() -> Tensor {
    let x = self
    return Tensor.result(shape, Kernels.map(data, pv_log), "log", [x]) { g in [g.zipData(x) { gi, xi in gi / xi }] }
  }

  public func tanh() -> Tensor {
    let out = Kernels.map(data, pv_tanh)
    let outShape = shape
    return Tensor.result(shape, out, "tanh", [self]) { g in
      [Tensor(shape: outShape, data: Kernels.map(out, g.data, pv_tanh_backward))]
    }
  }

  public func sigmoid() -> Tensor {
    // Written so neither branch overflows: exp of a non-positive number only.
    let out = Kernels.map(data, pv_sigmoid)
    let outShape = shape
    return Tensor.result(shape, out, "sigmoid", [self]) { g in
      [Tensor(shape: outShape, data: Kernels.map(out, g.data, pv_sigmoid_backward))]
    }
  }

  /// log σ(x) = min(x, 0) − log(1 + e^−|x|), finite for any x; the gradient σ(−x) is ½ at 0,
  /// where one built from relu and abs would give 0 (the pairwise losses start exactly there).
  public func logSigmoid() -> Tensor {
    let out = data.map { x in Swift.min(x, 0) - pv_log1pf(pv_expf(-Swift.abs(x))) }
    let input = data
    return Tensor.result(shape, out, "log_sigmoid", [self]) { g in
      [Tensor(shape: g.shape, data: zip(g.data, input).map { gi, x in
        // σ(−x), computed without overflow on either side.
        let e = pv_expf(-Swift.abs(x))
        return gi * (x >= 0 ? e / (1 + e) : 1 / (1 + e))
      })]
    }
  }

  public func relu() -> Tensor {
    let x = self
    return Tensor.result(shape, Kernels.map(data, pv_relu), "relu", [x]) { g in
      [Tensor(shape: x.shape, data: Kernels.map(x.data, g.data, pv_relu_backward))]
    }
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

/// GELU, clipping and the remaining element-wise functions.
extension Tensor {
  /// GELU with the exact normal CDF, x·Φ(x) (PyTorch's default `nn.GELU()`).
  public func gelu() -> Tensor {
    let x = self
    guard Autograd.enabled && tracksGradient else { return Tensor(shape: shape, data: Kernels.map(data, pv_gelu)) }
    // Φ(x) is kept for the backward, which otherwise spent most of its time computing it again.
    var cdf = [Float].uninitialized(count)
    var out = [Float].uninitialized(count)
    data.withUnsafeBufferPointer { src in
      out.withUnsafeMutableBufferPointer { o in
        cdf.withUnsafeMutableBufferPointer { c in
          guard let source = src.baseAddress, let target = o.baseAddress, let kept = c.baseAddress else { return }
          Parallel.forEachPart(src.count, minimumPerPart: Kernels.parallelGrain) { _, range in
            pv_gelu_keeping_cdf(source + range.lowerBound, target + range.lowerBound, kept + range.lowerBound, range.count)
          }
        }
      }
    }
    let savedCDF = cdf
    return Tensor.result(shape, out, "gelu", [x]) { g in
      var grad = [Float].uninitialized(x.count)
      x.data.withUnsafeBufferPointer { src in
        savedCDF.withUnsafeBufferPointer { c in
          g.data.withUnsafeBufferPointer { gd in
            grad.withUnsafeMutableBufferPointer { o in
              guard let source = src.baseAddress, let kept = c.baseAddress, let incoming = gd.baseAddress,
                    let target = o.baseAddress else { return }
              Parallel.forEachPart(src.count, minimumPerPart: Kernels.parallelGrain) { _, range in
                let at = range.lowerBound
                pv_gelu_backward_from_cdf(source + at, kept + at, incoming + at, target + at, range.count)
              }
            }
          }
        }
      }
      return [Tensor(shape: x.shape, data: grad)]
    }
  }

  /// Each element limited to [low, high] (either bound may be nil); the gradient passes only
  /// where the value was inside.
  public func clipped(min low: Float?, max high: Float?) -> Tensor {
    let lo = low ?? -.infinity, hi = high ?? .infinity
    if isInteger {
      return Tensor.converting(shape: shape, data.map { Swift.min(Swift.max($0, lo), hi) }, to: dtype)
    }
    let x = self
    return Tensor.result(shape, data.map { Swift.min(Swift.max($0, lo), hi) }, "clip", [x]) { g in
      [g.zipData(x) { gi, xi in xi >= lo && xi <= hi ? gi : 0 }]
    }
  }

  /// Element-wise sign (-1, 0 or 1), without gradient.
  public func sign() -> Tensor { Tensor(shape: shape, data: data.map { $0 > 0 ? 1 : ($0 < 0 ? -1 : 0) }) }

  /// Element-wise maximum / minimum of two tensors under broadcasting (the gradient goes to the
  /// larger / smaller; ties split it evenly).
  public static func maximum(_ a: Tensor, _ b: Tensor) throws -> Tensor { try extremum(a, b, "maximum", >) }
  public static func minimum(_ a: Tensor, _ b: Tensor) throws -> Tensor { try extremum(a, b, "minimum", <) }

  private static func extremum(_ a: Tensor, _ b: Tensor, _ name: String, _ better: @escaping (Float, Float) -> Bool) throws -> Tensor {
    let (shape, out) = try Broadcast.binary(a, b, name) { x, y in better(x, y) || x.isNaN ? x : y }
    return result(shape, out, name, [a, b]) { g in
      let wa = (try? Broadcast.binary(a, b, name) { x, y in x == y ? 0.5 : (better(x, y) ? 1 : 0) })?.1 ?? []
      let ga = Tensor(shape: shape, data: zip(g.data, wa).map { $0 * $1 })
      let gb = Tensor(shape: shape, data: zip(g.data, wa).map { $0 * (1 - $1) })
      return [Broadcast.reduce(ga, to: a.shape), Broadcast.reduce(gb, to: b.shape)]
    }
  }
}
