import PavlovTensor

/// Best-of-n sampling: answer each prompt n times and keep the answer the reward likes best —
/// the simplest way to spend a reward model, and (kept as data) rejection-sampling fine-tuning.
public enum BestOfN {
  public struct Choice: Sendable {
    public var answer: [Int64]
    public var score: Double
  }

  public static func choose(_ policy: GPT, prompts: [[Int64]], n: Int, maxTokens: Int, temperature: Float = 1, topK: Int? = nil, topP: Float? = nil,
                            endOfText: Int64, stops: Set<Int64> = [], reward: PolicyTrainer.Reward, generator: SeededGenerator, batchSize: Int = 64) throws -> [Choice] {
    guard n > 0 else { throw CoreError("best_of_n: n must be at least 1") }
    var out: [Choice] = []
    let perBatch = Swift.max(1, batchSize / n)
    for start in stride(from: 0, to: prompts.count, by: perBatch) {
      let group = Array(prompts[start..<Swift.min(prompts.count, start + perBatch)])
      let rows = group.flatMap { [[Int64]](repeating: $0, count: n) }
      let answers = try policy.generate(rows, maxTokens: maxTokens, temperature: temperature, topK: topK, topP: topP, stop: stops.union([endOfText]), generator: generator)
      let scores = try reward(rows, answers)
      guard scores.count == rows.count else { throw CoreError("best_of_n: the reward gave \(scores.count) scores for \(rows.count) answers") }
      for p in 0..<group.count {
        var best = p * n
        for k in (p * n)..<(p * n + n) where scores[k] > scores[best] { best = k }
        out.append(Choice(answer: answers[best], score: scores[best]))
      }
    }
    return out
  }
}
