import PavlovGym
import PavlovLang
import PavlovTensor

/// A parallel multi-agent environment written in Pavlov:
///
///     {possible_agents: ["a", "b"],
///      observation_spaces: discrete(3),        # one space for all, or a record by agent
///      action_spaces: {a: discrete(2), b: discrete(2)},
///      reset: seed => {a: 0, b: 0},            # observations by agent (or {obs, infos})
///      step: acts => {obs: {...}, rewards: {...}, terminations: {...}},  # truncations, infos optional
///      render: () => "...", state: () => [...]}  # optional
///
/// The agents in an episode are those `reset` gave observations to; an agent leaves after the
/// step that terminates or truncates it.
final class ScriptParallelEnvironment: ParallelEnvironment, ThreadBound {
  let interpreter: Interpreter
  let name: String
  let possibleAgents: [String]
  private let observationSpaces: [Space]
  private let actionSpaces: [Space]
  private let resetFunction: Value
  private let stepFunction: Value
  private let renderFunction: Value?
  private let stateFunction: Value?
  private(set) var agents: [Int] = []

  init(_ record: PRecord, name: String, interpreter: Interpreter) throws {
    self.interpreter = interpreter
    self.name = name
    let example = "{possible_agents: [\"a\", \"b\"], observation_spaces: discrete(3), action_spaces: discrete(2), reset: seed => {a: 0, b: 0}, step: acts => {obs: {a: 0, b: 0}, rewards: {a: 1.0, b: 0.0}, terminations: {a: false, b: false}}}"
    func field(_ key: String) throws -> Value {
      guard let value = record[key] else {
        throw PavlovError.runtime("\(name): a multi-agent env record needs a `\(key)` field", hint: "e.g. \(example)")
      }
      return value
    }
    guard case .list(let list) = try field("possible_agents"), !list.items.isEmpty else {
      throw PavlovError.runtime("\(name): possible_agents must be a non-empty list of agent names", hint: "e.g. \(example)")
    }
    possibleAgents = try list.items.map { item in
      guard case .string(let s) = item else { throw PavlovError.runtime("\(name): possible_agents must hold strings, got \(item.typeName)") }
      return s.value
    }
    guard Set(possibleAgents).count == possibleAgents.count else {
      throw PavlovError.runtime("\(name): possible_agents repeats a name: \(possibleAgents.joined(separator: ", "))")
    }
    let agentNames = possibleAgents
    func spaces(_ key: String) throws -> [Space] {
      let value = try field(key)
      if case .object(let s as SpaceValue) = value { return Array(repeating: s.space, count: agentNames.count) }
      guard case .record(let byAgent) = value else {
        throw PavlovError.runtime("\(name): \(key) must be a space (shared by every agent) or a record {agent: space}, got \(value.typeName)")
      }
      return try agentNames.map { agent in
        guard case .object(let s as SpaceValue)? = byAgent[agent] else {
          throw PavlovError.runtime("\(name): \(key) has no space for \(agent)", hint: "give a space per agent, or one space for all")
        }
        return s.space
      }
    }
    observationSpaces = try spaces("observation_spaces")
    actionSpaces = try spaces("action_spaces")
    resetFunction = try field("reset")
    stepFunction = try field("step")
    for (key, value) in [("reset", resetFunction), ("step", stepFunction)] {
      guard case .function = value else { throw PavlovError.runtime("\(name): `\(key)` must be a function, got \(value.typeName)") }
    }
    renderFunction = record["render"]
    stateFunction = record["state"]
  }

  func observationSpace(_ agent: Int) -> Space { observationSpaces[agent] }
  func actionSpace(_ agent: Int) -> Space { actionSpaces[agent] }

  /// A record keyed by agent name, for the agents it names (each must be one of possible_agents).
  private func byAgent(_ value: Value?, _ what: String) throws -> [Int: Value] {
    guard let value else { return [:] }
    guard case .record(let record) = value else { throw PavlovError.runtime("\(name): \(what) must be a record {agent: ...}, got \(value.typeName)") }
    var out: [Int: Value] = [:]
    for (key, item) in zip(record.keys, record.values) {
      guard let agent = possibleAgents.firstIndex(of: key.text) else {
        throw PavlovError.runtime("\(name): \(what) names \"\(key.text)\", which is not in possible_agents (\(possibleAgents.joined(separator: ", ")))")
      }
      out[agent] = item
    }
    return out
  }

