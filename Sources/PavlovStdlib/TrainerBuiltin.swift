import PavlovLang
import PavlovRL
import PavlovTensor

/// The shape every one-env trainer builtin shares — `dqn(env, options..., seed)`,
/// `reinforce(...)`, `es(...)`: its parameters are the env, the config's options (defaults read
/// from the config) and a seed; calling it fills a config and builds the trainer on the env.
struct TrainerBuiltin<Config> {
  let name: String
  let envDoc: String
  let options: [ConfigOption<Config>]
  /// The config the defaults come from.
  let base: Config
  let seed: WritableKeyPath<Config, UInt64>
  let seedDoc: String
  let doc: String
  /// Networks a script may give to start from (`q: net`), with their docs.
  var networks: [Param] = []
  /// Takes the layer sizes of given networks into the config (unless the script chose hidden:).
  /// (config, base, hidden sizes, activation).
  var adoptShape: ((inout Config, Config, [Int], Activation.Function?) throws -> Void)? = nil
  let build: (EnvSource, Config) throws -> any Trainer

  func register(_ r: Registry) {
    let params = [Param("env", doc: envDoc)] + options.params(base) + networks + [Param("seed", default: .null, doc: seedDoc)]
    r.function(name, params, doc: doc) { args in
      let a = TrainerArguments(args: args, params: params, name: name)
      var config = try options.configured(base, a)
      config[keyPath: seed] = try a.seed()
      let given = try WarmStart.given(a, networks.map(\.name))
      if let adoptShape, let shape = try WarmStart.hidden(given, name) {
        try adoptShape(&config, base, shape.hidden, shape.activation)
      }
      let source = try TrainerBindings.envSource(args[0], args.interpreter, copies: 1, name)
      let trainer = try CoreBridge.run { try build(source, config) }
      try WarmStart.apply(given, to: trainer, name)
      return .object(TrainerValue(trainer, envName: source.name))
    }
  }
}
