import PavlovLang
import PavlovTensor

/// `plot(...)` draws line charts in the terminal; `save_plot(path, ...)` writes them as SVG.
/// Both take one series (a list or tensor of numbers), or several as a record {name: ys}.
enum PlotBindings {
  static func register(_ r: Registry) {
    r.family("plots")
    let dataParams = [
      Param("y", doc: "the values: a list or tensor, or a record {name: values, ...} for several lines"),
      Param("x", default: .null, doc: "the x values (nil: 0, 1, 2, ...), shared by every line"),
      Param("title", default: .str(""), doc: "a title above the chart"),
    ]
    r.function("plot", dataParams + [
      Param("width", default: .int(60), doc: "columns of the drawing area", range: .between(10, 400)),
      Param("height", default: .int(12), doc: "rows of the drawing area", range: .between(3, 200)),
    ], doc: "Draws a line chart in the terminal with Unicode braille (several lines: one marker each).") { args in
      let series = try self.series(args, "plot")
      let width = try args.int(3), height = try args.int(4)
      args.interpreter.write(TextChart.render(series, title: try args.string(2), width: width, height: height) + "\n")
      return .null
    }
    r.function("save_plot", [Param("path", doc: "the file to write: .svg or .png")] + dataParams + [
      Param("xlabel", default: .str(""), doc: "the x axis title"),
      Param("ylabel", default: .str(""), doc: "the y axis title"),
    ], doc: "Writes a line chart as an SVG file (open it in a browser) or a PNG image, by the path's extension.") { args in
      let path = try args.string(0)
      let shifted = try seriesFrom(args[1], args[2], "save_plot")
      try ChartFile.write([.init(series: shifted, title: try args.string(3), xLabel: try args.string(4), yLabel: try args.string(5))], to: path, "save_plot")
      return .null
    }
  }

  static func series(_ args: Args, _ context: String) throws -> [Series] {
    try seriesFrom(args[0], args[1], context)
  }

  static func seriesFrom(_ y: Value, _ x: Value, _ context: String) throws -> [Series] {
    var named: [(String, [Double])] = []
    if case .record(let record) = y {
      for (key, value) in zip(record.keys, record.values) {
        let name: String
        switch key {
        case .string(let s): name = s
        case .int(let i): name = String(i)
        }
        named.append((name, try numbers(value, context, "the values of \(name)")))
      }
      if named.isEmpty { throw PavlovError.runtime("\(context): the record of lines is empty") }
    } else {
      named = [("y", try numbers(y, context, "y"))]
    }
    let xs: [Double]? = x.isNull ? nil : try numbers(x, context, "x")
    return try named.map { name, ys in
      if let xs, xs.count != ys.count {
        throw PavlovError.runtime("\(context): x has \(xs.count) values but \(name) has \(ys.count)", hint: "give one x per y value")
      }
      return Series(name: name, xs: xs ?? ys.indices.map(Double.init), ys: ys)
    }
  }

  private static func numbers(_ value: Value, _ context: String, _ what: String) throws -> [Double] {
    switch value {
    case .list(let list):
      return try list.items.map { item -> Double in
        switch item {
        case .int(let v): return Double(v)
        case .float(let v): return v
        case .null: return .nan  // a gap
        case .object(let o) where o.scalarValue != nil:
          if case .float(let v)? = o.scalarValue { return v }
          if case .int(let v)? = o.scalarValue { return Double(v) }
          return .nan
        default: throw PavlovError.runtime("\(context): \(what) must be numbers, found \(item.typeName)")
        }
      }
    case .object(let t as TensorValue): return t.tensor.data.map { Double($0) }
    default: throw PavlovError.runtime("\(context): \(what) must be a list or tensor of numbers, got \(value.typeName)")
    }
  }
}
