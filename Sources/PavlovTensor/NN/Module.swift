import PavlovCore
/// A neural-network layer or model: named parameters, named sub-modules, a training flag and a
/// forward function. Names follow PyTorch's state-dict convention ("blocks.0.attn.qkv.weight"),
/// so checkpoints line up with a PyTorch model built the same way.
open class Module {
  /// What the module is ("linear", "mlp", "gpt", ...), for printing and errors.
  public let kind: String
  public private(set) var training = true
  public internal(set) var ownParameters: [(name: String, tensor: Tensor)] = []
  public internal(set) var children: [(name: String, module: Module)] = []

  public init(kind: String) { self.kind = kind }

  /// The output for input `x` (a batch).
  open func forward(_ x: Tensor) throws -> Tensor {
    throw CoreError("\(kind) cannot be called on a tensor")
  }

  /// A deep copy with its own parameters (same values, same frozen/trainable state).
  open func copy() throws -> Module { throw CoreError("\(kind) cannot be copied") }

  /// One line of configuration for printing, e.g. "linear(4, 64)".
  open var summary: String { kind }

  /// Registers a parameter: trainable unless the module is built frozen.
  public func addParameter(_ name: String, _ tensor: Tensor) {
    ownParameters.append((name, tensor))
  }

  /// Registers a child under `name` (its parameters are named `name.…`) and returns it, so a
  /// subclass keeps it in a typed field and reaches it by name, never by position.
  @discardableResult
  public func addChild<M: Module>(_ name: String, _ module: M) -> M {
    children.append((name, module))
    return module
  }

  /// Puts `module` in the place of the child `name` (LoRA wraps a linear layer in an adapter)
  /// and tells the subclass, whose field must follow.
  public func replaceChild(named name: String, with module: Module) {
    guard let i = children.firstIndex(where: { $0.name == name }) else { return }
    children.replaceSubrange(i...i, with: [(name, module)])
    childReplaced(named: name, with: module)
  }

  /// Called after `replaceChild`: a subclass holding that child in a field updates the field.
  open func childReplaced(named name: String, with module: Module) {}

  /// A deep copy of the same type (`copy()` is typed `Module` so subclasses can override it).
  public func typedCopy() throws -> Self {
    guard let copy = try copy() as? Self else { throw CoreError("\(kind): its copy is of another type") }
    return copy
  }

  /// Whether this module, or any below it, is a `T` (e.g. a model carrying LoRA adapters).
  public func contains<T: Module>(_ type: T.Type) -> Bool {
    self is T || children.contains { $0.module.contains(type) }
  }

  /// Every parameter, depth first, with its dotted name.
  public func namedParameters(prefix: String = "") -> [(String, Tensor)] {
    var out = ownParameters.map { (prefix + $0.name, $0.tensor) }
    for (name, child) in children { out += child.namedParameters(prefix: prefix + name + ".") }
    return out
  }

  /// The trainable parameters (those that require gradients).
  public var parameters: [Tensor] { namedParameters().map(\.1).filter(\.requiresGrad) }

  /// Every parameter, trainable or frozen.
  public var allParameters: [Tensor] { namedParameters().map(\.1) }

  public var parameterCount: Int { allParameters.reduce(0) { $0 + $1.count } }

  /// Training mode (dropout active) or evaluation mode, for this module and all below it.
  public func setTraining(_ on: Bool) {
    training = on
    for (_, child) in children { child.setTraining(on) }
  }

  /// Stops (or restarts) gradient tracking of every parameter.
  public func setFrozen(_ frozen: Bool) {
    for (_, t) in namedParameters() { t.requiresGrad = !frozen }
  }

  /// Copies parameter values from `other` (same architecture), e.g. into a target network.
  public func loadValues(from other: Module) throws {
    let mine = namedParameters(), theirs = other.namedParameters()
    guard mine.count == theirs.count, zip(mine, theirs).allSatisfy({ $0.0 == $1.0 && $0.1.shape == $1.1.shape }) else {
      throw CoreError("cannot copy parameters between different architectures (\(summary) and \(other.summary))")
    }
    for ((_, a), (_, b)) in zip(mine, theirs) { a.assign(b.data) }
  }

  /// Copies the shared state (parameters, training flag) into a fresh copy made by a subclass.
  public func finishCopy<M: Module>(_ copy: M) -> M {
    copy.training = training
    for ((_, t), (_, target)) in zip(namedParameters(), copy.namedParameters()) {
      target.assign(t.data)
      target.requiresGrad = t.requiresGrad
    }
    return copy
  }

  /// The module tree, one line per module, PyTorch style.
  public func describe(indent: String = "") -> String {
    var out = summary
    if !children.isEmpty {
      out = summary + " {\n"
      for (name, child) in children { out += indent + "  \(name): " + child.describe(indent: indent + "  ") + "\n" }
      out += indent + "}"
    }
    return out
  }
}

/// How a layer's weights start.
public enum Initialization {
  /// PyTorch's defaults (Kaiming-uniform weights, uniform ±1/√fan_in biases).
  case standard
  /// Orthogonal weights scaled by `gain`, zero biases (the RL convention, e.g. √2 hidden, 0.01 policy head).
  case orthogonal(gain: Float)
  /// Normal(0, std) weights, zero biases (GPT-2's 0.02).
  case normal(std: Float)
}

enum Init {
  static func uniform(_ shape: [Int], bound: Float, _ rng: SeededGenerator) -> Tensor {
    Tensor.rand(shape, low: -bound, high: bound, generator: rng)
  }

  static func normal(_ shape: [Int], std: Float, _ rng: SeededGenerator) -> Tensor {
    Tensor(shape: shape, data: (0..<Shape.count(shape)).map { _ in Float(rng.nextGaussian()) * std })
  }

  /// A (rows × cols) matrix with orthonormal rows or columns (whichever are fewer), times gain:
  /// Gram–Schmidt on a Gaussian matrix, which gives the QR factor with a positive diagonal —
  /// the same distribution as torch.nn.init.orthogonal_.
  static func orthogonal(rows: Int, cols: Int, gain: Float, _ rng: SeededGenerator) -> Tensor {
    let tall = rows >= cols
    let n = tall ? rows : cols, k = tall ? cols : rows  // k vectors of length n
    var vectors = (0..<(n * k)).map { _ in rng.nextGaussian() }  // vector j at [j*n ..< (j+1)*n]
    for j in 0..<k {
      for i in 0..<j {
        var dot = 0.0
        for e in 0..<n { dot += vectors[i * n + e] * vectors[j * n + e] }
        for e in 0..<n { vectors[j * n + e] -= dot * vectors[i * n + e] }
      }
      var norm = 0.0
      for e in 0..<n { norm += vectors[j * n + e] * vectors[j * n + e] }
      norm = norm.squareRoot()
      for e in 0..<n { vectors[j * n + e] /= Swift.max(norm, 1e-12) }
    }
    var out = [Float](repeating: 0, count: rows * cols)
    for r in 0..<rows {
      for c in 0..<cols {
        // Tall: column c is vector c; wide: row r is vector r.
        out[r * cols + c] = Float(tall ? vectors[c * n + r] : vectors[r * n + c]) * gain
      }
    }
    return Tensor(shape: [rows, cols], data: out)
  }
}
