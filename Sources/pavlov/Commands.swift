import ArgumentParser
import CPavlovSupport
import Glibc
import PavlovCore
import PavlovLang
import PavlovREPL
import PavlovRL
import PavlovStdlib

/// A script's result travels as an error so ArgumentParser unwinds; `Entry` turns it into the exit code.
struct Finished: Error {
  let code: Int32
}

let pavlovVersion = "0.1.0"

struct Pavlov: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "pavlov",
    abstract: "A scripting language for reinforcement-learning experiments.",
    discussion: """
      With no arguments, starts the REPL (or, when standard input is not a terminal, runs the \
      program read from it).
      """,
    version: "pavlov \(pavlovVersion)\n\(Machine.summary)\nstdlib: \(Startup.locateStdlib() ?? "not found (set PAVLOV_STDLIB)")",
    subcommands: [Run.self, Check.self, Docs.self, Plot.self, Train.self, Tune.self, Evaluate.self]
  )

  @Option(name: [.customShort("e"), .customLong("eval")], help: ArgumentHelp("Run CODE and exit.", valueName: "CODE"))
  var code: String?

  @Option(help: "Seed for every random draw (the default is 0, so runs repeat exactly).")
  var seed: UInt64?

  /// Runs a program with no script arguments (`-e CODE`, standard input); `Entry` calls this
  /// directly when `-e CODE` is the whole command line.
  static func runProgram(_ source: SourceFile, seed: UInt64?) throws {
    throw Finished(code: ScriptRunner.run(source, seed: seed, scriptArguments: []))
  }

  func run() throws {
    if let code { try Self.runProgram(SourceFile(name: "-e", text: code), seed: seed) }
    if isatty(0) == 0 { try Self.runProgram(SourceFile(name: "<stdin>", text: ScriptRunner.readStandardInput()), seed: seed) }
    let session: ReplSession
    do { session = try ReplSession(seed: seed) } catch {
      ScriptRunner.printError(error.render())
      throw Finished(code: ExitCode.scriptError)
    }
    let banner = "Pavlov \(pavlovVersion) — :help for builtins, :quit or Ctrl-D to leave"
    throw Finished(code: ReadlineFrontend(session: session).run(banner: banner))
  }
}

// Each command names itself: ArgumentParser otherwise derives the name from the type's name
// with String(describing:), whose first dynamic cast scans every protocol conformance in the
// binary (~5M instructions, a fifth of startup).
struct Run: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "run",
    abstract: "Run a Pavlov script.",
    discussion: "Arguments after the file are given to the script as the list `args`."
  )

  @Argument(help: "The .pav file to run.")
  var file: String

  @Option(help: "Seed for every random draw (the default is 0).")
  var seed: UInt64?

  @Argument(parsing: .captureForPassthrough, help: "Arguments for the script (read as `args`).")
  var scriptArguments: [String] = []

  func run() throws { try Self.runScript(file, seed: seed, arguments: scriptArguments[...]) }

  /// Runs `file` with the arguments after it; `Entry` calls this directly for `pavlov FILE.pav`.
  static func runScript(_ file: String, seed: UInt64?, arguments: ArraySlice<String>) throws {
    guard let source = ScriptRunner.load(file) else { throw Finished(code: ExitCode.usage) }
    var arguments = arguments
    var seed = seed
    // `pavlov run FILE --seed N ARGS...`: a --seed right after the file is Pavlov's; `--`
    // ends Pavlov's options, so `run FILE -- --seed 3` hands `--seed 3` to the script.
    while let first = arguments.first {
      if first == "--" { arguments = arguments.dropFirst(); break }
      if first == "--seed" || first.hasPrefix("--seed=") {
        let text = first == "--seed" ? arguments.dropFirst().first : String(first.dropFirst("--seed=".count))
        guard let text, let value = UInt64(text) else {
          ScriptRunner.printError("error: --seed needs a non-negative integer, e.g. --seed 3")
          throw Finished(code: ExitCode.usage)
        }
        seed = value
        arguments = arguments.dropFirst(first == "--seed" ? 2 : 1)
        continue
      }
      break
    }
    let tune = TuneContext(script: file, arguments: Array(arguments), seed: seed)
    throw Finished(code: ScriptRunner.run(source, seed: seed, scriptArguments: Array(arguments), tune: tune))
  }
}

