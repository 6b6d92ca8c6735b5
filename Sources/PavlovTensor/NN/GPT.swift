import PavlovCore
import CPavlovKernels
import Glibc

/// Multi-head causal self-attention, the pre-LayerNorm transformer block, and a small GPT with
/// a key/value cache for generation.
public final class CausalSelfAttention: Module {
  public let dim: Int, heads: Int
  /// The query/key/value projection and the output projection (linear layers, or LoRA adapters
  /// around them).
  public private(set) var qkv: Module, proj: Module

  public convenience init(dim: Int, heads: Int, initialization: Initialization, generator: SeededGenerator) throws {
    guard heads > 0, dim % heads == 0 else { throw CoreError("attention: d = \(dim) must be divisible by heads = \(heads)") }
    self.init(dim: dim, heads: heads, qkv: Linear(dim, 3 * dim, initialization: initialization, generator: generator),
              proj: Linear(dim, dim, initialization: initialization, generator: generator))
  }

  private init(dim: Int, heads: Int, qkv: Module, proj: Module) {
    self.dim = dim
    self.heads = heads
    self.qkv = qkv
    self.proj = proj
    super.init(kind: "attention")
    addChild("qkv", qkv)
    addChild("proj", proj)
  }

  public override func childReplaced(named name: String, with module: Module) {
    if name == "qkv" { qkv = module }
    if name == "proj" { proj = module }
  }

  public override func forward(_ x: Tensor) throws -> Tensor {
    try proj.forward(try Tensor.causalSelfAttention(try qkv.forward(x), heads: heads))
  }

  /// The output for the rows of a packed batch (see `PackedRows`).
  func forward(_ x: Tensor, packed: PackedRows) throws -> Tensor {
    try proj.forward(try Tensor.causalSelfAttention(try qkv.forward(x), heads: heads, packed: packed))
  }

  /// The output for `x` (B, T, d), row b at positions cache.lengths[b]..., writing the new keys
  /// and values into the cache (no autograd). The caller advances the lengths.
  func forward(_ x: Tensor, cache: KVCache) throws -> Tensor {
    let B = x.shape[0], T = x.shape[1], d = dim, hd = dim / heads
    let qkv = try self.qkv.forward(x)
    guard cache.lengths.allSatisfy({ $0 + T <= cache.capacity }) else { throw CoreError("attention cache is full (\(cache.capacity) positions)") }
    // Row copies through pointers: element stores into the class's arrays were checked for
    // exclusive access one by one.
    qkv.data.withUnsafeBufferPointer { src in
      cache.keys.withUnsafeMutableBufferPointer { keys in
        cache.values.withUnsafeMutableBufferPointer { values in
          guard let source = src.baseAddress, let k = keys.baseAddress, let v = values.baseAddress else { return }
          for b in 0..<B {
            for t in 0..<T {
              let from = source + (b * T + t) * 3 * d, to = (b * cache.capacity + cache.lengths[b] + t) * d
              (k + to).update(from: from + d, count: d)
              (v + to).update(from: from + 2 * d, count: d)
            }
          }
        }
      }
    }
    var out = [Float](repeating: 0, count: B * T * d)
    // Scratch probabilities for each part of the split below.
    let capacity = cache.capacity, lengths = cache.lengths
    var probabilities = [Float](repeating: 0, count: Parallel.parts * T * capacity)
    let scale = 1 / Float(hd).squareRoot()
    qkv.data.withUnsafeBufferPointer { src in
      cache.keys.withUnsafeBufferPointer { kc in
        cache.values.withUnsafeBufferPointer { vc in
          out.withUnsafeMutableBufferPointer { o in
            probabilities.withUnsafeMutableBufferPointer { p in
              guard let source = src.baseAddress, let keys = kc.baseAddress, let values = vc.baseAddress, let output = o.baseAddress,
                    let scratch = p.baseAddress else { return }
              // Every (row, head) pair writes its own outputs: the pairs are split over the cores.
              Parallel.forEachPart(B * heads, minimumPerPart: 16) { part, pairs in
                for pair in pairs {
                  let b = pair / heads, h = pair % heads, start = lengths[b]
                  Tensor.attentionRows(q: source + b * T * 3 * d + h * hd, k: keys + b * capacity * d + h * hd,
                                       v: values + b * capacity * d + h * hd, ld: 3 * d, queries: T, keys: start + T, offset: start,
                                       hd: hd, scale: scale, probabilities: scratch + part * T * capacity,
                                       out: output + b * T * d + h * hd, outLD: d, keyLD: d)
                }
              }
            }
          }
        }
      }
    }
    return try proj.forward(Tensor(shape: [B, T, d], data: out))
  }

