import PavlovGym
import PavlovLang
import PavlovRL
import PavlovTensor

/// `rollout(envs, obs, policy, value, steps:)`: PPO's and A2C's rollout collection as a block.
/// Each step it runs the policy and the value on the batch of observations without a graph,
/// samples one action per copy from the session's generator (`PolicyDistribution.sample`, as the
/// trainer samples), steps the vector env and records the transition; a copy cut off by a time
/// limit gets V(final observation) to bootstrap from, as the trainer's rollout does. With the
/// trainer's seed and networks, the batch it returns is the trainer's rollout, bit for bit.
enum RolloutBlock {
  static func register(_ r: Registry) {
    r.function("rollout", [
      Param("envs", doc: "a vec_env (its copies reset themselves when an episode ends)"),
      Param("obs", doc: "the observations to start from: envs.reset(), or the last rollout's next_obs"),
      Param("policy", doc: "a model or function: observations → logits (discrete actions), means (box actions, with log_std), or a categorical/normal"),
      Param("value", doc: "a model or function: observations → V, shape (N) or (N, 1)"),
      Param("steps", default: .int(PPOConfig().nSteps), doc: "steps of every copy", range: .count),
      Param("log_std", default: .null, doc: "for box actions when policy returns means: the log standard deviations (a tensor)"),
    ], doc: "Runs the policy in a vector env for `steps` steps, as ppo's and a2c's rollout: {obs, actions, log_probs, values, rewards, terminated, truncated, final_obs, truncation_values, next_obs, last_values, episode_returns}, each (steps, N, ...).") { args in
      let envs = try VecEnvBindings.vec(args[0])
      let steps = try args.int(4)
      guard steps >= 1, steps <= 1 << 20 else { throw PavlovError.runtime("rollout: steps must be between 1 and 2^20, got \(steps)") }
      let logStd = args.isNull(5) ? nil : try TensorBindings.tensor(args[5])
      var collector = RolloutCollector(envs: envs, policy: args[2], value: args[3], logStd: logStd, args: args)
      do {
        return try Autograd.noGrad { () throws -> Value in try collector.collect(from: args[1], steps: steps) }
      } catch let e as PavlovError { throw e } catch { throw PavlovError.runtime("rollout: \(error)") }
    }
  }
}

/// The loop behind `rollout`: the per-step tensors it keeps, and how it calls the networks.
private struct RolloutCollector {
  let envs: VecEnvValue
  let policy: Value
  let value: Value
  let logStd: Tensor?
  let args: Args
  var observations: [Tensor] = []
  var actions: [Tensor] = []
  var logProbs: [Float] = []
  var values: [Float] = []
  var rewards: [Float] = []
  var terminated: [Float] = []
  var truncated: [Float] = []
  var finalObservations: [Tensor] = []
  var truncationValues: [Float] = []
  var episodeReturns: [Value] = []

  init(envs: VecEnvValue, policy: Value, value: Value, logStd: Tensor?, args: Args) {
    self.envs = envs
    self.policy = policy
    self.value = value
    self.logStd = logStd
    self.args = args
  }

  var n: Int { envs.vector.count }

  mutating func collect(from start: Value, steps: Int) throws(PavlovError) -> Value {
    var obs = try TensorBindings.tensor(start)
    guard obs.shape.first == n else {
      throw PavlovError.runtime("rollout: obs must have one row per env copy (\(n)), got shape \(Shape.describe(obs.shape))")
    }
    let generator = Stdlib.generator(for: args.interpreter)
    for _ in 0..<steps {
      let d = try distribution(obs)
      let sampled = try CoreBridge.run("rollout") { try d.sample(generator) }
      let logProb = try CoreBridge.run("rollout") { try d.logProb(sampled) }
      let v = try valuesOf(obs)
      observations.append(obs)
      logProbs += logProb.data
      values += v
      let result = try step(sampled)
      for i in 0..<n {
        rewards.append(Float(result.rewards[i]))
        terminated.append(result.terminated[i] ? 1 : 0)
        truncated.append(result.truncated[i] ? 1 : 0)
        envs.episodeReturns[i] += result.rewards[i]
        if result.done(i) {
          episodeReturns.append(.float(envs.episodeReturns[i]))
          envs.episodeReturns[i] = 0
        }
      }
      let next = try TensorBindings.tensor(VecEnvBindings.observations(result.observations, envs.vector))
      let finals = try finalObservations(result, next)
      finalObservations.append(finals)
      var cut = [Float](repeating: 0, count: n)
      if (0..<n).contains(where: { result.truncated[$0] && !result.terminated[$0] }) {
        let bootstrap = try valuesOf(finals)
        for i in 0..<n where result.truncated[i] && !result.terminated[i] { cut[i] = bootstrap[i] }
      }
      truncationValues += cut
      obs = next
    }
    let last = try valuesOf(obs)
    let grid = [steps, n]
    func stacked(_ ts: [Tensor]) throws(PavlovError) -> Value { TensorValue.wrap(try CoreBridge.run("rollout") { try Tensor.stack(ts) }) }
    return .record(PRecord([
      ("obs", try stacked(observations)),
      ("actions", try stacked(actions)),
      ("log_probs", TensorValue.wrap(Tensor(shape: grid, data: logProbs))),
      ("values", TensorValue.wrap(Tensor(shape: grid, data: values))),
      ("rewards", TensorValue.wrap(Tensor(shape: grid, data: rewards))),
      ("terminated", TensorValue.wrap(Tensor(shape: grid, data: terminated))),
      ("truncated", TensorValue.wrap(Tensor(shape: grid, data: truncated))),
      ("final_obs", try stacked(finalObservations)),
      ("truncation_values", TensorValue.wrap(Tensor(shape: grid, data: truncationValues))),
      ("next_obs", TensorValue.wrap(obs)),
      ("last_values", TensorValue.wrap(Tensor(shape: [n], data: last))),
      ("episode_returns", .list(PList(episodeReturns))),
    ]))
  }

