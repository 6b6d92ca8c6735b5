import PavlovGym
import PavlovLang
import PavlovTensor

/// An environment as a Pavlov value: the top of a wrapper stack over a registered or
/// Pavlov-written environment, with its spaces (sampling from the env's seeded samplers) and
/// the info of the last reset or step.
final class EnvValue: PObject {
  let env: Environment
  let name: String
  var info: Info = [:]
  /// The last step ended the episode. Checked here as well as in the `make` layer, because a
  /// wrapper above that layer (time_limit) can end an episode the layer below never sees end.
  var episodeEnded = false
  let observationSpaceValue: SpaceValue
  let actionSpaceValue: SpaceValue

  nonisolated(unsafe) static let nativeType: NativeType = EnvBindings.makeType()

  /// The `make` layer under the wrappers, found once (a wrapper's value takes it from the value
  /// below, so stacking N wrappers does not walk the stack N times).
  let managedLayer: ManagedEnvironment?

  init(_ env: Environment, name: String, fallbackGenerator: SeededGenerator, below: EnvValue? = nil) {
    self.env = env
    self.name = name
    let managed = below.map(\.managedLayer) ?? EnvValue.managed(in: env)
    managedLayer = managed
    observationSpaceValue = SpaceValue(env.observationSpace, generator: managed?.observationSampler ?? fallbackGenerator.split())
    actionSpaceValue = SpaceValue(env.actionSpace, generator: managed?.actionSampler ?? fallbackGenerator.split())
    super.init(type: EnvValue.nativeType)
  }

  /// The `make` layer under any wrappers (it holds the seeded space samplers and the order state).
  static func managed(in env: Environment) -> ManagedEnvironment? { env.layer(ManagedEnvironment.self) }

  override var displayString: String {
    "<env \(name): observations \(env.observationSpace.description), actions \(env.actionSpace.description)>"
  }
}

/// Conversions of `info` dictionaries and `make` options.
enum GymValues {
  static func record(_ info: Info) -> Value {
    let record = PRecord()
    for key in info.keys.sorted() {
      if let value = info[key] { record[key] = self.value(value) }
    }
    return .record(record)
  }

  static func value(_ info: InfoValue) -> Value {
    switch info {
    case .double(let v): return .float(v)
    case .int(let v): return .int(v)
    case .bool(let v): return .bool(v)
    case .string(let v): return .str(v)
    case .point(let p): return SpaceBindings.value(p, space: .discrete(1))
    case .record(let r): return record(r)
    }
  }

  /// Pavlov values back into info (envs written in Pavlov return records).
  static func info(_ value: Value) -> InfoValue? {
    switch value {
    case .int(let v): return .int(v)
    case .float(let v): return .double(v)
    case .bool(let v): return .bool(v)
    case .string(let s): return .string(s.value)
    case .record(let r): return .record(info(r))
    case .object(let t as TensorValue):
      if t.tensor.isInteger { return .point(.ints(t.tensor.ints.map { Int($0) })) }
      return .point(.reals(t.tensor.data.map { Double($0) }))
    case .list(let l):
      if let ints = try? l.items.map({ try SpaceBindings.integer($0, "info", "a value") }) { return .point(.ints(ints)) }
      if let reals = try? SpaceBindings.reals(value, "info", "a value") { return .point(.reals(reals)) }
      return nil
    default: return nil
    }
  }

  static func info(_ record: PRecord) -> Info {
    var out: Info = [:]
    for (key, value) in zip(record.keys, record.values) {
      if case .string(let name) = key, let converted = info(value) { out[name] = converted }
    }
    return out
  }

  /// `make`'s keyword options as Gym options.
  static func options(_ value: Value, _ context: String) throws -> [String: EnvOption] {
    guard case .record(let record) = value else { return [:] }
    var out: [String: EnvOption] = [:]
    for (key, v) in zip(record.keys, record.values) {
      guard case .string(let name) = key else { continue }
      switch v {
      case .bool(let b): out[name] = .bool(b)
      case .int(let i): out[name] = .number(Double(i))
      case .float(let d): out[name] = .number(d)
      case .string(let s): out[name] = .string(s.value)
      case .list(let l):
        if l.items.allSatisfy({ if case .string = $0 { return true }; return false }) {
          out[name] = .strings(l.items.compactMap { if case .string(let s) = $0 { return s.value }; return nil })
        } else {
          out[name] = .numbers(try SpaceBindings.reals(v, context, "option \(name)"))
        }
      case .object(let t as TensorValue): out[name] = .numbers(t.tensor.data.map { Double($0) })
      default:
        throw PavlovError.runtime("\(context): option \(name) must be a bool, number, string or list, got \(v.typeName)")
      }
    }
    return out
  }
}
