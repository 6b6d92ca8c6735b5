import PavlovTensor

/// Target networks' updates, in place: θ_target ← (1 − τ)·θ_target + τ·θ (Polyak averaging),
/// a plain copy when τ is 1. DQN's target network, SAC's target critics and ILQL's target Q
/// heads move this way.
public enum SoftUpdate {
  public static func blend(_ target: Module, toward online: Module, tau: Float) {
    for ((_, t), (_, o)) in zip(target.namedParameters(), online.namedParameters()) {
      o.data.withUnsafeBufferPointer { src in
        t.withMutableData { data in
          data.withUnsafeMutableBufferPointer { dst in
            if tau >= 1 {
              for i in 0..<dst.count { dst[i] = src[i] }
            } else {
              for i in 0..<dst.count { dst[i] = (1 - tau) * dst[i] + tau * src[i] }
            }
          }
        }
      }
    }
  }
}
