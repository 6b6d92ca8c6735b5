/// One env copy's last n transitions, folded into n-step transitions as they complete (Sutton
/// and Barto §7.1; the multi-step targets of Rainbow): the transition from s_t stores
/// R = r_t + γ·r_{t+1} + … + γ^{k−1}·r_{t+k−1}, the observation k steps later and the discount
/// γ^k its bootstrap gets, k = n, or fewer where the episode ended first. With n = 1 it passes
/// each transition through unchanged (reward and γ as Float, the bits a 1-step buffer stores).
public struct NStepQueue: Sendable {
  public let n: Int
  public let gamma: Double
  public private(set) var observations: [[Float]] = []
  public private(set) var actions: [Int] = []
  public private(set) var rewards: [Float] = []

  /// A completed transition: its start, action, discounted reward and the discount of its bootstrap.
  public struct Folded: Equatable, Sendable {
    public var observation: [Float]
    public var action: Int
    public var reward: Float
    public var discount: Float
  }

  public init(n: Int, gamma: Double) {
    self.n = n
    self.gamma = gamma
  }

  /// The pending transitions (at most n − 1 between calls).
  public var count: Int { rewards.count }

  /// Adds the step from `observation`; returns the transitions it completes, oldest first: the
  /// oldest pending one when n are pending, all of them when the episode ended (`done`).
  public mutating func push(observation: [Float], action: Int, reward: Float, done: Bool) -> [Folded] {
    observations.append(observation)
    actions.append(action)
    rewards.append(reward)
    var out: [Folded] = []
    while !rewards.isEmpty && (done || rewards.count >= n) {
      out.append(fold())
      observations.removeFirst()
      actions.removeFirst()
      rewards.removeFirst()
    }
    return out
  }

  /// Puts back pending transitions saved with a buffer.
  public mutating func restore(observations: [[Float]], actions: [Int], rewards: [Float]) {
    self.observations = observations
    self.actions = actions
    self.rewards = rewards
  }

  private func fold() -> Folded {
    guard rewards.count > 1 else {
      return Folded(observation: observations[0], action: actions[0], reward: rewards[0], discount: Float(gamma))
    }
    var total = 0.0, scale = 1.0
    for r in rewards {
      total += scale * Double(r)
      scale *= gamma
    }
    return Folded(observation: observations[0], action: actions[0], reward: Float(total), discount: Float(scale))
  }
}
