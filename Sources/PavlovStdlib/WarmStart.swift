import PavlovLang
import PavlovRL
import PavlovTensor

/// Networks given to a trainer builtin (`ppo(env, policy: net)`, `dqn(env, q: net)`): the
/// trainer builds its own networks from the config — with the given network's layer sizes and
/// activation when `hidden:` is not given — and starts them from the given values.
enum WarmStart {
  /// The networks given under `names`, as (name, module).
  static func given(_ a: TrainerArguments, _ names: [String]) throws -> [(name: String, module: Module)] {
    try names.compactMap { name in
      guard let i = a.given(name) else { return nil }
      return (name, try NNBindings.model(a.args[i]).module)
    }
  }

  /// The hidden sizes and activation of a plain MLP (linear layers with one activation between
  /// them, as `mlp(...)` makes); nil for any other model.
  static func mlpShape(_ module: Module) -> (hidden: [Int], activation: Activation.Function?)? {
    guard let sequential = module as? Sequential else { return nil }
    var sizes: [Int] = [], activation: Activation.Function? = nil
    for (_, layer) in sequential.children {
      if let linear = layer as? Linear {
        sizes.append(linear.outputs)
      } else if let a = layer as? Activation, activation == nil || activation == a.function {
        activation = a.function
      } else {
        return nil
      }
    }
    guard !sizes.isEmpty else { return nil }
    return (Array(sizes.dropLast()), activation)
  }

  /// The hidden sizes the given networks ask for (all the same), or nil when none was given.
  static func hidden(_ networks: [(name: String, module: Module)], _ function: String) throws -> (hidden: [Int], activation: Activation.Function?)? {
    var found: (hidden: [Int], activation: Activation.Function?)? = nil
    for (name, module) in networks {
      guard let shape = mlpShape(module) else {
        throw PavlovError.runtime("\(function): \(name) must be an mlp (linear layers and activations), got \(module.summary)",
                                  hint: "make it with mlp([inputs, 64, 64, outputs])")
      }
      if let f = found, f.hidden != shape.hidden {
        throw PavlovError.runtime("\(function): the given networks have different hidden sizes (\(f.hidden) and \(shape.hidden))",
                                  hint: "the trainer builds every network with one hidden: list")
      }
      found = shape
    }
    return found
  }

  /// Starts `trainer`'s networks from the given ones.
  static func apply(_ networks: [(name: String, module: Module)], to trainer: any Trainer, _ function: String) throws(PavlovError) {
    guard !networks.isEmpty else { return }
    guard let open = trainer as? any TrainerNetworks else { throw PavlovError.runtime("\(function) cannot start from given networks") }
    try CoreBridge.run(function) { try open.warmStart(networks) }
  }
}
