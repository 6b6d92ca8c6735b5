import PavlovCore

/// Tokenizers saved as JSON, one document per tokenizer:
///
///     {"type": "char", "specials": ["<eos>", "<good>"], "tokens": ["\n", " ", "a", ...]}
///     {"type": "bpe", "specials": ["<eos>"], "merges": [[104, 101], [32, 116], ...]}
///
/// `specials` lists every special token in id order (`<eos>` first). A char tokenizer's
/// `tokens` are its characters in id order after the specials; a BPE tokenizer's `merges` are
/// [left id, right id] pairs in the order learned, merge k making the id specials + 256 + k.
/// Writing keeps a stable layout (one merge per line); both directions use the one JSON parser and writer.
public enum TokenizerJSON {
  /// The tokenizer a document describes; errors name `source` (a path) and the bad field.
  public static func load(_ text: String, source: String) throws -> any Tokenizer {
    do {
      return try load(text)
    } catch let error as CoreError {
      throw CoreError("\(source): \(error.message)", hint: error.hint ?? hint)
    }
  }

  private static func load(_ text: String) throws -> any Tokenizer {
    let document: JSONValue
    do {
      document = try JSONParser.parse(text)
    } catch {
      throw CoreError("not valid JSON: \(error.placedMessage)", hint: error.hint.map { "\($0); \(hint)" } ?? hint)
    }
    guard case .object = document else { throw CoreError("expected a JSON object, got \(document.kind)") }
    let type = try field("type", of: document, "a string", \.string)
    let specials: SpecialTokens
    do {
      specials = try SpecialTokens(all: try strings("specials", of: document))
    } catch let error as CoreError where !error.message.hasPrefix("field ") && !error.message.hasPrefix("missing field") {
      throw CoreError("field specials: \(error.message)", hint: error.hint)
    }
    switch type {
    case "char":
      guard document["tokens"] != nil else { throw missing("tokens", "a char tokenizer lists its characters") }
      var characters: [Unicode.Scalar] = []
      for (k, token) in try strings("tokens", of: document).enumerated() {
        guard token.unicodeScalars.count == 1, let c = token.unicodeScalars.first else {
          throw CoreError("tokens[\(k)]: \(JSONWriter.quoted(token)) is not one character",
                          hint: "a char tokenizer's tokens are single Unicode scalars")
        }
        characters.append(c)
      }
      return try CharTokenizer(specials: specials, characters: characters)
    case "bpe":
      guard let pairs = document["merges"] else { throw missing("merges", "a BPE tokenizer lists its merges") }
      guard let list = pairs.array else { throw CoreError("field merges: expected a list") }
      var merges: [(left: Int32, right: Int32)] = []
      for (k, pair) in list.enumerated() {
        guard let items = pair.array else { throw CoreError("field merges[\(k)]: expected a list") }
        let ids = try items.enumerated().map { j, item in
          guard let id = item.int.flatMap(Int32.init(exactly:)) else { throw CoreError("field merges[\(k)][\(j)]: expected an int") }
          return id
        }
        guard ids.count == 2 else {
          throw CoreError("merges[\(k)]: expected two token ids [left, right], got [\(ids.map(String.init).joined(separator: ", "))]")
        }
        merges.append((ids[0], ids[1]))
      }
      return try BPETokenizer(specials: specials, merges: merges)
    default:
      throw CoreError("field type: \(JSONWriter.quoted(type)) is not a tokenizer type", hint: "\"char\" or \"bpe\"")
    }
  }

  private static let hint = "load files written by tokenizer.save(path)"

  private static func field<T>(_ name: String, of document: JSONValue, _ kind: String, _ read: (JSONValue) -> T?) throws -> T {
    guard let value = document[name] else { throw CoreError("missing field \"\(name)\"") }
    guard let typed = read(value) else { throw CoreError("field \(name): expected \(kind)") }
    return typed
  }

  /// A list of strings; an error names the item ("field tokens[1]: expected a string").
  private static func strings(_ name: String, of document: JSONValue) throws -> [String] {
    let items = try field(name, of: document, "a list", \.array)
    return try items.enumerated().map { k, item in
      guard let s = item.string else { throw CoreError("field \(name)[\(k)]: expected a string") }
      return s
    }
  }

  private static func missing(_ field: String, _ why: String) -> CoreError {
    CoreError("missing field \"\(field)\" (\(why))")
  }

  // MARK: - Writing

  /// A document with the type, the specials on one line and `items` (JSON texts) one per line.
  static func document(type: String, specials: [String], field: String, items: [String]) -> String {
    var out = "{\n  \"type\": \(JSONWriter.quoted(type)),\n  \"specials\": [\(specials.map(JSONWriter.quoted).joined(separator: ", "))],\n"
    out += "  \(JSONWriter.quoted(field)): ["
    out += items.isEmpty ? "]\n}\n" : "\n    " + items.joined(separator: ",\n    ") + "\n  ]\n}\n"
    return out
  }
}
