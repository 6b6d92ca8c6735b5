import PavlovLang

/// Keyword arguments of a trainer builtin read by name, so each binding lists its parameters
/// once (in its `Param` list) and reads only those the user gave; the rest keep the config's
/// defaults.
struct TrainerArguments {
  let args: Args
  let params: [Param]
  /// The builtin's name, for messages.
  let name: String

  func index(_ key: String) -> Int? { params.firstIndex { $0.name == key } }
  /// The argument's position if the user gave it (not nil).
  func given(_ key: String) -> Int? { index(key).flatMap { args.isNull($0) ? nil : $0 } }
  func int(_ key: String) throws -> Int? { try given(key).map { try args.int($0) } }
  func number(_ key: String) throws -> Double? { try given(key).map { try args.float($0) } }
  func bool(_ key: String) throws -> Bool? { try given(key).map { try args.bool($0) } }
  func ints(_ key: String) throws -> [Int]? { try given(key).map { try SpaceBindings.ints(args[$0], name, key) } }
  /// The `seed` argument, or one drawn from the session generator so `seed(n)` fixes it.
  func seed() throws -> UInt64 { try EnvBindings.seedValue(args, index("seed") ?? 0) }
}
