/// ILQL's settings (Snell et al., 2022), with trlx's loss weights; the target heads move faster
/// than trlx's because CPU-scale runs are hundreds of updates, not tens of thousands.
public struct ILQLConfig: Sendable {
  /// What the Q heads regress to.
  public enum Targets: String, Sendable, CaseIterable {
    /// ILQL's one-step targets through V (and V's expectile of Q̂).
    case td
    /// The logged dialogue's Monte-Carlo return from each token on, no bootstrapping: LMRL-Gym's
    /// "MC Returns" baseline, decoded the same way.
    case mc
  }

  public var targets = Targets.td
  /// The discount between turns. A response is one action: its tokens are not discounted
  /// among themselves, so γ means what the environment's γ means.
  public var gamma = 0.99
  /// τ of the expectile V regresses to, over the target Q of the logged tokens.
  public var expectile = 0.7
  /// α of the conservative term: cross-entropy of the Q logits toward the logged token.
  public var cqlWeight = 0.1
  /// The weight of the language-model loss on the logged responses (the behaviour policy π_β
  /// that decoding reweights).
  public var bcWeight = 1.0
  /// Polyak rate of the target Q heads after every update.
  public var targetTau = 0.01
  /// Decoding's default β: logits log π_β(a|s) + β·(Q(s, a) − V(s)).
  public var beta = 1.0
  public var steps = 500
  public var batchSize = 32
  public var lr: Float = 1e-3
  public var maxGradNorm: Float = 1

  public init() {}

  /// What is wrong with the settings, or nil.
  public func problem() -> String? {
    if !(gamma >= 0 && gamma <= 1) { return "gamma must be in [0, 1], got \(gamma)" }
    if !(expectile > 0 && expectile < 1) { return "expectile must be in (0, 1), got \(expectile)" }
    if !(cqlWeight >= 0 && cqlWeight.isFinite) { return "cql must be a number ≥ 0, got \(cqlWeight)" }
    if !(bcWeight >= 0 && bcWeight.isFinite) { return "bc must be a number ≥ 0, got \(bcWeight)" }
    if !(targetTau > 0 && targetTau <= 1) { return "target_tau must be in (0, 1], got \(targetTau)" }
    if !(beta >= 0 && beta.isFinite) { return "beta must be a number ≥ 0, got \(beta)" }
    if steps < 0 { return "steps must be ≥ 0, got \(steps)" }
    if batchSize < 1 { return "batch must be at least 1, got \(batchSize)" }
    if !(lr > 0 && lr.isFinite) { return "lr must be a positive number, got \(lr)" }
    if !(maxGradNorm > 0 && maxGradNorm.isFinite) { return "max_grad_norm must be a positive number, got \(maxGradNorm)" }
    return nil
  }
}
