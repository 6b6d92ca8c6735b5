import PavlovTensor

/// Estimators of KL(π ‖ π_ref) from one sample's log-ratio (Schulman, "Approximating KL
/// divergence"), in one place for RLHF's penalty, GRPO's loss term and PPO's approx_kl
/// diagnostic. With x = log π_ref(a) − log π(a) and r = e^x:
///
///     k1 = −x                 unbiased, can be negative per sample
///     k2 = x² / 2             biased, never negative, low variance
///     k3 = (r − 1) − x        unbiased, never negative, low variance
public enum KLEstimator: String, CaseIterable, Sendable {
  case k1, k2, k3

  public func value(logProb: Double, refLogProb: Double) -> Double {
    switch self {
    case .k1: return logProb - refLogProb
    case .k2:
      let logRatio = refLogProb - logProb
      return logRatio * logRatio / 2
    case .k3:
      let logRatio = refLogProb - logProb
      return Self.k3(ratio: PortableMath.exp(logRatio), logRatio: logRatio)
    }
  }

  /// k3 when the ratio is already known (PPO's approx_kl reads the ratio its loss computed).
  public static func k3(ratio: Double, logRatio: Double) -> Double { (ratio - 1) - logRatio }

  /// k3 per element with its gradient: exp(x) − x − 1 (GRPO's KL term in the loss).
  public static func k3(logRatio: Tensor) throws -> Tensor { try logRatio.exp() - logRatio - 1 }
}
