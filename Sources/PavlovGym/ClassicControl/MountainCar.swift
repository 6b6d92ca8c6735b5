import Glibc

/// Gymnasium's `MountainCar-v0` (Moore's mountain car, as in Sutton and Barto): an underpowered
/// car in a valley must rock back and forth to reach the flag at position 0.5. Actions: 0 push
/// left, 1 coast, 2 push right. Reward -1 per step.
///
/// Same constants and update as Gymnasium; the state and observation stay in float64.
public final class MountainCar: Environment {
  static let force = 0.001
  static let gravity = 0.0025
  static let goalPosition = 0.5

  public let observationSpace = Space.box(
    low: [MountainHill.minPosition, -MountainHill.maxSpeed], high: [MountainHill.maxPosition, MountainHill.maxSpeed],
    shape: [2])
  public let actionSpace = Space.discrete(3)
  /// The speed the car must also have at the flag (Gymnasium's `goal_velocity`, 0 by default).
  public let goalVelocity: Double

  /// The car's state; settable, like Gymnasium's `env.unwrapped.state`.
  public var position = 0.0, velocity = 0.0
  private let generator: SeededGenerator

  public init(goalVelocity: Double = 0, seed: UInt64 = 0) {
    self.goalVelocity = goalVelocity
    generator = SeededGenerator(seed: seed)
  }

  public func reset(seed: UInt64?) throws -> Reset {
    if let seed { generator.reseed(seed) }
    position = generator.uniform(-0.6, -0.4)
    velocity = 0
    return Reset(observation: .reals([position, velocity]))
  }

  public func step(_ action: Point) throws -> Step {
    guard case .int(let push) = action, (0...2).contains(push) else { throw CoreError("MountainCar-v0: action must be 0, 1 or 2") }
    let accelerated = velocity + (Double(push - 1) * Self.force + cos(3 * position) * -Self.gravity)
    (position, velocity) = MountainHill.move(position: position, velocity: accelerated)
    let terminated = position >= Self.goalPosition && velocity >= goalVelocity
    return Step(observation: .reals([position, velocity]), reward: -1, terminated: terminated)
  }

  public func render() -> String {
    MountainHill.render(position: position, velocity: velocity, goal: Self.goalPosition)
  }

  public func copy() -> Environment? {
    let twin = MountainCar(goalVelocity: goalVelocity)
    twin.generator.copyState(from: generator)
    (twin.position, twin.velocity) = (position, velocity)
    return twin
  }
}
