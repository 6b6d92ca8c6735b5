/// FrozenLake's maps: Gymnasium's two named ones, random maps with a path from S to G, and the
/// rule that picks the map and the time limit from `make`'s options.
public enum FrozenLakeMaps {
  /// Gymnasium's built-in maps, by `map_name`.
  public static let named: [String: [String]] = [
    "4x4": ["SFFF", "FHFH", "FFFH", "HFFG"],
    "8x8": ["SFFFFFFF", "FFFFFFFF", "FFFHFFFF", "FFFFFHFF", "FFFHFFFF", "FHHFFFHF", "FHFFHFHF", "FFFHFFFG"],
  ]

  /// A `size`×`size` map with S top-left, G bottom-right and every other cell frozen with
  /// probability `frozen` (else a hole), redrawn until S reaches G. Same seed, same map — but
  /// not Gymnasium's map for that seed, since the generators differ.
  public static func random(size: Int, frozen: Double, seed: UInt64, envID: String = "FrozenLake-v1") throws -> [String] {
    guard (2...256).contains(size) else {
      throw CoreError("\(envID): option random_map_size must be from 2 to 256, got \(size)")
    }
    guard frozen > 0, frozen <= 1 else {
      throw CoreError("\(envID): option p (the chance a cell is frozen) must be in (0, 1], got \(formatReal(frozen))")
    }
    let generator = SeededGenerator(seed: seed)
    for _ in 0..<maxAttempts {
      var board = (0..<size).map { _ in (0..<size).map { _ -> Character in generator.nextDouble() < frozen ? "F" : "H" } }
      board[0][0] = "S"
      board[size - 1][size - 1] = "G"
      if startReachesGoal(board) { return board.map { String($0) } }
    }
    throw CoreError("\(envID): no \(size)x\(size) map with a path from S to G came up in \(maxAttempts) tries with p = \(formatReal(frozen)); raise p")
  }

  /// Enough that only hopeless settings (tiny p on a big map) give up.
  static let maxAttempts = 10_000

  /// Whether G can be reached from S stepping only on non-hole cells.
  static func startReachesGoal(_ board: [[Character]]) -> Bool {
    let rows = board.count, cols = board.first?.count ?? 0
    var seen = Set<Int>()
    var frontier: [(Int, Int)] = []
    for (row, line) in board.enumerated() {
      for (col, cell) in line.enumerated() where cell == "S" { frontier.append((row, col)) }
    }
    while let (row, col) = frontier.popLast() {
      guard seen.insert(row * cols + col).inserted else { continue }
      if board[row][col] == "G" { return true }
      for (dr, dc) in [(1, 0), (0, 1), (-1, 0), (0, -1)] {
        let r = row + dr, c = col + dc
        if r >= 0, r < rows, c >= 0, c < cols, board[r][c] != "H" { frontier.append((r, c)) }
      }
    }
    return false
  }

  /// Gymnasium's limits are 100 steps for 4x4 and 200 for 8x8; any other map gets 200 when it
  /// has more cells than 4x4 (16), else 100.
  public static func episodeLimit(rows: Int, cols: Int) -> Int {
    rows * cols > 16 ? 200 : 100
  }

  /// The map `make`'s options ask for. Options: `desc` (custom rows of S F H G), `map_name`
  /// ("4x4" or "8x8"), or `random_map_size` n with `p` (chance a cell is frozen, default 0.8)
  /// and `map_seed` (default 0) — `make`'s seed cannot reach the options, so random maps take
  /// their own seed. At most one of the three; none gives `defaultName`.
  static func map(from options: EnvOptions, defaultName: String) throws -> [String] {
    let id = options.envID
    let desc = try options.strings("desc")
    let name = try options.string("map_name", default: nil)
    let size = try options.optionalInt("random_map_size")
    let frozen = try options.optionalDouble("p")
    let mapSeed = try options.optionalInt("map_seed")
    let given = [desc.map { _ in "desc" }, name.map { _ in "map_name" }, size.map { _ in "random_map_size" }].compactMap { $0 }
    guard given.count <= 1 else {
      throw CoreError("\(id): give only one of desc, map_name and random_map_size (got \(given.joined(separator: " and ")))")
    }
    if size == nil, frozen != nil || mapSeed != nil {
      throw CoreError("\(id): options p and map_seed shape a random map; add random_map_size: n to draw one")
    }
    if let desc { return desc }
    if let size {
      let seed = mapSeed ?? 0
      guard seed >= 0 else { throw CoreError("\(id): option map_seed must be 0 or more, got \(seed)") }
      return try random(size: size, frozen: frozen ?? 0.8, seed: UInt64(seed), envID: id)
    }
    let chosen = name ?? defaultName
    guard let rows = named[chosen] else {
      throw CoreError("\(id): option map_name is \"\(chosen)\"; use \"4x4\" or \"8x8\", or give your own map as desc")
    }
    return rows
  }
}
