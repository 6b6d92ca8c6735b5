import PavlovCore
import CPavlovKernels
import Glibc

/// Multi-head causal self-attention, the pre-LayerNorm transformer block, and a small GPT with
/// a key/value cache for generation.
public final class CausalSelfAttention: Module {
  public let dim: Int, heads: Int

  public init(dim: Int, heads: Int, initialization: Initialization, generator: SeededGenerator) throws {
    guard heads > 0, dim % heads == 0 else { throw CoreError("attention: d = \(dim) must be divisible by heads = \(heads)") }
    self.dim = dim
    self.heads = heads
    super.init(kind: "attention")
    addChild("qkv", Linear(dim, 3 * dim, initialization: initialization, generator: generator))
    addChild("proj", Linear(dim, dim, initialization: initialization, generator: generator))
  }

  private init(copying other: CausalSelfAttention) {
    dim = other.dim
    heads = other.heads
    super.init(kind: "attention")
  }

  public override func forward(_ x: Tensor) throws -> Tensor {
    let qkv = try children[0].module.forward(x)
    return try children[1].module.forward(try Tensor.causalSelfAttention(qkv, heads: heads))
  }

  /// The output for `x` (B, T, d), row b at positions cache.lengths[b]..., writing the new keys
  /// and values into the cache (no autograd). The caller advances the lengths.
  func forward(_ x: Tensor, cache: KVCache) throws -> Tensor {
    let B = x.shape[0], T = x.shape[1], d = dim, hd = dim / heads
    let qkv = try children[0].module.forward(x)
    guard cache.lengths.allSatisfy({ $0 + T <= cache.capacity }) else { throw CoreError("attention cache is full (\(cache.capacity) positions)") }
    qkv.data.withUnsafeBufferPointer { src in
      for b in 0..<B {
        for t in 0..<T {
          let from = (b * T + t) * 3 * d, to = (b * cache.capacity + cache.lengths[b] + t) * d
          for e in 0..<d {
            cache.keys[to + e] = src[from + d + e]
            cache.values[to + e] = src[from + 2 * d + e]
          }
        }
      }
    }
    var out = [Float](repeating: 0, count: B * T * d)
    var probabilities = [Float](repeating: 0, count: T * cache.capacity)
    let scale = 1 / Float(hd).squareRoot()
    qkv.data.withUnsafeBufferPointer { src in
      cache.keys.withUnsafeBufferPointer { kc in
        cache.values.withUnsafeBufferPointer { vc in
          out.withUnsafeMutableBufferPointer { o in
            probabilities.withUnsafeMutableBufferPointer { p in
              for b in 0..<B {
                let start = cache.lengths[b]
                for h in 0..<heads {
                  Tensor.attentionRows(q: src.baseAddress! + b * T * 3 * d + h * hd, k: kc.baseAddress! + b * cache.capacity * d + h * hd,
                                       v: vc.baseAddress! + b * cache.capacity * d + h * hd, ld: 3 * d, queries: T, keys: start + T, offset: start,
                                       hd: hd, scale: scale, probabilities: p.baseAddress!, out: o.baseAddress! + b * T * d + h * hd, outLD: d, keyLD: d)
                }
              }
            }
          }
        }
      }
    }
    return try children[1].module.forward(Tensor(shape: [B, T, d], data: out))
  }

  public override var summary: String { "attention(d: \(dim), heads: \(heads))" }
  public override func copy() throws -> Module {
    let c = CausalSelfAttention(copying: self)
    for (name, child) in children { c.addChild(name, try child.copy()) }
    return finishCopy(c)
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
  public init(dim: Int, heads: Int, dropout: Float, initialization: Initialization, generator: SeededGenerator) throws {
    super.init(kind: "block")
    addChild("ln1", LayerNorm(dim))
    addChild("attn", try CausalSelfAttention(dim: dim, heads: heads, initialization: initialization, generator: generator))
    addChild("ln2", LayerNorm(dim))
    var mlp: [Module] = [Linear(dim, 4 * dim, initialization: initialization, generator: generator), Activation(.gelu),
                         Linear(4 * dim, dim, initialization: initialization, generator: generator)]
    if dropout > 0 { mlp.append(try Dropout(dropout, generator: generator)) }
    addChild("mlp", Sequential(mlp, label: "mlp"))
  }

  private override init(kind: String) { super.init(kind: kind) }

  public override func forward(_ x: Tensor) throws -> Tensor {
    let h = try x + (try children[1].module.forward(try children[0].module.forward(x)))
    return try h + (try children[3].module.forward(try children[2].module.forward(h)))
  }

  func forward(_ x: Tensor, cache: KVCache) throws -> Tensor {
    guard let attention = children[1].module as? CausalSelfAttention else { return try forward(x) }
    let h = try x + (try attention.forward(try children[0].module.forward(x), cache: cache))
    return try h + (try children[3].module.forward(try children[2].module.forward(h)))
  }

  public override func copy() throws -> Module {
    let c = TransformerBlock(kind: "block")
    for (name, child) in children { c.addChild(name, try child.copy()) }
    return finishCopy(c)
  }
}

/// A GPT: token and position embeddings, pre-LayerNorm blocks, a final LayerNorm and a linear
/// head to the vocabulary. Weights start as GPT-2's (normal, std 0.02; zero biases).
public final class GPT: Module {
  public let vocab: Int, dim: Int, layers: Int, heads: Int, context: Int

