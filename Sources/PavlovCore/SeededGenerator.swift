/// A small, fast, seedable generator: xoshiro256** (Blackman and Vigna), its 256-bit state
/// filled from a 64-bit seed through splitmix64. Every operation uses only integer arithmetic
/// and exactly rounded IEEE operations, so one seed gives the same numbers on every machine.
///
/// It lives in the numeric core so tensors (initialisation, sampling, dropout) draw from the same
/// family; the language layer keeps one per session (`Stdlib.generator(for:)`), and independent
/// streams come from `split()`.
public final class SeededGenerator: RandomNumberGenerator {
  private var s0: UInt64 = 0
  private var s1: UInt64 = 0
  private var s2: UInt64 = 0
  private var s3: UInt64 = 0
  /// The second normal deviate of the last polar-method pair, if not yet used.
  private var spareGaussian: Double?

  public init(seed: UInt64) {
    reseed(seed)
  }

  private init(state: (UInt64, UInt64, UInt64, UInt64)) {
    (s0, s1, s2, s3) = state
  }

  /// Restarts the sequence as if the generator had just been made with `seed`.
  public func reseed(_ seed: UInt64) {
    var x = seed
    s0 = Self.splitmix64(&x)
    s1 = Self.splitmix64(&x)
    s2 = Self.splitmix64(&x)
    s3 = Self.splitmix64(&x)
    spareGaussian = nil
  }

  /// splitmix64: spreads a 64-bit seed over the state (never all zero).
  static func splitmix64(_ x: inout UInt64) -> UInt64 {
    x &+= 0x9E37_79B9_7F4A_7C15
    var z = x
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  @inline(__always)
  private static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 &- k)) }

  /// The next 64 random bits.
  @inlinable
  public func next() -> UInt64 { step() }

  @usableFromInline
  func step() -> UInt64 {
    let result = Self.rotl(s1 &* 5, 7) &* 9
    let t = s1 << 17
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = Self.rotl(s3, 45)
    return result
  }

  /// A float uniformly drawn from [0, 1): the top 53 bits scaled by 2^-53.
  public func nextDouble() -> Double {
    Double(next() >> 11) * 0x1.0p-53
  }

  /// An integer uniformly drawn from [0, bound), without modulo bias (Lemire's method).
  /// `bound` must be positive; 0 returns 0.
  public func nextInt(below bound: UInt64) -> UInt64 {
    guard bound > 0 else { return 0 }
    var m = next().multipliedFullWidth(by: bound)
    if m.low < bound {
      let threshold = (0 &- bound) % bound
      while m.low < threshold { m = next().multipliedFullWidth(by: bound) }
    }
    return m.high
  }

  /// An integer uniformly drawn from [0, bound); a bound ≤ 0 returns 0.
  public func nextInt(below bound: Int) -> Int {
    guard bound > 0 else { return 0 }
    return Int(truncatingIfNeeded: nextInt(below: UInt64(bound)))
  }

  /// An integer uniformly drawn from [low, high) (half-open, like `low..high`); returns `low`
  /// when the range is empty.
  public func nextInt(from low: Int, to high: Int) -> Int {
    guard high > low else { return low }
    let span = UInt64(bitPattern: Int64(high &- low))  // exact: high - low < 2^64
    return low &+ Int(truncatingIfNeeded: nextInt(below: span))
  }

  /// A standard normal deviate (mean 0, standard deviation 1), by Marsaglia's polar method.
  /// The logarithm is computed in Swift (`portableLog`) so the result does not depend on the
  /// platform's libm.
  public func nextGaussian() -> Double {
    if let spare = spareGaussian {
      spareGaussian = nil
      return spare
    }
    while true {
      let u = 2 * nextDouble() - 1
      let v = 2 * nextDouble() - 1
      let s = u * u + v * v
      if s >= 1 || s == 0 { continue }
      let factor = (-2 * Self.portableLog(s) / s).squareRoot()
      spareGaussian = v * factor
      return u * factor
    }
  }

  /// Makes this generator continue exactly where `other` stands (environment copies use it).
  public func copyState(from other: SeededGenerator) {
    (s0, s1, s2, s3) = (other.s0, other.s1, other.s2, other.s3)
    spareGaussian = other.spareGaussian
  }

  /// The generator's exact position, for checkpoints: the four state words and the second
  /// normal deviate of a pair not yet handed out. Restoring it continues the same sequence.
  public struct State: Equatable, Sendable {
    public var words: (UInt64, UInt64, UInt64, UInt64)
    public var spareGaussian: Double?

    public init(words: (UInt64, UInt64, UInt64, UInt64), spareGaussian: Double?) {
      self.words = words
      self.spareGaussian = spareGaussian
    }

    public static func == (a: State, b: State) -> Bool {
      a.words == b.words && a.spareGaussian?.bitPattern == b.spareGaussian?.bitPattern
    }
  }

  /// The current state (see `State`).
  public var state: State { State(words: (s0, s1, s2, s3), spareGaussian: spareGaussian) }

  /// Continues from a saved `state`. An all-zero state would make xoshiro output zeros forever,
  /// so it is refused.
  public func restore(_ state: State) throws {
    let w = state.words
    guard w.0 | w.1 | w.2 | w.3 != 0 else {
      throw CoreError("cannot restore a generator from an all-zero state", hint: "the saved state is damaged")
    }
    (s0, s1, s2, s3) = w
    spareGaussian = state.spareGaussian
  }

  /// A new generator whose stream does not overlap this one's: it takes over the current state
  /// and this generator jumps 2^128 steps ahead (xoshiro256**'s jump function).
  public func split() -> SeededGenerator {
    let child = SeededGenerator(state: (s0, s1, s2, s3))
    jump()
    return child
  }

  /// Advances the state by 2^128 steps.
  public func jump() {
    let table: [UInt64] = [0x180E_C6D3_3CFD_0ABA, 0xD5A6_1266_F0C9_392C, 0xA958_2618_E03F_C9AA, 0x39AB_DC45_29B1_661C]
    var t0: UInt64 = 0, t1: UInt64 = 0, t2: UInt64 = 0, t3: UInt64 = 0
    for word in table {
      for bit in 0..<64 {
        if word & (1 << UInt64(bit)) != 0 {
          t0 ^= s0; t1 ^= s1; t2 ^= s2; t3 ^= s3
        }
        _ = step()
      }
    }
    (s0, s1, s2, s3) = (t0, t1, t2, t3)
    spareGaussian = nil
  }

  /// The natural logarithm of a positive, finite `x`, using only exactly rounded operations
  /// (within about 1 ulp): x = m·2^e with m in [√½, √2), ln m = 2·atanh((m-1)/(m+1)).
  public static func portableLog(_ x: Double) -> Double {
    guard x > 0, x.isFinite else { return x == 0 ? -.infinity : (x.isNaN || x < 0 ? .nan : x) }
    var m = x.significand  // in [1, 2)
    var e = Double(x.exponent)
    if m > 1.4142135623730951 {
      m /= 2
      e += 1
    }
    let s = (m - 1) / (m + 1)  // |s| < 0.1716
    let s2 = s * s
    // 2·(s + s³/3 + s⁵/5 + ...); 12 terms put the truncation error far below one ulp.
    var term = s
    var sum = 0.0
    var k = 1.0
    for _ in 0..<12 {
      sum += term / k
      term *= s2
      k += 2
    }
    let ln2Hi = 6.93147180369123816490e-01, ln2Lo = 1.90821492927058770002e-10
    return (e * ln2Hi) + (2 * sum + e * ln2Lo)
  }
}
