import PavlovCore

/// One preference: for `prompt`, the answer `chosen` is better than `rejected` (TRL's names).
public struct PreferencePair: Hashable, Sendable {
  public var prompt: String
  public var chosen: String
  public var rejected: String

  public init(prompt: String, chosen: String, rejected: String) {
    self.prompt = prompt
    self.chosen = chosen
    self.rejected = rejected
  }

  /// Every pair a ranking implies: `answers` are best first, so answer i is chosen over every
  /// answer after it, K(K-1)/2 pairs for K answers (identical answers make no pair).
  public static func pairs(fromRanked prompt: String, answers: [String]) -> [PreferencePair] {
    var out: [PreferencePair] = []
    for i in answers.indices {
      for j in answers.indices where j > i && answers[i] != answers[j] {
        out.append(PreferencePair(prompt: prompt, chosen: answers[i], rejected: answers[j]))
      }
    }
    return out
  }

  /// `{"prompt": ..., "chosen": ..., "rejected": ...}` on one line (no newline at the end).
  public var jsonLine: String {
    "{\"prompt\": \(JSONWriter.quoted(prompt)), \"chosen\": \(JSONWriter.quoted(chosen)), \"rejected\": \(JSONWriter.quoted(rejected))}"
  }
}

/// Preference files: JSON Lines, one object per line with string keys `prompt`, `chosen` and
/// `rejected` (TRL's convention). Other keys are allowed and ignored; blank lines are skipped.
public enum PreferenceFile {
  /// The lines of `pairs`, each ending with a newline.
  public static func encode(_ pairs: [PreferencePair]) -> String {
    pairs.map { $0.jsonLine + "\n" }.joined()
  }

  /// The pairs in JSON Lines text; `source` names the file in errors ("prefs.jsonl:3: ...").
  public static func decode(_ text: String, source: String) throws -> [PreferencePair] {
    var pairs: [PreferencePair] = []
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    for (k, line) in lines.enumerated() {
      let place = "\(source):\(k + 1)"
      var body = Substring(line)
      if k == 0, body.hasPrefix("\u{FEFF}") { body = body.dropFirst() }
      if body.allSatisfy({ $0 == " " || $0 == "\t" || $0 == "\r" }) { continue }
      let lastLine = k == lines.count - 1
      pairs.append(try decodeLine(body, place: place, unfinished: lastLine))
    }
    return pairs
  }

  /// One line's pair; `unfinished` (the file's last line, without a newline) explains a cut line.
  static func decodeLine(_ line: Substring, place: String, unfinished: Bool) throws -> PreferencePair {
    let object: JSONValue
    do {
      object = try JSONParser.parse(Array(line.utf8))
    } catch {
      throw CoreError("not valid JSON: column \(error.column): \(error.message)",
                      hint: unfinished ? "the last line has no newline: the writer may have stopped mid-line; delete that line"
                        : "each line must be one JSON object such as {\"prompt\": \"...\", \"chosen\": \"...\", \"rejected\": \"...\"}", at: place)
    }
    guard case .object(let members) = object else {
      throw CoreError("expected a JSON object, got \(object.kind)",
                      hint: "each line is {\"prompt\": \"...\", \"chosen\": \"...\", \"rejected\": \"...\"}", at: place)
    }
    var values: [String] = []
    for key in ["prompt", "chosen", "rejected"] {
      guard let value = object[key] else {
        let present = Set(members.map(\.key)).sorted().map { "\"\($0)\"" }.joined(separator: ", ")
        throw CoreError("missing key \"\(key)\"",
                        hint: "the line has \(present.isEmpty ? "no keys" : present); preference files use \"prompt\", \"chosen\" and \"rejected\"", at: place)
      }
      guard let text = value.string else {
        throw CoreError("\"\(key)\" must be a string, got \(value.kind)", at: place)
      }
      values.append(text)
    }
    return PreferencePair(prompt: values[0], chosen: values[1], rejected: values[2])
  }

  /// Reads a preference file.
  public static func read(_ path: String) throws -> [PreferencePair] {
    try decode(String(decoding: try Files.read(path), as: UTF8.self), source: path)
  }

  /// Replaces `path` with `pairs` (atomically: a crash leaves the old file or the new one).
  public static func write(_ pairs: [PreferencePair], to path: String) throws {
    try Files.writeAtomically(path, Array(encode(pairs).utf8))
  }
}
