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
