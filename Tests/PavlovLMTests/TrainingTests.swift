import PavlovLM
import PavlovRL
import PavlovTensor
import XCTest

/// Each RLHF step on a tiny GPT with a known answer: the loss at the start where it has a closed
/// form, and learning where the target is unambiguous.
final class TrainingTests: XCTestCase {
  func tinyModel(vocab: Int = 8, seed: UInt64 = 1) throws -> GPT {
    try GPT(vocab: vocab, dim: 16, layers: 1, heads: 2, context: 16, generator: SeededGenerator(seed: seed))
  }

  func testSupervisedLossCountsResponseTokensOnly() throws {
    let model = try tinyModel()
    let trainer = try LanguageModelTrainer(model: model, lr: 0, padding: 0)
    let batch = try SequenceBatch(prompts: [[1, 2, 3]], responses: [[4, 5]], padding: 0)
    let all = try Autograd.noGrad { try LanguageModel.tokenLogProbs(model, batch).logProbs }
    // Positions 2 and 3 predict the response tokens 4 and 5.
    let expected = -Double(all.data[2] + all.data[3]) / 2
    let loss = try trainer.step(prompts: [[1, 2, 3]], responses: [[4, 5]])
    XCTAssertEqual(loss, expected, accuracy: 1e-5)
  }

  func testPretrainingMemorizesASequence() throws {
    let model = try tinyModel()
    let trainer = try LanguageModelTrainer(model: model, lr: 1e-2, padding: 0)
    let text: [Int64] = [0, 3, 1, 4, 1, 5, 2, 6, 0]
    let losses = try trainer.fit(prompts: [[0]], responses: [Array(text.dropFirst())], steps: 150, batchSize: 1, generator: SeededGenerator(seed: 0))
    XCTAssertLessThan(losses.last!, 0.05)
    let continued = try model.generate([[0]], maxTokens: 8, temperature: 0, generator: SeededGenerator(seed: 0))
    XCTAssertEqual(continued[0], Array(text.dropFirst()))
  }

  func testRewardModelLearnsAPreferenceAndNormalizes() throws {
    let base = try tinyModel()
    let rm = try RewardModel(base: base, padding: 0, generator: SeededGenerator(seed: 2))
    // Chosen answers contain token 5, rejected ones token 6, among other random tokens.
    let g = SeededGenerator(seed: 3)
    func pair() -> TokenPreference {
      let noise = (0..<3).map { _ in Int64(1 + g.nextInt(below: 4)) }
      return TokenPreference(prompt: [0, 7], chosen: noise + [5, 0], rejected: noise + [6, 0])
    }
    let train = (0..<64).map { _ in pair() }, test = (0..<32).map { _ in pair() }
    XCTAssertEqual(try RewardModelTrainer.accuracy(rm, test), 0)  // a zero head ties every pair
    let trainer = try RewardModelTrainer(model: rm, lr: 3e-3)
    let history = try trainer.fit(train, epochs: 6, batchSize: 16, generator: SeededGenerator(seed: 4))
    XCTAssertEqual(history[0].loss, 0.69, accuracy: 0.05)  // −log σ(0) = log 2 at the start
    XCTAssertEqual(try RewardModelTrainer.accuracy(rm, test), 1)
    let answers = test.map(\.chosen) + test.map(\.rejected)
    try rm.normalize(prompts: answers.map { _ in [0, 7] }, responses: answers)
    let s = try rm.scores(prompts: answers.map { _ in [0, 7] }, responses: answers)
    let mean = s.reduce(0, +) / Double(s.count)
    XCTAssertEqual(mean, 0, accuracy: 1e-4)
    XCTAssertEqual((s.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(s.count - 1)).squareRoot(), 1, accuracy: 1e-4)
  }

  func testDPOStartsAtLogTwoAndWidensTheMargin() throws {
    let policy = try tinyModel()
    let pairs = (0..<16).map { i in TokenPreference(prompt: [0, Int64(1 + i % 3)], chosen: [5, 5, 0], rejected: [6, 6, 0]) }
    let dpo = try DPOTrainer(policy: policy, reference: nil, pairs: pairs, beta: 0.1, lr: 3e-3, padding: 0)
    let first = try dpo.step(Array(0..<16))
    XCTAssertEqual(first.loss, 0.6931, accuracy: 1e-3)  // the policy is the reference: margin 0
    XCTAssertEqual(first.margin, 0, accuracy: 1e-6)
    let history = try dpo.fit(epochs: 20, batchSize: 8, generator: SeededGenerator(seed: 1))
    XCTAssertGreaterThan(history.last!.margin, 1)
    XCTAssertEqual(history.last!.accuracy, 1)
    XCTAssertLessThan(history.last!.loss, 0.3)
  }

