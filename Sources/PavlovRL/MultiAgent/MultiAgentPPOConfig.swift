import PavlovCore

/// The hyperparameters of `MultiAgentPPO`. Each default lives here; the builtin reads them.
public struct MultiAgentPPOConfig: Codable, Sendable {
  /// Env copies played in turn.
  public var nEnvs = 4
  /// Agent decisions per iteration, at least: whole episodes are played until this many.
  public var nSteps = 2048
  public var batchSize = 256
  public var epochs = 8
  public var lr = 3e-4
  /// SB3's schedules: "linear" falls to 0 at `totalSteps`, so a self-play policy settles.
  public var lrSchedule = Schedule.constant
  /// The horizon of the schedule (nil: the steps of the first train call).
  public var totalSteps: Int?
  public var gamma = 0.99
  public var gaeLambda = 0.95
  public var clip = 0.2
  public var entCoef = 0.01
  public var vfCoef = 0.5
  public var maxGradNorm = 0.5
  public var hidden = [64, 64]
  public var seed: UInt64 = 0
  /// MAPPO: the critic sees the env's global state (`state()`) and the agent's index.
  public var centralizedCritic = false
  /// Self-play: a learned policy meets itself and frozen past snapshots of itself.
  public var selfPlay = false
  /// Iterations between snapshots added to the league.
  public var snapshotEvery = 5
  /// Snapshots kept (the oldest leaves first).
  public var leagueSize = 20
  /// The share of self-play episodes against the current policy (the rest: a league snapshot).
  public var latestFraction = 0.5
  /// The share of the remaining self-play episodes against one of the league's fixed bots
  /// (when it has any; the rest: a snapshot).
  public var botFraction = 0.5

  public init() {}

  public func validate() throws {
    func check(_ ok: Bool, _ what: String) throws { if !ok { throw CoreError("ma_ppo: \(what)") } }
    try check(nEnvs >= 1, "n_envs must be at least 1, got \(nEnvs)")
    try check(nSteps >= 1, "n_steps must be at least 1, got \(nSteps)")
    try check(batchSize >= 1, "batch_size must be at least 1, got \(batchSize)")
    try check(epochs >= 1, "epochs must be at least 1, got \(epochs)")
    try check(lr > 0 && lr.isFinite, "lr must be positive, got \(lr)")
    try check(gamma >= 0 && gamma <= 1, "gamma must be in [0, 1], got \(gamma)")
    try check(gaeLambda >= 0 && gaeLambda <= 1, "gae_lambda must be in [0, 1], got \(gaeLambda)")
    try check(clip > 0, "clip must be positive, got \(clip)")
    try check(entCoef >= 0 && vfCoef >= 0, "ent_coef and vf_coef must be at least 0")
    try check(maxGradNorm > 0, "max_grad_norm must be positive, got \(maxGradNorm)")
    try check(!hidden.isEmpty && hidden.allSatisfy { $0 > 0 }, "hidden must list positive layer sizes, got \(hidden)")
    try check(snapshotEvery >= 1, "snapshot_every must be at least 1, got \(snapshotEvery)")
    try check(leagueSize >= 1, "league_size must be at least 1, got \(leagueSize)")
    try check(latestFraction >= 0 && latestFraction <= 1, "latest_fraction must be in [0, 1], got \(latestFraction)")
    try check(botFraction >= 0 && botFraction <= 1, "bot_fraction must be in [0, 1], got \(botFraction)")
  }
}
