/// An option passed to `make` (`is_slippery: false`, `map_name: "8x8"`, `desc: [...]`).
public enum EnvOption: Equatable, Sendable {
  case bool(Bool)
  case number(Double)
  case string(String)
  case strings([String])
  case numbers([Double])

  var kindName: String {
    switch self {
    case .bool: return "a bool"
    case .number: return "a number"
    case .string: return "a string"
    case .strings: return "a list of strings"
    case .numbers: return "a list of numbers"
    }
  }
}

/// The options given to one `make` call, read with typed getters that name the env and the
/// option in their errors. `finish()` rejects any option nobody read (a misspelling).
public final class EnvOptions {
  public let envID: String
  private var values: [String: EnvOption]
  private var read: Set<String> = []

  public init(envID: String, _ values: [String: EnvOption] = [:]) {
    self.envID = envID
    self.values = values
  }

  private func take(_ name: String) -> EnvOption? {
    read.insert(name)
    return values[name]
  }

  private func wrongKind(_ name: String, _ want: String, _ got: EnvOption) -> CoreError {
    CoreError("\(envID): option \(name) must be \(want), got \(got.kindName)")
  }

  public func bool(_ name: String, default fallback: Bool) throws -> Bool {
    guard let option = take(name) else { return fallback }
    guard case .bool(let value) = option else { throw wrongKind(name, "a bool", option) }
    return value
  }

  public func double(_ name: String, default fallback: Double) throws -> Double {
    guard let option = take(name) else { return fallback }
    guard case .number(let value) = option else { throw wrongKind(name, "a number", option) }
    guard value.isFinite else { throw CoreError("\(envID): option \(name) must be a finite number, got \(value)") }
    return value
  }

  public func int(_ name: String, default fallback: Int) throws -> Int {
    guard let option = take(name) else { return fallback }
    guard case .number(let value) = option, value == value.rounded(), Swift.abs(value) < 1e15 else {
      throw wrongKind(name, "an integer", option)
    }
    return Int(value)
  }

  public func string(_ name: String, default fallback: String?) throws -> String? {
    guard let option = take(name) else { return fallback }
    guard case .string(let value) = option else { throw wrongKind(name, "a string", option) }
    return value
  }

  public func strings(_ name: String) throws -> [String]? {
    guard let option = take(name) else { return nil }
    guard case .strings(let value) = option else { throw wrongKind(name, "a list of strings", option) }
    return value
  }

  public func numbers(_ name: String) throws -> [Double]? {
    guard let option = take(name) else { return nil }
    switch option {
    case .numbers(let value): return value
    case .number(let value): return [value]
    default: throw wrongKind(name, "a list of numbers", option)
    }
  }

  /// Throws if an option was given that the environment does not know.
  public func finish() throws {
    let unknown = Set(values.keys).subtracting(read).sorted()
    guard unknown.isEmpty else {
      let known = read.sorted().joined(separator: ", ")
      throw CoreError("\(envID) has no option \(unknown.joined(separator: ", ")) (its options: \(known.isEmpty ? "none" : known))")
    }
  }
}

/// A registered environment: its id, Gymnasium's registration values, and a factory.
public struct EnvSpec: Sendable {
  public let id: String
  /// Steps before truncation (`TimeLimit`), as Gymnasium registers it; nil for none.
  public let maxEpisodeSteps: Int?
  public let rewardThreshold: Double?
  public let summary: String
  /// Builds the bare environment; reads its options from `EnvOptions`. May use the options to
  /// override `maxEpisodeSteps` (FrozenLake 8x8), returned as the second element.
  public let build: @Sendable (EnvOptions) throws -> (Environment, Int?)

  public init(id: String, maxEpisodeSteps: Int?, rewardThreshold: Double? = nil, summary: String,
              build: @escaping @Sendable (EnvOptions) throws -> Environment) {
    self.init(id: id, maxEpisodeSteps: maxEpisodeSteps, rewardThreshold: rewardThreshold, summary: summary,
              buildWithLimit: { options in (try build(options), maxEpisodeSteps) })
  }

  public init(id: String, maxEpisodeSteps: Int?, rewardThreshold: Double? = nil, summary: String,
              buildWithLimit: @escaping @Sendable (EnvOptions) throws -> (Environment, Int?)) {
    self.id = id
    self.maxEpisodeSteps = maxEpisodeSteps
    self.rewardThreshold = rewardThreshold
    self.summary = summary
    self.build = buildWithLimit
  }
}

/// The built-in environments by id, and `make`.
public enum EnvRegistry {
  public static let specs: [EnvSpec] = ClassicControl.specs + Box2DEnvironments.specs + ToyText.specs + Bandits.specs + Recommender.specs + TextWorlds.specs

  private static let byID: [String: EnvSpec] = Dictionary(specs.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })

  public static var ids: [String] { specs.map(\.id) }

  public static func spec(_ id: String) -> EnvSpec? { byID[id] }

  /// Gymnasium's `make`: the environment wrapped in its registered time limit (overridable with
  /// `maxEpisodeSteps`; 0 or less removes it) and the order/action checks. The seed seeds the
  /// dynamics (used by the first `reset` without a seed) and the spaces' samplers.
  public static func make(_ id: String, seed: UInt64? = nil, options: [String: EnvOption] = [:],
                          maxEpisodeSteps: Int? = nil) throws -> ManagedEnvironment {
    guard let spec = byID[id] else {
      let close = ids.filter { $0.lowercased().hasPrefix(String(id.lowercased().prefix(4))) }
      let hint = close.isEmpty ? "" : " Did you mean \(close.map { "\"\($0)\"" }.joined(separator: " or "))?"
      throw CoreError("no environment \"\(id)\" is registered.\(hint) Registered: \(ids.joined(separator: ", "))")
    }
    let reader = EnvOptions(envID: id, options)
    let (env, limit) = try spec.build(reader)
    try reader.finish()
    let steps = maxEpisodeSteps.map { $0 > 0 ? $0 : nil } ?? limit
    return ManagedEnvironment(env, id: id, maxEpisodeSteps: steps, seed: seed)
  }
}
