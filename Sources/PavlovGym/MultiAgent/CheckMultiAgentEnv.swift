/// PettingZoo's `api_test` and `parallel_api_test` in one: plays `steps` random actions (legal
/// ones where the env masks actions) from `reset(seed:)`, restarting finished episodes, and
/// returns every way the env breaks the contract, one sentence each (empty: it passes). It checks
/// the spaces; that observations are in each agent's space; rewards finite; `agents` only ever
/// loses members within an episode; the selected agent is one of them (AEC); done agents are
/// retired by `step(nil)` (AEC) or leave `agents` (parallel); the global state is in its space;
/// `render()` gives text; and that two seeded runs with the same draws are identical.
public func checkMultiAgentEnv(_ env: MultiAgentEnv, steps: Int = 200, seed: UInt64 = 0) -> [String] {
  var problems: [String] = []
  let names = env.possibleAgents
  if names.isEmpty { return ["possible_agents is empty"] }
  if Set(names).count != names.count { problems.append("possible_agents has a repeated name: \(names)") }
  for (i, name) in names.enumerated() {
    problems += spaceProblems(env.observationSpace(i), "observation space of \(name)")
    problems += spaceProblems(env.actionSpace(i), "action space of \(name)")
  }
  guard problems.isEmpty else { return problems }
  do {
    let first = try run(env, steps: steps, seed: seed, problems: &problems)
    if env.render().isEmpty { problems.append("render() returned empty text; it should describe the current state") }
    var ignored: [String] = []
    let second = try run(env, steps: steps, seed: seed, problems: &ignored)
    if let k = zip(first, second).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset {
      problems.append("with reset(seed: \(seed)) and the same actions, the second run differs at event \(k + 1): \(first[k]) the first time, \(second[k]) the second (is every random draw taken from the generator reset(seed:) reseeds?)")
    } else if first.count != second.count {
      problems.append("with reset(seed: \(seed)) and the same actions, the runs have \(first.count) and \(second.count) events")
    }
  } catch let failure as MultiAgentCheckFailure {
    problems.append("\(failure.place) threw: \(failure.error)")
  } catch {
    problems.append("check_env: \(error)")
  }
  return problems
}

private struct MultiAgentCheckFailure: Error {
  var place: String
  var error: Error
}

/// A random action for `agent`: a legal one when the env gives a mask.
private func randomAction(_ space: Space, mask: [Bool]?, _ generator: SeededGenerator) -> Point {
  if let mask, case .discrete(_, let start) = space {
    let legal = mask.indices.filter { mask[$0] }
    if !legal.isEmpty { return .int(start + legal[generator.nextInt(below: legal.count)]) }
  }
  return space.sample(generator)
}

/// One checked run; returns its events as text, for comparing runs.
private func run(_ env: MultiAgentEnv, steps: Int, seed: UInt64, problems: inout [String]) throws -> [String] {
  let generator = SeededGenerator(seed: seed)
  var events: [String] = []
  func note(_ problem: String) { if problems.count < 20 { problems.append(problem) } }
  func attempt<T>(_ place: String, _ body: () throws -> T) throws -> T {
    do { return try body() } catch { throw MultiAgentCheckFailure(place: place, error: error) }
  }
  let names = env.possibleAgents
  func checkObservation(_ observation: Point, _ agent: Int, _ place: String) {
    let space = env.observationSpace(agent)
    if !space.contains(observation) {
      note("\(place): the observation of \(names[agent]) is outside its space: \(space.whyNotContains(observation))")
    }
    events.append("\(place) \(names[agent]) obs \(observation.description)")
  }
  switch env {
  case .aec(let aec):
    var reseed: UInt64? = seed
    var place = "reset(seed: \(seed))"
    try attempt(place) { try aec.reset(seed: reseed) }
    var members = Set(aec.agents)
    for number in 1...Swift.max(1, steps) {
      if aec.agents.isEmpty {
        reseed = nil
        place = "reset() after step \(number - 1)"
        try attempt(place) { try aec.reset(seed: nil) }
        members = Set(aec.agents)
        continue
      }
      let agent = aec.agentSelection
      guard members.contains(agent) else {
        note("step \(number): agent_selection is \(agent < names.count ? names[agent] : String(agent)), which is not in agents")
        return events
      }
      let last = aec.last()
      checkObservation(last.observation, agent, "step \(number)")
      if !last.reward.isFinite { note("step \(number): last() reward of \(names[agent]) is \(last.reward); rewards must be finite") }
      events.append("reward \(last.reward) done \(last.terminated)/\(last.truncated)")
      let action: Point? = last.terminated || last.truncated ? nil : randomAction(aec.actionSpace(agent), mask: aec.actionMask(agent), generator)
      try attempt("step \(number) (\(names[agent]), action \(action?.description ?? "nil"))") { try aec.step(action) }
      let now = Set(aec.agents)
      if !now.isSubset(of: members) { note("step \(number): agents gained \(now.subtracting(members).sorted().map { names[$0] }) mid-episode") }
      if action == nil && now.contains(agent) { note("step \(number): step(nil) did not retire \(names[agent]), which was done") }
      members = now
    }
  case .parallel(let parallel):
    let first = try attempt("reset(seed: \(seed))") { try parallel.reset(seed: seed) }
    for agent in parallel.agents {
      guard let observation = first.observations[agent] else { note("reset(seed:) gave no observation for \(names[agent])"); continue }
      checkObservation(observation, agent, "reset")
    }
    var members = parallel.agents
    for number in 1...Swift.max(1, steps) {
      if members.isEmpty {
        let again = try attempt("reset() after step \(number - 1)") { try parallel.reset(seed: nil) }
        members = parallel.agents
        for agent in members { if let o = again.observations[agent] { checkObservation(o, agent, "reset") } }
        continue
      }
      var actions = [Point?](repeating: nil, count: names.count)
      for agent in members { actions[agent] = parallel.actionSpace(agent).sample(generator) }
      let result = try attempt("step \(number)") { try parallel.step(actions) }
      for agent in members {
        if let observation = result.observations[agent] { checkObservation(observation, agent, "step \(number)") } else {
          note("step \(number): no observation for \(names[agent]), which acted")
        }
        if !result.rewards[agent].isFinite { note("step \(number): the reward of \(names[agent]) is \(result.rewards[agent])") }
        events.append("reward \(result.rewards[agent]) done \(result.terminations[agent])/\(result.truncations[agent])")
      }
      if let space = parallel.stateSpace, let state = try attempt("state() after step \(number)", { try parallel.state() }), !space.contains(.reals(state)) {
        note("step \(number): state() is outside state_space: \(space.whyNotContains(.reals(state)))")
      }
      let now = parallel.agents
      if !Set(now).isSubset(of: Set(members)) { note("step \(number): agents gained members mid-episode") }
      for agent in members where (result.terminations[agent] || result.truncations[agent]) && now.contains(agent) {
        note("step \(number): \(names[agent]) is done but still in agents")
      }
      members = now
    }
  }
  return events
}
