import Glibc
import PavlovGym
import PavlovTensor
import XCTest

// The expected numbers below were computed with Python float64 arithmetic from Gymnasium's
// published equations (an independent transcription), not by running these environments, and
// agree to the last bit with Gymnasium 1.4.0's own float64 state for the same start states.

/// The observation's numbers, or an empty list (a failing comparison) for any other point.
private func reals(_ point: Point) -> [Double] {
  if case .reals(let values) = point { return values }
  return []
}

private func assertClose(_ actual: [Double], _ expected: [Double], accuracy: Double = 1e-12,
                         file: StaticString = #filePath, line: UInt = #line) {
  XCTAssertEqual(actual.count, expected.count, "sizes differ: \(actual) vs \(expected)", file: file, line: line)
  for (a, e) in zip(actual, expected) {
    XCTAssertEqual(a, e, accuracy: accuracy, "\(actual) vs \(expected)", file: file, line: line)
  }
}

final class ClassicControlTests: XCTestCase {
  // MARK: CartPole

  func testCartPoleStepsFollowTheEulerEquations() throws {
    let env = CartPole()
    _ = try env.reset(seed: 0)
    (env.x, env.xDot, env.theta, env.thetaDot) = (0.01, -0.02, 0.03, 0.04)
    let expected: [(Int, [Double])] = [
      (1, [0.009600000000000001, 0.17467919574755525, 0.030799999999999998, -0.2430687179600081]),
      (0, [0.013093583914951107, -0.020868848948191993, 0.025938625640799837, 0.0591679999394166]),
      (1, [0.012676206935987267, 0.1738717748734813, 0.02712198563958817, -0.22521957255967326]),
    ]
    for (action, state) in expected {
      let step = try env.step(.int(action))
      assertClose(reals(step.observation), state)
      XCTAssertEqual(step.reward, 1)
      XCTAssertFalse(step.terminated)
    }
  }

  func testCartPoleTerminatesPastTwelveDegreesOrTheTrackEdge() throws {
    let env = CartPole()
    _ = try env.reset(seed: 0)
    (env.x, env.xDot, env.theta, env.thetaDot) = (0, 0, 0.2, 0.5)
    let fell = try env.step(.int(1))
    assertClose(reals(fell.observation), [0.0, 0.1918240025983404, 0.21000000000000002, 0.2764083425922006])
    XCTAssertTrue(fell.terminated)
    XCTAssertEqual(fell.reward, 1, "the terminating step still pays 1, as in Gymnasium")

    (env.x, env.xDot, env.theta, env.thetaDot) = (0, 0, 0.2, 0.3)
    let held = try env.step(.int(1))
    assertClose(reals(held.observation), [0.0, 0.19179308010490753, 0.20600000000000002, 0.07645380174567623])
    XCTAssertFalse(held.terminated, "0.206 rad is inside the 12° (0.2094 rad) threshold")

    (env.x, env.xDot, env.theta, env.thetaDot) = (2.39, 1, 0, 0)
    XCTAssertTrue(try env.step(.int(1)).terminated, "x = 2.41 is past 2.4")
    (env.x, env.xDot, env.theta, env.thetaDot) = (-2.39, -1, 0, 0)
    XCTAssertTrue(try env.step(.int(0)).terminated, "x = -2.41 is past -2.4")
  }

  func testCartPoleRegistrationAndSpaces() throws {
    let spec = try XCTUnwrap(EnvRegistry.spec("CartPole-v1"))
    XCTAssertEqual(spec.maxEpisodeSteps, 500)
    XCTAssertEqual(spec.rewardThreshold, 475)
    let env = CartPole()
    XCTAssertEqual(env.actionSpace, .discrete(2))
    let high = [4.8, Double.infinity, 0.41887902047863906, Double.infinity]
    XCTAssertEqual(env.observationSpace, .box(low: high.map { -$0 }, high: high, shape: [4]))
  }

