/// Gymnasium's `TransformReward`: every reward passes through `transform` (e.g. `{ $0 / 10 }`).
/// Copies share the closure, so it should not keep state of its own.
public final class TransformReward: Wrapper {
  public let transform: (Double) -> Double

  public init(_ inner: Environment, _ transform: @escaping (Double) -> Double) {
    self.transform = transform
    super.init(inner)
  }

  public override func step(_ action: Point) throws -> Step {
    var result = try inner.step(action)
    result.reward = transform(result.reward)
    return result
  }

  public override func copy() -> Environment? {
    inner.copy().map { TransformReward($0, transform) }
  }
}
