/// Elementary functions in float64 built only from exactly rounded operations, so softmax
/// normalizers, bandit preferences, Gamma draws and RLHF's KL estimates give the same bits on
/// every machine (the platform's libm may differ in the last place, and one differing bit changes
/// every later choice of a seeded run). The float32 ones (PavlovTensor's extension) are the C
/// kernels `pv_expf`, `pv_logf`, `pv_log1pf`, `pv_tanh`.
public enum PortableMath {
  public static func log(_ x: Double) -> Double { SeededGenerator.portableLog(x) }

  /// e^x within about 1 ulp: x = k·ln2 + r with |r| ≤ ln2/2, e^r by its Taylor series, scaled by 2^k.
  public static func exp(_ x: Double) -> Double {
    if x.isNaN { return x }
    if x > 709.78 { return .infinity }
    if x < -745.2 { return 0 }
    let ln2Hi = 6.93147180369123816490e-01, ln2Lo = 1.90821492927058770002e-10
    let k = (x / 0.6931471805599453).rounded()
    let r = (x - k * ln2Hi) - k * ln2Lo
    // e^r − 1 = r(1 + r/2(1 + r/3(1 + ...))) by Horner from the 20th term (far below one ulp for
    // |r| ≤ 0.35), then + 1 once, so the rounding errors of the small terms barely count.
    var inner = 1.0
    for n in stride(from: 20, through: 2, by: -1) { inner = 1 + r / Double(n) * inner }
    let sum = 1 + r * inner
    // Two steps keep 2^k representable when k reaches the subnormal range.
    let half = Int(k) / 2
    return sum * Double(sign: .plus, exponent: half, significand: 1) * Double(sign: .plus, exponent: Int(k) - half, significand: 1)
  }

  /// x^n for a whole n ≥ 0 by repeated squaring (Adam's bias corrections β^t).
  public static func power(_ x: Double, _ n: Int) -> Double {
    var result = 1.0, base = x, rest = n
    while rest > 0 {
      if rest & 1 == 1 { result *= base }
      base *= base
      rest >>= 1
    }
    return result
  }

  /// x^y for x > 0.
  public static func pow(_ x: Double, _ y: Double) -> Double { exp(y * log(x)) }
}
