import PavlovLang

/// `pavlov plot FILE.jsonl --y KEY [--x KEY]`: a run's metrics (one JSON object per line, as
/// trainers write metrics.jsonl) drawn in the terminal, or written as SVG.
public enum MetricsPlot {
  /// The chart text (or, with `svgPath`, writes the SVG and returns a line saying so).
  public static func run(path: String, y keys: [String], x xKey: String?, width: Int, height: Int,
                         svgPath: String?) throws(PavlovError) -> String {
    let rows = try FileLibrary.parseJSONLines(try Posix.readBytes(path, "plot"), path: path)
    guard !rows.isEmpty else { throw PavlovError.runtime("\(path) has no rows to plot") }
    func column(_ key: String) throws(PavlovError) -> [Double] {
      var values: [Double] = []
      var found = false
      for row in rows {
        guard case .record(let record) = row else { values.append(.nan); continue }
        switch record[key] {
        case .int(let v)?: values.append(Double(v)); found = true
        case .float(let v)?: values.append(v); found = true
        default: values.append(.nan)
        }
      }
      if !found {
        var keys: [String] = []
        if case .record(let first)? = rows.first {
          keys = first.keys.compactMap { if case .string(let s) = $0 { return s }; return nil }
        }
        throw PavlovError.runtime("\(path): no row has a number under \"\(key)\"", hint: "its keys: \(keys.joined(separator: ", "))")
      }
      return values
    }
    let xs = try xKey.map { (key) throws(PavlovError) -> [Double] in try column(key) }
    var series: [Series] = []
    for key in keys {
      let ys = try column(key)
      series.append(Series(name: key, xs: xs ?? ys.indices.map(Double.init), ys: ys))
    }
    let title = keys.joined(separator: ", ") + " — " + path
    if let svgPath {
      let svg = SVGChart.render(series, title: title, xLabel: xKey ?? "row", yLabel: keys.count == 1 ? keys[0] : "")
      try Posix.writeAtomically(svgPath, Array(svg.utf8), "plot")
      return "wrote \(svgPath)"
    }
    return TextChart.render(series, title: title, width: width, height: height)
  }
}
