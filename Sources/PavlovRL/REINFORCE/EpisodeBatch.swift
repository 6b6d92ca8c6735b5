import PavlovCore
/// The steps of the episodes gathered for one REINFORCE update: inputs, actions and rewards,
/// with where each finished episode ends. The last episode may still be running (a budget can
/// stop mid-episode); a checkpoint saves it all so training resumes exactly.
public struct EpisodeBatch: Equatable, Sendable {
  public let inputSize: Int
  public private(set) var inputs: [Float] = []
  public private(set) var actions: [Int] = []
  public private(set) var rewards: [Double] = []
  /// Step counts at which finished episodes end (exclusive), in order.
  public private(set) var episodeEnds: [Int] = []

  public init(inputSize: Int) { self.inputSize = inputSize }

  public var steps: Int { actions.count }
  public var finishedEpisodes: Int { episodeEnds.count }
  /// Steps in the finished episodes.
  public var finishedSteps: Int { episodeEnds.last ?? 0 }

  public mutating func append(input: UnsafeBufferPointer<Float>, action: Int, reward: Double) {
    inputs.append(contentsOf: input)
    actions.append(action)
    rewards.append(reward)
  }

  public mutating func endEpisode() { episodeEnds.append(steps) }

  /// Drops the finished episodes (after an update), keeping any running one.
  public mutating func removeFinished() {
    let end = finishedSteps
    inputs.removeFirst(end * inputSize)
    actions.removeFirst(end)
    rewards.removeFirst(end)
    episodeEnds.removeAll(keepingCapacity: true)
  }

  /// The discounted return from every step of the finished episodes to its episode's end:
  /// G_t = r_t + γ G_{t+1}, starting afresh at each episode boundary (no bootstrapping).
  public func returns(gamma: Double) -> [Double] {
    var out = [Double](repeating: 0, count: finishedSteps)
    var start = 0
    for end in episodeEnds {
      var g = 0.0
      for t in stride(from: end - 1, through: start, by: -1) {
        g = rewards[t] + gamma * g
        out[t] = g
      }
      start = end
    }
    return out
  }

  /// Restores saved contents; throws unless they are consistent.
  public mutating func restore(inputs: [Float], actions: [Int], rewards: [Double], episodeEnds: [Int]) throws {
    let n = actions.count
    guard inputs.count == n * inputSize, rewards.count == n, episodeEnds.allSatisfy({ $0 >= 1 && $0 <= n }),
          zip(episodeEnds, episodeEnds.dropFirst()).allSatisfy({ $0 < $1 }) else {
      throw CoreError("the saved episode batch (\(n) steps, \(inputs.count) input numbers, episode ends \(episodeEnds)) is not consistent",
                         hint: "the checkpoint is damaged or was saved for another env")
    }
    self.inputs = inputs
    self.actions = actions
    self.rewards = rewards
    self.episodeEnds = episodeEnds
  }
}
