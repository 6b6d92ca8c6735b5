/// What every toy-text environment shares: its model (Gymnasium's `P`), where episodes start,
/// the current state, the last action (for the picture) and the generator that picks outcomes.
/// Each environment adds its own rules and picture on top.
final class TabularModel {
  let envID: String
  let transitions: [[[Transition]]]
  /// Episodes start in one of these, uniformly: every toy-text start distribution is uniform
  /// over its support (one cell for most, 300 states for Taxi).
  let startStates: [Int]
  var state: Int
  var lastAction: Int?
  let generator: SeededGenerator

  /// An unseeded environment draws from seed 0, so runs without a seed still repeat.
  init(envID: String, transitions: [[[Transition]]], startStates: [Int]) {
    self.envID = envID
    self.transitions = transitions
    self.startStates = startStates
    state = startStates.first ?? 0
    generator = SeededGenerator(seed: 0)
  }

  var stateCount: Int { transitions.count }
  var actionCount: Int { transitions.first?.count ?? 0 }

  /// Starts an episode in a start state; a seed restarts the generator, nil continues it.
  func reset(seed: UInt64?) -> Reset {
    if let seed { generator.reseed(seed) }
    state = startStates.count == 1 ? startStates[0] : startStates[generator.nextInt(below: startStates.count)]
    lastAction = nil
    return Reset(observation: .int(state), info: ["prob": .double(1)])
  }

  /// Draws one outcome of `action` in the current state and moves there. The checks only
  /// matter for a bare environment: `make` has already validated the action.
  func step(_ action: Point) throws -> Step {
    guard case .int(let index) = action, index >= 0, index < actionCount else {
      throw CoreError("\(envID): invalid action \(action.description): use an integer from 0 to \(actionCount - 1)")
    }
    guard state >= 0, state < stateCount else {
      throw CoreError("\(envID): state \(state) is outside 0..<\(stateCount); set a valid state or call reset()")
    }
    let outcomes = transitions[state][index]
    guard let outcome = pickOutcome(outcomes, generator) else {
      throw CoreError("\(envID): state \(state) has no outcome for action \(index)")
    }
    state = outcome.next
    lastAction = index
    return Step(observation: .int(outcome.next), reward: outcome.reward, terminated: outcome.terminated,
                info: ["prob": .double(outcome.probability)])
  }

  /// An independent twin: same state and generator position, sharing the immutable model.
  func copy() -> TabularModel {
    let twin = TabularModel(envID: envID, transitions: transitions, startStates: startStates)
    twin.state = state
    twin.lastAction = lastAction
    twin.generator.copyState(from: generator)
    return twin
  }
}

/// One outcome chosen by its probability with a single uniform draw (the inverse of the
/// cumulative distribution, as Gymnasium's `categorical_sample`). A lone outcome takes no draw,
/// so deterministic environments leave the stream untouched. Nil only for an empty list.
func pickOutcome(_ outcomes: [Transition], _ generator: SeededGenerator) -> Transition? {
  if outcomes.count <= 1 { return outcomes.first }
  let u = generator.nextDouble()
  var cumulative = 0.0
  for outcome in outcomes {
    cumulative += outcome.probability
    if u < cumulative { return outcome }
  }
  // Rounding can leave the sum a hair under 1.
  return outcomes.last
}
