import Glibc

/// Gymnasium's `Acrobot-v1` (Sutton's acrobot): two links hang from a fixed pivot and only the
/// joint between them is driven, with torque -1, 0 or +1 (actions 0, 1, 2). Swing the tip above
/// one link's length over the pivot. Reward -1 per step, 0 on the step that reaches it.
///
/// Same constants, book dynamics and single RK4 step of 0.2 s as Gymnasium; the start state
/// stays float64 where Gymnasium rounds it to float32.
public final class Acrobot: Environment {
  static let dt = 0.2
  static let linkLength1 = 1.0
  static let linkMass1 = 1.0, linkMass2 = 1.0
  /// Distance from each link's joint to its centre of mass.
  static let linkCenter1 = 0.5, linkCenter2 = 0.5
  static let linkInertia = 1.0
  static let gravity = 9.8
  static let maxVelocity1 = 4 * Double.pi
  static let maxVelocity2 = 9 * Double.pi
  static let torques = [-1.0, 0.0, 1.0]

  public let observationSpace = Space.box(
    low: [-1, -1, -1, -1, -maxVelocity1, -maxVelocity2], high: [1, 1, 1, 1, maxVelocity1, maxVelocity2], shape: [6])
  public let actionSpace = Space.discrete(3)

  /// θ1 (first link from straight down), θ2 (second link relative to the first), and their
  /// angular velocities. Settable, like Gymnasium's `env.unwrapped.state`.
  public var state: (theta1: Double, theta2: Double, velocity1: Double, velocity2: Double) = (0, 0, 0, 0)
  private let generator: SeededGenerator

  public init(seed: UInt64 = 0) {
    generator = SeededGenerator(seed: seed)
  }

  private var observation: Point {
    let s = state
    return .reals([cos(s.theta1), sin(s.theta1), cos(s.theta2), sin(s.theta2), s.velocity1, s.velocity2])
  }

  public func reset(seed: UInt64?) throws -> Reset {
    if let seed { generator.reseed(seed) }
    state = (generator.uniform(-0.1, 0.1), generator.uniform(-0.1, 0.1),
             generator.uniform(-0.1, 0.1), generator.uniform(-0.1, 0.1))
    return Reset(observation: observation)
  }

  public func step(_ action: Point) throws -> Step {
    guard case .int(let index) = action, Self.torques.indices.contains(index) else {
      throw CoreError("Acrobot-v1: action must be 0, 1 or 2")
    }
    let next = Self.rungeKutta(SIMD4(state.theta1, state.theta2, state.velocity1, state.velocity2), torque: Self.torques[index])
    state = (Self.wrap(next[0]), Self.wrap(next[1]),
             min(max(next[2], -Self.maxVelocity1), Self.maxVelocity1),
             min(max(next[3], -Self.maxVelocity2), Self.maxVelocity2))
    let terminated = tipHeight > 1.0
    return Step(observation: observation, reward: terminated ? 0 : -1, terminated: terminated)
  }

  /// Height of the free end above the pivot, in link lengths (the goal is above 1).
  public var tipHeight: Double { -cos(state.theta1) - cos(state.theta2 + state.theta1) }

  /// Brings an angle into [-π, π] by whole turns, as Gymnasium's `wrap` does.
  static func wrap(_ angle: Double) -> Double {
    guard angle.isFinite else { return angle }
    var x = angle
    while x > Double.pi { x -= 2 * Double.pi }
    while x < -Double.pi { x += 2 * Double.pi }
    return x
  }

  /// One classic fourth-order Runge-Kutta step of length `dt` with the torque held fixed.
  static func rungeKutta(_ y: SIMD4<Double>, torque: Double) -> SIMD4<Double> {
    let half = dt / 2.0
    let k1 = derivatives(y, torque: torque)
    let k2 = derivatives(y + half * k1, torque: torque)
    let k3 = derivatives(y + half * k2, torque: torque)
    let k4 = derivatives(y + dt * k3, torque: torque)
    return y + dt / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4)
  }

  /// The acrobot's equations of motion as given in Sutton and Barto's book (Gymnasium's
  /// default "book" dynamics): d/dt of (θ1, θ2, θ̇1, θ̇2).
  static func derivatives(_ s: SIMD4<Double>, torque a: Double) -> SIMD4<Double> {
    let m1 = linkMass1, m2 = linkMass2, l1 = linkLength1, lc1 = linkCenter1, lc2 = linkCenter2
    let i1 = linkInertia, i2 = linkInertia, g = gravity
    let theta1 = s[0], theta2 = s[1], dtheta1 = s[2], dtheta2 = s[3]
    let d1 = m1 * (lc1 * lc1) + m2 * (l1 * l1 + lc2 * lc2 + 2 * l1 * lc2 * cos(theta2)) + i1 + i2
    let d2 = m2 * (lc2 * lc2 + l1 * lc2 * cos(theta2)) + i2
    let phi2 = m2 * lc2 * g * cos(theta1 + theta2 - Double.pi / 2.0)
    let phi1 = -m2 * l1 * lc2 * (dtheta2 * dtheta2) * sin(theta2)
      - 2 * m2 * l1 * lc2 * dtheta2 * dtheta1 * sin(theta2)
      + (m1 * lc1 + m2 * l1) * g * cos(theta1 - Double.pi / 2)
      + phi2
    let ddtheta2 = (a + d2 / d1 * phi1 - m2 * l1 * lc2 * (dtheta1 * dtheta1) * sin(theta2) - phi2)
      / (m2 * (lc2 * lc2) + i2 - d2 * d2 / d1)
    let ddtheta1 = -(d2 * ddtheta2 + phi1) / d1
    return SIMD4(dtheta1, dtheta2, ddtheta1, ddtheta2)
  }

  /// The two links seen from the front, the pivot `+`, the joint `o`, the tip `*`, and the
  /// dotted goal line one link above the pivot.
  public func render() -> String {
    // Cells are 0.25 wide and 0.5 tall, about a terminal character's shape.
    var canvas = TextCanvas(width: 17, height: 9)
    func cell(_ x: Double, _ y: Double) -> (Double, Double) { ((x + 2) / 0.25, (2 - y) / 0.5) }
    canvas.write(String(repeating: "┈", count: 17), column: 0, row: 2)
    let (t1, t2) = (state.theta1, state.theta2)
    let joint = (sin(t1), -cos(t1))
    let tip = (joint.0 + sin(t1 + t2), joint.1 - cos(t1 + t2))
    canvas.line("#", from: cell(0, 0), to: cell(joint.0, joint.1))
    canvas.line("#", from: cell(joint.0, joint.1), to: cell(tip.0, tip.1))
    canvas.put("+", at: cell(0, 0))
    canvas.put("o", at: cell(joint.0, joint.1))
    canvas.put("*", at: cell(tip.0, tip.1))
    let degrees = 180 / Double.pi
    return canvas.text + "\n"
      + "θ1 \(fixed(t1 * degrees, 1))°  θ2 \(fixed(t2 * degrees, 1))°  "
      + "ω1 \(fixed(state.velocity1, 2))  ω2 \(fixed(state.velocity2, 2))  tip \(fixed(tipHeight, 2)) (goal > 1)"
  }

  public func copy() -> Environment? {
    let twin = Acrobot()
    twin.generator.copyState(from: generator)
    twin.state = state
    return twin
  }
}
