import PavlovGym
import PavlovLang
import PavlovTensor

/// A multi-agent environment as a Pavlov value, with PettingZoo's two APIs: a parallel env's
/// `reset()` gives observations by agent and `step({agent: action})` returns
/// {obs, rewards, terminations, truncations, infos}, each a record by agent; an AEC env's `reset()`
/// starts a game, `agent_selection` names who acts, `last()` tells it what it needs and
/// `step(action)` (nil for a done agent) passes the turn. This layer checks the order of calls,
/// the agents named and every action, so envs and trainers below may trust their input.
final class MultiEnvValue: PObject {
  let env: MultiAgentEnv
  let name: String
  /// The seed of the first reset when the script gives none (make's seed).
  private(set) var pendingSeed: UInt64?
  /// Whether reset has been called (PettingZoo's order: reset before anything else).
  var started = false
  /// One seeded sampler per agent's action and observation spaces.
  private(set) var actionSpaceValues: [SpaceValue]
  private(set) var observationSpaceValues: [SpaceValue]
  private(set) var lastInfos: [Info]

  nonisolated(unsafe) static let nativeType: NativeType = MultiEnvBindings.makeType()

  init(_ env: MultiAgentEnv, name: String, seed: UInt64) {
    self.env = env
    self.name = name
    pendingSeed = seed
    let samplers = SeededGenerator(seed: seed ^ 0x5851_F42D_4C95_7F2D)
    let count = env.possibleAgents.count
    actionSpaceValues = (0..<count).map { SpaceValue(env.actionSpace($0), generator: samplers.split()) }
    observationSpaceValues = (0..<count).map { SpaceValue(env.observationSpace($0), generator: samplers.split()) }
    lastInfos = Array(repeating: [:], count: count)
    super.init(type: MultiEnvValue.nativeType)
  }

  var agentNames: [String] { env.possibleAgents }
  var isParallel: Bool { if case .parallel = env { return true } else { return false } }

  override var displayString: String {
    "<\(isParallel ? "parallel" : "AEC") env \(name): agents \(agentNames.joined(separator: ", "))>"
  }

  /// The same env seen through another API or wrapper, as a new value whose first reset keeps
  /// this one's pending seed (make's seed, if this one was never reset).
  func rewrapped(_ env: MultiAgentEnv, _ interpreter: Interpreter) -> Value {
    .object(MultiEnvValue(env, name: name, seed: pendingSeed ?? Stdlib.generator(for: interpreter).next()))
  }

  /// The seed for a reset: the script's, else make's on the first reset, else none.
  func resetSeed(_ given: UInt64?) -> UInt64? {
    defer { pendingSeed = nil }
    return given ?? pendingSeed
  }

  /// The index of an agent named by the script, or an error listing the agents.
  func agent(_ value: Value, _ context: String) throws -> Int {
    guard case .string(let text) = value else {
      throw PavlovError.runtime("\(context): an agent is named by a string such as \"\(agentNames[0])\", got \(value.typeName)")
    }
    if let index = agentNames.firstIndex(of: text.value) { return index }
    let guess = Suggest.closest(to: text.value, among: agentNames).map { " — did you mean \"\($0)\"?" } ?? ""
    throw PavlovError.runtime("\(context): \(name) has no agent \"\(text.value)\"\(guess)", hint: "its agents: \(agentNames.joined(separator: ", "))")
  }

  func requireStarted(_ what: String) throws {
    guard started else { throw PavlovError.runtime("\(name).\(what) before reset(); call env.reset() first") }
  }

  func rememberInfos(_ infos: [Info]) { lastInfos = infos }

  /// A record {agent: value} over `agents`.
  func byAgent(_ agents: [Int], _ value: (Int) -> Value) -> Value {
    .record(PRecord(agents.map { (agentNames[$0], value($0)) }))
  }
}
