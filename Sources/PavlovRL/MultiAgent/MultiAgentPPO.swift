import Dispatch
import PavlovGym
import PavlovTensor

/// PPO for several agents (RLlib's multi-agent PPO, MAPPO, and self-play), on any multi-agent env
/// played through PettingZoo's AEC loop — turn-based games natively, parallel envs in turns
/// (`ParallelToAEC`), so one collector serves both.
///
/// A *mapping* assigns each agent a policy slot: a learned policy (shared by the agents mapped to
/// it — parameter sharing — or one per agent: independent PPO) or a fixed bot. Each agent's
/// decisions form a segment per episode; its reward is what accrued until its next turn (`last()`),
/// and GAE runs over the segment when the agent leaves the episode (bootstrapping V(final) if it
/// was truncated). Iterations play whole episodes until `nSteps` learning decisions are in, then
/// update every learned policy with PPO's clipped loss.
///
/// With `centralizedCritic` (MAPPO), a policy's critic sees the env's global state and the agent's
/// index besides the agent's observation (the MAPPO paper's agent-specific global state: the
/// critic knows all the actor knows and more). With `selfPlay`, a two-sided game is played by the
/// learned policy against itself (both sides learn) or, in `1 − latestFraction` of the episodes,
/// against a frozen snapshot from its league (only its side learns); every game against a snapshot
/// updates both Elo ratings.
///
/// All randomness comes from `config.seed`: the same seed and budget give the same numbers.
public final class MultiAgentPPO: MultiAgentTrainer {
  public var algorithm: String { config.centralizedCritic ? "mappo" : "ppo" }
  public enum Slot {
    case learned(LearnedPolicy)
    case fixed(Bot)
  }

  /// Who plays an agent in one episode.
  enum Actor {
    case learner(LearnedPolicy)
    case frozen(AgentNetwork, LearnedPolicy, snapshot: Int)
    case sparring(Bot, member: Int)
    case fixed(Bot)
  }

  public private(set) var config: MultiAgentPPOConfig
  public let envName: String
  let env: MultiAgentEnv
  let aec: AECEnvironment
  public let agentNames: [String]
  public let slotNames: [String]
  public let slots: [Slot]
  /// The slot of each agent.
  public let mapping: [Int]
  /// The learned slots' policies, in slot order.
  public let learnedPolicies: [LearnedPolicy]
  let generator: SeededGenerator
  let actGenerator: SeededGenerator
  public let league: League?
  public private(set) var timesteps = 0
  public private(set) var episodes = 0
  public private(set) var iterations = 0
  private var started = false
  /// Recent episodes' returns of the agents played by learning policies (their mean per episode).
  private var recentReturns: [Double] = []
  private var recentInfo: [String: [Double]] = [:]

