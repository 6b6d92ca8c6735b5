import PavlovTensor

/// SAC's policy (SB3's Actor): an MLP body with ReLU, then two linear heads for the mean and
/// the log standard deviation (clipped to [−20, 2]) of a Gaussian whose samples are squashed
/// by tanh into [−1, 1]. `forward` gives the deterministic action, tanh(mean).
public final class SquashedGaussianActor: Module {
  public let body: Sequential
  public let mean: Linear
  public let logStd: Linear
  public let actionSize: Int

  public init(inputs: Int, actions: Int, hidden: [Int], generator: SeededGenerator) throws {
    body = try Sequential.mlp([inputs] + hidden, activation: .relu, outputActivation: .relu, generator: generator)
    mean = Linear(hidden.last ?? inputs, actions, generator: generator)
    logStd = Linear(hidden.last ?? inputs, actions, generator: generator)
    actionSize = actions
    super.init(kind: "squashed_gaussian_actor")
    addChild("body", body)
    addChild("mean", mean)
    addChild("log_std", logStd)
  }

  private init(body: Sequential, mean: Linear, logStd: Linear, actions: Int) {
    self.body = body
    self.mean = mean
    self.logStd = logStd
    actionSize = actions
    super.init(kind: "squashed_gaussian_actor")
    addChild("body", body)
    addChild("mean", mean)
    addChild("log_std", logStd)
  }

  public override func forward(_ x: Tensor) throws -> Tensor { try mean.forward(body.forward(x)).tanh() }

  /// Reparameterized samples for a batch of observations (`noise`: standard normal draws, one
  /// per action value) and their log-probabilities under the squashed distribution.
  public func sample(_ observations: Tensor, noise: Tensor) throws -> (actions: Tensor, logProb: Tensor) {
    let h = try body.forward(observations)
    return try Self.squash(mean: mean.forward(h), logStd: logStd.forward(h), noise: noise)
  }

  /// a = tanh(μ + σ·ε) and log π(a) = log N(u; μ, σ) − Σ log(1 − tanh(u)² + 1e-6), summed over the
  /// action's values (SB3's SquashedDiagGaussianDistribution, its epsilon included). With
  /// u − μ = σ·ε, the Gaussian term is −ε²/2 − log σ − log √(2π), written that way so its
  /// gradient is exact rather than the difference of two rounded terms.
  public static func squash(mean: Tensor, logStd: Tensor, noise: Tensor) throws -> (actions: Tensor, logProb: Tensor) {
    let clippedLogStd = logStd.clipped(min: -20, max: 2)
    let u = try mean + clippedLogStd.exp() * noise
    let actions = u.tanh()
    let gaussian = try (noise * noise * -0.5 - clippedLogStd - 0.918_938_5).sum(axis: 1)
    let correction = try (1 - actions * actions + 1e-6).log().sum(axis: 1)
    return (actions, try gaussian - correction)
  }

  public override var summary: String { "squashed_gaussian_actor(\(actionSize))" }
  public override func copy() throws -> Module {
    guard let body = try body.copy() as? Sequential, let mean = try mean.copy() as? Linear, let logStd = try logStd.copy() as? Linear else {
      throw CoreError("squashed_gaussian_actor: could not copy")
    }
    return finishCopy(SquashedGaussianActor(body: body, mean: mean, logStd: logStd, actions: actionSize))
  }
}
