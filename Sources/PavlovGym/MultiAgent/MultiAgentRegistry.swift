/// A registered multi-agent environment: its id, what it is, how to build it, and its bots.
public struct MultiAgentSpec: Sendable {
  public let id: String
  public let summary: String
  /// Builds the env from `make`'s options.
  public let build: @Sendable (EnvOptions) throws -> MultiAgentEnv
  /// The bots a script can play against (`bot(id, kind)`), by name.
  public let bots: [String]
  public let makeBot: @Sendable (String) throws -> Bot

  public init(id: String, summary: String, bots: [String] = [], makeBot: @escaping @Sendable (String) throws -> Bot = { kind in
    throw CoreError("this environment has no bot \"\(kind)\"")
  }, build: @escaping @Sendable (EnvOptions) throws -> MultiAgentEnv) {
    self.id = id
    self.summary = summary
    self.bots = bots
    self.makeBot = makeBot
    self.build = build
  }

  /// A registered board game: AEC, with the random, lookahead and minimax bots.
  public static func turnGame<Game: TurnGame>(_ game: Game.Type, id: String, agents: [String], summary: String,
                                              minimaxDepth: Int? = nil) -> MultiAgentSpec {
    MultiAgentSpec(id: id, summary: summary, bots: ["random", "lookahead", "minimax"],
                   makeBot: { try GameBots.make(game, kind: $0, envID: id, depth: minimaxDepth) },
                   build: { options in
                     try options.finish()
                     return .aec(TurnGameEnvironment<Game>(name: id, agents: agents))
                   })
  }
}

/// The built-in multi-agent environments (PettingZoo's role), by id.
public enum MultiAgentRegistry {
  public static let specs: [MultiAgentSpec] = [
    .turnGame(TicTacToe.self, id: "TicTacToe-v0", agents: ["player_1", "player_2"],
              summary: "Tic-tac-toe for two agents taking turns (AEC); cells 0-8 row by row, illegal moves masked; +1 win, -1 loss"),
    .turnGame(ConnectFour.self, id: "ConnectFour-v0", agents: ["player_0", "player_1"],
              summary: "Connect four on 6 rows x 7 columns for two agents taking turns (AEC); action = column 0-6, full columns masked; +1 win, -1 loss",
              minimaxDepth: 4),
    MultiAgentSpec(id: "RockPaperScissors-v0",
                   summary: "Iterated rock-paper-scissors, both players at once (parallel); observes the last rounds' moves; +1/-1/0 per round",
                   bots: RockPaperScissorsBots.kinds, makeBot: { try RockPaperScissorsBots.make($0) },
                   build: { .parallel(try RockPaperScissors.make($0)) }),
    MultiAgentSpec(id: "Spread-v0",
                   summary: "Cooperative grid: N agents (parallel) cover N landmarks; shared reward covered/N - 0.1 per colliding pair; option view limits sight",
                   build: { .parallel(try Spread.make($0)) }),
    MultiAgentSpec(id: "PredatorPrey-v0",
                   summary: "Pursuit on a grid: predators (parallel) catch a random prey by two of them reaching it; +1 each on the catch, -0.01 per step",
                   build: { .parallel(try PredatorPrey.make($0)) }),
  ]

  public static var ids: [String] { specs.map(\.id) }
  public static func spec(_ id: String) -> MultiAgentSpec? { specs.first { $0.id == id } }

  public static func make(_ id: String, options: [String: EnvOption] = [:]) throws -> MultiAgentEnv {
    guard let spec = spec(id) else {
      throw CoreError("no multi-agent environment \"\(id)\" is registered. Registered: \(ids.joined(separator: ", "))")
    }
    return try spec.build(EnvOptions(envID: id, options))
  }

  public static func bot(_ id: String, _ kind: String) throws -> Bot {
    guard let spec = spec(id) else {
      throw CoreError("no multi-agent environment \"\(id)\" is registered. Registered: \(ids.joined(separator: ", "))")
    }
    guard spec.bots.contains(kind) else {
      throw CoreError("\(id) has no bot \"\(kind)\"", hint: spec.bots.isEmpty ? "it has no bots" : "its bots: \(spec.bots.joined(separator: ", "))")
    }
    return try spec.makeBot(kind)
  }
}
