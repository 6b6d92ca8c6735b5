import PavlovLang

/// A trainer's keyword argument bound to a field of its Swift config: the parameter's default is
/// read from a config value and a given argument is written into the field. So each default lives
/// once — in the config (`PPOConfig`, `DQNConfig`, ...) — and the builtin, `:help`, the reference
/// docs and Swift callers cannot disagree about it.
struct ConfigOption<Config> {
  let name: String
  let doc: String
  /// The numbers it accepts, checked when the argument is read and stated by `:help`; the
  /// config's `validate()` applies the same bounds to Swift callers and loaded checkpoints.
  var range: ParamRange? = nil
  /// The parameter's default, read from the config the builtin starts from.
  let defaultValue: (Config) -> Value
  /// Writes the argument into the config when the user gave it (optional fields: always).
  let apply: (inout Config, TrainerArguments) throws -> Void

  func param(_ base: Config) -> Param { Param(name, default: defaultValue(base), doc: doc, range: range) }

  /// The same option with another description (a2c explains lr differently from ppo).
  func documented(_ doc: String) -> ConfigOption { ConfigOption(name: name, doc: doc, range: range, defaultValue: defaultValue, apply: apply) }

  static func int(_ name: String, _ field: WritableKeyPath<Config, Int>, _ doc: String, _ range: ParamRange? = nil) -> ConfigOption {
    ConfigOption(name: name, doc: doc, range: range, defaultValue: { .int($0[keyPath: field]) }) { c, a in
      if let v = try a.int(name) { c[keyPath: field] = v }
    }
  }

  static func number(_ name: String, _ field: WritableKeyPath<Config, Double>, _ doc: String, _ range: ParamRange? = nil) -> ConfigOption {
    ConfigOption(name: name, doc: doc, range: range, defaultValue: { .float($0[keyPath: field]) }) { c, a in
      if let v = try a.number(name) { c[keyPath: field] = v }
    }
  }

  /// A Float field, its default shown by its shortest digits (1e-4, not 9.999999747378752e-05).
  static func float(_ name: String, _ field: WritableKeyPath<Config, Float>, _ doc: String, _ range: ParamRange? = nil) -> ConfigOption {
    ConfigOption(name: name, doc: doc, range: range, defaultValue: { TensorBindings.float($0[keyPath: field]) }) { c, a in
      if let v = try a.number(name) { c[keyPath: field] = Float(v) }
    }
  }

  static func bool(_ name: String, _ field: WritableKeyPath<Config, Bool>, _ doc: String) -> ConfigOption {
    ConfigOption(name: name, doc: doc, defaultValue: { .bool($0[keyPath: field]) }) { c, a in
      if let v = try a.bool(name) { c[keyPath: field] = v }
    }
  }

  static func ints(_ name: String, _ field: WritableKeyPath<Config, [Int]>, _ doc: String) -> ConfigOption {
    ConfigOption(name: name, doc: doc, defaultValue: { .list(PList($0[keyPath: field].map { .int($0) })) }) { c, a in
      if let v = try a.ints(name) { c[keyPath: field] = v }
    }
  }

  static func string(_ name: String, _ field: WritableKeyPath<Config, String>, _ doc: String) -> ConfigOption {
    ConfigOption(name: name, doc: doc, defaultValue: { .str($0[keyPath: field]) }) { c, a in
      if let i = a.given(name) { c[keyPath: field] = try a.args.string(i) }
    }
  }

  /// An optional number: nil (the default when the config's is nil) switches the feature off.
  static func optionalNumber(_ name: String, _ field: WritableKeyPath<Config, Double?>, _ doc: String, _ range: ParamRange? = nil) -> ConfigOption {
    ConfigOption(name: name, doc: doc, range: range, defaultValue: { $0[keyPath: field].map { .float($0) } ?? .null }) { c, a in
      c[keyPath: field] = try a.number(name)
    }
  }

  static func optionalInt(_ name: String, _ field: WritableKeyPath<Config, Int?>, _ doc: String, _ range: ParamRange? = nil) -> ConfigOption {
    ConfigOption(name: name, doc: doc, range: range, defaultValue: { $0[keyPath: field].map { .int($0) } ?? .null }) { c, a in
      c[keyPath: field] = try a.int(name)
    }
  }

  /// One of an enumeration's names; anything else is an error listing them.
  static func choice<Choice: RawRepresentable & CaseIterable>(_ name: String, _ field: WritableKeyPath<Config, Choice>, _ doc: String) -> ConfigOption
  where Choice.RawValue == String {
    ConfigOption(name: name, doc: doc, defaultValue: { .str($0[keyPath: field].rawValue) }) { c, a in
      guard let i = a.given(name) else { return }
      let text = try a.args.string(i)
      guard let choice = Choice(rawValue: text) else {
        let names = Choice.allCases.map { Format.quoted($0.rawValue) }
        let listed = names.count > 1 ? names.dropLast().joined(separator: ", ") + " or " + (names.last ?? "") : names.joined()
        throw PavlovError.runtime("\(a.name): \(name) must be \(listed), got \(Format.quoted(text))")
      }
      c[keyPath: field] = choice
    }
  }
}

extension Array {
  /// The builtin's parameters, their defaults read from `base`.
  func params<Config>(_ base: Config) -> [Param] where Element == ConfigOption<Config> { map { $0.param(base) } }

  /// `base` with every given argument written in.
  func configured<Config>(_ base: Config, _ arguments: TrainerArguments) throws -> Config where Element == ConfigOption<Config> {
    var config = base
    for option in self { try option.apply(&config, arguments) }
    return config
  }
}
