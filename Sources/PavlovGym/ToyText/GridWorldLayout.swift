/// Turns GridWorld-v0's options into a map of S G # X H . rows. Either `map` (the rows
/// themselves) or the pieces: `rows`, `cols` (5 each), `start` ([r, c], default [0, 0]),
/// `goals` (flat r, c pairs, default the bottom-right cell), `walls`, `pits` and `hazards`
/// (flat r, c pairs, default none). Rows and columns count from 0.
enum GridWorldLayout {
  static let maxSide = 256

  static func map(from options: EnvOptions) throws -> [String] {
    let id = options.envID
    let map = try options.strings("map")
    let rows = try options.optionalInt("rows")
    let cols = try options.optionalInt("cols")
    let pieces: [(String, [Double]?)] = [
      ("start", try options.numbers("start")), ("goals", try options.numbers("goals")),
      ("walls", try options.numbers("walls")), ("pits", try options.numbers("pits")), ("hazards", try options.numbers("hazards")),
    ]
    if let map {
      let clashing = (rows == nil ? [] : ["rows"]) + (cols == nil ? [] : ["cols"]) + pieces.filter { $0.1 != nil }.map(\.0)
      guard clashing.isEmpty else {
        throw CoreError("\(id): give the layout either as map or as rows/cols/start/goals/walls/pits/hazards, not both (got map and \(clashing.joined(separator: ", ")))")
      }
      return map
    }
    let height = rows ?? 5, width = cols ?? 5
    for (name, side) in [("rows", height), ("cols", width)] where !(1...maxSide).contains(side) {
      throw CoreError("\(id): option \(name) must be from 1 to \(maxSide), got \(side)")
    }
    guard height * width >= 2 else { throw CoreError("\(id): a 1x1 grid has no room for both a start and a goal") }
    let defaults: [String: [Double]] = ["start": [0, 0], "goals": [Double(height - 1), Double(width - 1)], "walls": [], "pits": [], "hazards": []]
    var grid = Array(repeating: Array(repeating: Character("."), count: width), count: height)
    var placedAs: [Int: String] = [:]
    // Walls and pits first, so a clash with the goal or start names both.
    for (name, letter) in [("walls", Character("#")), ("pits", "X"), ("hazards", "H"), ("goals", "G"), ("start", "S")] {
      let values = pieces.first { $0.0 == name }?.1 ?? defaults[name] ?? []
      let cells = try pairs(values, option: name, rows: height, cols: width, envID: id)
      if name == "start", cells.count != 1 {
        throw CoreError("\(id): option start is one cell [row, column], got \(cells.count) pairs")
      }
      if name == "goals", cells.isEmpty {
        throw CoreError("\(id): option goals needs at least one [row, column] pair")
      }
      for (row, col) in cells {
        if let earlier = placedAs[row * width + col], earlier != name {
          throw CoreError("\(id): cell (\(row), \(col)) is in both \(earlier) and \(name); each cell can be only one thing")
        }
        placedAs[row * width + col] = name
        grid[row][col] = letter
      }
    }
    return grid.map { String($0) }
  }

  /// `values` read as row, column pairs inside the grid.
  static func pairs(_ values: [Double], option: String, rows: Int, cols: Int, envID: String) throws -> [(Int, Int)] {
    guard values.count % 2 == 0 else {
      throw CoreError("\(envID): option \(option) lists row, column pairs, so it needs an even count of numbers; got \(values.count)")
    }
    var cells: [(Int, Int)] = []
    for i in stride(from: 0, to: values.count, by: 2) {
      for value in values[i...i + 1] where value != value.rounded() || Swift.abs(value) > 1e9 {
        throw CoreError("\(envID): option \(option) has \(formatReal(value)); rows and columns are whole numbers")
      }
      let row = Int(values[i]), col = Int(values[i + 1])
      guard (0..<rows).contains(row), (0..<cols).contains(col) else {
        throw CoreError("\(envID): option \(option) has (\(row), \(col)), outside the \(rows)x\(cols) grid (rows 0-\(rows - 1), columns 0-\(cols - 1))")
      }
      cells.append((row, col))
    }
    return cells
  }
}
