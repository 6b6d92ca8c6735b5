import PavlovGym

/// How an observation becomes the network's input row, as SB3's `preprocess_obs`: a box as its
/// numbers, a discrete value as a one-hot vector, a multi-discrete one as concatenated one-hots,
/// a text as one one-hot per position, and a tuple or dict as its components' features in order.
public struct ObservationFeatures: Sendable {
  public let space: Space
  /// Numbers per input row.
  public let size: Int

  public init(_ space: Space) {
    self.space = space
    size = Self.size(space)
  }

  /// Features per element: a box's numbers, n per discrete value, Σ nvec per multi-discrete
  /// one, (|charset| + 1) per text position (the last for padding), a composite's components'.
  static func size(_ space: Space) -> Int {
    switch space {
    case .box(let low, _, _): return low.count
    case .discrete(let n, _): return n
    case .multiDiscrete(let nvec): return nvec.reduce(0, +)
    case .text(_, let maxLength, let charset): return maxLength * (charset.count + 1)
    case .tuple(let spaces), .dict(_, let spaces): return spaces.reduce(0) { $0 + size($1) }
    }
  }

  public var isBox: Bool { if case .box = space { return true } else { return false } }

  /// Writes the features of one raw row (`space.flatCount` numbers, as `Space.flatten` makes
  /// them: a discrete value as its integer, a text as charset positions) into `out` from `offset`.
  public func encode(_ raw: UnsafeBufferPointer<Double>, into out: UnsafeMutableBufferPointer<Float>, at offset: Int) {
    Self.encode(space, raw, from: 0, into: out, at: offset)
  }

  private static func encode(_ space: Space, _ raw: UnsafeBufferPointer<Double>, from start: Int, into out: UnsafeMutableBufferPointer<Float>, at offset: Int) {
    switch space {
    case .box(let low, _, _):
      for i in 0..<low.count { out[offset + i] = Float(raw[start + i]) }
    case .discrete(let n, let first):
      oneHot(Int(raw[start]) - first, n, out, offset)
    case .multiDiscrete(let nvec):
      var base = offset
      for (j, n) in nvec.enumerated() {
        oneHot(Int(raw[start + j]), n, out, base)
        base += n
      }
    case .text(_, let maxLength, let charset):
      let n = charset.count + 1
      for position in 0..<maxLength { oneHot(Int(raw[start + position]), n, out, offset + position * n) }
    case .tuple(let spaces), .dict(_, let spaces):
      var from = start, at = offset
      for component in spaces {
        encode(component, raw, from: from, into: out, at: at)
        from += component.flatCount
        at += size(component)
      }
    }
  }

  /// n zeros from `offset`, with a 1 at k when 0 ≤ k < n.
  private static func oneHot(_ k: Int, _ n: Int, _ out: UnsafeMutableBufferPointer<Float>, _ offset: Int) {
    for i in 0..<n { out[offset + i] = 0 }
    if k >= 0 && k < n { out[offset + k] = 1 }
  }

  /// Writes the features of `point` into `out` from `offset`.
  public func encode(_ point: Point, into out: inout [Float], at offset: Int) {
    raw(point).withUnsafeBufferPointer { r in out.withUnsafeMutableBufferPointer { encode(r, into: $0, at: offset) } }
  }

  /// The raw numbers of a point, flattened (a discrete value as its integer, a text as positions).
  public func raw(_ point: Point) -> [Double] { space.flatten(point) }
}
