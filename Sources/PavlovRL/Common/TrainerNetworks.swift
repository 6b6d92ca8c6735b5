import PavlovTensor

/// What a deep trainer holds, open to scripts: its networks as ordinary modules (the live ones
/// it trains, not copies) and its optimizer, and a warm start from networks trained elsewhere
/// (behaviour cloning, another trainer). Names are SB3's and CleanRL's: `policy`, `value`, `q`,
/// `target_q`; each network's parameters are saved in checkpoints under `<prefix>` so a plain
/// model of the same shape loads them with `load(path, prefix:)`.
public protocol TrainerNetworks: Trainer {
  /// (name, module, checkpoint prefix) of every network.
  var networks: [(name: String, module: Module, prefix: String)] { get }
  var networkOptimizer: Optimizer { get }
  /// The networks that may be started from given values, by name.
  var warmStartable: [String] { get }
  /// Called after `warmStart` copied values in (DQN copies its Q-network into the target).
  func didWarmStart(_ names: [String])
}

extension TrainerNetworks {
  public func network(named name: String) -> Module? { networks.first { $0.name == name }?.module }

  /// Copies the values of `given` networks into the trainer's (same names and shapes), before
  /// any training: each must have the architecture the trainer built from its config.
  public func warmStart(_ given: [(name: String, module: Module)]) throws {
    guard timesteps == 0 else { throw CoreError("\(algorithm): networks can be given only to a new trainer, before it trains") }
    for (name, source) in given {
      guard warmStartable.contains(name), let target = network(named: name) else {
        throw CoreError("\(algorithm) cannot start its \(name) network from a given one", hint: "it can start: \(warmStartable.joined(separator: ", "))")
      }
      do {
        try target.loadValues(from: source)
      } catch let error as CoreError {
        throw CoreError("\(algorithm): the given \(name) network does not fit: \(error.message)",
                        hint: "give a network with the trainer's layer sizes (hidden: and the env's observation and action sizes)")
      }
    }
    didWarmStart(given.map(\.name))
  }
}
