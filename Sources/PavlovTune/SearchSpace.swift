import PavlovCore

/// Where one hyperparameter's values come from, as Ray Tune's search-space functions say it:
/// `grid` values are all tried (every combination with the other grids), the rest are sampled.
public enum Domain: Sendable {
  /// Every value, each in its own trials (Ray's `tune.grid_search`).
  case grid([JSONValue])
  /// One of the values, uniformly (`tune.choice`).
  case choice([JSONValue])
  /// A float uniformly in [low, high) (`tune.uniform`).
  case uniform(Double, Double)
  /// A float whose logarithm is uniform in [log low, log high) (`tune.loguniform`).
  case logUniform(Double, Double)
  /// An int uniformly in [low, high) (`tune.randint`: the high end excluded).
  case randInt(Int, Int)
  /// A fixed value.
  case constant(JSONValue)
  /// A record of hyperparameters, searched key by key (nested configs).
  case record([(key: String, domain: Domain)])

  /// Checks the bounds, so a sweep fails before its first trial rather than in one.
  public func validate(path: String = "config") throws(CoreError) {
    switch self {
    case .grid(let values), .choice(let values):
      if values.isEmpty { throw CoreError("\(path): \(isGrid ? "grid" : "choice") needs at least one value") }
    case .uniform(let low, let high):
      guard low.isFinite, high.isFinite, low < high else { throw CoreError("\(path): uniform needs finite low < high, got \(low), \(high)") }
    case .logUniform(let low, let high):
      guard low.isFinite, high.isFinite, low > 0, low < high else { throw CoreError("\(path): loguniform needs 0 < low < high, got \(low), \(high)") }
    case .randInt(let low, let high):
      guard low < high else { throw CoreError("\(path): randint needs low < high (high is excluded), got \(low), \(high)") }
    case .constant: break
    case .record(let members):
      for member in members { try member.domain.validate(path: path + "." + member.key) }
    }
  }

  private var isGrid: Bool { if case .grid = self { return true } else { return false } }

  /// The grid dimensions in this space, depth first in key order: their paths and values.
  var grids: [(path: [String], values: [JSONValue])] {
    switch self {
    case .grid(let values): return [([], values)]
    case .record(let members):
      return members.flatMap { member in member.domain.grids.map { ([member.key] + $0.path, $0.values) } }
    default: return []
    }
  }

  /// A value of this space: grids take their entry from `gridChoice` (by path), sampled domains
  /// draw from `generator`, depth first in key order (so a seed fixes every trial's config).
  func resolve(_ generator: SeededGenerator, gridChoice: [[String]: JSONValue], path: [String] = []) -> JSONValue {
    switch self {
    case .grid: return gridChoice[path] ?? .null
    case .choice(let values): return values[generator.nextInt(below: values.count)]
    case .uniform(let low, let high): return .float(low + (high - low) * generator.nextDouble())
    case .logUniform(let low, let high):
      let (a, b) = (PortableMath.log(low), PortableMath.log(high))
      return .float(PortableMath.exp(a + (b - a) * generator.nextDouble()))
    case .randInt(let low, let high): return .int(generator.nextInt(from: low, to: high))
    case .constant(let value): return value
    case .record(let members):
      return .object(members.map { ($0.key, $0.domain.resolve(generator, gridChoice: gridChoice, path: path + [$0.key])) })
    }
  }
}

/// Reading and replacing one hyperparameter inside a nested config by its key path
/// (`["model", "batch"]`), for the searchers and schedulers that change single keys.
public enum ConfigPath {
  public static func value(at path: [String], in config: JSONValue) -> JSONValue? {
    var v: JSONValue? = config
    for key in path { v = v?[key] }
    return v
  }

  public static func setting(_ path: [String], to value: JSONValue, in config: JSONValue) -> JSONValue {
    guard let key = path.first else { return value }
    var members: [(key: String, value: JSONValue)] = []
    if case .object(let existing) = config { members = existing }
    let inner = members.last(where: { $0.key == key })?.value ?? .object([])
    let updated = setting(Array(path.dropFirst()), to: value, in: inner)
    if let i = members.lastIndex(where: { $0.key == key }) { members[i].value = updated } else { members.append((key, updated)) }
    return .object(members)
  }
}
