import PavlovGym

/// How an observation becomes the network's input row, as SB3's `preprocess_obs`: a box as its
/// numbers, a discrete value as a one-hot vector, a multi-discrete one as concatenated one-hots.
public struct ObservationFeatures: Sendable {
  public let space: Space
  /// Numbers per input row.
  public let size: Int

  public init(_ space: Space) {
    self.space = space
    switch space {
    case .box(let low, _, _): size = low.count
    case .discrete(let n, _): size = n
    case .multiDiscrete(let nvec): size = nvec.reduce(0, +)
    }
  }

  public var isBox: Bool { if case .box = space { return true } else { return false } }

  /// Writes the features of one raw row (`space.flatCount` numbers, a discrete value as its
  /// integer) into `out` from `offset`.
  public func encode(_ raw: UnsafeBufferPointer<Double>, into out: UnsafeMutableBufferPointer<Float>, at offset: Int) {
    switch space {
    case .box:
      for i in 0..<size { out[offset + i] = Float(raw[i]) }
    case .discrete(let n, let start):
      for i in 0..<n { out[offset + i] = 0 }
      let k = Int(raw[0]) - start
      if k >= 0 && k < n { out[offset + k] = 1 }
    case .multiDiscrete(let nvec):
      var base = offset
      for (j, n) in nvec.enumerated() {
        for i in 0..<n { out[base + i] = 0 }
        let k = Int(raw[j])
        if k >= 0 && k < n { out[base + k] = 1 }
        base += n
      }
    }
  }

  /// The raw numbers of a point, flattened (a discrete value as its integer).
  public static func raw(_ point: Point) -> [Double] { point.asReals }
}
