import PavlovCore

/// The configs of a grid-and-random sweep, as Ray Tune's default searcher makes them: every
/// combination of the grid values (grids ordered by their key paths, the first varying
/// fastest, as in Ray's BasicVariantGenerator), repeated `samples` times,
/// with each trial's sampled values drawn from one seeded generator in trial order. The same
/// space, samples and seed give the same configs on every machine.
public struct VariantGenerator: Sendable {
  public let space: Domain
  public let samples: Int
  public let seed: UInt64

  public init(space: Domain, samples: Int = 1, seed: UInt64 = 0) throws(CoreError) {
    try space.validate()
    guard samples >= 1 else { throw CoreError("samples must be at least 1, got \(samples)") }
    self.space = space
    self.samples = samples
    self.seed = seed
  }

  /// How many trials the sweep has: samples × the product of the grid sizes.
  public var count: Int { space.grids.reduce(samples) { $0 * $1.values.count } }

  /// Every trial's config, in trial order.
  public func configs() -> [JSONValue] {
    let grids = space.grids.sorted { $0.path.lexicographicallyPrecedes($1.path) }
    let generator = SeededGenerator(seed: seed)
    var out: [JSONValue] = []
    for _ in 0..<samples {
      // An odometer over the grid dimensions whose first wheel turns fastest.
      var digits = Array(repeating: 0, count: grids.count)
      while true {
        var choice: [[String]: JSONValue] = [:]
        for (d, grid) in grids.enumerated() { choice[grid.path] = grid.values[digits[d]] }
        out.append(space.resolve(generator, gridChoice: choice))
        var d = 0
        while d < grids.count {
          digits[d] += 1
          if digits[d] < grids[d].values.count { break }
          digits[d] = 0
          d += 1
        }
        if d == grids.count { break }
      }
    }
    return out
  }
}
