/// The words of the review corpus and what they mean to the gold labeler: subjects with the
/// nouns that fit them, adjectives and verbs with a sentiment weight, intensifiers. The corpus
/// writes only these words and the labeler counts any other word as garbage, so the two
/// cannot drift apart.
public enum ReviewLexicon {
  /// A thing a prompt asks about, with the parts of it a review may talk about.
  public struct Subject: Sendable {
    public let name: String
    public let aspects: [String]
  }

  public static let subjects: [Subject] = [
    Subject(name: "pizza", aspects: ["crust", "cheese", "sauce"]),
    Subject(name: "burger", aspects: ["bun", "patty", "bacon"]),
    Subject(name: "coffee", aspects: ["flavor", "aroma", "foam"]),
    Subject(name: "tea", aspects: ["flavor", "aroma", "color"]),
    Subject(name: "bakery", aspects: ["bread", "cake", "staff"]),
    Subject(name: "restaurant", aspects: ["food", "service", "menu"]),
    Subject(name: "hotel", aspects: ["room", "staff", "bed"]),
    Subject(name: "beach", aspects: ["sand", "water", "view"]),
    Subject(name: "park", aspects: ["garden", "path", "view"]),
    Subject(name: "museum", aspects: ["building", "guide", "collection"]),
    Subject(name: "train", aspects: ["seat", "ride", "staff"]),
    Subject(name: "car", aspects: ["engine", "ride", "interior"]),
    Subject(name: "movie", aspects: ["plot", "acting", "ending"]),
    Subject(name: "show", aspects: ["cast", "humor", "ending"]),
    Subject(name: "book", aspects: ["story", "ending", "writing"]),
    Subject(name: "song", aspects: ["melody", "chorus", "beat"]),
    Subject(name: "concert", aspects: ["music", "band", "sound"]),
    Subject(name: "game", aspects: ["story", "gameplay", "music"]),
    Subject(name: "phone", aspects: ["screen", "battery", "camera"]),
    Subject(name: "laptop", aspects: ["keyboard", "screen", "battery"]),
    Subject(name: "camera", aspects: ["lens", "battery", "grip"]),
    Subject(name: "jacket", aspects: ["fabric", "fit", "zipper"]),
  ]

  /// Prompt templates; `#` stands for the subject.
  public static let templates = ["review of the #:", "tell me about the #:", "thoughts on the #:", "describe the #:"]

  /// Adjectives by sentiment, with their weight (strong ±1, mild ±0.5).
  public static let positiveAdjectives: [(String, Double)] = [
    ("great", 1), ("excellent", 1), ("amazing", 1), ("wonderful", 1), ("perfect", 1), ("lovely", 1),
    ("fantastic", 1), ("good", 0.5), ("nice", 0.5), ("pleasant", 0.5),
  ]
  public static let negativeAdjectives: [(String, Double)] = [
    ("awful", -1), ("terrible", -1), ("horrible", -1), ("bad", -1), ("poor", -0.5), ("dull", -0.5),
    ("boring", -0.5), ("weak", -0.5),
  ]
  public static let neutralAdjectives = ["okay", "fine", "average", "plain", "ordinary", "standard"]
  /// Verbs of "i loved it." with their weight; "recommend" is negated by "would not".
  public static let positiveVerbs: [(String, Double)] = [("loved", 1), ("enjoyed", 1), ("liked", 0.5)]
  public static let negativeVerbs: [(String, Double)] = [("hated", -1), ("disliked", -0.5)]
  public static let recommend = ("recommend", 1.0)
  /// Words that multiply the weight of the next sentiment word by 1.5.
  public static let intensifiers = ["very", "really", "so", "quite"]
  /// The word that flips the sign of the next sentiment word in its sentence.
  public static let negation = "not"
  public static let functionWords = ["the", "was", "i", "it", "a", "an", "would", "not"]

  /// Every character a prompt or a response of the corpus uses: a char tokenizer's alphabet.
  public static let characters = " ,.:abcdefghijklmnopqrstuvwxyz"

  /// Sentiment weight of each weighted word.
  public static let valence: [String: Double] = {
    var v: [String: Double] = [:]
    for (w, x) in positiveAdjectives + negativeAdjectives + positiveVerbs + negativeVerbs + [recommend] { v[w] = x }
    return v
  }()

  /// Every word of the grammar, prompts included.
  public static let vocabulary: Set<String> = {
    var words = Set(functionWords + intensifiers + neutralAdjectives + valence.keys)
    for s in subjects { words.insert(s.name); words.formUnion(s.aspects) }
    for t in templates { words.formUnion(t.split { $0 == " " || $0 == ":" || $0 == "#" }.map(String.init)) }
    return words
  }()

  /// The subject a prompt asks about: the last word before its colon if that names a subject,
  /// else the first subject named anywhere in it; nil if it names none.
  public static func subject(of prompt: String) -> Subject? {
    let words = prompt.split { $0 == " " || $0 == ":" || $0 == "," || $0 == "." }.map(String.init)
    if let last = words.last, let s = subjectsByName[last] { return s }
    return words.lazy.compactMap { subjectsByName[$0] }.first
  }

  static let subjectsByName: [String: Subject] = Dictionary(uniqueKeysWithValues: subjects.map { ($0.name, $0) })
}
