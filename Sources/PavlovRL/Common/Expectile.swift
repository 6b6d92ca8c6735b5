import PavlovTensor

/// Expectile regression (IQL's and ILQL's value loss): mean(|τ − 1(u < 0)| · u²) for residuals
/// u = target − prediction. τ = 0.5 is half the squared error (the mean); near 1 the prediction
/// climbs toward the largest targets (a soft maximum over the logged actions).
public enum Expectile {
  /// `u` carries the graph (the prediction's side); the weights are constants.
  public static func loss(_ u: Tensor, tau: Double) throws -> Tensor {
    let side = u.data.map { Float($0 < 0 ? 1 - tau : tau) }
    return try (Tensor(shape: u.shape, data: side) * (u * u)).mean()
  }
}
