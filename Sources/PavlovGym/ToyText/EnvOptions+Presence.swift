/// Getters that tell an option left out from one given, for options that only make sense
/// together (FrozenLake's `p` needs `random_map_size`) or that conflict (GridWorld's `map` and
/// `rows`). Users cannot pass the sentinels: integers are capped at 1e15 and `double` refuses NaN.
extension EnvOptions {
  func optionalInt(_ name: String) throws -> Int? {
    let value = try int(name, default: Int.min)
    return value == Int.min ? nil : value
  }

  func optionalDouble(_ name: String) throws -> Double? {
    let value = try double(name, default: .nan)
    return value.isNaN ? nil : value
  }
}
