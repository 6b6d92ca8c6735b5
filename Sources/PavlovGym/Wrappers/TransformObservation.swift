/// Gymnasium's `TransformObservation`: every observation (from `reset` and `step`) passes
/// through `transform`, and the wrapper reports `observationSpace` as the space the results lie
/// in. Copies share the closure, so it should not keep state of its own.
public final class TransformObservation: Wrapper {
  public let transform: (Point) -> Point
  private let space: Space

  public init(_ inner: Environment, observationSpace: Space, _ transform: @escaping (Point) -> Point) {
    self.transform = transform
    space = observationSpace
    super.init(inner)
  }

  public override var observationSpace: Space { space }

  public override func reset(seed: UInt64?) throws -> Reset {
    var result = try inner.reset(seed: seed)
    result.observation = transform(result.observation)
    return result
  }

  public override func step(_ action: Point) throws -> Step {
    var result = try inner.step(action)
    result.observation = transform(result.observation)
    return result
  }

  public override func copy() -> Environment? {
    inner.copy().map { TransformObservation($0, observationSpace: space, transform) }
  }
}
