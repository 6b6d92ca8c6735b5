import PavlovLM
import PavlovLang

/// A tokenizer as a Pavlov value (made by char_tokenizer, bpe_tokenizer or load_tokenizer).
/// Other bindings (generation, SFT, RLHF trainers) take the Swift tokenizer out with
/// `TokenizerValue.tokenizer(value)`.
final class TokenizerValue: PObject {
  let tokenizer: any Tokenizer

  nonisolated(unsafe) static let nativeType: NativeType = TokenizerBindings.makeType()

  init(_ tokenizer: any Tokenizer) {
    self.tokenizer = tokenizer
    super.init(type: TokenizerValue.nativeType)
  }

  /// "char", "bpe", or the Swift type's name for tokenizers made elsewhere.
  static func kind(of tokenizer: any Tokenizer) -> String {
    switch tokenizer {
    case is CharTokenizer: return "char"
    case is BPETokenizer: return "bpe"
    default: return "\(Swift.type(of: tokenizer))"
    }
  }

  override var displayString: String {
    let specials = tokenizer.specialTokens.map(\.text).joined(separator: " ")
    return "<tokenizer \(TokenizerValue.kind(of: tokenizer)): \(tokenizer.vocabularySize) tokens, specials \(specials)>"
  }

  /// The tokenizer inside `v`; a clear error if `v` is something else.
  static func tokenizer(_ v: Value) throws(PavlovError) -> any Tokenizer {
    guard case .object(let o as TokenizerValue) = v else {
      throw PavlovError.runtime("expected a tokenizer, got \(v.typeName)",
                                hint: "make one with char_tokenizer(texts), bpe_tokenizer(texts, vocab_size: 512) or load_tokenizer(path)")
    }
    return o.tokenizer
  }
}