  private func observation(_ value: Value, _ agent: Int, _ function: String) throws -> Point {
    let space = observationSpaces[agent]
    let point = try SpaceBindings.point(value, for: space, "\(name).\(function)", what: "the observation of \(possibleAgents[agent])")
    guard space.contains(point) else {
      throw PavlovError.runtime("\(name).\(function) returned an observation of \(possibleAgents[agent]) outside its space: \(space.whyNotContains(point))")
    }
    return point
  }

  func reset(seed: UInt64?) throws -> ParallelReset {
    var arguments: [Value] = []
    if case .function(let f) = resetFunction, (f as? Closure)?.parameterCount ?? 1 > 0 {
      arguments = [seed.map { .int(Int(truncatingIfNeeded: $0)) } ?? .null]
    }
    let result = try interpreter.call(resetFunction, arguments)
    var observationsValue: Value = result
    var infosValue: Value?
    if case .record(let record) = result, let obs = record["obs"], !possibleAgents.contains("obs") {
      observationsValue = obs
      infosValue = record["infos"]
    }
    let given = try byAgent(observationsValue, "reset's observations")
    guard !given.isEmpty else { throw PavlovError.runtime("\(name).reset must return {agent: observation} for the agents in the episode, got none") }
    agents = given.keys.sorted()
    var out = ParallelReset(observations: Array(repeating: nil, count: possibleAgents.count), infos: Array(repeating: [:], count: possibleAgents.count))
    for agent in agents { if let value = given[agent] { out.observations[agent] = try observation(value, agent, "reset") } }
    for (agent, value) in try byAgent(infosValue, "reset's infos") { if case .record(let r) = value { out.infos[agent] = GymValues.info(r) } }
    return out
  }

  func step(_ actions: [Point?]) throws -> ParallelStep {
    let acting = agents
    let record = PRecord(acting.compactMap { agent in actions[agent].map { (possibleAgents[agent], SpaceBindings.value($0, space: actionSpaces[agent])) } })
    let result = try interpreter.call(stepFunction, [.record(record)])
    guard case .record(let fields) = result else {
      throw PavlovError.runtime("\(name).step must return a record {obs, rewards, terminations}, got \(result.typeName)")
    }
    var out = ParallelStep(agents: possibleAgents.count)
    let observations = try byAgent(fields["obs"], "step's obs")
    let rewards = try byAgent(fields["rewards"], "step's rewards")
    let terminations = try byAgent(fields["terminations"], "step's terminations")
    let truncations = try byAgent(fields["truncations"], "step's truncations")
    let infos = try byAgent(fields["infos"], "step's infos")
    for agent in acting {
      let who = possibleAgents[agent]
      guard let o = observations[agent] else { throw PavlovError.runtime("\(name).step's obs has nothing for \(who), which acted") }
      out.observations[agent] = try observation(o, agent, "step")
      out.rewards[agent] = try ScriptEnvironment.reward(rewards[agent], "\(name).step", what: "the reward of \(who)",
                                                        missing: "\(name).step's rewards has nothing for \(who)")
      func flag(_ values: [Int: Value], _ key: String, required: Bool) throws -> Bool {
        try ScriptEnvironment.flag(values[agent], "\(name).step", what: "\(key) of \(who)",
                                   missing: required ? "\(name).step's \(key) has nothing for \(who) (true when it is out of the episode)" : nil)
      }
      out.terminations[agent] = try flag(terminations, "terminations", required: true)
      out.truncations[agent] = try flag(truncations, "truncations", required: false)
      if case .record(let r)? = infos[agent] { out.infos[agent] = GymValues.info(r) }
    }
    agents = acting.filter { !out.terminations[$0] && !out.truncations[$0] }
    return out
  }

  func render() -> String {
    if let renderFunction, case .function = renderFunction,
       let text = try? interpreter.call(renderFunction, []), let shown = try? Format.checkedText(text, quoted: false) {
      return shown
    }
    return "\(name): agents \(agents.map { possibleAgents[$0] }.joined(separator: ", "))"
  }

  /// The length of the first state the script gave; every later one must match it.
  private var stateLength: Int?

  var stateSpace: Space? {
    guard stateFunction != nil else { return nil }
    if stateLength == nil { _ = try? state() }
    return stateLength.map { .box(low: -.infinity, high: .infinity, shape: [$0]) }
  }

  func state() throws -> [Double]? {
    guard let stateFunction, case .function = stateFunction else { return nil }
    let state = try SpaceBindings.reals(try interpreter.call(stateFunction, []), "\(name).state", "the state")
    if let stateLength, state.count != stateLength {
      throw PavlovError.runtime("\(name).state returned \(state.count) numbers, but its first state had \(stateLength)", hint: "the global state has one fixed size")
    }
    stateLength = state.count
    return state
  }
}