  public override var summary: String { "attention(d: \(dim), heads: \(heads))" }
  public override func copy() throws -> Module {
    finishCopy(CausalSelfAttention(dim: dim, heads: heads, qkv: try qkv.copy(), proj: try proj.copy()))
  }
}

/// The keys and values of past positions, per layer, for generation. Rows may hold different
/// numbers of positions (prompts of different lengths): row b's are 0..<lengths[b].
final class KVCache {
  let capacity: Int
  var keys: [Float], values: [Float]
  var lengths: [Int]
  init(batch: Int, capacity: Int, dim: Int) {
    self.capacity = capacity
    lengths = [Int](repeating: 0, count: batch)
    keys = [Float](repeating: 0, count: batch * capacity * dim)
    values = keys
  }
}

/// x + attn(ln1(x)), then x + mlp(ln2(x)) (GPT-2's pre-LayerNorm block).
public final class TransformerBlock: Module {
  public let ln1: LayerNorm, attn: CausalSelfAttention, ln2: LayerNorm, mlp: Sequential

  public convenience init(dim: Int, heads: Int, dropout: Float, initialization: Initialization, generator: SeededGenerator) throws {
    let attn = try CausalSelfAttention(dim: dim, heads: heads, initialization: initialization, generator: generator)
    var mlp: [Module] = [Linear(dim, 4 * dim, initialization: initialization, generator: generator), Activation(.gelu),
                         Linear(4 * dim, dim, initialization: initialization, generator: generator)]
    if dropout > 0 { mlp.append(try Dropout(dropout, generator: generator)) }
    self.init(ln1: LayerNorm(dim), attn: attn, ln2: LayerNorm(dim), mlp: Sequential(mlp, label: "mlp"))
  }

  private init(ln1: LayerNorm, attn: CausalSelfAttention, ln2: LayerNorm, mlp: Sequential) {
    self.ln1 = ln1
    self.attn = attn
    self.ln2 = ln2
    self.mlp = mlp
    super.init(kind: "block")
    addChild("ln1", ln1)
    addChild("attn", attn)
    addChild("ln2", ln2)
    addChild("mlp", mlp)
  }

  public override func forward(_ x: Tensor) throws -> Tensor {
    let h = try x + (try attn.forward(try ln1.forward(x)))
    return try h + (try mlp.forward(try ln2.forward(h)))
  }

  func forward(_ x: Tensor, packed: PackedRows) throws -> Tensor {
    let h = try x + (try attn.forward(try ln1.forward(x, packed: packed), packed: packed))
    return try h + (try mlp.forward(try ln2.forward(h, packed: packed)))
  }

  func forward(_ x: Tensor, cache: KVCache) throws -> Tensor {
    let h = try x + (try attn.forward(try ln1.forward(x), cache: cache))
    return try h + (try mlp.forward(try ln2.forward(h)))
  }

  public override func copy() throws -> Module {
    finishCopy(TransformerBlock(ln1: try ln1.typedCopy(), attn: try attn.typedCopy(), ln2: try ln2.typedCopy(), mlp: try mlp.typedCopy()))
  }
}

/// A GPT: token and position embeddings, pre-LayerNorm blocks, a final LayerNorm and a linear
/// head to the vocabulary. Weights start as GPT-2's (normal, std 0.02; zero biases).
public final class GPT: Module {
  public let vocab: Int, dim: Int, layers: Int, heads: Int, context: Int
  public let tokenEmbedding: Embedding, positionEmbedding: Embedding
  /// The blocks, registered as one `Sequential` named "blocks" (parameters "blocks.0.…").
  public let blocks: [TransformerBlock]
  public let finalNorm: LayerNorm
  /// The linear head to the vocabulary (or a LoRA adapter around it).
  public private(set) var head: Module

  public convenience init(vocab: Int, dim: Int, layers: Int, heads: Int, context: Int, dropout: Float = 0, generator: SeededGenerator) throws {
    guard vocab > 0, dim > 0, layers >= 0, context > 0 else {
      throw CoreError("gpt: vocab, d and ctx must be positive and layers non-negative")
    }
    let initialization = Initialization.normal(std: 0.02)
    let tok = Embedding(vocab, dim, std: 0.02, generator: generator)
    let pos = Embedding(context, dim, std: 0.02, generator: generator)
    var blocks: [TransformerBlock] = []
    for _ in 0..<layers {
      blocks.append(try TransformerBlock(dim: dim, heads: heads, dropout: dropout, initialization: initialization, generator: generator))
    }
    self.init(heads: heads, tok: tok, pos: pos, blocks: blocks, finalNorm: LayerNorm(dim),
              head: Linear(dim, vocab, bias: false, initialization: initialization, generator: generator))
  }

