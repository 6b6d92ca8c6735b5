import PavlovCore

/// Line charts as pixels, for PNG files: the SVG chart's layout (frame, five ticks a side with
/// grid lines, a legend, the title) drawn into an RGB raster with `PixelFont` labels.
struct RasterChart {
  let width: Int, height: Int
  private(set) var pixels: [UInt8]

  init(width: Int = 720, height: Int = 440) {
    self.width = width
    self.height = height
    pixels = Array(repeating: 255, count: width * height * 3)
  }

  static func render(_ series: [Series], title: String, xLabel: String, yLabel: String,
                     width: Int = 720, height: Int = 440) -> RasterChart {
    var r = RasterChart(width: width, height: height)
    let left = 70, right = 20, top = title.isEmpty ? 20 : 40, bottom = 50
    let plotW = width - left - right, plotH = height - top - bottom
    if !title.isEmpty { r.text(title, centeredAt: width / 2, y: 14, scale: 2, color: (0, 0, 0)) }
    guard let b = Bounds(series) else {
      r.text("no finite values", x: left, y: top + 20, color: (0, 0, 0))
      return r
    }
    // A fraction of the axis in pixels; ranges too wide for a Double (1e308 apart) land at 0.
    func scaled(_ f: Double, _ n: Int) -> Int { f.isFinite ? Int((Swift.min(1, Swift.max(0, f)) * Double(n)).rounded()) : 0 }
    func px(_ x: Double) -> Int { left + scaled((x - b.minX) / (b.maxX - b.minX), plotW) }
    func py(_ y: Double) -> Int { top + plotH - scaled((y - b.minY) / (b.maxY - b.minY), plotH) }
    let ink: (UInt8, UInt8, UInt8) = (0x44, 0x44, 0x44)
    for i in 0...4 {
      let fx = b.minX + (b.maxX - b.minX) * Double(i) / 4, fy = b.minY + (b.maxY - b.minY) * Double(i) / 4
      r.line(left, py(fy), left + plotW, py(fy), color: (0xEE, 0xEE, 0xEE))
      r.line(px(fx), top + plotH, px(fx), top + plotH + 5, color: ink)
      r.text(axisLabel(fx), centeredAt: px(fx), y: top + plotH + 10, color: ink)
      r.line(left - 5, py(fy), left, py(fy), color: ink)
      let label = axisLabel(fy)
      r.text(label, x: left - 8 - PixelFont.textWidth(label), y: py(fy) - 3, color: ink)
    }
    r.rectangle(left, top, left + plotW, top + plotH, color: ink)
    if !xLabel.isEmpty { r.text(xLabel, centeredAt: left + plotW / 2, y: height - 18, color: (0, 0, 0)) }
    if !yLabel.isEmpty { r.text(yLabel, x: 4, y: top - 10, color: (0, 0, 0)) }
    for (index, s) in series.enumerated() {
      let color = Self.rgb(SVGChart.colors[index % SVGChart.colors.count])
      var previous: (Int, Int)?
      for (x, y) in zip(s.xs, s.ys) {
        guard x.isFinite && y.isFinite else { previous = nil; continue }  // a gap
        let point = (px(x), py(y))
        if let p = previous { r.line(p.0, p.1, point.0, point.1, color: color, thick: true) } else { r.dot(point.0, point.1, color: color) }
        previous = point
      }
      if series.count > 1 {
        let y = top + 12 + index * 14
        r.line(left + 10, y, left + 30, y, color: color, thick: true)
        r.text(s.name, x: left + 36, y: y - 3, color: (0, 0, 0))
      }
    }
    return r
  }

  /// Charts stacked top to bottom in one raster (small multiples).
  static func stack(_ charts: [RasterChart]) -> RasterChart {
    let width = charts.map(\.width).max() ?? 1
    var out = RasterChart(width: width, height: Swift.max(1, charts.reduce(0) { $0 + $1.height }))
    var row = 0
    for chart in charts {
      for y in 0..<chart.height {
        let from = y * chart.width * 3, to = (row + y) * width * 3
        out.pixels.replaceSubrange(to..<(to + chart.width * 3), with: chart.pixels[from..<(from + chart.width * 3)])
      }
      row += chart.height
    }
    return out
  }

  var png: [UInt8] { PNG.encode(width: width, height: height, rgb: pixels) }

  // MARK: - Drawing

  private mutating func set(_ x: Int, _ y: Int, _ c: (UInt8, UInt8, UInt8)) {
    guard x >= 0, y >= 0, x < width, y < height else { return }
    let i = (y * width + x) * 3
    pixels[i] = c.0; pixels[i + 1] = c.1; pixels[i + 2] = c.2
  }

  private mutating func dot(_ x: Int, _ y: Int, color: (UInt8, UInt8, UInt8)) {
    for dy in 0...1 { for dx in 0...1 { set(x + dx, y + dy, color) } }
  }

  /// Bresenham's line; `thick` stamps 2×2 pixels, for data lines.
  private mutating func line(_ x0: Int, _ y0: Int, _ x1: Int, _ y1: Int, color: (UInt8, UInt8, UInt8), thick: Bool = false) {
    var x = x0, y = y0
    let dx = Swift.abs(x1 - x0), dy = -Swift.abs(y1 - y0)
    let sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1
    var error = dx + dy
    while true {
      if thick { dot(x, y, color: color) } else { set(x, y, color) }
      if x == x1 && y == y1 { break }
      let e2 = 2 * error
      if e2 >= dy { error += dy; x += sx }
      if e2 <= dx { error += dx; y += sy }
    }
  }

  private mutating func rectangle(_ x0: Int, _ y0: Int, _ x1: Int, _ y1: Int, color: (UInt8, UInt8, UInt8)) {
    line(x0, y0, x1, y0, color: color); line(x1, y0, x1, y1, color: color)
    line(x1, y1, x0, y1, color: color); line(x0, y1, x0, y0, color: color)
  }

  private mutating func text(_ text: String, x: Int, y: Int, scale: Int = 1, color: (UInt8, UInt8, UInt8)) {
    var cx = x
    for c in text {
      for (row, bits) in PixelFont.glyph(c).enumerated() {
        for (column, on) in bits.enumerated() where on {
          for sy in 0..<scale { for sx in 0..<scale { set(cx + column * scale + sx, y + row * scale + sy, color) } }
        }
      }
      cx += (PixelFont.width + 1) * scale
    }
  }

  private mutating func text(_ text: String, centeredAt x: Int, y: Int, scale: Int = 1, color: (UInt8, UInt8, UInt8)) {
    self.text(text, x: x - PixelFont.textWidth(text, scale: scale) / 2, y: y, scale: scale, color: color)
  }

  /// "#1f77b4" → (0x1f, 0x77, 0xb4).
  private static func rgb(_ hex: String) -> (UInt8, UInt8, UInt8) {
    let digits = Array(hex.dropFirst())
    func byte(_ i: Int) -> UInt8 { UInt8(String(digits[i...(i + 1)]), radix: 16) ?? 0 }
    return digits.count == 6 ? (byte(0), byte(2), byte(4)) : (0, 0, 0)
  }
}
