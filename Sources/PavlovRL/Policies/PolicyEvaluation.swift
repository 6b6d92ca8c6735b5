import PavlovGym

/// Whole episodes of a fixed policy on a fresh copy of the training environment, for
/// `Trainer.evaluate`: episode k starts with `reset(seed: seed + k)`, so one call gives the same
/// episodes whatever was trained, and nothing touches the training envs or generator.
enum PolicyEvaluation {
  /// Episodes longer than this are reported as an error rather than run forever.
  static let stepLimit = 1_000_000

  /// `begin` runs after each reset and `observe` after each step, for policies that keep an
  /// episode's history (the decision transformer).
  static func run(source: EnvSource, copyIndex: Int, episodes: Int, seed: UInt64, begin: () throws -> Void = {},
                  observe: (Step) -> Void = { _ in }, act: (Point) throws -> Point) throws -> EvalResult {
    guard episodes >= 1 else { throw CoreError("evaluate: episodes must be at least 1, got \(episodes)") }
    let env = try source.make(copyIndex)
    var result = EvalResult(returns: [], lengths: [])
    for k in 0..<episodes {
      var observation = try env.reset(seed: seed &+ UInt64(k)).observation
      try begin()
      var total = 0.0, length = 0
      while true {
        try Interruption.check()
        let step = try env.step(try act(observation))
        observe(step)
        total += step.reward
        length += 1
        if step.done { break }
        guard length < stepLimit else {
          throw CoreError("evaluate: episode \(k + 1) ran \(stepLimit) steps without ending", hint: "give the env a time limit")
        }
        observation = step.observation
      }
      result.returns.append(total)
      result.lengths.append(length)
    }
    return result
  }
}
