import Glibc

/// The valley both mountain-car tasks share: the track's bounds, its speed limit, the height
/// of the hill, and the text picture of the car on it.
enum MountainHill {
  static let minPosition = -1.2
  static let maxPosition = 0.6
  static let maxSpeed = 0.07

  /// Height of the track at `position` (Gymnasium's drawing curve, between 0.1 and 1).
  static func height(_ position: Double) -> Double { sin(3 * position) * 0.45 + 0.55 }

  /// Moves the car by `velocity` (already updated) and applies the walls: the speed limit, the
  /// track's ends, and the inelastic stop against the left wall. Returns the new state.
  static func move(position: Double, velocity: Double) -> (position: Double, velocity: Double) {
    let v = min(max(velocity, -maxSpeed), maxSpeed)
    let p = min(max(position + v, minPosition), maxPosition)
    return (p, p == minPosition && v < 0 ? 0 : v)
  }

  /// The hill as block columns, the car `●` on the surface and the flag `⚑` at the goal.
  static func render(position: Double, velocity: Double, goal: Double) -> String {
    let width = 37, rows = 5
    var canvas = TextCanvas(width: width, height: rows + 1)
    let blocks: [Character] = [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]
    var surfaceRow = [Int](repeating: rows, count: width)
    for column in 0..<width {
      let x = minPosition + (maxPosition - minPosition) * Double(column) / Double(width - 1)
      let eighths = Int((height(x) * Double(rows * 8)).rounded())
      for level in 0..<rows {
        let fill = min(max(eighths - level * 8, 0), 8)
        canvas.put(blocks[fill], column: column, row: rows - level)
        if fill > 0 { surfaceRow[column] = rows - level }
      }
    }
    func column(of x: Double) -> Int {
      let fraction = (x - minPosition) / (maxPosition - minPosition)
      return min(max(cellIndex(fraction * Double(width - 1)), 0), width - 1)
    }
    let goalColumn = column(of: goal), carColumn = column(of: position)
    canvas.put("⚑", column: goalColumn, row: surfaceRow[goalColumn] - 1)
    canvas.put("●", column: carColumn, row: surfaceRow[carColumn] - 1)
    return canvas.text + "\nposition \(fixed(position, 3))  velocity \(fixed(velocity, 4))  goal \(fixed(goal, 2))"
  }
}
