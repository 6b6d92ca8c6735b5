/// Rows of environments stepped as one, with same-step autoreset (see `VectorEnv`): what the
/// `vec_env` value and the `rollout` block step. `VectorEnv` makes each row a copy of a one-agent
/// env; `AgentVectorEnv` makes each row one agent of a copy of a multi-agent env.
public protocol VectorEnvironment: AnyObject {
  /// Rows per step.
  var count: Int { get }
  /// The space of one row's observation and action.
  var observationSpace: Space { get }
  var actionSpace: Space { get }
  /// Chunks stepped concurrently.
  var threads: Int { get }
  /// The one-agent envs behind the rows, for reading their wrappers' state (empty when the rows
  /// are agents).
  var envs: [Environment] { get }
  /// Resets every row; with a seed, copy i is reset with `seed + i`.
  func reset(seed: UInt64?) throws -> (observations: [Double], infos: [Info])
  func step(actions: [Point]) throws -> VectorStep
  /// One integer action per row (a Discrete action space).
  func step(discreteActions: [Int]) throws -> VectorStep
  /// `count × actionSize` numbers, row i being row i's action (a Box action space).
  func step(continuousActions: [Double]) throws -> VectorStep
}

extension VectorEnv: VectorEnvironment {}