struct Tune: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "tune",
    abstract: "Run the hyperparameter sweep in a script (its tune(...) call), with these options winning over the script's.",
    discussion: """
      Example: pavlov tune examples/tune_ppo.pav --max-concurrent 2
      The trials run as worker processes that re-run the script (--executor local), or as tasks on a Ray cluster \
      (--executor ray --ray-address HOST:PORT, or RAY_ADDRESS). Ctrl-C stops the sweep; --resume continues it, \
      keeping finished trials. A sweep folder is never overwritten without --force.
      """
  )

  @Argument(help: "The .pav file whose tune(...) call runs the sweep.")
  var file: String

  @Option(help: "local (worker processes on this machine) or ray (tasks on a Ray cluster).")
  var executor: String?

  @Option(name: .customLong("ray-address"), help: "The Ray cluster's address (default: RAY_ADDRESS).")
  var rayAddress: String?

  @Option(name: .customLong("max-concurrent"), help: "Trials at once (default: the script's, else one per core).")
  var maxConcurrent: Int?

  @Option(help: "The sweep folder (default: the script's folder:, else runs/tune-SCRIPT).")
  var out: String?

  @Flag(help: "Continue the sweep in the folder, keeping its finished trials.")
  var resume = false

  @Flag(help: "Replace a sweep already in the folder.")
  var force = false

  @Option(help: "Seed for the script's random draws (the default is 0).")
  var seed: UInt64?

  @Argument(parsing: .captureForPassthrough, help: "Arguments for the script (read as `args`); tune's options may come before them.")
  var scriptArguments: [String] = []

  func run() throws {
    var command = self
    // `pavlov tune FILE --resume`: options after the file are still tune's, up to `--` or the
    // first argument it does not know (the script's own).
    var rest = scriptArguments[...]
    while let first = rest.first, first.hasPrefix("--") {
      if first == "--" { rest = rest.dropFirst(); break }
      let (name, inline) = first.split(separator: "=", maxSplits: 1).map(String.init).splitFirst
      func value() throws -> String {
        if let inline { rest = rest.dropFirst(); return inline }
        guard rest.count >= 2 else {
          ScriptRunner.printError("error: \(name) needs a value")
          throw Finished(code: ExitCode.usage)
        }
        let given = rest[rest.startIndex + 1]
        rest = rest.dropFirst(2)
        return given
      }
      switch name {
      case "--resume": command.resume = true; rest = rest.dropFirst()
      case "--force": command.force = true; rest = rest.dropFirst()
      case "--executor": command.executor = try value()
      case "--ray-address": command.rayAddress = try value()
      case "--out": command.out = try value()
      case "--max-concurrent", "--seed":
        let text = try value()
        guard let number = UInt64(text) else {
          ScriptRunner.printError("error: \(name) needs a non-negative integer, got \(text)")
          throw Finished(code: ExitCode.usage)
        }
        if name == "--seed" { command.seed = number } else { command.maxConcurrent = Int(clamping: number) }
      default:
        break
      }
      if ["--resume", "--force", "--executor", "--ray-address", "--out", "--max-concurrent", "--seed"].contains(name) { continue }
      break
    }
    command.scriptArguments = Array(rest)
    try command.start()
  }

  private func start() throws {
    if resume && force {
      ScriptRunner.printError("error: --resume continues the sweep and --force replaces it; give one")
      throw Finished(code: ExitCode.usage)
    }
    if let executor, executor != "local" && executor != "ray" {
      ScriptRunner.printError("error: --executor must be local or ray, got \(executor)")
      throw Finished(code: ExitCode.usage)
    }
    if let maxConcurrent, maxConcurrent < 1 {
      ScriptRunner.printError("error: --max-concurrent must be at least 1")
      throw Finished(code: ExitCode.usage)
    }
    guard let source = ScriptRunner.load(file) else { throw Finished(code: ExitCode.usage) }
    let tune = TuneContext(script: file, arguments: scriptArguments, seed: seed)
    tune.executor = executor ?? (rayAddress != nil ? "ray" : nil)
    tune.rayAddress = rayAddress
    tune.maxConcurrent = maxConcurrent
    tune.folder = out
    tune.resume = resume
    tune.force = force
    throw Finished(code: ScriptRunner.run(source, seed: seed, scriptArguments: scriptArguments, tune: tune))
  }
}