  /// `leagueBots` join a self-play league as fixed members.
  public init(env: MultiAgentEnv, name: String, slots slotSpecs: [(name: String, bot: Bot?)], mapping: [Int],
              config: MultiAgentPPOConfig, leagueBots: [Bot] = []) throws {
    try config.validate()
    self.config = config
    self.env = env
    envName = name
    aec = env.asAEC
    agentNames = env.possibleAgents
    guard mapping.count == agentNames.count, mapping.allSatisfy({ $0 >= 0 && $0 < slotSpecs.count }) else {
      throw CoreError("ma_ppo: the mapping must give each of \(agentNames.count) agents a policy")
    }
    generator = SeededGenerator(seed: config.seed)
    actGenerator = SeededGenerator(seed: config.seed ^ 0x6A09_E667_F3BC_C908)
    slotNames = slotSpecs.map(\.name)
    var centralSize: Int?
    if config.centralizedCritic {
      guard let state = env.parallelForm?.stateSpace else {
        throw CoreError("ma_ppo: a centralized critic needs the env's global state, and \(name) has none",
                        hint: "use centralized_critic: false (independent critics), or give the env a state() function")
      }
      centralSize = state.flatCount + agentNames.count
    }
    var built: [Slot] = []
    for (index, spec) in slotSpecs.enumerated() {
      let agents = mapping.indices.filter { mapping[$0] == index }
      if let bot = spec.bot { built.append(.fixed(bot)); continue }
      guard let first = agents.first else {
        throw CoreError("ma_ppo: no agent is mapped to the policy \"\(spec.name)\"", hint: "map an agent to it or leave it out of policies")
      }
      for other in agents.dropFirst() where env.observationSpace(other) != env.observationSpace(first) || env.actionSpace(other) != env.actionSpace(first) {
        throw CoreError("ma_ppo: \(agentNames[first]) and \(agentNames[other]) share the policy \"\(spec.name)\" but have different spaces",
                        hint: "map them to separate policies")
      }
      built.append(.learned(try LearnedPolicy(name: spec.name, observationSpace: env.observationSpace(first), actionSpace: env.actionSpace(first),
                                              centralSize: centralSize, config: config, generator: generator)))
    }
    slots = built
    self.mapping = mapping
    let learned = built.compactMap { if case .learned(let p) = $0 { return p } else { return nil } }
    learnedPolicies = learned
    if config.selfPlay {
      guard agentNames.count == 2, learned.count == 1, built.count == 1 else {
        throw CoreError("ma_ppo: self_play needs a two-agent env and one learned policy for both sides, got \(agentNames.count) agents and \(built.count) policies",
                        hint: "leave policies and mapping out: self-play maps both sides to one policy")
      }
      league = League(policy: learned[0], capacity: config.leagueSize, bots: leagueBots)
    } else {
      if !leagueBots.isEmpty { throw CoreError("ma_ppo: league_bots need self_play: true") }
      league = nil
      guard !learned.isEmpty else { throw CoreError("ma_ppo: every policy is a fixed bot; map at least one agent to a learned policy") }
    }
  }

  // MARK: - Training

  public func train(steps: Int?, iterations budget: Int?, callback: TrainCallback? = nil) throws -> TrainStats? {
    let start = DispatchTime.now().uptimeNanoseconds
    var callSteps = 0, callIterations = 0
    var last: TrainStats?
    if let league, league.snapshots.isEmpty { try league.addSnapshot() }
    if config.totalSteps == nil {
      let (product, overflow) = (budget ?? 1).multipliedReportingOverflow(by: config.nSteps)
      config.totalSteps = steps ?? (overflow ? Int.max : product)
    }
    let horizon = Double(Swift.max(config.totalSteps ?? 1, 1))
    repeat {
      let lr = config.lrSchedule.value(config.lr, progressRemaining: 1 - Double(timesteps) / horizon)
      for policy in learnedPolicies { policy.optimizer.lr = Float(lr) }
      let results = try collect()
      callSteps += results.decisions
      timesteps += results.decisions
      var stats = TrainStats(iteration: iterations + 1, timesteps: timesteps, episodes: episodes,
                             meanReturn: recentReturns.isEmpty ? nil : recentReturns.reduce(0, +) / Double(recentReturns.count),
                             meanLength: nil, fps: 0, learningRate: lr)
      for policy in learnedPolicies { try update(policy, into: &stats) }
      iterations += 1
      callIterations += 1
      for (key, values) in recentInfo.sorted(by: { $0.key < $1.key }) where !values.isEmpty {
        stats.set(key, values.reduce(0, +) / Double(values.count))
      }
      if let league {
        let games = Double(Swift.max(results.leagueGames, 1))
        stats.set("league_win", Double(results.leagueWins) / games)
        stats.set("league_draw", Double(results.leagueDraws) / games)
        stats.set("elo", league.rating)
        if iterations % config.snapshotEvery == 0 { try league.addSnapshot() }
        stats.set("league_size", Double(league.snapshots.count))
      }
      let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
      stats.fps = seconds > 0 ? Double(callSteps) / seconds : 0
      last = stats
      if let callback, try callback(stats) == .stop { break }
    } while !((steps.map { callSteps >= $0 } ?? false) || (budget.map { callIterations >= $0 } ?? false))
    return last
  }

  struct Collected {
    var decisions = 0
    var leagueGames = 0, leagueWins = 0, leagueDraws = 0
  }

