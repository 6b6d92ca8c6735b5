import PavlovCore
/// What one training iteration (one rollout and its updates) reports.
///
/// The fixed fields apply to every deep trainer; `metrics` holds the algorithm's own numbers
/// (losses by name, approx_kl, entropy, clip_fraction, explained_variance, ...) in the order the
/// algorithm added them, so printed tables keep a stable column order.
public struct TrainStats: Sendable {
  /// Iterations finished since the trainer was made (1 after the first).
  public var iteration: Int
  /// Environment steps taken since the trainer was made, over all copies.
  public var timesteps: Int
  /// Episodes finished since the trainer was made.
  public var episodes: Int
  /// The mean undiscounted return of the last `window` finished episodes (nil before the first).
  public var meanReturn: Double?
  /// Their mean length in steps (nil before the first episode ends).
  public var meanLength: Double?
  /// Environment steps per second of wall time in this `train` call so far.
  public var fps: Double
  /// The learning rate used by this iteration's updates.
  public var learningRate: Double
  /// Algorithm-specific numbers, in insertion order.
  public private(set) var metrics: [(name: String, value: Double)] = []

  public init(iteration: Int, timesteps: Int, episodes: Int, meanReturn: Double?, meanLength: Double?,
              fps: Double, learningRate: Double) {
    self.iteration = iteration
    self.timesteps = timesteps
    self.episodes = episodes
    self.meanReturn = meanReturn
    self.meanLength = meanLength
    self.fps = fps
    self.learningRate = learningRate
  }

  /// The metric called `name`, if the algorithm reported it.
  public subscript(name: String) -> Double? {
    metrics.first { $0.name == name }?.value
  }

  /// Sets a metric, keeping its place if it was already there.
  public mutating func set(_ name: String, _ value: Double) {
    if let i = metrics.firstIndex(where: { $0.name == name }) {
      metrics[i].value = value
    } else {
      metrics.append((name, value))
    }
  }

  /// Every number by name, fixed fields first, then the metrics; nil means (mean return and
  /// length) that no episode has ended yet.
  public var all: [(name: String, value: Double?)] {
    var out: [(name: String, value: Double?)] = [
      ("iteration", Double(iteration)), ("timesteps", Double(timesteps)), ("episodes", Double(episodes)),
      ("mean_return", meanReturn), ("mean_length", meanLength), ("fps", fps), ("learning_rate", learningRate),
    ]
    out += metrics.map { ($0.name, $0.value) }
    return out
  }
}

/// The returns and lengths of the last few finished episodes, for `TrainStats.meanReturn`
/// (SB3 averages its last 100 in `ep_info_buffer`).
public struct EpisodeWindow: Sendable {
  public let capacity: Int
  public private(set) var returns: [Double] = []
  public private(set) var lengths: [Int] = []
  /// Episodes recorded since the window was made (not capped).
  public private(set) var total = 0
  private var next = 0

  public init(capacity: Int = 100) { self.capacity = Swift.max(1, capacity) }

  public mutating func record(return value: Double, length: Int) {
    if returns.count < capacity {
      returns.append(value)
      lengths.append(length)
    } else {
      returns[next] = value
      lengths[next] = length
    }
    next = (next + 1) % capacity
    total += 1
  }

  /// The ring buffer in its stored order with its write position, for checkpoints.
  public var snapshot: (returns: [Double], lengths: [Int], total: Int, next: Int) { (returns, lengths, total, next) }

  /// Restores a `snapshot`; throws if it does not fit this window.
  public mutating func restore(returns: [Double], lengths: [Int], total: Int, next: Int) throws {
    guard returns.count == lengths.count, returns.count <= capacity, total >= returns.count,
          next >= 0, next < capacity, returns.count == capacity || next == returns.count % capacity else {
      throw CoreError("the saved episode window (\(returns.count) returns, \(lengths.count) lengths, position \(next)) does not fit a window of \(capacity)",
                         hint: "the checkpoint is damaged")
    }
    self.returns = returns
    self.lengths = lengths
    self.total = total
    self.next = next
  }

  public var meanReturn: Double? { returns.isEmpty ? nil : returns.reduce(0, +) / Double(returns.count) }
  public var meanLength: Double? { lengths.isEmpty ? nil : Double(lengths.reduce(0, +)) / Double(lengths.count) }
}
