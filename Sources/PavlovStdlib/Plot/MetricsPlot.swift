import PavlovCore
import PavlovLang

/// `pavlov plot RUN... --y KEY... [--x KEY]`: runs' metrics (one JSON object per line, as
/// trainers write metrics.jsonl; a run folder stands for its metrics.jsonl, a sweep folder for
/// its trials') drawn in the
/// terminal, or written as SVG. Several runs share a chart, one line each; several metrics get a
/// chart each (small multiples) when their scales differ, else share one.
public enum MetricsPlot {
  public enum Layout: String, CaseIterable, Sendable {
    /// Panels when the metrics' scales differ by more than `scaleRatio`, else one chart.
    case auto
    /// Every line on one chart.
    case overlay
    /// One chart per metric, stacked.
    case panels
  }

  /// Metrics whose largest magnitudes differ by more than this factor get a chart each: a loss
  /// near 0.01 drawn beside a return near 500 would be a flat line.
  public static let scaleRatio = 10.0

  /// The chart text (or, with `outPath`, writes the SVG or PNG file and returns a line saying so).
  public static func run(paths: [String], y keys: [String], x xKey: String?, layout: Layout, width: Int, height: Int,
                         outPath: String?) throws(PavlovError) -> String {
    guard !paths.isEmpty else { throw PavlovError.runtime("plot: no metrics file or run folder given", hint: "pavlov plot runs/NAME") }
    guard !keys.isEmpty else { throw PavlovError.runtime("plot: no metric to plot", hint: "--y mean_return") }
    var files: [String] = []
    for path in paths { files += try trialFolders(path) ?? [path] }
    let runs = try files.map { (path) throws(PavlovError) -> Run in try Run(path) }
    // One series per (run, metric), named by what tells them apart.
    var byMetric: [[Series]] = []
    for key in keys {
      var lines: [Series] = []
      for run in runs {
        let ys = try run.column(key)
        let xs = try xKey.map { (k) throws(PavlovError) -> [Double] in try run.column(k) } ?? ys.indices.map(Double.init)
        lines.append(Series(name: runs.count == 1 ? key : run.label, xs: xs, ys: ys))
      }
      byMetric.append(lines)
    }
    let panels = keys.count > 1 && (layout == .panels || (layout == .auto && scalesDiffer(byMetric)))
    let source = runs.count == 1 ? runs[0].file : "\(runs.count) runs"
    var charts: [(title: String, series: [Series], yLabel: String)]
    if panels {
      charts = zip(keys, byMetric).map { key, lines in (key + " — " + source, lines, key) }
    } else {
      let lines = zip(keys, byMetric).flatMap { key, lines in
        lines.map { s in Series(name: runs.count > 1 && keys.count > 1 ? "\(s.name) \(key)" : s.name, xs: s.xs, ys: s.ys) }
      }
      charts = [(keys.joined(separator: ", ") + " — " + source, lines, keys.count == 1 ? keys[0] : "")]
    }
    if let outPath {
      try ChartFile.write(charts.map { .init(series: $0.series, title: $0.title, xLabel: xKey ?? "row", yLabel: $0.yLabel) }, to: outPath, "plot")
      return "wrote \(outPath)"
    }
    let panelHeight = panels ? Swift.max(3, height / charts.count) : height
    return charts.map { TextChart.render($0.series, title: $0.title, width: width, height: panelHeight) }.joined(separator: "\n\n")
  }

  /// A sweep folder (tune's: sweep.json beside trial-NNNN/) stands for its trials that have
  /// results, one line each; nil for anything else.
  static func trialFolders(_ path: String) throws(PavlovError) -> [String]? {
    let folder = path.hasSuffix("/") ? String(path.dropLast()) : path
    guard Files.info(folder + "/sweep.json") != nil else { return nil }
    let trials = try Posix.listDirectory(folder, "plot").filter { $0.hasPrefix("trial-") }.map { folder + "/" + $0 }
      .filter { (Files.info($0 + "/metrics.jsonl")?.st_size ?? 0) > 0 }
    guard !trials.isEmpty else { throw PavlovError.runtime("plot: the sweep in \(folder) has no trial with results yet") }
    return trials
  }

  /// True when the metrics' largest magnitudes are more than `scaleRatio` apart.
  static func scalesDiffer(_ byMetric: [[Series]]) -> Bool {
    let sizes = byMetric.compactMap { lines in lines.flatMap { $0.finitePoints.map { Swift.abs($0.1) } }.max() }.filter { $0 > 0 }
    guard let low = sizes.min(), let high = sizes.max() else { return false }
    return high / low > scaleRatio
  }

  /// One metrics file: its rows and a short label (the run folder's name).
  struct Run {
    let file: String
    let label: String
    let rows: [Value]

    init(_ path: String) throws(PavlovError) {
      let trimmed = path.hasSuffix("/") ? String(path.dropLast()) : path
      let isFolder = Files.info(trimmed).map(Files.isDirectory) ?? false
      file = isFolder ? trimmed + "/metrics.jsonl" : trimmed
      let parts = file.split(separator: "/").map(String.init)
      // runs/ppo-a/metrics.jsonl → "ppo-a"; other files by their own name.
      if parts.count >= 2, parts[parts.count - 1] == "metrics.jsonl" { label = parts[parts.count - 2] } else { label = parts.last ?? file }
      rows = try FileLibrary.parseJSONLines(try Posix.readBytes(file, "plot"), path: file)
      guard !rows.isEmpty else { throw PavlovError.runtime("\(file) has no rows to plot") }
    }

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
        throw PavlovError.runtime("\(file): no row has a number under \"\(key)\"", hint: "its keys: \(keys.joined(separator: ", "))")
      }
      return values
    }
  }
}
