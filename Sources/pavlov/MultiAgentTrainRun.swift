import CPavlovSupport
import Glibc
import PavlovCore
import PavlovLang
import PavlovRL
import PavlovStdlib

/// `pavlov train --algo ma_ppo|ma_dqn --env <multi-agent id> --config mapping={...}`: trains with a
/// progress line and keeps a run folder like the one-agent runs — config.json, metrics.jsonl,
/// summary.json (with a match of the trained policies) — but no checkpoints: multi-agent
/// trainers cannot be saved yet, so neither --checkpoint-every nor --resume applies.
enum MultiAgentTrainRun {
  static func run(_ value: Value, budget: Budget, folder: String, algorithm: String, request: TrainRequest, call: String,
                  interpreter: Interpreter) throws -> String {
    guard let trainer = FrontEndAccess.multiAgentTrainer(value) else {
      throw PavlovError.runtime("pavlov train: \(algorithm)(...) did not return a multi-agent trainer")
    }
    if request.checkpointEvery > 0 {
      throw PavlovError.runtime("pavlov train: --checkpoint-every does not apply to \(algorithm): multi-agent trainers have no checkpoints yet")
    }
    if budget.meanReturnAtLeast != nil {
      throw PavlovError.runtime("pavlov train: \(algorithm) stops on timesteps=N or iterations=N", hint: "e.g. --stop timesteps=200000")
    }
    try TrainRun.files { try Files.makeDirectories(folder) }
    let config = PRecord([
      ("algorithm", .str(algorithm)), ("env", .str(request.env)), ("seed", .int(request.seed)),
      ("stop", .list(PList(request.stops.map { .str($0) }))), ("eval_episodes", .int(request.evalEpisodes)), ("call", .str(call)),
      ("agents", .list(PList(trainer.agentNames.map { .str($0) }))), ("policies", .list(PList(trainer.slotNames.map { .str($0) }))),
      ("mapping", .record(PRecord(trainer.agentNames.enumerated().map { ($1, .str(trainer.slotNames[trainer.mapping[$0]])) }))),
    ])
    try TrainRun.write(folder + "/config.json", .record(config), indent: 2)
    try TrainRun.files { try Files.writeAtomically(folder + "/metrics.jsonl", []) }
    let progress = TrainStatsProgress(total: budget, display: TrainingProgress(interactive: isatty(1) != 0, write: interpreter.write))
    let start = Files.monotonicNanoseconds()
    var stoppedByUser = false
    try CoreBridge.run {
      _ = try trainer.train(steps: budget.timesteps, iterations: budget.iterations) { stats in
        guard case .record(let row) = FrontEndAccess.record(stats) else { return .proceed }
        row["fps"] = nil
        try Files.append(folder + "/metrics.jsonl", Array((try TrainRun.json(.record(row)) + "\n").utf8))
        try progress.update(stats)
        if pavlov_take_interrupt() != 0 { stoppedByUser = true; return .stop }
        return .proceed
      }
    }
    progress.display.finish()
    let seconds = Double(Files.monotonicNanoseconds() - start) / 1e9
    let played: MatchResult? = try CoreBridge.run("pavlov train") { try FrontEndAccess.selfMatch(value, episodes: request.evalEpisodes, seed: Evaluation.seed) }
    guard let match = played else {
      throw PavlovError.runtime("pavlov train: cannot evaluate the \(algorithm) trainer")
    }
    let returns = PRecord(trainer.agentNames.enumerated().map { (agent: Int, name: String) -> (String, Value) in (name, .float(match.returns[agent])) })
    let info = PRecord(match.infoMeans.keys.sorted().map { (key: String) -> (String, Value) in (key, .float(match.infoMeans[key] ?? 0)) })
    let summary = PRecord([
      ("algorithm", .str(algorithm)), ("env", .str(request.env)), ("seed", .int(request.seed)),
      ("timesteps", .int(trainer.timesteps)), ("iterations", .int(trainer.iterations)),
      ("train_seconds", .float((seconds * 100).rounded() / 100)), ("eval_episodes", .int(request.evalEpisodes)),
      ("eval_mean_returns", .record(returns)), ("eval_info", .record(info)), ("stopped_by_user", .bool(stoppedByUser)),
    ])
    try TrainRun.write(folder + "/summary.json", .record(summary), indent: 2)
    let shown = trainer.agentNames.enumerated().map { "\($1) \(TrainRun.format(match.returns[$0]))" }.joined(separator: ", ")
    let infoText = match.infoMeans.keys.sorted().map { "\($0) \(TrainRun.format(match.infoMeans[$0] ?? 0))" }.joined(separator: ", ")
    return """
      \(stoppedByUser ? "stopped by Ctrl-C" : "done"): \(trainer.timesteps) steps, \(trainer.iterations) iterations in \(TrainRun.format(seconds)) s
      evaluation (the trained policies play each other, \(request.evalEpisodes) episodes): mean returns \(shown)\(infoText.isEmpty ? "" : "; \(infoText)")
      run folder: \(folder) (config.json, metrics.jsonl, summary.json)
      """
  }
}
