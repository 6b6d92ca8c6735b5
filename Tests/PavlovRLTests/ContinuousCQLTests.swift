import PavlovCore
import PavlovGym
@testable import PavlovRL
import PavlovTensor
import XCTest

/// Continuous CQL's penalty against hand-computed values and finite differences, and its
/// mapping of logged actions into [−1, 1] and back; its known result on Pendulum is in
/// Tests/programs/offline/cql_continuous.pav.
final class ContinuousCQLTests: XCTestCase {
  func testPenaltyIsTheSoftMaximumOfTheSampledScoresLessTheLoggedValue() throws {
    let scores = Tensor(shape: [2, 3], data: [1, 2, 3, -1, 0, 0.5])
    let logged = Tensor(shape: [2, 1], data: [2.5, -0.5])
    let first = log(exp(1.0) + exp(2.0) + exp(3.0)) - 2.5
    let second = log(exp(-1.0) + exp(0.0) + exp(0.5)) + 0.5
    XCTAssertEqual(Double(try ContinuousCQL.penalty(scores: scores, logged: logged, alpha: 5).item()), 5 * (first + second) / 2, accuracy: 1e-5)
  }

  func testPenaltyGradientsMatchFiniteDifferences() throws {
    let scores = Tensor(shape: [2, 3], data: [1, 2, 3, -1, 0, 0.5], requiresGrad: true)
    let logged = Tensor(shape: [2, 1], data: [2.5, -0.5], requiresGrad: true)
    try ContinuousCQL.penalty(scores: scores, logged: logged, alpha: 2).backward()
    for t in [scores, logged] {
      let grad = try XCTUnwrap(t.grad)
      for i in 0..<t.count {
        let original = t.data[i], h: Float = 1e-2
        t.setElement(i, original + h)
        let plus = try Autograd.noGrad { try ContinuousCQL.penalty(scores: scores, logged: logged, alpha: 2).item() }
        t.setElement(i, original - h)
        let minus = try Autograd.noGrad { try ContinuousCQL.penalty(scores: scores, logged: logged, alpha: 2).item() }
        t.setElement(i, original)
        XCTAssertEqual(grad.data[i], (plus - minus) / (2 * h), accuracy: 1e-3)
      }
    }
  }

  func testLoggedActionsAreScaledIntoTheSquashedRangeAndActionsBackOntoTheBox() throws {
    let episode = LoggedEpisode(observations: [0, 1, 2], actions: [-2, 0.5], rewards: [1, 1], terminations: [false, true],
                                truncations: [false, false])
    let dataset = EpisodeDataset(id: "test/box-v0", observationSpace: .box(low: [-5], high: [5], shape: [1]),
                                 actionSpace: .box(low: [-2], high: [3], shape: [1]), episodes: [episode])
    var config = ContinuousCQLConfig()
    config.hidden = [4]
    config.batchSize = 2
    let learner = try ContinuousCQL(dataset, config: config, name: "cql_continuous")
    XCTAssertEqual(learner.scaledActions, [-1, 0])
    let stats = try learner.train(epochs: 2)
    XCTAssertEqual(stats.map(\.epoch), [1, 2])
    guard case .reals(let action) = try learner.act(.reals([0.3]), deterministic: true, generator: nil) else { return XCTFail("not a box action") }
    XCTAssertTrue((-2...3).contains(action[0]), "\(action)")
  }
}
