import PavlovCore
import PavlovLang
import PavlovRL

/// What front ends outside the language (the `pavlov train` and `pavlov evaluate` commands) read
/// from values the builtins returned, without reaching into the bindings' types.
public enum FrontEndAccess {
  /// The trainer inside a value `ppo(...)`, `dqn(...)`, `load_trainer(...)` ... returned.
  public static func trainer(_ value: Value) -> (trainer: any Trainer, envName: String)? {
    guard case .object(let t as TrainerValue) = value else { return nil }
    return (t.trainer, t.envName)
  }

  /// The multi-agent trainer inside a value `ma_ppo(...)` or `ma_dqn(...)` returned, and a
  /// match of its own greedy policies over `episodes` episodes: (mean return per agent, info means).
  public static func multiAgentTrainer(_ value: Value) -> (any MultiAgentTrainer)? {
    guard case .object(let t as MATrainerValue) = value else { return nil }
    return t.trainer
  }

  /// Plays the trainer's own greedy policies against each other on its env.
  public static func selfMatch(_ value: Value, episodes: Int, seed: UInt64) throws -> MatchResult? {
    guard case .object(let t as MATrainerValue) = value else { return nil }
    let players = (0..<t.trainer.agentNames.count).map { t.trainer.agentBot($0, deterministic: true) }
    return try Match.play(t.env.env, players: players, episodes: episodes, seed: seed)
  }

  /// One iteration's statistics as the record `train`'s callback receives.
  public static func record(_ stats: TrainStats) -> Value { TrainerBindings.record(stats) }

  /// A JSON value as the Pavlov value `json_parse` gives.
  public static func value(_ json: JSONValue) -> Value { json.pavlovValue }

  /// The names in a folder, sorted (what `list_dir` returns); errors name `function`.
  public static func listDirectory(_ path: String, _ function: String) throws(PavlovError) -> [String] {
    try Posix.listDirectory(path, function)
  }

  /// A value as JSON text (what `json_string` writes).
  public static func json(_ value: Value, indent: Int? = nil, _ function: String) throws(PavlovError) -> String {
    do { return try JSONConversion.string(value, indent: indent) } catch { throw error.pavlovError(function) }
  }
}