struct Check: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "check",
    abstract: "Parse and check scripts without running them; report every error."
  )

  @Argument(help: "The .pav files to check.")
  var files: [String]

  func validate() throws {
    if files.isEmpty { throw ValidationError("give at least one file to check") }
  }

  func run() throws {
    guard let interp = ScriptRunner.makeInterpreter(seed: nil) else { throw Finished(code: ExitCode.scriptError) }
    var failed = false
    for path in files {
      guard let source = ScriptRunner.load(path) else { throw Finished(code: ExitCode.usage) }
      do {
        try interp.check(source)
        print("\(path): ok")
      } catch {
        failed = true
        ScriptRunner.printError(error.render(color: isatty(2) != 0))
      }
    }
    throw Finished(code: failed ? ExitCode.scriptError : ExitCode.success)
  }
}

struct Docs: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "docs",
    abstract: "Write the reference manual (docs/reference) from the builtin registrations."
  )

  @Option(help: "The folder to write.")
  var out: String = "docs/reference"

  @Flag(help: "Write nothing; exit 1 if the folder is out of date.")
  var check = false

  func run() throws {
    guard let interp = ScriptRunner.makeInterpreter(seed: nil) else { throw Finished(code: ExitCode.scriptError) }
    var stale: [String] = []
    if !check { mkdir(out, 0o755) }
    for page in Help.referencePages(interp) {
      let path = out + "/" + page.file
      let current = try? Interpreter.readFile(path)
      if current == page.text { continue }
      if check { stale.append(path); continue }
      do { try Files.writeAtomically(path, Array(page.text.utf8)) } catch {
        ScriptRunner.printError("error: \(error)")
        throw Finished(code: ExitCode.scriptError)
      }
      print("wrote \(path)")
    }
    if !stale.isEmpty {
      ScriptRunner.printError("out of date: \(stale.joined(separator: ", "))\nrun `pavlov docs` to regenerate")
      throw Finished(code: ExitCode.scriptError)
    }
  }
}

struct Plot: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "plot",
    abstract: "Plot metrics of one or more runs (run folders, sweep folders or JSON Lines files such as runs/NAME/metrics.jsonl) in the terminal, as SVG or as PNG.",
    discussion: """
      Example: pavlov plot runs/ppo runs/a2c --y mean_return --y loss --x timesteps --out curves.svg
      Each run is a line; several metrics share a chart, or get one each when their scales differ       by more than \(Int(MetricsPlot.scaleRatio))x (--layout auto, the default; overlay or panels to choose).
      """
  )

  @Argument(help: "Run folders (their metrics.jsonl), sweep folders (every trial's) or JSON Lines files: one object per row.")
  var files: [String]

  @Option(help: "The key to plot (repeat for several metrics).")
  var y: [String] = ["mean_return"]

  @Option(help: "auto, overlay (one chart) or panels (a chart per metric).")
  var layout: String = MetricsPlot.Layout.auto.rawValue

  @Option(help: "Write the chart to this file (.svg or .png) instead of drawing in the terminal.")
  var out: String?

  @Option(help: "The key for the x axis (default: the row number).")
  var x: String?

  @Option(help: "The same as --out FILE.svg (kept for older commands).")
  var svg: String?

  @Option(help: "Columns of the drawing area.")
  var width: Int = 70

  @Option(help: "Rows of the drawing area.")
  var height: Int = 15

  func run() throws {
    do throws(PavlovError) {
      guard let layout = MetricsPlot.Layout(rawValue: layout) else {
        throw PavlovError.runtime("plot: unknown --layout \(layout)", hint: "one of: \(MetricsPlot.Layout.allCases.map(\.rawValue).joined(separator: ", "))")
      }
      print(try MetricsPlot.run(paths: files, y: y, x: x, layout: layout, width: max(10, min(width, 400)),
                                height: max(3, min(height, 200)), outPath: out ?? svg))
    } catch {
      ScriptRunner.printError(error.render(color: isatty(2) != 0))
      throw Finished(code: ExitCode.scriptError)
    }
  }
}

