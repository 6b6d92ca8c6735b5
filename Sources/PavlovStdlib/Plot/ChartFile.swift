import PavlovLang

/// Charts written to a file, in the format its extension names: `.svg` (vector, for browsers
/// and reports) or `.png` (pixels). Several charts are stacked top to bottom in one file.
/// `save_plot` and `pavlov plot --out` both write through here.
enum ChartFile {
  struct Chart {
    var series: [Series]
    var title: String
    var xLabel: String
    var yLabel: String
  }

  static func write(_ charts: [Chart], to path: String, _ context: String) throws(PavlovError) {
    let lower = path.lowercased()
    let bytes: [UInt8]
    if lower.hasSuffix(".svg") {
      bytes = Array(SVGChart.stack(charts.map { SVGChart.render($0.series, title: $0.title, xLabel: $0.xLabel, yLabel: $0.yLabel) }).utf8)
    } else if lower.hasSuffix(".png") {
      bytes = RasterChart.stack(charts.map { RasterChart.render($0.series, title: $0.title, xLabel: $0.xLabel, yLabel: $0.yLabel) }).png
    } else {
      throw PavlovError.runtime("\(context): cannot write \(path): charts are written as .svg or .png files", hint: "name the file FILE.svg or FILE.png")
    }
    try Posix.writeAtomically(path, bytes, context)
  }
}