  /// Who plays each agent this episode.
  private func cast() -> [Actor] {
    guard let league else {
      return mapping.map { slot in
        switch slots[slot] {
        case .learned(let p): return .learner(p)
        case .fixed(let bot): return .fixed(bot)
        }
      }
    }
    let policy = league.policy
    if generator.nextDouble() < config.latestFraction { return [.learner(policy), .learner(policy)] }
    var actors: [Actor] = [.learner(policy), .learner(policy)]
    // Drawn only when the league has bots, so a league without them keeps its stream.
    if !league.bots.isEmpty && generator.nextDouble() < config.botFraction {
      let side = generator.nextInt(below: 2)
      let k = generator.nextInt(below: league.bots.count)
      actors[1 - side] = .sparring(league.bots[k].bot, member: k)
      return actors
    }
    let side = generator.nextInt(below: 2)
    let k = generator.nextInt(below: league.snapshots.count)
    actors[1 - side] = .frozen(league.snapshots[k].network, policy, snapshot: k)
    return actors
  }

  /// Plays whole episodes until `nSteps` learning decisions are stored; fills the advantages.
  private func collect() throws -> Collected {
    for policy in learnedPolicies { policy.clear() }
    var out = Collected()
    let count = agentNames.count
    var idleEpisodes = 0
    while learnedPolicies.reduce(0, { $0 + $1.rows }) < config.nSteps {
      // Episodes in which no learning agent acts would never fill the batch.
      if idleEpisodes >= 10_000 {
        throw CoreError("ma_ppo: 10000 episodes of \(envName) passed without a decision by a learned policy",
                        hint: "map an agent that acts to a learned policy")
      }
      try Interruption.check()
      let before = out.decisions
      try aec.reset(seed: started ? nil : config.seed)
      started = true
      let actors = cast()
      var segments = [AgentSegment](repeating: AgentSegment(), count: count)
      var returns = [Double](repeating: 0, count: count)
      var guardSteps = 0
      var finalInfo: Info?
      while !aec.agents.isEmpty {
        guardSteps += 1
        if guardSteps > 1_000_000 { throw CoreError("ma_ppo: an episode of \(envName) passed a million turns without ending", hint: "give the env a time limit (max_cycles)") }
        let agent = aec.agentSelection
        let last = aec.last()
        returns[agent] += last.reward
        if segments[agent].awaitingReward {
          segments[agent].rewards.append(last.reward)
          segments[agent].awaitingReward = false
        }
        if last.terminated || last.truncated {
          if finalInfo == nil { finalInfo = last.info }
          if case .learner(let policy) = actors[agent], !segments[agent].values.isEmpty {
            var final: Float = 0
            if last.truncated && !last.terminated {
              final = try Autograd.noGrad { try policy.network.values(Tensor(shape: [1, policy.criticSize], data: try criticInput(policy, agent, try policy.encode(last.observation)))) }.data[0]
            }
            close(&segments[agent], policy, terminated: last.terminated, finalValue: final)
          }
          try aec.step(nil)
          continue
        }
        let action = try choose(actors[agent], agent, last.observation, segment: &segments[agent])
        if case .learner = actors[agent] { out.decisions += 1 }
        try aec.step(action)
      }
      episodes += 1
      idleEpisodes = out.decisions == before ? idleEpisodes + 1 : 0
      recordEpisode(actors, returns, finalInfo ?? [:], &out)
    }
    return out
  }

  private func recordEpisode(_ actors: [Actor], _ returns: [Double], _ finalInfo: Info, _ out: inout Collected) {
    var learning: [Double] = []
    for (agent, actor) in actors.enumerated() { if case .learner = actor { learning.append(returns[agent]) } }
    if !learning.isEmpty { push(&recentReturns, learning.reduce(0, +) / Double(learning.count)) }
    for (key, value) in finalInfo { if let v = value.number { push(&recentInfo[key, default: []], v) } }
    guard let league else { return }
    for (agent, actor) in actors.enumerated() {
      let mine = returns[1 - agent]
      let score = mine > 0 ? 1.0 : mine < 0 ? 0.0 : 0.5
      switch actor {
      case .frozen(_, _, let k): league.record(score: score, against: k)
      case .sparring(_, let k): league.record(score: score, againstBot: k)
      default: continue
      }
      out.leagueGames += 1
      if score == 1 { out.leagueWins += 1 } else if score == 0.5 { out.leagueDraws += 1 }
    }
  }

