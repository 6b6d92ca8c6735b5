/// One-step TD targets for Q-learning on a minibatch:
/// y = r + γ · (1 − terminated) · Q_target(s', a*), with a* = argmax Q_target(s', ·) (DQN) or
/// a* = argmax Q_online(s', ·) (double DQN). Truncated transitions are not marked terminated,
/// so they bootstrap; only a true terminal state stops the sum.
public enum TDTargets {
  /// Writes `rows` targets into `out`. `nextTarget` and `nextOnline` are (rows × actions),
  /// row-major; pass `nextOnline` for double DQN.
  public static func compute(rewards: UnsafeBufferPointer<Float>, terminals: UnsafeBufferPointer<Float>,
                             nextTarget: UnsafeBufferPointer<Float>, nextOnline: UnsafeBufferPointer<Float>?,
                             actions: Int, gamma: Float, into out: UnsafeMutableBufferPointer<Float>) {
    for r in 0..<out.count {
      let row = r * actions
      let choice = nextOnline.map { argmax($0, row, actions) } ?? argmax(nextTarget, row, actions)
      out[r] = rewards[r] + gamma * (1 - terminals[r]) * nextTarget[row + choice]
    }
  }

  /// The same on arrays, for tests and callers without pointers at hand. `discounts` (one per
  /// row) replaces γ for n-step transitions, whose bootstrap is γ^k steps away.
  public static func compute(rewards: [Float], terminals: [Float], nextTarget: [Float], nextOnline: [Float]?,
                             actions: Int, gamma: Float, discounts: [Float]? = nil) -> [Float] {
    if let discounts {
      // Row by row, each with its own γ^k: the same arithmetic as a batch with one γ.
      return rewards.indices.map { r in
        compute(rewards: [rewards[r]], terminals: [terminals[r]], nextTarget: Array(nextTarget[(r * actions)..<((r + 1) * actions)]),
                nextOnline: nextOnline.map { Array($0[(r * actions)..<((r + 1) * actions)]) }, actions: actions, gamma: discounts[r])[0]
      }
    }
    var out = [Float](repeating: 0, count: rewards.count)
    rewards.withUnsafeBufferPointer { r in
      terminals.withUnsafeBufferPointer { t in
        nextTarget.withUnsafeBufferPointer { q in
          out.withUnsafeMutableBufferPointer { o in
            if let nextOnline {
              nextOnline.withUnsafeBufferPointer { online in
                compute(rewards: r, terminals: t, nextTarget: q, nextOnline: online, actions: actions, gamma: gamma, into: o)
              }
            } else {
              compute(rewards: r, terminals: t, nextTarget: q, nextOnline: nil, actions: actions, gamma: gamma, into: o)
            }
          }
        }
      }
    }
    return out
  }

  /// The first index of the largest of `count` values from `start` (torch's argmax on ties).
  @inline(__always)
  static func argmax(_ values: UnsafeBufferPointer<Float>, _ start: Int, _ count: Int) -> Int {
    var best = 0
    for a in 1..<count where values[start + a] > values[start + best] { best = a }
    return best
  }
}
