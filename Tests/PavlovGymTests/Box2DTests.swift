import PavlovCore
@testable import PavlovGym
import XCTest

private func reals(_ point: Point) -> [Double] {
  if case .reals(let values) = point { return values }
  return []
}

/// Gymnasium's shaping for LunarLander, from an observation.
private func landerShaping(_ s: [Double]) -> Double {
  -100 * (s[0] * s[0] + s[1] * s[1]).squareRoot() - 100 * (s[2] * s[2] + s[3] * s[3]).squareRoot()
    - 100 * abs(s[4]) + 10 * s[6] + 10 * s[7]
}

/// Gymnasium's demonstration controller for LunarLander (`heuristic` in lunar_lander.py).
func landerHeuristic(_ s: [Double], continuous: Bool) -> Point {
  let angleTarget = min(max(s[0] * 0.5 + s[2] * 1.0, -0.4), 0.4)
  let hoverTarget = 0.55 * abs(s[0])
  var angleTodo = (angleTarget - s[4]) * 0.5 - s[5] * 1.0
  var hoverTodo = (hoverTarget - s[1]) * 0.5 - s[3] * 0.5
  if s[6] > 0 || s[7] > 0 {
    angleTodo = 0
    hoverTodo = -s[3] * 0.5
  }
  if continuous { return .reals([min(max(hoverTodo * 20 - 1, -1), 1), min(max(-angleTodo * 20, -1), 1)]) }
  if hoverTodo > abs(angleTodo), hoverTodo > 0.05 { return .int(2) }
  if angleTodo < -0.05 { return .int(3) }
  if angleTodo > 0.05 { return .int(1) }
  return .int(0)
}

final class Box2DTests: XCTestCase {
  // MARK: LunarLander

  func testLanderRewardIsTheShapingChangeLessTheFuel() throws {
    let env = try LunarLander()
    var previous = reals(try env.reset(seed: 3).observation)
    let script = [2, 2, 1, 0, 3, 2, 2, 0, 1, 1, 3, 2]
    for t in 0..<120 {
      let action = script[t % script.count]
      let step = try env.step(.int(action))
      let s = reals(step.observation)
      if step.terminated { break }
      let fuel = (action == 2 ? 0.3 : 0) + (action == 1 || action == 3 ? 0.03 : 0)
      XCTAssertEqual(step.reward, landerShaping(s) - landerShaping(previous) - fuel, accuracy: 1e-9, "step \(t)")
      previous = s
    }
  }

  func testContinuousThrottlesScaleTheFuelAsGymnasiumDoes() throws {
    let env = try LunarLander(continuous: true)
    var previous = reals(try env.reset(seed: 5).observation)
    // (main, lateral) → main burns 50–100% above 0, the side engine 50–100% beyond ±0.5.
    let cases: [([Double], Double)] = [
      ([0.5, 0.7], 0.75 * 0.3 + 0.7 * 0.03), ([-0.3, 0.2], 0), ([1, -1], 0.3 + 0.03),
      ([0, -0.5], 0), ([0.01, 0.51], 0.505 * 0.3 + 0.51 * 0.03),
    ]
    for (action, fuel) in cases {
      let step = try env.step(.reals(action))
      let s = reals(step.observation)
      XCTAssertFalse(step.terminated)
      XCTAssertEqual(step.reward, landerShaping(s) - landerShaping(previous) - fuel, accuracy: 1e-9, "\(action)")
      previous = s
    }
  }

  func testLanderThatFallsWithEnginesOffCrashesForMinusOneHundred() throws {
    let env = try LunarLander()
    _ = try env.reset(seed: 0)
    var last: Step?
    for _ in 0..<1000 {
      last = try env.step(.int(0))
      if last!.terminated { break }
    }
    XCTAssertEqual(last?.terminated, true)
    XCTAssertEqual(last?.reward, -100)
  }

  func testHeuristicLandingComesToRestForPlusOneHundred() throws {
    for continuous in [false, true] {
      let env = try LunarLander(continuous: continuous)
      var s = reals(try env.reset(seed: 1).observation)
      var last: Step?
      for _ in 0..<1000 {
        last = try env.step(landerHeuristic(s, continuous: continuous))
        s = reals(last!.observation)
        if last!.terminated { break }
      }
      XCTAssertEqual(last?.terminated, true, "continuous \(continuous)")
      XCTAssertEqual(last?.reward, 100, "continuous \(continuous)")
      XCTAssertEqual(Array(s[6...7]), [1, 1], "both legs down")
    }
  }

  func testWindPushesTheLanderOnlyWhenEnabled() throws {
    func drift(wind: Bool) throws -> Double {
      let env = try LunarLander(enableWind: wind, windPower: 20, turbulencePower: 2)
      _ = try env.reset(seed: 7)
      var s: [Double] = []
      for _ in 0..<30 { s = reals(try env.step(.int(0)).observation) }
      return s[2]
    }
    let calm = try drift(wind: false), windy = try drift(wind: true)
    XCTAssertEqual(calm, try drift(wind: false), "the same seed gives the same flight")
    XCTAssertNotEqual(calm, windy)
  }