  func testCartPoleResetsUniformlyWithinFiveHundredths() throws {
    let env = CartPole()
    _ = try env.reset(seed: 11)
    var low = [Double](repeating: 1, count: 4), high = [Double](repeating: -1, count: 4)
    for _ in 0..<2000 {
      let start = reals(try env.reset(seed: nil).observation)
      XCTAssertEqual(start.count, 4)
      for i in 0..<4 {
        XCTAssertTrue(start[i] >= -0.05 && start[i] < 0.05, "start \(start)")
        low[i] = min(low[i], start[i])
        high[i] = max(high[i], start[i])
      }
    }
    for i in 0..<4 {
      XCTAssertLessThan(low[i], -0.049)
      XCTAssertGreaterThan(high[i], 0.049)
    }
  }

  func testCartPoleRandomPolicyFallsWellBeforeTheLimit() throws {
    let env = try EnvRegistry.make("CartPole-v1", seed: 3)
    var lengths: [Int] = []
    for _ in 0..<50 {
      _ = try env.reset(seed: nil)
      var total = 0.0, steps = 0, last: Step
      repeat {
        last = try env.step(env.actionSpace.sample(env.actionSampler))
        total += last.reward
        steps += 1
      } while !last.done
      XCTAssertTrue(last.terminated, "a random policy drops the pole before 500 steps")
      XCTAssertEqual(total, Double(steps), "reward 1 on every step, the last included")
      lengths.append(steps)
    }
    let average = Double(lengths.reduce(0, +)) / Double(lengths.count)
    XCTAssertTrue(average > 10 && average < 40, "random CartPole episodes average about 22 steps, got \(average)")
  }

  func testCartPoleRenderShowsCartPoleAndTrack() throws {
    let env = CartPole()
    _ = try env.reset(seed: 0)
    (env.x, env.xDot, env.theta, env.thetaDot) = (0, 0, 0.15, 0)
    let picture = env.render()
    let lines = picture.split(separator: "\n", omittingEmptySubsequences: false)
    XCTAssertEqual(lines.count, 6)
    XCTAssertFalse(picture.hasSuffix("\n"))
    XCTAssertEqual(lines[3], "                      [███]", "the cart sits mid-track at x = 0")
    XCTAssertTrue(lines[0].contains("╱"), "a pole leaning right is drawn with ╱:\n\(picture)")
    XCTAssertTrue(lines[5].contains("angle +8.6°"), String(lines[5]))
    (env.x, env.theta) = (-2.4, -0.15)
    let left = env.render().split(separator: "\n")
    XCTAssertTrue(left[3].hasPrefix("[███]"), "the cart sits at the left end at x = -2.4")
    XCTAssertTrue(left[0].contains("╲"))
  }

  // MARK: MountainCar

  func testMountainCarStepsWallAndGoal() throws {
    let env = MountainCar()
    _ = try env.reset(seed: 0)
    (env.position, env.velocity) = (-0.5, 0)
    let expected: [(Int, [Double])] = [
      (2, [-0.49917684300416926, 0.0008231569958307428]),
      (2, [-0.49753668667935325, 0.0016401563248160246]),
      (0, [-0.4970917969323474, 0.00044488974700586273]),
    ]
    for (action, state) in expected {
      let step = try env.step(.int(action))
      assertClose(reals(step.observation), state)
      XCTAssertEqual(step.reward, -1)
      XCTAssertFalse(step.terminated)
    }
    (env.position, env.velocity) = (-1.19, -0.02)
    XCTAssertEqual(reals(try env.step(.int(0)).observation), [-1.2, 0], "the left wall stops the car dead")
    (env.position, env.velocity) = (0.49, 0.02)
    let goal = try env.step(.int(2))
    assertClose(reals(goal.observation), [0.5107484356665326, 0.020748435666532672])
    XCTAssertTrue(goal.terminated)
    XCTAssertEqual(goal.reward, -1)
  }

