/// β, the weight of a KL penalty: fixed, or adaptive (Ziegler et al., 2019) so the measured KL
/// tracks a target — β ← β·(1 + clip(KL/target − 1, ±0.2)·n/horizon) after each batch of n
/// samples. RLHF's trainers and the `kl_controller` builtin both use this one.
public struct KLController: Sendable {
  public private(set) var value: Double
  /// nil: β stays fixed.
  public let target: Double?
  public let horizon: Double

  public init(value: Double, target: Double? = nil, horizon: Double = 10_000) {
    self.value = value
    self.target = target
    self.horizon = horizon
  }

  /// Adapts β to the mean KL `kl` measured over `count` samples (nothing when β is fixed).
  public mutating func update(kl: Double, count: Int) {
    guard let target else { return }
    let error = Swift.min(Swift.max(kl / target - 1, -0.2), 0.2)
    value *= 1 + error * Double(count) / horizon
  }
}