  private init(heads: Int, tok: Embedding, pos: Embedding, blocks: [TransformerBlock], finalNorm: LayerNorm, head: Module) {
    vocab = tok.count
    dim = tok.dim
    layers = blocks.count
    self.heads = heads
    context = pos.count
    tokenEmbedding = tok
    positionEmbedding = pos
    self.blocks = blocks
    self.finalNorm = finalNorm
    self.head = head
    super.init(kind: "gpt")
    addChild("tok", tok)
    addChild("pos", pos)
    addChild("blocks", Sequential(blocks, label: "blocks"))
    addChild("ln_f", finalNorm)
    addChild("head", head)
  }

  public override func childReplaced(named name: String, with module: Module) {
    if name == "head" { head = module }
  }

  /// Logits (B, T, vocab) for int64 ids (B, T); ids of rank 1 give (T, vocab).
  public override func forward(_ ids: Tensor) throws -> Tensor {
    if ids.rank == 1 { return try forward(try ids.unsqueezed(0)).squeezed(0) }
    return try head.forward(try features(ids))
  }

  /// The final hidden states (B, T, d), after the last LayerNorm: what value and reward heads read.
  public func features(_ ids: Tensor) throws -> Tensor {
    guard ids.rank == 2, ids.dtype == .int64 else {
      throw CoreError("gpt: expected int64 token ids of shape (batch, time), got \(ids.dtype.rawValue) \(Shape.describe(ids.shape))")
    }
    let T = ids.shape[1]
    guard T <= context else { throw CoreError("gpt: \(T) tokens exceed the context of \(context)", hint: "keep the last \(context) tokens") }
    var x = try embed(ids, start: 0)
    for block in blocks { x = try block.forward(x) }
    return try finalNorm.forward(x)
  }

  /// `features(ids)` for a right-padded batch whose row b holds `lengths[b]` real tokens: the
  /// same bits at the real positions, zeros at the padding, and the padding never computed (see
  /// `PackedRows`). Falls back to `features(ids)` when nothing is padding or dropout is on (its
  /// masks are drawn per padded element).
  public func features(_ ids: Tensor, lengths: [Int]) throws -> Tensor {
    guard ids.rank == 2, ids.dtype == .int64, lengths.count == ids.shape[0], ids.shape[1] <= context,
          let packed = PackedRows(lengths: lengths, width: ids.shape[1]), !dropsOut else { return try features(ids) }
    var x = try tokenEmbedding.forward(packed.pack(ids: ids)) + (try positionEmbedding.forward(packed.positions()))
    for block in blocks { x = try block.forward(x, packed: packed) }
    return packed.unpack(try finalNorm.forward(x, packed: packed))
  }

  /// Whether a dropout layer would draw masks in this pass.
  private var dropsOut: Bool { training && contains(Dropout.self) }

  /// Token embeddings plus the embeddings of positions start, start + 1, ...
  private func embed(_ ids: Tensor, start: Int) throws -> Tensor {
    let positions = try Tensor.arange(start, start + ids.shape[1])
    return try tokenEmbedding.forward(ids) + (try positionEmbedding.forward(positions))
  }

  /// The logits (..., vocab) for final hidden states from `features`.
  public func logits(fromFeatures h: Tensor) throws -> Tensor { try head.forward(h) }

  /// Final hidden states (B, T, d) for new tokens (B, T), row b at positions
  /// caches[·].lengths[b]...; extends the caches by T positions per row.
  func step(_ ids: Tensor, caches: [KVCache]) throws -> Tensor {
    let B = ids.shape[0], T = ids.shape[1]
    let starts = caches.first?.lengths ?? [Int](repeating: 0, count: B)
    var positions = [Int64]()
    positions.reserveCapacity(B * T)
    for b in 0..<B { for t in 0..<T { positions.append(Int64(starts[b] + t)) } }
    var x = try tokenEmbedding.forward(ids) + (try positionEmbedding.forward(Tensor(shape: [B, T], ints: positions)))
    for (block, cache) in zip(blocks, caches) { x = try block.forward(x, cache: cache) }
    for c in caches { for b in 0..<B { c.lengths[b] += T } }
    return try finalNorm.forward(x)
  }

  /// Rewrites the next-token logits of a batch in generation, given each row's final hidden
  /// state (B, d) at its last position: ILQL adds β·Q(s, ·) from heads on those states.
  public typealias LogitAdjustment = (_ lastFeatures: Tensor, _ logits: inout [[Float]]) throws -> Void