  func testMountainCarGoalVelocityOption() throws {
    let env = try EnvRegistry.make("MountainCar-v0", options: ["goal_velocity": .number(0.05)])
    _ = try env.reset(seed: 1)
    let car = try XCTUnwrap(env.unwrapped as? MountainCar)
    (car.position, car.velocity) = (0.49, 0.02)
    XCTAssertFalse(try env.step(.int(2)).terminated, "at the flag but slower than goal_velocity")
    XCTAssertEqual(EnvRegistry.spec("MountainCar-v0")?.maxEpisodeSteps, 200)
    XCTAssertEqual(EnvRegistry.spec("MountainCar-v0")?.rewardThreshold, -110)
    XCTAssertEqual(car.observationSpace, .box(low: [-1.2, -0.07], high: [0.6, 0.07], shape: [2]))
  }

  func testMountainCarStartsInTheValleyAtRest() throws {
    for id in ["MountainCar-v0", "MountainCarContinuous-v0"] {
      let env = try EnvRegistry.make(id, seed: 4)
      for _ in 0..<500 {
        let start = reals(try env.reset(seed: nil).observation)
        XCTAssertTrue(start[0] >= -0.6 && start[0] < -0.4, "\(id) start \(start)")
        XCTAssertEqual(start[1], 0)
      }
    }
  }

  func testMountainCarRenderDrawsHillCarAndFlag() throws {
    let env = MountainCar()
    _ = try env.reset(seed: 0)
    (env.position, env.velocity) = (-0.5235987755982988, 0.01)
    let picture = env.render()
    let lines = picture.split(separator: "\n")
    XCTAssertEqual(lines.count, 7)
    XCTAssertFalse(picture.hasSuffix("\n"))
    XCTAssertTrue(picture.contains("●") && picture.contains("⚑"), picture)
    XCTAssertEqual(lines[4].firstIndex(of: "●"), lines[4].index(lines[4].startIndex, offsetBy: 14),
                   "the car sits in the valley bottom, one row above the lowest ground:\n\(picture)")
    XCTAssertEqual(lines[6], "position -0.524  velocity +0.0100  goal +0.50")
  }

  // MARK: MountainCarContinuous

  /// Gymnasium rounds this env's state to float32 each step; these figures are the float64 ones.
  func testMountainCarContinuousStepsClipAndReward() throws {
    let env = MountainCarContinuous()
    _ = try env.reset(seed: 0)
    (env.position, env.velocity) = (-0.5, 0)
    let first = try env.step(.reals([0.7]))
    assertClose(reals(first.observation), [-0.49912684300416926, 0.0008731569958307427])
    XCTAssertEqual(first.reward, -0.048999999999999995, accuracy: 1e-15)
    let second = try env.step(.reals([-0.3]))
    assertClose(reals(second.observation), [-0.49888706067126626, 0.0002397823329030053])
    XCTAssertEqual(second.reward, -0.009, accuracy: 1e-15)

    // The bare env clips the throttle for the dynamics but charges the action as given.
    (env.position, env.velocity) = (-0.5, 0)
    let over = try env.step(.reals([1.5]))
    assertClose(reals(over.observation), [-0.49867684300416926, 0.0013231569958307428])
    XCTAssertEqual(over.reward, -0.225, accuracy: 1e-15)

    (env.position, env.velocity) = (0.44, 0.02)
    let goal = try env.step(.reals([0.5]))
    assertClose(reals(goal.observation), [0.4601295613708691, 0.02012956137086907])
    XCTAssertTrue(goal.terminated)
    XCTAssertEqual(goal.reward, 99.975, accuracy: 1e-12)
  }

  func testMountainCarContinuousRegistration() throws {
    let spec = try XCTUnwrap(EnvRegistry.spec("MountainCarContinuous-v0"))
    XCTAssertEqual(spec.maxEpisodeSteps, 999)
    XCTAssertEqual(spec.rewardThreshold, 90)
    let env = try EnvRegistry.make("MountainCarContinuous-v0", seed: 0)
    XCTAssertEqual(env.actionSpace, .box(low: -1, high: 1, shape: [1]))
    _ = try env.reset(seed: nil)
    XCTAssertThrowsError(try env.step(.reals([1.5])), "make's wrapper rejects actions outside the box")
  }

