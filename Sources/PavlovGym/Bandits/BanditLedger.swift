/// What every bandit keeps besides its arms: the pull counts, the last arm chosen, the
/// per-step info, and the bar picture.
struct BanditLedger {
  private(set) var pulls: [Int]
  private(set) var lastArm: Int?

  init(arms: Int) {
    pulls = Array(repeating: 0, count: arms)
  }

  mutating func reset() {
    for i in pulls.indices { pulls[i] = 0 }
    lastArm = nil
  }

  /// The arm an action names; throws for anything but an integer in 0..<arms, so a bare
  /// environment (outside `make`'s checks) cannot be crashed by a bad index.
  static func arm(_ action: Point, arms: Int, id: String) throws -> Int {
    guard case .int(let arm) = action, arm >= 0, arm < arms else {
      throw CoreError("\(id): action must be an arm number from 0 to \(arms - 1), got \(action.description)")
    }
    return arm
  }

  static func bestArm(_ means: [Double]) -> Int {
    var best = 0
    for i in means.indices where means[i] > means[best] { best = i }
    return best
  }

  /// Counts a pull of `arm` and returns the step's info, judged against `means`.
  mutating func record(_ arm: Int, means: [Double]) -> Info {
    pulls[arm] += 1
    lastArm = arm
    let best = Self.bestArm(means)
    // A tie with the best arm is as good as the best arm: zero regret, optimal.
    let regret = means[best] - means[arm]
    return ["regret": .double(regret), "optimal": .bool(regret <= 0), "best_arm": .int(best)]
  }

  /// One line per arm: a bar for its expected reward (zero in the middle, scaled to the largest
  /// magnitude), the value, its pulls, and marks for the best arm and the last one pulled.
  func render(means: [Double]) -> String {
    let half = 8
    let scale = max(means.map { Swift.abs($0) }.max() ?? 0, 1e-12)
    let best = Self.bestArm(means)
    let labelWidth = String(max(means.count - 1, 0)).count
    var lines = ["arm" + String(repeating: " ", count: labelWidth) + "expected reward" + String(repeating: " ", count: 15) + "pulls"]
    for (arm, mean) in means.enumerated() {
      let ratio = mean / scale
      let filled = ratio.isFinite ? min(Int((Swift.abs(ratio) * Double(half)).rounded()), half) : 0
      let empty = String(repeating: "·", count: half - filled), bar = String(repeating: "█", count: filled)
      let drawn = mean < 0 ? empty + bar + "│" + String(repeating: "·", count: half) : String(repeating: "·", count: half) + "│" + bar + empty
      let label = String(arm), count = String(pulls[arm])
      var line = String(repeating: " ", count: labelWidth - label.count) + label + "   " + drawn + "  " + padded(fixed(mean, 3), 7)
      line += String(repeating: " ", count: max(9 - count.count, 1)) + count
      if arm == best { line += "  ★ best" }
      if arm == lastArm { line += arm == best ? ", last" : "  ◀ last" }
      lines.append(line)
    }
    return lines.joined(separator: "\n")
  }

  private func padded(_ text: String, _ width: Int) -> String {
    String(repeating: " ", count: max(width - text.count, 0)) + text
  }
}
