import PavlovCore
import PavlovGym
import PavlovTensor

/// A policy learned from logged episodes alone (bc, marwil, cql, iql, dt): trained in epochs over the
/// logged steps, then acting and evaluated in an environment like a trainer.
public protocol OfflineLearner: AnyObject {
  var name: String { get }
  var observationSpace: Space { get }
  var actionSpace: Space { get }
  var epochs: Int { get }
  /// The logged steps it learns from.
  var steps: Int { get }
  /// The network that chooses actions: logits, a Gaussian's means, or Q-values.
  var policyNetwork: Module { get }
  /// A learned V(s), if the method has one.
  var valueNetwork: Module? { get }
  /// A learned Q(s, ·), if the method has one.
  var qNetwork: Module? { get }
  /// Trains for `count` epochs; each epoch's statistics (averaged over its minibatches).
  func train(epochs count: Int) throws -> [OfflineEpochStats]
  func act(_ observation: Point, deterministic: Bool, generator: SeededGenerator?) throws -> Point
  /// Whole deterministic episodes of the learned policy (episode k reset with seed + k).
  func evaluate(_ env: EnvSource, episodes: Int, seed: UInt64) throws -> EvalResult
}

public struct OfflineEpochStats: Sendable {
  public var epoch: Int
  /// Named figures in a fixed order: losses, mean weights or Q-values.
  public var values: [(name: String, value: Double)]
}

extension OfflineLearner {
  /// Acting on each observation alone.
  public func evaluate(_ env: EnvSource, episodes: Int, seed: UInt64) throws -> EvalResult {
    try PolicyEvaluation.run(source: env, copyIndex: 0, episodes: episodes, seed: seed) { try act($0, deterministic: true, generator: nil) }
  }
}

/// What every offline learner asks of its dataset.
enum OfflineData {
  static func checkSteps(_ dataset: EpisodeDataset, _ name: String) throws {
    guard dataset.totalSteps > 0 else { throw CoreError("\(name): the dataset has no steps") }
  }

  /// The Q-learning methods' discrete actions: how many, and the first.
  static func discreteActions(_ dataset: EpisodeDataset, _ name: String) throws -> (count: Int, start: Int) {
    try checkSteps(dataset, name)
    guard case .discrete(let n, let start) = dataset.actionSpace else {
      throw CoreError("\(name) learns discrete actions; this dataset acts in \(dataset.actionSpace.description)",
                      hint: "use bc, marwil, cql_continuous or dt for box actions")
    }
    return (n, start)
  }
}

/// A discrete action from scores (logits or Q-values): the best, or a draw from their softmax.
enum DiscreteChoice {
  static func pick(_ scores: [Float], deterministic: Bool, generator: SeededGenerator?) -> Int {
    var best = 0
    for k in scores.indices where scores[k] > scores[best] { best = k }
    guard !deterministic, let generator else { return best }
    let exps = scores.map { Double(PortableMath.exp($0 - scores[best])) }
    var u = generator.nextDouble() * exps.reduce(0, +)
    for k in exps.indices { u -= exps[k]; if u < 0 { return k } }
    return scores.count - 1
  }
}

/// Every logged step of a dataset as rows for a network: the observation's features (and the
/// next observation's), the action (a discrete one counted from 0), the reward, whether the
/// episode terminated there, and the discounted return to the end of its episode.
struct TransitionRows {
  let features: ObservationFeatures
  let count: Int
  let actionWidth: Int
  var inputs: [Float] = []
  var nextInputs: [Float] = []
  var actions: [Float] = []
  var rewards: [Float] = []
  var terminations: [Float] = []
  var returnsToGo: [Float] = []

