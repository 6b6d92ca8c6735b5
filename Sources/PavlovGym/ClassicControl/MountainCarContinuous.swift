import Glibc

/// Gymnasium's `MountainCarContinuous-v0`: the mountain car with a throttle in [-1, 1]. Reward
/// -0.1·action² per step, plus 100 on reaching the flag at position 0.45.
///
/// Same constants and update as Gymnasium, with one difference: Gymnasium rounds the state to
/// float32 after every step; here it stays float64 like every other environment.
public final class MountainCarContinuous: Environment {
  static let power = 0.0015
  static let gravity = 0.0025
  static let goalPosition = 0.45

  public let observationSpace = Space.box(
    low: [MountainHill.minPosition, -MountainHill.maxSpeed], high: [MountainHill.maxPosition, MountainHill.maxSpeed],
    shape: [2])
  public let actionSpace = Space.box(low: -1, high: 1, shape: [1])
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
    guard case .reals(let values) = action, let throttle = values.first else {
      throw CoreError("MountainCarContinuous-v0: action must be a list of one number in [-1, 1]")
    }
    // Clipped for the dynamics only: like Gymnasium, the cost is charged on the action as given.
    let force = min(max(throttle, -1), 1)
    let accelerated = velocity + (force * Self.power - Self.gravity * cos(3 * position))
    (position, velocity) = MountainHill.move(position: position, velocity: accelerated)
    let terminated = position >= Self.goalPosition && velocity >= goalVelocity
    let reward = (terminated ? 100.0 : 0.0) - throttle * throttle * 0.1
    return Step(observation: .reals([position, velocity]), reward: reward, terminated: terminated)
  }

  public func render() -> String {
    MountainHill.render(position: position, velocity: velocity, goal: Self.goalPosition)
  }

  public func copy() -> Environment? {
    let twin = MountainCarContinuous(goalVelocity: goalVelocity)
    twin.generator.copyState(from: generator)
    (twin.position, twin.velocity) = (position, velocity)
    return twin
  }
}
