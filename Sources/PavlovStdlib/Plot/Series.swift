import Glibc

/// One line of a chart: a name and its points (x may be implicit: 0, 1, 2, ...).
struct Series {
  var name: String
  var xs: [Double]
  var ys: [Double]

  /// The finite points only (NaN and infinities cannot be drawn; they leave gaps).
  var finitePoints: [(Double, Double)] {
    zip(xs, ys).filter { $0.0.isFinite && $0.1.isFinite }
  }
}

/// The data range of several series, widened when flat so a constant line still has room.
struct Bounds {
  var minX: Double, maxX: Double, minY: Double, maxY: Double

  init?(_ series: [Series]) {
    let points = series.flatMap(\.finitePoints)
    guard let first = points.first else { return nil }
    var b = (first.0, first.0, first.1, first.1)
    for (x, y) in points {
      b.0 = Swift.min(b.0, x); b.1 = Swift.max(b.1, x)
      b.2 = Swift.min(b.2, y); b.3 = Swift.max(b.3, y)
    }
    (minX, maxX, minY, maxY) = b
    if maxX == minX { maxX = minX + 1 }
    if maxY == minY {
      let pad = Swift.max(Swift.abs(minY) * 0.05, 0.5)
      minY -= pad
      maxY += pad
    }
  }
}

/// Short axis labels: 3 significant digits, plain or with a k/M suffix.
func axisLabel(_ value: Double) -> String {
  let magnitude = Swift.abs(value)
  if magnitude >= 1e6 { return trimmed(value / 1e6) + "M" }
  if magnitude >= 1e4 { return trimmed(value / 1e3) + "k" }
  return trimmed(value)
}

private func trimmed(_ value: Double) -> String {
  if value == value.rounded(), Swift.abs(value) < 1e15 { return String(Int(value)) }
  let magnitude = Swift.abs(value)
  // Three significant digits below 1 too: a learning rate of 0.0003 must not read 0.
  let decimals = magnitude >= 100 ? 0 : magnitude >= 10 ? 1 : magnitude >= 1 ? 2
    : Swift.min(15, 2 - Int((log10(magnitude)).rounded(.down)))
  var scale = 1.0
  for _ in 0..<decimals { scale *= 10 }
  let rounded = (value * scale).rounded() / scale
  if rounded == rounded.rounded(), Swift.abs(rounded) < 1e15 { return String(Int(rounded)) }
  return String(rounded)
}
