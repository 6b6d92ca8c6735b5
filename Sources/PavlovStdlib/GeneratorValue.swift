import PavlovLang
import PavlovTensor

/// An independent random stream (`generator(seed)` or `split_generator()`), for code that must
/// not disturb, or be disturbed by, the session's draws — an env written in Pavlov, a worker.
final class GeneratorValue: PObject {
  let generator: SeededGenerator

  nonisolated(unsafe) static let nativeType: NativeType = GeneratorValue.makeType()

  init(_ generator: SeededGenerator) {
    self.generator = generator
    super.init(type: GeneratorValue.nativeType)
  }

  override var displayString: String { "<generator>" }

  static func register(_ r: Registry) {
    r.addType(nativeType)
    r.function("generator", [Param("seed", doc: "an int: the same seed gives the same stream")],
               doc: "A random generator of its own, seeded: g.rand(), g.randint(a, b), g.randn(), g.seed(n).") { args in
      .object(GeneratorValue(SeededGenerator(seed: UInt64(bitPattern: Int64(try args.int(0))))))
    }
    r.function("split_generator", doc: "An independent generator split off the session's (reproducible under seed(n)).") { args in
      .object(GeneratorValue(Stdlib.generator(for: args.interpreter).split()))
    }
  }

  private static func own(_ v: Value) throws -> SeededGenerator {
    guard case .object(let g as GeneratorValue) = v else { throw PavlovError.runtime("expected a generator, got \(v.typeName)") }
    return g.generator
  }

  private static func makeType() -> NativeType {
    let t = NativeType(name: "generator", doc: "An independent seeded random stream (xoshiro256**, like the session's).")
    t.method("rand", doc: "A float in [0, 1).") { args in .float(try own(args.receiver).nextDouble()) }
    t.method("randn", doc: "A standard normal float.") { args in .float(try own(args.receiver).nextGaussian()) }
    t.method("randint", [Param("a", doc: "the bound (excluded) if alone, else the lowest value"), Param("b", default: .null, doc: "the bound (excluded)")],
             doc: "An int in [0, a) or [a, b).") { args in
      let low = args.isNull(1) ? 0 : try args.int(0), high = args.isNull(1) ? try args.int(0) : try args.int(1)
      guard high > low else { throw PavlovError.runtime("randint: the range [\(low), \(high)) is empty (the upper bound is excluded)") }
      return .int(try own(args.receiver).nextInt(from: low, to: high))
    }
    t.method("seed", [Param("n", doc: "an int")], doc: "Restarts the stream from a seed.") { args in
      try own(args.receiver).reseed(UInt64(bitPattern: Int64(try args.int(0))))
      return .null
    }
    t.method("split", doc: "An independent generator split off this one.") { args in .object(GeneratorValue(try own(args.receiver).split())) }
    return t
  }
}
