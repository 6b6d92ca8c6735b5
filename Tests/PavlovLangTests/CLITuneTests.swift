import Foundation
import XCTest

/// `tune(...)` and `pavlov tune`: sweeps run by worker processes that re-run the script, decided
/// on the sweep's virtual clock, so the same sweep gives the same files whatever the speed of
/// its trials, and a stopped sweep resumes to the same end.
final class CLITuneTests: XCTestCase {
  var tempDir: URL!

  override func setUpWithError() throws {
    tempDir = FileManager.default.temporaryDirectory.appendingPathComponent("pavlov-tune-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: tempDir, withIntermediateDirectories: true)
  }

  override func tearDownWithError() throws {
    try? FileManager.default.removeItem(at: tempDir)
  }

  func pavlov(_ arguments: [String], timeout: TimeInterval = 60, environment: [String: String] = [:],
              file: StaticString = #filePath, line: UInt = #line) throws -> CLIResult {
    try PavlovBinary.run(arguments, in: tempDir, timeout: timeout, environment: environment, file: file, line: line)
  }

  func write(_ name: String, _ text: String) throws {
    try text.write(to: tempDir.appendingPathComponent(name), atomically: true, encoding: .utf8)
  }

  func read(_ path: String) throws -> String { try String(contentsOf: tempDir.appendingPathComponent(path), encoding: .utf8) }

  /// A quadratic bowl whose trials run at speeds that change from run to run (wall-clock sleeps),
  /// so results arrive in a different order each time.
  static let bowl = """
    fn trial(config) {
      for i in 0..8 {
        sleep((time() * 1000) % 7 / 1000)
        report(loss: (config.x - 3.0) * (config.x - 3.0) + config.bias / (i + 1))
      }
    }
    let sweep = tune(trial, space: {x: tune_uniform(0.0, 6.0), bias: tune_grid([1.0, 2.0])}, samples: 6, metric: "loss", mode: "min",
                     scheduler: asha(max_t: 8, grace_period: 1, reduction_factor: 2), seed: 3, max_concurrent: 3)
    print("best", sweep.best_trial, len(sweep.trials))
    """

  func testASweepGivesTheSameTrialsDecisionsAndFilesWhateverItsTrialsSpeed() throws {
    try write("bowl.pav", Self.bowl)
    let first = try pavlov(["tune", "bowl.pav"])
    XCTAssertEqual(first.status, 0, first.stderr)
    XCTAssert(first.stdout.contains("trial  status"), first.stdout)
    XCTAssert(first.stdout.contains("best "), first.stdout)
    let results = try read("runs/tune-bowl/results.jsonl")
    XCTAssertEqual(results.split(separator: "\n").count, 12)
    XCTAssert(results.contains("\"status\":\"stopped\""), "ASHA stops some trials: \(results)")
    XCTAssert(try read("runs/tune-bowl/best_config.json").contains("\"x\""))
    let metrics = try read("runs/tune-bowl/trial-0000/metrics.jsonl")
    XCTAssert(metrics.contains("\"training_iteration\":1"), metrics)

    let plot = try pavlov(["plot", "runs/tune-bowl", "--y", "loss"])
    XCTAssertEqual(plot.status, 0, plot.stderr)
    XCTAssert(plot.stdout.contains("12 runs") && plot.stdout.contains("trial-0011"), "a sweep folder plots every trial: \(plot.stdout)")

    let again = try pavlov(["tune", "bowl.pav"])
    XCTAssertNotEqual(again.status, 0)
    XCTAssert(again.stderr.contains("already holds a sweep") && again.stderr.contains("--resume"), again.stderr)

    let second = try pavlov(["tune", "bowl.pav", "--force", "--out", "runs/again"])
    XCTAssertEqual(second.status, 0, second.stderr)
    XCTAssertEqual(first.stdout, second.stdout)
    XCTAssertEqual(try read("runs/again/results.jsonl"), results.replacingOccurrences(of: "runs/tune-bowl/", with: "runs/again/"))
    XCTAssertEqual(try read("runs/again/events.jsonl"), try read("runs/tune-bowl/events.jsonl"))

    // --force replaces a sweep: an older, larger sweep's trials go; links are removed, not followed.
    let stale = tempDir.appendingPathComponent("runs/tune-bowl/trial-0099/checkpoints")
    try FileManager.default.createDirectory(at: stale, withIntermediateDirectories: true)
    try "old".write(to: stale.appendingPathComponent("final.safetensors"), atomically: true, encoding: .utf8)
    try write("keep.txt", "mine")
    try FileManager.default.createSymbolicLink(atPath: stale.deletingLastPathComponent().appendingPathComponent("output.txt").path,
                                               withDestinationPath: tempDir.appendingPathComponent("keep.txt").path)
    let forced = try pavlov(["tune", "bowl.pav", "--force"])
    XCTAssertEqual(forced.status, 0, forced.stderr)
    XCTAssertFalse(FileManager.default.fileExists(atPath: stale.deletingLastPathComponent().path))
    XCTAssertEqual(try read("keep.txt"), "mine")
    XCTAssertEqual(try read("runs/tune-bowl/results.jsonl"), results)
  }

  func testAStoppedSweepResumesToTheResultsOfAnUninterruptedOne() throws {
    try write("bowl.pav", Self.bowl.replacingOccurrences(of: "sleep((time() * 1000) % 7 / 1000)", with: "sleep(0.05)"))
    let whole = try pavlov(["tune", "bowl.pav", "--out", "runs/whole"])
    XCTAssertEqual(whole.status, 0, whole.stderr)

    // Ctrl-C part way: the driver stops its workers and keeps what it decided.
    let process = Process()
    process.executableURL = URL(fileURLWithPath: try PavlovBinary.require())
    process.arguments = ["tune", "bowl.pav", "--out", "runs/cut"]
    process.currentDirectoryURL = tempDir
    process.standardOutput = FileHandle.nullDevice
    let errors = Pipe()
    process.standardError = errors
    try process.run()
    usleep(600_000)
    process.interrupt()
    let deadline = Date().addingTimeInterval(20)
    while process.isRunning && Date() < deadline { usleep(10_000) }
    XCTAssertFalse(process.isRunning, "the sweep did not stop on Ctrl-C")
    let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    XCTAssertEqual(process.terminationStatus, 130, "the sweep was not interrupted part way: \(stderr)")
    XCTAssert(stderr.contains("--resume"), stderr)
    let cut = try read("runs/cut/events.jsonl")
    XCTAssert(cut.count < (try read("runs/whole/events.jsonl")).count, "the sweep was not interrupted part way")

    let resumed = try pavlov(["tune", "bowl.pav", "--out", "runs/cut", "--resume"])
    XCTAssertEqual(resumed.status, 0, resumed.stderr)
    XCTAssertEqual(resumed.stdout, whole.stdout)
    XCTAssertEqual(try read("runs/cut/results.jsonl"), try read("runs/whole/results.jsonl").replacingOccurrences(of: "runs/whole/", with: "runs/cut/"))
    XCTAssertEqual(try read("runs/cut/events.jsonl"), try read("runs/whole/events.jsonl"))

    // A finished sweep resumes at once to the same table; other settings are refused.
    XCTAssertEqual(try pavlov(["tune", "bowl.pav", "--out", "runs/cut", "--resume"]).stdout, whole.stdout)
    try write("bowl.pav", Self.bowl.replacingOccurrences(of: "seed: 3", with: "seed: 4"))
    let other = try pavlov(["tune", "bowl.pav", "--out", "runs/cut", "--resume"])
    XCTAssertNotEqual(other.status, 0)
    XCTAssert(other.stderr.contains("other settings"), other.stderr)
  }

  func testFailingTrialsAreRecordedAndTheSweepGoesOn() throws {
    try write("flaky.pav", """
      fn trial(config) {
        if config.k == 1 { error(f"no good: {config.k}") }
        if config.k == 2 { exit(3) }
        if config.k == 3 { return 7 }
        report(score: config.k * 1.0, width: config.model.width)
        return {score: config.k + 0.5}
      }
      let sweep = tune(trial, space: {k: tune_grid([0, 1, 2, 3, 4]), model: {width: tune_choice([8, 16]), depth: 2}},
                       metric: "score", max_concurrent: 2)
      for t in sweep.trials { print(t.trial, t.status, t.metric) }
      """)
    let run = try pavlov(["tune", "flaky.pav"])
    XCTAssertEqual(run.status, 0, run.stderr)
    let lines = run.stdout.split(separator: "\n").suffix(5).map(String.init)
    XCTAssertEqual(lines, ["0 done 0.0", "1 failed nil", "2 failed nil", "3 failed nil", "4 done 4.0"], run.stdout)
    let results = try read("runs/tune-flaky/results.jsonl")
    XCTAssert(results.contains("no good"), results)
    XCTAssert(results.contains("the trial called exit(3)"), results)
    XCTAssert(results.contains("returned int without calling report"), results)
    XCTAssert(try read("runs/tune-flaky/trial-0001/output.txt").contains("no good"))
    XCTAssert(results.contains("\"model\":{\"width\":"), "nested records are searched key by key: \(results)")
    XCTAssert(run.stdout.contains("model.width  model.depth"), run.stdout)
  }

  func testTrainerTrialsAndPopulationBasedTrainingAreReproducible() throws {
    try write("pbt.pav", """
      fn trial(config) {
        return ppo("CartPole-v1", n_envs: 4, n_steps: 16, epochs: 2, batch_size: 64, lr: config.lr, seed: 0)
      }
      let sweep = tune(trial, space: {lr: tune_loguniform(1e-4, 1e-2)}, samples: 4, metric: "mean_return",
                       scheduler: pbt({lr: tune_loguniform(1e-4, 1e-2)}, perturbation_interval: 3),
                       stop: {training_iteration: 12}, eval_every: 6, eval_episodes: 2, max_concurrent: 2, seed: 1)
      print(len(sweep.trials), sweep.best_result.training_iteration)
      """)
    let first = try pavlov(["tune", "pbt.pav"], timeout: 120)
    XCTAssertEqual(first.status, 0, first.stderr)
    XCTAssert(first.stdout.hasSuffix("4 12\n"), first.stdout)
    let events = try read("runs/tune-pbt/events.jsonl")
    XCTAssert(events.contains("eval_mean_return"), "eval_every adds the deterministic evaluation")
    let checkpoints = try FileManager.default.contentsOfDirectory(atPath: tempDir.appendingPathComponent("runs/tune-pbt").path)
      .filter { $0.hasPrefix("trial-") }
      .flatMap { (try? FileManager.default.contentsOfDirectory(atPath: tempDir.appendingPathComponent("runs/tune-pbt/\($0)/checkpoints").path)) ?? [] }
    XCTAssertFalse(checkpoints.isEmpty, "PBT's top trials save checkpoints")
    // An exploited trial ends with a config other than the one it started with.
    let results = try read("runs/tune-pbt/results.jsonl")
    let started = try (0..<4).map { try read("runs/tune-pbt/trial-000\($0)/config.json") }
    XCTAssert(started.contains { !results.contains($0.replacingOccurrences(of: "\n", with: "").replacingOccurrences(of: " ", with: "")) },
              "no trial was exploited:\n\(results)")
    let trial0 = tempDir.appendingPathComponent("runs/tune-pbt/trial-0000").path
    XCTAssert(FileManager.default.fileExists(atPath: trial0 + "/checkpoints/final.safetensors"), "a trainer trial keeps its final checkpoint")
    XCTAssert(try FileManager.default.contentsOfDirectory(atPath: trial0).contains { $0.hasPrefix("events.out.tfevents") }, "each trial has a TensorBoard log")
    let second = try pavlov(["tune", "pbt.pav", "--force"], timeout: 120)
    XCTAssertEqual(second.status, 0, second.stderr)
    XCTAssertEqual(try read("runs/tune-pbt/events.jsonl"), events)
  }

  func testReportFromATrainerCallbackStopsItsTraining() throws {
    try write("callback.pav", """
      fn trial(config) {
        let agent = ppo("CartPole-v1", n_envs: 2, n_steps: 8, epochs: 1, batch_size: 16, lr: config.lr, seed: 0)
        agent.train(steps: 16000, callback: s => report(mean_return: s.mean_return, timesteps: s.timesteps), progress: false)
        print("not reached: the sweep stops the trial inside report")
      }
      let sweep = tune(trial, space: {lr: tune_grid([0.001, 0.002])}, metric: "mean_return", stop: {timesteps: 160})
      print([for t in sweep.trials: t.results])
      """.replacingOccurrences(of: "[for t in sweep.trials: t.results]", with: "sweep.trials.map(t => t.results)"))
    let run = try pavlov(["tune", "callback.pav"])
    XCTAssertEqual(run.status, 0, run.stderr)
    XCTAssert(run.stdout.hasSuffix("[10, 10]\n"), run.stdout)
    XCTAssertFalse(try read("runs/tune-callback/trial-0000/output.txt").contains("not reached"))
  }

  func testTPESearchAndBadSweepsExplainThemselves() throws {
    try write("tpe.pav", """
      fn trial(config) { report(loss: (config.x - 2.0) * (config.x - 2.0)) }
      let sweep = tune(trial, space: {x: tune_uniform(-5.0, 5.0)}, samples: 16, search: "tpe", metric: "loss", mode: "min")
      print(sweep.best_result.loss < 1.0)
      """)
    let tpe = try pavlov(["tune", "tpe.pav"])
    XCTAssertEqual(tpe.status, 0, tpe.stderr)
    XCTAssert(tpe.stdout.hasSuffix("true\n"), tpe.stdout)

    let inline = try pavlov(["-e", "tune(c => report(a: 1), space: {x: tune_choice([1, 2])})"])
    XCTAssertEqual(inline.status, 1)
    XCTAssert(inline.stderr.contains("needs a script file") && inline.stderr.contains("pavlov tune FILE"), inline.stderr)

    try write("bad.pav", "tune(c => report(a: 1), space: {x: tune_choice([1])}, scheduler: asha())\n")
    let noMetric = try pavlov(["tune", "bad.pav"])
    XCTAssert(noMetric.stderr.contains("give metric:"), noMetric.stderr)
    let badExecutor = try pavlov(["tune", "bad.pav", "--executor", "slurm"])
    XCTAssertEqual(badExecutor.status, 2)
    XCTAssert(badExecutor.stderr.contains("local or ray"), badExecutor.stderr)
    try write("ray.pav", "tune(c => report(a: 1), space: {x: tune_choice([1])})\n")
    let noAddress = try pavlov(["tune", "ray.pav", "--executor", "ray"], environment: ["RAY_ADDRESS": ""])
    XCTAssert(noAddress.stderr.contains("--ray-address"), noAddress.stderr)
    let badSpace = try pavlov(["-e", "tune_loguniform(0, 1)"])
    XCTAssert(badSpace.stderr.contains("tune_loguniform: argument `low` must be > 0"), badSpace.stderr)
  }
}
