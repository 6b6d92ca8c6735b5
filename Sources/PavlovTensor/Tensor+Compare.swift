import PavlovCore
/// Comparisons (bool masks), `where`, integer arithmetic and logical operations on masks.
public enum Comparison: String, Sendable {
  case eq = "==", ne = "!=", lt = "<", le = "<=", gt = ">", ge = ">="

  @inline(__always)
  func holds<T: Comparable>(_ x: T, _ y: T) -> Bool {
    switch self {
    case .eq: return x == y
    case .ne: return x != y
    case .lt: return x < y
    case .le: return x <= y
    case .gt: return x > y
    case .ge: return x >= y
    }
  }
}

extension Tensor {
  /// Element-wise comparison under broadcasting: a bool tensor.
  public func compare(_ op: Comparison, _ other: Tensor) throws -> Tensor {
    if isInteger && other.isInteger {
      return try Tensor.intBinary(self, other, "compare (\(op.rawValue))", dtype: .bool) { x, y in op.holds(x, y) ? 1 : 0 }
    }
    let (shape, data) = try Broadcast.binary(self, other, "compare (\(op.rawValue))") { x, y in op.holds(x, y) ? 1 : 0 }
    return Tensor.converting(shape: shape, data, to: .bool)
  }

  /// `a` where `condition` is true, else `b` (all three broadcast together); gradients flow to
  /// the chosen side only, so `where(mask, x, -inf)` is safe where `x * mask` would give NaN.
  public static func `where`(_ condition: Tensor, _ a: Tensor, _ b: Tensor) throws -> Tensor {
    guard let ab = Shape.broadcast(a.shape, b.shape), let shape = Shape.broadcast(ab, condition.shape) else {
      throw CoreError("where: shapes \(Shape.describe(condition.shape)), \(Shape.describe(a.shape)) and \(Shape.describe(b.shape)) do not broadcast together")
    }
    try AllocationLimit.elements(shape, "where")
    let c = condition.broadcastCopy(to: shape).data
    if a.isInteger && b.isInteger {
      let x = a.broadcastCopy(to: shape).data, y = b.broadcastCopy(to: shape).data
      return Tensor.converting(shape: shape, (0..<c.count).map { c[$0] != 0 ? x[$0] : y[$0] }, to: a.dtype == b.dtype ? a.dtype : .int64)
    }
    let x = a.shape == shape ? a.data : a.broadcastCopy(to: shape).data
    let y = b.shape == shape ? b.data : b.broadcastCopy(to: shape).data
    var out = [Float](repeating: 0, count: c.count)
    for i in 0..<c.count { out[i] = c[i] != 0 ? x[i] : y[i] }
    return result(shape, out, "where", [a, b]) { g in
      let ga = Tensor(shape: shape, data: (0..<c.count).map { c[$0] != 0 ? g.data[$0] : 0 })
      let gb = Tensor(shape: shape, data: (0..<c.count).map { c[$0] != 0 ? 0 : g.data[$0] })
      return [Broadcast.reduce(ga, to: a.shape), Broadcast.reduce(gb, to: b.shape)]
    }
  }

  /// An element-wise operation on two integer tensors under broadcasting.
  static func intBinary(_ a: Tensor, _ b: Tensor, _ name: String, dtype: DType = .int64,
                        _ op: (Int64, Int64) throws -> Int64) throws -> Tensor {
    guard let shape = Shape.broadcast(a.shape, b.shape) else {
      throw CoreError.shapes(name, a.shape, b.shape, hint: "sizes must match or be 1 along each axis, aligned from the right")
    }
    var out = [Int64](repeating: 0, count: try AllocationLimit.elements(shape, name))
    let sa = Shape.broadcastStrides(a.shape, to: shape), sb = Shape.broadcastStrides(b.shape, to: shape)
    var failure: Error?
    Broadcast.forEachIndex(shape, sa, sb) { io, ia, ib in
      guard failure == nil else { return }
      do { out[io] = try op(a.ints[ia], b.ints[ib]) } catch { failure = error }
    }
    if let failure { throw failure }
    return Tensor(shape: shape, ints: out, dtype: dtype)
  }

  /// Integer `+ - *` keep int64 (wrapping like PyTorch's); anything else goes to float32.
  static func integerArithmetic(_ a: Tensor, _ b: Tensor, _ name: String) throws -> Tensor? {
    guard a.isInteger && b.isInteger else { return nil }
    switch name {
    case "add": return try intBinary(a, b, name) { $0 &+ $1 }
    case "subtract": return try intBinary(a, b, name) { $0 &- $1 }
    case "multiply": return try intBinary(a, b, name) { $0 &* $1 }
    default: return nil
    }
  }

  /// Floor division (`//`): ints stay ints (division by zero is an error), floats give floats.
  public func floorDivided(by other: Tensor) throws -> Tensor {
    if isInteger && other.isInteger {
      return try Tensor.intBinary(self, other, "floor divide") { x, y in
        guard y != 0 else { throw CoreError("integer division by zero in a tensor", hint: "convert to float first (.float()) to get inf") }
        let (q, overflow) = x.dividedReportingOverflow(by: y)
        if overflow { return q }
        return (x % y != 0 && ((x < 0) != (y < 0))) ? q - 1 : q
      }
    }
    let (shape, data) = try Broadcast.binary(self, other, "floor divide") { ($0 / $1).rounded(.down) }
    return Tensor(shape: shape, data: data)
  }

  /// Python's modulo (the result has the divisor's sign).
  public func remainder(_ other: Tensor) throws -> Tensor {
    if isInteger && other.isInteger {
      return try Tensor.intBinary(self, other, "remainder") { x, y in
        guard y != 0 else { throw CoreError("integer modulo by zero in a tensor") }
        if y == -1 { return 0 }
        let r = x % y
        return r != 0 && ((r < 0) != (y < 0)) ? r + y : r
      }
    }
    let (shape, data) = try Broadcast.binary(self, other, "remainder") { x, y in
      let r = x - y * (x / y).rounded(.down)
      return r
    }
    return Tensor(shape: shape, data: data)
  }

  /// Logical and/or of two masks (any nonzero counts as true); a bool tensor.
  public func logicalAnd(_ other: Tensor) throws -> Tensor {
    let (shape, data) = try Broadcast.binary(self, other, "logical_and") { $0 != 0 && $1 != 0 ? 1 : 0 }
    return Tensor.converting(shape: shape, data, to: .bool)
  }

  public func logicalOr(_ other: Tensor) throws -> Tensor {
    let (shape, data) = try Broadcast.binary(self, other, "logical_or") { $0 != 0 || $1 != 0 ? 1 : 0 }
    return Tensor.converting(shape: shape, data, to: .bool)
  }

  public func logicalNot() -> Tensor { Tensor.converting(shape: shape, data.map { $0 == 0 ? 1 : 0 }, to: .bool) }

  /// Whether any / all elements are nonzero.
  public var anyTrue: Bool { data.contains { $0 != 0 } }
  public var allTrue: Bool { data.allSatisfy { $0 != 0 } }
}
