/// A float32 tensor of any rank, stored contiguously in row-major order.
///
/// Tensors are reference types so autograd can track them: a tensor made by an operation on
/// tensors that need gradients remembers that operation (`node`), and `backward()` walks those
/// records in reverse. The data array is copy-on-write, so `reshaped` shares it until a write.
public final class Tensor {
  public private(set) var shape: [Int]
  /// The elements in row-major order; `data.count == Shape.count(shape)`.
  public internal(set) var data: [Float]
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
    self.requiresGrad = requiresGrad
  }

  /// A checked initializer for data that comes from users: a wrong count is an error, not a trap.
  public static func make(shape: [Int], data: [Float]) throws -> Tensor {
    guard shape.allSatisfy({ $0 >= 0 }) else { throw TensorError("negative size in shape \(Shape.describe(shape))") }
    guard Shape.count(shape) == data.count else {
      throw TensorError("\(data.count) values cannot fill a tensor of shape \(Shape.describe(shape)) (\(Shape.count(shape)) elements)")
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

  /// The single value of a one-element tensor.
  public func item() throws -> Float {
    guard data.count == 1 else {
      throw TensorError("item(): the tensor has \(data.count) elements, not 1", hint: "shape \(Shape.describe(shape)); index or reduce it first")
    }
    return data[0]
  }

  /// Marks this tensor as a parameter: `backward()` will fill its `grad`.
  @discardableResult
  public func requiringGrad() -> Tensor {
    requiresGrad = true
    return self
  }

  /// The same values, cut off from the graph (no gradient flows back through it).
  public func detached() -> Tensor { Tensor(shape: shape, data: data) }

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
  public func setElement(_ index: Int, _ value: Float) { data[index] = value }
}
