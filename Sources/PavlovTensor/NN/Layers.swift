import PavlovCore
/// The basic layers: linear, activations, sequential stacks (MLPs), embeddings, layer norm
/// and dropout.
public final class Linear: Module {
  public let inputs: Int, outputs: Int
  public let weight: Tensor
  public let bias: Tensor?

  public init(_ inputs: Int, _ outputs: Int, bias: Bool = true, initialization: Initialization = .standard, generator: SeededGenerator) {
    self.inputs = inputs
    self.outputs = outputs
    let bound = inputs > 0 ? 1 / Float(inputs).squareRoot() : 0
    switch initialization {
    case .standard:
      // kaiming_uniform(a = √5) reduces to U(-1/√fan_in, 1/√fan_in), as does the bias.
      weight = Init.uniform([outputs, inputs], bound: bound, generator)
      self.bias = bias ? Init.uniform([outputs], bound: bound, generator) : nil
    case .orthogonal(let gain):
      weight = Init.orthogonal(rows: outputs, cols: inputs, gain: gain, generator)
      self.bias = bias ? Tensor.zeros([outputs]) : nil
    case .normal(let std):
      weight = Init.normal([outputs, inputs], std: std, generator)
      self.bias = bias ? Tensor.zeros([outputs]) : nil
    }
    super.init(kind: "linear")
    weight.requiresGrad = true
    addParameter("weight", weight)
    if let b = self.bias {
      b.requiresGrad = true
      addParameter("bias", b)
    }
  }

  public override func forward(_ x: Tensor) throws -> Tensor { try Tensor.linear(x, weight, bias) }
  public override var summary: String { "linear(\(inputs), \(outputs)\(bias == nil ? ", bias: false" : ""))" }
  public override func copy() throws -> Module {
    finishCopy(Linear(inputs, outputs, bias: bias != nil, initialization: .normal(std: 0), generator: SeededGenerator(seed: 0)))
  }
}

/// An element-wise activation as a layer.
public final class Activation: Module {
  public enum Function: String, CaseIterable {
    case tanh, relu, sigmoid, gelu, identity
  }
  public let function: Function

  public init(_ function: Function) {
    self.function = function
    super.init(kind: function.rawValue)
  }

  public override func forward(_ x: Tensor) throws -> Tensor {
    switch function {
    case .tanh: return x.tanh()
    case .relu: return x.relu()
    case .sigmoid: return x.sigmoid()
    case .gelu: return x.gelu()
    case .identity: return x
    }
  }

  public override func copy() throws -> Module { Activation(function) }
}

/// Layers applied in order; an MLP is one.
public final class Sequential: Module {
  public let layers: [Module]
  let label: String?

  public init(_ layers: [Module], label: String? = nil) {
    self.layers = layers
    self.label = label
    super.init(kind: "sequential")
    for (i, layer) in layers.enumerated() { addChild(String(i), layer) }
  }

  /// A multi-layer perceptron: linear layers of the given sizes with `activation` between them
  /// (and `outputActivation` after the last, if any).
  public static func mlp(_ sizes: [Int], activation: Activation.Function = .tanh, outputActivation: Activation.Function? = nil,
                         initialization: Initialization = .standard, outputInitialization: Initialization? = nil,
                         generator: SeededGenerator) throws -> Sequential {
    guard sizes.count >= 2, sizes.allSatisfy({ $0 > 0 }) else {
      throw CoreError("mlp: sizes must list at least an input and an output size, all positive (got \(sizes))", hint: "e.g. mlp([4, 64, 64, 2])")
    }
    var layers: [Module] = []
    for i in 0..<(sizes.count - 1) {
      let last = i == sizes.count - 2
      layers.append(Linear(sizes[i], sizes[i + 1], initialization: last ? (outputInitialization ?? initialization) : initialization, generator: generator))
      if !last { layers.append(Activation(activation)) } else if let outputActivation { layers.append(Activation(outputActivation)) }
    }
    return Sequential(layers, label: "mlp(\(sizes), act: \(activation.rawValue))")
  }

