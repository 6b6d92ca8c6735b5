/// Gymnasium's `check_env`: runs `env` for `steps` random actions (drawn from a generator seeded
/// with `seed`) and returns every way it breaks the contract, one sentence each; empty means it
/// passed. It checks that the spaces are well formed; that reset and step observations are in the
/// observation space and free of NaN; that rewards are finite; that `render()` returns text; that
/// two runs from `reset(seed:)` with the same actions are identical; and, if `copy()` is
/// supported, that a copy taken mid-run continues exactly like the original (and leaves the
/// original undisturbed). Episodes that end are restarted with `reset(seed: nil)`.
///
/// The env is left wherever the last run stopped; check a fresh one.
public func checkEnv(_ env: Environment, steps: Int = 200, seed: UInt64 = 0) -> [String] {
  var problems = spaceProblems(env.observationSpace, "observation space") + spaceProblems(env.actionSpace, "action space")
  guard problems.isEmpty else { return problems }
  let sampler = SeededGenerator(seed: seed)
  let actions = (0..<Swift.max(0, steps)).map { _ in env.actionSpace.sample(sampler) }

  let first: [TrajectoryEntry]
  do {
    first = try play(env, seed: seed, actions: actions[...])
  } catch let failure as PlayFailure {
    problems += failure.entries.flatMap { contractProblems($0, env.observationSpace) }
    return problems + ["\(failure.place) threw: \(failure.error)"]
  } catch {
    return problems + ["checkEnv: \(error)"]
  }
  problems += first.flatMap { contractProblems($0, env.observationSpace) }
  if env.render().isEmpty { problems.append("render() returned empty text; it should describe the current state") }

  do {
    let second = try play(env, seed: seed, actions: actions[...])
    if let problem = firstDifference(first, second, "with reset(seed: \(seed)) and the same actions, the second run differs") {
      return problems + [problem + " (is every random draw taken from the generator reset(seed:) reseeds?)"]
    }
    let half = actions.count / 2
    var twin: Environment?
    let original = try play(env, seed: seed, actions: actions[...]) { step in
      if step == half { twin = env.copy() }
    }
    if let problem = firstDifference(first, original, "copy() disturbed the original: after the copy, the run differs",
                                        ("without a copy", "with one taken")) {
      problems.append(problem)
    }
    if let twin {
      if twin.observationSpace != env.observationSpace || twin.actionSpace != env.actionSpace {
        problems.append("copy() has spaces \(twin.observationSpace.description) / \(twin.actionSpace.description), not \(env.observationSpace.description) / \(env.actionSpace.description)")
      }
      let tail: [TrajectoryEntry]
      do {
        tail = try play(twin, actions: actions[half...], firstStep: half + 1)
      } catch let failure as PlayFailure {
        return problems + ["the copy() taken at step \(half) threw at \(failure.place): \(failure.error)"]
      }
      let expected = Array(first.drop { $0.step <= half })
      if let problem = firstDifference(expected, tail, "copy() at step \(half) does not continue like the original",
                                        ("for the original", "for the copy")) {
        problems.append(problem)
      }
    }
  } catch let failure as PlayFailure {
    problems.append("\(failure.place) threw on a repeat run (it passed the first): \(failure.error)")
  } catch {
    problems.append("checkEnv: \(error)")
  }
  return problems
}

/// One observation of a checked run: after `reset` (`isReset`) or after step number `step`.
private struct TrajectoryEntry {
  var step: Int
  var isReset: Bool
  var observation: Point
  var reward = 0.0
  var terminated = false
  var truncated = false

  var place: String {
    isReset ? (step == 0 ? "reset(seed:)" : "reset() after the episode ended at step \(step)") : "step \(step)"
  }
}

private struct PlayFailure: Error {
  var place: String
  var error: Error
  var entries: [TrajectoryEntry]
}

