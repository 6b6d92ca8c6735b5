import PavlovCore
/// The element types: float32 for values that learn, int64 for actions, token ids and indices,
/// bool for masks (comparisons).
public enum DType: String, Sendable {
  case float32, int64, bool
  public var isInteger: Bool { self != .float32 }
}

/// A tensor of any rank, stored contiguously in row-major order.
///
/// Integer and bool tensors keep their exact values in `ints` and a float32 mirror in `data`, so
/// every float operation accepts them (promoting to float32, as PyTorch does for int + float)
/// without a branch in the hot loops; structural operations (indexing, reshape, cat, ...) keep
/// the dtype.
///
/// Tensors are reference types so autograd can track them: a tensor made by an operation on
/// tensors that need gradients remembers that operation (`node`), and `backward()` walks those
/// records in reverse. The data array is copy-on-write, so `reshaped` shares it until a write.
public final class Tensor {
  public private(set) var shape: [Int]
  /// The elements in row-major order; `data.count == Shape.count(shape)`.
  public internal(set) var data: [Float]
  /// The exact values of an int64 or bool tensor (empty for float32).
  public internal(set) var ints: [Int64]
  public let dtype: DType
  /// Set on leaves (parameters) whose gradient `backward()` should compute.
  public var requiresGrad: Bool
  /// The accumulated gradient of a leaf, after `backward()`.
  public var grad: Tensor?
  /// How this tensor was computed, when gradients flow through it.
  var node: GradNode?

  public init(shape: [Int], data: [Float], requiresGrad: Bool = false) {
    precondition(shape.allSatisfy { $0 >= 0 } && Shape.count(shape) == data.count, "Tensor: data does not fill the shape")
    self.shape = shape
    self.data = data
    self.ints = []
    self.dtype = .float32
    self.requiresGrad = requiresGrad
  }

  /// An int64 (or bool) tensor.
  public init(shape: [Int], ints: [Int64], dtype: DType = .int64) {
    precondition(dtype.isInteger && shape.allSatisfy { $0 >= 0 } && Shape.count(shape) == ints.count, "Tensor: ints do not fill the shape")
    self.shape = shape
    self.ints = dtype == .bool ? ints.map { $0 != 0 ? 1 : 0 } : ints
    self.data = ints.map { Float($0) }
    self.dtype = dtype
    self.requiresGrad = false
  }

  /// A tensor of this dtype holding `values` (rounded toward zero for int64; nonzero → true for bool).
  public static func converting(shape: [Int], _ values: [Float], to dtype: DType) -> Tensor {
    switch dtype {
    case .float32: return Tensor(shape: shape, data: values)
    case .int64: return Tensor(shape: shape, ints: values.map { $0.isFinite ? Int64(Swift.max(Swift.min($0, 9.2e18), -9.2e18)) : 0 })
    case .bool: return Tensor(shape: shape, ints: values.map { $0 != 0 ? 1 : 0 }, dtype: .bool)
    }
  }

  /// An int64 copy, values truncated toward zero; a value with no int64 (NaN, an infinity, one
  /// beyond ±2^63) is an error naming it, not a silent 0.
  public func truncatedToInt64() throws -> Tensor {
    if isInteger { return converted(to: .int64) }
    for (k, v) in data.enumerated() where !(v >= -0x1p63 && v < 0x1p63) {
      throw CoreError("element \(k) is \(v), which has no int64 value", hint: "replace NaN and infinities, and clamp huge values, before converting")
    }
    return Tensor(shape: shape, ints: data.map { Int64($0) })
  }

  /// The same values as another dtype (a copy; no gradient flows through a conversion to int).
  public func converted(to target: DType) -> Tensor {
    if target == dtype { return self }
    if target == .float32 { return Tensor.result(shape, data, "float", [self]) { g in [g] } }
    if dtype.isInteger { return Tensor(shape: shape, ints: ints, dtype: target) }
    return Tensor.converting(shape: shape, data, to: target)
  }

