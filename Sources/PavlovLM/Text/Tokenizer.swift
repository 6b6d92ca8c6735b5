import PavlovCore
/// Text to token ids and back. Every tokenizer has an end-of-text token (which ends generated
/// answers) and may carry extra special tokens such as control codes (`<good>`, `<bad>`):
/// a special token's text in the input encodes to its one id.
public protocol Tokenizer: AnyObject {
  /// How many ids there are: ids run from 0 to vocabularySize - 1.
  var vocabularySize: Int { get }
  /// The id of the end-of-text token ("<eos>").
  var endOfText: Int64 { get }
  /// The special tokens' texts and ids, in id order.
  var specialTokens: [(text: String, id: Int64)] { get }
  /// The ids of `text`; an error names the first character the tokenizer cannot encode.
  func encode(_ text: String) throws -> [Int64]
  /// The text of `ids`, special tokens written as their text; an error names an id outside the vocabulary.
  func decode(_ ids: [Int64]) throws -> String
  /// The text of one token; an error for an id outside the vocabulary.
  func tokenText(_ id: Int64) throws -> String
  /// The id of the token whose text is exactly `text`, or nil if no token has that text.
  func id(ofToken text: String) -> Int64?
  /// A JSON document that `TokenizerJSON.load` turns back into an equal tokenizer.
  func json() -> String
}

extension Tokenizer {
  public func tokenText(_ id: Int64) throws -> String { try decode([id]) }

  public func id(ofToken text: String) -> Int64? {
    guard let ids = try? encode(text), ids.count == 1 else { return nil }
    return ids[0]
  }

  /// The error for an id outside 0..<vocabularySize, `position` being its index in the input.
  func outOfRange(_ id: Int64, at position: Int? = nil) -> CoreError {
    let place = position.map { " at position \($0)" } ?? ""
    return CoreError("id \(id)\(place) is outside the vocabulary (ids 0 to \(vocabularySize - 1))",
                          hint: "decode ids that this tokenizer's encode (or a model with vocab \(vocabularySize)) produced")
  }
}
