/// `TwentyQuestions-v0`, after LMRL-Gym's: find the hidden object by yes/no questions. The action
/// is a question from a fixed grammar — "is it <property>?" for one of `properties`, or a guess
/// "is it a <object>?" — and the observation is the oracle's answer, as "is it alive? yes." The
/// game itself (rewards, the scripted questioner) is `QuestionGame`'s; this is its table.
public enum TwentyQuestions {
  /// Properties the oracle answers, each a phrase that completes "is it ...?".
  public static let properties = [
    "alive", "an animal", "a plant", "a mammal", "able to fly", "living in water", "bigger than a person",
    "made of metal", "made of wood", "something you eat", "a tool", "found in a kitchen", "electronic",
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
  public static let table = QuestionTable(
    envID: "TwentyQuestions-v0", noun: "object", nounPlural: "objects",
    intro: "i am thinking of an object. ask yes or no questions.", askPrefix: "is it ", guessPrefix: "is it a ",
    properties: properties, items: objects)
}
