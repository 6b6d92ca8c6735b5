/// A king-and-rook-versus-king position: squares 0..<64, file `s % 8` (a to h) and rank `s / 8`
/// (1 to 8).
struct KRKPosition: Equatable {
  var whiteKing: Int
  var rook: Int
  var blackKing: Int

  /// The position's slot in the tablebase's arrays.
  var index: Int { (whiteKing * 64 + rook) * 64 + blackKing }

  init(whiteKing: Int, rook: Int, blackKing: Int) {
    (self.whiteKing, self.rook, self.blackKing) = (whiteKing, rook, blackKing)
  }

  init(index: Int) { self.init(whiteKing: index / 4096, rook: index / 64 % 64, blackKing: index % 64) }

  static func name(_ square: Int) -> String {
    String(Character(UnicodeScalar(UInt8(97 + square % 8)))) + String(square / 8 + 1)
  }

  /// The square a name such as "e4" denotes, nil if it is not one.
  static func square(_ text: Substring) -> Int? {
    let chars = Array(text.utf8)
    guard chars.count == 2, (97...104).contains(chars[0]), (49...56).contains(chars[1]) else { return nil }
    return Int(chars[1] - 49) * 8 + Int(chars[0] - 97)
  }

  static func touching(_ a: Int, _ b: Int) -> Bool { Swift.max(Swift.abs(a % 8 - b % 8), Swift.abs(a / 8 - b / 8)) <= 1 }

  /// The rook's four directions, as (file, rank) steps.
  static let rookSteps = [(0, 1), (0, -1), (1, 0), (-1, 0)]
  /// Each square's king moves.
  static let kingSteps: [[Int]] = (0..<64).map { s in (0..<64).filter { $0 != s && touching($0, s) } }

  /// Whether the rook attacks `target` along a rank or file, the white king not between them; the
  /// black king never blocks, since it is the piece attacked or the one moving.
  func rookAttacks(_ target: Int) -> Bool {
    guard target != rook, target % 8 == rook % 8 || target / 8 == rook / 8 else { return false }
    let step = target % 8 == rook % 8 ? (target > rook ? 8 : -8) : (target > rook ? 1 : -1)
    var s = rook + step
    while s != target {
      if s == whiteKing { return false }
      s += step
    }
    return true
  }

  /// Distinct squares and kings apart: a legal position with Black to move.
  var isLegal: Bool { whiteKing != rook && rook != blackKing && !Self.touching(whiteKing, blackKing) }
  var blackInCheck: Bool { rookAttacks(blackKing) }

  /// White's moves as (from, to), king moves first; the rook slides until a piece stops it.
  var whiteMoves: [(from: Int, to: Int)] {
    var out: [(from: Int, to: Int)] = []
    _ = firstWhiteMove { out.append($0); return false }
    return out
  }

  /// The first of White's moves (in `whiteMoves` order) for which `test` holds, without building
  /// the list (the tablebase asks this of every position at every level).
  func firstWhiteMove(where test: ((from: Int, to: Int)) -> Bool) -> (from: Int, to: Int)? {
    for to in Self.kingSteps[whiteKing] where to != rook && !Self.touching(to, blackKing) {
      if test((whiteKing, to)) { return (whiteKing, to) }
    }
    for (df, dr) in Self.rookSteps {
      var f = rook % 8 + df, r = rook / 8 + dr
      while (0..<8).contains(f), (0..<8).contains(r), r * 8 + f != whiteKing, r * 8 + f != blackKing {
        if test((rook, r * 8 + f)) { return (rook, r * 8 + f) }
        (f, r) = (f + df, r + dr)
      }
    }
    return nil
  }

  func after(_ move: (from: Int, to: Int)) -> KRKPosition {
    var next = self
    if move.from == whiteKing { next.whiteKing = move.to } else { next.rook = move.to }
    return next
  }

