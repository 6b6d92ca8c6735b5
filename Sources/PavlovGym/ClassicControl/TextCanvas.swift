/// A small grid of characters that the text renders draw on; rows come out with trailing
/// spaces trimmed so the picture pastes cleanly.
struct TextCanvas {
  let width: Int
  let height: Int
  private var cells: [[Character]]

  init(width: Int, height: Int) {
    self.width = width
    self.height = height
    cells = Array(repeating: Array(repeating: " ", count: width), count: height)
  }

  /// Puts `character` at a cell; cells off the grid are ignored, so callers need not clip.
  mutating func put(_ character: Character, column: Int, row: Int) {
    guard row >= 0, row < height, column >= 0, column < width else { return }
    cells[row][column] = character
  }

  /// Puts `character` at the cell nearest a fractional position (non-finite ones are dropped).
  mutating func put(_ character: Character, at point: (Double, Double)) {
    put(character, column: cellIndex(point.0), row: cellIndex(point.1))
  }

  mutating func write(_ text: String, column: Int, row: Int) {
    for (offset, character) in text.enumerated() { put(character, column: column + offset, row: row) }
  }

  func character(column: Int, row: Int) -> Character? {
    guard row >= 0, row < height, column >= 0, column < width else { return nil }
    return cells[row][column]
  }

  /// Marks the cells along the segment from one point to another (in cell coordinates).
  mutating func line(_ character: Character, from start: (Double, Double), to end: (Double, Double)) {
    let steps = min(max(cellIndex(max(Swift.abs(end.0 - start.0), Swift.abs(end.1 - start.1)) + 0.5), 1), 100)
    for i in 0...steps {
      let t = Double(i) / Double(steps)
      put(character, at: (start.0 + (end.0 - start.0) * t, start.1 + (end.1 - start.1) * t))
    }
  }

  /// The rows joined by newlines, without trailing spaces or a final newline.
  var text: String {
    cells.map { row in
      var line = String(row)
      while line.last == " " { line.removeLast() }
      return line
    }.joined(separator: "\n")
  }
}

/// The nearest whole cell index to `value`: -1 (off every grid) when it is not finite, and
/// clamped before conversion so no state, however wild, can trap a render.
func cellIndex(_ value: Double) -> Int {
  guard value.isFinite else { return -1 }
  return Int(min(max(value, -1e6), 1e6).rounded())
}

/// `value` with an explicit sign and `digits` decimals ("+0.012", "-3.5"), for status lines.
func fixed(_ value: Double, _ digits: Int) -> String {
  var unit = 1
  for _ in 0..<min(max(digits, 0), 9) { unit *= 10 }
  let scaled = Swift.abs(value) * Double(unit)
  guard scaled.isFinite, scaled < 1e18 else { return String(value) }
  let units = Int(scaled.rounded())
  let sign = value < 0 && units != 0 ? "-" : "+"
  guard unit > 1 else { return sign + String(units) }
  var fraction = String(units % unit)
  while fraction.count < String(unit).count - 1 { fraction = "0" + fraction }
  return sign + String(units / unit) + "." + fraction
}
