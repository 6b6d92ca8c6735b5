/// `GuessMyCity-v0`, after LMRL-Gym's guess my city: find the hidden city by yes/no questions —
/// "is the city <property>?" for one of `properties`, or a guess "is it <city>?" — answered by a
/// rule-based oracle over a table of 39 real cities. The game (rewards, the scripted questioner)
/// is `QuestionGame`'s, as for twenty questions; this is its table.
public enum GuessMyCity {
  /// Each a phrase that completes "is the city ...?". What they mean, so the table can be checked:
  /// "high above sea level" is above 1,000 m; "home to over ten million" counts the urban area
  /// (UN World Urbanization Prospects 2018, the 2020 figures); "in the tropics" is between the two
  /// tropics (|latitude| < 23.44°); "english speaking" (and the others) names the main language of
  /// daily life; "a summer olympics host" counts host cities up to 2024.
  public static let properties = [
    "in europe", "in asia", "in africa", "in north america", "in south america", "in oceania",
    "a national capital", "on the coast", "in the southern hemisphere", "in the tropics", "high above sea level",
    "home to over ten million", "the largest in its country", "a summer olympics host", "in the european union",
    "english speaking", "spanish speaking", "french speaking", "arabic speaking",
  ]
  /// The cities and the properties each has (indices into `properties`), written for Pavlov. Cities
  /// whose answer would be arguable (London's population, Istanbul's continent, Rome's coast) are left out.
  public static let cities: [(name: String, has: Set<Int>)] = [
    ("paris", [0, 6, 11, 12, 13, 14, 17]), ("berlin", [0, 6, 12, 13, 14]), ("madrid", [0, 6, 12, 14, 16]),
    ("barcelona", [0, 7, 13, 14, 16]), ("moscow", [0, 6, 11, 12, 13]), ("stockholm", [0, 6, 7, 12, 13, 14]),
    ("dublin", [0, 6, 7, 12, 14, 15]), ("geneva", [0, 17]),
    ("tokyo", [1, 6, 7, 11, 12, 13]), ("beijing", [1, 6, 11, 13]), ("shanghai", [1, 7, 11, 12]),
    ("kathmandu", [1, 6, 10, 12]), ("riyadh", [1, 6, 12, 18]), ("jeddah", [1, 7, 9, 18]), ("hanoi", [1, 6, 9]),
    ("karachi", [1, 7, 11, 12]), ("singapore", [1, 6, 7, 9, 12, 15]),
    ("cairo", [2, 6, 11, 12, 18]), ("alexandria", [2, 7, 18]), ("addis ababa", [2, 6, 9, 10, 12]),
    ("casablanca", [2, 7, 12, 18]), ("luanda", [2, 6, 7, 8, 9, 12]),
    ("new york", [3, 7, 11, 12, 15]), ("los angeles", [3, 7, 11, 13, 15]), ("washington", [3, 6, 15]),
    ("mexico city", [3, 6, 9, 10, 11, 12, 13, 16]), ("toronto", [3, 12, 15]), ("montreal", [3, 13, 17]),
    ("vancouver", [3, 7, 15]), ("havana", [3, 6, 7, 9, 12, 16]), ("denver", [3, 10, 15]),
    ("rio de janeiro", [4, 7, 8, 9, 11, 13]), ("santiago", [4, 6, 8, 12, 16]), ("caracas", [4, 6, 9, 12, 16]),
    ("brasilia", [4, 6, 8, 9, 10]),
    ("sydney", [5, 7, 8, 12, 13, 15]), ("auckland", [5, 7, 8, 12, 15]), ("wellington", [5, 6, 7, 8, 15]),
    ("canberra", [5, 6, 8, 15]),
  ]
  public static let table = QuestionTable(
    envID: "GuessMyCity-v0", noun: "city", nounPlural: "cities",
    intro: "i am thinking of a city. ask yes or no questions.", askPrefix: "is the city ", guessPrefix: "is it ",
    properties: properties, items: cities)
}
