import PavlovGym

/// Makes an environment copy's position restorable from a checkpoint without serializing the
/// environment itself: every episode starts from a seed the wrapper chooses (a function of the
/// trainer's seed, the copy and the episode number), and the actions of the current episode are
/// logged. Resetting with that seed and replaying the log puts any environment that follows
/// Gymnasium's contract (deterministic given its reset seed and actions) back exactly where it
/// stood — dynamics, generator and time limit alike.
///
/// The log holds at most one episode (it is cleared on every reset), so it stays small.
public final class ReplayableEnvironment: Wrapper {
  public let baseSeed: UInt64
  public let copyIndex: Int
  /// Episodes started so far (the current one is number `episodesStarted - 1`).
  public private(set) var episodesStarted = 0
  /// The current episode's actions, flattened: one number per discrete action, `actionSize`
  /// per continuous one (exact: discrete values are whole numbers).
  public private(set) var actionLog: [Double] = []
  public let actionSize: Int

  public init(_ inner: Environment, baseSeed: UInt64, copyIndex: Int) {
    self.baseSeed = baseSeed
    self.copyIndex = copyIndex
    actionSize = inner.actionSpace.flatCount
    super.init(inner)
    actionLog.reserveCapacity(1024)
  }

  /// The seed of episode `episode` of copy `copy`: splitmix64 of the three mixed together, so
  /// neighbouring copies and episodes get unrelated streams.
  public static func episodeSeed(base: UInt64, copy: Int, episode: Int) -> UInt64 {
    var z = base &+ UInt64(truncatingIfNeeded: copy) &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(truncatingIfNeeded: episode) &* 0xD1B5_4A32_D192_ED03
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// Ignores the seed it is given: the episode's seed is always the wrapper's own.
  public override func reset(seed: UInt64?) throws -> Reset {
    let chosen = Self.episodeSeed(base: baseSeed, copy: copyIndex, episode: episodesStarted)
    episodesStarted += 1
    actionLog.removeAll(keepingCapacity: true)
    return try inner.reset(seed: chosen)
  }

  public override func step(_ action: Point) throws -> Step {
    switch action {
    case .int(let a): actionLog.append(Double(a))
    case .reals(let values): actionLog.append(contentsOf: values)
    case .ints(let values): for v in values { actionLog.append(Double(v)) }
    case .text, .tuple, .dict: actionLog.append(contentsOf: inner.actionSpace.flatten(action))
    }
    return try inner.step(action)
  }

  /// Puts a freshly made copy where a saved one stood: restarts episode `episodesStarted - 1`
  /// and replays `actions`. Returns the observation the copy then shows.
  public func replay(episodesStarted saved: Int, actions: [Double]) throws -> Point {
    guard saved >= 1, actions.count % Swift.max(actionSize, 1) == 0 else {
      throw CoreError("copy \(copyIndex): the saved position (\(saved) episodes, \(actions.count) logged numbers for actions of \(actionSize)) is not valid",
                         hint: "the checkpoint is damaged")
    }
    episodesStarted = saved - 1
    var observation = try reset(seed: nil).observation
    var k = 0
    while k < actions.count {
      let result = try step(point(actions, at: k))
      if result.done {
        throw CoreError("copy \(copyIndex): replaying the saved episode ended it early (after \(k / actionSize + 1) of \(actions.count / actionSize) steps)",
                           hint: "the environment is not deterministic given its seed and actions, or its definition changed since the save")
      }
      observation = result.observation
      k += actionSize
    }
    return observation
  }

  /// Logged action number `k` (the start of one action) as the point the env was given.
  private func point(_ actions: [Double], at k: Int) -> Point {
    switch inner.actionSpace {
    case .discrete: return .int(Int(actions[k]))
    case .multiDiscrete: return .ints(actions[k..<(k + actionSize)].map { Int($0) })
    case .box: return .reals(Array(actions[k..<(k + actionSize)]))
    case .text, .tuple, .dict: return inner.actionSpace.unflatten(actions[k..<(k + actionSize)])
    }
  }
}
