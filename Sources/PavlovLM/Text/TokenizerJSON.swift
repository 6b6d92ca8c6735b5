import PavlovCore
import Foundation

/// Tokenizers saved as JSON, one document per tokenizer:
///
///     {"type": "char", "specials": ["<eos>", "<good>"], "tokens": ["\n", " ", "a", ...]}
///     {"type": "bpe", "specials": ["<eos>"], "merges": [[104, 101], [32, 116], ...]}
///
/// `specials` lists every special token in id order (`<eos>` first). A char tokenizer's
/// `tokens` are its characters in id order after the specials; a BPE tokenizer's `merges` are
/// [left id, right id] pairs in the order learned, merge k making the id specials + 256 + k.
/// Writing is done here (stable layout, one merge per line); reading uses Foundation's decoder.
public enum TokenizerJSON {
  /// The tokenizer a document describes; errors name `source` (a path) and the bad field.
  public static func load(_ text: String, source: String) throws -> any Tokenizer {
    let file: File
    do {
      file = try JSONDecoder().decode(File.self, from: Data(text.utf8))
    } catch let error as DecodingError {
      throw CoreError("\(source): \(describe(error))", hint: hint)
    }
    let specials: SpecialTokens
    do {
      specials = try SpecialTokens(all: file.specials)
    } catch let error as CoreError {
      throw CoreError("\(source): field specials: \(error.message)", hint: error.hint)
    }
    do {
      switch file.type {
      case "char":
        guard let tokens = file.tokens else { throw missing("tokens", "a char tokenizer lists its characters") }
        var characters: [Unicode.Scalar] = []
        for (k, token) in tokens.enumerated() {
          guard token.unicodeScalars.count == 1, let c = token.unicodeScalars.first else {
            throw CoreError("tokens[\(k)]: \(JSONString.quoted(token)) is not one character",
                                 hint: "a char tokenizer's tokens are single Unicode scalars")
          }
          characters.append(c)
        }
        return try CharTokenizer(specials: specials, characters: characters)
      case "bpe":
        guard let pairs = file.merges else { throw missing("merges", "a BPE tokenizer lists its merges") }
        var merges: [(left: Int32, right: Int32)] = []
        for (k, pair) in pairs.enumerated() {
          guard pair.count == 2, let a = Int32(exactly: pair[0]), let b = Int32(exactly: pair[1]) else {
            throw CoreError("merges[\(k)]: expected two token ids [left, right], got \(pair)")
          }
          merges.append((a, b))
        }
        return try BPETokenizer(specials: specials, merges: merges)
      default:
        throw CoreError("field type: \(JSONString.quoted(file.type)) is not a tokenizer type", hint: "\"char\" or \"bpe\"")
      }
    } catch let error as CoreError {
      throw CoreError("\(source): \(error.message)", hint: error.hint ?? hint)
    }
  }

  private static let hint = "load files written by tokenizer.save(path)"

  private struct File: Decodable {
    let type: String
    let specials: [String]
    let tokens: [String]?
    let merges: [[Int]]?
  }

  private static func missing(_ field: String, _ why: String) -> CoreError {
    CoreError("missing field \"\(field)\" (\(why))")
  }

  /// A decoder error as "field merges[3][0]: expected an int", or why the JSON is invalid.
  private static func describe(_ error: DecodingError) -> String {
    func path(_ keys: [any CodingKey]) -> String {
      var out = ""
      for key in keys {
        if let i = key.intValue { out += "[\(i)]" } else { out += (out.isEmpty ? "" : ".") + key.stringValue }
      }
      return out
    }
    func kind(_ type: Any.Type) -> String {
      if type == Int.self { return "an int" }
      if type == String.self { return "a string" }
      if type == [String].self || type == [[Int]].self || type == [Int].self { return "a list" }
      return "\(type)"
    }
    switch error {
    case .typeMismatch(let type, let context):
      return "field \(path(context.codingPath)): expected \(kind(type))"
    case .valueNotFound(let type, let context):
      return "field \(path(context.codingPath)): expected \(kind(type)), got null"
    case .keyNotFound(let key, let context):
      let inside = context.codingPath.isEmpty ? "" : " in \(path(context.codingPath))"
      return "missing field \"\(key.stringValue)\"\(inside)"
    case .dataCorrupted(let context):
      if context.codingPath.isEmpty {
        let reason = (context.underlyingError.map { "\($0)" }) ?? context.debugDescription
        return "not valid JSON: \(reason)"
      }
      return "field \(path(context.codingPath)): \(context.debugDescription)"
    @unknown default:
      return "\(error)"
    }
  }

  // MARK: - Writing

  /// A document with the type, the specials on one line and `items` (JSON texts) one per line.
  static func document(type: String, specials: [String], field: String, items: [String]) -> String {
    var out = "{\n  \"type\": \(JSONString.quoted(type)),\n  \"specials\": [\(specials.map(JSONString.quoted).joined(separator: ", "))],\n"
    out += "  \(JSONString.quoted(field)): ["
    out += items.isEmpty ? "]\n}\n" : "\n    " + items.joined(separator: ",\n    ") + "\n  ]\n}\n"
    return out
  }
}
