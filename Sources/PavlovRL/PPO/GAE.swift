/// Generalized advantage estimation (Schulman et al. 2016) over a rollout of T steps × N copies,
/// rows stored step-major (row t·N + i is copy i at step t), with SB3's handling of episode ends:
///
/// - a *terminated* episode has no future: nothing is bootstrapped past it;
/// - a *truncated* one (a time limit) still had a future worth V(final observation), so
///   γ·V(final) is added to that step's reward — then, like any episode end, the recursion
///   stops there (the next row belongs to a new episode).
///
///     δ_t = r_t + γ·V(s_{t+1})·(1 − done_t) − V(s_t)
///     A_t = δ_t + γλ·(1 − done_t)·A_{t+1}          returns R_t = A_t + V(s_t)
///
/// with V(s_T) the values of the observations after the rollout (`lastValues`).
public enum GAE {
  /// Advantages and returns (each T·N). `truncationValues[k]` is V(final observation) for rows
  /// truncated but not terminated, and is ignored elsewhere. Rewards are widened to Double
  /// (control's are Float; RLHF's per-token rewards, a score less β·KL, are Double).
  public static func compute<Reward: BinaryFloatingPoint>(rewards: [Reward], values: [Float], terminated: [Bool], truncated: [Bool],
                             truncationValues: [Float], lastValues: [Float], steps: Int, copies: Int,
                             gamma: Double, lambda: Double) -> (advantages: [Float], returns: [Float]) {
    let n = copies
    var advantages = [Float](repeating: 0, count: steps * n)
    var returns = advantages
    for i in 0..<n {
      var next = 0.0  // A_{t+1}
      for t in stride(from: steps - 1, through: 0, by: -1) {
        let k = t * n + i
        let done = terminated[k] || truncated[k]
        var reward = Double(rewards[k])
        if truncated[k] && !terminated[k] { reward += gamma * Double(truncationValues[k]) }
        let nextValue = t == steps - 1 ? Double(lastValues[i]) : Double(values[k + n])
        let live = done ? 0.0 : 1.0
        let delta = reward + gamma * nextValue * live - Double(values[k])
        next = delta + gamma * lambda * live * next
        advantages[k] = Float(next)
        returns[k] = Float(next + Double(values[k]))
      }
    }
    return (advantages, returns)
  }

  /// 1 − Var(returns − values) / Var(returns): how much of the returns' variance the value
  /// function explains (1 perfect, 0 no better than a constant, negative worse); nan when the
  /// returns do not vary, as SB3's `explained_variance`.
  public static func explainedVariance(values: [Float], returns: [Float]) -> Double {
    func variance(_ x: [Double]) -> Double {
      let m = x.reduce(0, +) / Double(x.count)
      return x.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(x.count)
    }
    guard !returns.isEmpty else { return .nan }
    let r = returns.map(Double.init)
    let varReturns = variance(r)
    guard varReturns > 0 else { return .nan }
    return 1 - variance(zip(r, values).map { $0 - Double($1) }) / varReturns
  }
}
