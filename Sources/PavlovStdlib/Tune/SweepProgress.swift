import PavlovCore
import PavlovLang
import PavlovTune

/// The sweep's progress on standard error, as Ray Tune's status: trials done, running and
/// failed, and the best so far — one line redrawn in place on a terminal, else a line per
/// finished trial.
final class SweepProgress {
  let sweep: Sweep
  let interpreter: Interpreter
  let enabled: Bool
  private var frame = TerminalFrame()
  private let start = Files.monotonicNanoseconds()
  private var lastDraw: Int64 = 0

  init(sweep: Sweep, interpreter: Interpreter, enabled: Bool) {
    self.sweep = sweep
    self.interpreter = interpreter
    self.enabled = enabled
  }

  func update(_ trial: Int) {
    guard enabled else { return }
    let record = sweep.trials[trial]
    if interpreter.statusIsTerminal { return tick(force: record.status != .running) }
    guard record.status != .running else { return }
    var line = "tune: trial \(record.id) \(record.status.rawValue) after \(record.results) result\(record.results == 1 ? "" : "s")"
    if let metric = sweep.settings.metric, let value = record.metric(metric) { line += ", \(metric) \(SweepFolder.cell(.float(value)))" }
    if let error = record.error { line += ": \(error)" }
    interpreter.writeStatus(line + " · " + summary() + "\n")
  }

  func tick(force: Bool = false) {
    guard enabled, interpreter.statusIsTerminal else { return }
    let now = Files.monotonicNanoseconds()
    guard force || now - lastDraw > 250_000_000 else { return }
    lastDraw = now
    interpreter.writeStatus(frame.replace(with: "tune: " + summary()))
  }

  func finish() {
    guard enabled, interpreter.statusIsTerminal, frame.isShown else { return }
    interpreter.writeStatus(frame.erase())
  }

  private func summary() -> String {
    let count = { (s: TrialRecord.Status) in self.sweep.trials.filter { $0.status == s }.count }
    var text = "\(count(.done) + count(.stopped) + count(.failed))/\(sweep.total) trials ended (\(count(.stopped)) stopped early, \(count(.failed)) failed), \(count(.running)) running"
    if let metric = sweep.settings.metric, let best = sweep.best, let value = best.metric(metric) {
      text += " · best \(metric) \(SweepFolder.cell(.float(value))) (trial \(best.id))"
    }
    let seconds = Double(Files.monotonicNanoseconds() - start) / 1e9
    return text + " · \(Int(seconds)) s"
  }
}
