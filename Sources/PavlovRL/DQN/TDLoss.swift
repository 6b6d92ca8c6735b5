/// DQN's loss: the Huber loss (δ = 1, SB3's smooth_l1_loss) of the Q-values of the actions taken
/// against their TD targets, averaged over the rows, with its gradient with respect to every
/// Q-value. The arithmetic is `Tensor.huberLoss` on `gather` under autograd, operation for
/// operation, so the loss and the gradient are the same bits.
public enum TDLoss {
  /// Returns the loss and writes its gradient into `gradient` (rows × actions, zero but for the
  /// actions taken). `q` is (rows × actions) row-major; `targets` and `taken` have one per row.
  public static func huber(q: UnsafeBufferPointer<Float>, taken: UnsafeBufferPointer<Int64>, targets: UnsafeBufferPointer<Float>,
                           actions: Int, gradient: UnsafeMutableBufferPointer<Float>) -> Float {
    let rows = targets.count
    // Mean's backward: each row's share of the loss.
    let share = 1 / Float(rows)
    var total = 0.0
    for i in 0..<(rows * actions) { gradient[i] = 0 }
    for r in 0..<rows {
      let at = r * actions + Int(taken[r])
      let diff = q[at] - targets[r], size = abs(diff)
      if size <= 1 {
        total += Double(diff * diff * 0.5)
        // d(diff·diff·0.5): each factor of the product gets share·0.5·diff.
        let half = share * 0.5 * diff
        gradient[at] = half + half
      } else {
        total += Double((size - 0.5) * 1)
        gradient[at] = diff > 0 ? share : (diff < 0 ? -share : 0)
      }
    }
    return Float(total) / Float(rows)
  }
}