  func testKLEstimatorsClosedForms() {
    XCTAssertEqual(KLEstimator.k1.value(logProb: -1, refLogProb: -2), 1)
    // k3 = (r − 1) − log r with log r = ref − logp = −1.
    XCTAssertEqual(KLEstimator.k3.value(logProb: -1, refLogProb: -2), (exp(-1.0) - 1) + 1, accuracy: 1e-12)
    XCTAssertEqual(KLEstimator.k3.value(logProb: -3, refLogProb: -3), 0)
    // k2 = (log r)² / 2.
    XCTAssertEqual(KLEstimator.k2.value(logProb: -1, refLogProb: -2), 0.5)
    XCTAssertEqual(KLEstimator.k2.value(logProb: -2, refLogProb: -1), 0.5)
  }

  /// Averaged over samples from π, each estimator approaches the exact KL(π ‖ π_ref) of two
  /// categorical distributions (k2 only to second order, so the two are kept close).
  func testKLEstimatorsAverageToTheExactKL() {
    let p = [0.5, 0.3, 0.2], q = [0.45, 0.35, 0.2]
    let exact = zip(p, q).reduce(0.0) { $0 + $1.0 * log($1.0 / $1.1) }
    for estimator in KLEstimator.allCases {
      let mean = zip(p, q).reduce(0.0) { $0 + $1.0 * estimator.value(logProb: log($1.0), refLogProb: log($1.1)) }
      XCTAssertEqual(mean, exact, accuracy: estimator == .k2 ? 2e-4 : 1e-12, "\(estimator)")
    }
  }

  /// The toy task: answers score the fraction of their tokens that are 5.
  func fivesReward(_ prompts: [[Int64]], _ answers: [[Int64]]) -> [Double] {
    answers.map { a in a.isEmpty ? 0 : Double(a.filter { $0 == 5 }.count) / Double(a.count) }
  }

  func trainPolicy(_ algorithm: LMAlgorithm, iterations: Int, seed: UInt64 = 5) throws -> (PolicyTrainer, [PolicyStats]) {
    let policy = try tinyModel(seed: 11)
    let reference = try policy.copy() as! GPT
    reference.setFrozen(true)
    var config = PolicyConfig()
    config.algorithm = algorithm
    config.prompts = algorithm == .ppo ? 16 : 4
    config.groupSize = algorithm == .ppo ? 1 : 4
    config.maxTokens = 6
    config.lr = 3e-3
    config.minibatch = 8
    config.klCoef = 0.01
    let trainer = try PolicyTrainer(policy: policy, reference: .model(reference), reward: fivesReward, prompts: [[0, 1], [0, 2, 3]],
                                    endOfText: 0, config: config, generator: SeededGenerator(seed: seed))
    let stats = try (0..<iterations).map { _ in try trainer.iterate() }
    return (trainer, stats)
  }

  func testPPOLearnsTheToyRewardAndMovesAwayFromTheReference() throws {
    let (_, stats) = try trainPolicy(.ppo, iterations: 40)
    XCTAssertLessThan(stats[0].score, 0.3)
    XCTAssertGreaterThan(stats.suffix(3).map(\.score).reduce(0, +) / 3, 0.8)
    XCTAssertGreaterThan(stats.last!.kl, 0.1)
    XCTAssertEqual(stats[0].kl, 0, accuracy: 1e-5)  // the policy starts as the reference
    XCTAssertGreaterThan(stats.last!.valueError, 0)
  }

  func testPPOWithASeparateCriticTrainsItAndLeavesThePolicyHeadless() throws {
    let policy = try tinyModel(seed: 11)
    let criticTrunk = try tinyModel(seed: 12)
    let head = Linear(16, 1, generator: SeededGenerator(seed: 13))
    let before = criticTrunk.allParameters[0].data
    var config = PolicyConfig()
    config.prompts = 8
    config.maxTokens = 4
    config.lr = 1e-2
    let trainer = try PolicyTrainer(policy: policy, reference: .model(try policy.copy() as! GPT), reward: fivesReward, prompts: [[0, 1]],
                                    endOfText: 0, config: config, critic: (criticTrunk, head), generator: SeededGenerator(seed: 1))
    XCTAssertTrue(trainer.critic === criticTrunk)
    XCTAssertTrue(trainer.valueHead === head)
    try trainer.iterate()
    XCTAssertNotEqual(criticTrunk.allParameters[0].data, before)  // the value loss trains the critic
  }

