/// Line charts drawn with Unicode braille cells (2×4 dots per character), for terminals and
/// logs. One series is drawn as a connected braille line; several get one marker each
/// (• × + ∘ ∗ ◆), since plain text has no colours to tell braille lines apart.
enum TextChart {
  static let markers: [Character] = ["•", "×", "+", "∘", "∗", "◆"]

  static func render(_ series: [Series], title: String, width: Int, height: Int) -> String {
    guard let bounds = Bounds(series) else { return (title.isEmpty ? "" : title + "\n") + "(nothing to plot: no finite values)" }
    let yLabels = [axisLabel(bounds.maxY), axisLabel(bounds.minY)]
    let gutter = (yLabels.map(\.count).max() ?? 1) + 1
    var rows: [[Character]]
    if series.count == 1 {
      rows = braille(series[0], bounds, width: width, height: height)
    } else {
      rows = Array(repeating: Array(repeating: " ", count: width), count: height)
      for (index, s) in series.enumerated() {
        let marker = markers[index % markers.count]
        for (x, y) in s.finitePoints {
          let col = scaled(x, bounds.minX, bounds.maxX, width)
          let row = height - 1 - scaled(y, bounds.minY, bounds.maxY, height)
          rows[row][col] = marker
        }
      }
    }
    var lines: [String] = []
    if !title.isEmpty { lines.append(String(repeating: " ", count: gutter + 1) + title) }
    for (r, row) in rows.enumerated() {
      let label = r == 0 ? yLabels[0] : (r == height - 1 ? yLabels[1] : "")
      lines.append(String(repeating: " ", count: gutter - label.count) + label + "┤" + String(row))
    }
    lines.append(String(repeating: " ", count: gutter) + "└" + String(repeating: "─", count: width))
    let left = axisLabel(bounds.minX), right = axisLabel(bounds.maxX)
    let gap = Swift.max(1, width - left.count - right.count + 1)
    lines.append(String(repeating: " ", count: gutter) + left + String(repeating: " ", count: gap) + right)
    if series.count > 1 {
      lines.append(String(repeating: " ", count: gutter + 1) +
                   series.enumerated().map { "\(markers[$0.offset % markers.count]) \($0.element.name)" }.joined(separator: "   "))
    }
    // No trailing blanks: logs and diffs stay clean.
    return lines.map { line in String(line.reversed().drop(while: { $0 == " " }).reversed()) }.joined(separator: "\n")
  }

  /// Which of `cells` buckets `value` falls in, over [low, high].
  private static func scaled(_ value: Double, _ low: Double, _ high: Double, _ cells: Int) -> Int {
    let fraction = (value - low) / (high - low)
    return Swift.min(cells - 1, Swift.max(0, Int((fraction * Double(cells)).rounded(.down))))
  }

  /// A braille raster of one series, consecutive points joined by straight segments.
  private static func braille(_ s: Series, _ bounds: Bounds, width: Int, height: Int) -> [[Character]] {
    let dotsWide = width * 2, dotsHigh = height * 4
    var dots = Array(repeating: Array(repeating: false, count: dotsWide), count: dotsHigh)
    func dot(_ x: Double, _ y: Double) -> (Int, Int) {
      (scaled(x, bounds.minX, bounds.maxX, dotsWide), dotsHigh - 1 - scaled(y, bounds.minY, bounds.maxY, dotsHigh))
    }
    var previous: (Int, Int)?
    for point in s.finitePoints {
      let current = dot(point.0, point.1)
      if let (x0, y0) = previous {
        let steps = Swift.max(Swift.abs(current.0 - x0), Swift.abs(current.1 - y0), 1)
        for k in 0...steps {
          let x = x0 + (current.0 - x0) * k / steps, y = y0 + (current.1 - y0) * k / steps
          dots[y][x] = true
        }
      } else {
        dots[current.1][current.0] = true
      }
      previous = current
    }
    // Braille dot bits: column 0 rows 0-3 → 0x1 0x2 0x4 0x40; column 1 → 0x8 0x10 0x20 0x80.
    let bits: [[UInt32]] = [[0x1, 0x8], [0x2, 0x10], [0x4, 0x20], [0x40, 0x80]]
    var rows: [[Character]] = []
    for r in 0..<height {
      var row: [Character] = []
      for c in 0..<width {
        var code: UInt32 = 0
        for dy in 0..<4 { for dx in 0..<2 where dots[r * 4 + dy][c * 2 + dx] { code |= bits[dy][dx] } }
        row.append(code == 0 ? " " : Character(Unicode.Scalar(0x2800 + code) ?? " "))
      }
      rows.append(row)
    }
    return rows
  }
}
