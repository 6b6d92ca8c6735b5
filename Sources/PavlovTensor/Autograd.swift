import PavlovCore
import CPavlovKernels

/// Reverse-mode automatic differentiation, define-by-run: every operation on tensors that
/// need gradients records its inputs and a backward rule; `backward()` replays the records
/// from the output back to the leaves.
final class GradNode {
  private(set) var inputs: [Tensor]
  /// Given the gradient of the output, the gradients of the inputs (nil: no gradient).
  private(set) var backward: (Tensor) -> [Tensor?]
  let name: String

  init(_ name: String, _ inputs: [Tensor], backward: @escaping (Tensor) -> [Tensor?]) {
    self.name = name
    self.inputs = inputs
    self.backward = backward
  }

  /// Freeing a long chain of operations would recurse once per operation (node → input →
  /// node ...); instead the graph is taken apart with a work list. The backward rule holds the
  /// inputs too, so it is dropped first, leaving the work list as the only owner.
  deinit {
    var pending = takeInputs()
    while var tensor = pending.popLast() {
      guard isKnownUniquelyReferenced(&tensor), var node = tensor.detachNode() else { continue }
      if isKnownUniquelyReferenced(&node) { pending.append(contentsOf: node.takeInputs()) }
    }
  }

  private func takeInputs() -> [Tensor] {
    let taken = inputs
    inputs = []
    backward = { _ in [] }
    return taken
  }
}

/// Global autograd switches.
public enum Autograd {
  nonisolated(unsafe) static var enabled = true

  /// Runs `body` without recording operations (evaluation, target networks, optimizer steps).
  public static func noGrad<T>(_ body: () throws -> T) rethrows -> T {
    let previous = enabled
    enabled = false
    defer { enabled = previous }
    return try body()
  }

  public static var isEnabled: Bool { enabled }
}

extension Tensor {
  /// The result of an operation: records the backward rule when any input needs gradients.
  static func result(_ shape: [Int], _ data: [Float], _ name: String, _ inputs: [Tensor],
                     backward: @escaping (Tensor) -> [Tensor?]) -> Tensor {
    let out = Tensor(shape: shape, data: data)
    if Autograd.enabled && inputs.contains(where: \.tracksGradient) {
      out.node = GradNode(name, inputs, backward: backward)
    }
    return out
  }

  /// Computes gradients of this tensor with respect to every leaf that requires them, adding
  /// into their `grad` (call `zeroGrad()` between steps). A non-scalar output needs `seed`,
  /// the gradient of some scalar with respect to it.
  public func backward(seed: Tensor? = nil) throws {
    guard tracksGradient else {
      throw CoreError("backward(): this tensor does not depend on any tensor that requires a gradient",
                        hint: "mark parameters as needing gradients (param(...) in Pavlov), and do not compute the loss with autograd off (no_grad)")
    }
    let start: Tensor
    if let seed {
      guard seed.shape == shape else { throw CoreError.shapes("backward: the seed gradient", seed.shape, shape) }
      start = seed
    } else {
      guard data.count == 1 else {
        throw CoreError("backward() needs a scalar (this tensor has shape \(Shape.describe(shape)))",
                          hint: "reduce it first, e.g. loss.mean(), or pass the gradient as seed")
      }
      start = Tensor.ones(shape)
    }
    // Topological order of the graph (iterative, so deep graphs cannot overflow the stack).
    var order: [Tensor] = []
    var visited = Set<ObjectIdentifier>()
    var stack: [(Tensor, Bool)] = [(self, false)]
    while let (t, expanded) = stack.popLast() {
      if expanded { order.append(t); continue }
      if !visited.insert(ObjectIdentifier(t)).inserted { continue }
      stack.append((t, true))
      for input in t.node?.inputs ?? [] where !visited.contains(ObjectIdentifier(input)) { stack.append((input, false)) }
    }
    var grads: [ObjectIdentifier: Tensor] = [ObjectIdentifier(self): start]
    for t in order.reversed() {
      guard let g = grads[ObjectIdentifier(t)] else { continue }
      if let node = t.node {
        let inputGrads = Autograd.noGrad { node.backward(g) }
        for (input, inputGrad) in zip(node.inputs, inputGrads) {
          guard let inputGrad, input.tracksGradient else { continue }
          let key = ObjectIdentifier(input)
          grads[key] = grads[key].map { $0.addingData(inputGrad) } ?? inputGrad
        }
      }
      if t.requiresGrad && t.node == nil {
        t.grad = t.grad.map { $0.addingData(g) } ?? g.detached()
      }
    }
  }

  /// Element-wise sum of two same-shaped tensors, outside autograd (for accumulating gradients).
  func addingData(_ other: Tensor) -> Tensor {
    Tensor(shape: shape, data: Kernels.map(data, other.data) { a, b, out, n in pv_add(a, 1, b, 1, out, n) })
  }
}