  func testGRPOAndRLOOLearnTheToyRewardWithoutACritic() throws {
    for algorithm in [LMAlgorithm.grpo, .rloo] {
      let (trainer, stats) = try trainPolicy(algorithm, iterations: 30)
      XCTAssertNil(trainer.valueHead)
      XCTAssertGreaterThan(stats.suffix(3).map(\.score).reduce(0, +) / 3, 0.8, algorithm.rawValue)
    }
  }

  func testTheSameSeedGivesTheSameNumbers() throws {
    let a = try trainPolicy(.ppo, iterations: 3).1, b = try trainPolicy(.ppo, iterations: 3).1
    XCTAssertEqual(a.map(\.score), b.map(\.score))
    XCTAssertEqual(a.map(\.kl), b.map(\.kl))
    XCTAssertEqual(a.map(\.loss), b.map(\.loss))
  }

  func testAdaptiveKLControllerRaisesBetaWhenKLIsAboveTarget() throws {
    let policy = try tinyModel(seed: 11)
    var config = PolicyConfig()
    config.prompts = 8
    config.maxTokens = 4
    config.lr = 1e-2
    config.targetKL = 1e-6
    config.klHorizon = 100
    let trainer = try PolicyTrainer(policy: policy, reference: .model(try policy.copy() as! GPT), reward: fivesReward, prompts: [[0, 1]],
                                    endOfText: 0, config: config, generator: SeededGenerator(seed: 1))
    for _ in 0..<3 { try trainer.iterate() }
    // β ← β · (1 + clip(KL / target − 1, ±0.2) · 8 / 100) after every iteration.
    var beta = 0.05
    for s in trainer.history {
      XCTAssertEqual(s.klCoef, beta, accuracy: 1e-12)
      beta *= 1 + Swift.min(Swift.max(s.kl / 1e-6 - 1, -0.2), 0.2) * 8 / 100
    }
    XCTAssertEqual(trainer.klCoef, beta, accuracy: 1e-12)
    XCTAssertTrue(trainer.history.contains { $0.kl > 1e-6 })
  }

  func testLoRAReferenceIsThePolicyWithAdaptersOff() throws {
    let policy = try tinyModel(seed: 11)
    XCTAssertThrowsError(try PolicyTrainer(policy: policy, reference: .adaptersOff, reward: fivesReward, prompts: [[0]], endOfText: 0,
                                           config: PolicyConfig(), generator: SeededGenerator(seed: 1)))
    try policy.addLoRA(rank: 2, alpha: 4, generator: SeededGenerator(seed: 2))
    var config = PolicyConfig()
    config.prompts = 8
    config.maxTokens = 4
    config.lr = 1e-2
    let trainer = try PolicyTrainer(policy: policy, reference: .adaptersOff, reward: fivesReward, prompts: [[0, 1]], endOfText: 0,
                                    config: config, generator: SeededGenerator(seed: 1))
    let first = try trainer.iterate()
    XCTAssertEqual(first.kl, 0, accuracy: 1e-5)  // B starts at zero: the adapted policy is the base
    let second = try trainer.iterate()
    XCTAssertNotEqual(second.kl, 0)
  }

  func testBestOfNKeepsTheHighestScoringAnswer() throws {
    let policy = try tinyModel(seed: 11)
    let choices = try BestOfN.choose(policy, prompts: [[0, 1], [0, 2]], n: 8, maxTokens: 5, endOfText: 0, reward: fivesReward,
                                     generator: SeededGenerator(seed: 3))
    XCTAssertEqual(choices.count, 2)
    // Against one sample each from the same generator state, the best of 8 is never worse.
    let single = try BestOfN.choose(policy, prompts: [[0, 1], [0, 2]], n: 1, maxTokens: 5, endOfText: 0, reward: fivesReward,
                                    generator: SeededGenerator(seed: 3))
    for (best, one) in zip(choices, single) { XCTAssertGreaterThanOrEqual(best.score, one.score) }
    for c in choices { XCTAssertEqual(c.score, fivesReward([[]], [c.answer])[0]) }
  }
}
