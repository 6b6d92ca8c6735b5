import PavlovLang
import PavlovTensor

/// A `Tensor` as a Pavlov value: printing, operators, comparisons, indexing and `len`.
public final class TensorValue: PObject {
  public let tensor: Tensor

  /// The one `tensor` native type (its methods do not depend on the interpreter).
  nonisolated(unsafe) public static let nativeType: NativeType = TensorBindings.makeType()

  public init(_ tensor: Tensor) {
    self.tensor = tensor
    super.init(type: TensorValue.nativeType)
  }

  public static func wrap(_ t: Tensor) -> Value { .object(TensorValue(t)) }

  public override var displayString: String { TensorFormat.describe(tensor) }

  public override var length: Int? { tensor.rank == 0 ? nil : tensor.shape[0] }

  /// One-element tensors stand in for their number (`int(t)`, `if t > 0`, `range(n)`).
  public override var scalarValue: Value? {
    guard tensor.count == 1 else { return nil }
    switch tensor.dtype {
    case .float32: return TensorBindings.float(tensor.data[0])
    case .int64: return .int(Int(tensor.ints[0]))
    case .bool: return .bool(tensor.ints[0] != 0)
    }
  }

  public override func binary(_ op: BinaryOp, _ other: Value, selfOnLeft: Bool) throws(PavlovError) -> Value? {
    let a = tensor
    guard let b = TensorBindings.operand(other, like: a) else { return nil }
    let (l, r) = selfOnLeft ? (a, b) : (b, a)
    return try CoreBridge.run {
      switch op {
      case .add: return try l + r
      case .subtract: return try l - r
      case .multiply: return try l * r
      case .divide: return try l / r
      case .floorDivide: return try l.floorDivided(by: r)
      case .modulo: return try l.remainder(r)
      case .matmul: return try l.matmul(r)
      case .power:
        guard r.count == 1 else {
          throw CoreError("tensor ** tensor needs a single exponent (got shape \(Shape.describe(r.shape)))", hint: "use exp(b * log(a)) for element-wise powers")
        }
        guard selfOnLeft else { return try (l.log() * r.data[0]).exp() }
        return l.pow(r.data[0])
      }
    }
  }

  public override func negate() throws(PavlovError) -> Value? { TensorValue.wrap(-tensor) }

  public override func compare(_ op: CompareOp, _ other: Value, selfOnLeft: Bool) throws(PavlovError) -> Value? {
    guard let b = TensorBindings.operand(other, like: tensor) else {
      if op == .eq { return .bool(false) }
      if op == .ne { return .bool(true) }
      return nil
    }
    let comparison: Comparison
    switch op {
    case .eq: comparison = .eq
    case .ne: comparison = .ne
    case .lt: comparison = selfOnLeft ? .lt : .gt
    case .le: comparison = selfOnLeft ? .le : .ge
    case .gt: comparison = selfOnLeft ? .gt : .lt
    case .ge: comparison = selfOnLeft ? .ge : .le
    case .in, .notIn: return nil
    }
    return try CoreBridge.run { try tensor.compare(comparison, b) }
  }

  public override func contains(_ item: Value) throws(PavlovError) -> Bool? {
    guard let b = TensorBindings.operand(item, like: tensor) else { return false }
    return try CoreBridge.run { try tensor.compare(.eq, b).anyTrue }
  }

  public override func isEqual(to other: PObject) -> Bool {
    guard let o = other as? TensorValue else { return false }
    return o.tensor === tensor || (o.tensor.shape == tensor.shape && o.tensor.dtype == tensor.dtype && o.tensor.data == tensor.data && o.tensor.ints == tensor.ints)
  }

  public override func getIndex(_ index: Value) throws(PavlovError) -> Value? {
    try getIndices([index])
  }

  public override func getIndices(_ indices: [Value]) throws(PavlovError) -> Value? {
    let components = try TensorBindings.components(indices, of: tensor)
    return try CoreBridge.run { try tensor.index(components) }
  }

  public override func setIndex(_ index: Value, _ value: Value) throws(PavlovError) -> Bool {
    try setIndices([index], value)
  }

  public override func setIndices(_ indices: [Value], _ value: Value) throws(PavlovError) -> Bool {
    let components = try TensorBindings.components(indices, of: tensor)
    guard let v = TensorBindings.operand(value, like: tensor) ?? (try? TensorBindings.fromValue(value, name: "index assignment")) else {
      throw PavlovError.runtime("cannot store \(value.typeName) in a tensor", hint: "assign a number or a tensor")
    }
    try CoreBridge.run { try tensor.assign(components, v) }
    return true
  }

  public override func makeIterator() -> (() throws -> Value?)? {
    guard tensor.rank > 0 else { return nil }
    var i = 0
    let n = tensor.shape[0]
    return { [self] in
      guard i < n else { return nil }
      defer { i += 1 }
      return try self.getIndex(.int(i))
    }
  }
}
