import PavlovLang
import PavlovTensor

/// Printing tensors the way PyTorch does: aligned columns, rows of a matrix on their own lines,
/// the middle elided (`...`) past 1000 elements, 4 decimals or scientific notation when the
/// magnitudes call for it. Pavlov adds the shape (rank >= 2 or elided) and any non-float dtype.
enum TensorFormat {
  /// More elements than this print summarized, with `edgeItems` at each end of each axis.
  static let threshold = 1000
  static let edgeItems = 3

  static func describe(_ t: Tensor) -> String {
    let summarize = t.count > threshold
    let format = elementFormat(t, summarize: summarize)
    var out = "tensor("
    if t.rank == 0 {
      out += format(0)
    } else {
      write(t, axis: 0, offset: 0, strides: Shape.strides(t.shape), indent: 7, summarize: summarize, format: format, to: &out)
    }
    if t.rank >= 2 || summarize { out += ", shape=\(Shape.describe(t.shape))" }
    if t.dtype != .float32 { out += ", dtype=\(t.dtype.rawValue)" }
    if t.requiresGrad { out += ", requires_grad=true" }
    return out + ")"
  }

  private static func write(_ t: Tensor, axis: Int, offset: Int, strides: [Int], indent: Int, summarize: Bool,
                            format: (Int) -> String, to out: inout String) {
    let n = t.shape[axis]
    let indices: [Int?] = summarize && n > 2 * edgeItems
      ? (0..<edgeItems).map { $0 } + [nil] + ((n - edgeItems)..<n).map { $0 }
      : (0..<n).map { $0 }
    out += "["
    let last = axis == t.rank - 1
    // Between rows of a matrix: a newline per remaining axis, then the indent.
    let separator = last ? ", " : "," + String(repeating: "\n", count: t.rank - axis - 1) + String(repeating: " ", count: indent + axis + 1)
    for (k, index) in indices.enumerated() {
      if k > 0 { out += separator }
      guard let i = index else { out += "..."; continue }
      if last {
        out += format(offset + i * strides[axis])
      } else {
        write(t, axis: axis + 1, offset: offset + i * strides[axis], strides: strides, indent: indent, summarize: summarize, format: format, to: &out)
      }
    }
    out += "]"
  }

  /// A formatter for element k, padded so columns line up.
  private static func elementFormat(_ t: Tensor, summarize: Bool) -> (Int) -> String {
    let shown = shownValues(t, summarize: summarize)
    let text: (Int) -> String
    switch t.dtype {
    case .bool:
      text = { t.ints[$0] != 0 ? "true" : "false" }
    case .int64:
      text = { String(t.ints[$0]) }
    case .float32:
      let finite = shown.map { t.data[$0] }.filter(\.isFinite)
      let magnitudes = finite.map { Swift.abs($0) }.filter { $0 > 0 }
      let integral = finite.allSatisfy { $0 == $0.rounded() }
      let largest = magnitudes.max() ?? 0, smallest = magnitudes.min() ?? 0
      let scientific = largest >= 1e8 || (smallest > 0 && smallest < 1e-4) || (smallest > 0 && largest / smallest > 1000 && !integral)
      text = { k in
        let v = t.data[k]
        if v.isNaN { return "nan" }
        if v.isInfinite { return v < 0 ? "-inf" : "inf" }
        if integral && !scientific { return (v == 0 && v.sign == .minus ? "-0" : String(Int(v))) + "." }
        let spec = scientific ? ".4e" : ".4f"
        return (try? Format.format(.float(Double(v)), spec: spec)) ?? "\(v)"
      }
    }
    let width = shown.map { text($0).count }.max() ?? 0
    return { k in
      let s = text(k)
      return String(repeating: " ", count: Swift.max(0, width - s.count)) + s
    }
  }

  /// Offsets of the elements that will print (all, or the edges when summarized).
  private static func shownValues(_ t: Tensor, summarize: Bool) -> [Int] {
    guard summarize else { return Array(0..<t.count) }
    var out: [Int] = []
    func visit(_ axis: Int, _ offset: Int, _ strides: [Int]) {
      if axis == t.rank { out.append(offset); return }
      let n = t.shape[axis]
      let indices = n > 2 * edgeItems ? Array(0..<edgeItems) + Array((n - edgeItems)..<n) : Array(0..<n)
      for i in indices { visit(axis + 1, offset + i * strides[axis], strides) }
    }
    visit(0, 0, Shape.strides(t.shape))
    return out
  }
}
