import PavlovGym
import PavlovLang
import PavlovTensor

/// An environment written in Pavlov: a record with `reset` and `step` functions and its two
/// spaces, adapted to the Swift `Environment` protocol so wrappers, vector envs and trainers
/// take it like a built-in one.
///
///     {observation_space: discrete(5), action_space: discrete(2),
///      reset: seed => 0,                      # the first observation (or {obs, info})
///      step: a => {obs: 1, reward: 0.0, terminated: false},   # truncated and info optional
///      render: () => "..."}                   # optional
final class ScriptEnvironment: Environment, ThreadBound {
  let interpreter: Interpreter
  let name: String
  let observationSpace: Space
  let actionSpace: Space
  private let resetFunction: Value
  private let stepFunction: Value
  private let renderFunction: Value?
  private var lastObservation: Point?

  init(_ record: PRecord, name: String, interpreter: Interpreter) throws {
    self.interpreter = interpreter
    self.name = name
    func field(_ key: String, _ what: String) throws -> Value {
      guard let value = record[key] else {
        throw PavlovError.runtime("\(name): an environment record needs a `\(key)` field (\(what))",
                                  hint: "e.g. {observation_space: discrete(4), action_space: discrete(2), reset: seed => 0, step: a => {obs: 0, reward: 1.0, terminated: true}}")
      }
      return value
    }
    func space(_ key: String) throws -> Space {
      guard case .object(let s as SpaceValue) = try field(key, "a space: discrete(n), box(low, high, shape) or multi_discrete(nvec)") else {
        throw PavlovError.runtime("\(name): `\(key)` must be a space made by discrete(n), box(low, high, shape) or multi_discrete(nvec)")
      }
      return s.space
    }
    observationSpace = try space("observation_space")
    actionSpace = try space("action_space")
    resetFunction = try field("reset", "a function of the seed returning the first observation")
    stepFunction = try field("step", "a function of the action returning {obs, reward, terminated}")
    for (key, value) in [("reset", resetFunction), ("step", stepFunction)] {
      guard case .function = value else { throw PavlovError.runtime("\(name): `\(key)` must be a function, got \(value.typeName)") }
    }
    renderFunction = record["render"]
  }

  func reset(seed: UInt64?) throws -> Reset {
    var arguments: [Value] = []
    if case .function(let f) = resetFunction, (f as? Closure)?.parameterCount ?? 1 > 0 {
      arguments = [seed.map { .int(Int(truncatingIfNeeded: $0)) } ?? .null]
    }
    let result = try interpreter.call(resetFunction, arguments)
    var observationValue = result
    var info: Info = [:]
    if case .record(let record) = result, let obs = record["obs"] {
      observationValue = obs
      if case .record(let infoRecord)? = record["info"] { info = GymValues.info(infoRecord) }
    }
    let observation = try checkedObservation(observationValue, "reset")
    lastObservation = observation
    return Reset(observation: observation, info: info)
  }

  func step(_ action: Point) throws -> Step {
    let result = try interpreter.call(stepFunction, [SpaceBindings.value(action, space: actionSpace)])
    guard case .record(let record) = result else {
      throw PavlovError.runtime("\(name).step must return a record {obs, reward, terminated}, got \(result.typeName)")
    }
    guard let obsValue = record["obs"] else { throw PavlovError.runtime("\(name).step's record has no `obs` field") }
    let observation = try checkedObservation(obsValue, "step")
    let reward = try Self.reward(record["reward"], "\(name).step", what: "reward", missing: "\(name).step's record has no `reward` field")
    func flag(_ key: String, required: Bool) throws -> Bool {
      try Self.flag(record[key], "\(name).step", what: key,
                    missing: required ? "\(name).step's record has no `\(key)` field (true when the episode has ended)" : nil)
    }
    // `done` is accepted for the old Gym API; `terminated` wins when both are there.
    let useDone = !record.has(.string("terminated")) && record.has(.string("done"))
    let terminated = try flag(useDone ? "done" : "terminated", required: true)
    let truncated = try flag("truncated", required: false)
    var info: Info = [:]
    if case .record(let infoRecord)? = record["info"] { info = GymValues.info(infoRecord) }
    lastObservation = observation
    return Step(observation: observation, reward: reward, terminated: terminated, truncated: truncated, info: info)
  }

  /// A reward a script returned — an int, a float or a one-number tensor — or an error:
  /// "`context`: `what` must be a number", or `missing` when there is none.
  static func reward(_ value: Value?, _ context: String, what: String, missing: String) throws -> Double {
    switch value {
    case .int(let v)?: return Double(v)
    case .float(let v)?: return v
    case .object(let o)? where o.scalarValue != nil:
      return try SpaceBindings.reals(.object(o), context, "the reward").first ?? 0
    case let other?: throw PavlovError.runtime("\(context): \(what) must be a number, got \(other.typeName)")
    case nil: throw PavlovError.runtime(missing)
    }
  }

  /// A true/false a script returned, or an error; absent is false when `missing` is nil.
  static func flag(_ value: Value?, _ context: String, what: String, missing: String?) throws -> Bool {
    switch value {
    case .bool(let b)?: return b
    case nil:
      if let missing { throw PavlovError.runtime(missing) }
      return false
    case let other?: throw PavlovError.runtime("\(context): \(what) must be true or false, got \(other.typeName)")
    }
  }

  func render() -> String {
    if let renderFunction, case .function = renderFunction,
       let text = try? interpreter.call(renderFunction, []), let shown = try? Format.checkedText(text, quoted: false) {
      return shown
    }
    return "\(name): observation \(lastObservation?.description ?? "(not reset)")"
  }

  private func checkedObservation(_ value: Value, _ function: String) throws -> Point {
    let observation = try SpaceBindings.point(value, for: observationSpace, "\(name).\(function)", what: "the observation")
    guard observationSpace.contains(observation) else {
      throw PavlovError.runtime("\(name).\(function) returned an observation outside observation_space: \(observationSpace.whyNotContains(observation))")
    }
    return observation
  }
}
