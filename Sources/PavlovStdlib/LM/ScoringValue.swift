/// A Pavlov value that scores texts (a reward model, a judge model): what `label(by:)`,
/// best-of-n and the RLHF trainers accept besides a Pavlov function.
protocol ScoringValue: AnyObject {
  /// One score per (prompt, text) pair; higher is better.
  func scores(prompts: [String], texts: [String]) throws -> [Double]
}
