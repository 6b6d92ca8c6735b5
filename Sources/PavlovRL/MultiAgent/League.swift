import PavlovGym
import PavlovTensor

/// A self-play league: frozen snapshots of a learning policy and, optionally, fixed bots (the
/// sparring partners AlphaStar's league adds), each with an Elo rating, and the learner's own
/// rating, updated after every game against a member.
public final class League {
  public struct Snapshot {
    public let network: AgentNetwork
    public let iteration: Int
    public var rating: Double
    public var games = 0
  }

  public struct Sparring {
    public let bot: Bot
    public var rating = Elo.initial
    public var games = 0
  }

  public let policy: LearnedPolicy
  public let capacity: Int
  public private(set) var bots: [Sparring]
  public private(set) var snapshots: [Snapshot] = []
  public private(set) var rating = Elo.initial
  private var taken = 0

  init(policy: LearnedPolicy, capacity: Int, bots: [Bot]) {
    self.policy = policy
    self.capacity = capacity
    self.bots = bots.map { Sparring(bot: $0) }
  }

  /// Freezes the current policy into the league at the learner's rating (the oldest leaves when full).
  func addSnapshot() throws {
    snapshots.append(Snapshot(network: try policy.network.typedCopy(), iteration: taken, rating: rating))
    taken += 1
    if snapshots.count > capacity { snapshots.removeFirst(snapshots.count - capacity) }
  }

  func record(score: Double, against k: Int) {
    let (mine, theirs) = Elo.update(rating, snapshots[k].rating, score: score)
    rating = mine
    snapshots[k].rating = theirs
    snapshots[k].games += 1
  }

  func record(score: Double, againstBot k: Int) {
    let (mine, theirs) = Elo.update(rating, bots[k].rating, score: score)
    rating = mine
    bots[k].rating = theirs
    bots[k].games += 1
  }
}
