import PavlovTensor

/// The parts of PPO's objective that every PPO in Pavlov shares — control (`PPOLoss`) and
/// language models (`PolicyTrainer` in PavlovLM) — each written once:
///
///     ratio      = exp(log π(a|s) − log π_old(a|s))
///     surrogate  = −mean(min(ratio·A, clip(ratio, 1 − ε, 1 + ε)·A))
///     V_clipped  = V_old + clip(V − V_old, −ε_v, ε_v)
///
/// plus SB3's diagnostics: approx_kl = mean((ratio − 1) − log ratio) (k3) and
/// clip_fraction = mean(|ratio − 1| > ε).
public enum PPOObjective {
  public static func ratio(logProbs: Tensor, oldLogProbs: Tensor) throws -> Tensor {
    try (logProbs - oldLogProbs).exp()
  }

  /// The clipped surrogate loss (to minimize).
  public static func clippedSurrogate(ratio: Tensor, advantage: Tensor, clip: Double) throws -> Tensor {
    let unclipped = try ratio * advantage
    let clipped = try ratio.clipped(min: Float(1 - clip), max: Float(1 + clip)) * advantage
    return -(try Tensor.minimum(unclipped, clipped).mean())
  }

  /// Value predictions kept within ±`clip` of the rollout's.
  public static func clippedValues(_ values: Tensor, old: Tensor, clip: Double) throws -> Tensor {
    try old + (try values - old).clipped(min: Float(-clip), max: Float(clip))
  }

  /// SB3's value loss: mean((R − V)²), V clipped around the rollout's values when `clip` is set.
  public static func squaredValueLoss(_ values: Tensor, old: Tensor, returns: Tensor, clip: Double?) throws -> Tensor {
    let prediction = try clip.map { try clippedValues(values, old: old, clip: $0) } ?? values
    return try Tensor.mseLoss(prediction, returns)
  }

  /// The PPO paper's and TRL's value loss: mean(max((V − R)², (V_clipped − R)²)), so clipping
  /// can only make the loss larger (a pessimistic bound, like the policy's).
  public static func pessimisticValueLoss(_ values: Tensor, old: Tensor, returns: Tensor, clip: Double) throws -> Tensor {
    let clipped = try clippedValues(values, old: old, clip: clip)
    return try Tensor.maximum(try (values - returns).pow(2), try (clipped - returns).pow(2)).mean()
  }

  /// Σ approx_kl and the number of clipped ratios over a batch (callers average them as they
  /// need: per minibatch, per token).
  public static func diagnostics(ratio: Tensor, logProbs: Tensor, oldLogProbs: [Float], clip: Double) -> (klSum: Double, clipped: Int) {
    var kl = 0.0, outside = 0
    for k in 0..<oldLogProbs.count {
      let r = Double(ratio.data[k])
      kl += KLEstimator.k3(ratio: r, logRatio: Double(logProbs.data[k]) - Double(oldLogProbs[k]))
      if Swift.abs(r - 1) > clip { outside += 1 }
    }
    return (kl, outside)
  }
}
