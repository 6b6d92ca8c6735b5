/// Line charts as standalone SVG files (axes, five ticks a side, a legend), viewable in any
/// browser and embeddable in reports.
enum SVGChart {
  static let colors = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"]

  static func render(_ series: [Series], title: String, xLabel: String, yLabel: String,
                     width: Int = 720, height: Int = 440) -> String {
    let left = 70.0, right = 20.0, top = title.isEmpty ? 20.0 : 40.0, bottom = 50.0
    let plotW = Double(width) - left - right, plotH = Double(height) - top - bottom
    var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" font-family=\"sans-serif\" font-size=\"12\">\n"
    out += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
    if !title.isEmpty { out += "<text x=\"\(Double(width) / 2)\" y=\"24\" text-anchor=\"middle\" font-size=\"15\">\(escape(title))</text>\n" }
    guard let b = Bounds(series) else { return out + "<text x=\"\(left)\" y=\"\(top + 20)\">no finite values</text>\n</svg>\n" }
    func px(_ x: Double) -> Double { left + (x - b.minX) / (b.maxX - b.minX) * plotW }
    func py(_ y: Double) -> Double { top + plotH - (y - b.minY) / (b.maxY - b.minY) * plotH }
    out += "<rect x=\"\(left)\" y=\"\(top)\" width=\"\(plotW)\" height=\"\(plotH)\" fill=\"none\" stroke=\"#444\"/>\n"
    for i in 0...4 {
      let fx = b.minX + (b.maxX - b.minX) * Double(i) / 4, fy = b.minY + (b.maxY - b.minY) * Double(i) / 4
      out += "<line x1=\"\(px(fx))\" y1=\"\(top + plotH)\" x2=\"\(px(fx))\" y2=\"\(top + plotH + 5)\" stroke=\"#444\"/>"
      out += "<text x=\"\(px(fx))\" y=\"\(top + plotH + 18)\" text-anchor=\"middle\">\(axisLabel(fx))</text>\n"
      out += "<line x1=\"\(left - 5)\" y1=\"\(py(fy))\" x2=\"\(left)\" y2=\"\(py(fy))\" stroke=\"#444\"/>"
      out += "<line x1=\"\(left)\" y1=\"\(py(fy))\" x2=\"\(left + plotW)\" y2=\"\(py(fy))\" stroke=\"#eee\"/>"
      out += "<text x=\"\(left - 8)\" y=\"\(py(fy) + 4)\" text-anchor=\"end\">\(axisLabel(fy))</text>\n"
    }
    if !xLabel.isEmpty { out += "<text x=\"\(left + plotW / 2)\" y=\"\(Double(height) - 12)\" text-anchor=\"middle\">\(escape(xLabel))</text>\n" }
    if !yLabel.isEmpty {
      out += "<text x=\"16\" y=\"\(top + plotH / 2)\" text-anchor=\"middle\" transform=\"rotate(-90 16 \(top + plotH / 2))\">\(escape(yLabel))</text>\n"
    }
    for (index, s) in series.enumerated() {
      let color = colors[index % colors.count]
      // Non-finite values break the line into separate segments.
      var segments: [[(Double, Double)]] = [[]]
      for (x, y) in zip(s.xs, s.ys) {
        if x.isFinite && y.isFinite { segments[segments.count - 1].append((px(x), py(y))) } else if !(segments.last?.isEmpty ?? true) { segments.append([]) }
      }
      for segment in segments where !segment.isEmpty {
        let points = segment.map { "\(rounded($0.0)),\(rounded($0.1))" }.joined(separator: " ")
        out += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.8\" points=\"\(points)\"/>\n"
      }
      if series.count > 1 {
        let y = top + 14 + Double(index) * 16
        out += "<line x1=\"\(left + 10)\" y1=\"\(y - 4)\" x2=\"\(left + 30)\" y2=\"\(y - 4)\" stroke=\"\(color)\" stroke-width=\"2\"/>"
        out += "<text x=\"\(left + 36)\" y=\"\(y)\">\(escape(s.name))</text>\n"
      }
    }
    return out + "</svg>\n"
  }

  /// Charts stacked top to bottom in one SVG file (small multiples).
  static func stack(_ charts: [String], width: Int = 720, height: Int = 440) -> String {
    guard charts.count > 1 else { return charts.first ?? "" }
    var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height * charts.count)\">\n"
    for (index, chart) in charts.enumerated() {
      // A nested <svg> placed at its row keeps each chart's own coordinates.
      guard chart.hasPrefix("<svg ") else { continue }
      out += "<svg y=\"\(height * index)\" " + chart.dropFirst(5)
    }
    return out + "</svg>\n"
  }

  private static func rounded(_ v: Double) -> String { String((v * 100).rounded() / 100) }

  private static func escape(_ text: String) -> String {
    text.replacing("&", with: "&amp;").replacing("<", with: "&lt;").replacing(">", with: "&gt;").replacing("\"", with: "&quot;")
  }
}