  public init(vocab: Int, dim: Int, layers: Int, heads: Int, context: Int, dropout: Float = 0, generator: SeededGenerator) throws {
    guard vocab > 0, dim > 0, layers >= 0, context > 0 else {
      throw CoreError("gpt: vocab, d and ctx must be positive and layers non-negative")
    }
    self.vocab = vocab
    self.dim = dim
    self.layers = layers
    self.heads = heads
    self.context = context
    super.init(kind: "gpt")
    let initialization = Initialization.normal(std: 0.02)
    addChild("tok", Embedding(vocab, dim, std: 0.02, generator: generator))
    addChild("pos", Embedding(context, dim, std: 0.02, generator: generator))
    var blocks: [Module] = []
    for _ in 0..<layers {
      blocks.append(try TransformerBlock(dim: dim, heads: heads, dropout: dropout, initialization: initialization, generator: generator))
    }
    addChild("blocks", Sequential(blocks, label: "blocks"))
    addChild("ln_f", LayerNorm(dim))
    addChild("head", Linear(dim, vocab, bias: false, initialization: initialization, generator: generator))
  }

  private init(copying o: GPT) {
    vocab = o.vocab
    dim = o.dim
    layers = o.layers
    heads = o.heads
    context = o.context
    super.init(kind: "gpt")
  }

  /// Logits (B, T, vocab) for int64 ids (B, T); ids of rank 1 give (T, vocab).
  public override func forward(_ ids: Tensor) throws -> Tensor {
    if ids.rank == 1 { return try forward(try ids.unsqueezed(0)).squeezed(0) }
    return try children[4].module.forward(try features(ids))
  }

  /// The final hidden states (B, T, d), after the last LayerNorm: what value and reward heads read.
  public func features(_ ids: Tensor) throws -> Tensor {
    guard ids.rank == 2, ids.dtype == .int64 else {
      throw CoreError("gpt: expected int64 token ids of shape (batch, time), got \(ids.dtype.rawValue) \(Shape.describe(ids.shape))")
    }
    let T = ids.shape[1]
    guard T <= context else { throw CoreError("gpt: \(T) tokens exceed the context of \(context)", hint: "keep the last \(context) tokens") }
    let x = try children[2].module.forward(try embed(ids, start: 0))
    return try children[3].module.forward(x)
  }

  /// Token embeddings plus the embeddings of positions start, start + 1, ...
  private func embed(_ ids: Tensor, start: Int) throws -> Tensor {
    let positions = try Tensor.arange(start, start + ids.shape[1])
    return try children[0].module.forward(ids) + (try children[1].module.forward(positions))
  }

  /// The logits (..., vocab) for final hidden states from `features`.
  public func logits(fromFeatures h: Tensor) throws -> Tensor { try children[4].module.forward(h) }

  /// Logits (B, T, vocab) for new tokens (B, T), row b at positions caches[·].lengths[b]...;
  /// extends the caches by T positions per row.
  func step(_ ids: Tensor, caches: [KVCache]) throws -> Tensor {
    let B = ids.shape[0], T = ids.shape[1]
    let starts = caches.first?.lengths ?? [Int](repeating: 0, count: B)
    var positions = [Int64]()
    positions.reserveCapacity(B * T)
    for b in 0..<B { for t in 0..<T { positions.append(Int64(starts[b] + t)) } }
    var x = try children[0].module.forward(ids) + (try children[1].module.forward(Tensor(shape: [B, T], ints: positions)))
    guard let blocks = children[2].module as? Sequential else { throw CoreError("gpt: malformed model") }
    for (k, (_, block)) in blocks.children.enumerated() {
      guard let b = block as? TransformerBlock else { throw CoreError("gpt: malformed block") }
      x = try b.forward(x, cache: caches[k])
    }
    for c in caches { for b in 0..<B { c.lengths[b] += T } }
    return try children[4].module.forward(try children[3].module.forward(x))
  }

  /// Continues each row of `prompt` (rows may differ in length) by up to `maxTokens` tokens,
  /// using the key/value cache. Temperature 0 is greedy; topK / topP filter before sampling. A
  /// row ends at any token in `stop` (included in its output). Returns the new tokens per row.
  /// When a row reaches the context, the cache restarts from the row's last context − 1 tokens.
  public func generate(_ prompt: [[Int64]], maxTokens: Int, temperature: Float = 1, topK: Int? = nil, topP: Float? = nil,
                       stop: Set<Int64> = [], generator: SeededGenerator) throws -> [[Int64]] {
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
          let logits = try step(ids, caches: caches)
          for c in caches { c.lengths = window.map(\.count) }
          lastLogits = (0..<B).map { b in Array(logits.data[((b * width + window[b].count - 1) * vocab)..<((b * width + window[b].count) * vocab)]) }
        } else {
          let ids = Tensor(shape: [B, 1], ints: tokens.map { $0[$0.count - 1] })
          let logits = try step(ids, caches: caches)
          lastLogits = (0..<B).map { b in Array(logits.data[(b * vocab)..<((b + 1) * vocab)]) }
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
    let c = GPT(copying: self)
    for (name, child) in children { c.addChild(name, try child.copy()) }
    return finishCopy(c)
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
