import PavlovLang
import PavlovTensor

/// `seed`, `rand`, `randint`, `randn`, `choice`, `shuffle`, `sample`: all drawn from the
/// interpreter's one seeded generator, so a seed fixes every random choice of a run.
enum RandomLibrary {
  static func register(_ r: Registry) {
    r.function("seed", [Param("n", doc: "an int; the same seed gives the same random numbers on every run and machine")],
               doc: "Reseeds the random generator (the default seed is 0, so runs are reproducible).") { args in
      Stdlib.seed(args.interpreter, UInt64(bitPattern: Int64(try args.int(0))))
      return .null
    }

    r.function("rand", [Param("shape", kind: .variadic, doc: "none for one float; sizes (e.g. rand(2, 3)) for a tensor")],
               doc: "A random float in [0, 1); rand(2, 3) is a tensor of them.") { args in
      let rng = Stdlib.generator(for: args.interpreter)
      if case .list(let sizes) = args[0], !sizes.items.isEmpty {
        return TensorValue.wrap(Tensor.rand(try TensorBindings.shape(args[0], name: "rand"), generator: rng))
      }
      return .float(rng.nextDouble())
    }.fast0 = { interp in .float(Stdlib.generator(for: interp).nextDouble()) }

    let randint = r.function("randint", [Param("a", doc: "the bound (excluded) if alone, else the lowest value"),
                           Param("b", default: .null, doc: "the bound (excluded)"),
                           Param("shape", default: .null, doc: "sizes (a list) for an int64 tensor of such ints, e.g. randint(0, 10, [32, 64])")],
               doc: "A random int: randint(n) is in [0, n), randint(a, b) in [a, b) (half-open, like a..b); with a shape, an int64 tensor.") { args in
      let low: Int, high: Int
      if args.isNull(1) {
        low = 0
        high = try args.int(0)
      } else {
        low = try args.int(0)
        high = try args.int(1)
      }
      guard high > low else {
        let call = args.isNull(1) ? "randint(\(high))" : "randint(\(low), \(high))"
        throw PavlovError.runtime("\(call): the range is empty (the upper bound is excluded)",
                                  hint: "randint(n) needs n > 0 and randint(a, b) needs a < b; randint(1, 7) rolls a die")
      }
      let rng = Stdlib.generator(for: args.interpreter)
      if !args.isNull(2) {
        let sizes = try TensorBindings.shape(.list(PList([args[2]])), name: "randint")
        return TensorValue.wrap(Tensor(shape: sizes, ints: (0..<Shape.count(sizes)).map { _ in Int64(rng.nextInt(from: low, to: high)) }))
      }
      return .int(rng.nextInt(from: low, to: high))
    }
    randint.fast1 = { [unowned randint] interp, n in
      // Anything unusual takes the full path, which explains the problem.
      guard case .int(let high) = n, high > 0 else { return try interp.call(.function(randint), [n]) }
      return .int(Stdlib.generator(for: interp).nextInt(from: 0, to: high))
    }

    r.function("randn", [Param("shape", kind: .variadic, doc: "none for one float; sizes (e.g. randn(2, 3)) for a tensor")],
               doc: "A random float from the standard normal distribution (mean 0, std 1); randn(2, 3) is a tensor of them.") { args in
      let rng = Stdlib.generator(for: args.interpreter)
      if case .list(let sizes) = args[0], !sizes.items.isEmpty {
        return TensorValue.wrap(Tensor.randn(try TensorBindings.shape(args[0], name: "randn"), generator: rng))
      }
      return .float(rng.nextGaussian())
    }.fast0 = { interp in .float(Stdlib.generator(for: interp).nextGaussian()) }

    r.function("choice", [Param("xs", doc: "a non-empty list, range or string")],
               doc: "A random item of `xs`.") { args in
      let rng = Stdlib.generator(for: args.interpreter)
      switch args[0] {
      case .list(let l):
        guard !l.items.isEmpty else { throw emptyError("choice") }
        return l.items[rng.nextInt(below: l.items.count)]
      case .range(let range):
        guard range.count > 0 else { throw emptyError("choice") }
        return .int(range.element(rng.nextInt(below: range.count)))
      case .string(let s):
        let scalars = s.scalars
        guard !scalars.isEmpty else { throw emptyError("choice") }
        return .str(String(scalars[rng.nextInt(below: scalars.count)]))
      default:
        throw args.typeError(0, "a list, range or string")
      }
    }

    r.function("shuffle", [Param("xs", doc: "a list, shuffled in place")],
               doc: "Shuffles a list in place (Fisher–Yates) and returns nil; use sample(xs, len(xs)) for a shuffled copy.") { args in
      let list = try args.list(0)
      Stdlib.generator(for: args.interpreter).shuffle(&list.items)
      return .null
    }

    r.function("sample", [Param("xs", doc: "a list, range or string"),
                          Param("k", doc: "how many items, at most len(xs)")],
               doc: "A new list of `k` distinct items of `xs` (distinct positions), in random order.") { args in
      var pool: [Value]
      switch args[0] {
      case .list(let l): pool = l.items
      case .range(let range):
        guard range.count <= PList.maxItems else {
          throw PavlovError.runtime("sample: a range of \(range.count) items is too large", hint: "draw with randint instead")
        }
        pool = (0..<range.count).map { .int(range.element($0)) }
      case .string(let s): pool = s.scalars.map { .str(String($0)) }
      default: throw args.typeError(0, "a list, range or string")
      }
      let k = try args.int(1)
      guard k >= 0, k <= pool.count else {
        throw PavlovError.runtime("sample: cannot take \(k) distinct items from \(pool.count)",
                                  hint: "k must be between 0 and len(xs); to draw with replacement, call choice(xs) k times")
      }
      let rng = Stdlib.generator(for: args.interpreter)
      // Partial Fisher–Yates: the first k slots end up a uniform sample in random order.
      for i in 0..<k {
        let j = i + rng.nextInt(below: pool.count - i)
        pool.swapAt(i, j)
      }
      return .list(PList(Array(pool.prefix(k))))
    }
  }

  static func emptyError(_ name: String) -> PavlovError {
    .runtime("\(name): cannot choose from an empty sequence", hint: "check that it is not empty first: if len(xs) > 0 { ... }")
  }
}