  // MARK: Acrobot

  func testAcrobotStepsFollowTheBookDynamicsWithRK4() throws {
    let env = Acrobot()
    _ = try env.reset(seed: 0)
    env.state = (0.05, -0.03, 0.02, 0.01)
    let first = try env.step(.int(2))
    let s1 = env.state
    assertClose([s1.theta1, s1.theta2, s1.velocity1, s1.velocity2],
                [0.03396426807716706, 0.014028356136744108, -0.175464650251537, 0.4197156022652691])
    XCTAssertEqual(first.reward, -1)
    XCTAssertFalse(first.terminated)
    let second = try env.step(.int(0))
    assertClose(reals(second.observation),
                [0.9999474035213403, 0.010256226934397235, 0.998121475729519, 0.06126597495777821,
                 -0.05558414607650376, 0.0417371113112644])
  }

  func testAcrobotReachingTheLineEndsWithRewardZero() throws {
    let env = Acrobot()
    _ = try env.reset(seed: 0)
    env.state = (2.5, 0.5, 1.0, 1.0)
    let step = try env.step(.int(2))
    let s = env.state
    assertClose([s.theta1, s.theta2, s.velocity1, s.velocity2],
                [2.6225583935264876, 0.8165783774737685, 0.26240748759900545, 2.1710625996197495])
    XCTAssertTrue(step.terminated)
    XCTAssertEqual(step.reward, 0)
    XCTAssertGreaterThan(env.tipHeight, 1)
  }

  func testAcrobotWrapsAnglesIntoPlusMinusPi() throws {
    let env = Acrobot()
    _ = try env.reset(seed: 0)
    env.state = (3.1, -3.1, 4.0, -5.0)
    _ = try env.step(.int(1))
    let s = env.state
    assertClose([s.theta1, s.theta2, s.velocity1, s.velocity2],
                [-2.357707550859005, 2.1343908740726736, 4.413177657014717, -5.812852882449373])
  }

  func testAcrobotResetAndRegistration() throws {
    let spec = try XCTUnwrap(EnvRegistry.spec("Acrobot-v1"))
    XCTAssertEqual(spec.maxEpisodeSteps, 500)
    XCTAssertEqual(spec.rewardThreshold, -100)
    let env = Acrobot()
    let high = [1, 1, 1, 1, 4 * Double.pi, 9 * Double.pi]
    XCTAssertEqual(env.observationSpace, .box(low: high.map { -$0 }, high: high, shape: [6]))
    _ = try env.reset(seed: 8)
    for _ in 0..<500 {
      let observation = reals(try env.reset(seed: nil).observation)
      let s = env.state
      for value in [s.theta1, s.theta2, s.velocity1, s.velocity2] { XCTAssertTrue(value >= -0.1 && value < 0.1) }
      assertClose(observation, [cos(s.theta1), sin(s.theta1), cos(s.theta2), sin(s.theta2), s.velocity1, s.velocity2])
    }
  }

  // MARK: Pendulum

  func testPendulumStepsClipAndReward() throws {
    let env = Pendulum()
    _ = try env.reset(seed: 0)
    (env.theta, env.thetaDot) = (1.0, 0.5)
    let step = try env.step(.reals([1.5]))
    XCTAssertEqual(env.theta, 1.0678051619302962, accuracy: 1e-12)
    assertClose(reals(step.observation), [0.48204838409011624, 0.8761445973103457, 1.3561032386059226])
    XCTAssertEqual(step.reward, -1.02725, accuracy: 1e-12)
    XCTAssertFalse(step.terminated)

    // θ = 4 is normalised to 4 - 2π for the cost; the torque 3 is clipped to 2, the speed to -8.
    (env.theta, env.thetaDot) = (4.0, -7.9)
    let clipped = try env.step(.reals([3.0]))
    XCTAssertEqual(env.theta, 3.6, accuracy: 1e-12)
    XCTAssertEqual(env.thetaDot, -8)
    XCTAssertEqual(clipped.reward, -11.457935146920741, accuracy: 1e-12)
  }

