import PavlovGym

/// The sizes of a tabular problem, read from an env's spaces: both must be Discrete, so states
/// and actions are numbered 0..<n (a Discrete space starting at k maps k to 0).
public struct TabularSpaces: Equatable, Sendable {
  public let states: Int
  public let actions: Int
  public let stateStart: Int
  public let actionStart: Int

  /// Throws, naming `owner` and the env, unless both spaces are Discrete.
  public init(_ env: Environment, owner: String, envName: String) throws {
    guard case .discrete(let n, let start) = env.observationSpace else {
      throw CoreError("\(owner) needs discrete observations (one int per state); \(envName) observes \(env.observationSpace.description)",
                    hint: "tabular methods suit FrozenLake, CliffWalking, Taxi and GridWorld; continuous observations need a function approximator")
    }
    guard case .discrete(let m, let actionStart) = env.actionSpace else {
      throw CoreError("\(owner) needs discrete actions; \(envName) takes \(env.actionSpace.description)")
    }
    states = n
    actions = m
    stateStart = start
    self.actionStart = actionStart
  }

  /// The state number of an observation.
  public func state(_ observation: Point) throws -> Int {
    guard case .int(let value) = observation, case (let state, false) = value.subtractingReportingOverflow(stateStart),
          state >= 0, state < states else {
      throw CoreError("the env returned the observation \(observation.description), outside its space Discrete(\(states))")
    }
    return state
  }

  /// The action a number stands for.
  public func action(_ index: Int) -> Point { .int(actionStart + index) }
}
