import Dispatch
import PavlovGym
import PavlovTensor

/// Cooperative multi-agent Q-learning with one Q network shared by every agent (its input: the
/// agent's observation features and its one-hot index), on a parallel env whose agents stay for
/// the whole episode:
///
/// - mixer "none" — independent DQN learners: each agent's Q(o_i, a_i) is regressed on its own
///   reward + γ·max Q_target(o'_i, ·), as if the others were part of the env;
/// - mixer "vdn" — value decomposition (Sunehag et al. 2018): the team's Q_tot = Σ_i Q(o_i, a_i)
///   is regressed on the team reward (the agents' mean) + γ·Σ_i max Q_target(o'_i, ·), so credit
///   is assigned through the sum and each agent still acts greedily on its own Q.
///
/// ε-greedy exploration falls linearly (SB3's schedule); a uniform replay of joint transitions;
/// Huber loss; Adam; a hard target copy every `targetUpdateInterval` steps. Truncated episodes
/// bootstrap; terminated ones do not. All randomness comes from `config.seed`.
public final class ValueDecomposition: MultiAgentTrainer {
  public private(set) var config: ValueDecompositionConfig
  public let envName: String
  let env: ParallelEnvironment
  public let agentNames: [String]
  public var slotNames: [String] { ["shared"] }
  public let mapping: [Int]
  public var league: League? { nil }
  public var algorithm: String { config.mixer == "vdn" ? "vdn" : "independent_dqn" }
  let features: ObservationFeatures
  let actions: Int
  let actionStart: Int
  /// Features per agent row: the observation's, then the agent's one-hot index.
  let width: Int
  public let q: Sequential
  let target: Sequential
  let optimizer: Optimizer
  let generator: SeededGenerator
  let actGenerator: SeededGenerator
  private let replay: JointReplay
  private var current: [Float] = []
  private var episodeReturn = 0.0
  private var started = false
  public private(set) var timesteps = 0
  public private(set) var iterations = 0
  public private(set) var episodes = 0
  private var recentReturns: [Double] = []
  private var recentInfo: [String: [Double]] = [:]

  public init(env: ParallelEnvironment, name: String, config: ValueDecompositionConfig) throws {
    try config.validate()
    self.config = config
    self.env = env
    envName = name
    agentNames = env.possibleAgents
    let n = agentNames.count
    for agent in 1..<Swift.max(n, 1) where env.observationSpace(agent) != env.observationSpace(0) || env.actionSpace(agent) != env.actionSpace(0) {
      throw CoreError("ma_dqn: the agents share one Q network, so they need the same spaces; \(agentNames[agent]) differs from \(agentNames[0])")
    }
    guard case .discrete(let count, let start) = env.actionSpace(0) else {
      throw CoreError("ma_dqn needs Discrete action spaces, got \(env.actionSpace(0).description)")
    }
    actions = count
    actionStart = start
    mapping = Array(repeating: 0, count: n)
    features = ObservationFeatures(env.observationSpace(0))
    width = features.size + n
    generator = SeededGenerator(seed: config.seed)
    actGenerator = SeededGenerator(seed: config.seed ^ 0x6A09_E667_F3BC_C908)
    q = try Sequential.mlp([width] + config.hidden + [count], activation: .relu, generator: generator)
    target = try q.typedCopy()
    optimizer = try Optimizer(.adam, params: q.parameters, lr: Float(config.lr), maxGradNorm: Float(config.maxGradNorm))
    replay = JointReplay(capacity: config.bufferSize, agents: n, width: width)
  }

  /// The agents' input rows for one joint observation.
  private func rows(_ observations: [Point?]) throws -> [Float] {
    let n = agentNames.count
    var out = [Float](repeating: 0, count: n * width)
    for agent in 0..<n {
      guard let observation = observations[agent] else {
        throw CoreError("ma_dqn: \(agentNames[agent]) has no observation; value decomposition needs every agent in the episode until it ends")
      }
      guard features.space.contains(observation) else {
        throw CoreError("ma_dqn: the observation of \(agentNames[agent]) is outside \(features.space.description): \(features.space.whyNotContains(observation))")
      }
      features.encode(observation, into: &out, at: agent * width)
      out[agent * width + features.size + agent] = 1
    }
    return out
  }

  private func startEpisode() throws {
    let first = try env.reset(seed: started ? nil : config.seed)
    started = true
    current = try rows(first.observations)
    episodeReturn = 0
  }

