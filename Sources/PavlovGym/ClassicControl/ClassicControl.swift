/// Gymnasium's classic-control environments, registered with Gymnasium's ids, time limits and
/// reward thresholds.
public enum ClassicControl {
  public static let specs: [EnvSpec] = [
    EnvSpec(id: "CartPole-v1", maxEpisodeSteps: 500, rewardThreshold: 475,
            summary: "Balance a pole on a cart by pushing it left or right") { _ in CartPole() },
    EnvSpec(id: "MountainCar-v0", maxEpisodeSteps: 200, rewardThreshold: -110,
            summary: "Rock an underpowered car out of a valley (3 discrete pushes)") { options in
      MountainCar(goalVelocity: try finite(options, "goal_velocity", default: 0))
    },
    EnvSpec(id: "MountainCarContinuous-v0", maxEpisodeSteps: 999, rewardThreshold: 90,
            summary: "Mountain car with a continuous throttle in [-1, 1]") { options in
      MountainCarContinuous(goalVelocity: try finite(options, "goal_velocity", default: 0))
    },
    EnvSpec(id: "Acrobot-v1", maxEpisodeSteps: 500, rewardThreshold: -100,
            summary: "Swing a two-link arm's tip above a line by torquing its middle joint") { _ in Acrobot() },
    EnvSpec(id: "Pendulum-v1", maxEpisodeSteps: 200,
            summary: "Swing a pendulum upright and hold it with a torque in [-2, 2]") { options in
      Pendulum(gravity: try finite(options, "g", default: 10.0))
    },
  ]

  /// A numeric option that must be a finite number (NaN or infinity would poison the dynamics).
  static func finite(_ options: EnvOptions, _ name: String, default fallback: Double) throws -> Double {
    let value = try options.double(name, default: fallback)
    guard value.isFinite else { throw CoreError("\(options.envID): option \(name) must be a finite number, got \(value)") }
    return value
  }
}
