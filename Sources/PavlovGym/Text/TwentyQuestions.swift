import PavlovCore

/// `TwentyQuestions-v0`, after LMRL-Gym's: find the hidden object by yes/no questions. The action
/// is a question from a fixed grammar — "is it <property>?" for one of the table's properties
/// (`TwentyQuestions.properties`), or a guess "is it a <object>?" — and the observation is the
/// oracle's answer, as "is it alive? yes." A question outside the grammar is answered "unknown."
/// and wasted. Each question pays -1; the right guess pays 0 and ends the episode; twenty
/// questions without it end the game (terminated). The object is drawn from the table at reset.
/// `info.expert_action` is a scripted questioner's next question: while several objects fit every
/// answer so far, the property that splits them most evenly; then the guess. `info.candidates`
/// counts the objects that fit.
public final class TwentyQuestions: Environment {
  public static let maxQuestions = 20
  /// Properties the oracle answers, each a phrase that completes "is it ...?".
  public static let properties = [
    "alive", "an animal", "a plant", "a mammal", "able to fly", "living in water", "bigger than a person",
    "made of metal", "made of wood", "something you eat", "a tool", "electronic", "found in a kitchen",
    "found outdoors", "soft", "round", "used for travel", "sweet",
  ]
  /// The objects and the properties each has (indices into `properties`), written for Pavlov.
  public static let objects: [(name: String, has: Set<Int>)] = [
    ("dog", [0, 1, 3, 14]), ("cat", [0, 1, 3, 14]), ("eagle", [0, 1, 4, 13]), ("shark", [0, 1, 5, 6]),
    ("whale", [0, 1, 3, 5, 6]), ("goldfish", [0, 1, 5]), ("horse", [0, 1, 3, 6, 13, 16]), ("bee", [0, 1, 4, 13]),
    ("oak tree", [0, 2, 6, 8, 13]), ("rose", [0, 2, 13]), ("apple", [0, 2, 9, 11, 15, 17]), ("carrot", [0, 2, 9, 11]),
    ("banana", [0, 2, 9, 11, 17]), ("cake", [9, 11, 14, 17]), ("bread", [9, 11, 14]), ("hammer", [7, 8, 10]),
    ("spoon", [7, 10, 11]), ("knife", [7, 10, 11]), ("saw", [7, 8, 10]), ("phone", [7, 12]), ("laptop", [7, 12]),
    ("fridge", [6, 7, 11, 12]), ("toaster", [7, 11, 12]), ("car", [6, 7, 12, 13, 16]), ("bicycle", [7, 13, 16]),
    ("boat", [5, 6, 8, 16]), ("airplane", [4, 6, 7, 12, 16]), ("chair", [8]), ("table", [8, 11]), ("pillow", [14]),
    ("ball", [13, 14, 15]), ("coin", [7, 15]), ("rock", [13]), ("sun", [6, 13, 15]), ("candy", [9, 17]),
  ]
  public static let charset = Array("abcdefghijklmnopqrstuvwxyz ?.")
  public let envID: String
  public let fixedObject: String?
  public private(set) var hidden = 0
  public private(set) var dialogue: [(question: String, answer: String)] = []
  private var candidates: [Int] = []
  private let generator = SeededGenerator(seed: 0)
  public let observationSpace: Space = .text(minLength: 1, maxLength: 64, charset: TwentyQuestions.charset)
  public let actionSpace: Space = .text(minLength: 1, maxLength: 40, charset: TwentyQuestions.charset)

  public init(object: String? = nil, envID: String = "TwentyQuestions-v0") throws {
    if let object, !Self.objects.contains(where: { $0.name == object }) {
      throw CoreError("\(envID): option object \"\(object)\" is not in the table", hint: "the objects are \(Self.objects.map(\.name).joined(separator: ", "))")
    }
    self.envID = envID
    fixedObject = object
  }

  static func make(_ options: EnvOptions) throws -> Environment {
    try TwentyQuestions(object: try options.string("object", default: nil), envID: options.envID)
  }

  public static func question(_ property: Int) -> String { "is it \(properties[property])?" }
  public static func guess(_ object: Int) -> String { "is it a \(objects[object].name)?" }

  /// The scripted questioner: the property whose yes/no split of the fitting objects is most even
  /// (the first on ties), or the guess when one object fits.
  var expertAction: String {
    if candidates.count <= 1 { return Self.guess(candidates.first ?? 0) }
    var best = 0, bestBalance = Int.max
    for p in Self.properties.indices {
      let yes = candidates.filter { Self.objects[$0].has.contains(p) }.count
      let balance = Swift.abs(2 * yes - candidates.count)
      if yes > 0 && yes < candidates.count && balance < bestBalance { (best, bestBalance) = (p, balance) }
    }
    // Objects no property tells apart: guess them one by one.
    return bestBalance == Int.max ? Self.guess(candidates[0]) : Self.question(best)
  }

  private var info: Info {
    ["expert_action": .string(expertAction), "candidates": .int(candidates.count), "questions": .int(dialogue.count)]
  }

  public func reset(seed: UInt64?) throws -> Reset {
    if let seed { generator.reseed(seed) }
    let drawn = generator.nextInt(below: Self.objects.count)
    hidden = fixedObject.flatMap { name in Self.objects.firstIndex { $0.name == name } } ?? drawn
    dialogue = []
    candidates = Array(Self.objects.indices)
    return Reset(observation: .text("i am thinking of an object. ask yes or no questions."), info: info)
  }

  public func step(_ action: Point) throws -> Step {
    guard case .text(let question) = action else {
      throw CoreError("\(envID): the action must be a question such as \"is it alive?\", got \(action.description)")
    }
    var answer = "unknown", solved = false
    if let p = Self.properties.indices.first(where: { Self.question($0) == question }) {
      let yes = Self.objects[hidden].has.contains(p)
      answer = yes ? "yes" : "no"
      candidates = candidates.filter { Self.objects[$0].has.contains(p) == yes }
    } else if let o = Self.objects.indices.first(where: { Self.guess($0) == question }) {
      solved = o == hidden
      answer = solved ? "yes" : "no"
      candidates = solved ? [o] : candidates.filter { $0 != o }
    }
    dialogue.append((question, answer))
    let lost = !solved && dialogue.count >= Self.maxQuestions
    var stepInfo = info
    stepInfo["invalid"] = .bool(answer == "unknown")
    if solved || lost { stepInfo["object"] = .string(Self.objects[hidden].name) }
    return Step(observation: .text("\(question) \(answer)."), reward: solved ? 0 : -1, terminated: solved || lost, info: stepInfo)
  }

  public func render() -> String {
    dialogue.isEmpty ? "(no questions yet)" : dialogue.map { "\($0.question) \($0.answer)" }.joined(separator: "\n")
  }

  public func copy() -> Environment? {
    guard let twin = try? TwentyQuestions(object: fixedObject, envID: envID) else { return nil }
    (twin.hidden, twin.dialogue, twin.candidates) = (hidden, dialogue, candidates)
    twin.generator.copyState(from: generator)
    return twin
  }
}
