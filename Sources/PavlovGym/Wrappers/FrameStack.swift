/// Gymnasium 1.x's `FrameStackObservation`: the observation is the last `size` inner
/// observations, oldest first, as a box of shape `[size] + inner shape`.
///
/// After `reset` the older slots hold padding: by default (`.reset`, Gymnasium 1.x's default)
/// copies of the reset observation, or zeros with `.zero` (the box bounds then widen to include
/// 0). Discrete and multi-discrete observations are stacked as their integer values in a box of
/// reals (Gymnasium would make a multi-discrete space), so every stack is one kind of tensor.
public final class FrameStack: Wrapper {
  public enum Padding: Sendable {
    case reset
    case zero
  }

  public let size: Int
  public let padding: Padding
  private let frameCount: Int
  private let space: Space
  /// The stacked frames, flattened: `size` rows of `frameCount` numbers, oldest first.
  private var frames: [Double]

  /// Throws if `size` is less than 1.
  public init(_ inner: Environment, size: Int, padding: Padding = .reset) throws {
    guard size >= 1 else { throw CoreError("FrameStack: size must be at least 1, got \(size)") }
    self.size = size
    self.padding = padding
    let inSpace = inner.observationSpace
    frameCount = inSpace.flatCount
    try AllocationLimit.elements([size, frameCount], "frame_stack")
    var (low, high) = inSpace.boundingBox
    if padding == .zero {
      low = low.map { Swift.min($0, 0) }
      high = high.map { Swift.max($0, 0) }
    }
    let stackedLow = Array([[Double]](repeating: low, count: size).joined())
    let stackedHigh = Array([[Double]](repeating: high, count: size).joined())
    space = .box(low: stackedLow, high: stackedHigh, shape: [size] + inSpace.elementShape)
    frames = Array(repeating: 0, count: size * frameCount)
    super.init(inner)
  }

  public override var observationSpace: Space { space }

  public override func reset(seed: UInt64?) throws -> Reset {
    var result = try inner.reset(seed: seed)
    let first = try numbers(of: result.observation)
    for row in 0..<size {
      let fill = padding == .reset || row == size - 1
      for i in 0..<frameCount { frames[row * frameCount + i] = fill ? first[i] : 0 }
    }
    result.observation = .reals(frames)
    return result
  }

  public override func step(_ action: Point) throws -> Step {
    var result = try inner.step(action)
    let newest = try numbers(of: result.observation)
    frames.removeFirst(frameCount)
    frames.append(contentsOf: newest)
    result.observation = .reals(frames)
    return result
  }

  private func numbers(of observation: Point) throws -> [Double] {
    let values = observation.asReals
    guard values.count == frameCount else {
      throw CoreError("FrameStack: observation \(observation.description) has \(values.count) numbers, but the observation space \(inner.observationSpace.description) has \(frameCount)")
    }
    return values
  }

  public override func copy() -> Environment? {
    guard let innerCopy = inner.copy(), let twin = try? FrameStack(innerCopy, size: size, padding: padding) else { return nil }
    twin.frames = frames
    return twin
  }
}