  /// Continues each row of `prompt` (rows may differ in length) by up to `maxTokens` tokens,
  /// using the key/value cache. Temperature 0 is greedy; topK / topP filter before sampling. A
  /// row ends at any token in `stop` (included in its output). Returns the new tokens per row.
  /// When a row reaches the context, the cache restarts from the row's last context − 1 tokens.
  /// `adjust`, when given, rewrites each step's logits before a token is picked.
  public func generate(_ prompt: [[Int64]], maxTokens: Int, temperature: Float = 1, topK: Int? = nil, topP: Float? = nil,
                       stop: Set<Int64> = [], generator: SeededGenerator, adjust: LogitAdjustment? = nil) throws -> [[Int64]] {
    let B = prompt.count
    guard B > 0, prompt.allSatisfy({ !$0.isEmpty }) else {
      throw CoreError("generate: the prompt needs at least one token per row")
    }
    return try Autograd.noGrad {
      var tokens = prompt
      var outputs = [[Int64]](repeating: [], count: B)
      var done = [Bool](repeating: false, count: B)
      var caches: [KVCache] = []
      for _ in 0..<maxTokens {
        var lastLogits: [[Float]]
        if caches.isEmpty || caches[0].lengths.contains(where: { $0 + 1 > context }) {
          // (Re)start the caches: feed every row's last context − 1 tokens, right-padded; a
          // causal model's logits at real positions ignore the padding after them.
          caches = (0..<layers).map { _ in KVCache(batch: B, capacity: context, dim: dim) }
          let window = tokens.map { Array($0.suffix(Swift.max(context - 1, 1))) }
          let width = window.map(\.count).max() ?? 1
          let ids = Tensor(shape: [B, width], ints: window.flatMap { $0 + [Int64](repeating: 0, count: width - $0.count) })
          let features = try step(ids, caches: caches)
          let logits = try head.forward(features)
          for c in caches { c.lengths = window.map(\.count) }
          // Each row's last real position.
          let last: [Int] = (0..<B).map { b in b * width + window[b].count - 1 }
          lastLogits = last.map { p in Array(logits.data[(p * vocab)..<((p + 1) * vocab)]) }
          if let adjust {
            var rows = [Float]()
            rows.reserveCapacity(B * dim)
            for p in last { rows += features.data[(p * dim)..<((p + 1) * dim)] }
            try adjust(Tensor(shape: [B, dim], data: rows), &lastLogits)
          }
        } else {
          let ids = Tensor(shape: [B, 1], ints: tokens.map { $0[$0.count - 1] })
          let features = try step(ids, caches: caches)
          let logits = try head.forward(features)
          lastLogits = (0..<B).map { b in Array(logits.data[(b * vocab)..<((b + 1) * vocab)]) }
          if let adjust { try adjust(try features.reshaped([B, dim]), &lastLogits) }
        }
        for b in 0..<B {
          let next = Sampling.choose(lastLogits[b], temperature: temperature, topK: topK, topP: topP, generator: generator)
          tokens[b].append(next)
          if !done[b] {
            outputs[b].append(next)
            if stop.contains(next) { done[b] = true }
          }
        }
        if done.allSatisfy({ $0 }) { break }
      }
      return outputs
    }
  }

  public override var summary: String { "gpt(vocab: \(vocab), d: \(dim), layers: \(layers), heads: \(heads), ctx: \(context))" }
  public override func copy() throws -> Module {
    finishCopy(GPT(heads: heads, tok: try tokenEmbedding.typedCopy(), pos: try positionEmbedding.typedCopy(), blocks: try blocks.map { try $0.typedCopy() },
                   finalNorm: try finalNorm.typedCopy(), head: try head.copy()))
  }
}

/// Picking the next token from logits.
public enum Sampling {
  public static func choose(_ logits: [Float], temperature: Float, topK: Int?, topP: Float?, generator: SeededGenerator) -> Int64 {
    guard temperature > 0 else {
      var best = 0
      for i in 1..<logits.count where logits[i] > logits[best] { best = i }
      return Int64(best)
    }
    var order = Array(0..<logits.count).sorted { logits[$0] > logits[$1] || (logits[$0] == logits[$1] && $0 < $1) }
    if let topK, topK > 0 { order = Array(order.prefix(topK)) }
    let top = logits[order[0]] / temperature
    var weights = order.map { Double(pv_expf(logits[$0] / temperature - top)) }
    if let topP, topP < 1 {
      let total: Double = weights.reduce(0.0, +)
      var running: Double = 0
      var keep = 0
      for w in weights {
        running += w / total
        keep += 1
        if running >= Double(topP) { break }
      }
      order = Array(order.prefix(keep))
      weights = Array(weights.prefix(keep))
    }
    let total: Double = weights.reduce(0.0, +)
    var u: Double = generator.nextDouble() * total
    for (k, w) in weights.enumerated() {
      u -= w
      if u < 0 { return Int64(order[k]) }
    }
    return Int64(order[order.count - 1])
  }
}
