/// Multi-armed bandits for the first chapters of Sutton and Barto. A bandit episode never
/// terminates; each is registered with a 1000-step time limit (the book's runs are 1000 steps)
/// so episodes end, and `maxEpisodeSteps` in `make` changes it.
public enum Bandits {
  public static let specs: [EnvSpec] = [
    EnvSpec(id: "GaussianBandit-v0", maxEpisodeSteps: 1000,
            summary: "k-armed testbed: arm means from N(0, 1) each reset, rewards N(mean, 1)") { options in
      GaussianBandit(arms: try arms(options))
    },
    EnvSpec(id: "BernoulliBandit-v0", maxEpisodeSteps: 1000,
            summary: "k arms paying 1 with fixed (probs) or drawn probabilities, else 0") { options in
      guard let probabilities = try options.numbers("probs") else {
        return BernoulliBandit(arms: try arms(options))
      }
      guard !probabilities.isEmpty else { throw CoreError("\(options.envID): option probs must list at least one probability") }
      if let bad = probabilities.first(where: { !($0 >= 0 && $0 <= 1) }) {
        throw CoreError("\(options.envID): option probs must hold probabilities in [0, 1], got \(formatReal(bad))")
      }
      let count = try arms(options, default: probabilities.count)
      guard count == probabilities.count else {
        throw CoreError("\(options.envID): option arms is \(count) but probs lists \(probabilities.count); give one or make them agree")
      }
      return BernoulliBandit(probabilities: probabilities)
    },
    EnvSpec(id: "NonstationaryBandit-v0", maxEpisodeSteps: 1000,
            summary: "k arms whose means random-walk by N(0, drift²) each step (Sutton & Barto ex. 2.5)") { options in
      let drift = try options.double("drift", default: 0.01)
      guard drift >= 0, drift.isFinite else {
        throw CoreError("\(options.envID): option drift is a standard deviation and must be finite and at least 0, got \(drift)")
      }
      return NonstationaryBandit(arms: try arms(options), drift: drift)
    },
    EnvSpec(id: "ContextualBandit-v0", maxEpisodeSteps: 1000,
            summary: "linear contextual bandit: context in [-1, 1]^dim, arm a pays weights[a]·context + noise") { options in
      let dim = try options.int("dim", default: 4)
      guard (1...maxCount).contains(dim) else {
        throw CoreError("\(options.envID): option dim must be from 1 to \(maxCount), got \(dim)")
      }
      let noise = try options.double("noise", default: 1.0)
      guard noise >= 0, noise.isFinite else {
        throw CoreError("\(options.envID): option noise is a standard deviation and must be finite and at least 0, got \(noise)")
      }
      return ContextualBandit(arms: try arms(options), dim: dim, noise: noise)
    },
  ]

  /// A guard against a mistyped size that would allocate gigabytes.
  static let maxCount = 100_000

  static func arms(_ options: EnvOptions, default fallback: Int = 10) throws -> Int {
    let arms = try options.int("arms", default: fallback)
    guard (1...maxCount).contains(arms) else {
      throw CoreError("\(options.envID): option arms must be from 1 to \(maxCount), got \(arms)")
    }
    return arms
  }
}
