/// Gymnasium's `ClipAction`: clips each element of a box action to the inner action space's
/// bounds before stepping. As in Gymnasium 1.x, the action space it shows is an unbounded box of
/// the same shape, so any real action is accepted (NaN is passed on, for the inner env to reject).
public final class ClipAction: Wrapper {
  private let low: [Double]
  private let high: [Double]
  private let space: Space

  /// Throws unless the inner action space is a box. (Labelled: `Wrapper.init(_:)` cannot throw.)
  public init(clipping inner: Environment) throws {
    guard case .box(let low, let high, let shape) = inner.actionSpace else {
      throw CoreError("ClipAction needs a Box action space, but the environment's is \(inner.actionSpace.description)")
    }
    self.low = low
    self.high = high
    space = .box(low: -.infinity, high: .infinity, shape: shape)
    super.init(inner)
  }

  public override var actionSpace: Space { space }

  public override func step(_ action: Point) throws -> Step {
    guard case .reals(var values) = action, values.count == low.count else {
      throw CoreError("ClipAction: invalid action \(action.description): \(space.whyNotContains(action))")
    }
    for i in values.indices where !values[i].isNaN {
      values[i] = Swift.min(Swift.max(values[i], low[i]), high[i])
    }
    return try inner.step(.reals(values))
  }

  public override func copy() -> Environment? {
    guard let innerCopy = inner.copy() else { return nil }
    return try? ClipAction(clipping: innerCopy)
  }
}
