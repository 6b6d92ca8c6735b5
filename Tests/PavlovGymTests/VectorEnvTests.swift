import Dispatch
import Foundation
import PavlovGym
import PavlovTensor
import XCTest

final class VectorEnvTests: XCTestCase {
  func testResetSeedsCopyIWithSeedPlusI() throws {
    let vec = try VectorEnv(count: 3, seed: 10) { _ in CounterTestEnv(limit: 4) }
    let (observations, infos) = try vec.reset()
    var expected: [Double] = [], expectedInfos: [Info] = []
    for i in 0..<3 {
      let reference = try CounterTestEnv(limit: 4).reset(seed: 10 + UInt64(i))
      expected += numbers(reference.observation)
      expectedInfos.append(reference.info)
    }
    XCTAssertEqual(observations, expected)
    XCTAssertEqual(infos, expectedInfos)
    XCTAssertEqual(try vec.reset(seed: 10).observations, expected, "an explicit seed does the same")
    XCTAssertNotEqual(try vec.reset().observations, expected, "later resets continue each copy's generator")
  }

  func testSameStepAutoresetKeepsTheFinalObservationApart() throws {
    let vec = try VectorEnv(count: 2, seed: 7) { _ in CounterTestEnv(limit: 2) }
    _ = try vec.reset()
    let reference = [CounterTestEnv(limit: 2), CounterTestEnv(limit: 2)]
    _ = try reference[0].reset(seed: 7)
    _ = try reference[1].reset(seed: 8)

    let first = try vec.step(discreteActions: [1, 0])
    XCTAssertEqual(first.finalObservations, [nil, nil])
    XCTAssertEqual(first.observations, try reference.flatMap { numbers(try $0.step(.int(0)).observation) })

    let second = try vec.step(discreteActions: [1, 0])
    XCTAssertEqual(second.terminated, [true, true])
    XCTAssertEqual(second.rewards, [2, 1])
    let lasts = try reference.map { try $0.step(.int(0)) }
    XCTAssertEqual(second.finalObservations, lasts.map(\.observation), "the ended episodes' last observations")
    XCTAssertEqual(second.finalInfos, [["count": .int(2)], ["count": .int(2)]])
    let restarts = try reference.map { try $0.reset(seed: nil) }
    XCTAssertEqual(second.observations, restarts.flatMap { numbers($0.observation) }, "rows are the new episodes' first")
    XCTAssertEqual(second.infos, restarts.map(\.info))
    XCTAssertEqual(second.observations[0], 0, "a reset observation counts 0 steps")

    let third = try vec.step(discreteActions: [0, 0])
    XCTAssertEqual(third.finalObservations, [nil, nil])
    XCTAssertEqual(third.terminated, [false, false])
  }

  func testTruncationAlsoAutoresets() throws {
    let vec = try VectorEnv(count: 1) { _ in TruncatingTestEnv(limit: 2) }
    _ = try vec.reset()
    _ = try vec.step(discreteActions: [0])
    let end = try vec.step(discreteActions: [2])
    XCTAssertEqual(end.truncated, [true])
    XCTAssertEqual(end.terminated, [false])
    XCTAssertEqual(end.finalObservations, [.reals([2])])
    XCTAssertEqual(end.observations, [0])
  }

  func testEpisodeStatisticsArriveInFinalInfos() throws {
    let vec = try VectorEnv(count: 2) { _ in RecordEpisodeStatistics(TruncatingTestEnv(limit: 3)) }
    _ = try vec.reset()
    var last: VectorStep?
    for _ in 0..<3 { last = try vec.step(actions: [.int(0), .int(1)]) }
    let episode = InfoValue.record(["r": .double(1.5), "l": .int(3)])
    XCTAssertEqual(last?.finalInfos, [["episode": episode], ["episode": episode]])
    XCTAssertEqual((vec.envs[1] as? RecordEpisodeStatistics)?.returnQueue, [1.5])
  }

  func testThreadCountDoesNotChangeResults() throws {
    func run(threads: Int) throws -> [VectorStep] {
      let vec = try VectorEnv(count: 5, seed: 3, threads: threads) { _ in RecordEpisodeStatistics(WalkTestEnv(size: 6)) }
      _ = try vec.reset()
      let policy = SeededGenerator(seed: 11)
      return try (0..<200).map { _ in try vec.step(discreteActions: (0..<5).map { _ in policy.nextInt(below: 2) }) }
    }
    let single = try run(threads: 1), double = try run(threads: 2)
    XCTAssertEqual(single.count, double.count)
    for (k, (a, b)) in zip(single, double).enumerated() where a != b {
      return XCTFail("step \(k + 1) differs between 1 and 2 threads")
    }
    XCTAssertTrue(single.contains { $0.finalObservations.contains { $0 != nil } }, "episodes did end")
    XCTAssertLessThanOrEqual(try VectorEnv(count: 3, threads: 64) { _ in WalkTestEnv(size: 3) }.threads, 3)
  }