struct Train: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "train",
    abstract: "Train an agent (like rllib train) and keep a run folder: config.json, metrics.jsonl, checkpoints/, summary.json.",
    discussion: """
      Example: pavlov train --algo PPO --env CartPole-v1 --stop mean_return=475 --config lr=0.001 --seed 0 --out runs/cartpole
      An existing run folder is never overwritten: --resume RUN continues it exactly, --force replaces it. \
      With only a mean_return stop, training also stops at \(TrainRun.returnOnlyCap) steps (recorded in config.json).
      """
  )

  @Option(help: "The algorithm: PPO, A2C, DQN, SAC, TD3, DDPG, REINFORCE or ES.")
  var algo: String?

  @Option(help: "A registered environment id (CartPole-v1), or FILE.pav:FUNCTION for an env written in Pavlov.")
  var env: String?

  @Option(name: .customLong("env-option"), help: "An env option key=value, as make takes it (repeat), e.g. is_slippery=false.")
  var envOptions: [String] = []

  @Option(help: "When to stop: iterations=N, timesteps=N or mean_return=X (repeat; the first reached wins).")
  var stop: [String] = []

  @Option(help: "A hyperparameter key=value, as the algorithm's builtin takes it (repeat), e.g. lr=0.001.")
  var config: [String] = []

  /// Declared here for `train --help`; the value arrives in the root command's own --seed,
  /// which ArgumentParser fills from the whole line (train captures no passthrough arguments).
  @Option(help: "The seed (the default is 0).")
  var seed: UInt64?

  @ParentCommand var root: Pavlov

  @Option(help: "The run folder (default runs/ALGO-ENV-seedN).")
  var out: String?

  @Option(help: "Deterministic evaluation episodes at the end.")
  var evalEpisodes: Int = Evaluation.episodes

  @Option(help: "Also save a checkpoint every N iterations (0: only the final one).")
  var checkpointEvery: Int = 0

  @Option(help: "Continue the run in this folder from its last checkpoint, to its budget (or to --stop).")
  var resume: String?

  @Flag(help: "Replace a run already in the output folder.")
  var force = false

  func run() throws {
    let seed = Int(truncatingIfNeeded: self.seed ?? root.seed ?? 0)
    guard let interpreter = ScriptRunner.makeInterpreter(seed: UInt64(bitPattern: Int64(seed))) else { throw Finished(code: ExitCode.scriptError) }
    if resume == nil && (algo == nil || env == nil) {
      ScriptRunner.printError("error: pavlov train needs --algo and --env (or --resume RUN to continue a run)")
      throw Finished(code: ExitCode.usage)
    }
    if let resume, algo != nil || env != nil || !config.isEmpty || !envOptions.isEmpty || out != nil {
      ScriptRunner.printError("error: --resume \(resume) continues the run as it was made; drop --algo, --env, --env-option, --config and --out (only --stop may change)")
      throw Finished(code: ExitCode.usage)
    }
    pavlov_install_sigint_handler()
    do {
      if let resume {
        print(try TrainRun.resume(resume, stops: stop, interpreter: interpreter))
      } else {
        var request = TrainRequest(algorithm: algo ?? "", env: env ?? "", stops: stop, config: config, seed: seed, out: out,
                                   evalEpisodes: evalEpisodes, checkpointEvery: checkpointEvery)
        request.envOptions = envOptions
        request.force = force
        print(try TrainRun.run(request, interpreter: interpreter))
      }
    } catch let error as PavlovError {
      ScriptRunner.printError(error.render(color: isatty(2) != 0))
      throw Finished(code: ExitCode.scriptError)
    }
  }
}

struct Evaluate: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "evaluate",
    abstract: "Evaluate a trainer checkpoint: deterministic episodes and their mean return (like rllib evaluate)."
  )

  @Argument(help: "A checkpoint written by pavlov train or trainer.save.")
  var checkpoint: String

  @Option(help: "How many episodes.")
  var episodes: Int = Evaluation.episodes

  @Flag(help: "Then play one episode in the terminal.")
  var render = false

  @Option(help: "Evaluate on this env instead of the one saved in the checkpoint.")
  var env: String?

  func run() throws {
    guard let interpreter = ScriptRunner.makeInterpreter(seed: nil) else { throw Finished(code: ExitCode.scriptError) }
    do {
      print(try EvaluateRun.run(checkpoint: checkpoint, episodes: episodes, render: render, env: env, interpreter: interpreter))
    } catch let error as PavlovError {
      ScriptRunner.printError(error.render(color: isatty(2) != 0))
      throw Finished(code: ExitCode.scriptError)
    }
  }
}

