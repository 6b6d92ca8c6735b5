import PavlovCore

/// The table of a yes/no guessing game: the things one may hide, the properties the oracle
/// answers, and how questions are phrased. `TwentyQuestions` and `GuessMyCity` are two tables.
public struct QuestionTable: Sendable {
  /// The env's id, for errors.
  public let envID: String
  /// What is hidden ("object"): the name of the `make` option that fixes it and of the info key
  /// that tells it at the end; `nounPlural` names the list in errors.
  public let noun: String
  public let nounPlural: String
  /// The first observation.
  public let intro: String
  /// A question is `askPrefix + property + "?"`, a guess `guessPrefix + name + "?"`.
  public let askPrefix: String
  public let guessPrefix: String
  public let properties: [String]
  /// The items and the properties each has (indices into `properties`).
  public let items: [(name: String, has: Set<Int>)]

  public init(envID: String, noun: String, nounPlural: String, intro: String, askPrefix: String, guessPrefix: String,
              properties: [String], items: [(name: String, has: Set<Int>)]) {
    (self.envID, self.noun, self.nounPlural, self.intro) = (envID, noun, nounPlural, intro)
    (self.askPrefix, self.guessPrefix, self.properties, self.items) = (askPrefix, guessPrefix, properties, items)
  }

  public func question(_ property: Int) -> String { askPrefix + properties[property] + "?" }
  public func guess(_ item: Int) -> String { guessPrefix + items[item].name + "?" }
}

/// A yes/no guessing game over a `QuestionTable`, after LMRL-Gym's twenty questions. The action is
/// a question from the table's grammar — a property question or a guess — and the observation is
/// the rule-based oracle's answer, as "is it alive? yes." A question outside the grammar is
/// answered "unknown." and wasted. Each question pays -1; the right guess pays 0 and ends the
/// episode; `maxQuestions` questions without it end the game (terminated). The hidden item is
/// drawn from the table at reset (or fixed by the option named `table.noun`).
/// `info.expert_action` is a scripted questioner's next question: while several items fit every
/// answer so far, the property that splits them most evenly; then the guess. `info.candidates`
/// counts the items that fit.
public final class QuestionGame: Environment {
  public static let maxQuestions = 20
  public static let charset = Array("abcdefghijklmnopqrstuvwxyz ?.")
  public let table: QuestionTable
  public let fixedAnswer: String?
  public private(set) var hidden = 0
  public private(set) var dialogue: [(question: String, answer: String)] = []
  private var candidates: [Int] = []
  private let generator = SeededGenerator(seed: 0)
  // A question is at most 40 characters; its answer adds at most 9 (" unknown.").
  public let observationSpace: Space = .text(minLength: 1, maxLength: 64, charset: QuestionGame.charset)
  public let actionSpace: Space = .text(minLength: 1, maxLength: 40, charset: QuestionGame.charset)

  public init(_ table: QuestionTable, answer: String? = nil) throws {
    if let answer, !table.items.contains(where: { $0.name == answer }) {
      throw CoreError("\(table.envID): option \(table.noun) \"\(answer)\" is not in the table",
                      hint: "the \(table.nounPlural) are \(table.items.map(\.name).joined(separator: ", "))")
    }
    self.table = table
    fixedAnswer = answer
  }

  static func make(_ options: EnvOptions, table: QuestionTable) throws -> Environment {
    try QuestionGame(table, answer: try options.string(table.noun, default: nil))
  }

  /// The scripted questioner: the property whose yes/no split of the fitting items is most even
  /// (the first on ties), or the guess when one item fits.
  var expertAction: String {
    if candidates.count <= 1 { return table.guess(candidates.first ?? 0) }
    var best = 0, bestBalance = Int.max
    for p in table.properties.indices {
      let yes = candidates.filter { table.items[$0].has.contains(p) }.count
      let balance = Swift.abs(2 * yes - candidates.count)
      if yes > 0 && yes < candidates.count && balance < bestBalance { (best, bestBalance) = (p, balance) }
    }
    // Items no property tells apart: guess them one by one.
    return bestBalance == Int.max ? table.guess(candidates[0]) : table.question(best)
  }

  private var info: Info {
    ["expert_action": .string(expertAction), "candidates": .int(candidates.count), "questions": .int(dialogue.count)]
  }

  public func reset(seed: UInt64?) throws -> Reset {
    if let seed { generator.reseed(seed) }
    let drawn = generator.nextInt(below: table.items.count)
    hidden = fixedAnswer.flatMap { name in table.items.firstIndex { $0.name == name } } ?? drawn
    dialogue = []
    candidates = Array(table.items.indices)
    return Reset(observation: .text(table.intro), info: info)
  }

  public func step(_ action: Point) throws -> Step {
    guard case .text(let question) = action else {
      throw CoreError("\(table.envID): the action must be a question such as \"\(table.question(0))\", got \(action.description)")
    }
    var answer = "unknown", solved = false
    if let p = table.properties.indices.first(where: { table.question($0) == question }) {
      let yes = table.items[hidden].has.contains(p)
      answer = yes ? "yes" : "no"
      candidates = candidates.filter { table.items[$0].has.contains(p) == yes }
    } else if let item = table.items.indices.first(where: { table.guess($0) == question }) {
      solved = item == hidden
      answer = solved ? "yes" : "no"
      candidates = solved ? [item] : candidates.filter { $0 != item }
    }
    dialogue.append((question, answer))
    let lost = !solved && dialogue.count >= Self.maxQuestions
    var stepInfo = info
    stepInfo["invalid"] = .bool(answer == "unknown")
    if solved || lost { stepInfo[table.noun] = .string(table.items[hidden].name) }
    return Step(observation: .text("\(question) \(answer)."), reward: solved ? 0 : -1, terminated: solved || lost, info: stepInfo)
  }

  public func render() -> String {
    dialogue.isEmpty ? "(no questions yet)" : dialogue.map { "\($0.question) \($0.answer)" }.joined(separator: "\n")
  }

  public func copy() -> Environment? {
    guard let twin = try? QuestionGame(table, answer: fixedAnswer) else { return nil }
    (twin.hidden, twin.dialogue, twin.candidates) = (hidden, dialogue, candidates)
    twin.generator.copyState(from: generator)
    return twin
  }
}
