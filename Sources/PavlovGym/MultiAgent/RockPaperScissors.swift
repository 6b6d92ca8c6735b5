/// Iterated rock-paper-scissors for "player_0" and "player_1", both acting each round (parallel).
/// Actions: 0 rock, 1 paper, 2 scissors; each round pays +1 to the winner, −1 to the loser, 0 on
/// a tie. The episode is truncated after `max_cycles` rounds (default 100). Each player observes
/// the last `memory` rounds (default 3), most recent first, from its own side: per round six
/// numbers, a one-hot of its own move then a one-hot of the opponent's (all zeros for rounds
/// not yet played). The game has no chance of its own; the bots bring it.
public final class RockPaperScissors: ParallelEnvironment {
  public static let moveNames = ["rock", "paper", "scissors"]
  public let possibleAgents = ["player_0", "player_1"]
  public let memory: Int
  public let maxCycles: Int
  public private(set) var agents: [Int] = []
  /// Every round so far: (player_0's move, player_1's move).
  public private(set) var history: [(Int, Int)] = []
  private var score = [0, 0]

  public init(memory: Int = 3, maxCycles: Int = 100) {
    self.memory = memory
    self.maxCycles = maxCycles
  }

  /// `make`'s factory: options `memory` (1 or more) and `max_cycles` (1 or more).
  static func make(_ options: EnvOptions) throws -> RockPaperScissors {
    let memory = try options.int("memory", default: 3)
    let maxCycles = try options.int("max_cycles", default: 100)
    try options.finish()
    guard memory >= 1, memory <= 10_000 else {
      throw CoreError("\(options.envID): option memory must be from 1 to 10000 (rounds remembered), got \(memory)")
    }
    guard maxCycles >= 1, maxCycles <= 1_000_000 else {
      throw CoreError("\(options.envID): option max_cycles must be from 1 to 1000000 (rounds per episode), got \(maxCycles)")
    }
    return RockPaperScissors(memory: memory, maxCycles: maxCycles)
  }

  /// The move that beats `move`: paper beats rock, scissors paper, rock scissors.
  public static func beats(_ move: Int) -> Int { (move + 1) % 3 }

  public func observationSpace(_ agent: Int) -> Space { .box(low: 0, high: 1, shape: [memory * 6]) }
  public func actionSpace(_ agent: Int) -> Space { .discrete(3) }

  public func observation(for agent: Int) -> [Double] {
    var numbers = [Double](repeating: 0, count: memory * 6)
    for (back, round) in history.suffix(memory).reversed().enumerated() {
      let (own, other) = agent == 0 ? round : (round.1, round.0)
      numbers[back * 6 + own] = 1
      numbers[back * 6 + 3 + other] = 1
    }
    return numbers
  }

  public func reset(seed: UInt64?) throws -> ParallelReset {
    history = []
    score = [0, 0]
    agents = [0, 1]
    return ParallelReset(observations: [.reals(observation(for: 0)), .reals(observation(for: 1))], infos: [info, info])
  }

  private var info: Info { ["round": .int(history.count)] }

  public func step(_ actions: [Point?]) throws -> ParallelStep {
    guard !agents.isEmpty else { throw CoreError("RockPaperScissors-v0: the episode is over; call reset()") }
    let moves = try (0..<2).map { agent -> Int in
      guard case .int(let move)? = actions[agent], (0..<3).contains(move) else {
        throw CoreError("RockPaperScissors-v0: \(possibleAgents[agent]) must play 0 (rock), 1 (paper) or 2 (scissors), got \(actions[agent]?.description ?? "nil")")
      }
      return move
    }
    history.append((moves[0], moves[1]))
    var result = ParallelStep(agents: 2)
    let winner = moves[0] == moves[1] ? nil : (Self.beats(moves[1]) == moves[0] ? 0 : 1)
    for agent in 0..<2 {
      result.rewards[agent] = winner.map { $0 == agent ? 1 : -1 } ?? 0
      result.observations[agent] = .reals(observation(for: agent))
      result.truncations[agent] = history.count >= maxCycles
      result.infos[agent] = info
    }
    if let winner { score[winner] += 1 }
    if history.count >= maxCycles { agents = [] }
    return result
  }

  /// The last round and the score so far.
  public func render() -> String {
    let header = "round \(history.count) of \(maxCycles), score \(score[0])-\(score[1])"
    guard let (a, b) = history.last else { return header + ": no moves yet" }
    let outcome = a == b ? "a tie" : (Self.beats(b) == a ? "player_0 wins" : "player_1 wins")
    return header + ": player_0 \(Self.moveNames[a]), player_1 \(Self.moveNames[b]) → \(outcome)"
  }

  public func copy() -> ParallelEnvironment? {
    let twin = RockPaperScissors(memory: memory, maxCycles: maxCycles)
    twin.agents = agents
    twin.history = history
    twin.score = score
    return twin
  }
}