  func testPendulumGravityOption() throws {
    let env = try EnvRegistry.make("Pendulum-v1", options: ["g": .number(9.81)])
    _ = try env.reset(seed: 0)
    let pendulum = try XCTUnwrap(env.unwrapped as? Pendulum)
    (pendulum.theta, pendulum.thetaDot) = (1.0, 0.5)
    _ = try env.step(.reals([1.5]))
    XCTAssertEqual(pendulum.theta, 1.0672056138536206, accuracy: 1e-12)
    XCTAssertEqual(pendulum.thetaDot, 1.3441122770724099, accuracy: 1e-12)
  }

  func testPendulumRewardsStayInGymnasiumsBoundsAndEpisodesTruncate() throws {
    let env = try EnvRegistry.make("Pendulum-v1", seed: 21)
    XCTAssertNil(EnvRegistry.spec("Pendulum-v1")?.rewardThreshold)
    for _ in 0..<5 {
      let start = try env.reset(seed: nil)
      let pendulum = try XCTUnwrap(env.unwrapped as? Pendulum)
      XCTAssertTrue(pendulum.theta >= -Double.pi && pendulum.theta < Double.pi)
      XCTAssertTrue(pendulum.thetaDot >= -1 && pendulum.thetaDot < 1)
      XCTAssertEqual(reals(start.observation)[2], pendulum.thetaDot)
      var steps = 0, last: Step
      repeat {
        last = try env.step(env.actionSpace.sample(env.actionSampler))
        steps += 1
        XCTAssertTrue(last.reward <= 0 && last.reward >= -16.27360440108936, "reward \(last.reward)")
        XCTAssertFalse(last.terminated)
      } while !last.done
      XCTAssertEqual(steps, 200)
      XCTAssertTrue(last.truncated)
    }
  }

  func testPendulumRenderShowsRodAndTorque() throws {
    let env = Pendulum()
    _ = try env.reset(seed: 0)
    (env.theta, env.thetaDot) = (0, 0)
    XCTAssertEqual(env.render(), "     ●\n     #\n     +\n\n\nθ +0.0°  ω +0.00  torque none yet")
    _ = try env.step(.reals([-1]))
    XCTAssertTrue(env.render().hasSuffix("torque -1.00 ↻"), env.render())
  }

  // MARK: All of them

  private let classicIDs = ["CartPole-v1", "MountainCar-v0", "MountainCarContinuous-v0", "Acrobot-v1", "Pendulum-v1"]

  /// Runs `steps` random steps (restarting after an episode ends) and records everything seen.
  private func trajectory(_ env: ManagedEnvironment, steps: Int, seed: UInt64?) throws -> [Double] {
    var seen = reals(try env.reset(seed: seed).observation)
    for _ in 0..<steps {
      let step = try env.step(env.actionSpace.sample(env.actionSampler))
      seen += reals(step.observation) + [step.reward]
      if step.done { seen += reals(try env.reset(seed: nil).observation) }
    }
    return seen
  }

  func testTheSameSeedGivesTheSameTrajectory() throws {
    for id in classicIDs {
      let first = try trajectory(try EnvRegistry.make(id, seed: 42), steps: 300, seed: nil)
      let second = try trajectory(try EnvRegistry.make(id, seed: 42), steps: 300, seed: nil)
      let other = try trajectory(try EnvRegistry.make(id, seed: 43), steps: 300, seed: nil)
      XCTAssertEqual(first, second, id)
      XCTAssertNotEqual(first, other, id)
      let start = try trajectory(try EnvRegistry.make(id, seed: 1), steps: 0, seed: 42)
      XCTAssertEqual(start[...], first.prefix(start.count), "\(id): reset(seed: 42) starts where make(seed: 42) does")
    }
  }

