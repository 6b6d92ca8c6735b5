/// A fixed opponent: picks an action from an observation alone (the observation of a board game
/// shows the whole board), drawing any randomness from the generator it is given.
public final class Bot {
  public let name: String
  private let choose: (Point, SeededGenerator) throws -> Point

  public init(name: String, choose: @escaping (Point, SeededGenerator) throws -> Point) {
    self.name = name
    self.choose = choose
  }

  public func act(_ observation: Point, generator: SeededGenerator) throws -> Point { try choose(observation, generator) }
}

/// The bots of the board games: "random" (a uniform legal move), "lookahead" (wins at once if it
/// can, else blocks the opponent's immediate win, else random) and "minimax" (perfect play by
/// exhaustive search, a random choice among equally good moves; `depth` limits the search,
/// scoring unfinished positions 0).
public enum GameBots {
  public static func make<Game: TurnGame>(_ game: Game.Type, kind: String, envID: String, depth: Int? = nil) throws -> Bot {
    switch kind {
    case "random":
      return Bot(name: "random") { observation, generator in
        let board = try position(game, observation, envID)
        let legal = board.legalActions
        return .int(legal[generator.nextInt(below: legal.count)])
      }
    case "lookahead":
      return Bot(name: "lookahead") { observation, generator in
        .int(lookahead(try position(game, observation, envID), generator))
      }
    case "minimax":
      let search = Minimax<Game>(depth: depth)
      return Bot(name: depth.map { "minimax(depth \($0))" } ?? "minimax") { observation, generator in
        .int(search.bestMove(try position(game, observation, envID), generator))
      }
    default:
      throw CoreError("\(envID) has no bot \"\(kind)\"", hint: "its bots: random, lookahead, minimax")
    }
  }

  static func position<Game: TurnGame>(_ game: Game.Type, _ observation: Point, _ envID: String) throws -> Game {
    var planes: [Double]?
    if case .dict(let keys, let values) = observation, let i = keys.firstIndex(of: "observation"), case .reals(let r) = values[i] { planes = r }
    if case .reals(let r) = observation { planes = r }
    guard let planes, let board = Game(observation: planes), !board.isOver else {
      throw CoreError("\(envID) bot: \(observation.description) is not a position with a move to make",
                      hint: "give the bot the observation of the agent to move (env.last().obs)")
    }
    return board
  }

  /// Win now, else stop the opponent's immediate win, else any legal move.
  public static func lookahead<Game: TurnGame>(_ board: Game, _ generator: SeededGenerator) -> Int {
    let legal = board.legalActions
    let me = board.toMove
    for move in legal {
      var next = board
      next.play(move)
      if next.result == .won(by: me) { return move }
    }
    let threats = legal.filter { board.completesWin($0, for: 1 - me) }
    if !threats.isEmpty { return threats[generator.nextInt(below: threats.count)] }
    return legal[generator.nextInt(below: legal.count)]
  }
}

/// Negamax by exhaustive search, with a memo of position values (+1: the player to
/// move wins, 0: draw, −1: loses), kept across calls since a bot plays many games.
final class Minimax<Game: TurnGame> {
  let depth: Int?
  private var memo: [UInt64: Int8] = [:]

  init(depth: Int?) { self.depth = depth }

  func bestMove(_ board: Game, _ generator: SeededGenerator) -> Int {
    var best: [Int] = [], bestValue = Int.min
    for move in board.legalActions {
      var next = board
      next.play(move)
      let value = -self.value(next, remaining: depth.map { $0 - 1 })
      if value > bestValue { best = [move]; bestValue = value } else if value == bestValue { best.append(move) }
    }
    return best[generator.nextInt(below: best.count)]
  }

  private func value(_ board: Game, remaining: Int?) -> Int {
    switch board.result {
    case .won(let player): return player == board.toMove ? 1 : -1
    case .draw: return 0
    case .ongoing: break
    }
    if let remaining, remaining <= 0 { return 0 }
    if remaining == nil, let known = memo[board.key] { return Int(known) }
    var best = -1
    for move in board.legalActions {
      var next = board
      next.play(move)
      best = Swift.max(best, -value(next, remaining: remaining.map { $0 - 1 }))
      if best == 1 { break }
    }
    if remaining == nil { memo[board.key] = Int8(best) }
    return best
  }
}
