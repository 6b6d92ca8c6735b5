import Dispatch
import PavlovCore
import PavlovGym
import PavlovTensor

/// The training loop of the off-policy trainers (DQN, SAC, TD3, DDPG), as SB3's
/// `OffPolicyAlgorithm.learn`: `trainFreq` env steps make an iteration; once past
/// `learningStarts`, each iteration ends with `gradientSteps` updates (−1: as many as steps).
/// Everything is keyed to the step count, so a budget can end mid-iteration and the next call
/// continues as if uninterrupted.
struct OffPolicyLoop {
  let trainFreq: Int
  let gradientSteps: Int
  let learningStarts: Int

  /// Runs until the budget is spent or the callback says stop. `step` takes one env step and
  /// returns the new step count; `update` takes the given number of gradient steps (DQN takes
  /// them in groups) and returns their summed losses by name; `stats` makes an iteration's
  /// statistics from the mean losses of its updates.
  func train(_ budget: Budget, timesteps: () -> Int, meanReturn: () -> Double?, step: () throws -> Int,
             update: (Int) throws -> [(String, Double)], stats: ([(String, Double)]) -> TrainStats,
             callback: TrainCallback?) throws -> TrainStats? {
    try budget.validate()
    let start = DispatchTime.now().uptimeNanoseconds
    var callSteps = 0, callIterations = 0
    var last: TrainStats?
    repeat {
      var steps = trainFreq - timesteps() % trainFreq
      if let limit = budget.timesteps { steps = Swift.min(steps, limit - callSteps) }
      var sums: [(String, Double)] = [], updates = 0
      for _ in 0..<steps {
        let now = try step()
        guard now % trainFreq == 0 && now > learningStarts else { continue }
        let n = gradientSteps < 0 ? trainFreq : gradientSteps
        let losses = try update(n)
        if sums.isEmpty { sums = losses.map { ($0.0, 0) } }
        for (i, loss) in losses.enumerated() where i < sums.count { sums[i].1 += loss.1 }
        updates += n
      }
      callSteps += steps
      if timesteps() % trainFreq == 0 { callIterations += 1 }
      var iteration = stats(updates > 0 ? sums.map { ($0.0, $0.1 / Double(updates)) } : [])
      let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
      iteration.fps = seconds > 0 ? Double(callSteps) / seconds : 0
      last = iteration
      if let callback, try callback(iteration) == .stop { break }
    } while !budget.isSpent(steps: callSteps, rounds: callIterations, meanReturn: meanReturn())
    return last
  }
}

/// Actions squashed into [−1, 1] and the env's box: SAC, TD3 and DDPG act in [−1, 1] and map
/// linearly onto the box (SB3's `scale_action` / `unscale_action`).
struct BoxActions {
  let low: [Double], high: [Double]

  init(_ space: Space, algorithm: String, envName: String) throws {
    guard case .box(let low, let high, _) = space else {
      throw CoreError("\(algorithm) needs a continuous (Box) action space, but \(envName) acts in \(space.description)",
                      hint: "use dqn or ppo for discrete actions")
    }
    guard low.allSatisfy(\.isFinite), high.allSatisfy(\.isFinite) else {
      throw CoreError("\(algorithm): the action box \(space.description) is unbounded; \(algorithm) squashes its actions into the box, so it needs finite bounds",
                      hint: "wrap the env so its actions have finite bounds (clip_action)")
    }
    self.low = low
    self.high = high
  }

  var count: Int { low.count }

  /// The k-th value in [−1, 1] mapped onto the box's k-th interval.
  func envValue(_ x: Float, _ k: Int) -> Double { low[k] + (Double(x) + 1) / 2 * (high[k] - low[k]) }

  /// The inverse: the k-th value of the box mapped into [−1, 1] (clipped; 0 for an empty interval).
  func unitValue(_ a: Double, _ k: Int) -> Float {
    let span = high[k] - low[k]
    return span > 0 ? Float(Swift.min(Swift.max(2 * (a - low[k]) / span - 1, -1), 1)) : 0
  }
}

/// One env step of an off-policy trainer with continuous actions: `choose` fills the action
/// in [−1, 1] for the current observation; it is mapped onto the box, stepped, and stored with
/// the transition (a truncated episode's final observation as the next one, so it bootstraps).
final class ContinuousCollector {
  let box: BoxActions
  private var previous: [Float]
  private var chosen: [Float]
  private var envAction: [Double]

  init(box: BoxActions, observationSize: Int) {
    self.box = box
    previous = Array(repeating: 0, count: observationSize)
    chosen = Array(repeating: 0, count: box.count)
    envAction = Array(repeating: 0, count: box.count)
  }

  /// Returns whether the episode ended with this step.
  func step(_ envs: TrainingEnvs, into buffer: ReplayBuffer, choose: ([Float], inout [Float]) throws -> Void) throws -> Bool {
    for i in previous.indices { previous[i] = envs.observations[i] }
    try choose(previous, &chosen)
    for k in chosen.indices { envAction[k] = box.envValue(chosen[k], k) }
    try envs.step(continuous: envAction)
    let truncatedOnly = envs.truncated[0] && !envs.terminated[0]
    previous.withUnsafeBufferPointer { obs in
      chosen.withUnsafeBufferPointer { action in
        (truncatedOnly ? envs.finalObservations : envs.observations).withUnsafeBufferPointer { next in
          buffer.add(observation: obs, continuousAction: action, reward: envs.rewards[0], next: next, terminated: envs.terminated[0])
        }
      }
    }
    return envs.terminated[0] || envs.truncated[0]
  }
}

extension ReplayBatch {
  /// The minibatch as tensors: observations (b, d), next observations, actions (b, a),
  /// rewards (b, 1) and 1 − terminated (b, 1).
  func continuousTensors(actionSize a: Int) -> (observations: Tensor, next: Tensor, actions: Tensor, rewards: Tensor, notDone: Tensor) {
    let b = size, d = observationSize
    return (Tensor(shape: [b, d], data: observations), Tensor(shape: [b, d], data: nextObservations),
            Tensor(shape: [b, a], data: continuousActions), Tensor(shape: [b, 1], data: rewards),
            Tensor(shape: [b, 1], data: terminals.map { 1 - $0 }))
  }
}
