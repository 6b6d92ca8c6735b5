/// The toy-text environments: small tabular worlds whose whole model (`transitions`) is known,
/// for dynamic programming and first tabular agents. Ids, limits and reward thresholds follow
/// Gymnasium's registrations; GridWorld-v0 is ours.
public enum ToyText {
  public static let specs: [EnvSpec] = [
    EnvSpec(id: "FrozenLake-v1", maxEpisodeSteps: 100, rewardThreshold: 0.70,
            summary: "Cross a frozen lake from S to G without falling into a hole; slippery by default",
            buildWithLimit: { try FrozenLake.make($0, defaultMap: "4x4") }),
    EnvSpec(id: "FrozenLake8x8-v1", maxEpisodeSteps: 200, rewardThreshold: 0.85,
            summary: "FrozenLake on Gymnasium's 8x8 map",
            buildWithLimit: { try FrozenLake.make($0, defaultMap: "8x8") }),
    // No time limit, as Gymnasium registers it: episodes run until the goal.
    EnvSpec(id: "CliffWalking-v0", maxEpisodeSteps: nil,
            summary: "Walk a 4x12 grid along a cliff (-100 and back to the start) to the goal; -1 a step",
            build: { try CliffWalking.make($0, slipperyByDefault: false) }),
    // Gymnasium 1.x's names for the same task.
    EnvSpec(id: "CliffWalking-v1", maxEpisodeSteps: nil,
            summary: "CliffWalking-v0 under Gymnasium 1.x's id",
            build: { try CliffWalking.make($0, slipperyByDefault: false) }),
    EnvSpec(id: "CliffWalkingSlippery-v1", maxEpisodeSteps: nil,
            summary: "CliffWalking with slippery moves (1/3 intended, 1/3 each side)",
            build: { try CliffWalking.make($0, slipperyByDefault: true) }),
    EnvSpec(id: "Taxi-v3", maxEpisodeSteps: 200, rewardThreshold: 8,
            summary: "Pick up a passenger and drop them at their destination on a 5x5 grid with walls",
            build: { _ in Taxi(envID: "Taxi-v3") }),
    EnvSpec(id: "GridWorld-v0", maxEpisodeSteps: 100,
            summary: "A configurable grid with walls, pits, hazards (a cost in info) and goals for teaching tabular and constrained methods",
            build: { try GridWorld.make($0) }),
  ]
}
