import PavlovCore
import PavlovLang
import PavlovLM

/// The data side of RLHF: the review corpus, the gold labeler and preference files.
enum DataBindings {
  static func register(_ r: Registry) {
    ReviewCorpusValue.register(r)

    r.function("gold_score", [Param("prompt", doc: "a prompt, or a list of prompts"),
                              Param("response", doc: "an answer (the text after the prompt), or a list of answers")],
               doc: "The gold labeler's score of an answer, about -2 to 2 (a list of scores for lists); formula in docs/rlhf_data.md.") { args in
      let (prompts, responses, single) = try promptsAndResponses(args, "gold_score")
      let gold = GoldLabeler()
      let scores = zip(prompts, responses).map { Value.float(gold.score(prompt: $0, response: $1)) }
      return single ? scores[0] : .list(PList(scores))
    }

    r.function("gold_report", [Param("prompt", doc: "the prompt"), Param("response", doc: "the answer to score")],
               doc: "The gold score with its parts: {score, sentiment, on_topic, repetition, well_formed, subject, repeats, unknown_words}.") { args in
      let g = GoldLabeler().report(prompt: try args.string(0), response: try args.string(1))
      return .record(PRecord([
        ("score", .float(g.score)), ("sentiment", .float(g.sentiment)), ("on_topic", .float(g.onTopic)),
        ("repetition", .float(g.repetition)), ("well_formed", .float(g.wellFormed)),
        ("subject", g.subject.map { .str($0) } ?? .null),
        ("repeats", .list(PList(g.repeats.map { .str($0) }))), ("unknown_words", .list(PList(g.unknownWords.map { .str($0) }))),
      ]))
    }

    r.function("read_preferences", [Param("path", doc: "a JSONL file of {prompt, chosen, rejected} objects")],
               doc: "The pairs of a preference file (TRL's JSONL) as records {prompt, chosen, rejected}; other keys are ignored.") { args in
      let path = try args.string(0)
      return .list(PList(try readPreferences(path, "read_preferences").map(record)))
    }

    r.function("write_preferences", [Param("path", doc: "the JSONL file to write"),
                                     Param("pairs", doc: "a list of records {prompt, chosen, rejected}"),
                                     Param("append", default: .bool(false), doc: "true adds lines at the end; false replaces the file atomically")],
               doc: "Writes preference pairs as TRL's JSONL, one {prompt, chosen, rejected} object per line.") { args in
      let path = try args.string(0)
      let pairs = try preferencePairs(args[1], "write_preferences", argument: "pairs")
      let bytes = Array(PreferenceFile.encode(pairs).utf8)
      if try args.bool(2) {
        try Posix.append(path, bytes, "write_preferences", separateFromPartialLine: true)
      } else {
        try Posix.writeAtomically(path, bytes, "write_preferences")
      }
      return .null
    }

    r.function("ranked_pairs", [Param("prompt", doc: "the prompt the answers answer"),
                                Param("answers", doc: "a list of answers, best first")],
               doc: "Every preference a ranking implies: K answers give K(K-1)/2 records {prompt, chosen, rejected}.") { args in
      let prompt = try args.string(0)
      let answers = try strings(args[1], "ranked_pairs", "answers")
      return .list(PList(PreferencePair.pairs(fromRanked: prompt, answers: answers).map(record)))
    }
  }

  // MARK: - Conversions shared with LabelBindings

  /// A pair as a Pavlov record.
  static func record(_ p: PreferencePair) -> Value {
    .record(PRecord([("prompt", .str(p.prompt)), ("chosen", .str(p.chosen)), ("rejected", .str(p.rejected))]))
  }

  /// A preference log about to be appended to: a last line torn by a crash is cut off the file
  /// (with one warning on standard error) and the complete lines before it are returned.
  static func resumePreferenceLog(_ path: String, _ function: String, warn: (String) -> Void) throws(PavlovError) -> [PreferencePair] {
    let kept: Int?
    do { kept = try Files.cutTornJSONLine(path) } catch { throw Posix.failure(function, error) }
    if let kept { warn(Files.tornLineWarning(path, kept: kept)) }
    return try readPreferences(path, function)
  }

  /// Reads a preference file; its errors name file:line.
  static func readPreferences(_ path: String, _ function: String) throws(PavlovError) -> [PreferencePair] {
    let bytes = try Posix.readBytes(path, function)
    return try CoreBridge.run(function) { try PreferenceFile.decode(String(decoding: bytes, as: UTF8.self), source: path) }
  }

  /// A list of {prompt, chosen, rejected} records; an error names the item and the key.
  static func preferencePairs(_ v: Value, _ function: String, argument: String) throws(PavlovError) -> [PreferencePair] {
    guard case .list(let list) = v else {
      throw PavlovError.runtime("\(function): `\(argument)` must be a list of records {prompt, chosen, rejected}, got \(v.typeName)")
    }
    var out: [PreferencePair] = []
    for (i, item) in list.items.enumerated() {
      let f = try fields(item, ["prompt", "chosen", "rejected"], function, "\(argument)[\(i)]")
      out.append(PreferencePair(prompt: f[0], chosen: f[1], rejected: f[2]))
    }
    return out
  }

  /// The string fields `keys` of a record; `place` says which item it is in errors.
  static func fields(_ v: Value, _ keys: [String], _ function: String, _ place: String) throws(PavlovError) -> [String] {
    let shape = "{" + keys.joined(separator: ", ") + "}"
    guard case .record(let r) = v else {
      throw PavlovError.runtime("\(function): \(place) must be a record \(shape), got \(v.typeName)")
    }
    var out: [String] = []
    for key in keys {
      guard let field = r[key] else {
        throw PavlovError.runtime("\(function): \(place) has no `\(key)`", hint: "each item is a record \(shape)")
      }
      guard case .string(let s) = field else {
        throw PavlovError.runtime("\(function): \(place).\(key) must be a string, got \(field.typeName)", hint: "each item is a record \(shape) of strings")
      }
      out.append(s.value)
    }
    return out
  }

  static func strings(_ v: Value, _ function: String, _ argument: String) throws(PavlovError) -> [String] {
    guard case .list(let list) = v else { throw PavlovError.runtime("\(function): `\(argument)` must be a list of strings, got \(v.typeName)") }
    var out: [String] = []
    for (i, item) in list.items.enumerated() {
      guard case .string(let s) = item else {
        throw PavlovError.runtime("\(function): \(argument)[\(i)] must be a string, got \(item.typeName)")
      }
      out.append(s.value)
    }
    return out
  }

  /// gold_score's arguments: two strings, two lists of the same length, or one prompt for a list.
  private static func promptsAndResponses(_ args: Args, _ function: String) throws(PavlovError) -> ([String], [String], Bool) {
    switch (args[0], args[1]) {
    case (.string(let p), .string(let r)): return ([p.value], [r.value], true)
    case (.string(let p), .list):
      let responses = try strings(args[1], function, "response")
      return (Array(repeating: p.value, count: responses.count), responses, false)
    case (.list, .list):
      let prompts = try strings(args[0], function, "prompt"), responses = try strings(args[1], function, "response")
      guard prompts.count == responses.count else {
        throw PavlovError.runtime("\(function): \(prompts.count) prompts but \(responses.count) responses", hint: "give one prompt per response, or a single prompt string")
      }
      return (prompts, responses, false)
    default:
      throw PavlovError.runtime("\(function): expected a prompt and a response (strings or lists of strings), got \(args[0].typeName) and \(args[1].typeName)",
                                hint: "gold_score(\"review of the pizza:\", \" the pizza was great.\")")
    }
  }
}
