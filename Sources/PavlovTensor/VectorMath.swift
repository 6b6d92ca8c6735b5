/// Vectorized float32 `exp`, `tanh` and the normal CDF over whole buffers, eight lanes at a time.
///
/// Glibc's scalar `expf`/`tanhf` cost ~20 ns an element and dominated small-model training
/// (57% of an MLP step went to `tanhf`). These kernels use the classic Cephes range reductions
/// and polynomials, so they stay within a few ulp of the correctly rounded result, and they are
/// plain arithmetic: the same input gives the same bits on every run.
enum VectorMath {
  typealias V = SIMD8<Float>

  /// |x| per lane (clears the sign bit).
  @inline(__always) static func magnitude(_ x: V) -> V {
    unsafeBitCast(unsafeBitCast(x, to: SIMD8<UInt32>.self) & 0x7fff_ffff, to: V.self)
  }

  /// e^x per lane: x = n·ln2 + r with |r| ≤ ln2/2, e^r by a degree-6 polynomial, 2^n by
  /// building the exponent bits. Overflow gives +inf, underflow 0, NaN stays NaN.
  @inline(__always) static func exp(_ x: V) -> V {
    let low = V(repeating: -87.33654), high = V(repeating: 88.72283)
    var c = x
    c.replace(with: low, where: x .< low)
    c.replace(with: high, where: x .> high)
    // Adding 1.5·2²³ rounds to the nearest integer (ties to even) and leaves that integer in the
    // low mantissa bits — no float-to-int conversion, which Swift's generic SIMD code makes slow.
    let shifted = c * 1.442695041 + 12_582_912
    let n = shifted - 12_582_912
    let r = c - n * 0.693359375 + n * 2.12194440e-4
    var p = V(repeating: 1.9875691500e-4)
    p = p * r + 1.3981999507e-3
    p = p * r + 8.3334519073e-3
    p = p * r + 4.1665795894e-2
    p = p * r + 1.6666665459e-1
    p = p * r + 5.0000001201e-1
    let er = p * r * r + r + 1
    // 2^n from its exponent bits; n = 128 (just below overflow) is built as 2^127 · 2.
    // (Masks stay on float lanes: integer-lane selects compile to a scalar loop.)
    var capped = n
    capped.replace(with: 127, where: n .> 127)
    let whole = unsafeBitCast(capped + 12_582_912, to: SIMD8<Int32>.self) &- 0x4B40_0000
    var y = er * unsafeBitCast((whole &+ 127) &<< 23, to: V.self)
    y.replace(with: y * 2, where: n .> 127)
    y.replace(with: .infinity, where: x .> high)
    y.replace(with: 0, where: x .< low)
    y.replace(with: x, where: x .!= x)
    return y
  }

  /// tanh per lane: an odd polynomial near zero (no cancellation), 1 − 2/(e^{2|x|}+1) elsewhere.
  @inline(__always) static func tanh(_ x: V) -> V {
    let a = magnitude(x)
    let z = x * x
    var p = V(repeating: -5.70498872745e-3)
    p = p * z + 2.06390887954e-2
    p = p * z - 5.37397155531e-2
    p = p * z + 1.33314422036e-1
    p = p * z - 3.33332819422e-1
    let small = x + x * z * p
    var doubled = 2 * a
    doubled.replace(with: 88, where: doubled .> 88)
    let e = exp(doubled)
    var large = 1 - 2 / (e + 1)
    large.replace(with: -large, where: x .< 0)
    var y = large
    y.replace(with: small, where: a .< 0.625)
    y.replace(with: x, where: x .!= x)
    return y
  }

  /// Φ(x), the standard normal CDF, per lane: ½(1 + erf(x/√2)) with an odd polynomial for erf
  /// where |x/√2| < 1, and ½·erfc(|x|/√2) (or 1 minus it) beyond, so the far left tail keeps its
  /// relative precision instead of cancelling in 1 + erf.
  @inline(__always) static func normalCDF(_ x: V) -> V {
    let z = x * 0.70710678118654752
    let a = magnitude(z)
    let zz = z * z
    var p = V(repeating: 7.853861353153693e-5)
    p = p * zz - 8.010193625184903e-4
    p = p * zz + 5.188327685732524e-3
    p = p * zz - 2.685381193529856e-2
    p = p * zz + 1.128358514861418e-1
    p = p * zz - 3.761262582423300e-1
    p = p * zz + 1.128379165726710
    let central = 0.5 + 0.5 * (z * p)
    var bounded = a
    bounded.replace(with: 1, where: a .< 1)
    bounded.replace(with: 10, where: a .> 10)
    let tail = 0.5 * erfc(bounded)
    var y = tail
    y.replace(with: 1 - tail, where: z .> 0)
    y.replace(with: central, where: a .< 1)
    y.replace(with: x, where: x .!= x)
    return y
  }

  /// erfc for 1 ≤ x ≤ 10 (Cephes `erfcf`: two rational fits split at x = 2).
  @inline(__always) private static func erfc(_ x: V) -> V {
    let z = x * x
    let expNegZ = exp(-z)
    let q = 1 / x
    let y = 1 / z
    var near = V(repeating: 2.326819970068386e-2)
    near = near * y - 1.387039388740657e-1
    near = near * y + 3.687424674597105e-1
    near = near * y - 5.824733027278666e-1
    near = near * y + 6.210004621745983e-1
    near = near * y - 4.944515323274145e-1
    near = near * y + 3.404879937665872e-1
    near = near * y - 2.741127028184656e-1
    near = near * y + 5.638259427386472e-1
    var far = V(repeating: -1.047766399936249e1)
    far = far * y + 1.297719955372516e1
    far = far * y - 7.495518717768503
    far = far * y + 2.921019019210786
    far = far * y - 1.015265279202700
    far = far * y + 4.218463358204948e-1
    far = far * y - 2.820767439740514e-1
    far = far * y + 5.641895067754075e-1
    var poly = far
    poly.replace(with: near, where: x .< 2)
    return expNegZ * q * poly
  }

  /// Applies `kernel` to every element of `input`, eight at a time (the tail padded with zeros).
  @inline(__always) static func map(_ input: [Float], _ kernel: (V) -> V) -> [Float] {
    let count = input.count
    return [Float](unsafeUninitializedCapacity: count) { out, initialized in
      input.withUnsafeBufferPointer { src in
        var i = 0
        if let source = UnsafeRawPointer(src.baseAddress), let target = UnsafeMutableRawPointer(out.baseAddress) {
          while i + 8 <= count {
            let r = kernel(source.loadUnaligned(fromByteOffset: i * 4, as: V.self))
            target.storeBytes(of: r, toByteOffset: i * 4, as: V.self)
            i += 8
          }
        }
        if i < count {
          var v = V(repeating: 0)
          for lane in 0..<(count - i) { v[lane] = src[i + lane] }
          let r = kernel(v)
          for lane in 0..<(count - i) { out[i + lane] = r[lane] }
        }
      }
      initialized = count
    }
  }
}
