import Glibc
import PavlovTensor

/// The pieces of the PPO objective for one minibatch (SB3's `PPO.train`), and of A2C's:
///
///     ratio        = exp(log π(a|s) − log π_old(a|s))
///     policy_loss  = −mean(min(ratio·A, clip(ratio, 1 − ε, 1 + ε)·A))     (A2C: −mean(log π(a|s)·A))
///     value_loss   = mean((R − V(s))²), V optionally kept within ±ε_v of the rollout's value
///     entropy_loss = −mean(entropy)
///     loss         = policy_loss + ent_coef·entropy_loss + vf_coef·value_loss
///
/// plus the diagnostics SB3 logs: approx_kl = mean((ratio − 1) − log ratio) (Schulman's
/// low-variance estimator) and clip_fraction = mean(|ratio − 1| > ε).
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
    let old = Tensor(shape: [b], data: oldLogProbs)
    if let clip {
      let ratio = try (logProbs - old).exp()
      let unclipped = try ratio * advantage
      let clipped = try ratio.clipped(min: Float(1 - clip), max: Float(1 + clip)) * advantage
      policyLoss = -(try Tensor.minimum(unclipped, clipped).mean())
      // Diagnostics from the numbers alone.
      var kl = 0.0, outside = 0
      for k in 0..<b {
        let logRatio = Double(logProbs.data[k]) - Double(oldLogProbs[k])
        let r = Double(ratio.data[k])
        kl += (r - 1) - logRatio
        if Swift.abs(r - 1) > clip { outside += 1 }
      }
      approxKl = kl / Double(b)
      clipFraction = Double(outside) / Double(b)
    } else {
      policyLoss = -(try (logProbs * advantage).mean())
      approxKl = 0
      clipFraction = 0
    }
    let target = Tensor(shape: [b], data: returns)
    var prediction = values
    if let clipValue {
      let before = Tensor(shape: [b], data: oldValues)
      prediction = try before + (try values - before).clipped(min: Float(-clipValue), max: Float(clipValue))
    }
    valueLoss = try Tensor.mseLoss(prediction, target)
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