extension Array where Element == String {
  /// (first, second?) of a one- or two-element split.
  var splitFirst: (String, String?) { (first ?? "", count > 1 ? self[1] : nil) }
}

/// `pavlov FILE.pav ARGS...` is `pavlov run FILE.pav ARGS...`, as `python FILE` runs a file:
/// a first argument that names a .pav file or an existing file (and not a subcommand) is a script.
func scriptShorthand(_ arguments: [String]) -> [String] {
  guard let first = arguments.first, !first.hasPrefix("-") else { return arguments }
  // No subcommand ends in .pav, so the common case skips listing them: that goes through
  // reflection on every command type (~7M instructions, a fifth of startup).
  if first.hasSuffix(".pav") { return ["run"] + arguments }
  guard Files.info(first).map({ ($0.st_mode & S_IFMT) == S_IFREG }) == true else { return arguments }
  let subcommands = Pavlov.configuration.subcommands.map { $0._commandName } + ["help"]
  guard !subcommands.contains(first) else { return arguments }
  return ["run"] + arguments
}

/// Runs the command line on a thread with a 1 GiB stack, so deep (but bounded) Pavlov recursion
/// never overflows the native stack.
@main
enum Entry {
  static func main() {
    // Training allocates and frees the same large buffers every step. glibc would hand blocks
    // over 128 KiB back to the kernel and fault fresh zeroed pages in next step (5% of a GPT
    // step); keeping them in the heap reuses them, and resident memory stays flat all the same.
    pavlov_keep_freed_memory()
    // Past a file-size limit (ulimit -f) a write should fail with an error the save reports,
    // not kill the process with SIGXFSZ in the middle of it.
    signal(SIGXFSZ, SIG_IGN)
    final class Box { var code: Int32 = 0 }
    let box = Box()
    let context = Unmanaged.passRetained(box).toOpaque()
    let status = pavlov_run_with_stack(1 << 30, { raw in
      guard let raw else { return }
      let box = Unmanaged<Box>.fromOpaque(raw).takeUnretainedValue()
      box.code = Entry.execute(Array(CommandLine.arguments.dropFirst()))
      PList.drainPool()
    }, context)
    Unmanaged<Box>.fromOpaque(context).release()
    if status != 0 { box.code = Entry.execute(Array(CommandLine.arguments.dropFirst())) }
    fflush(stdout)
    exit(box.code)
  }

  /// Runs the two commonest command lines without ArgumentParser, whose parse reflects on the
  /// command types and builds their generic metadata (~9M instructions, a third of a short
  /// script's start): `run FILE ARGS...` (the shorthand `pavlov FILE.pav ARGS...` included;
  /// everything after the file is the script's, as `Run` captures it) and `-e CODE`. Returns
  /// (without running anything) for every other form, including a file or code starting with
  /// `-`, which ArgumentParser reads as an option.
  static func runWithoutParsing(_ arguments: [String]) throws {
    guard arguments.count >= 2, !arguments[1].hasPrefix("-") else { return }
    switch arguments[0] {
    case "run": try Run.runScript(arguments[1], seed: nil, arguments: arguments[2...])
    case "-e", "--eval": if arguments.count == 2 { try Pavlov.runProgram(SourceFile(name: "-e", text: arguments[1]), seed: nil) }
    default: return
    }
  }

  static func execute(_ given: [String]) -> Int32 {
    let arguments = scriptShorthand(given)
    do {
      try runWithoutParsing(arguments)
      var command = try Pavlov.parseAsRoot(arguments)
      try command.run()
      return ExitCode.success
    } catch let finished as Finished {
      return finished.code
    } catch {
      let code = Pavlov.exitCode(for: error)
      let message = Pavlov.fullMessage(for: error)
      if code == .success {
        print(message)
        return ExitCode.success
      }
      ScriptRunner.printError(message)
      return ExitCode.usage
    }
  }
}
