import PavlovTensor

/// Token sequences of different lengths as one right-padded batch, each split into a prompt
/// and a response. A causal model never looks right, so padding after a sequence changes
/// none of its logits; masks keep the padding out of every loss and statistic.
public struct SequenceBatch {
  /// (B, T) int64 ids, each row padded with `padding` after its last token.
  public let ids: Tensor
  /// The number of real tokens per row.
  public let lengths: [Int]
  /// Per row, how many leading tokens are prompt (the rest is response).
  public let promptLengths: [Int]
  public var count: Int { lengths.count }
  public var width: Int { ids.shape.count == 2 ? ids.shape[1] : 0 }

  /// Rows prompt + response; `padding` fills the rows out to the longest.
  public init(prompts: [[Int64]], responses: [[Int64]], padding: Int64) throws {
    guard prompts.count == responses.count, !prompts.isEmpty else {
      throw CoreError("a batch needs as many responses as prompts and at least one row (got \(prompts.count) and \(responses.count))")
    }
    var lengths: [Int] = [], promptLengths: [Int] = []
    var rows: [[Int64]] = []
    for (p, r) in zip(prompts, responses) {
      rows.append(p + r)
      lengths.append(p.count + r.count)
      promptLengths.append(p.count)
    }
    guard let width = lengths.max(), width >= 2 else { throw CoreError("every row needs at least two tokens (one to read, one to predict)") }
    var flat: [Int64] = []
    flat.reserveCapacity(rows.count * width)
    for row in rows { flat += row + [Int64](repeating: padding, count: width - row.count) }
    ids = Tensor(shape: [rows.count, width], ints: flat)
    self.lengths = lengths
    self.promptLengths = promptLengths
  }

  /// Whole sequences (no prompt): every token after the first is predicted.
  public init(sequences: [[Int64]], padding: Int64) throws {
    try self.init(prompts: sequences.map { Array($0.prefix(1)) }, responses: sequences.map { Array($0.dropFirst()) }, padding: padding)
  }

  /// The model's inputs (B, T - 1): every token but the last column.
  public func inputs() -> Tensor { columns(0..<(width - 1)) }

  /// `model`'s final hidden states (B, T - 1, d) for `inputs()`, the padding skipped (zeros
  /// there; see `GPT.features(_:lengths:)`).
  public func features(_ model: GPT) throws -> Tensor { try model.features(inputs(), lengths: lengths) }

  /// The next-token targets (B, T - 1): every token but the first column.
  public func targets() -> Tensor { columns(1..<width) }

  private func columns(_ range: Range<Int>) -> Tensor {
    var out: [Int64] = []
    out.reserveCapacity(count * range.count)
    for b in 0..<count { out += ids.ints[(b * width + range.lowerBound)..<(b * width + range.upperBound)] }
    return Tensor(shape: [count, range.count], ints: out)
  }

  /// (B, T - 1) with 1 where the target is a response token, 0 for prompt and padding:
  /// position t predicts token t + 1.
  public func responseMask() -> Tensor {
    let w = width - 1
    var mask = [Float](repeating: 0, count: count * w)
    for b in 0..<count where lengths[b] > promptLengths[b] {
      for t in Swift.max(promptLengths[b] - 1, 0)..<(lengths[b] - 1) { mask[b * w + t] = 1 }
    }
    return Tensor(shape: [count, w], data: mask)
  }

  /// The response tokens of row b.
  public func response(_ b: Int) -> [Int64] { Array(ids.ints[(b * width + promptLengths[b])..<(b * width + lengths[b])]) }
}

extension SequenceBatch {
  /// The pairs in batches of at most `size` rows, in order: for passes without a graph over more
  /// rows than one batch should hold.
  public static func chunked(prompts: [[Int64]], responses: [[Int64]], padding: Int64, size: Int) throws -> [SequenceBatch] {
    try stride(from: 0, to: prompts.count, by: Swift.max(size, 1)).map { start in
      let end = Swift.min(prompts.count, start + Swift.max(size, 1))
      return try SequenceBatch(prompts: Array(prompts[start..<end]), responses: Array(responses[start..<end]), padding: padding)
    }
  }

  /// Flat indices into a (B, T - 1) tensor of the positions that predict response tokens,
  /// row by row (row b's are consecutive, in order).
  public func responsePositions() -> [[Int]] {
    let w = width - 1
    return (0..<count).map { b in
      lengths[b] > promptLengths[b] ? Array((b * w + Swift.max(promptLengths[b] - 1, 0))..<(b * w + lengths[b] - 1)) : []
    }
  }
}