  init(_ dataset: EpisodeDataset, gamma: Double) {
    features = ObservationFeatures(dataset.observationSpace)
    count = dataset.totalSteps
    actionWidth = dataset.actionWidth
    let width = dataset.observationWidth, size = features.size
    let start: Double
    if case .discrete(_, let s) = dataset.actionSpace { start = Double(s) } else { start = 0 }
    inputs = [Float](repeating: 0, count: count * size)
    nextInputs = [Float](repeating: 0, count: count * size)
    var row = 0
    for episode in dataset.episodes {
      var g = 0.0, togo = [Double](repeating: 0, count: episode.steps)
      for t in stride(from: episode.steps - 1, through: 0, by: -1) { g = episode.rewards[t] + gamma * g; togo[t] = g }
      episode.observations.withUnsafeBufferPointer { all in
        for t in 0..<episode.steps {
          inputs.withUnsafeMutableBufferPointer { features.encode(UnsafeBufferPointer(rebasing: all[(t * width)..<((t + 1) * width)]), into: $0, at: row * size) }
          nextInputs.withUnsafeMutableBufferPointer { features.encode(UnsafeBufferPointer(rebasing: all[((t + 1) * width)..<((t + 2) * width)]), into: $0, at: row * size) }
          for k in 0..<actionWidth { actions.append(Float(episode.actions[t * actionWidth + k] - start)) }
          rewards.append(Float(episode.rewards[t]))
          terminations.append(episode.terminations[t] ? 1 : 0)
          returnsToGo.append(Float(togo[t]))
          row += 1
        }
      }
    }
  }

  /// The rows' inputs as a (B, size) tensor (`next`: the next observations').
  func inputTensor(_ rows: [Int], next: Bool = false) -> Tensor {
    let size = features.size, source = next ? nextInputs : inputs
    var x = [Float](repeating: 0, count: rows.count * size)
    for (i, r) in rows.enumerated() { for k in 0..<size { x[i * size + k] = source[r * size + k] } }
    return Tensor(shape: [rows.count, size], data: x)
  }

  /// One value per row of `column`, as a (B, width) tensor.
  static func column(_ column: [Float], _ rows: [Int], width: Int = 1) -> Tensor {
    var out = [Float](repeating: 0, count: rows.count * width)
    for (i, r) in rows.enumerated() { for k in 0..<width { out[i * width + k] = column[r * width + k] } }
    return Tensor(shape: [rows.count, width], data: out)
  }

  /// One observation as a (1, size) row of features.
  static func row(_ observation: Point, _ features: ObservationFeatures) -> Tensor {
    var row = [Float](repeating: 0, count: features.size)
    features.encode(observation, into: &row, at: 0)
    return Tensor(shape: [1, features.size], data: row)
  }

  /// Runs `count` epochs, each visiting every row once in minibatches of `batchSize` in a random
  /// order of `generator`, and reports the mean of each named figure `step` returns for a
  /// minibatch. `finished` counts each epoch as it ends (so Ctrl-C keeps the finished ones) and
  /// returns its number.
  func trainEpochs(_ count: Int, batchSize: Int, generator: SeededGenerator, finished: () -> Int,
                   step: ([Int]) throws -> [(name: String, value: Double)]) throws -> [OfflineEpochStats] {
    var out: [OfflineEpochStats] = []
    for _ in 0..<count {
      var sums: [(name: String, value: Double)] = [], batches = 0.0
      for batch in Self.minibatches(self.count, size: batchSize, generator: generator) {
        try Interruption.check()
        let figures = try step(batch)
        if sums.isEmpty { sums = figures.map { ($0.name, 0) } }
        for k in sums.indices { sums[k].value += figures[k].value }
        batches += 1
      }
      out.append(OfflineEpochStats(epoch: finished(), values: sums.map { ($0.name, $0.value / batches) }))
    }
    return out
  }

  /// Each epoch's order of the rows in minibatches of `size`.
  static func minibatches(_ count: Int, size: Int, generator: SeededGenerator) -> [[Int]] {
    var order = Array(0..<count)
    generator.shuffle(&order)
    return stride(from: 0, to: count, by: size).map { Array(order[$0..<min($0 + size, count)]) }
  }
}
