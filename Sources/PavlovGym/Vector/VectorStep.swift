/// What one step of a `VectorEnv` returns: row i is copy i.
///
/// When copy i's episode ended in this step it has already been reset (same-step autoreset):
/// `observations` row i is the new episode's first observation and `infos[i]` its reset info,
/// while the ended episode's last observation and step info are in `finalObservations[i]` and
/// `finalInfos[i]` (nil for copies whose episode goes on).
public struct VectorStep: Equatable, Sendable {
  /// `count × observationSize` numbers, row-major; a discrete observation is its integer value.
  public var observations: [Double]
  public var rewards: [Double]
  public var terminated: [Bool]
  public var truncated: [Bool]
  public var finalObservations: [Point?]
  public var finalInfos: [Info?]
  public var infos: [Info]

  /// No rows: a placeholder that allocates nothing.
  static let empty = VectorStep(observations: [], rewards: [], terminated: [], truncated: [],
                                finalObservations: [], finalInfos: [], infos: [])

  /// Whether copy i's episode ended in this step (terminated or truncated).
  public func done(_ i: Int) -> Bool { terminated[i] || truncated[i] }
}
