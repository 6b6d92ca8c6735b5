import PavlovTensor

/// Gamma and Beta deviates from the seeded generator, for Thompson sampling. Marsaglia and
/// Tsang's method ("A simple method for generating gamma variables", 2000): a squeeze on a
/// transformed normal that accepts about 98% of draws for any shape ≥ 1; shapes below 1 use
/// Gamma(k) = Gamma(k + 1)·U^(1/k). Only portable arithmetic, so a seed gives the same draws
/// everywhere.
enum GammaSampler {
  /// A Gamma(shape, 1) deviate; `shape` must be positive and finite.
  static func gamma(shape: Double, _ generator: SeededGenerator) -> Double {
    if shape < 1 {
      let u = generator.nextDouble()
      // u = 0 would give 0^(1/k) = 0, a legitimate (if rare) Gamma value.
      return gamma(shape: shape + 1, generator) * (u > 0 ? PortableMath.pow(u, 1 / shape) : 0)
    }
    let d = shape - 1.0 / 3.0
    let c = 1 / (9 * d).squareRoot()
    while true {
      let x = generator.nextGaussian()
      let t = 1 + c * x
      if t <= 0 { continue }
      let v = t * t * t
      let u = generator.nextDouble()
      if u < 1 - 0.0331 * (x * x) * (x * x) { return d * v }
      if u > 0, PortableMath.log(u) < 0.5 * x * x + d * (1 - v + PortableMath.log(v)) { return d * v }
    }
  }

  /// A Beta(a, b) deviate as X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b).
  static func beta(_ a: Double, _ b: Double, _ generator: SeededGenerator) -> Double {
    let x = gamma(shape: a, generator)
    let y = gamma(shape: b, generator)
    let total = x + y
    return total > 0 ? x / total : 0.5  // both underflowed: tiny shapes, no preference
  }
}
