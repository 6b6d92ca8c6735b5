import PavlovTensor

/// SAC's three losses, shared by the online trainer and offline continuous CQL (one form, so
/// both round the same way).
enum SoftActorCritic {
  /// Standard normal draws for `rows` samples of `width` action values (the reparameterization's noise).
  static func noise(rows: Int, width: Int, _ generator: SeededGenerator) -> Tensor {
    var values = [Float](repeating: 0, count: rows * width)
    for i in values.indices { values[i] = Float(generator.nextGaussian()) }
    return Tensor(shape: [rows, width], data: values)
  }

  /// The entropy coefficient's loss −mean(log α · (log π + target entropy)).
  static func entropyLoss(logAlpha: Tensor, logProb: Tensor, targetEntropy: Float) throws -> Tensor {
    try (logAlpha * (logProb.detached() + targetEntropy)).mean() * -1
  }

  /// The critics' target r + γ(1 − terminated)(min Q_target(s′, a′) − α log π(a′|s′)), a′ ~ π(·|s′)
  /// from `noise`, without gradients.
  static func target(next: Tensor, rewards: Tensor, notDone: Tensor, noise: Tensor, actor: SquashedGaussianActor,
                     q1Target: Module, q2Target: Module, alpha: Float, gamma: Float) throws -> Tensor {
    try Autograd.noGrad { () throws -> Tensor in
      let (nextPi, nextLogProb) = try actor.sample(next, noise: noise)
      let input = try Tensor.cat([next, nextPi], axis: 1)
      let q = try Tensor.minimum(q1Target.forward(input), q2Target.forward(input))
      return try rewards + notDone * (q - nextLogProb.unsqueezed(1) * alpha) * gamma
    }
  }

  /// The actor's loss mean(α log π(a|s) − min Q(s, a)) for its reparameterized samples a.
  static func actorLoss(observations: Tensor, actions: Tensor, logProb: Tensor, q1: Module, q2: Module, alpha: Float) throws -> Tensor {
    let chosen = try Tensor.cat([observations, actions], axis: 1)
    let qPi = try Tensor.minimum(q1.forward(chosen), q2.forward(chosen))
    return try (logProb.unsqueezed(1) * alpha - qPi).mean()
  }
}
