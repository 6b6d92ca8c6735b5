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
  /// A JSON document that `TokenizerJSON.load` turns back into an equal tokenizer.
  func json() -> String
}
