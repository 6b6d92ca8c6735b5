import PavlovCore

/// Elo ratings (expected score 1 / (1 + 10^((Rb − Ra)/400)), update K·(score − expected)) for a
/// self-play league: a draw scores ½.
public enum Elo {
  public static let initial = 1000.0

  public static func expected(_ rating: Double, against other: Double) -> Double {
    1 / (1 + PortableMath.pow(10, (other - rating) / 400))
  }

  /// The two ratings after a game that scored `score` (1 win, ½ draw, 0 loss) for the first.
  public static func update(_ a: Double, _ b: Double, score: Double, k: Double = 16) -> (Double, Double) {
    let change = k * (score - expected(a, against: b))
    return (a + change, b - change)
  }
}