  private func push(_ window: inout [Double], _ value: Double) {
    window.append(value)
    if window.count > 100 { window.removeFirst(window.count - 100) }
  }

  /// The critic's input row for an agent: its features, after the global state and its one-hot
  /// index with a centralized critic.
  private func criticInput(_ policy: LearnedPolicy, _ agent: Int, _ features: [Float]) throws -> [Float] {
    guard config.centralizedCritic else { return features }
    let state = try env.parallelForm?.state() ?? []
    let stateSize = policy.criticSize - agentNames.count - features.count
    guard state.count == stateSize else {
      throw CoreError("ma_ppo: \(envName)'s state() has \(state.count) numbers, but its state space had \(stateSize)",
                      hint: "the centralized critic needs a state of one fixed size")
    }
    var row = state.map { Float($0) }
    for i in 0..<agentNames.count { row.append(i == agent ? 1 : 0) }
    return row + features
  }

  private func choose(_ actor: Actor, _ agent: Int, _ observation: Point, segment: inout AgentSegment) throws -> Point {
    switch actor {
    case .fixed(let bot), .sparring(let bot, _):
      let action = try bot.act(observation, generator: generator)
      try Match.checkAction(action, aec, agent, bot.name)
      return action
    case .frozen(let network, let policy, _):
      let mask = aec.actionMask(agent) ?? []
      let d = try Autograd.noGrad { try network.distribution(Tensor(shape: [1, policy.features.size], data: try policy.encode(observation)), masks: mask) }
      return .int(Int(d.sample(generator: generator).ints[0]) + policy.actionStart)
    case .learner(let policy):
      let mask = aec.actionMask(agent) ?? []
      let row = try policy.encode(observation)
      let critic = try criticInput(policy, agent, row)
      let (action, logProb, value) = try Autograd.noGrad { () throws -> (Int, Float, Float) in
        let d = try policy.network.distribution(Tensor(shape: [1, policy.features.size], data: row), masks: mask)
        let sampled = d.sample(generator: generator)
        let logProb = try d.logProb(sampled.converted(to: .float32))
        let value = try policy.network.values(Tensor(shape: [1, policy.criticSize], data: critic))
        return (Int(sampled.ints[0]), logProb.data[0], value.data[0])
      }
      segment.rows.append(policy.rows)
      policy.observations.append(contentsOf: row)
      policy.masks.append(contentsOf: mask.isEmpty ? Array(repeating: true, count: policy.network.actions) : mask)
      policy.criticInputs.append(contentsOf: critic)
      policy.actions.append(Float(action))
      policy.logProbs.append(logProb)
      policy.values.append(value)
      policy.advantages.append(0)
      policy.returns.append(0)
      segment.values.append(value)
      segment.awaitingReward = true
      return .int(action + policy.actionStart)
    }
  }

  /// GAE over a finished segment, written into the policy's rows.
  private func close(_ segment: inout AgentSegment, _ policy: LearnedPolicy, terminated: Bool, finalValue: Float) {
    let n = segment.values.count
    while segment.rewards.count < n { segment.rewards.append(0) }
    var ended = [Bool](repeating: false, count: n)
    ended[n - 1] = true
    var truncationValues = [Float](repeating: 0, count: n)
    truncationValues[n - 1] = finalValue
    let result = GAE.compute(rewards: segment.rewards, values: segment.values,
                             terminated: terminated ? ended : Array(repeating: false, count: n),
                             truncated: terminated ? Array(repeating: false, count: n) : ended,
                             truncationValues: truncationValues, lastValues: [0], steps: n, copies: 1,
                             gamma: config.gamma, lambda: config.gaeLambda)
    for k in 0..<n {
      policy.advantages[segment.rows[k]] = result.advantages[k]
      policy.returns[segment.rows[k]] = result.returns[k]
    }
    segment = AgentSegment()
  }

