import PavlovLM
import PavlovLang

/// A reward or judge given in a script, as one Swift function over texts: a Pavlov function
/// `(prompt, text) => number`, a scoring object (a reward model), or a weighted sum of those
/// written `[[rm, 1.0], [(p, t) => ..., 0.5]]`.
struct TextScorer {
  let score: (_ prompts: [String], _ texts: [String]) throws -> [Double]

  init(_ value: Value, _ interpreter: Interpreter, _ what: String) throws(PavlovError) {
    switch value {
    case .object(let o as ScoringValue):
      score = { prompts, texts in try o.scores(prompts: prompts, texts: texts) }
    case .list(let list) where !list.items.isEmpty && list.items.allSatisfy({ if case .list = $0 { return true } else { return false } }):
      var parts: [(TextScorer, Double)] = []
      for (i, item) in list.items.enumerated() {
        guard case .list(let pair) = item, pair.items.count == 2 else {
          throw PavlovError.runtime("\(what)[\(i)] must be a pair [reward, weight]", hint: "e.g. reward: [[rm, 1.0], [(prompt, text) => len(text) / 100, -0.5]]")
        }
        let weight = try TensorBindings.number(pair.items[1], "\(what)[\(i)] weight")
        parts.append((try TextScorer(pair.items[0], interpreter, "\(what)[\(i)][0]"), weight))
      }
      score = { prompts, texts in
        var total = [Double](repeating: 0, count: texts.count)
        for (part, weight) in parts {
          for (k, s) in try part.score(prompts, texts).enumerated() { total[k] += weight * s }
        }
        return total
      }
    case .function:
      score = { prompts, texts in
        try zip(prompts, texts).enumerated().map { k, pair in
          let result = try interpreter.call(value, [.str(pair.0), .str(pair.1)])
          guard let number = try? TensorBindings.number(result, what), number.isFinite else {
            throw PavlovError.runtime("\(what) returned \(Self.shown(result)) for answer \(k + 1); it must return a finite number",
                                      hint: "a reward function takes (prompt, text) and returns a number, higher is better")
          }
          return number
        }
      }
    default:
      throw PavlovError.runtime("\(what) must be a function (prompt, text) => number, a reward model, or a list of [reward, weight] pairs; got \(value.typeName)")
    }
  }

  private static func shown(_ v: Value) -> String {
    if case .string(let s) = v { return Format.quoted(s.value) }
    return Format.display(v)
  }

  /// The same scorer over token ids (prompts made by `codec.prompt`, answers by generation).
  func tokens(_ codec: TextCodec) -> PolicyTrainer.Reward {
    { prompts, answers in
      try score(try prompts.map { p throws(PavlovError) in try codec.promptText(p) }, try answers.map { a throws(PavlovError) in try codec.text(a) })
    }
  }
}