  public override func forward(_ x: Tensor) throws -> Tensor {
    var h = x
    // Through `children`, not `layers`, so adapters (LoRA) swapped in take effect.
    for (_, layer) in children { h = try layer.forward(h) }
    return h
  }

  public override var summary: String { label ?? "sequential" }
  public override func copy() throws -> Module { finishCopy(Sequential(try children.map { try $0.module.copy() }, label: label)) }
}

/// A lookup table: int64 ids → rows of a (count × dim) weight.
public final class Embedding: Module {
  public let count: Int, dim: Int
  public let weight: Tensor

  public init(_ count: Int, _ dim: Int, std: Float = 1, generator: SeededGenerator) {
    self.count = count
    self.dim = dim
    weight = Init.normal([count, dim], std: std, generator).requiringGrad()
    super.init(kind: "embedding")
    addParameter("weight", weight)
  }

  public override func forward(_ ids: Tensor) throws -> Tensor {
    guard ids.dtype == .int64 else {
      throw CoreError("embedding: expected int64 ids, got a \(ids.dtype.rawValue) tensor", hint: "convert with .long()")
    }
    var source = [Int](repeating: 0, count: ids.count * dim)
    for (k, id) in ids.ints.enumerated() {
      guard id >= 0 && id < Int64(count) else {
        throw CoreError("embedding: id \(id) is out of range for a table of \(count) rows (0 to \(count - 1))")
      }
      let base = Int(id) * dim
      for e in 0..<dim { source[k * dim + e] = base + e }
    }
    return weight.picking(ids.shape + [dim], source, "embedding")
  }

  public override var summary: String { "embedding(\(count), \(dim))" }
  public override func copy() throws -> Module { finishCopy(Embedding(count, dim, std: 0, generator: SeededGenerator(seed: 0))) }
}

/// Layer normalization over the last axis, with a learned scale and shift.
public final class LayerNorm: Module {
  public let dim: Int
  public let eps: Float
  public let weight: Tensor, bias: Tensor

  public init(_ dim: Int, eps: Float = 1e-5) {
    self.dim = dim
    self.eps = eps
    weight = Tensor.ones([dim]).requiringGrad()
    bias = Tensor.zeros([dim]).requiringGrad()
    super.init(kind: "layer_norm")
    addParameter("weight", weight)
    addParameter("bias", bias)
  }

  public override func forward(_ x: Tensor) throws -> Tensor { try Tensor.layerNorm(x, weight, bias, eps: eps) }
  /// The rows of a packed batch (see `PackedRows`).
  public func forward(_ x: Tensor, packed: PackedRows) throws -> Tensor { try Tensor.layerNorm(x, weight, bias, eps: eps, packed: packed) }
  public override var summary: String { "layer_norm(\(dim))" }
  public override func copy() throws -> Module { finishCopy(LayerNorm(dim, eps: eps)) }
}

/// Zeroes each element with probability p while training (scaling the rest by 1/(1-p)); the
/// identity in evaluation mode. Draws from the seeded generator, so runs repeat.
public final class Dropout: Module {
  public let p: Float
  let generator: SeededGenerator

  public init(_ p: Float, generator: SeededGenerator) throws {
    guard p >= 0 && p < 1 else { throw CoreError("dropout: p must be in [0, 1), got \(p)") }
    self.p = p
    self.generator = generator
    super.init(kind: "dropout")
  }

  public override func forward(_ x: Tensor) throws -> Tensor {
    guard training, p > 0 else { return x }
    let scale = 1 / (1 - p)
    let mask = Tensor(shape: x.shape, data: (0..<x.count).map { _ in Float(generator.nextDouble()) < p ? 0 : scale })
    return try x * mask
  }

  public override var summary: String { "dropout(\(p))" }
  public override func copy() throws -> Module { finishCopy(try Dropout(p, generator: generator)) }
}
