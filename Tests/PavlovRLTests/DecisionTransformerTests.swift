import PavlovCore
import PavlovGym
@testable import PavlovRL
import PavlovTensor
import XCTest

/// The decision transformer's windows, loss, causality and gradients; its known results (a
/// target-vs-achieved curve on CartPole, budgets kept on a hazard grid) are in
/// Tests/programs/offline/dt.pav.
final class DecisionTransformerTests: XCTestCase {
  /// Two episodes of 5 and 2 steps on Discrete(3) observations and Discrete(2) actions, with costs.
  func discreteLogs() -> EpisodeDataset {
    let first = LoggedEpisode(observations: [0, 1, 2, 0, 1, 2], actions: [1, 0, 1, 1, 0], rewards: [1, 2, 3, 4, 5],
                              terminations: [false, false, false, false, true], truncations: [false, false, false, false, false],
                              costs: [0, 1, 0, 2, 0])
    let second = LoggedEpisode(observations: [2, 1, 0], actions: [0, 0], rewards: [-1, 1], terminations: [false, true],
                               truncations: [false, false], costs: [1, 1])
    return EpisodeDataset(id: "test/logs-v0", observationSpace: .discrete(n: 3, start: 0), actionSpace: .discrete(n: 2, start: 0), episodes: [first, second])
  }

  func boxLogs() -> EpisodeDataset {
    let episode = LoggedEpisode(observations: [0.1, -0.2, 0.3, 0.4, -0.5, 0.6, 0.7, 0.8], actions: [0.5, -0.25, 0.75],
                                rewards: [1, 0, 2], terminations: [false, false, true], truncations: [false, false, false])
    return EpisodeDataset(id: "test/box-v0", observationSpace: .box(low: [-1, -1], high: [1, 1], shape: [2]),
                          actionSpace: .box(low: [-1], high: [1], shape: [1]), episodes: [episode])
  }

  func learner(_ dataset: EpisodeDataset, constrained: Bool = false, context: Int = 3) throws -> DecisionTransformerLearner {
    var config = DTConfig()
    config.context = context
    config.dim = 8
    config.layers = 2
    config.heads = 2
    config.dropout = 0
    config.constrained = constrained
    config.seed = 5
    return try DecisionTransformerLearner(dataset, config: config, name: "dt")
  }

  func testWindowsEndAtEachStepWithReturnsCostsAndTimestepsAndPadTheRest() throws {
    let dt = try learner(discreteLogs(), constrained: true)
    XCTAssertEqual(dt.returnScale, 15)  // the largest |episode return|
    XCTAssertEqual(dt.costScale, 3)     // the largest episode cost
    // Row 4 ends the first episode: steps 2, 3, 4 fill the window.
    let full = dt.windows(endingAt: [4])
    XCTAssertEqual(full.returnsToGo, [12, 9, 5].map { Float($0) / 15 })
    XCTAssertEqual(full.costsToGo, [2, 2, 0].map { Float($0) / 3 })
    XCTAssertEqual(full.timesteps, [2, 3, 4])
    XCTAssertEqual(full.mask, [1, 1, 1])
    XCTAssertEqual(full.targets, [1, 1, 0])
    XCTAssertEqual(full.actions, [0, 1, 0, 1, 1, 0])  // one-hot
    XCTAssertEqual(full.states, [0, 0, 1, 1, 0, 0, 0, 1, 0])
    // Row 5 starts the second episode: one real step, then padding; nothing of the first episode.
    let short = dt.windows(endingAt: [5])
    XCTAssertEqual(short.returnsToGo, [0, 0, 0])
    XCTAssertEqual(short.costsToGo, [Float(2) / 3, 0, 0])
    XCTAssertEqual(short.timesteps, [0, 0, 0])
    XCTAssertEqual(short.mask, [1, 0, 0])
  }

  func testLossIsTheCrossEntropyOfTheLoggedActionsAtRealStepsOnly() throws {
    let dt = try learner(discreteLogs())
    let batch = dt.windows(endingAt: [1, 4, 6])
    let logits = try dt.model.predictActions(batch)
    XCTAssertEqual(logits.shape, [3, 3, 2])
    var total = 0.0, count = 0.0
    for step in 0..<9 where batch.mask[step] > 0 {
      let a = Double(logits.data[step * 2]), b = Double(logits.data[step * 2 + 1])
      let chosen = Int(batch.targets[step])
      total += log(exp(a) + exp(b)) - (chosen == 0 ? a : b)
      count += 1
    }
    XCTAssertEqual(count, 2 + 3 + 2)
    XCTAssertEqual(Double(try dt.model.loss(batch).item()), total / count, accuracy: 1e-6)
  }

