import PavlovLang

/// What `tune(...)` needs to know about the run it is part of: the script its workers re-run,
/// and the choices `pavlov tune` made on the command line (they win over the script's).
public final class TuneContext {
  static let key = "tune"

  /// The script file, as given on the command line, and the arguments after it.
  public var script: String
  public var arguments: [String]
  /// `--seed` of the run, passed on to the workers so the code before tune(...) runs alike.
  public var seed: UInt64?
  /// `pavlov tune` options; nil: the script's (or the default).
  public var executor: String?
  public var rayAddress: String?
  public var maxConcurrent: Int?
  public var folder: String?
  public var resume = false
  public var force = false
  /// Sweeps already run by this script (a worker re-runs the script up to its sweep's call).
  var sweepsStarted = 0

  public init(script: String, arguments: [String], seed: UInt64?) {
    self.script = script
    self.arguments = arguments
    self.seed = seed
  }

  /// Attaches the context to an interpreter about to run `script`.
  public func attach(to interpreter: Interpreter) { interpreter.extensions[Self.key] = self }

  static func of(_ interpreter: Interpreter) -> TuneContext? { interpreter.extensions[key] as? TuneContext }
}
