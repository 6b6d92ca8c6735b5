/// A two-player game with alternating moves and a finite set of numbered actions — tic-tac-toe,
/// connect four — written as a value, so bots can search it by copying. `TurnGameEnvironment`
/// makes any of them a PettingZoo AEC env.
public protocol TurnGame: Sendable {
  /// Actions, numbered 0..<actionCount (cells, columns).
  static var actionCount: Int { get }
  /// The shape of one observation plane pair: [rows, columns, 2].
  static var observationShape: [Int] { get }
  /// What the game calls one action in prompts: "cell", "column".
  static var actionNoun: String { get }
  /// The marks `render()` draws for players 0 and 1, which name the players to a person.
  static var marks: [String] { get }

  /// The empty board, player 0 to move.
  init()
  /// The board an observation shows, seen by the player to move (plane 0: its pieces, plane 1:
  /// the opponent's); nil if the numbers are not such a board.
  init?(observation: [Double])

  /// 0 or 1.
  var toMove: Int { get }
  var result: GameResult { get }
  func isLegal(_ action: Int) -> Bool
  /// Whether `player` would win by playing the legal `action` now, were it its turn (the
  /// lookahead bot's "block the opponent's win").
  func completesWin(_ action: Int, for player: Int) -> Bool
  /// Plays a legal action for the player to move.
  mutating func play(_ action: Int)
  /// Why `action` cannot be played here, for a person at the keyboard.
  func whyIllegal(_ action: Int) -> String
  /// The planes for `player`: its pieces, then the opponent's, row-major [rows, columns, 2].
  func observation(for player: Int) -> [Double]
  /// The board as text, with the marks of players 0 and 1.
  func render() -> String
  /// A key identifying the position (for bots' memo tables).
  var key: UInt64 { get }
}

public enum GameResult: Equatable, Sendable {
  case ongoing
  case won(by: Int)
  case draw
}

extension TurnGame {
  public static var marks: [String] { ["X", "O"] }
  public var legalActions: [Int] { (0..<Self.actionCount).filter(isLegal) }
  public var isOver: Bool { result != .ongoing }
}

/// PettingZoo's classic board games: two agents alternate (the first listed moves first); each observes
/// `{action_mask, observation}` (the planes from its side); the winner gets +1 and the loser −1
/// when the game ends (both 0 on a draw). An illegal move is an error naming the legal ones.
public final class TurnGameEnvironment<Game: TurnGame>: AECEnvironment, BookedAEC {
  public let possibleAgents: [String]
  public private(set) var game = Game()
  var book: AECBook
  private let name: String

  public init(name: String, agents: [String]) {
    self.name = name
    possibleAgents = agents
    book = AECBook(agents: 2)
  }


  public func observationSpace(_ agent: Int) -> Space {
    .dict([("observation", .box(low: 0, high: 1, shape: Game.observationShape)),
           ("action_mask", .box(low: 0, high: 1, shape: [Game.actionCount]))])
  }

  public func actionSpace(_ agent: Int) -> Space { .discrete(Game.actionCount) }

  public func reset(seed: UInt64?) throws {
    game = Game()
    book.reset()
  }

  public func observe(_ agent: Int) -> Point {
    let mask = (0..<Game.actionCount).map { agent == book.selection && game.isLegal($0) ? 1.0 : 0.0 }
    return .dict(keys: ["action_mask", "observation"], values: [.reals(mask), .reals(game.observation(for: agent))])
  }

  public func actionMask(_ agent: Int) -> [Bool]? {
    (0..<Game.actionCount).map { agent == book.selection && game.isLegal($0) }
  }

  public func whyIllegal(_ action: Int, for agent: Int) -> String? {
    agent == book.selection ? game.whyIllegal(action) : "it is \(possibleAgents[book.selection])'s turn"
  }

  public func step(_ action: Point?) throws {
    if selectionIsDone {
      guard action == nil else {
        throw CoreError("\(name): \(possibleAgents[book.selection]) is done (the game is over); step it with nil",
                        hint: "PettingZoo's loop: let action = nil if terminated or truncated")
      }
      book.retireSelection()
      return
    }
    guard case .int(let move)? = action, move >= 0, move < Game.actionCount else {
      throw CoreError("\(name): \(possibleAgents[book.selection]) must play a \(Game.actionNoun) from 0 to \(Game.actionCount - 1), got \(action?.description ?? "nil")")
    }
    guard game.isLegal(move) else {
      throw CoreError("\(name): \(possibleAgents[book.selection]) cannot play \(move): \(game.whyIllegal(move))",
                      hint: "legal now: \(game.legalActions.map(String.init).joined(separator: ", ")) (the observation's action_mask)")
    }
    book.beginAction()
    game.play(move)
    switch game.result {
    case .ongoing:
      book.selection = book.next(after: book.selection)
    case .won(let player):
      for agent in 0..<2 {
        book.rewards[agent] = agent == player ? 1 : -1
        book.terminations[agent] = true
      }
      book.selection = book.next(after: book.selection)
    case .draw:
      for agent in 0..<2 { book.terminations[agent] = true }
      book.selection = book.next(after: book.selection)
    }
    book.accumulate()
  }

  public func render() -> String { game.render() }

  public func mark(of agent: Int) -> String? { Game.marks[agent] }

  public func copy() -> AECEnvironment? {
    let twin = TurnGameEnvironment(name: name, agents: possibleAgents)
    twin.game = game
    twin.book = book
    return twin
  }
}
