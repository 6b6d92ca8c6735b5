import PavlovTensor

/// Generalized state-dependent exploration (gSDE; Raffin et al. 2021, SB3's
/// `StateDependentNoiseDistribution` with its defaults): the action noise is the policy's last
/// hidden features φ(s) times a matrix E drawn from N(0, σ²) with σ = exp(log_std) of shape
/// [features, actions], and E is kept for several steps, so exploration is smooth in time and
/// varies with the state. Its log-probabilities are a diagonal Gaussian's with variance
/// φ(s)² · σ² (+1e-6); φ carries no gradient there (SB3's learn_features false).
public struct StateDependentNoise: Sendable {
  public let features: Int
  public let actions: Int
  static let epsilon: Float = 1e-6

  /// The standard deviation of each action, [B, actions]: √(φ² · σ² + ε).
  func std(features phi: Tensor, logStd: Tensor) throws -> Tensor {
    let sigma = logStd.exp()
    return try ((phi * phi).matmul(sigma * sigma) + Self.epsilon).sqrt()
  }

  /// `count` exploration matrices [features × actions] drawn from N(0, σ²), one after the other.
  func sampleMatrices(count: Int, logStd: Tensor, generator: SeededGenerator) -> [Float] {
    let sigma = logStd.data.map { PortableMath.exp(Double($0)) }
    var matrices = [Float](repeating: 0, count: count * sigma.count)
    for k in matrices.indices { matrices[k] = Float(sigma[k % sigma.count] * generator.nextGaussian()) }
    return matrices
  }

  /// The noise φ(s_i) · E_i of each row i with its own matrix ([B, features] → [B, actions]).
  func noise(features phi: Tensor, matrices: [Float]) -> [Float] {
    let rows = phi.shape[0]
    var out = [Float](repeating: 0, count: rows * actions)
    let block = features * actions
    for i in 0..<rows {
      for j in 0..<actions {
        var sum: Float = 0
        for f in 0..<features { sum += phi.data[i * features + f] * matrices[i * block + f * actions + j] }
        out[i * actions + j] = sum
      }
    }
    return out
  }
}
