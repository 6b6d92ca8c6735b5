import CPavlovSupport
import Glibc
import PavlovCore
import PavlovLang
import PavlovRL

/// Training progress for a person: on a terminal, one line redrawn in place with a bar, the
/// live metrics and an ETA — and, if asked, a chart of one metric redrawn above it; elsewhere (a
/// log, CI) a plain line per 2% of the budget, at most ~50, and the chart once at the end.
/// `pavlov train` draws it on standard output; `agent.train` where the interpreter shows status
/// (standard error, as tqdm does), so what a script prints stays clean when it is piped.
public final class TrainingProgress {
  private let interactive: Bool
  private let write: (String) -> Void
  private let start = Files.monotonicNanoseconds()
  private var lastPrinted = -1
  /// The drawing on screen (chart and bar), which the next frame replaces.
  private var screen = TerminalFrame()
  private var lastDraw: Int64 = 0
  private var lastFrame = ""
  /// True when `lastFrame` is newer than what the screen shows (a chart frame was skipped).
  private var frameBehind = false
  private let plotName: String?
  private var plotted: [Double] = []
  private var plottedX: [Double] = []

  /// `plot`: the name of a number to chart as it comes (e.g. "mean_return").
  public init(interactive: Bool, write: @escaping (String) -> Void, plot: String? = nil) {
    self.interactive = interactive
    self.write = write
    self.plotName = plot
  }

  /// Progress where the interpreter shows status (standard error): redrawn in place on a
  /// terminal, plain lines otherwise.
  public static func status(of interpreter: Interpreter, plot: String? = nil) -> TrainingProgress {
    TrainingProgress(interactive: interpreter.statusIsTerminal, write: interpreter.writeStatus, plot: plot)
  }

  /// One report: `done` in 0...1 (nil: unknown), the numbers to show, and the charted value.
  public func update(done: Double?, text: String, x: Double, plotValue: Double?) {
    let fraction = done.map { Swift.min(1, Swift.max(0, $0)) } ?? 0
    if plotName != nil, let y = plotValue {
      plotted.append(y)
      plottedX.append(x)
    }
    let elapsed = Double(Files.monotonicNanoseconds() - start) / 1e9
    if interactive {
      let eta = fraction > 0 ? elapsed * (1 - fraction) / fraction : 0
      let width = 24, filled = Int(fraction * Double(width))
      let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
      lastFrame = "\(bar) \(Int(fraction * 100))%  \(text)  ETA \(clock(eta))"
      // At most 20 frames a second (10 with a chart), and always the last: fast iterations must
      // not wait for the terminal.
      let now = Files.monotonicNanoseconds()
      frameBehind = true
      if !screen.isShown || now - lastDraw > (plotName == nil ? 50_000_000 : 100_000_000) || fraction >= 1 { draw() }
    } else {
      let step = Int(fraction * 50)
      guard step > lastPrinted else { return }
      lastPrinted = step
      write("[\(Int(fraction * 100))%] \(text)  elapsed \(clock(elapsed))\n")
    }
  }

  /// Removes the drawing before other output (a callback's print), so the two do not mix; the
  /// next update draws it again below that output.
  public func clear() {
    guard interactive, screen.isShown else { return }
    write(screen.erase())
    frameBehind = true  // the last frame is off the screen now; `finish` puts it back
  }

  /// Ends the display: the last frame stays on screen; off a terminal the chart is printed once.
  public func finish() {
    if interactive {
      if frameBehind { draw() }
      if screen.isShown { write("\n") }
      screen = TerminalFrame()
    } else if let chart = chart() {
      write(chart + "\n")
    }
  }

  private func draw() {
    var frame = ""
    if let chart = chart() { frame = chart + "\n" }
    frame += lastFrame
    write(screen.replace(with: frame))
    frameBehind = false
    lastDraw = Files.monotonicNanoseconds()
  }

  private func chart() -> String? {
    guard let plotName, !plotted.isEmpty else { return nil }
    return TextChart.render([Series(name: plotName, xs: plottedX, ys: plotted)], title: plotName, width: 60, height: 8)
  }

  private func clock(_ seconds: Double) -> String {
    let s = Int(seconds.rounded())
    return s >= 3600 ? "\(s / 3600):\(pad((s / 60) % 60)):\(pad(s % 60))" : "\(s / 60):\(pad(s % 60))"
  }

  private func pad(_ n: Int) -> String { n < 10 ? "0\(n)" : String(n) }
}

/// A deep trainer's statistics on a `TrainingProgress`: the fraction done by the larger of the
/// step and iteration budgets, counted from where this `train` call started.
public final class TrainStatsProgress {
  private let budget: Budget
  public let display: TrainingProgress
  private let plotName: String?
  private var startTimesteps: Int?
  private var startIteration = 0

  public init(total budget: Budget, display: TrainingProgress, plot: String? = nil) {
    self.budget = budget
    self.display = display
    self.plotName = plot
  }

  public func update(_ stats: TrainStats) throws(PavlovError) {
    if startTimesteps == nil {
      // The first report is after one iteration: count from just before it.
      startTimesteps = stats.timesteps - stats.timesteps / Swift.max(stats.iteration, 1)
      startIteration = stats.iteration - 1
    }
    var parts: [Double] = []
    if let n = budget.timesteps { parts.append(Double(stats.timesteps - (startTimesteps ?? 0)) / Double(n)) }
    if let n = budget.iterations { parts.append(Double(stats.iteration - startIteration) / Double(n)) }
    var text = "it \(stats.iteration)  steps \(stats.timesteps)"
    if let r = stats.meanReturn { text += "  return \(short(r))" }
    if let l = stats.meanLength { text += "  length \(short(l))" }
    text += "  fps \(Int(stats.fps))"
    var value: Double?
    if let plotName {
      let all = stats.all
      guard let found = all.first(where: { $0.name == plotName }) else {
        throw PavlovError.runtime("train(plot: \"\(plotName)\"): no statistic of that name",
                                  hint: "this trainer reports: \(all.map(\.name).joined(separator: ", "))")
      }
      value = found.value
    }
    display.update(done: parts.max(), text: text, x: Double(stats.timesteps), plotValue: value)
  }

  private func short(_ value: Double) -> String { Format.display(.float((value * 10).rounded() / 10)) }
}
