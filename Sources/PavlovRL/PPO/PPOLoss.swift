import PavlovTensor

/// The PPO objective for one minibatch (SB3's `PPO.train`), and A2C's, from `PPOObjective`'s
/// parts:
///
///     policy_loss  = the clipped surrogate                      (A2C: −mean(log π(a|s)·A))
///     value_loss   = mean((R − V(s))²), V optionally kept within ±ε_v of the rollout's value
///     entropy_loss = −mean(entropy)
///     loss         = policy_loss + ent_coef·entropy_loss + vf_coef·value_loss
public struct PPOLoss {
  public let policyLoss: Tensor
  public let valueLoss: Tensor
  public let entropyLoss: Tensor
  public let total: Tensor
  public let approxKl: Double
  public let clipFraction: Double

  /// `advantages` are used as given (normalize them first with `normalized` if wanted).
  /// `clip` nil means A2C's unclipped policy gradient.
  public init(logProbs: Tensor, oldLogProbs: [Float], advantages: [Float], values: Tensor, oldValues: [Float], returns: [Float],
              entropy: Tensor, clip: Double?, clipValue: Double?, entCoef: Double, vfCoef: Double) throws {
    let b = oldLogProbs.count
    let advantage = Tensor(shape: [b], data: advantages)
    if let clip {
      let ratio = try PPOObjective.ratio(logProbs: logProbs, oldLogProbs: Tensor(shape: [b], data: oldLogProbs))
      policyLoss = try PPOObjective.clippedSurrogate(ratio: ratio, advantage: advantage, clip: clip)
      let (kl, outside) = PPOObjective.diagnostics(ratio: ratio, logProbs: logProbs, oldLogProbs: oldLogProbs, clip: clip)
      approxKl = kl / Double(b)
      clipFraction = Double(outside) / Double(b)
    } else {
      policyLoss = -(try (logProbs * advantage).mean())
      approxKl = 0
      clipFraction = 0
    }
    valueLoss = try PPOObjective.squaredValueLoss(values, old: Tensor(shape: [b], data: oldValues), returns: Tensor(shape: [b], data: returns),
                                                 clip: clipValue)
    entropyLoss = -(try entropy.mean())
    total = try policyLoss + (try entropyLoss * Float(entCoef)) + (try valueLoss * Float(vfCoef))
  }

  /// (x − mean) / (std + 1e-8) with the unbiased std (torch's default, as SB3); a single value
  /// is left as is, since its std is undefined.
  public static func normalized(_ advantages: [Float]) -> [Float] {
    let n = advantages.count
    guard n > 1 else { return advantages }
    var sum: Float = 0
    for a in advantages { sum += a }
    let mean = sum / Float(n)
    var squares: Float = 0
    for a in advantages { squares += (a - mean) * (a - mean) }
    let std = (squares / Float(n - 1)).squareRoot()
    return advantages.map { ($0 - mean) / (std + 1e-8) }
  }
}
