import PavlovGym
import PavlovTensor
import XCTest

final class WrapperTests: XCTestCase {
  func testEpisodeStatisticsRecordReturnAndLengthAtTheEnd() throws {
    let env = RecordEpisodeStatistics(CounterTestEnv(limit: 3))
    _ = try env.reset(seed: 1)
    XCTAssertNil(try env.step(.int(1)).info["episode"])
    XCTAssertNil(try env.step(.int(0)).info["episode"])
    let last = try env.step(.int(1))
    XCTAssertTrue(last.terminated)
    XCTAssertEqual(last.info["episode"], .record(["r": .double(5), "l": .int(3)]))
    XCTAssertEqual(last.info["count"], .int(3), "the inner info is kept")
    XCTAssertEqual(env.returnQueue, [5])
    XCTAssertEqual(env.lengthQueue, [3])
    XCTAssertEqual(env.episodeCount, 1)
  }

  func testEpisodeStatisticsTimeComesFromTheGivenClock() throws {
    var now = 10.0
    let env = RecordEpisodeStatistics(TruncatingTestEnv(limit: 2), clock: { now })
    _ = try env.reset(seed: nil)
    now = 10.5
    _ = try env.step(.int(0))
    now = 12.25
    let last = try env.step(.int(0))
    XCTAssertTrue(last.truncated)
    XCTAssertEqual(last.info["episode"], .record(["r": .double(1), "l": .int(2), "t": .double(2.25)]))
    XCTAssertEqual(env.timeQueue, [2.25])
  }

  func testEpisodeStatisticsKeepTheLastHundred() throws {
    let env = RecordEpisodeStatistics(CounterTestEnv(limit: 3))
    for episode in 0..<105 {
      _ = try env.reset(seed: nil)
      for _ in 0..<3 { _ = try env.step(.int(episode % 2)) }
    }
    XCTAssertEqual(env.episodeCount, 105)
    XCTAssertEqual(env.returnQueue.count, 100)
    XCTAssertEqual(env.returnQueue.first, 6, "episode 5 (odd: reward 2 a step) is the oldest kept")
    XCTAssertEqual(env.returnQueue.last, 3, "episode 104 (even: reward 1 a step) is the newest")
    XCTAssertEqual(Set(env.lengthQueue), [3])
  }

  func testNormalizeObservationMatchesATwoPassComputation() throws {
    let generator = SeededGenerator(seed: 5)
    let stream = (0..<2000).map { _ in 5 + 2 * generator.nextGaussian() }
    let env = NormalizeObservation(ScriptedTestEnv(observations: stream))
    XCTAssertEqual(env.observationSpace, .box(low: -.infinity, high: .infinity, shape: [1]))
    var outputs = [try env.reset(seed: 0).observation]
    for _ in 1..<stream.count { outputs.append(try env.step(.int(0)).observation) }

    let (mean, variance) = statisticsWithPrior(stream)
    XCTAssertEqual(env.mean[0], mean, accuracy: 1e-10)
    XCTAssertEqual(env.variance[0], variance, accuracy: 1e-9)
    let lastExpected = (stream[stream.count - 1] - mean) / (variance + 1e-8).squareRoot()
    XCTAssertEqual(outputs.last?.firstReal ?? .nan, lastExpected, accuracy: 1e-9)

    // Frozen on the same stream, the outputs have mean 0 and variance 1 (up to the 1e-4 prior).
    env.training = false
    let learned = env.statistics
    var normalized = [try env.reset(seed: 0).observation.firstReal]
    for _ in 1..<stream.count { normalized.append(try env.step(.int(0)).observation.firstReal) }
    XCTAssertEqual(env.statistics, learned, "frozen statistics do not move")
    let (outMean, outVariance) = twoPass(normalized)
    XCTAssertEqual(outMean, 0, accuracy: 1e-6)
    XCTAssertEqual(outVariance, 1, accuracy: 1e-6)
  }

  func testNormalizeRewardDividesByTheStdOfTheDiscountedReturn() throws {
    // Rewards 1, 2 (episode ends), then 3 in the next episode; gamma 0.5.
    let env = NormalizeReward(ScriptedTestEnv(observations: [0], rewards: [1, 2, 3], ends: [1]), gamma: 0.5)
    _ = try env.reset(seed: 0)
    let first = try env.step(.int(0))
    XCTAssertEqual(env.discountedReturn, 1)
    let second = try env.step(.int(0))
    XCTAssertTrue(second.terminated)
    XCTAssertEqual(env.discountedReturn, 0, "the return restarts when the episode ends")
    _ = try env.reset(seed: nil)
    let third = try env.step(.int(0))
    XCTAssertEqual(env.discountedReturn, 3)

    // Returns seen: 1, 0.5 * 1 + 2 = 2.5, then 3 (a fresh episode).
    let returns = [1, 2.5, 3.0]
    for (k, (result, reward)) in zip([first, second, third], [1.0, 2, 3]).enumerated() {
      let variance = statisticsWithPrior(Array(returns[...k])).variance
      XCTAssertEqual(result.reward, reward / (variance + 1e-8).squareRoot(), accuracy: 1e-12, "step \(k + 1)")
    }
    XCTAssertEqual(env.returnVariance, statisticsWithPrior(returns).variance, accuracy: 1e-12)
  }