  public func train(steps: Int?, iterations budget: Int?, callback: TrainCallback? = nil) throws -> TrainStats? {
    let n = agentNames.count
    if config.totalSteps == nil {
      let (product, overflow) = (budget ?? 1).multipliedReportingOverflow(by: config.logEvery)
      config.totalSteps = steps ?? (overflow ? Int.max : product)
    }
    let schedule = LinearSchedule(start: config.explorationInitialEps, end: config.explorationFinalEps, fraction: config.explorationFraction)
    let begin = DispatchTime.now().uptimeNanoseconds
    var callSteps = 0, callIterations = 0, lossSum = 0.0, lossCount = 0
    var last: TrainStats?
    // `match` plays an env that cannot be copied (a Pavlov-written one) itself, leaving it with
    // no agents between train calls: the episode in flight is gone, so start a fresh one.
    if !started || current.isEmpty || env.agents.isEmpty { try startEpisode() }
    while true {
      let epsilon = schedule.value(step: timesteps, total: config.totalSteps ?? 1)
      var chosen = [Int](repeating: 0, count: n)
      let greedy = try Autograd.noGrad { try q.forward(Tensor(shape: [n, width], data: current)).argmax(axis: 1) }
      for agent in 0..<n {
        chosen[agent] = generator.nextDouble() < epsilon ? generator.nextInt(below: actions) : greedy[agent]
      }
      let result = try env.step(chosen.map { .int($0 + actionStart) })
      let ended = env.agents.isEmpty
      if !ended && env.agents.count != n {
        throw CoreError("ma_dqn: agents left \(envName)'s episode before it ended; value decomposition needs every agent until the end")
      }
      let terminated = (0..<n).contains { result.terminations[$0] }
      let next = try rows(result.observations)
      replay.add(observations: current, actions: chosen, rewards: result.rewards, next: next, terminated: terminated)
      episodeReturn += result.rewards.reduce(0, +) / Double(n)
      timesteps += 1
      callSteps += 1
      if timesteps % 4096 == 0 { try Interruption.check() }
      if ended {
        episodes += 1
        push(&recentReturns, episodeReturn)
        for (key, value) in result.infos[0] { if let v = value.number { push(&recentInfo[key, default: []], v) } }
        try startEpisode()
      } else {
        current = next
      }
      if timesteps >= config.learningStarts && timesteps % config.trainFreq == 0 && replay.count >= config.batchSize {
        lossSum += Double(try learn())
        lossCount += 1
      }
      if timesteps % config.targetUpdateInterval == 0 { try target.loadValues(from: q) }
      if timesteps % config.logEvery == 0 || (steps.map { callSteps >= $0 } ?? false) {
        iterations += 1
        callIterations += 1
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - begin) / 1e9
        var stats = TrainStats(iteration: iterations, timesteps: timesteps, episodes: episodes,
                               meanReturn: recentReturns.isEmpty ? nil : recentReturns.reduce(0, +) / Double(recentReturns.count),
                               meanLength: nil, fps: seconds > 0 ? Double(callSteps) / seconds : 0, learningRate: config.lr)
        stats.set("loss", lossCount > 0 ? lossSum / Double(lossCount) : 0)
        stats.set("epsilon", epsilon)
        for (key, values) in recentInfo.sorted(by: { $0.key < $1.key }) where !values.isEmpty {
          stats.set(key, values.reduce(0, +) / Double(values.count))
        }
        lossSum = 0
        lossCount = 0
        last = stats
        if let callback, try callback(stats) == .stop { break }
        if (steps.map { callSteps >= $0 } ?? false) || (budget.map { callIterations >= $0 } ?? false) { break }
      }
    }
    return last
  }

  private func push(_ window: inout [Double], _ value: Double) {
    window.append(value)
    if window.count > 100 { window.removeFirst(window.count - 100) }
  }

  /// One gradient step on a uniform batch of joint transitions.
  private func learn() throws -> Float {
    let n = agentNames.count, b = config.batchSize
    let batch = replay.sample(b, generator)
    let nextBest = try Autograd.noGrad { try target.forward(Tensor(shape: [b * n, width], data: batch.next)).max(axis: 1).values }
    let all = try q.forward(Tensor(shape: [b * n, width], data: batch.observations))
    let taken = try all.gather(axis: 1, index: Tensor(shape: [b * n, 1], ints: batch.actions.map { Int64($0) }))
    let gamma = Float(config.gamma)
    let loss: Tensor
    if config.mixer == "vdn" {
      var targets = [Float](repeating: 0, count: b)
      for i in 0..<b {
        var reward: Float = 0, future: Float = 0
        for agent in 0..<n {
          reward += batch.rewards[i * n + agent]
          future += nextBest.data[i * n + agent]
        }
        targets[i] = reward / Float(n) + (batch.terminated[i] ? 0 : gamma * future)
      }
      let total = try taken.reshaped([b, n]).sum(axis: 1)
      loss = try Tensor.huberLoss(total, Tensor(shape: [b], data: targets))
    } else {
      var targets = [Float](repeating: 0, count: b * n)
      for row in 0..<(b * n) {
        targets[row] = batch.rewards[row] + (batch.terminated[row / n] ? 0 : gamma * nextBest.data[row])
      }
      loss = try Tensor.huberLoss(try taken.reshaped([b * n]), Tensor(shape: [b * n], data: targets))
    }
    guard loss.data[0].isFinite else {
      throw CoreError("ma_dqn: step \(timesteps): the loss is \(loss.data[0])", hint: "lower lr, or check the env's rewards and observations for nan/inf")
    }
    _ = try optimizer.step(loss: loss)
    return loss.data[0]
  }

  /// The shared network acting as the first agent (a bare observation does not say whose it is;
  /// `agentBot` and `actAs` name the agent).
  public func act(slot: Int, observation: Point, mask: [Bool]?, deterministic: Bool, generator given: SeededGenerator?) throws -> Point {
    try actAs(agent: 0, observation: observation, deterministic: deterministic, generator: given)
  }

  /// Agent `agent`'s greedy (or ε = final exploration) action for its observation.
  public func actAs(agent: Int, observation: Point, deterministic: Bool, generator given: SeededGenerator?) throws -> Point {
    let input = try rows([Point?](repeating: observation, count: agentNames.count))
    let row = Array(input[(agent * width)..<((agent + 1) * width)])
    let best = try Autograd.noGrad { try q.forward(Tensor(shape: [1, width], data: row)).argmax(axis: 1) }[0]
    let g = given ?? actGenerator
    if !deterministic && g.nextDouble() < config.explorationFinalEps { return .int(actionStart + g.nextInt(below: actions)) }
    return .int(actionStart + best)
  }

  /// Each agent's own greedy policy as a bot (the network needs to know which agent it is).
  public func agentBot(_ agent: Int, deterministic: Bool) -> Bot {
    Bot(name: "\(algorithm) \(agentNames[agent])") { [self] observation, generator in
      try actAs(agent: agent, observation: observation, deterministic: deterministic, generator: generator)
    }
  }
}

