import PavlovCore

extension Recommender {
  /// `make("Recommender-v0", categories: 6, slate_size: 5, ...)`: every setting is an option.
  public static let specs: [EnvSpec] = [
    EnvSpec(id: "Recommender-v0", maxEpisodeSteps: 200,
            summary: "a user with drifting interests and satiation per category; pick a category, the user takes an item of the slate or none") { options in
      try Recommender(settings(options))
    },
  ]

  static func settings(_ options: EnvOptions) throws -> Settings {
    var s = Settings()
    func count(_ name: String, _ value: Int, _ range: ClosedRange<Int>) throws -> Int {
      let v = try options.int(name, default: value)
      guard range.contains(v) else { throw CoreError("\(options.envID): option \(name) must be from \(range.lowerBound) to \(range.upperBound), got \(v)") }
      return v
    }
    func number(_ name: String, _ value: Double, _ valid: (Double) -> Bool, _ rule: String) throws -> Double {
      let v = try options.double(name, default: value)
      guard valid(v) else { throw CoreError("\(options.envID): option \(name) must be \(rule), got \(formatReal(v))") }
      return v
    }
    s.categories = try count("categories", s.categories, 1...1000)
    s.itemsPerCategory = try count("items_per_category", s.itemsPerCategory, 1...100_000)
    s.slateSize = try count("slate_size", s.slateSize, 1...1000)
    let nonNegative: (Double) -> Bool = { $0 >= 0 }
    s.drift = try number("drift", s.drift, nonNegative, "at least 0")
    s.satiationGain = try number("satiation_gain", s.satiationGain, nonNegative, "at least 0")
    s.satiationRecovery = try number("satiation_recovery", s.satiationRecovery, { $0 >= 0 && $0 <= 1 }, "in [0, 1]")
    s.noClickUtility = try number("no_click_utility", s.noClickUtility, { _ in true }, "finite")
    s.patience = try number("patience", s.patience, { $0 > 0 }, "above 0")
    s.patiencePerMinute = try number("patience_per_minute", s.patiencePerMinute, nonNegative, "at least 0")
    s.clickWeight = try number("click_weight", s.clickWeight, { _ in true }, "finite")
    s.watchWeight = try number("watch_weight", s.watchWeight, { _ in true }, "finite")
    s.stayWeight = try number("stay_weight", s.stayWeight, { _ in true }, "finite")
    s.annoyance = try number("annoyance", s.annoyance, nonNegative, "at least 0")
    s.memory = try number("memory", s.memory, { $0 >= 0 && $0 < 1 }, "in [0, 1)")
    if let noise = try options.optionalDouble("profile_noise") {
      guard noise >= 0 && noise.isFinite else { throw CoreError("\(options.envID): option profile_noise must be a finite number ≥ 0, got \(formatReal(noise))") }
      s.profileNoise = noise
    }
    guard s.categories * s.itemsPerCategory <= 10_000_000 else {
      throw CoreError("\(options.envID): categories × items_per_category must be at most 10000000, got \(s.categories * s.itemsPerCategory)")
    }
    return s
  }
}