  func testCopyContinuesIdentically() throws {
    for id in classicIDs {
      let env = try EnvRegistry.make(id, seed: 7)
      _ = try trajectory(env, steps: 25, seed: nil)
      let twin = try XCTUnwrap(env.copy() as? ManagedEnvironment, id)
      XCTAssertEqual(twin.render(), env.render(), id)
      XCTAssertEqual(try trajectory(twin, steps: 200, seed: nil), try trajectory(env, steps: 200, seed: nil), id)
    }
  }

  func testRendersAreAFewLinesWithoutATrailingNewline() throws {
    for id in classicIDs {
      let env = try EnvRegistry.make(id, seed: 0)
      _ = try env.reset(seed: nil)
      let picture = env.render()
      XCTAssertFalse(picture.hasSuffix("\n"), id)
      XCTAssertLessThanOrEqual(picture.split(separator: "\n").count, 10, "\(id):\n\(picture)")
    }
  }

  func testRendersSurviveWildStates() throws {
    for wild in [Double.nan, .infinity, -1e300, 1e300] {
      let cart = CartPole()
      (cart.x, cart.theta) = (wild, wild)
      XCTAssertTrue(cart.render().contains("[███]"))
      let car = MountainCar()
      car.position = wild
      XCTAssertTrue(car.render().contains("●"))
      let acrobot = Acrobot()
      acrobot.state = (wild, wild, wild, wild)
      XCTAssertTrue(acrobot.render().contains("θ1"))
      let pendulum = Pendulum()
      pendulum.theta = wild
      XCTAssertTrue(pendulum.render().contains("+"))
    }
  }

  func testBadOptionsNameTheEnvironmentAndOption() {
    XCTAssertThrowsError(try EnvRegistry.make("Pendulum-v1", options: ["g": .string("strong")])) { error in
      XCTAssertEqual("\(error)", "Pendulum-v1: option g must be a number, got a string")
    }
    XCTAssertThrowsError(try EnvRegistry.make("Pendulum-v1", options: ["g": .number(.nan)])) { error in
      XCTAssertTrue("\(error)".hasPrefix("Pendulum-v1: option g must be a finite number"), "\(error)")
    }
    XCTAssertThrowsError(try EnvRegistry.make("CartPole-v1", options: ["gravity": .number(3)])) { error in
      XCTAssertTrue("\(error)".hasPrefix("CartPole-v1 has no option gravity"), "\(error)")
    }
  }

  func testBareEnvironmentsRejectMalformedActionsWithoutCrashing() throws {
    let envs: [(Environment, Point)] = [
      (MountainCar(), .int(Int.min)), (MountainCarContinuous(), .reals([])), (Acrobot(), .int(3)), (Pendulum(), .int(0)),
    ]
    for (env, action) in envs {
      _ = try env.reset(seed: 0)
      XCTAssertThrowsError(try env.step(action), "\(type(of: env))")
    }
  }

  /// Not a timed assertion: prints the bare CartPole's cost per step in whatever build runs the
  /// tests (a debug build is several times slower than an optimised one).
  func testCartPoleStepTime() throws {
    let env = CartPole()
    _ = try env.reset(seed: 0)
    let steps = 1_000_000
    // A fixed pattern that drops the pole every few dozen steps, so resets are timed too.
    let push = Point.int(1), pull = Point.int(0)
    var episodes = 0
    let start = monotonicNanoseconds()
    for i in 0..<steps {
      let step = try env.step(i % 7 < 4 ? push : pull)
      if step.terminated {
        episodes += 1
        _ = try env.reset(seed: nil)
      }
    }
    let elapsed = Double(monotonicNanoseconds() - start)
    print("CartPole bare step: \(fixedPoint(elapsed / Double(steps))) ns/step over \(steps) steps (\(episodes) episodes)")
  }
}

private func monotonicNanoseconds() -> UInt64 {
  var time = timespec()
  clock_gettime(CLOCK_MONOTONIC, &time)
  return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
}

private func fixedPoint(_ value: Double) -> String { String(Double(Int(value * 10)) / 10) }
