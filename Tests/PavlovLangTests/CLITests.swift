import Foundation
import XCTest

#if canImport(Glibc)
import Glibc
#endif

final class CLITests: XCTestCase {
  private var tempDir: URL!

  override func setUpWithError() throws {
    tempDir = FileManager.default.temporaryDirectory.appendingPathComponent("pavlov-cli-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: tempDir, withIntermediateDirectories: true)
  }

  override func tearDown() {
    if let tempDir { try? FileManager.default.removeItem(at: tempDir) }
  }

  // MARK: - Helpers

  /// Runs `pavlov arguments...` in the temp folder (see `PavlovBinary.run`).
  private func pavlov(_ arguments: [String], stdin: String = "", timeout: TimeInterval = 20, environment: [String: String] = [:],
                      file: StaticString = #filePath, line: UInt = #line) throws -> CLIResult {
    try PavlovBinary.run(arguments, in: tempDir, stdin: stdin, timeout: timeout, environment: environment, file: file, line: line)
  }

  /// Writes a script into the temp folder and returns its path.
  private func script(_ name: String, _ source: String) throws -> String {
    let url = tempDir.appendingPathComponent(name)
    try source.write(to: url, atomically: true, encoding: .utf8)
    return url.path
  }

  private func assertExit(_ result: CLIResult, _ expected: Int32, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertFalse(result.signaled, "pavlov died of a signal:\n\(result)", file: file, line: line)
    XCTAssertEqual(result.status, expected, "exit status:\n\(result)", file: file, line: line)
  }

  // MARK: - train, evaluate, plot

  func testAgentTrainShowsProgressOnStandardErrorAndPlainLinesWhenPiped() throws {
    let path = try script("progress.pav", """
      let agent = ppo("CartPole-v1", n_envs: 2, n_steps: 64, seed: 0)
      let s = agent.train(iterations: 4, plot: "mean_return")
      print("done", s.iteration)
      agent.train(iterations: 2, progress: false)
      print("quiet")
      """)
    let result = try pavlov([path], timeout: 120)
    assertExit(result, 0)
    XCTAssertEqual(result.stdout, "done 4\nquiet\n", "progress stays off standard output")
    let lines = result.stderr.split(separator: "\n").map(String.init)
    XCTAssertEqual(lines.filter { $0.hasPrefix("[") }.map { $0.split(separator: " ").prefix(3).joined(separator: " ") },
                   ["[25%] it 1", "[50%] it 2", "[75%] it 3", "[100%] it 4"], result.stderr)
    XCTAssertFalse(result.stderr.contains("\u{1b}"), "no terminal codes when piped")
    XCTAssertTrue(result.stderr.contains("mean_return\n"), "the chart's title, once at the end:\n\(result.stderr)")
    XCTAssertFalse(result.stderr.contains("it 6"), "progress: false shows nothing")

    let wrong = try pavlov(["-e", "ppo(\"CartPole-v1\", n_envs: 2, n_steps: 64).train(iterations: 1, plot: \"reward\")"], timeout: 60)
    assertExit(wrong, 1)
    XCTAssertTrue(wrong.stderr.contains("no statistic of that name"), wrong.stderr)
    XCTAssertTrue(wrong.stderr.contains("mean_return"), "the hint lists the names:\n\(wrong.stderr)")
  }

  func testTrainWritesARunFolderAndTwoRunsOfOneSeedAgree() throws {
    for name in ["a", "b"] {
      let result = try pavlov(["train", "--algo", "PPO", "--env", "CartPole-v1", "--stop", "iterations=3",
                               "--config", "n_envs=2", "--config", "n_steps=64", "--eval-episodes", "2", "--out", "runs/\(name)"], timeout: 120)
      assertExit(result, 0)
      XCTAssertTrue(result.stdout.contains("run folder: runs/\(name)"), result.stdout)
    }
    let base = tempDir.appendingPathComponent("runs")
    let a = try String(contentsOf: base.appendingPathComponent("a/metrics.jsonl"), encoding: .utf8)
    let b = try String(contentsOf: base.appendingPathComponent("b/metrics.jsonl"), encoding: .utf8)
    XCTAssertEqual(a.split(separator: "\n").count, 3)
    XCTAssertEqual(a, b, "same seed, same metrics")
    XCTAssertFalse(a.contains("fps"), "wall-clock figures would make runs differ")
    // --seed reaches train (the root command's own --seed once swallowed it, and every seed ran as 0).
    let seeded = try pavlov(["train", "--algo", "PPO", "--env", "CartPole-v1", "--stop", "iterations=3", "--seed", "4",
                             "--config", "n_envs=2", "--config", "n_steps=64", "--eval-episodes", "2", "--out", "runs/c"], timeout: 120)
    assertExit(seeded, 0)
    let c = try String(contentsOf: base.appendingPathComponent("c/metrics.jsonl"), encoding: .utf8)
    XCTAssertNotEqual(a, c, "another seed, other metrics")
    let config = try String(contentsOf: base.appendingPathComponent("c/config.json"), encoding: .utf8)
    XCTAssertTrue(config.contains("\"seed\": 4"), config)
    for file in ["config.json", "summary.json", "checkpoints/final.safetensors"] {
      XCTAssertTrue(FileManager.default.fileExists(atPath: base.appendingPathComponent("a/" + file).path), file)
    }
    let summary = try String(contentsOf: base.appendingPathComponent("a/summary.json"), encoding: .utf8)
    XCTAssertTrue(summary.contains("\"iterations\": 3"), summary)

    let evaluation = try pavlov(["evaluate", "runs/a/checkpoints/final.safetensors", "--episodes", "3"], timeout: 60)
    assertExit(evaluation, 0)
    XCTAssertTrue(evaluation.stdout.hasPrefix("ppo on CartPole-v1 (384 training steps): mean return "), evaluation.stdout)

    let plotted = try pavlov(["plot", "runs/a/metrics.jsonl", "--y", "mean_return", "--x", "timesteps"])
    assertExit(plotted, 0)
    XCTAssertTrue(plotted.stdout.contains("mean_return — runs/a/metrics.jsonl"), plotted.stdout)
  }

  /// `pavlov train` takes a multi-agent env with a mapping; the run folder has no checkpoints
  /// (multi-agent trainers are not saved yet) and --resume says so.
  func testTrainTakesAMultiAgentEnvAndAMapping() throws {
    let result = try pavlov(["train", "--algo", "ma_ppo", "--env", "TicTacToe-v0", "--stop", "iterations=2",
                             "--config", "policies=[\"x\", \"o\"]", "--config", "mapping={player_1: \"x\", player_2: \"o\"}",
                             "--config", "n_steps=256", "--eval-episodes", "4", "--out", "runs/ma"], timeout: 120)
    assertExit(result, 0)
    XCTAssertTrue(result.stdout.contains("evaluation (the trained policies play each other, 4 episodes): mean returns player_1 "), result.stdout)
    let base = tempDir.appendingPathComponent("runs/ma")
    let config = try String(contentsOf: base.appendingPathComponent("config.json"), encoding: .utf8)
    XCTAssertTrue(config.contains("\"player_2\": \"o\""), config)
    let rows = try String(contentsOf: base.appendingPathComponent("metrics.jsonl"), encoding: .utf8).split(separator: "\n")
    XCTAssertEqual(rows.count, 2)
    XCTAssertTrue(rows[0].contains("\"x/policy_loss\""), String(rows[0]))
    let resumed = try pavlov(["train", "--resume", "runs/ma"])
    assertExit(resumed, 1)
    XCTAssertTrue(resumed.stderr.contains("multi-agent trainers have no checkpoints yet"), resumed.stderr)
    let dqn = try pavlov(["train", "--algo", "ma_dqn", "--env", "Spread-v0", "--env-option", "agents=2", "--stop", "timesteps=600",
                          "--config", "learning_starts=100", "--config", "log_every=300", "--eval-episodes", "2", "--out", "runs/vdn"], timeout: 120)
    assertExit(dqn, 0)
    XCTAssertTrue(dqn.stdout.contains("; coverage "), dqn.stdout)
  }

  func testPlotTakesSeveralRunsAndMetricsAsPanelsOrOneChart() throws {
    let rows = { (scale: Double) in (1...5).map { "{\"timesteps\": \($0 * 100), \"mean_return\": \(Double($0) * scale), \"loss\": \(0.01 / Double($0))}" }.joined(separator: "\n") }
    try FileManager.default.createDirectory(at: tempDir.appendingPathComponent("runs/ppo"), withIntermediateDirectories: true)
    try rows(10).write(to: tempDir.appendingPathComponent("runs/ppo/metrics.jsonl"), atomically: true, encoding: .utf8)
    try rows(20).write(to: tempDir.appendingPathComponent("a2c.jsonl"), atomically: true, encoding: .utf8)

    // A run folder and a file; return and loss differ in scale by far more than 10x: a chart each.
    let panels = try pavlov(["plot", "runs/ppo", "a2c.jsonl", "--y", "mean_return", "--y", "loss", "--x", "timesteps"])
    assertExit(panels, 0)
    XCTAssertTrue(panels.stdout.contains("mean_return — 2 runs"), panels.stdout)
    XCTAssertTrue(panels.stdout.contains("loss — 2 runs"), panels.stdout)
    XCTAssertTrue(panels.stdout.contains("• ppo   × a2c.jsonl"), "one line per run, named by its folder:\n\(panels.stdout)")

    let overlay = try pavlov(["plot", "runs/ppo", "a2c.jsonl", "--y", "mean_return", "--y", "loss", "--layout", "overlay"])
    assertExit(overlay, 0)
    XCTAssertTrue(overlay.stdout.contains("mean_return, loss — 2 runs"), overlay.stdout)
    XCTAssertTrue(overlay.stdout.contains("ppo mean_return") && overlay.stdout.contains("a2c.jsonl loss"), overlay.stdout)

    let svg = try pavlov(["plot", "runs/ppo", "a2c.jsonl", "--y", "mean_return", "--y", "loss", "--out", "both.svg"])
    assertExit(svg, 0)
    let text = try String(contentsOf: tempDir.appendingPathComponent("both.svg"), encoding: .utf8)
    XCTAssertEqual(text.components(separatedBy: "<svg").count - 1, 3, "two panels inside one file")
    XCTAssertEqual(text.components(separatedBy: "<polyline").count - 1, 4, "two runs × two metrics")

    let png = try pavlov(["plot", "runs/ppo", "a2c.jsonl", "--y", "mean_return", "--y", "loss", "--out", "both.png"])
    assertExit(png, 0)
    let image = try [UInt8](Data(contentsOf: tempDir.appendingPathComponent("both.png")))
    XCTAssertEqual(Array(image.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], "a PNG signature")
    XCTAssertEqual(Array(image[16..<24]), [0, 0, 2, 0xD0, 0, 0, 3, 0x70], "720 × 880: two 440-pixel panels")
    let wrongType = try pavlov(["plot", "runs/ppo", "--out", "curve.jpg"])
    assertExit(wrongType, 1)
    XCTAssertTrue(wrongType.stderr.contains("name the file FILE.svg or FILE.png"), wrongType.stderr)

    let missing = try pavlov(["plot", "runs/ppo", "--y", "reward"])
    assertExit(missing, 1)
    XCTAssertTrue(missing.stderr.contains("runs/ppo/metrics.jsonl: no row has a number under \"reward\""), missing.stderr)
    XCTAssertTrue(missing.stderr.contains("its keys: timesteps, mean_return, loss"), missing.stderr)
    let layout = try pavlov(["plot", "runs/ppo", "--layout", "grid"])
    assertExit(layout, 1)
    XCTAssertTrue(layout.stderr.contains("one of: auto, overlay, panels"), layout.stderr)
  }

  /// Issue 24: a metrics file whose last row was torn (a crash mid-write) made the resumed run
  /// append to the broken line, and `pavlov plot` then failed on it. The torn row is cut off with
  /// one warning; every complete row is kept.
  func testResumeCutsATornMetricsRowAndPlotReadsTheFile() throws {
    let common = ["train", "--algo", "PPO", "--env", "CartPole-v1", "--config", "n_envs=2", "--config", "n_steps=64", "--eval-episodes", "1"]
    assertExit(try pavlov(common + ["--stop", "iterations=2", "--out", "runs/torn"], timeout: 120), 0)
    let metrics = tempDir.appendingPathComponent("runs/torn/metrics.jsonl")
    let whole = try Data(contentsOf: metrics)
    try whole.prefix(whole.count - 40).write(to: metrics)
    let resumed = try pavlov(["train", "--resume", "runs/torn", "--stop", "iterations=4"], timeout: 120)
    assertExit(resumed, 0)
    XCTAssertTrue(resumed.stderr.contains("the last line was cut short"), resumed.stderr)
    XCTAssertTrue(resumed.stderr.contains("resuming from the 1 complete line"), resumed.stderr)
    let rows = try String(contentsOf: metrics, encoding: .utf8).split(separator: "\n")
    XCTAssertEqual(rows.count, 3, "row 1, then rows 3 and 4 of the resumed run")
    XCTAssertTrue(rows[1].hasPrefix("{\"iteration\":3"), String(rows[1]))
    assertExit(try pavlov(["plot", "runs/torn"]), 0)
  }

  func testTrainResumesExactlyAndNeverOverwritesARun() throws {
    let common = ["train", "--algo", "PPO", "--env", "CartPole-v1", "--config", "n_envs=2", "--config", "n_steps=64", "--eval-episodes", "1"]
    assertExit(try pavlov(common + ["--stop", "iterations=4", "--out", "runs/whole"], timeout: 120), 0)
    assertExit(try pavlov(common + ["--stop", "iterations=2", "--out", "runs/part"], timeout: 120), 0)
    let resumed = try pavlov(["train", "--resume", "runs/part", "--stop", "iterations=4"], timeout: 120)
    assertExit(resumed, 0)
    XCTAssertTrue(resumed.stdout.contains("done (resumed): 512 steps, 4 iterations"), resumed.stdout)
    let base = tempDir.appendingPathComponent("runs")
    let whole = try String(contentsOf: base.appendingPathComponent("whole/metrics.jsonl"), encoding: .utf8)
    let part = try String(contentsOf: base.appendingPathComponent("part/metrics.jsonl"), encoding: .utf8)
    XCTAssertEqual(part, whole, "a stopped run resumed writes the rows an uninterrupted run writes")
    let done = try pavlov(["train", "--resume", "runs/part", "--stop", "iterations=4"], timeout: 60)
    XCTAssertEqual(done.status, 1)
    XCTAssertTrue(done.stderr.contains("already reached its budget"), done.stderr)

    let again = try pavlov(common + ["--stop", "iterations=1", "--out", "runs/whole"], timeout: 60)
    XCTAssertEqual(again.status, 1)
    XCTAssertTrue(again.stderr.contains("runs/whole already holds a run; it is not overwritten"), again.stderr)
    XCTAssertTrue(again.stderr.contains("--resume runs/whole"), again.stderr)
    XCTAssertEqual(try String(contentsOf: base.appendingPathComponent("whole/metrics.jsonl"), encoding: .utf8), whole, "the refused run wrote nothing")
    assertExit(try pavlov(common + ["--stop", "iterations=1", "--out", "runs/whole", "--force"], timeout: 60), 0)
    let replaced = try String(contentsOf: base.appendingPathComponent("whole/metrics.jsonl"), encoding: .utf8)
    XCTAssertEqual(replaced.split(separator: "\n").count, 1)
    assertExit(try pavlov(["train", "--resume", "runs/whole", "--algo", "DQN"]), 2)
    assertExit(try pavlov(["train", "--algo", "PPO"]), 2)
  }

  func testTrainTakesEnvOptionsAndPavlovEnvsAndRecordsItsCaps() throws {
    let options = try pavlov(["train", "--algo", "PPO", "--env", "FrozenLake-v1", "--env-option", "is_slippery=false",
                              "--stop", "mean_return=2", "--config", "n_steps=16", "--config", "n_envs=1", "--stop", "iterations=1",
                              "--eval-episodes", "1", "--out", "runs/lake"], timeout: 60)
    assertExit(options, 0)
    let config = try String(contentsOf: tempDir.appendingPathComponent("runs/lake/config.json"), encoding: .utf8)
    XCTAssertTrue(config.contains("make(\\\"FrozenLake-v1\\\", is_slippery: false)"), config)
    let capped = try pavlov(["train", "--algo", "PPO", "--env", "FrozenLake-v1", "--stop", "mean_return=-1", "--config", "n_steps=16",
                             "--config", "n_envs=1", "--eval-episodes", "1", "--out", "runs/capped"], timeout: 60)
    assertExit(capped, 0)
    let cappedConfig = try String(contentsOf: tempDir.appendingPathComponent("runs/capped/config.json"), encoding: .utf8)
    XCTAssertTrue(cappedConfig.contains("\"capped\": \"timesteps=1000000 added: a return target alone needs a ceiling\""), cappedConfig)
    let bad = try pavlov(["train", "--algo", "PPO", "--env", "FrozenLake-v1", "--env-option", "slippery=false", "--out", "runs/bad"])
    XCTAssertEqual(bad.status, 1)
    XCTAssertTrue(bad.stderr.contains("FrozenLake-v1 has no option slippery"), bad.stderr)

    _ = try script("corridor.pav", """
      fn make(length: 5) {
        let pos = 0
        return as_env({
          observation_space: discrete(length), action_space: discrete(2),
          reset: seed => { pos = 0; return pos },
          step: a => {
            pos = max(0, min(length - 1, pos + 2 * a - 1))
            return {obs: pos, reward: if pos == length - 1 { 1.0 } else { -0.1 }, terminated: pos == length - 1}
          },
        }, max_episode_steps: 50)
      }
      """)
    let scripted = try pavlov(["train", "--algo", "PPO", "--env", "corridor.pav:make", "--env-option", "length=4", "--stop", "timesteps=1024",
                               "--config", "n_steps=64", "--config", "lr=0.003", "--eval-episodes", "2"], timeout: 120)
    assertExit(scripted, 0)
    XCTAssertTrue(scripted.stdout.contains("run folder: runs/ppo-corridor-seed0"), scripted.stdout)
    let missing = try pavlov(["train", "--algo", "PPO", "--env", "nowhere.pav:make"])
    XCTAssertEqual(missing.status, 1)
    XCTAssertTrue(missing.stderr.contains("cannot find nowhere.pav"), missing.stderr)
  }

  func testTrainRejectsUnknownAlgorithmsConfigKeysAndStops() throws {
    let algo = try pavlov(["train", "--algo", "SAC9", "--env", "CartPole-v1"])
    XCTAssertNotEqual(algo.status, 0)
    XCTAssertTrue(algo.stderr.contains("unknown algorithm \"SAC9\""), algo.stderr)
    let key = try pavlov(["train", "--algo", "ppo", "--env", "CartPole-v1", "--config", "lrr=3"])
    XCTAssertNotEqual(key.status, 0)
    XCTAssertTrue(key.stderr.contains("`ppo` has no parameter named `lrr`"), key.stderr)
    XCTAssertTrue(key.stderr.contains("did you mean `lr`?"), key.stderr)
    let stop = try pavlov(["train", "--algo", "ppo", "--env", "CartPole-v1", "--stop", "forever=1"])
    XCTAssertNotEqual(stop.status, 0)
    XCTAssertTrue(stop.stderr.contains("unknown criterion \"forever\""), stop.stderr)
    let missing = try pavlov(["evaluate", "nowhere.safetensors"])
    XCTAssertNotEqual(missing.status, 0)
    XCTAssertTrue(missing.stderr.contains("cannot read nowhere.safetensors"), missing.stderr)
  }

  // MARK: - Basics

  func testVersion() throws {
    let result = try pavlov(["--version"])
    assertExit(result, 0)
    XCTAssertTrue(result.stdout.hasPrefix("pavlov "), result.description)
    let version = result.stdout.dropFirst("pavlov ".count).trimmingCharacters(in: .whitespacesAndNewlines)
    XCTAssertNotNil(version.range(of: #"^\d+\.\d+\.\d+"#, options: .regularExpression), "version: \(version)")
    XCTAssertEqual(result.stderr, "")
  }

  /// Issue 24: a binary without a stdlib beside it searched every parent folder, so one under
  /// /tmp/x/ ran /tmp/stdlib/prelude.pav, written by anyone. Only documented places count now,
  /// and `--version` says which one was used.
  func testAStdlibPlantedInAParentFolderIsNeverRunAndVersionSaysWhereItIs() throws {
    let files = FileManager.default
    let planted = tempDir.appendingPathComponent("stdlib")
    try files.createDirectory(at: planted, withIntermediateDirectories: true)
    try "print(\"planted prelude ran\")\n".write(to: planted.appendingPathComponent("prelude.pav"), atomically: true, encoding: .utf8)
    let bin = tempDir.appendingPathComponent("x")
    try files.createDirectory(at: bin, withIntermediateDirectories: true)
    let copy = bin.appendingPathComponent("pavlov")
    try files.copyItem(atPath: try PavlovBinary.require(), toPath: copy.path)

    func runCopy(_ arguments: [String]) throws -> (out: String, err: String, status: Int32) {
      let process = Process()
      process.executableURL = copy
      process.arguments = arguments
      var environment = ProcessInfo.processInfo.environment
      environment["PAVLOV_STDLIB"] = nil
      process.environment = environment
      let out = Pipe(), err = Pipe()
      process.standardOutput = out
      process.standardError = err
      try process.run()
      let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
      process.waitUntilExit()
      return (String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self), process.terminationStatus)
    }

    let refused = try runCopy(["-e", "print(1)"])
    XCTAssertFalse(refused.out.contains("planted"), refused.out)
    XCTAssertTrue(refused.err.contains("cannot find Pavlov's stdlib"), refused.err)
    XCTAssertEqual(refused.status, 1)
    XCTAssertTrue(try runCopy(["--version"]).out.contains("stdlib: not found"))

    // Beside the binary is a documented place: it is used, and --version names it.
    try files.moveItem(at: planted, to: bin.appendingPathComponent("stdlib"))
    try "let from_beside = 1\n".write(to: bin.appendingPathComponent("stdlib/prelude.pav"), atomically: true, encoding: .utf8)
    XCTAssertEqual(try runCopy(["-e", "print(from_beside)"]).out, "1\n")
    XCTAssertTrue(try runCopy(["--version"]).out.contains("stdlib: \(bin.path)/stdlib"))
  }

  func testHelp() throws {
    let result = try pavlov(["--help"])
    assertExit(result, 0)
    for word in ["USAGE", "run", "check", "docs", "--eval", "--seed", "--version"] {
      XCTAssertTrue(result.stdout.contains(word), "--help lacks \(word):\n\(result)")
    }
    let runHelp = try pavlov(["run", "--help"])
    assertExit(runHelp, 0)
    XCTAssertTrue(runHelp.stdout.contains("args"), runHelp.description)
  }

  func testEvalPrints() throws {
    let result = try pavlov(["-e", "print(1+1)"])
    assertExit(result, 0)
    XCTAssertEqual(result.stdout, "2\n")
    XCTAssertEqual(result.stderr, "")
    let long = try pavlov(["--eval", "let xs = [1, 2]; xs.push(3); print(xs)"])
    assertExit(long, 0)
    XCTAssertEqual(long.stdout, "[1, 2, 3]\n")
  }

  func testEvalDoesNotEchoTheLastValue() throws {
    let result = try pavlov(["-e", "1 + 1"])
    assertExit(result, 0)
    XCTAssertEqual(result.stdout, "", "only the REPL echoes values")
  }

  // MARK: - Exit codes

  func testRuntimeErrorExitsOneWithLocationOnStderr() throws {
    let path = try script("boom.pav", "print(\"before\")\nlet x = 1/0\nprint(\"after\")\n")
    let result = try pavlov(["run", path])
    assertExit(result, 1)
    XCTAssertEqual(result.stdout, "before\n", "output before the error is kept; nothing after it runs")
    XCTAssertTrue(result.stderr.contains("division by zero"), result.description)
    XCTAssertTrue(result.stderr.contains("\(path):2:10"), "error location file:line:col:\n\(result)")
    XCTAssertFalse(result.stderr.contains("\u{1B}["), "no color when stderr is not a terminal")
  }

  func testUncaughtThrowExitsOne() throws {
    let result = try pavlov(["-e", "throw \"custom failure\""])
    assertExit(result, 1)
    XCTAssertTrue(result.stderr.contains("custom failure"), result.description)
    XCTAssertTrue(result.stderr.contains("-e:1:"), result.description)
  }

  func testUnknownFlagIsAUsageError() throws {
    let result = try pavlov(["--bogus-flag"])
    assertExit(result, 2)
    XCTAssertTrue(result.stderr.contains("--bogus-flag"), result.description)
    XCTAssertEqual(result.stdout, "")
    assertExit(try pavlov(["--seed", "abc", "-e", "print(1)"]), 2)
    assertExit(try pavlov(["-e"]), 2)
    assertExit(try pavlov(["nosuchcommand"]), 2)
  }

  func testMissingFileIsAUsageError() throws {
    let missing = tempDir.appendingPathComponent("missing.pav").path
    let result = try pavlov(["run", missing])
    assertExit(result, 2)
    XCTAssertTrue(result.stderr.contains("missing.pav"), result.description)
    XCTAssertEqual(result.stdout, "")
    assertExit(try pavlov(["check", missing]), 2)
  }

  /// Issue 25: `pavlov run /bin/ls` wrote hundreds of MB of diagnostics; invalid UTF-8 was
  /// replaced silently (two different bad names collided); a byte-order mark made `print` an
  /// undefined name; a folder gave "error while reading".
  func testBinaryFilesBadUTF8AByteOrderMarkAndFoldersGetOneClearMessage() throws {
    let binary = tempDir.appendingPathComponent("tool")
    try Data([0x7F, 0x45, 0x4C, 0x46, 0x02, 0x01, 0x01, 0x00] + Array(repeating: 0x41, count: 100_000)).write(to: binary)
    let ran = try pavlov(["run", binary.path])
    assertExit(ran, 2)  // the script never started: a usage error
    XCTAssertEqual(ran.stderr, "error: \(binary.path) is not a Pavlov source file: it holds a NUL byte (at byte 7), so it is binary\n")
    let bad = tempDir.appendingPathComponent("bad.pav")
    try Data(Array("let caf".utf8) + [0xE9] + Array(" = 1\n".utf8)).write(to: bad)
    XCTAssertTrue(try pavlov(["check", bad.path]).stderr.contains("bad.pav is not valid UTF-8 (at byte 7)"))
    let bom = tempDir.appendingPathComponent("bom.pav")
    try Data([0xEF, 0xBB, 0xBF] + Array("print(\"with a BOM\")\n".utf8)).write(to: bom)
    XCTAssertEqual(try pavlov(["run", bom.path]).stdout, "with a BOM\n")
    let folder = try pavlov(["run", tempDir.path])
    XCTAssertTrue(folder.stderr.contains("it is a folder, not a Pavlov file"), folder.stderr)
  }

  func testAFileAsFirstArgumentRunsIt() throws {
    // `pavlov FILE.pav ARGS`, as `python FILE ARGS`; a subcommand name still wins.
    let path = try script("hello.pav", "print(args)\n")
    let result = try pavlov([path, "a", "--seed", "2"])
    assertExit(result, 0)
    XCTAssertEqual(result.stdout, "[\"a\", \"--seed\", \"2\"]\n", result.description)
    let missing = tempDir.appendingPathComponent("nope.pav").path
    let absent = try pavlov([missing])
    assertExit(absent, 2)
    XCTAssertTrue(absent.stderr.contains("nope.pav"), absent.description)
  }

  func testRunWithoutFileIsAUsageError() throws {
    assertExit(try pavlov(["run"]), 2)
    assertExit(try pavlov(["check"]), 2)
  }

  func testCheckReportsEveryErrorAndExitsOne() throws {
    let path = try script("bad.pav", """
      let a = 1
      let b = first_undefined
      print(a)
      let c = second_undefined
      """)
    let result = try pavlov(["check", path])
    assertExit(result, 1)
    XCTAssertTrue(result.stderr.contains("first_undefined"), result.description)
    XCTAssertTrue(result.stderr.contains("second_undefined"), result.description)
    XCTAssertTrue(result.stderr.contains("\(path):2:9"), result.description)
    XCTAssertTrue(result.stderr.contains("\(path):4:9"), result.description)
    XCTAssertTrue(result.stderr.contains("2 errors"), result.description)
    XCTAssertFalse(result.stdout.contains("1\n"), "check runs nothing:\n\(result)")
  }

  func testCheckOkExitsZeroAndRunsNothing() throws {
    let path = try script("good.pav", "fn f(x) { return x * 2 }\nprint(f(21))\n")
    let result = try pavlov(["check", path])
    assertExit(result, 0)
    XCTAssertEqual(result.stdout, "\(path): ok\n", "nothing printed by the script itself")
    XCTAssertEqual(result.stderr, "")
    // A runtime-only error is not found by check: nothing runs.
    let runtimeOnly = try script("runtime.pav", "print(\"ran\")\nprint(1 / 0)\n")
    let checked = try pavlov(["check", runtimeOnly])
    assertExit(checked, 0)
    XCTAssertEqual(checked.stdout, "\(runtimeOnly): ok\n")
  }

  func testCheckSeveralFilesReportsEach() throws {
    let good = try script("good.pav", "print(1)\n")
    let bad = try script("bad.pav", "print(nope)\n")
    let result = try pavlov(["check", good, bad])
    assertExit(result, 1)
    XCTAssertTrue(result.stdout.contains("\(good): ok"), result.description)
    XCTAssertTrue(result.stderr.contains("\(bad):1:7"), result.description)
  }

  func testExitCodeFromScript() throws {
    assertExit(try pavlov(["-e", "exit(3)"]), 3)
    let path = try script("exit.pav", "print(\"partial\")\nexit(3)\nprint(\"never\")\n")
    let result = try pavlov(["run", path])
    assertExit(result, 3)
    XCTAssertEqual(result.stdout, "partial\n", "output before exit() is flushed")
    assertExit(try pavlov(["-e", "exit(0)"]), 0)
    assertExit(try pavlov(["-e", "exit()"]), 0)
  }

  // MARK: - Input

  func testProgramOnStdinRuns() throws {
    let result = try pavlov([], stdin: "let x = 40\nprint(x + 2)\n")
    assertExit(result, 0)
    XCTAssertEqual(result.stdout, "42\n")
    let failing = try pavlov([], stdin: "print(\"ok\")\nundefined_call()\n")
    assertExit(failing, 1)
    XCTAssertEqual(failing.stdout, "", "a compile error runs nothing")
    XCTAssertTrue(failing.stderr.contains("<stdin>:2:1"), failing.description)
  }

  func testEmptyStdinIsAnEmptyProgram() throws {
    let result = try pavlov([])
    assertExit(result, 0)
    XCTAssertEqual(result.stdout, "")
  }

  func testScriptArguments() throws {
    let path = try script("args.pav", "print(args)\nprint(args == [\"a\", \"b\"])\n")
    let result = try pavlov(["run", path, "a", "b"])
    assertExit(result, 0)
    XCTAssertEqual(result.stdout, "[\"a\", \"b\"]\ntrue\n")
    let none = try pavlov(["run", path])
    XCTAssertEqual(none.stdout, "[]\nfalse\n")
    let dashed = try pavlov(["run", path, "--lr", "0.1"])
    assertExit(dashed, 0)
    XCTAssertEqual(dashed.stdout, "[\"--lr\", \"0.1\"]\nfalse\n", "flags after the file belong to the script")
  }

  /// `run FILE ...` and `-e CODE` start without ArgumentParser (`Entry.runWithoutParsing`):
  /// they must read exactly as the parsed forms do.
  func testTheCommonCommandLinesReadAsTheParsedOnesDo() throws {
    let path = try script("flags.pav", "print(args)\nprint(rand())\n")
    for flags in [["--help"], ["-h", "x"], ["--version"], ["--", "--seed", "3"]] {
      let direct = try pavlov(["run", path] + flags), shorthand = try pavlov([path] + flags)
      // A --seed before the file sends the command line through ArgumentParser (0 is the default seed).
      let parsed = try pavlov(["run", "--seed", "0", path] + flags)
      assertExit(direct, 0)
      XCTAssertEqual(shorthand.stdout, direct.stdout)
      XCTAssertEqual(parsed.stdout, direct.stdout, "ArgumentParser reads \(flags) otherwise")
      XCTAssertTrue(direct.stdout.hasPrefix(flags == ["--", "--seed", "3"] ? "[\"--seed\", \"3\"]" : "[\"\(flags[0])\""), direct.stdout)
    }
    let seededAfter = try pavlov(["run", path, "--seed", "7"]), seededBefore = try pavlov(["run", "--seed", "7", path])
    XCTAssertEqual(seededAfter.stdout, seededBefore.stdout)
    let short = try pavlov(["-e", "print(1 + 1)"]), long = try pavlov(["--eval", "print(1 + 1)"])
    XCTAssertEqual(short.stdout, "2\n")
    XCTAssertEqual(long.stdout, "2\n")
    let seeded = try pavlov(["--seed", "3", "-e", "print(rand())"]), unseeded = try pavlov(["-e", "print(rand())"])
    XCTAssertEqual(unseeded.stdout, try pavlov(["--seed", "0", "-e", "print(rand())"]).stdout, "the default seed is 0")
    XCTAssertNotEqual(seeded.stdout, unseeded.stdout)
    assertExit(try pavlov(["-e"]), 2)
    assertExit(try pavlov(["-e", "print(1)", "extra"]), 2)
  }

  func testCompileErrorPrintsNothingOnStdout() throws {
    let path = try script("compile.pav", "print(\"should not run\")\nlet = 3\n")
    let result = try pavlov(["run", path])
    assertExit(result, 1)
    XCTAssertEqual(result.stdout, "")
    XCTAssertTrue(result.stderr.contains("\(path):2:"), result.description)
  }

  // MARK: - Seeds

  private func draws(_ arguments: [String]) throws -> String {
    let result = try pavlov(arguments)
    assertExit(result, 0)
    XCTAssertFalse(result.stdout.isEmpty)
    return result.stdout
  }

  func testOneThreadGivesTheBitsOfTwo() throws {
    // Big enough that layer norm splits its rows (weight-gradient partial sums) and DQN values
    // the next group's minibatches alongside the current group's steps.
    let path = try script("threads.pav", """
      seed(3)
      let model = gpt(vocab: 16, d: 32, layers: 2, heads: 2, ctx: 32)
      let opt = adamw(model.params(), lr: 1e-3)
      let ids = randint(0, 16, [12, 33])
      for i in 0..3 { opt.step(cross_entropy(model(ids[:, :-1]), ids[:, 1:])) }
      let total = 0.0
      for p in model.params() { total = total + (p * p).sum().item() }
      print(f"gpt weights {total:.12g}")
      let agent = dqn("CartPole-v1", learning_starts: 100, train_freq: 100, gradient_steps: 40, batch_size: 16, hidden: [32, 32], seed: 1)
      let stats = agent.train(steps: 300)
      print(f"dqn loss {stats.loss:.9g} grad_norm {stats.grad_norm:.9g}")
      """)
    let one = try pavlov(["run", path], timeout: 120, environment: ["PAVLOV_NUM_THREADS": "1"])
    let two = try pavlov(["run", path], timeout: 120, environment: ["PAVLOV_NUM_THREADS": "2"])
    assertExit(one, 0)
    assertExit(two, 0)
    XCTAssertTrue(one.stdout.contains("gpt weights") && one.stdout.contains("dqn loss"), one.description)
    XCTAssertEqual(one.stdout, two.stdout)
  }

  func testSeedMakesRandomReproducible() throws {
    let program = "print([rand(), rand(), randint(0, 1000000)])"
    let a = try draws(["--seed", "5", "-e", program])
    let b = try draws(["--seed", "5", "-e", program])
    let c = try draws(["--seed", "6", "-e", program])
    XCTAssertEqual(a, b, "same seed, same draws")
    XCTAssertNotEqual(a, c, "different seeds, different draws")

    let path = try script("rand.pav", program + "\n")
    XCTAssertEqual(try draws(["run", "--seed", "5", path]), a, "run --seed matches -e with the same seed")
    XCTAssertEqual(try pavlov(["--seed", "5"], stdin: program).stdout, a, "piped programs take --seed too")
    XCTAssertEqual(try draws(["run", path]), try draws(["run", path]), "the default seed repeats too")
  }

  /// `pavlov run --help` shows `pavlov run <file> [--seed <seed>] [<script-arguments> ...]`.
  func testRunSeedAfterTheFileIsTheSeedOption() throws {
    let path = try script("seed.pav", "print(args)\nprint(rand())\n")
    let before = try pavlov(["run", "--seed", "7", path])
    let after = try pavlov(["run", path, "--seed", "7"])
    assertExit(after, 0)
    XCTAssertEqual(after.stdout, before.stdout,
                   "`pavlov run FILE --seed 7` should seed the generator, as the usage line says; instead `--seed 7` became args")
  }

  // MARK: - Recursion

  func testDeepRecursionWorks() throws {
    let result = try pavlov(["-e", """
      fn depth(n) { if n == 0 { return 0 }; return 1 + depth(n - 1) }
      print(depth(5000))
      """])
    assertExit(result, 0)
    XCTAssertEqual(result.stdout, "5000\n")
  }

  func testInfiniteRecursionIsAStackOverflowError() throws {
    let result = try pavlov(["-e", "fn forever(n) { return forever(n + 1) + 1 }\nforever(0)\n"])
    assertExit(result, 1)
    XCTAssertTrue(result.stderr.contains("stack overflow"), result.description)
    XCTAssertTrue(result.stderr.contains("forever"), result.description)
  }

  func testStackOverflowIsCatchable() throws {
    let result = try pavlov(["-e", """
      fn forever(n) { return forever(n + 1) }
      try { forever(0) } catch e { print("caught: " + e.message) }
      print("still running")
      """])
    assertExit(result, 0)
    XCTAssertTrue(result.stdout.contains("caught: stack overflow"), result.description)
    XCTAssertTrue(result.stdout.hasSuffix("still running\n"), result.description)
  }

  // MARK: - Signals

  func testSigintStopsAScriptWithExit130() throws {
    let binary = try PavlovBinary.require()
    let errURL = tempDir.appendingPathComponent("sigint-err")
    FileManager.default.createFile(atPath: errURL.path, contents: nil)
    let errors = try FileHandle(forWritingTo: errURL)
    defer { try? errors.close() }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: binary)
    process.arguments = ["-e", "print(\"started\"); while true {}"]
    process.standardInput = FileHandle.nullDevice
    process.standardOutput = FileHandle.nullDevice
    process.standardError = errors
    try process.run()
    usleep(400_000)  // past startup, into the loop, with the handler installed
    process.interrupt()
    let deadline = Date().addingTimeInterval(10)
    while process.isRunning && Date() < deadline { usleep(5_000) }
    if process.isRunning {
      process.terminate()
      process.waitUntilExit()
      return XCTFail("SIGINT did not stop the loop")
    }
    let stderr = (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
    XCTAssertEqual(process.terminationReason, .exit, "stopped with a report, not killed by the signal")
    XCTAssertEqual(process.terminationStatus, 130)
    XCTAssertTrue(stderr.contains("interrupted: stopped by Ctrl-C"), stderr)
    XCTAssertFalse(stderr.contains("variables keep their values"), "a script has no variables left to keep:\n\(stderr)")
  }

  /// Issue 24: with standard output redirected to a file, the lines a script printed before a
  /// SIGTERM were lost in the buffer. Now the script stops at its next step, flushes and exits
  /// 143 (128 + SIGTERM).
  func testSigtermStopsAScriptWithItsOutputFlushed() throws {
    let binary = try PavlovBinary.require()
    let outURL = tempDir.appendingPathComponent("sigterm-out")
    FileManager.default.createFile(atPath: outURL.path, contents: nil)
    let output = try FileHandle(forWritingTo: outURL)
    defer { try? output.close() }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: binary)
    process.arguments = ["-e", "for i in range(3) { print(f\"line {i}\") }; while true {}"]
    process.standardInput = FileHandle.nullDevice
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    try process.run()
    usleep(400_000)
    process.terminate()
    let deadline = Date().addingTimeInterval(10)
    while process.isRunning && Date() < deadline { usleep(5_000) }
    if process.isRunning {
      kill(process.processIdentifier, SIGKILL)
      process.waitUntilExit()
      return XCTFail("SIGTERM did not stop the loop")
    }
    XCTAssertEqual(process.terminationReason, .exit)
    XCTAssertEqual(process.terminationStatus, 143)
    XCTAssertEqual(try String(contentsOf: outURL, encoding: .utf8), "line 0\nline 1\nline 2\n")
  }

  /// Issue 24: killing a process mid-save left full-size `*.tmp-PID` files beside the checkpoint
  /// forever. 100 kill -9s at random moments of a save loop leave a checkpoint that loads, and
  /// the next save removes every temporary file the killed processes left.
  func testAHundredKillsDuringSavesLeaveALoadableCheckpointAndNoDebris() throws {
    let binary = try PavlovBinary.require()
    let saver = try script("saver.pav", """
    let m = mlp([64, 512, 512, 8])
    for i in range(1000000) { m.save("ckpt.safetensors") }
    """)
    var random = SystemRandomNumberGenerator()
    var killedMidSave = 0
    for _ in 0..<100 {
      let process = Process()
      process.executableURL = URL(fileURLWithPath: binary)
      process.arguments = ["run", saver]
      process.currentDirectoryURL = tempDir
      process.standardInput = FileHandle.nullDevice
      process.standardOutput = FileHandle.nullDevice
      process.standardError = FileHandle.nullDevice
      try process.run()
      usleep(UInt32.random(in: 20_000...80_000, using: &random))
      kill(process.processIdentifier, SIGKILL)
      process.waitUntilExit()
      let names = try FileManager.default.contentsOfDirectory(atPath: tempDir.path)
      if names.contains(where: { $0.hasPrefix(".ckpt.safetensors.tmp-") }) { killedMidSave += 1 }
    }
    XCTAssertGreaterThan(killedMidSave, 0, "no kill landed during a save: the test proves nothing")

    let check = try pavlov(["-e", """
    let m = mlp([64, 512, 512, 8])
    m.load("ckpt.safetensors")
    print("loaded")
    m.save("ckpt.safetensors")
    """])
    assertExit(check, 0)
    XCTAssertEqual(check.stdout, "loaded\n")
    let left = try FileManager.default.contentsOfDirectory(atPath: tempDir.path).filter { $0.contains(".tmp-") }
    XCTAssertEqual(left, [], "temporary files left after the next save")
    print("kill -9 during saves: 100 kills, \(killedMidSave) left a temporary file; all removed by the next save")
  }

  /// Issue 24: a full disk, simulated by a file-size limit. The save fails with a clear error
  /// (SIGXFSZ used to kill the process mid-write) and the previous checkpoint is intact, with no
  /// temporary file left.
  func testASaveOverTheFileSizeLimitIsAnErrorAndKeepsThePreviousFile() throws {
    let binary = try PavlovBinary.require()
    let small = try pavlov(["-e", "mlp([2, 2]).save(\"ckpt.safetensors\")"])
    assertExit(small, 0)
    let before = try Data(contentsOf: tempDir.appendingPathComponent("ckpt.safetensors"))
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", "ulimit -f 64; exec \"$0\" -e 'mlp([64, 512, 512, 8]).save(\"ckpt.safetensors\")'", binary]
    process.currentDirectoryURL = tempDir
    let errors = Pipe()
    process.standardError = errors
    process.standardOutput = FileHandle.nullDevice
    try process.run()
    let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    XCTAssertEqual(process.terminationReason, .exit, "killed by a signal:\n\(stderr)")
    XCTAssertEqual(process.terminationStatus, 1)
    XCTAssertTrue(stderr.contains("File too large"), stderr)
    XCTAssertTrue(stderr.contains("ulimit -f"), stderr)
    XCTAssertEqual(try Data(contentsOf: tempDir.appendingPathComponent("ckpt.safetensors")), before)
    XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: tempDir.path).filter { $0.contains(".tmp-") }, [])
  }

  // MARK: - Labeling by hand

  /// `label(by: "human")` reading a pipe: each answer before `q` is in the file at once, a second
  /// run asks only what is left, and an empty input (like Ctrl-D) stops at once.
  func testHumanLabelingThroughAPipeSavesEachLabelAndResumes() throws {
    let out = tempDir.appendingPathComponent("labels.jsonl").path
    let path = try script("label.pav", """
    let items = [{prompt: "review of the pizza:", a: " the pizza was bad.", b: " the pizza was great."},
                 {prompt: "review of the tea:", a: " the tea was great.", b: " the tea was awful."},
                 {prompt: "review of the car:", a: " the car was fine.", b: " the car was great."}]
    let got = label(items, by: "human", out: "\(out)")
    print(f"got {len(got)}")
    """)
    func labels() throws -> [String] { try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n").map(String.init) }

    let first = try pavlov(["run", path], stdin: "2\nwhat\n1\nq\n1\n")
    assertExit(first, 0)
    XCTAssertTrue(first.stdout.contains("[2/3] review of the tea:\n  1) the tea was great.\n  2) the tea was awful.\n"), first.description)
    XCTAssertTrue(first.stdout.contains("please type 1, 2, s or q"), first.description)
    XCTAssertTrue(first.stdout.hasSuffix("got 2\n"), first.description)
    XCTAssertEqual(try labels(), [
      #"{"prompt": "review of the pizza:", "chosen": " the pizza was great.", "rejected": " the pizza was bad."}"#,
      #"{"prompt": "review of the tea:", "chosen": " the tea was great.", "rejected": " the tea was awful."}"#,
    ])

    let second = try pavlov(["run", path], stdin: "1\n")
    assertExit(second, 0)
    XCTAssertTrue(second.stdout.contains("Labeling 1 pair: type 1 or 2 for the better answer, s to skip, q to stop. (2 already labeled in \(out))"), second.description)
    XCTAssertTrue(second.stdout.contains("[1/1] review of the car:"), second.description)
    XCTAssertTrue(second.stdout.hasSuffix("got 3\n"), second.description)
    XCTAssertEqual(try labels().count, 3)

    let third = try pavlov(["run", path], stdin: "")
    assertExit(third, 0)
    XCTAssertTrue(third.stdout.hasSuffix("got 3\n"), third.description)
    XCTAssertEqual(try labels().count, 3)
  }

  // MARK: - docs

  /// The checked-in reference manual matches the builtin registrations (run `pavlov docs` to fix).
  func testCommittedReferenceIsUpToDate() throws {
    let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let reference = repo.appendingPathComponent("docs/reference").path
    guard FileManager.default.fileExists(atPath: reference + "/README.md") else {
      throw XCTSkip("no docs/reference yet")
    }
    let result = try pavlov(["docs", "--check", "--out", reference])
    assertExit(result, 0)
  }

  func testDocsCheckDetectsStaleReference() throws {
    let out = tempDir.appendingPathComponent("reference").path
    let fm = FileManager.default

    let missing = try pavlov(["docs", "--check", "--out", out])
    assertExit(missing, 1)
    XCTAssertTrue(missing.stderr.contains("out of date"), missing.description)
    XCTAssertFalse(fm.fileExists(atPath: out), "--check writes nothing")

    let write = try pavlov(["docs", "--out", out])
    assertExit(write, 0)
    let pages = try fm.contentsOfDirectory(atPath: out).filter { $0.hasSuffix(".md") }.sorted()
    XCTAssertTrue(pages.contains("README.md"), "\(pages)")
    XCTAssertTrue(pages.contains("core.md"), "\(pages)")
    XCTAssertTrue(pages.contains("random.md"), "\(pages)")
    for page in pages { XCTAssertTrue(write.stdout.contains("wrote \(out)/\(page)"), write.description) }
    let core = try String(contentsOfFile: out + "/core.md", encoding: .utf8)
    XCTAssertTrue(core.contains("len"), "the core page documents len")

    let fresh = try pavlov(["docs", "--check", "--out", out])
    assertExit(fresh, 0)
    XCTAssertEqual(fresh.stdout, "")
    XCTAssertEqual(fresh.stderr, "")

    let again = try pavlov(["docs", "--out", out])
    assertExit(again, 0)
    XCTAssertEqual(again.stdout, "", "an up-to-date folder is left alone")

    let edited = out + "/core.md"
    try (core + "\nhand edit\n").write(toFile: edited, atomically: true, encoding: .utf8)
    let stale = try pavlov(["docs", "--check", "--out", out])
    assertExit(stale, 1)
    XCTAssertTrue(stale.stderr.contains("core.md"), stale.description)
    XCTAssertFalse(stale.stderr.contains("random.md"), "only the stale page is named:\n\(stale)")
    XCTAssertEqual(try String(contentsOfFile: edited, encoding: .utf8), core + "\nhand edit\n", "--check does not fix it")

    try fm.removeItem(atPath: out + "/random.md")
    let deleted = try pavlov(["docs", "--check", "--out", out])
    assertExit(deleted, 1)
    XCTAssertTrue(deleted.stderr.contains("random.md"), deleted.description)

    let regenerate = try pavlov(["docs", "--out", out])
    assertExit(regenerate, 0)
    XCTAssertTrue(regenerate.stdout.contains("core.md"), regenerate.description)
    XCTAssertTrue(regenerate.stdout.contains("random.md"), regenerate.description)
    assertExit(try pavlov(["docs", "--check", "--out", out]), 0)
  }
}
