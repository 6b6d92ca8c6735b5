import PavlovLM
import PavlovLang

/// How texts become model input in every RLHF builtin, in one place: a prompt starts with the
/// end-of-text token (GPT-2's convention for "start of a document"), an answer ends with it.
/// Pretraining texts get both, so the model learns where answers stop.
struct TextCodec {
  let tokenizer: any Tokenizer
  var endOfText: Int64 { tokenizer.endOfText }

  init(_ value: Value) throws(PavlovError) { tokenizer = try TokenizerValue.tokenizer(value) }

  func prompt(_ text: String) throws(PavlovError) -> [Int64] { [endOfText] + (try encode(text)) }
  func answer(_ text: String) throws(PavlovError) -> [Int64] { (try encode(text)) + [endOfText] }
  func document(_ text: String) throws(PavlovError) -> [Int64] { [endOfText] + (try encode(text)) + [endOfText] }

  /// The text of generated ids, without the end-of-text token that ended them.
  func text(_ ids: [Int64]) throws(PavlovError) -> String {
    let body = ids.last == endOfText ? Array(ids.dropLast()) : ids
    return try CoreBridge.run { try tokenizer.decode(body) }
  }

  /// The text of a prompt made by `prompt`.
  func promptText(_ ids: [Int64]) throws(PavlovError) -> String {
    try CoreBridge.run { try tokenizer.decode(ids.first == endOfText ? Array(ids.dropFirst()) : ids) }
  }

  private func encode(_ text: String) throws(PavlovError) -> [Int64] { try CoreBridge.run { try tokenizer.encode(text) } }

  /// `encode` over a list, an error naming the item: "sft: demos[3]: ...".
  static func each<T>(_ items: [T], _ what: String, _ body: (T) throws(PavlovError) -> [Int64]) throws(PavlovError) -> [[Int64]] {
    var out: [[Int64]] = []
    out.reserveCapacity(items.count)
    for (i, item) in items.enumerated() {
      do { out.append(try body(item)) } catch { throw PavlovError.runtime("\(what)[\(i)]: \(error.message)", hint: error.hint) }
    }
    return out
  }

  /// A list of strings from a Pavlov list.
  static func strings(_ value: Value, _ what: String) throws(PavlovError) -> [String] {
    guard case .list(let list) = value else { throw PavlovError.runtime("\(what) must be a list of strings, got \(value.typeName)") }
    var out: [String] = []
    for (i, v) in list.items.enumerated() {
      guard case .string(let s) = v else { throw PavlovError.runtime("\(what)[\(i)] must be a string, got \(v.typeName)") }
      out.append(s.value)
    }
    return out
  }

  /// A string or a list of strings, and whether it was one string (answered by one string).
  static func oneOrMany(_ value: Value, _ what: String) throws(PavlovError) -> (texts: [String], single: Bool) {
    if case .string(let s) = value { return ([s.value], true) }
    return (try strings(value, what), false)
  }

  /// The string field `key` of each record in a list (e.g. demonstrations' prompt and response).
  static func fields(_ value: Value, _ keys: [String], _ what: String) throws(PavlovError) -> [[String]] {
    guard case .list(let list) = value else { throw PavlovError.runtime("\(what) must be a list of records, got \(value.typeName)") }
    var out: [[String]] = []
    for (i, v) in list.items.enumerated() {
      guard case .record(let r) = v else { throw PavlovError.runtime("\(what)[\(i)] must be a record with \(keys.joined(separator: ", ")), got \(v.typeName)") }
      var row: [String] = []
      for key in keys {
        guard case .string(let s)? = r[key] else {
          throw PavlovError.runtime("\(what)[\(i)] needs a string field \"\(key)\"", hint: "each item looks like {\(keys.map { "\($0): \"...\"" }.joined(separator: ", "))}")
        }
        row.append(s.value)
      }
      out.append(row)
    }
    return out
  }
}