  /// PPO's epochs over one policy's rows.
  private func update(_ policy: LearnedPolicy, into stats: inout TrainStats) throws {
    let rows = policy.rows
    guard rows > 0 else { return }
    let size = policy.features.size, critic = policy.criticSize, actions = policy.network.actions
    var indices = Array(0..<rows)
    var policySum = 0.0, valueSum = 0.0, entropySum = 0.0, klSum = 0.0, minibatches = 0
    for _ in 0..<config.epochs {
      generator.shuffle(&indices)
      var start = 0
      while start < rows {
        let chosen = indices[start..<Swift.min(start + config.batchSize, rows)]
        start += config.batchSize
        let b = chosen.count
        let input = Tensor(shape: [b, size], data: RolloutBuffer.gather(policy.observations, width: size, chosen))
        let criticRows = Tensor(shape: [b, critic], data: RolloutBuffer.gather(policy.criticInputs, width: critic, chosen))
        var masks: [Bool] = []
        masks.reserveCapacity(b * actions)
        for row in chosen { masks.append(contentsOf: policy.masks[(row * actions)..<((row + 1) * actions)]) }
        let d = try policy.network.distribution(input, masks: masks)
        let taken = Tensor(shape: [b], data: RolloutBuffer.gather(policy.actions, width: 1, chosen))
        let loss = try PPOLoss(logProbs: try d.logProb(taken), oldLogProbs: RolloutBuffer.gather(policy.logProbs, width: 1, chosen),
                               advantages: PPOLoss.normalized(RolloutBuffer.gather(policy.advantages, width: 1, chosen)),
                               values: try policy.network.values(criticRows), oldValues: RolloutBuffer.gather(policy.values, width: 1, chosen),
                               returns: RolloutBuffer.gather(policy.returns, width: 1, chosen), entropy: try d.entropy(),
                               clip: config.clip, clipValue: nil, entCoef: config.entCoef, vfCoef: config.vfCoef)
        guard loss.total.data[0].isFinite else {
          throw CoreError("ma_ppo: iteration \(iterations + 1): the loss of policy \(policy.name) is \(loss.total.data[0])",
                          hint: "lower lr, or check the env's rewards and observations for nan/inf")
        }
        _ = try policy.optimizer.step(loss: loss.total)
        minibatches += 1
        policySum += Double(loss.policyLoss.data[0])
        valueSum += Double(loss.valueLoss.data[0])
        entropySum += -Double(loss.entropyLoss.data[0])
        klSum += loss.approxKl
      }
    }
    let m = Double(Swift.max(minibatches, 1))
    let prefix = learnedPolicies.count > 1 ? "\(policy.name)/" : ""
    stats.set(prefix + "policy_loss", policySum / m)
    stats.set(prefix + "value_loss", valueSum / m)
    stats.set(prefix + "entropy", entropySum / m)
    stats.set(prefix + "approx_kl", klSum / m)
  }

  // MARK: - Acting

  /// A learned policy's action for one observation (masked where `mask` is given).
  public func act(slot: Int, observation: Point, mask: [Bool]?, deterministic: Bool, generator: SeededGenerator? = nil) throws -> Point {
    switch slots[slot] {
    case .fixed(let bot): return try bot.act(observation, generator: generator ?? actGenerator)
    case .learned(let policy):
      let checked = try Self.checkedMask(mask, actions: policy.network.actions)
      let row = try policy.encode(observation)
      let d = try Autograd.noGrad { try policy.network.distribution(Tensor(shape: [1, policy.features.size], data: row), masks: checked) }
      let index = deterministic ? Int(try d.mode().ints[0]) : Int(d.sample(generator: generator ?? actGenerator).ints[0])
      return .int(index + policy.actionStart)
    }
  }

  /// A mask of the policy's width, or an error naming the mismatch.
  static func checkedMask(_ mask: [Bool]?, actions: Int) throws -> [Bool] {
    guard let mask else { return [] }
    guard mask.count == actions else {
      throw CoreError("the action mask has \(mask.count) entries, but the policy chooses among \(actions) actions",
                      hint: "give the policy observations of the env it was trained on")
    }
    return mask
  }
}
