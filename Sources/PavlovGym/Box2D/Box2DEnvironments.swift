/// Gymnasium's Box2D environments, on Debian's Box2D 2.4, registered with Gymnasium's ids, time
/// limits and reward thresholds.
public enum Box2DEnvironments {
  public static let specs: [EnvSpec] = [
    EnvSpec(id: "LunarLander-v3", maxEpisodeSteps: 1000, rewardThreshold: 200,
            summary: "Land a craft on the pad with its main and side engines (Box2D; 4 discrete actions)") { options in
      try lunarLander(options, continuous: try options.bool("continuous", default: false))
    },
    EnvSpec(id: "LunarLanderContinuous-v3", maxEpisodeSteps: 1000, rewardThreshold: 200,
            summary: "LunarLander with two continuous engine throttles in [-1, 1] (Box2D)") { options in
      try lunarLander(options, continuous: true)
    },
    EnvSpec(id: "BipedalWalker-v3", maxEpisodeSteps: 1600, rewardThreshold: 300,
            summary: "Walk a two-legged robot over rough ground with hip and knee torques (Box2D)") { options in
      BipedalWalker(hardcore: try options.bool("hardcore", default: false))
    },
    EnvSpec(id: "BipedalWalkerHardcore-v3", maxEpisodeSteps: 2000, rewardThreshold: 300,
            summary: "BipedalWalker over stumps, stairs and pits (Box2D)") { _ in BipedalWalker(hardcore: true) },
  ]

  static func lunarLander(_ options: EnvOptions, continuous: Bool) throws -> LunarLander {
    try LunarLander(
      continuous: continuous,
      gravity: try options.double("gravity", default: -10),
      enableWind: try options.bool("enable_wind", default: false),
      windPower: try options.double("wind_power", default: 15),
      turbulencePower: try options.double("turbulence_power", default: 1.5))
  }
}
