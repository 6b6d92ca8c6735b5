import CPavlovKernels

/// Forward and backward passes of a batch of rows through an MLP (Linear layers with ReLU or
/// nothing between them) without autograd, for the small networks of value-based RL trained one
/// minibatch at a time.
///
/// Activations and gradients live in buffers allocated once, nothing records a graph, and each
/// parameter's gradient is written into a tensor reused from step to step. The products, the
/// sums and their order are those of `Tensor.linear` and `relu()` under autograd, so the values
/// and gradients are the same bits (FusedMLPTests checks it). DQN trains its Q-network and
/// values its targets with it.
public final class FusedMLP {
  private struct Layer {
    let linear: Linear
    let relu: Bool
    /// rows × outputs: the layer's outputs (after the ReLU), and in `backward` the loss's
    /// gradient with respect to its pre-activations.
    let output: UnsafeMutableBufferPointer<Float>
    let gradient: UnsafeMutableBufferPointer<Float>
    /// Reused gradient tensors, set as the parameters' `grad` by `backward`.
    let weightGradient: Tensor
    let biasGradient: Tensor?
  }

  private let layers: [Layer]
  /// A copy of the last input, read again by the first layer's weight gradient.
  private let input: UnsafeMutableBufferPointer<Float>
  /// Pre-activations and unmasked gradients: the ReLU kernels read one buffer and write another,
  /// since their vectorized loops fall back to scalar code when the two are the same.
  private let scratch: UnsafeMutableBufferPointer<Float>
  /// The largest batch the buffers hold.
  public let maxRows: Int
  public let inputSize: Int
  public let outputSize: Int
  /// Rows of the last `forward`.
  public private(set) var rows = 0

  /// Nil when `model` is not a Sequential of Linear layers with ReLU or identity between them.
  public init?(_ model: Module, maxRows: Int) {
    guard maxRows > 0, let sequential = model as? Sequential else { return nil }
    var linears: [Linear] = [], relus: [Bool] = []
    for (_, layer) in sequential.children {
      if let linear = layer as? Linear {
        if linears.count > relus.count { relus.append(false) }
        linears.append(linear)
      } else if let activation = layer as? Activation, activation.function == .relu || activation.function == .identity,
                linears.count == relus.count + 1 {
        relus.append(activation.function == .relu)
      } else {
        return nil
      }
    }
    guard let first = linears.first, let last = linears.last else { return nil }
    if relus.count < linears.count { relus.append(false) }
    // Left unwritten: every row is written before it is read, and pages never used (a target
    // network's gradient rows) are never committed.
    func buffer(_ count: Int) -> UnsafeMutableBufferPointer<Float> { .allocate(capacity: count) }
    layers = zip(linears, relus).map { linear, relu in
      Layer(linear: linear, relu: relu, output: buffer(maxRows * linear.outputs), gradient: buffer(maxRows * linear.outputs),
            weightGradient: Tensor.zeros(linear.weight.shape), biasGradient: linear.bias.map { Tensor.zeros($0.shape) })
    }
    self.maxRows = maxRows
    inputSize = first.inputs
    outputSize = last.outputs
    input = buffer(maxRows * first.inputs)
    scratch = buffer(maxRows * (linears.map(\.outputs).max() ?? 1))
  }

  deinit {
    input.deallocate()
    scratch.deallocate()
    for layer in layers {
      layer.output.deallocate()
      layer.gradient.deallocate()
    }
  }

  /// The outputs (rows × `outputSize`) for `rows` input rows (rows × `inputSize` values); valid
  /// until the next call. Reads the layers' current weights.
  public func forward(_ x: UnsafeBufferPointer<Float>, rows: Int) -> UnsafeBufferPointer<Float> {
    precondition(rows >= 1 && rows <= maxRows && x.count >= rows * inputSize, "FusedMLP: \(rows) rows do not fit (at most \(maxRows) of \(inputSize) values)")
    self.rows = rows
    for i in 0..<(rows * inputSize) { input[i] = x[i] }
    var source = UnsafePointer(input.baseAddress!), width = inputSize
    for layer in layers {
      let n = layer.linear.outputs, out = layer.relu ? scratch.baseAddress! : layer.output.baseAddress!
      // As Tensor.linear: rows start as the bias, sgemm adds x·Wᵀ.
      if let bias = layer.linear.bias {
        bias.data.withUnsafeBufferPointer { b in
          for r in 0..<rows { (out + r * n).update(from: b.baseAddress!, count: n) }
        }
      }
      layer.linear.weight.data.withUnsafeBufferPointer { w in
        Tensor.sgemm(false, true, rows, n, width, source, width, w.baseAddress!, width, layer.linear.bias == nil ? 0 : 1, out, n)
      }
      if layer.relu { pv_relu(out, layer.output.baseAddress, rows * n) }
      source = UnsafePointer(layer.output.baseAddress!)
      width = n
    }
    return UnsafeBufferPointer(start: layers[layers.count - 1].output.baseAddress, count: rows * outputSize)
  }

  /// Backpropagates `outputGradient` (rows × `outputSize`, the loss's gradient with respect to
  /// the last `forward`'s outputs) and sets each trainable parameter's `grad` to its gradient,
  /// replacing what was there (no `zeroGrad` needed). The gradient tensors are reused, so a
  /// `grad` read earlier changes with the next call.
  public func backward(_ outputGradient: UnsafeBufferPointer<Float>) {
    precondition(rows > 0 && outputGradient.count >= rows * outputSize, "FusedMLP: backward needs a forward first and a gradient for each output")
    // Each layer's `gradient` rows hold the gradient with respect to its pre-activations: the
    // ReLU passes what comes from above where its output is positive (where its input was).
    let top = layers[layers.count - 1]
    let incoming = top.relu ? scratch : top.gradient
    for i in 0..<(rows * outputSize) { incoming[i] = outputGradient[i] }
    if top.relu { pv_relu_backward(top.output.baseAddress, scratch.baseAddress, top.gradient.baseAddress, rows * outputSize) }
    for k in stride(from: layers.count - 1, through: 0, by: -1) {
      let layer = layers[k], linear = layer.linear
      let n = linear.outputs, m = linear.inputs, g = layer.gradient.baseAddress!
      let x = k == 0 ? UnsafePointer(input.baseAddress!) : UnsafePointer(layers[k - 1].output.baseAddress!)
      if let bias = linear.bias, bias.requiresGrad, let gradient = layer.biasGradient {
        gradient.withMutableData { sums in
          sums.withUnsafeMutableBufferPointer { sum in
            for c in 0..<n { sum[c] = 0 }
            pv_column_sums_add(g, rows, n, sum.baseAddress)
          }
        }
        bias.grad = gradient
      }
      if linear.weight.requiresGrad {
        // dW = Gᵀ X (n×rows · rows×m)
        layer.weightGradient.withMutableData { data in
          data.withUnsafeMutableBufferPointer { gw in
            Tensor.sgemm(true, false, n, m, rows, g, n, x, m, 0, gw.baseAddress!, m)
          }
        }
        linear.weight.grad = layer.weightGradient
      }
      // dX = G W (rows×n · n×m), into the previous layer's gradient rows.
      if k > 0 {
        let below = layers[k - 1]
        linear.weight.data.withUnsafeBufferPointer { w in
          Tensor.sgemm(false, false, rows, m, n, g, n, w.baseAddress!, m, 0, below.relu ? scratch.baseAddress! : below.gradient.baseAddress!, m)
        }
        if below.relu { pv_relu_backward(below.output.baseAddress, scratch.baseAddress, below.gradient.baseAddress, rows * m) }
      }
    }
  }
}
