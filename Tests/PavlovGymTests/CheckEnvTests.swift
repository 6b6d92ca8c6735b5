import PavlovGym
import PavlovTensor
import XCTest

final class CheckEnvTests: XCTestCase {
  func testWellBehavedEnvironmentsPass() throws {
    let envs: [Environment] = [
      CounterTestEnv(limit: 5), WalkTestEnv(size: 6), TruncatingTestEnv(limit: 4), EchoTestEnv(limit: 7),
      ScriptedTestEnv(observations: [1, 2, 3], rewards: [1], ends: [4]),
      ManagedEnvironment(CounterTestEnv(limit: 9), id: "Counter", maxEpisodeSteps: 4, seed: 1),
      try FrameStack(RecordEpisodeStatistics(WalkTestEnv(size: 4)), size: 3),
      try ClipAction(clipping: EchoTestEnv(limit: 3)),
    ]
    for env in envs {
      XCTAssertEqual(checkEnv(env), [], "\(type(of: env))")
    }
  }

  func testFlagsObservationsOutsideTheSpace() {
    let problems = checkEnv(FaultyTestEnv(.observationOutOfSpace))
    XCTAssertTrue(problems.first?.hasPrefix("step 3: observation [99, ") ?? false, "\(problems)")
    XCTAssertTrue(problems.first?.hasSuffix("is not in Box(0, [5 1], (2,)): element 0 is 99, outside [0, 5]") ?? false, "\(problems)")
  }

  func testFlagsNaN() {
    XCTAssertEqual(checkEnv(FaultyTestEnv(.nanReward), steps: 4), ["step 2: reward is nan; rewards must be finite numbers"])
    let problems = checkEnv(FaultyTestEnv(.nanObservation), steps: 3)
    XCTAssertEqual(problems.count, 1, "\(problems)")
    XCTAssertTrue(problems.first?.hasPrefix("step 2: observation [2, nan] has NaN at element 1") ?? false, "\(problems)")
  }

  func testFlagsAnEnvThatIgnoresItsSeed() {
    let problems = checkEnv(FaultyTestEnv(.ignoresSeed), seed: 3)
    XCTAssertEqual(problems.count, 1, "\(problems)")
    XCTAssertTrue(problems.first?.hasPrefix("with reset(seed: 3) and the same actions, the second run differs at reset(seed:): observation [0, ") ?? false,
                  "\(problems)")
  }

  func testFlagsACopyThatDoesNotContinue() {
    let problems = checkEnv(FaultyTestEnv(.copyForgetsGenerator), steps: 40)
    XCTAssertEqual(problems.count, 1, "\(problems)")
    XCTAssertTrue(problems.first?.hasPrefix("copy() at step 20 does not continue like the original at reset() after the episode ended at step 25") ?? false,
                  "\(problems)")
  }

  func testFlagsACopyThatDisturbsTheOriginal() {
    let problems = checkEnv(FaultyTestEnv(.copyDisturbsOriginal), steps: 40)
    XCTAssertTrue(problems.first?.hasPrefix("copy() disturbed the original: after the copy, the run differs at reset() after the episode ended at step 25") ?? false,
                  "\(problems)")
  }

  func testFlagsEmptyRenderMalformedSpacesAndThrowingSteps() {
    XCTAssertEqual(checkEnv(FaultyTestEnv(.emptyRender)), ["render() returned empty text; it should describe the current state"])
    XCTAssertEqual(checkEnv(FaultyTestEnv(.emptyActionSpace)), ["the action space Discrete(0) is empty; n must be at least 1"])
    XCTAssertEqual(checkEnv(ThrowingTestEnv()), ["step 1 (action 1) threw: broken on purpose"])
  }
}

/// `CounterTestEnv`'s task (limit 5) with one deliberate fault.
final class FaultyTestEnv: Environment {
  enum Fault {
    case observationOutOfSpace, nanReward, nanObservation, ignoresSeed, copyForgetsGenerator, copyDisturbsOriginal
    case emptyRender, emptyActionSpace
  }

  let fault: Fault
  let base = CounterTestEnv(limit: 5)
  init(_ fault: Fault) { self.fault = fault }

  var observationSpace: Space { base.observationSpace }
  var actionSpace: Space { fault == .emptyActionSpace ? .discrete(0) : base.actionSpace }

  func reset(seed: UInt64?) throws -> Reset {
    try base.reset(seed: fault == .ignoresSeed ? nil : seed)
  }

  func step(_ action: Point) throws -> Step {
    var result = try base.step(action)
    switch fault {
    case .observationOutOfSpace where base.count == 3: result.observation = .reals([99, base.offset])
    case .nanReward where base.count == 2: result.reward = .nan
    case .nanObservation where base.count == 2: result.observation = .reals([2, .nan])
    default: break
    }
    return result
  }

  func render() -> String { fault == .emptyRender ? "" : base.render() }

  func copy() -> Environment? {
    if fault == .copyDisturbsOriginal { _ = base.generator.nextDouble() }
    let twin = FaultyTestEnv(fault)
    twin.base.count = base.count
    twin.base.offset = base.offset
    if fault != .copyForgetsGenerator { twin.base.generator.copyState(from: base.generator) }
    return twin
  }
}

/// Every environment in the registry keeps the contract `check_env` checks.
final class RegisteredEnvsCheckTests: XCTestCase {
  func testEveryRegisteredEnvPassesCheckEnv() throws {
    XCTAssertGreaterThanOrEqual(EnvRegistry.ids.count, 14)
    for id in EnvRegistry.ids {
      let env = try EnvRegistry.make(id, seed: 3)
      XCTAssertEqual(checkEnv(env, steps: 300, seed: 5), [], id)
    }
  }
}