/// A ring buffer of joint transitions: per agent rows of features, actions and rewards.
final class JointReplay {
  let capacity: Int, agents: Int, width: Int
  private(set) var count = 0
  private var position = 0
  private var observations: [Float], next: [Float]
  private var actions: [Int], rewards: [Float]
  private var terminated: [Bool]

  init(capacity: Int, agents: Int, width: Int) {
    self.capacity = capacity
    self.agents = agents
    self.width = width
    observations = []
    next = []
    actions = []
    rewards = []
    terminated = []
  }

  func add(observations o: [Float], actions a: [Int], rewards r: [Double], next n: [Float], terminated t: Bool) {
    let rowsWidth = agents * width
    if count < capacity {
      observations.append(contentsOf: o)
      next.append(contentsOf: n)
      actions.append(contentsOf: a)
      rewards.append(contentsOf: r.map { Float($0) })
      terminated.append(t)
      count += 1
    } else {
      observations.replaceSubrange((position * rowsWidth)..<((position + 1) * rowsWidth), with: o)
      next.replaceSubrange((position * rowsWidth)..<((position + 1) * rowsWidth), with: n)
      actions.replaceSubrange((position * agents)..<((position + 1) * agents), with: a)
      rewards.replaceSubrange((position * agents)..<((position + 1) * agents), with: r.map { Float($0) })
      terminated[position] = t
    }
    position = (position + 1) % capacity
  }

  struct Batch {
    var observations: [Float] = [], next: [Float] = []
    var actions: [Int] = [], rewards: [Float] = []
    var terminated: [Bool] = []
  }

  func sample(_ size: Int, _ generator: SeededGenerator) -> Batch {
    var batch = Batch()
    let rowsWidth = agents * width
    for _ in 0..<size {
      let i = generator.nextInt(below: count)
      batch.observations.append(contentsOf: observations[(i * rowsWidth)..<((i + 1) * rowsWidth)])
      batch.next.append(contentsOf: next[(i * rowsWidth)..<((i + 1) * rowsWidth)])
      batch.actions.append(contentsOf: actions[(i * agents)..<((i + 1) * agents)])
      batch.rewards.append(contentsOf: rewards[(i * agents)..<((i + 1) * agents)])
      batch.terminated.append(terminated[i])
    }
    return batch
  }
}
