import PavlovGym

/// What a set of episodes between fixed players gave: per agent, its mean return and its wins,
/// draws and losses (a positive return counts as a win, a negative one as a loss, as in the
/// zero-sum board games), and the mean at each episode's end of the numbers in the info of the
/// first agent to finish (a cooperative task's `coverage`).
public struct MatchResult: Sendable {
  public var episodes = 0
  public var returns: [Double]
  public var wins: [Int]
  public var draws: [Int]
  public var losses: [Int]
  public var infoMeans: [String: Double] = [:]
  public var meanLength = 0.0

  init(agents: Int) {
    returns = Array(repeating: 0, count: agents)
    wins = Array(repeating: 0, count: agents)
    draws = wins
    losses = wins
  }
}

public enum Match {
  /// Plays `episodes` episodes of `env` through the AEC loop with `players[agent]` choosing each
  /// agent's actions (episode k reset with `seed + k`; the players draw from one generator
  /// seeded with `seed`).
  public static func play(_ env: MultiAgentEnv, players: [Bot], episodes: Int, seed: UInt64) throws -> MatchResult {
    // A copy, where the env has one, so evaluating never reseeds the env a trainer trains on.
    let aec = env.copied?.asAEC ?? env.asAEC
    let count = env.possibleAgents.count
    guard players.count == count else { throw CoreError("a match needs one player per agent (\(count)), got \(players.count)") }
    let generator = SeededGenerator(seed: seed)
    var result = MatchResult(agents: count)
    var infoSums: [String: Double] = [:]
    var turns = 0
    for episode in 0..<episodes {
      try Interruption.check()
      var episodeTurns = 0
      try aec.reset(seed: seed &+ UInt64(episode))
      var returns = [Double](repeating: 0, count: count)
      var infoTaken = false
      while !aec.agents.isEmpty {
        let agent = aec.agentSelection
        let last = aec.last()
        returns[agent] += last.reward
        if last.terminated || last.truncated {
          if !infoTaken {
            infoTaken = true
            for (key, value) in last.info { if let v = value.number { infoSums[key, default: 0] += v } }
          }
          try aec.step(nil)
          continue
        }
        turns += 1
        episodeTurns += 1
        if episodeTurns > 10_000_000 { throw CoreError("episode \(episode + 1) of the match passed 10 million turns without ending", hint: "give the env a time limit (max_cycles)") }
        let action = try players[agent].act(last.observation, generator: generator)
        try checkAction(action, aec, agent, players[agent].name)
        try aec.step(action)
      }
      result.episodes += 1
      for agent in 0..<count {
        result.returns[agent] += returns[agent]
        if returns[agent] > 0 { result.wins[agent] += 1 } else if returns[agent] < 0 { result.losses[agent] += 1 } else { result.draws[agent] += 1 }
      }
    }
    let n = Double(Swift.max(result.episodes, 1))
    for agent in 0..<count { result.returns[agent] /= n }
    result.infoMeans = infoSums.mapValues { $0 / n }
    result.meanLength = Double(turns) / n
    return result
  }
}

extension Match {
  /// A policy's action checked against the agent's space and mask, so an env (a Pavlov-written
  /// one too) only ever receives legal actions.
  static func checkAction(_ action: Point, _ aec: AECEnvironment, _ agent: Int, _ player: String) throws {
    if let why = aec.whyIllegalAction(action, for: agent) {
      throw CoreError("\(player), playing \(aec.possibleAgents[agent]), chose \(action.description): \(why)")
    }
  }
}

extension InfoValue {
  /// A number, a count or a flag (1 for true) as a Double; nil for other values.
  public var number: Double? {
    switch self {
    case .double(let v): return v
    case .int(let v): return Double(v)
    case .bool(let b): return b ? 1 : 0
    default: return nil
    }
  }
}
