import PavlovGym

/// What the Pavlov `ma_trainer` value needs from a multi-agent trainer (`MultiAgentPPO`,
/// `ValueDecomposition`), so one value, `match` and `play` serve both.
public protocol MultiAgentTrainer: AnyObject {
  var algorithm: String { get }
  var envName: String { get }
  var agentNames: [String] { get }
  var slotNames: [String] { get }
  /// The slot of each agent.
  var mapping: [Int] { get }
  var timesteps: Int { get }
  var iterations: Int { get }
  var episodes: Int { get }
  var league: League? { get }
  func train(steps: Int?, iterations: Int?, callback: TrainCallback?) throws -> TrainStats?
  func act(slot: Int, observation: Point, mask: [Bool]?, deterministic: Bool, generator: SeededGenerator?) throws -> Point
  /// The policy playing `agent`, as a bot (its observation's action_mask respected).
  func agentBot(_ agent: Int, deterministic: Bool) -> Bot
}

extension MultiAgentTrainer {
  /// The slot's policy as a bot (greedy or sampling), to play or evaluate against.
  public func bot(slot: Int, deterministic: Bool) -> Bot {
    Bot(name: slotNames[slot]) { [self] observation, generator in
      try act(slot: slot, observation: observation, mask: observation.actionMask, deterministic: deterministic, generator: generator)
    }
  }

  public func agentBot(_ agent: Int, deterministic: Bool) -> Bot { bot(slot: mapping[agent], deterministic: deterministic) }
}
