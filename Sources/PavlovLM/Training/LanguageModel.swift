import PavlovTensor

/// What every RLHF step asks of a GPT: the log-probabilities it gives response tokens, with or
/// without a graph for training, and the hidden states a value or reward head reads.
public enum LanguageModel {
  /// Per-token log-probabilities (B, T − 1) of the batch's next tokens, and the final hidden
  /// states (B, T − 1, d) they came from. Records a graph when autograd is on.
  public static func tokenLogProbs(_ model: GPT, _ batch: SequenceBatch) throws -> (logProbs: Tensor, features: Tensor) {
    let features = try batch.features(model)
    let logits = try model.logits(fromFeatures: features)
    return (try Tensor.tokenLogProbs(logits, batch.targets()), features)
  }

  /// The response tokens' log-probabilities as one flat vector (every row's, in order), with the
  /// positions used, so losses can average over tokens.
  public static func responseLogProbs(_ model: GPT, _ batch: SequenceBatch) throws -> (flat: Tensor, positions: [[Int]], features: Tensor) {
    let (all, features) = try tokenLogProbs(model, batch)
    let positions = batch.responsePositions()
    let flat = positions.flatMap { $0 }
    return (try all.flattened().picking([flat.count], flat, "response_log_probs"), positions, features)
  }

  /// Every response token's log-probability, entropy and final hidden state (the value head's
  /// input), rows one after another: (N), (N) and (N, d) for N response tokens, with a graph when
  /// autograd is on (the entropies never carry one) — what a hand-written RLHF step reads.
  public static func responseTokens(_ model: GPT, _ batch: SequenceBatch) throws -> (logProbs: Tensor, entropies: Tensor, features: Tensor) {
    let features = try batch.features(model)
    let logits = try model.logits(fromFeatures: features)
    let all = try Tensor.tokenLogProbs(logits, batch.targets())
    let entropies = Tensor.tokenEntropies(logits)
    let flat = batch.responsePositions().flatMap { $0 }
    return (try all.flattened().picking([flat.count], flat, "token_log_probs"),
            try entropies.flattened().picking([flat.count], flat, "token_log_probs"),
            states(features, at: flat, "token_log_probs"))
  }

  /// The hidden states (N, d) at flat positions b·T + t of features (B, T, d), with the graph:
  /// the response tokens' states, or each row's last.
  public static func states(_ features: Tensor, at positions: [Int], _ name: String) -> Tensor {
    let d = features.shape[features.rank - 1]
    var rows: [Int] = []
    rows.reserveCapacity(positions.count * d)
    for p in positions { rows += (p * d)..<((p + 1) * d) }
    return features.picking([positions.count, d], rows, name)
  }

  /// Σ log p(response | prompt) per row, without a graph (DPO's reference, best-of-n, judges).
  public static func sequenceLogProbs(_ model: GPT, prompts: [[Int64]], responses: [[Int64]], padding: Int64, batchSize: Int = 32) throws -> [Double] {
    try Autograd.noGrad {
      var out: [Double] = []
      out.reserveCapacity(prompts.count)
      for batch in try SequenceBatch.chunked(prompts: prompts, responses: responses, padding: padding, size: batchSize) {
        let (all, _) = try tokenLogProbs(model, batch)
        for row in batch.responsePositions() { out.append(row.reduce(0.0) { $0 + Double(all.data[$1]) }) }
      }
      return out
    }
  }

  /// Whether a sequence of `length` tokens fits the model's context (the last token is only
  /// predicted, never read).
  public static func fits(_ model: GPT, _ length: Int) -> Bool { length <= model.context + 1 }

  /// Checks that every sequence fits the model's context (prompt + response ≤ context + 1, since
  /// the last token is only predicted, never read).
  public static func checkFits(_ model: GPT, _ lengths: [Int], what: String) throws {
    if let (i, n) = lengths.enumerated().first(where: { !fits(model, $0.element) }) {
      throw CoreError("\(what) \(i + 1) is \(n) tokens, more than the model's context of \(model.context) allows",
                        hint: "use a model with a larger ctx, or shorter texts")
    }
  }
}

/// log σ(x) with the right gradient at 0.
func logSigmoid(_ x: Tensor) throws -> Tensor { x.logSigmoid() }
