import Glibc

/// Gymnasium's `CartPole-v1` (Barto, Sutton and Anderson's cart-pole): push a cart left (0) or
/// right (1) to keep the pole on it upright. Reward 1 per step, the terminating one included;
/// the episode ends when the pole leans past 12° or the cart leaves [-2.4, 2.4].
///
/// Same constants, Euler integration and thresholds as Gymnasium; the state and observation
/// stay in float64 where Gymnasium hands out float32 copies.
public final class CartPole: Environment {
  static let gravity = 9.8
  static let massCart = 1.0
  static let massPole = 0.1
  static let totalMass = massPole + massCart
  /// Half the pole's length, as in the original code.
  static let length = 0.5
  static let poleMassLength = massPole * length
  static let forceMagnitude = 10.0
  /// Seconds between state updates.
  static let tau = 0.02
  static let thetaThreshold = 12 * 2 * Double.pi / 360
  static let xThreshold = 2.4

  public let observationSpace: Space
  public let actionSpace = Space.discrete(2)

  /// Cart position, cart velocity, pole angle (radians, positive leans right), pole angular
  /// velocity. Settable, like Gymnasium's `env.unwrapped.state`, to start from a chosen state.
  public var x = 0.0, xDot = 0.0, theta = 0.0, thetaDot = 0.0
  private let generator: SeededGenerator

  public init(seed: UInt64 = 0) {
    generator = SeededGenerator(seed: seed)
    // Twice the thresholds, so the observation that ends an episode still lies in the box.
    let high = [Self.xThreshold * 2, .infinity, Self.thetaThreshold * 2, .infinity]
    observationSpace = .box(low: high.map { -$0 }, high: high, shape: [4])
  }

  private var observation: Point { .reals([x, xDot, theta, thetaDot]) }

  public func reset(seed: UInt64?) throws -> Reset {
    if let seed { generator.reseed(seed) }
    x = generator.uniform(-0.05, 0.05)
    xDot = generator.uniform(-0.05, 0.05)
    theta = generator.uniform(-0.05, 0.05)
    thetaDot = generator.uniform(-0.05, 0.05)
    return Reset(observation: observation)
  }

  public func step(_ action: Point) throws -> Step {
    if case .int(1) = action { advance(force: Self.forceMagnitude) } else { advance(force: -Self.forceMagnitude) }
    let terminated = x < -Self.xThreshold || x > Self.xThreshold
      || theta < -Self.thetaThreshold || theta > Self.thetaThreshold
    return Step(observation: observation, reward: 1, terminated: terminated)
  }

  /// One explicit Euler step of the cart-pole equations (Florian's corrected derivation).
  @inline(__always)
  private func advance(force: Double) {
    let cosTheta = cos(theta), sinTheta = sin(theta)
    let temp = (force + Self.poleMassLength * (thetaDot * thetaDot) * sinTheta) / Self.totalMass
    let thetaAcc = (Self.gravity * sinTheta - cosTheta * temp)
      / (Self.length * (4.0 / 3.0 - Self.massPole * (cosTheta * cosTheta) / Self.totalMass))
    let xAcc = temp - Self.poleMassLength * thetaAcc * cosTheta / Self.totalMass
    x += Self.tau * xDot
    xDot += Self.tau * xAcc
    theta += Self.tau * thetaDot
    thetaDot += Self.tau * thetaAcc
  }

  /// The cart on its track with the pole above it; the stroke (│ ╱ ╲) shows which way it leans.
  public func render() -> String {
    let width = 49
    var canvas = TextCanvas(width: width, height: 5)
    let cartColumn = cellIndex((x + Self.xThreshold) / (2 * Self.xThreshold) * Double(width - 1))
    let center = x.isNaN ? width / 2 : min(max(cartColumn, 2), width - 3)
    // A terminal cell is about twice as tall as wide, so a row up moves 2·tan(θ) columns.
    let drift = 2 * tan(theta)
    let stroke: Character = Swift.abs(theta) < 0.03 ? "│" : (theta > 0 ? "╱" : "╲")
    for row in 1...3 {
      let column = center + cellIndex(min(max(Double(row) * drift, -Double(width)), Double(width)))
      canvas.put(stroke, column: column, row: 3 - row)
    }
    canvas.write("[███]", column: center - 2, row: 3)
    canvas.write(String(repeating: "═", count: width), column: 0, row: 4)
    let degrees = theta * 180 / Double.pi
    return canvas.text + "\n"
      + "x \(fixed(x, 3))  speed \(fixed(xDot, 3))  angle \(fixed(degrees, 1))°  spin \(fixed(thetaDot, 3))"
  }

  public func copy() -> Environment? {
    let twin = CartPole()
    twin.generator.copyState(from: generator)
    (twin.x, twin.xDot, twin.theta, twin.thetaDot) = (x, xDot, theta, thetaDot)
    return twin
  }
}
