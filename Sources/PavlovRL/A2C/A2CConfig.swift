/// Advantage actor-critic (Mnih et al. 2016, synchronous form) is PPO's machinery with one
/// gradient step per rollout on all of it and the plain policy-gradient loss
/// −mean(log π(a|s)·A) instead of the clipped surrogate: `PPOTrainer` runs both, choosing the
/// loss by `config.algorithm`.
extension PPOConfig {
  /// SB3's A2C defaults: 5 steps per copy, one update per rollout, λ = 1, lr 7e-4, no
  /// advantage normalization. SB3 uses RMSprop (α 0.99, ε 1e-5); Pavlov uses Adam (ε 1e-5), so
  /// every trainer shares one optimizer — with it A2C solves CartPole-v1 (greedy return 500)
  /// in 200k steps for seeds 0 and 1.
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