  func testBoxLossIsTheSquaredErrorOfPredictionsKeptInsideTheBox() throws {
    let dt = try learner(boxLogs(), context: 4)
    let batch = dt.windows(endingAt: [1, 2])
    let predictions = try dt.model.predictActions(batch)
    var total = 0.0
    for step in 0..<8 where batch.mask[step] > 0 {
      XCTAssertLessThanOrEqual(Swift.abs(predictions.data[step]), 1)
      total += pow(Double(predictions.data[step] - batch.targets[step]), 2)
    }
    XCTAssertEqual(Double(try dt.model.loss(batch).item()), total / 5, accuracy: 1e-6)
  }

  /// The prediction at a step reads that step's return and state and everything before it, but
  /// never its own action, a later step or the padding.
  func testPredictionsAreCausal() throws {
    let dt = try learner(discreteLogs(), constrained: true)
    let batch = dt.windows(endingAt: [3])
    let base = try dt.model.predictActions(batch).data
    var changed = batch
    changed.actions[2 * 2] = 1 - changed.actions[2 * 2]    // step 2's own action
    changed.actions[2 * 2 + 1] = 1 - changed.actions[2 * 2 + 1]
    XCTAssertEqual(try dt.model.predictActions(changed).data, base)
    var earlier = batch
    earlier.returnsToGo[2] += 0.5                           // step 2's return changes steps ≥ 2 only
    let moved = try dt.model.predictActions(earlier).data
    XCTAssertEqual(Array(moved[0..<4]), Array(base[0..<4]))
    XCTAssertNotEqual(Array(moved[4..<6]), Array(base[4..<6]))
    var cost = batch
    cost.costsToGo[0] += 0.5                                 // the cost token reaches every later step
    XCTAssertNotEqual(Array(try dt.model.predictActions(cost).data[0..<2]), Array(base[0..<2]))
  }

  func testGradientsMatchFiniteDifferences() throws {
    for (dataset, constrained, ends) in [(discreteLogs(), true, [2, 6]), (boxLogs(), false, [0, 2])] {
      let dt = try learner(dataset, constrained: constrained)
      let batch = dt.windows(endingAt: ends)
      dt.model.setTraining(false)
      let parameters = dt.model.parameters
      for p in parameters { p.zeroGrad() }
      try dt.model.loss(batch).backward()
      let generator = SeededGenerator(seed: 3)
      for (k, p) in parameters.enumerated() {
        guard let grad = p.grad else { XCTFail("parameter \(k) got no gradient"); continue }
        // A few elements of every parameter tensor, each by a central difference.
        for _ in 0..<3 {
          let i = generator.nextInt(below: p.count), original = p.data[i], h: Float = 1e-2
          p.setElement(i, original + h)
          let plus = Double(try Autograd.noGrad { try dt.model.loss(batch).item() })
          p.setElement(i, original - h)
          let minus = Double(try Autograd.noGrad { try dt.model.loss(batch).item() })
          p.setElement(i, original)
          let numeric = (plus - minus) / (2 * Double(h)), analytic = Double(grad.data[i])
          XCTAssertEqual(analytic, numeric, accuracy: 2e-3 * Swift.max(1, Swift.abs(numeric)), "parameter \(k) element \(i)")
        }
      }
    }
  }

  func testCostsNeedALoggedCostAndABudgetNeedsTheConstrainedModel() throws {
    var logs = discreteLogs()
    logs.episodes[1].costs = []
    XCTAssertThrowsError(try learner(logs, constrained: true)) { error in
      XCTAssertTrue("\(error)".contains("needs a cost per logged step"), "\(error)")
    }
    let dt = try learner(discreteLogs())
    XCTAssertThrowsError(try dt.act(.int(0), deterministic: true, generator: nil))  // no episode has begun
    XCTAssertThrowsError(try dt.begin(targetReturn: 1, costBudget: 2))  // not the constrained model
    try dt.begin(targetReturn: 3, costBudget: nil)
    XCTAssertEqual(try dt.act(.int(0), reward: 0, cost: 0).description.isEmpty, false)
    XCTAssertEqual(dt.episode?.steps, 1)
  }
}