  /// A checked initializer for data that comes from users: a wrong count is an error, not a trap.
  public static func make(shape: [Int], data: [Float]) throws -> Tensor {
    guard shape.allSatisfy({ $0 >= 0 }) else { throw CoreError("negative size in shape \(Shape.describe(shape))") }
    guard Shape.count(shape) == data.count else {
      throw CoreError("\(data.count) values cannot fill a tensor of shape \(Shape.describe(shape)) (\(Shape.count(shape)) elements)")
    }
    return Tensor(shape: shape, data: data)
  }

  public convenience init(scalar: Float) { self.init(shape: [], data: [scalar]) }

  public static func zeros(_ shape: [Int]) -> Tensor { Tensor(shape: shape, data: [Float](repeating: 0, count: Shape.count(shape))) }
  public static func ones(_ shape: [Int]) -> Tensor { full(shape, 1) }
  public static func full(_ shape: [Int], _ value: Float) -> Tensor {
    Tensor(shape: shape, data: [Float](repeating: value, count: Shape.count(shape)))
  }

  /// Standard normal values from `generator` (so a seed fixes them).
  public static func randn(_ shape: [Int], generator: SeededGenerator) -> Tensor {
    Tensor(shape: shape, data: (0..<Shape.count(shape)).map { _ in Float(generator.nextGaussian()) })
  }

  /// Uniform values in [low, high) from `generator`.
  public static func rand(_ shape: [Int], low: Float = 0, high: Float = 1, generator: SeededGenerator) -> Tensor {
    Tensor(shape: shape, data: (0..<Shape.count(shape)).map { _ in low + (high - low) * Float(generator.nextDouble()) })
  }

  public var rank: Int { shape.count }
  public var count: Int { data.count }
  public var isInteger: Bool { dtype.isInteger }

  /// The single value of a one-element tensor.
  public func item() throws -> Float {
    guard data.count == 1 else {
      throw CoreError("item(): the tensor has \(data.count) elements, not 1", hint: "shape \(Shape.describe(shape)); index or reduce it first")
    }
    return data[0]
  }

  /// Marks this tensor as a parameter: `backward()` will fill its `grad`.
  @discardableResult
  public func requiringGrad() -> Tensor {
    precondition(!isInteger, "only float tensors can require gradients")
    requiresGrad = true
    return self
  }

  /// The same values, cut off from the graph (no gradient flows back through it).
  public func detached() -> Tensor { isInteger ? Tensor(shape: shape, ints: ints, dtype: dtype) : Tensor(shape: shape, data: data) }

  public func zeroGrad() { grad = nil }

  /// Removes and returns the record of how this tensor was made (for tearing graphs down).
  func detachNode() -> GradNode? {
    let node = self.node
    self.node = nil
    return node
  }

  /// Whether operations on this tensor must be recorded for autograd.
  var tracksGradient: Bool { requiresGrad || node != nil }
}

extension Tensor {
  /// Overwrites one element (row-major index) in place, e.g. for finite-difference checks and
  /// optimizer updates. Not recorded by autograd.
  public func setElement(_ index: Int, _ value: Float) {
    if isInteger {
      let v: Int64 = dtype == .bool ? (value != 0 ? 1 : 0) : (value.isFinite ? Int64(value) : 0)
      ints[index] = v
      data[index] = Float(v)
    } else {
      data[index] = value
    }
  }

  /// Replaces every element (same count) in place, keeping the dtype; not recorded by autograd.
  public func assign(_ values: [Float]) {
    precondition(values.count == count)
    if isInteger { for i in 0..<count { setElement(i, values[i]) } } else { data = values }
  }

  /// Optimizer updates write parameters in place through this.
  public func withMutableData<R>(_ body: (inout [Float]) throws -> R) rethrows -> R { try body(&data) }
}
