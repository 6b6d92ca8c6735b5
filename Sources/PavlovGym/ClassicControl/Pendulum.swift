import Glibc

/// Gymnasium's `Pendulum-v1`: swing a pendulum up and hold it upright with a torque in [-2, 2].
/// Reward -(θ² + 0.1·θ̇² + 0.001·torque²) with θ normalised to [-π, π), so between -16.27 and 0;
/// the episode never terminates (the time limit truncates it at 200 steps).
///
/// Same constants and update as Gymnasium; float64 throughout.
public final class Pendulum: Environment {
  static let maxSpeed = 8.0
  static let maxTorque = 2.0
  static let dt = 0.05
  static let mass = 1.0
  static let length = 1.0

  public let observationSpace = Space.box(low: [-1, -1, -maxSpeed], high: [1, 1, maxSpeed], shape: [3])
  public let actionSpace = Space.box(low: -maxTorque, high: maxTorque, shape: [1])
  /// Gravitational acceleration (Gymnasium's `g`, 10 by default).
  public let gravity: Double

  /// Angle from upright (counter-clockwise positive) and angular velocity; settable, like
  /// Gymnasium's `env.unwrapped.state`.
  public var theta = 0.0, thetaDot = 0.0
  /// The last torque applied after clipping, for the picture; nil before the first step.
  public private(set) var lastTorque: Double?
  private let generator: SeededGenerator

  public init(gravity: Double = 10.0, seed: UInt64 = 0) {
    self.gravity = gravity
    generator = SeededGenerator(seed: seed)
  }

  private var observation: Point { .reals([cos(theta), sin(theta), thetaDot]) }

  public func reset(seed: UInt64?) throws -> Reset {
    if let seed { generator.reseed(seed) }
    theta = generator.uniform(-Double.pi, Double.pi)
    thetaDot = generator.uniform(-1, 1)
    lastTorque = nil
    return Reset(observation: observation)
  }

  public func step(_ action: Point) throws -> Step {
    guard case .reals(let values) = action, let requested = values.first else {
      throw CoreError("Pendulum-v1: action must be a list of one number in [-2, 2]")
    }
    let u = min(max(requested, -Self.maxTorque), Self.maxTorque)
    lastTorque = u
    let angle = Self.normalize(theta)
    let cost = angle * angle + 0.1 * (thetaDot * thetaDot) + 0.001 * (u * u)
    let (g, m, l, dt) = (gravity, Self.mass, Self.length, Self.dt)
    let accelerated = thetaDot + (3 * g / (2 * l) * sin(theta) + 3.0 / (m * l * l) * u) * dt
    thetaDot = min(max(accelerated, -Self.maxSpeed), Self.maxSpeed)
    theta += thetaDot * dt
    return Step(observation: observation, reward: -cost, terminated: false)
  }

  /// `angle` brought into [-π, π) the way Python's floored `%` does.
  static func normalize(_ angle: Double) -> Double {
    var wrapped = fmod(angle + Double.pi, 2 * Double.pi)
    if wrapped != 0, wrapped < 0 { wrapped += 2 * Double.pi }
    return wrapped - Double.pi
  }

  /// The rod from its pivot `+` to the bob `●`, upright at the top, with the last torque's turn.
  public func render() -> String {
    // Cells are 0.25 wide and 0.5 tall, about a terminal character's shape.
    var canvas = TextCanvas(width: 11, height: 5)
    func cell(_ x: Double, _ y: Double) -> (Double, Double) { ((x + 1.25) / 0.25, (1 - y) / 0.5) }
    let bob = (-sin(theta), cos(theta))
    canvas.line("#", from: cell(0, 0), to: cell(bob.0, bob.1))
    canvas.put("●", at: cell(bob.0, bob.1))
    canvas.put("+", at: cell(0, 0))
    let torque = lastTorque.map { "\(fixed($0, 2)) \($0 > 0 ? "↺" : $0 < 0 ? "↻" : "·")" } ?? "none yet"
    return canvas.text + "\n"
      + "θ \(fixed(Self.normalize(theta) * 180 / Double.pi, 1))°  ω \(fixed(thetaDot, 2))  torque \(torque)"
  }

  public func copy() -> Environment? {
    let twin = Pendulum(gravity: gravity)
    twin.generator.copyState(from: generator)
    (twin.theta, twin.thetaDot, twin.lastTorque) = (theta, thetaDot, lastTorque)
    return twin
  }
}
