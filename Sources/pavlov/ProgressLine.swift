import PavlovCore
import PavlovLang
import PavlovRL

/// Training progress for a person: on a terminal, one line redrawn in place with a bar, the
/// live metrics and an ETA; elsewhere (a log, CI) a plain line per iteration, at most ~50 of
/// them, so logs stay readable.
final class ProgressLine {
  private let budget: Budget
  private let interactive: Bool
  private let output: Interpreter
  private let start = Files.monotonicNanoseconds()
  private var lastPrinted = -1
  private var drewLine = false

  init(total budget: Budget, interactive: Bool, output: Interpreter) {
    self.budget = budget
    self.interactive = interactive
    self.output = output
  }

  /// Fraction done by the larger of the step and iteration budgets.
  private func fraction(_ stats: TrainStats, startTimesteps: Int) -> Double? {
    var parts: [Double] = []
    if let n = budget.timesteps { parts.append(Double(stats.timesteps - startTimesteps) / Double(n)) }
    if let n = budget.iterations { parts.append(Double(stats.iteration - startIteration) / Double(n)) }
    return parts.max().map { Swift.min(1, Swift.max(0, $0)) }
  }

  private var startTimesteps: Int?
  private var startIteration = 0

  func update(_ stats: TrainStats) {
    if startTimesteps == nil {
      // The first report is after one iteration: count from just before it.
      startTimesteps = stats.timesteps - stats.timesteps / Swift.max(stats.iteration, 1)
      startIteration = stats.iteration - 1
    }
    let done = fraction(stats, startTimesteps: startTimesteps ?? 0) ?? 0
    let elapsed = Double(Files.monotonicNanoseconds() - start) / 1e9
    let eta = done > 0 ? elapsed * (1 - done) / done : 0
    var text = "it \(stats.iteration)  steps \(stats.timesteps)"
    if let r = stats.meanReturn { text += "  return \(short(r))" }
    if let l = stats.meanLength { text += "  length \(short(l))" }
    text += "  fps \(Int(stats.fps))"
    if interactive {
      let width = 24, filled = Int(done * Double(width))
      let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
      output.write("\r\u{1b}[2K\(bar) \(Int(done * 100))%  \(text)  ETA \(clock(eta))")
      drewLine = true
    } else {
      let step = Int(done * 50)
      guard step > lastPrinted else { return }
      lastPrinted = step
      output.write("[\(Int(done * 100))%] \(text)  elapsed \(clock(elapsed))\n")
    }
  }

  func finish() {
    if interactive && drewLine { output.write("\n") }
  }

  private func short(_ value: Double) -> String { Format.display(.float((value * 10).rounded() / 10)) }

  private func clock(_ seconds: Double) -> String {
    let s = Int(seconds.rounded())
    return s >= 3600 ? "\(s / 3600):\(pad((s / 60) % 60)):\(pad(s % 60))" : "\(s / 60):\(pad(s % 60))"
  }

  private func pad(_ n: Int) -> String { n < 10 ? "0\(n)" : String(n) }
}