/// Plays `actions` from a seeded reset (or, without a seed, from where `env` stands), restarting
/// episodes that end; `afterStep` runs after each step number (and the reset that may follow it).
private func play(_ env: Environment, seed: UInt64? = nil, actions: ArraySlice<Point>, firstStep: Int = 1,
                  afterStep: (Int) -> Void = { _ in }) throws -> [TrajectoryEntry] {
  var entries: [TrajectoryEntry] = []
  var place = "reset(seed: \(seed.map(String.init) ?? "nil"))"
  do {
    if let seed { entries.append(TrajectoryEntry(step: 0, isReset: true, observation: try env.reset(seed: seed).observation)) }
    for (offset, action) in actions.enumerated() {
      let number = firstStep + offset
      place = "step \(number) (action \(action.description))"
      let result = try env.step(action)
      entries.append(TrajectoryEntry(step: number, isReset: false, observation: result.observation, reward: result.reward,
                                     terminated: result.terminated, truncated: result.truncated))
      if result.done {
        place = "reset() after the episode ended at step \(number)"
        entries.append(TrajectoryEntry(step: number, isReset: true, observation: try env.reset(seed: nil).observation))
      }
      afterStep(number)
    }
  } catch {
    throw PlayFailure(place: place, error: error, entries: entries)
  }
  return entries
}

/// What is wrong with one entry on its own: NaN or out-of-space observations, non-finite rewards.
private func contractProblems(_ entry: TrajectoryEntry, _ space: Space) -> [String] {
  var problems: [String] = []
  let values = entry.observation.asReals
  if let nan = values.firstIndex(where: \.isNaN) {
    problems.append("\(entry.place): observation \(entry.observation.description) has NaN at element \(nan)")
  } else if !space.contains(entry.observation) {
    problems.append("\(entry.place): observation \(entry.observation.description) is not in \(space.description): \(space.whyNotContains(entry.observation))")
  }
  if !entry.reward.isFinite {
    problems.append("\(entry.place): reward is \(entry.reward); rewards must be finite numbers")
  }
  return problems
}

/// The first place two runs part, as a sentence starting with `lead`; nil if they agree.
private func firstDifference(_ a: [TrajectoryEntry], _ b: [TrajectoryEntry], _ lead: String,
                             _ names: (String, String) = ("the first time", "the second")) -> String? {
  let (first, second) = names
  for (x, y) in zip(a, b) {
    if !identical(x.observation, y.observation) {
      return "\(lead) at \(x.place): observation \(x.observation.description) \(first), \(y.observation.description) \(second)"
    }
    if x.reward.bitPattern != y.reward.bitPattern {
      return "\(lead) at \(x.place): reward \(x.reward) \(first), \(y.reward) \(second)"
    }
    if x.terminated != y.terminated || x.truncated != y.truncated || x.isReset != y.isReset {
      return "\(lead) at \(x.place): terminated/truncated \(x.terminated)/\(x.truncated) \(first), \(y.terminated)/\(y.truncated) \(second)"
    }
  }
  if a.count != b.count { return "\(lead): \(a.count) observations \(first), \(b.count) \(second)" }
  return nil
}

/// Bit-for-bit equality, so NaN equals NaN and a run counts as repeatable only if it is exact.
func identical(_ a: Point, _ b: Point) -> Bool {
  switch (a, b) {
  case (.reals(let x), .reals(let y)): return x.count == y.count && zip(x, y).allSatisfy { $0.bitPattern == $1.bitPattern }
  default: return a == b
  }
}

/// Malformed spaces: empty or inverted ranges, bounds that do not match the shape.
func spaceProblems(_ space: Space, _ name: String) -> [String] {
  switch space {
  case .discrete(let n, _):
    return n >= 1 ? [] : ["the \(name) \(space.description) is empty; n must be at least 1"]
  case .box(let low, let high, let shape):
    let count = shape.reduce(1, *)
    if shape.contains(where: { $0 < 0 }) || low.count != count || high.count != count {
      return ["the \(name) has shape \(shape) (\(count) elements) but \(low.count) low and \(high.count) high bounds"]
    }
    for i in low.indices where !(low[i] <= high[i]) {
      return ["the \(name) \(space.description) has low \(low[i]) > high \(high[i]) (or NaN) at element \(i)"]
    }
    return []
  case .multiDiscrete(let nvec):
    if let i = nvec.firstIndex(where: { $0 < 1 }) {
      return ["the \(name) \(space.description) has nvec[\(i)] = \(nvec[i]); each must be at least 1"]
    }
    return []
  case .text(let minLength, let maxLength, let charset):
    if minLength < 0 || minLength > maxLength { return ["the \(name) \(space.description) has min_length \(minLength) above max_length \(maxLength)"] }
    return charset.isEmpty ? ["the \(name) \(space.description) has an empty charset"] : []
  case .tuple(let spaces):
    return spaces.enumerated().flatMap { spaceProblems($1, "\(name)'s component \($0)") }
  case .dict(let keys, let spaces):
    return zip(keys, spaces).flatMap { spaceProblems($1, "\(name)'s \($0)") }
  }
}