  func testSameSeedGivesTheSameBits() throws {
    func run(_ id: String) throws -> [UInt64] {
      let env = try EnvRegistry.make(id, seed: 11)
      var bits = reals(try env.reset(seed: nil).observation).map(\.bitPattern)
      for _ in 0..<200 {
        let step = try env.step(env.actionSpace.sample(env.actionSampler))
        bits += reals(step.observation).map(\.bitPattern) + [step.reward.bitPattern]
        if step.terminated || step.truncated { _ = try env.reset(seed: nil) }
      }
      return bits
    }
    for id in ["LunarLander-v3", "LunarLanderContinuous-v3", "BipedalWalker-v3", "BipedalWalkerHardcore-v3"] {
      XCTAssertEqual(try run(id), try run(id), id)
    }
  }

  func testLanderOptionsAreChecked() throws {
    XCTAssertThrowsError(try EnvRegistry.make("LunarLander-v3", options: ["gravity": .number(-13)])) { error in
      XCTAssertTrue("\(error)".contains("gravity must be between -12 and 0"), "\(error)")
    }
    XCTAssertThrowsError(try EnvRegistry.make("LunarLander-v3", options: ["wind": .bool(true)])) { error in
      XCTAssertTrue("\(error)".contains("enable_wind"), "the error lists the known options: \(error)")
    }
    let continuous = try EnvRegistry.make("LunarLander-v3", options: ["continuous": .bool(true)])
    XCTAssertEqual(continuous.actionSpace, .box(low: -1, high: 1, shape: [2]))
    XCTAssertThrowsError(try continuous.step(.reals([0, 0])), "step before reset")
  }

  func testLanderRendersTheGroundPadAndCraft() throws {
    let env = try LunarLander()
    XCTAssertEqual(env.render(), "LunarLander-v3 (not reset)")
    _ = try env.reset(seed: 0)
    for _ in 0..<3 { _ = try env.step(.int(2)) }
    let picture = env.render()
    for mark in ["=", "|", "O", "/", "\\", "engines main +1.00"] { XCTAssertTrue(picture.contains(mark), "\(mark) in\n\(picture)") }
  }

  // MARK: BipedalWalker

  func testWalkerRewardIsProgressLessHullTiltAndTorque() throws {
    let env = BipedalWalker()
    var s = reals(try env.reset(seed: 2).observation)
    var x = env.hullPosition!.x
    let script: [[Double]] = [[0.8, -0.3, -0.8, 0.3], [0.2, 1, -0.5, -1], [-1, 0, 1, 0.5], [0, 0.1, 0, -0.1]]
    for t in 0..<80 {
      let action = script[t % script.count]
      let step = try env.step(.reals(action))
      if step.terminated { break }
      let next = reals(step.observation), nextX = env.hullPosition!.x
      let shaping = { (x: Double, angle: Double) in 130 * x / 30 - 5 * abs(angle) }
      let torque = action.reduce(0) { $0 + 0.00035 * 80 * abs($1) }
      XCTAssertEqual(step.reward, shaping(nextX, next[0]) - shaping(x, s[0]) - torque, accuracy: 1e-9, "step \(t)")
      (s, x) = (next, nextX)
    }
  }

  func testLimpWalkerFallsOnItsHullForMinusOneHundred() throws {
    let env = BipedalWalker()
    _ = try env.reset(seed: 0)
    var last: Step?
    for _ in 0..<500 {
      last = try env.step(.reals([0, 0, 0, 0]))
      if last!.terminated { break }
    }
    XCTAssertEqual(last?.terminated, true)
    XCTAssertEqual(last?.reward, -100)
  }

  func testLidarSeesTheGroundBelowAndNothingAhead() throws {
    let env = BipedalWalker()
    let s = reals(try env.reset(seed: 0).observation)
    XCTAssertEqual(s.count, 24)
    let lidar = Array(s[14...])
    XCTAssertTrue(lidar.allSatisfy { $0 > 0 && $0 <= 1 }, "\(lidar)")
    XCTAssertLessThan(lidar[0], 1, "the straight-down ray meets the ground")
    XCTAssertLessThan(lidar[0], lidar[9], "the ground is nearest straight down")
  }

  func testHardcoreGroundHasObstaclesAndTheNormalOneNone() throws {
    let normal = BipedalTerrain(hardcore: false, generator: SeededGenerator(seed: 4))
    let hardcore = BipedalTerrain(hardcore: true, generator: SeededGenerator(seed: 4))
    XCTAssertTrue(normal.obstacles.isEmpty)
    XCTAssertGreaterThan(hardcore.obstacles.count, 5)
    XCTAssertEqual(normal.profile.count, 200)
    XCTAssertEqual(hardcore.profile.count, 200)
    // The start pad is flat in both.
    XCTAssertEqual(Set(hardcore.profile.prefix(20).map(\.1)).count, 1)
  }

  func testWalkerRendersItsStretchOfGround() throws {
    let env = BipedalWalker(hardcore: true)
    XCTAssertEqual(env.render(), "BipedalWalkerHardcore-v3 (not reset)")
    _ = try env.reset(seed: 0)
    let picture = env.render()
    // The legs hang together at the start, the right pair drawn over the left.
    for mark in ["H", "_", "\\", "% of the course"] { XCTAssertTrue(picture.contains(mark), "\(mark) in\n\(picture)") }
  }
}
