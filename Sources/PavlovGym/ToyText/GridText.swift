/// A grid map written as text rows (FrozenLake's `desc`, GridWorld's `map`), checked cell by
/// cell so a mistake is reported with its row and column (both counted from 0).
struct GridText {
  let cells: [[Character]]
  var rows: Int { cells.count }
  var cols: Int { cells.first?.count ?? 0 }

  /// `legend` names every allowed letter for the error message ("S (start), F (frozen), ...").
  /// The map must be rectangular, use only `legend`'s letters, have exactly one `start` (when
  /// the env has a fixed one) and at least one `goal`.
  init(_ lines: [String], legend: KeyValuePairs<Character, String>, start: Character?, goal: Character,
       envID: String, option: String) throws {
    let allowed = Set(legend.map(\.key))
    let legendText = legend.map { "\($0.key) (\($0.value))" }.joined(separator: ", ")
    let context = "\(envID): option \(option)"
    guard !lines.isEmpty else {
      throw CoreError("\(context) is empty; give one string per row using \(legendText)")
    }
    let cells = lines.map { Array($0) }
    for (row, line) in cells.enumerated() {
      guard line.count == cells[0].count, !line.isEmpty else {
        throw CoreError("\(context): row \(row) has \(line.count) cells but row 0 has \(cells[0].count); every row must be the same non-zero length")
      }
      for (col, letter) in line.enumerated() where !allowed.contains(letter) {
        throw CoreError("\(context): row \(row), column \(col) is \"\(letter)\"; use only \(legendText)")
      }
    }
    guard cells.count * cells[0].count <= GridText.maxCells else {
      throw CoreError("\(context) has \(cells.count * cells[0].count) cells; the limit is \(GridText.maxCells)")
    }
    self.cells = cells
    if let start {
      let starts = positions(of: start)
      guard starts.count == 1 else {
        let found = starts.isEmpty ? "none" : "\(starts.count) (" + starts.map { "row \($0.row) column \($0.col)" }.joined(separator: ", ") + ")"
        throw CoreError("\(context) needs exactly one \(start) (start), found \(found)")
      }
    }
    guard !positions(of: goal).isEmpty else {
      throw CoreError("\(context) needs at least one \(goal) (goal), found none")
    }
  }

  /// Big enough for any teaching map, small enough that the model (4 actions × up to 3
  /// outcomes per cell) stays a few megabytes.
  static let maxCells = 65_536

  subscript(row: Int, col: Int) -> Character { cells[row][col] }

  func positions(of letter: Character) -> [(row: Int, col: Int)] {
    var found: [(row: Int, col: Int)] = []
    for (row, line) in cells.enumerated() {
      for (col, cell) in line.enumerated() where cell == letter { found.append((row, col)) }
    }
    return found
  }
}

/// The cell reached from (`row`, `col`) by `delta`, staying put at the edges (every toy-text
/// grid clamps rather than wrapping).
func clampedMove(row: Int, col: Int, by delta: (row: Int, col: Int), rows: Int, cols: Int) -> (row: Int, col: Int) {
  (min(max(row + delta.row, 0), rows - 1), min(max(col + delta.col, 0), cols - 1))
}

/// Grid rows as text with the agent's cell in brackets and every other cell padded with spaces,
/// so columns stay aligned (" S F F F" / "[F]H F H"). `header` (the last action) goes on top.
func renderGrid(_ cells: [[Character]], agentRow: Int, agentCol: Int, header: String?) -> String {
  var lines: [String] = []
  if let header { lines.append(header) }
  for (row, line) in cells.enumerated() {
    var text = ""
    for (col, cell) in line.enumerated() {
      let isAgent = row == agentRow && col == agentCol
      // Each cell writes its left border; a bracket closes the agent's cell on the right.
      if isAgent {
        text += "[\(cell)]"
      } else {
        text += (text.hasSuffix("]") ? "" : " ") + String(cell)
      }
    }
    lines.append(text)
  }
  return lines.joined(separator: "\n")
}

/// The header line toy-text pictures put above the grid: the last action in parentheses, as
/// Gymnasium's text mode does ("  (Down)"); nil before the first step.
func lastActionLine(_ action: Int?, names: [String]) -> String? {
  guard let action, names.indices.contains(action) else { return nil }
  return "  (\(names[action]))"
}
