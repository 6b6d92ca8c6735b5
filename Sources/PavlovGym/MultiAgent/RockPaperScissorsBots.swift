/// RockPaperScissors-v0's opponents, each a pattern a learner can find in its own observation.
/// A bot sees only the observation of the player it plays for; it reads the most recent round
/// (the first six numbers: its own move's one-hot, then the opponent's), so it works for any
/// `memory`. With no round yet played, the patterned bots open with rock.
public enum RockPaperScissorsBots {
  public static let kinds = ["rock", "cycle", "copy", "beat_last", "biased", "random"]

  public static func make(_ kind: String) throws -> Bot {
    switch kind {
    case "rock": return Bot(name: kind) { _, _ in .int(0) }
    case "cycle":
      // rock, paper, scissors, rock, …: the move after its own last one.
      return Bot(name: kind) { observation, _ in .int(try lastRound(observation).map { ($0.own + 1) % 3 } ?? 0) }
    case "copy":
      return Bot(name: kind) { observation, _ in .int(try lastRound(observation)?.other ?? 0) }
    case "beat_last":
      return Bot(name: kind) { observation, _ in
        .int(try lastRound(observation).map { RockPaperScissors.beats($0.other) } ?? 0)
      }
    case "biased":
      // rock half the time, paper and scissors a quarter each.
      return Bot(name: kind) { _, generator in .int([0, 0, 1, 2][generator.nextInt(below: 4)]) }
    case "random": return Bot(name: kind) { _, generator in .int(generator.nextInt(below: 3)) }
    default:
      throw CoreError("RockPaperScissors-v0 has no bot \"\(kind)\"", hint: "its bots: \(kinds.joined(separator: ", "))")
    }
  }

  /// The bot's own and the opponent's move in the most recent round (nil before the first).
  static func lastRound(_ observation: Point) throws -> (own: Int, other: Int)? {
    guard case .reals(let numbers) = observation, numbers.count >= 6, numbers.count % 6 == 0 else {
      throw CoreError("RockPaperScissors-v0 bot: \(observation.description) is not an observation of this game",
                      hint: "give the bot its player's observation: six numbers per remembered round")
    }
    guard let own = (0..<3).first(where: { numbers[$0] > 0.5 }),
          let other = (0..<3).first(where: { numbers[3 + $0] > 0.5 }) else { return nil }
    return (own, other)
  }
}
