import Dispatch

/// Gymnasium's `RecordEpisodeStatistics`: when an episode ends (terminated or truncated) the
/// step's info gets `"episode": {"r": return, "l": length}`, and the last `bufferLength`
/// returns and lengths stay readable in `returnQueue` / `lengthQueue`.
///
/// Gymnasium also reports `"t"`, the episode's wall-clock seconds. Wall time would make infos
/// differ between two runs of the same seed, so `"t"` is only added when a `clock` is given
/// (`RecordEpisodeStatistics.wallClock`, or a fake one in tests).
public final class RecordEpisodeStatistics: Wrapper {
  /// Seconds from an arbitrary origin, for `"t"`.
  public typealias Clock = () -> Double

  public let bufferLength: Int
  public private(set) var returnQueue: [Double] = []
  public private(set) var lengthQueue: [Int] = []
  /// Episode wall times in seconds, kept only when a clock was given.
  public private(set) var timeQueue: [Double] = []
  /// Episodes finished since the wrapper was made.
  public private(set) var episodeCount = 0
  public private(set) var episodeReturn = 0.0
  public private(set) var episodeLength = 0
  private let clock: Clock?
  private var episodeStart = 0.0

  /// Monotonic seconds since boot, for callers who want Gymnasium's `"t"`.
  public static let wallClock: Clock = { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

  public init(_ inner: Environment, bufferLength: Int = 100, clock: Clock? = nil) {
    self.bufferLength = max(1, bufferLength)
    self.clock = clock
    super.init(inner)
  }

  public override func reset(seed: UInt64?) throws -> Reset {
    let result = try inner.reset(seed: seed)
    episodeReturn = 0
    episodeLength = 0
    episodeStart = clock?() ?? 0
    return result
  }

  public override func step(_ action: Point) throws -> Step {
    var result = try inner.step(action)
    episodeReturn += result.reward
    episodeLength += 1
    if result.done {
      var record: [String: InfoValue] = ["r": .double(episodeReturn), "l": .int(episodeLength)]
      if let clock {
        let seconds = clock() - episodeStart
        record["t"] = .double(seconds)
        append(seconds, to: &timeQueue)
      }
      result.info["episode"] = .record(record)
      append(episodeReturn, to: &returnQueue)
      append(episodeLength, to: &lengthQueue)
      episodeCount += 1
      // Start the next count here too, so an env whose episodes run on without reset() stays right.
      episodeReturn = 0
      episodeLength = 0
      episodeStart = clock?() ?? 0
    }
    return result
  }

  private func append<T>(_ value: T, to queue: inout [T]) {
    if queue.count == bufferLength { queue.removeFirst() }
    queue.append(value)
  }

  public override func copy() -> Environment? {
    guard let innerCopy = inner.copy() else { return nil }
    let twin = RecordEpisodeStatistics(innerCopy, bufferLength: bufferLength, clock: clock)
    twin.returnQueue = returnQueue
    twin.lengthQueue = lengthQueue
    twin.timeQueue = timeQueue
    twin.episodeCount = episodeCount
    twin.episodeReturn = episodeReturn
    twin.episodeLength = episodeLength
    twin.episodeStart = episodeStart
    return twin
  }
}
