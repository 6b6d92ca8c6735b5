import CPavlovSupport
import Glibc
import PavlovLang
import PavlovStdlib

/// Exit codes: 0 success, 1 a script error, 2 a usage error (bad flags, missing file).
enum ExitCode {
  static let success: Int32 = 0
  static let scriptError: Int32 = 1
  static let usage: Int32 = 2
}

/// Runs a whole program the way `pavlov run`, `pavlov -e` and piped input do.
enum ScriptRunner {
  static func printError(_ text: String) {
    fflush(stdout)
    fputs(text + "\n", stderr)
  }

  static func makeInterpreter(seed: UInt64?) -> Interpreter? {
    do {
      return try Startup.makeInterpreter(seed: seed)
    } catch {
      printError(error.render(color: isatty(2) != 0))
      return nil
    }
  }

  /// Runs `source`; `scriptArguments` become the list `args`. `tune` is what a sweep in a
  /// script file needs to start its workers (absent for -e and piped programs).
  static func run(_ source: SourceFile, seed: UInt64?, scriptArguments: [String], tune: TuneContext? = nil) -> Int32 {
    guard let interp = makeInterpreter(seed: seed) else { return ExitCode.scriptError }
    interp.globals.define("args", .list(scriptArguments.map { .str($0) }))
    tune?.attach(to: interp)
    // Ctrl-C stops the script between steps with a report; a second press that nothing has
    // noticed yet (a long builtin) quits at once.
    pavlov_install_sigint_handler()
    pavlov_set_force_quit_after(2)
    pavlov_install_termination_handlers()
    defer { fflush(stdout) }
    do {
      try interp.run(source)
      return ExitCode.success
    } catch {
      if error.kind == .exit, case .int(let code)? = error.value {
        return Int32(truncatingIfNeeded: code)
      }
      let signal = pavlov_termination_signal()
      if error.kind == .interrupt && signal != 0 {
        printError("stopped by \(signal == SIGTERM ? "SIGTERM" : "SIGHUP") (output so far is flushed)")
        return 128 + signal
      }
      printError(error.render(color: isatty(2) != 0))
      return error.kind == .interrupt ? 130 : ExitCode.scriptError
    }
  }

  /// Reads a file, or reports why not (a usage error: the script never started).
  static func load(_ path: String) -> SourceFile? {
    do {
      return SourceFile(name: path, text: try Interpreter.readFile(path))
    } catch {
      printError("error: \(error.message)")
      return nil
    }
  }

  /// Reads all of standard input.
  static func readStandardInput() -> String {
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65_536)
    while true {
      let n = read(0, &chunk, chunk.count)
      if n > 0 { bytes.append(contentsOf: chunk[0..<n]) } else if n == 0 || errno != EINTR { break }
    }
    return String(decoding: bytes, as: UTF8.self)
  }
}
