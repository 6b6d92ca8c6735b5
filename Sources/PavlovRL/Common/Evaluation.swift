/// How every trainer is evaluated unless told otherwise — the `evaluate` method, `pavlov train`'s
/// final evaluation and `pavlov evaluate` all read these.
public enum Evaluation {
  /// Episode k is reset with seed + k: episodes training never reset to (its envs draw their
  /// seeds from the trainer's generator), and the same ones for every trainer and run.
  public static let seed: UInt64 = 10_000
  /// Deterministic episodes (SB3's `evaluate_policy` default).
  public static let episodes = 10
}