  /// The policy's action distribution for a batch: what it returned, or logits / means made one.
  func distribution(_ obs: Tensor) throws(PavlovError) -> PolicyDistribution {
    let out = try args.call(policy, [TensorValue.wrap(obs)])
    switch out {
    case .object(let c as CategoricalValue): return try batched(.categorical(c.distribution), c.distribution.batchShape)
    case .object(let g as NormalValue): return try batched(.gaussian(g.distribution), Array(g.distribution.batchShape.prefix(1)))
    default: break
    }
    let t: Tensor
    do { t = try TensorBindings.tensor(out) } catch {
      throw PavlovError.runtime("rollout: policy must return a tensor (logits or means) or a categorical/normal distribution, got \(out.typeName)")
    }
    guard t.shape.first == n, t.rank == 2 else {
      throw PavlovError.runtime("rollout: policy must return (\(n), outputs) for \(n) env copies, got shape \(Shape.describe(t.shape))")
    }
    switch envs.vector.actionSpace {
    case .discrete(let k, _):
      guard t.shape[1] == k else {
        throw PavlovError.runtime("rollout: policy returned \(t.shape[1]) logits per row, but the action space has \(k) actions")
      }
      return .categorical(try CoreBridge.run("rollout") { try Categorical(logits: t) })
    case .box(let low, _, _):
      guard let logStd else {
        throw PavlovError.runtime("rollout: box actions need log_std: (a tensor of \(low.count)) when the policy returns means, or return normal(mean, std) from the policy")
      }
      guard t.shape[1] == low.count, logStd.count == low.count else {
        throw PavlovError.runtime("rollout: the action box has \(low.count) dimensions; policy returned \(t.shape[1]) means and log_std has \(logStd.count) values")
      }
      return .gaussian(try CoreBridge.run("rollout") { try Normal(mean: t, std: logStd.exp()) })
    case .multiDiscrete, .text, .tuple, .dict:
      throw PavlovError.runtime("rollout: \(envs.vector.actionSpace.description) action spaces are not supported; step the vec_env yourself")
    }
  }

  private func batched(_ d: PolicyDistribution, _ batch: [Int]) throws(PavlovError) -> PolicyDistribution {
    guard batch.first == n else {
      throw PavlovError.runtime("rollout: policy's distribution has batch shape \(Shape.describe(batch)), expected one row per env copy (\(n))")
    }
    return d
  }

  func valuesOf(_ obs: Tensor) throws(PavlovError) -> [Float] {
    let t = try TensorBindings.tensor(try args.call(value, [TensorValue.wrap(obs)]))
    guard t.count == n, t.rank == 1 || (t.rank == 2 && t.shape[1] == 1) else {
      throw PavlovError.runtime("rollout: value must return (\(n)) or (\(n), 1) for \(n) env copies, got shape \(Shape.describe(t.shape))")
    }
    return t.data
  }

  /// Steps the env with the sampled actions (an index shifted by the space's start, or a
  /// Gaussian sample clipped to the box), keeping the raw sample.
  mutating func step(_ sampled: Tensor) throws(PavlovError) -> VectorStep {
    let vector = envs.vector
    switch vector.actionSpace {
    case .discrete(_, let start):
      let indices = sampled.data.map { Int($0) }
      actions.append(Tensor(shape: [n], ints: indices.map { Int64($0) }))
      return try CoreBridge.run("rollout") { try vector.step(discreteActions: indices.map { $0 + start }) }
    case .box(let low, let high, _):
      let a = low.count
      actions.append(sampled)
      var clipped = [Double](repeating: 0, count: sampled.count)
      for k in clipped.indices {
        let x = Double(sampled.data[k])
        guard x.isFinite else { throw PavlovError.runtime("rollout: the policy produced a \(x) action; check the network for nan/inf") }
        clipped[k] = Swift.min(Swift.max(x, low[k % a]), high[k % a])
      }
      return try CoreBridge.run("rollout") { try vector.step(continuousActions: clipped) }
    case .multiDiscrete, .text, .tuple, .dict:
      throw PavlovError.runtime("rollout: \(envs.vector.actionSpace.description) action spaces are not supported; step the vec_env yourself")
    }
  }

  /// The observations each copy's step ended in: the final observation where an episode ended
  /// (the copy has already been reset), the next observation elsewhere — encoded as vec_env's.
  func finalObservations(_ result: VectorStep, _ next: Tensor) throws(PavlovError) -> Tensor {
    guard result.finalObservations.contains(where: { $0 != nil }) else { return next }
    let width = envs.vector.observationSpace.flatCount
    var flat = result.observations
    for i in 0..<n {
      guard let final = result.finalObservations[i] else { continue }
      flat.replaceSubrange((i * width)..<((i + 1) * width), with: ObservationFeatures(envs.vector.observationSpace).raw(final))
    }
    return try TensorBindings.tensor(VecEnvBindings.observations(flat, envs.vector))
  }
}
