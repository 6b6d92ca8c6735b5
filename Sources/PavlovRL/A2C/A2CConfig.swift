/// Advantage actor-critic (Mnih et al. 2016, synchronous form) is PPO's machinery with one
/// gradient step per rollout on all of it and the plain policy-gradient loss
/// −mean(log π(a|s)·A) instead of the clipped surrogate: `PPOTrainer` runs both, choosing the
/// loss by `config.algorithm`.
extension PPOConfig {
  /// SB3's A2C defaults: 5 steps per copy, one update per rollout, λ = 1, lr 7e-4, no
  /// advantage normalization. SB3 uses RMSprop (α 0.99, ε 1e-5); Pavlov uses Adam (ε 1e-5),
  /// which learns as well on the classic tasks and keeps one optimizer for every trainer.
  public static var a2c: PPOConfig {
    var c = PPOConfig()
    c.algorithm = "a2c"
    c.nSteps = 5
    c.epochs = 1
    c.lr = 7e-4
    c.gaeLambda = 1
    c.normalizeAdvantage = false
    return c
  }
}
