import PavlovCore

/// `Wordle-v0`, as LMRL-Gym plays it: guess a secret five-letter word in at most six guesses.
/// The action is the guess; the observation is the feedback on it, one mark per letter —
/// `g` (green: right letter, right place), `y` (yellow: in the word elsewhere, counted as the
/// game counts repeated letters) or `_` (not in the word) — as "crane: __y_g" (the first
/// observation asks for a guess). The state is the dialogue so far: a policy must remember every
/// feedback. Each guess pays -1 and the right word 0, ending the episode; a guess that is not a
/// word of the game's list is wasted (-1, and it counts). After six guesses the game is lost
/// (terminated). The secret is drawn from the list with the reset's seed (or fixed by the option
/// `secret`). `info.expert_action` is a scripted solver's guess: the first word of the list
/// consistent with every feedback so far; `info.candidates` counts those words.
public final class Wordle: Environment {
  public static let maxGuesses = 6
  public static let charset = Array("abcdefghijklmnopqrstuvwxyz_: .")
  public let envID: String
  public private(set) var secret = ""
  public private(set) var guesses: [(word: String, marks: String)] = []
  /// The words consistent with every feedback so far.
  private var candidates: [String] = []
  private let allowed: Set<String>
  private let generator = SeededGenerator(seed: 0)
  public let observationSpace: Space = .text(minLength: 1, maxLength: 32, charset: Wordle.charset)
  public let actionSpace: Space = .text(minLength: 1, maxLength: 8, charset: Array("abcdefghijklmnopqrstuvwxyz"))

  /// When set, every episode's secret (lessons and tests); otherwise drawn at each reset.
  public let fixedSecret: String?

  public init(secret: String? = nil, envID: String = "Wordle-v0") throws {
    self.envID = envID
    allowed = Set(Self.words)
    if let secret, !allowed.contains(secret) {
      throw CoreError("\(envID): option secret \"\(secret)\" is not one of the game's words", hint: "the words are five lower-case letters from the game's list of \(Self.words.count)")
    }
    fixedSecret = secret
  }

  static func make(_ options: EnvOptions) throws -> Environment {
    try Wordle(secret: try options.string("secret", default: nil), envID: options.envID)
  }

  /// The marks for `guess` against `secret`: greens first, then yellows while the secret still
  /// has unmatched copies of the letter (so "speed" against "abide" marks one e, not two).
  public static func marks(_ guess: String, _ secret: String) -> String {
    let g = Array(guess), s = Array(secret)
    var out = [Character](repeating: "_", count: g.count)
    var unmatched: [Character: Int] = [:]
    for i in g.indices {
      if i < s.count && g[i] == s[i] { out[i] = "g" } else if i < s.count { unmatched[s[i], default: 0] += 1 }
    }
    for i in g.indices where out[i] != "g" {
      if let left = unmatched[g[i]], left > 0 {
        out[i] = "y"
        unmatched[g[i]] = left - 1
      }
    }
    return String(out)
  }

  private var info: Info {
    ["expert_action": .string(candidates.first ?? Self.words[0]), "candidates": .int(candidates.count), "guesses": .int(guesses.count)]
  }

  public func reset(seed: UInt64?) throws -> Reset {
    if let seed { generator.reseed(seed) }
    secret = fixedSecret ?? Self.words[generator.nextInt(below: Self.words.count)]
    guesses = []
    candidates = Self.words
    return Reset(observation: .text("guess a five letter word."), info: info)
  }

  public func step(_ action: Point) throws -> Step {
    guard case .text(let guess) = action else {
      throw CoreError("\(envID): the action must be a guess, a string such as \"crane\", got \(action.description)")
    }
    let valid = allowed.contains(guess)
    let marks = valid ? Self.marks(guess, secret) : "not a word"
    guesses.append((guess, marks))
    if valid { candidates = candidates.filter { Self.marks(guess, $0) == marks } }
    let solved = guess == secret
    let lost = !solved && guesses.count >= Self.maxGuesses
    var stepInfo = info
    stepInfo["invalid"] = .bool(!valid)
    if solved || lost { stepInfo["secret"] = .string(secret) }
    return Step(observation: .text("\(guess): \(marks)"), reward: solved ? 0 : -1, terminated: solved || lost, info: stepInfo)
  }

  /// The guesses so far with their marks.
  public func render() -> String {
    guesses.isEmpty ? "guess 1 of \(Self.maxGuesses)" : guesses.map { "\($0.word)  \($0.marks)" }.joined(separator: "\n")
  }

  public func copy() -> Environment? {
    guard let twin = try? Wordle(secret: fixedSecret, envID: envID) else { return nil }
    (twin.secret, twin.guesses, twin.candidates) = (secret, guesses, candidates)
    twin.generator.copyState(from: generator)
    return twin
  }
}
