import PavlovCore
/// Low-rank adapters (Hu et al., 2021): a frozen linear layer plus a trainable update
/// B·A scaled by alpha/rank, with B starting at zero so the adapted model starts as the base.
public final class LoRALinear: Module {
  public let rank: Int
  public let alpha: Float
  /// With adapters off the layer is exactly its base: the reference model in RLHF for free.
  public var enabled = true
  /// The frozen layer the adapter adds to.
  public let base: Linear

  init(base: Linear, rank: Int, alpha: Float, generator: SeededGenerator) {
    self.rank = rank
    self.alpha = alpha
    self.base = base
    super.init(kind: "lora")
    base.setFrozen(true)
    addChild("base", base)
    let a = Init.uniform([rank, base.inputs], bound: 1 / Float(base.inputs).squareRoot(), generator).requiringGrad()
    let b = Tensor.zeros([base.outputs, rank]).requiringGrad()
    addParameter("lora_A", a)
    addParameter("lora_B", b)
  }

  private init(copying o: LoRALinear, base: Linear) {
    rank = o.rank
    alpha = o.alpha
    enabled = o.enabled
    self.base = base
    super.init(kind: "lora")
    addChild("base", base)
  }

  public override func forward(_ x: Tensor) throws -> Tensor {
    let out = try base.forward(x)
    guard enabled else { return out }
    let a = ownParameters[0].tensor, b = ownParameters[1].tensor
    let update = try Tensor.linear(try Tensor.linear(x, a, nil), b, nil)
    return try out + update * (alpha / Float(rank))
  }

  public override var summary: String { "lora(rank: \(rank), alpha: \(alpha)) on \(base.summary)" }
  public override func copy() throws -> Module {
    let c = LoRALinear(copying: self, base: try base.typedCopy())
    c.addParameter("lora_A", ownParameters[0].tensor.detached())
    c.addParameter("lora_B", ownParameters[1].tensor.detached())
    return finishCopy(c)
  }
}

extension Module {
  /// Freezes every parameter and wraps each linear layer (except those named in `skip`) in a
  /// LoRA adapter. Returns how many layers were adapted.
  @discardableResult
  public func addLoRA(rank: Int, alpha: Float, skip: Set<String> = ["head"], generator: SeededGenerator) throws -> Int {
    guard rank > 0 else { throw CoreError("lora: rank must be positive, got \(rank)") }
    // Both adapter matrices of every layer must fit before the model is changed at all.
    func check(_ m: Module) throws {
      for (name, child) in m.children {
        if let linear = child as? Linear, !skip.contains(name) {
          try AllocationLimit.elements([rank, linear.inputs], "lora")
          try AllocationLimit.elements([linear.outputs, rank], "lora")
        } else if !(child is LoRALinear) {
          try check(child)
        }
      }
    }
    try check(self)
    setFrozen(true)
    var adapted = 0
    func visit(_ m: Module) {
      for (name, child) in m.children {
        if let linear = child as? Linear, !skip.contains(name) {
          m.replaceChild(named: name, with: LoRALinear(base: linear, rank: rank, alpha: alpha, generator: generator))
          adapted += 1
        } else if !(child is LoRALinear) {
          visit(child)
        }
      }
    }
    visit(self)
    guard adapted > 0 else { throw CoreError("lora: the model has no linear layers to adapt") }
    return adapted
  }

  /// Whether the model carries LoRA adapters (then RLHF's reference can be the model itself
  /// with its adapters off).
  public var hasAdapters: Bool { contains(LoRALinear.self) }

  /// Switches every LoRA adapter on or off.
  public func setAdapters(_ on: Bool) {
    if let l = self as? LoRALinear { l.enabled = on }
    for (_, child) in children { child.setAdapters(on) }
  }
}
