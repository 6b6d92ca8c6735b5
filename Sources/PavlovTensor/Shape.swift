/// Shape arithmetic: element counts, strides and NumPy broadcasting.
public enum Shape {
  public static func count(_ shape: [Int]) -> Int { shape.reduce(1, *) }

  /// `[2, 3]` as `(2, 3)`, the way error messages show shapes.
  public static func describe(_ shape: [Int]) -> String { AllocationLimit.describe(shape) }

  /// Row-major strides (in elements).
  public static func strides(_ shape: [Int]) -> [Int] {
    var strides = [Int](repeating: 1, count: shape.count)
    var step = 1
    for axis in stride(from: shape.count - 1, through: 0, by: -1) {
      strides[axis] = step
      step *= shape[axis]
    }
    return strides
  }

  /// The shape two operands broadcast to, or nil (NumPy rules: align from the right; each
  /// pair of sizes must be equal or one of them 1).
  public static func broadcast(_ a: [Int], _ b: [Int]) -> [Int]? {
    let rank = max(a.count, b.count)
    var out = [Int](repeating: 1, count: rank)
    for i in 0..<rank {
      let x = i < rank - a.count ? 1 : a[i - (rank - a.count)]
      let y = i < rank - b.count ? 1 : b[i - (rank - b.count)]
      if x == y || y == 1 { out[i] = x } else if x == 1 { out[i] = y } else { return nil }
    }
    return out
  }

  /// Strides that read an operand of shape `shape` as if it had shape `target` (0 along
  /// broadcast axes).
  static func broadcastStrides(_ shape: [Int], to target: [Int]) -> [Int] {
    let own = strides(shape)
    let offset = target.count - shape.count
    return (0..<target.count).map { i in
      i < offset || shape[i - offset] == 1 ? 0 : own[i - offset]
    }
  }
}