  func testClipActionClipsToTheInnerBoundsAndAcceptsAnyReal() throws {
    let env = try ClipAction(clipping: EchoTestEnv())
    XCTAssertEqual(env.actionSpace, .box(low: -.infinity, high: .infinity, shape: [2]))
    _ = try env.reset(seed: nil)
    XCTAssertEqual(try env.step(.reals([5, -0.5])).observation, .reals([1, -0.5]))
    XCTAssertEqual(try env.step(.reals([-7, 0.25])).observation, .reals([-1, 0.25]))
    XCTAssertThrowsError(try env.step(.reals([1]))) { error in
      XCTAssertTrue("\(error)".contains("expected 2 numbers"), "\(error)")
    }
    XCTAssertThrowsError(try ClipAction(clipping: CounterTestEnv(limit: 2))) { error in
      XCTAssertTrue("\(error)".contains("needs a Box action space"), "\(error)")
    }
  }

  func testTransformRewardAndObservation() throws {
    let scaled = TransformReward(CounterTestEnv(limit: 5)) { $0 * 10 }
    _ = try scaled.reset(seed: 0)
    XCTAssertEqual(try scaled.step(.int(1)).reward, 20)

    let space = Space.box(low: 0, high: 10, shape: [1])
    let counted = TransformObservation(CounterTestEnv(limit: 5), observationSpace: space) { point in
      guard case .reals(let values) = point else { return point }
      return .reals([values[0] * 2])
    }
    XCTAssertEqual(counted.observationSpace, space)
    XCTAssertEqual(try counted.reset(seed: 0).observation, .reals([0]))
    XCTAssertEqual(try counted.step(.int(0)).observation, .reals([2]))
  }

  func testFrameStackKeepsTheLastFramesOldestFirst() throws {
    let env = try FrameStack(CounterTestEnv(limit: 10), size: 3)
    XCTAssertEqual(env.observationSpace, .box(low: [0, 0, 0, 0, 0, 0], high: [10, 1, 10, 1, 10, 1], shape: [3, 2]))
    let reset = try env.reset(seed: 4).observation
    guard case .reals(let first) = reset else { return XCTFail("expected reals, got \(reset.description)") }
    let offset = first[1]
    XCTAssertEqual(first, [0, offset, 0, offset, 0, offset], "padded with the reset observation")
    XCTAssertEqual(try env.step(.int(0)).observation, .reals([0, offset, 0, offset, 1, offset]))
    _ = try env.step(.int(0))
    XCTAssertEqual(try env.step(.int(0)).observation, .reals([1, offset, 2, offset, 3, offset]))
    XCTAssertTrue(env.observationSpace.contains(try env.step(.int(0)).observation))
  }

  func testFrameStackZeroPaddingAndDiscreteObservations() throws {
    let zero = try FrameStack(WalkTestEnv(size: 5), size: 3, padding: .zero)
    XCTAssertEqual(zero.observationSpace, .box(low: [0, 0, 0], high: [4, 4, 4], shape: [3]))
    let start = try zero.reset(seed: 2).observation
    guard case .reals(let row) = start, let position = row.last else { return XCTFail("expected reals") }
    XCTAssertEqual(row, [0, 0, position])
    XCTAssertEqual(try zero.step(.int(1)).observation, .reals([0, position, position + 1]))
    XCTAssertThrowsError(try FrameStack(WalkTestEnv(size: 5), size: 0))
  }

  func testWrapperStacksCopyWithTheirState() throws {
    let env = try FrameStack(NormalizeObservation(RecordEpisodeStatistics(CounterTestEnv(limit: 4))), size: 2)
    _ = try env.reset(seed: 3)
    _ = try env.step(.int(1))
    guard let twin = env.copy() else { return XCTFail("copy() returned nil") }
    for action in [0, 1, 1, 0, 1] {
      let a = try env.step(.int(action)), b = try twin.step(.int(action))
      XCTAssertEqual(a.observation, b.observation)
      XCTAssertEqual(a.info, b.info)
      if a.done {
        XCTAssertEqual(try env.reset(seed: nil).observation, try twin.reset(seed: nil).observation)
      }
    }
    XCTAssertNil(NormalizeReward(ScriptedTestEnv(observations: [0])).copy(), "no copy when the inner env has none")
  }
}

/// Mean and population variance, two passes.
private func twoPass(_ values: [Double]) -> (mean: Double, variance: Double) {
  let mean = values.reduce(0, +) / Double(values.count)
  return (mean, values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count))
}

/// What Gymnasium's RunningMeanStd holds after seeing `values`: the data's statistics merged with
/// its prior (mean 0, variance 1, count 1e-4).
private func statisticsWithPrior(_ values: [Double]) -> (mean: Double, variance: Double) {
  let (mean, variance) = twoPass(values)
  let prior = 1e-4, n = Double(values.count), total = n + prior
  return (n * mean / total, (prior + n * variance + mean * mean * prior * n / total) / total)
}

private extension Point {
  /// The first number of a box observation (NaN otherwise).
  var firstReal: Double {
    if case .reals(let values) = self, let value = values.first { return value }
    return .nan
  }
}
