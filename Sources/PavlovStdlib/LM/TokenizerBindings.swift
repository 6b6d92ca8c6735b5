import PavlovLM
import PavlovLang
import PavlovTensor

/// The "text" family: training, loading and using tokenizers (`char_tokenizer`,
/// `bpe_tokenizer`, `load_tokenizer` and the `tokenizer` type's methods).
enum TokenizerBindings {
  static func register(_ r: Registry) {
    r.addType(TokenizerValue.nativeType)
    let textsParam = Param("texts", doc: "the training texts: a list of strings (or one string)")
    let specialsParam = Param("specials", default: .list([]), doc: "extra special tokens after `<eos>` (id 0), e.g. `[\"<good>\", \"<bad>\"]`")

    r.function("char_tokenizer", [textsParam, specialsParam],
               doc: "A character-level tokenizer: one id per character (Unicode scalar) of the training texts, after the specials.") { args in
      let texts = try strings(args, 0, "char_tokenizer", "texts")
      let specials = try strings(args, 1, "char_tokenizer", "specials")
      return .object(TokenizerValue(try CoreBridge.run("char_tokenizer") { try CharTokenizer(training: texts, specials: specials) }))
    }

    r.function("bpe_tokenizer", [textsParam,
                                 Param("vocab_size", doc: "the number of tokens: specials + 256 bytes + learned merges"),
                                 specialsParam],
               doc: "A byte-level BPE tokenizer (as GPT-2's): encodes any text; merges are learned from the texts, deterministically.") { args in
      let texts = try strings(args, 0, "bpe_tokenizer", "texts")
      let size = try args.int(1)
      let specials = try strings(args, 2, "bpe_tokenizer", "specials")
      return .object(TokenizerValue(try CoreBridge.run("bpe_tokenizer") { try BPETokenizer(training: texts, vocabularySize: size, specials: specials) }))
    }

    r.function("load_tokenizer", [Param("path", doc: "a JSON file written by tokenizer.save(path)")],
               doc: "Loads a tokenizer saved with .save(path).") { args in
      let path = try args.string(0)
      let text = String(decoding: try Posix.readBytes(path, "load_tokenizer"), as: UTF8.self)
      return .object(TokenizerValue(try CoreBridge.run("load_tokenizer") { try TokenizerJSON.load(text, source: path) }))
    }
  }

  // MARK: - The tokenizer type

  static func makeType() -> NativeType {
    let t = NativeType(name: "tokenizer", doc: "Text to token ids and back; made by char_tokenizer, bpe_tokenizer or load_tokenizer.")
    t.method("encode", [Param("text", doc: "the text; special tokens' texts in it become their ids")],
             doc: "The token ids of a text, as a list of ints.") { args in
      let tok = try TokenizerValue.tokenizer(args.receiver)
      let text = try args.string(0)
      let ids = try CoreBridge.run("encode") { try tok.encode(text) }
      return .list(ids.map { .int(Int($0)) })
    }
    t.method("decode", [Param("ids", doc: "token ids: a list of ints or a 1-D int64 tensor")],
             doc: "The text of token ids (specials written as their text).") { args in
      let tok = try TokenizerValue.tokenizer(args.receiver)
      let ids = try self.ids(args[0])
      return .str(try CoreBridge.run("decode") { try tok.decode(ids) })
    }
    t.method("id", [Param("token", doc: "the text of one token, e.g. `\"<good>\"`")],
             doc: "The id of the token with exactly this text.") { args in
      let tok = try TokenizerValue.tokenizer(args.receiver)
      let text = try args.string(0)
      guard let id = tok.id(ofToken: text) else {
        throw PavlovError.runtime("id: no token has the text \(Format.quoted(text))",
                                  hint: "id(...) looks up one whole token; encode(text) splits a text into tokens")
      }
      return .int(Int(id))
    }
    t.method("token", [Param("id", doc: "a token id, from 0 to size - 1")],
             doc: "The text of one token.") { args in
      let tok = try TokenizerValue.tokenizer(args.receiver)
      let id = try args.int(0)
      return .str(try CoreBridge.run("token") { try tok.tokenText(Int64(id)) })
    }
    t.method("save", [Param("path", doc: "the JSON file to write (atomically)")],
             doc: "Writes the tokenizer as JSON, for load_tokenizer(path).") { args in
      let tok = try TokenizerValue.tokenizer(args.receiver)
      try Posix.writeAtomically(try args.string(0), Array(tok.json().utf8), "save")
      return .null
    }
    t.property("size", doc: "The number of tokens (ids run from 0 to size - 1): a model's vocab.") { v in
      .int(try TokenizerValue.tokenizer(v).vocabularySize)
    }
    t.property("eos", doc: "The id of the end-of-text token `<eos>` (always 0).") { v in
      .int(Int(try TokenizerValue.tokenizer(v).endOfText))
    }
    t.property("specials", doc: "The special tokens' texts in id order (specials[i] has id i).") { v in
      .list(try TokenizerValue.tokenizer(v).specialTokens.map { .str($0.text) })
    }
    t.property("kind", doc: "\"char\" or \"bpe\".") { v in
      .str(TokenizerValue.kind(of: try TokenizerValue.tokenizer(v)))
    }
    return t
  }

  // MARK: - Arguments

  /// A list of strings (or one string, as a list of one).
  private static func strings(_ args: Args, _ i: Int, _ function: String, _ name: String) throws(PavlovError) -> [String] {
    switch args[i] {
    case .string(let s): return [s.value]
    case .list(let l):
      var out: [String] = []
      out.reserveCapacity(l.items.count)
      for (k, item) in l.items.enumerated() {
        guard case .string(let s) = item else {
          throw PavlovError.runtime("\(function): item \(k) of `\(name)` is \(item.typeName) (\(Format.repr(item, limit: 40))), not a string",
                                    hint: "pass a list of strings")
        }
        out.append(s.value)
      }
      return out
    default:
      throw args.typeError(i, "a list of strings")
    }
  }

  /// Token ids from a list of ints or a 1-D (or single) int64 tensor.
  private static func ids(_ value: Value) throws(PavlovError) -> [Int64] {
    switch value {
    case .list(let l):
      var out: [Int64] = []
      out.reserveCapacity(l.items.count)
      for (k, item) in l.items.enumerated() {
        guard case .int(let id) = item else {
          throw PavlovError.runtime("decode: item \(k) is \(item.typeName) (\(Format.repr(item, limit: 40))), not an int",
                                    hint: "token ids are ints, as encode returns them")
        }
        out.append(Int64(id))
      }
      return out
    case .int(let id):
      return [Int64(id)]
    case .object(let o as TensorValue):
      let t = o.tensor
      guard t.dtype == .int64 else {
        throw PavlovError.runtime("decode: the ids are a \(t.dtype.rawValue) tensor, not int64", hint: "token ids are int64; convert with t.long()")
      }
      guard t.rank <= 1 else {
        throw PavlovError.runtime("decode: the ids tensor has shape \(Shape.describe(t.shape)); decode takes one sequence (1-D)",
                                  hint: "decode one row at a time, e.g. tok.decode(ids[0])")
      }
      return t.ints
    default:
      throw PavlovError.runtime("decode: `ids` must be a list of ints or an int64 tensor, got \(value.typeName)")
    }
  }
}
