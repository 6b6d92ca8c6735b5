import PavlovLang
import PavlovCore
import CPavlovSupport

/// The one place where the cores' errors become Pavlov errors. Every builtin that runs core
/// code (tensors, environments, trainers, tokenizers, files) runs it through `run`.
public enum CoreBridge {
  /// Runs `body`: a core's explained error becomes a runtime error with its place and hint, named
  /// by `function` when its message does not already start with it; Ctrl-C in a long loop becomes
  /// the interrupt (what was learned is kept); Pavlov errors from callbacks and from envs written
  /// in Pavlov pass through with their own locations.
  public static func run<T>(_ function: String? = nil, _ body: () throws -> T) throws(PavlovError) -> T {
    do {
      return try body()
    } catch let e as PavlovError {
      throw e
    } catch is Interrupted {
      throw PavlovError.interrupted()
    } catch let e as ExplainedError {
      throw PavlovError.runtime(named(function, e.placedMessage), hint: e.hint)
    } catch {
      throw PavlovError.runtime(named(function, "\(error)"))
    }
  }

  /// Whether Ctrl-C was pressed since the last check (the check consumes it); long core loops
  /// poll it and throw `Interrupted`.
  static let interruptRequested: () -> Bool = { pavlov_take_interrupt() != 0 }

  private static func named(_ function: String?, _ message: String) -> String {
    guard let function, !message.hasPrefix(function) else { return message }
    return "\(function): \(message)"
  }
}