  /// Whether the black king may step to `to` (a neighbouring square): not next to the white king
  /// and not attacked by the rook, unless it takes the unguarded rook there.
  func blackCanMove(to: Int) -> Bool { !Self.touching(to, whiteKing) && (to == rook || !rookAttacks(to)) }

  /// Black's king moves, taking an unguarded rook among them.
  var blackMoves: [Int] { Self.kingSteps[blackKing].filter(blackCanMove) }

  /// The position after Black's king steps to `to`.
  func withBlackKing(_ to: Int) -> KRKPosition { KRKPosition(whiteKing: whiteKing, rook: rook, blackKing: to) }
}

/// Distance to mate for every KRK position, by retrograde analysis: the number of White moves to
/// mate with best play on both sides (Black to move: after Black's reply). Computed once, on first
/// use, level by level: a White-to-move position is mate in k if one move reaches a Black-to-move
/// position lost in k - 1; a Black-to-move position is lost in k if every reply reaches one already
/// solved (and none takes the rook). Stalemates and positions where Black can take the rook stay
/// unsolved: draws.
final class KRKTablebase: Sendable {
  static let shared = KRKTablebase()
  static let unsolved: UInt8 = 255
  /// Indexed by `KRKPosition.index`; `unsolved` for illegal positions and draws.
  let whiteToMove: [UInt8]
  let blackToMove: [UInt8]

  private init() {
    let count = 64 * 64 * 64
    var white = [UInt8](repeating: Self.unsolved, count: count)
    var black = [UInt8](repeating: Self.unsolved, count: count)
    var whiteOpen: [Int] = [], blackOpen: [Int] = []
    for i in 0..<count {
      let p = KRKPosition(index: i)
      guard p.isLegal else { continue }
      if !p.blackInCheck { whiteOpen.append(i) }
      let replies = p.blackMoves
      if replies.isEmpty && p.blackInCheck { black[i] = 0 } else if !replies.isEmpty { blackOpen.append(i) }
    }
    var level: UInt8 = 1
    while true {
      let before = whiteOpen.count
      whiteOpen.removeAll { i in
        let p = KRKPosition(index: i)
        guard p.firstWhiteMove(where: { black[p.after($0).index] == level - 1 }) != nil else { return false }
        white[i] = level
        return true
      }
      if whiteOpen.count == before { break }
      blackOpen.removeAll { i in
        let p = KRKPosition(index: i)
        // Black's moves without building `blackMoves`' array: this runs for every open position
        // at every level.
        for to in KRKPosition.kingSteps[p.blackKing] where p.blackCanMove(to: to) {
          if to == p.rook || white[p.withBlackKing(to).index] == Self.unsolved { return false }
        }
        black[i] = level
        return true
      }
      level += 1
    }
    (whiteToMove, blackToMove) = (white, black)
  }

  /// Moves to mate with White to move (nil if none is known: a draw or an illegal position).
  func mateIn(_ p: KRKPosition) -> Int? { whiteToMove[p.index] == Self.unsolved ? nil : Int(whiteToMove[p.index]) }

  /// White's fastest mate: the first move (in `whiteMoves` order) to a position lost soonest.
  func bestWhiteMove(_ p: KRKPosition) -> (from: Int, to: Int)? {
    var best: (from: Int, to: Int)?, bestDepth = Int(Self.unsolved)
    for move in p.whiteMoves {
      let depth = Int(blackToMove[p.after(move).index])
      if depth < bestDepth { (best, bestDepth) = (move, depth) }
    }
    return best
  }

  /// Black's most stubborn replies: taking the rook if it can, else every move that puts the mate
  /// furthest off.
  func bestBlackMoves(_ p: KRKPosition) -> [Int] {
    let replies = p.blackMoves
    if replies.contains(p.rook) { return [p.rook] }
    let depth = { (to: Int) in Int(self.whiteToMove[p.withBlackKing(to).index]) }
    let longest = replies.map(depth).max() ?? 0
    return replies.filter { depth($0) == longest }
  }
}
