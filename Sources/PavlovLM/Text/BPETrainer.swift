/// Learns byte-pair merges (Sennrich et al. 2016; on bytes, as GPT-2) from word counts.
///
/// Each step merges the most frequent adjacent pair of tokens, counted over word types times
/// their counts; ties go to the smallest (left, right) ids, so the same texts always give the
/// same merges. Nothing is recounted from scratch: the trainer keeps each pair's count and the
/// words it occurs in, and a merge updates only the pairs around its occurrences. The best
/// pair comes off a heap whose outdated entries are skipped when they surface (a pair's
/// count only falls once it exists — new pairs all contain the new token — so an entry is
/// current exactly when its count equals the pair's count).
struct BPETrainer {
  /// Each word type's tokens (bytes at first) and how often it occurs.
  private var words: [[Int32]]
  private let counts: [Int]
  private var pairCounts: [UInt64: Int] = [:]
  /// The words each pair occurs in (a word may stay listed after it no longer has the pair).
  private var pairWords: [UInt64: [Int32]] = [:]
  private var heap = BinaryHeap<Candidate>()
  /// The count changes of the merge being applied, added to `pairCounts` at its end.
  private var delta: [UInt64: Int] = [:]

  init(words: [(tokens: [Int32], count: Int)]) {
    self.words = words.map(\.tokens)
    counts = words.map(\.count)
    for (w, tokens) in self.words.enumerated() where tokens.count > 1 {
      for k in 0..<(tokens.count - 1) {
        let p = BPETrainer.key(tokens[k], tokens[k + 1])
        pairCounts[p, default: 0] += counts[w]
        if pairWords[p]?.last != Int32(w) { pairWords[p, default: []].append(Int32(w)) }
      }
    }
    for (p, c) in pairCounts { heap.push(Candidate(count: c, pair: p)) }
  }

  /// Up to `limit` merges, the k-th making the token `firstID + k`. Stops early when no pair
  /// occurs twice: merging a pair seen once only memorizes the text.
  mutating func learn(limit: Int, firstID: Int32) -> [(left: Int32, right: Int32)] {
    var merges: [(left: Int32, right: Int32)] = []
    while merges.count < limit, let top = heap.pop() {
      guard pairCounts[top.pair] == top.count else { continue }  // outdated entry
      guard top.count >= 2 else { break }
      let (a, b) = BPETrainer.unkey(top.pair)
      let new = firstID + Int32(merges.count)
      merges.append((a, b))
      pairCounts[top.pair] = nil
      for w in pairWords.removeValue(forKey: top.pair) ?? [] { merge(word: Int(w), a, b, into: new) }
      for (p, d) in delta where d != 0 {
        let c = (pairCounts[p] ?? 0) + d
        if c > 0 {
          pairCounts[p] = c
          heap.push(Candidate(count: c, pair: p))
        } else {
          pairCounts[p] = nil
        }
      }
      delta.removeAll(keepingCapacity: true)
    }
    return merges
  }

  /// Replaces every (a, b) in one word, left to right, by `new`, recording the pairs that
  /// disappear and appear around each occurrence (the pair (a, b) itself is gone everywhere).
  private mutating func merge(word w: Int, _ a: Int32, _ b: Int32, into new: Int32) {
    let old = words[w]
    let c = counts[w]
    let merged = BPETrainer.key(a, b)
    var out: [Int32] = []
    out.reserveCapacity(old.count)
    var k = 0
    var previousEnd = -2  // where the last occurrence's b was, so a pair between two is removed once
    while k < old.count {
      guard k + 1 < old.count, old[k] == a, old[k + 1] == b else {
        out.append(old[k])
        k += 1
        continue
      }
      if k > 0 && previousEnd != k - 1 { remove(BPETrainer.key(old[k - 1], a), c, unless: merged) }
      if k + 2 < old.count { remove(BPETrainer.key(b, old[k + 2]), c, unless: merged) }
      out.append(new)
      previousEnd = k + 1
      k += 2
    }
    guard out.count < old.count else { return }  // the word no longer had the pair
    for j in out.indices where out[j] == new {
      if j > 0 { add(BPETrainer.key(out[j - 1], new), c, word: w) }
      if j + 1 < out.count && out[j + 1] != new { add(BPETrainer.key(new, out[j + 1]), c, word: w) }
    }
    words[w] = out
  }

  private mutating func remove(_ p: UInt64, _ c: Int, unless merged: UInt64) {
    if p != merged { delta[p, default: 0] -= c }
  }

  private mutating func add(_ p: UInt64, _ c: Int, word w: Int) {
    delta[p, default: 0] += c
    if pairWords[p]?.last != Int32(w) { pairWords[p, default: []].append(Int32(w)) }
  }

  /// A pair as one integer that orders like (left, right).
  @inline(__always)
  static func key(_ a: Int32, _ b: Int32) -> UInt64 { UInt64(UInt32(bitPattern: a)) << 32 | UInt64(UInt32(bitPattern: b)) }

  @inline(__always)
  static func unkey(_ p: UInt64) -> (Int32, Int32) {
    (Int32(bitPattern: UInt32(truncatingIfNeeded: p >> 32)), Int32(bitPattern: UInt32(truncatingIfNeeded: p)))
  }
}

/// A heap entry: the most frequent pair comes first, then the smallest (left, right).
private struct Candidate: Comparable {
  let count: Int
  let pair: UInt64

  static func < (x: Candidate, y: Candidate) -> Bool { x.count != y.count ? x.count > y.count : x.pair < y.pair }
}