  func testContinuousActionsGoToTheirRows() throws {
    let vec = try VectorEnv(count: 2) { _ in EchoTestEnv() }
    _ = try vec.reset()
    let result = try vec.step(continuousActions: [0.5, -0.5, 0.25, 1])
    XCTAssertEqual(result.observations, [0.5, -0.5, 0.25, 1])
    XCTAssertEqual(result.rewards, [0, 1.25])
    assertError(try vec.step(continuousActions: [0, 0, 2, 0]), contains: "invalid action for copy 1: element 0 is 2")
    assertError(try vec.step(continuousActions: [0, 0, 0]), contains: "got 3 numbers for 2 copies of 2 each")
    assertError(try vec.step(discreteActions: [0, 0]), contains: "needs a Discrete action space")
  }

  func testBadCallsSayWhatIsWrong() throws {
    let vec = try VectorEnv(count: 2) { _ in CounterTestEnv(limit: 3) }
    assertError(try vec.step(discreteActions: [0, 0]), contains: "step() before reset()")
    _ = try vec.reset()
    assertError(try vec.step(actions: [.int(0)]), contains: "got 1 actions for 2 copies")
    assertError(try vec.step(discreteActions: [0, 1, 1]), contains: "got 3 actions for 2 copies")
    assertError(try vec.step(actions: [.int(0), .int(5)]), contains: "invalid action for copy 1: 5 is outside Discrete(2)")
    assertError(try vec.step(discreteActions: [-1, 0]), contains: "invalid action for copy 0")
    assertError(try vec.step(continuousActions: [0, 0]), contains: "needs a Box action space")
    XCTAssertEqual(try vec.step(discreteActions: [0, 0]).observations[0], 1, "rejected actions stepped nothing")

    assertError(try VectorEnv(count: 2) { CounterTestEnv(limit: 2 + $0) }, contains: "copy 1 has spaces")
    assertError(try VectorEnv(count: 0) { _ in CounterTestEnv(limit: 2) }, contains: "count must be at least 1")
    assertError(try VectorEnv(id: "NoSuchEnv-v0", count: 2), contains: "no environment \"NoSuchEnv-v0\"")
  }

  func testAFailingCopyIsNamedAndForcesAReset() throws {
    let failing = try VectorEnv(count: 2) { i -> Environment in i == 1 ? ThrowingTestEnv() : CounterTestEnv(limit: 5) }
    _ = try failing.reset()
    assertError(try failing.step(discreteActions: [0, 0]), contains: "copy 1 failed in step(): broken on purpose")
    assertError(try failing.step(discreteActions: [0, 0]), contains: "before reset()")
  }

  /// Times 8 copies with 1 and 2 threads over steps of growing cost. Run with
  /// `PAVLOV_BENCH=1 swift test -c release --filter VectorEnvTests/testThreadingCrossover`.
  func testThreadingCrossover() throws {
    guard ProcessInfo.processInfo.environment["PAVLOV_BENCH"] != nil else { throw XCTSkip("set PAVLOV_BENCH=1 to time threading") }
    print("work/step  ns/step(1 env)  1 thread (µs/vector step)  2 threads  speed-up")
    for work in [0, 30, 300, 3000, 10000, 30000, 100_000] {
      let single = SpinTestEnv(work: work)
      let vectorSteps = Swift.max(200, 5_000_000 / (work + 100)), steps = vectorSteps * 8
      var checksum = 0.0  // read below, so the optimizer cannot drop the timed steps
      let envNanos = try time { for _ in 0..<steps { checksum += numbers(try single.step(.int(0)).observation)[0] } } / Double(steps)
      XCTAssertTrue(checksum.isFinite)
      var perStep: [Double] = []
      for threads in [1, 2] {
        let vec = try VectorEnv(count: 8, seed: 0, threads: threads) { _ in SpinTestEnv(work: work) }
        _ = try vec.reset()
        let actions = [Int](repeating: 0, count: 8)
        perStep.append(try time { for _ in 0..<vectorSteps { _ = try vec.step(discreteActions: actions) } } / Double(vectorSteps) / 1000)
      }
      print(String(format: "%9d  %14.0f  %25.2f  %9.2f  %8.2f", work, envNanos, perStep[0], perStep[1], perStep[0] / perStep[1]))
    }
  }

  private func time(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start)
  }
}

/// The numbers of a point, row-major (a discrete value as its integer).
private func numbers(_ point: Point) -> [Double] { point.asReals }

private func assertError<T>(_ expression: @autoclosure () throws -> T, contains text: String,
                    file: StaticString = #filePath, line: UInt = #line) {
  XCTAssertThrowsError(try expression(), file: file, line: line) { error in
    XCTAssertTrue("\(error)".contains(text), "\"\(error)\" does not contain \"\(text)\"", file: file, line: line)
  }
}

/// A step that costs `work` dependent multiply-adds (about a nanosecond each), to find where
/// threads start to pay.
private final class SpinTestEnv: Environment {
  let work: Int
  var state = 0.5
  init(work: Int) { self.work = work }
  var observationSpace: Space { .box(low: -.infinity, high: .infinity, shape: [4]) }
  var actionSpace: Space { .discrete(2) }
  func reset(seed: UInt64?) throws -> Reset { Reset(observation: .reals([state, 0, 0, 0])) }
  func step(_ action: Point) throws -> Step {
    var x = state
    for _ in 0..<work { x = x * 0.999_999 + 1e-7 }
    state = x
    return Step(observation: .reals([x, 1, 2, 3]), reward: 1, terminated: false)
  }
  func render() -> String { "\(state)" }
}
