import CPavlovSupport
import PavlovGym
import PavlovLang
import PavlovRL
import PavlovTensor

/// A deep-RL trainer as a Pavlov value (native type "trainer"), shared by every algorithm:
/// `train`, `evaluate`, `act`, `save`, and `load_trainer` to bring one back from its file.
final class TrainerValue: PObject {
  let trainer: Trainer
  /// What to call the env in displays.
  let envName: String
  /// The TensorBoard log `train(logdir:)` writes to, kept so later calls continue its file.
  var board: (String, TrainingBoard)?

  nonisolated(unsafe) static let nativeType: NativeType = TrainerBindings.makeType()

  init(_ trainer: Trainer, envName: String) {
    self.trainer = trainer
    self.envName = envName
    super.init(type: TrainerValue.nativeType)
  }

  override var displayString: String {
    let t = trainer
    return "<trainer \(t.algorithm) on \(envName): \(t.timesteps) steps, \(t.iterations) iteration\(t.iterations == 1 ? "" : "s")>"
  }
}

/// The trainer type's methods and `load_trainer`, plus the helpers every algorithm's binding
/// uses to read its env argument and turn trainer errors into Pavlov errors.
enum TrainerBindings {
  /// How each algorithm brings a trainer back from a checkpoint (the file names its algorithm).
  static let loaders: [String: (String, EnvSource) throws -> Trainer] = [
    "ppo": { try PPOTrainer.load(from: $0, env: $1, algorithm: "ppo") },
    "a2c": { try PPOTrainer.load(from: $0, env: $1, algorithm: "a2c") },
    "dqn": { try DQNTrainer.load(from: $0, env: $1) },
    "sac": { try SACTrainer.load(from: $0, env: $1) },
    "td3": { try TD3Trainer.load(from: $0, env: $1) },
    "ddpg": { try TD3Trainer.load(from: $0, env: $1) },
    "reinforce": { try ReinforceTrainer.load(from: $0, env: $1) },
    "es": { try ESTrainer.load(from: $0, env: $1) },
  ]

  static func register(_ r: Registry) {
    r.addType(TrainerValue.nativeType)
    r.function("load_trainer", [
      Param("path", doc: "a checkpoint written by trainer.save"),
      Param("env", default: .null, doc: "the env to continue on, as for ppo(...); nil: the registered id saved in the checkpoint"),
    ], doc: "Brings back a trainer saved with trainer.save: weights, optimizer, normalizers, generator and env positions, so training continues exactly.") { args in
      let path = try args.string(0)
      let (algorithm, savedEnv) = try CoreBridge.run { () throws -> (String, String) in
        let checkpoint = try TrainerCheckpoint.read(path)
        struct EnvName: Decodable { var env: String? }
        let saved = try? checkpoint.decode(EnvName.self, from: checkpoint.config, what: "config")
        return (checkpoint.algorithm, saved?.env ?? "")
      }
      guard let loader = loaders[algorithm] else {
        throw PavlovError.runtime("load_trainer: \(path) holds a \(algorithm) trainer, which this Pavlov cannot load",
                                  hint: "known algorithms: \(loaders.keys.sorted().joined(separator: ", "))")
      }
      let source: EnvSource
      if args.isNull(1) {
        guard EnvRegistry.spec(savedEnv) != nil else {
          throw PavlovError.runtime("load_trainer: \(path) was trained on \"\(savedEnv)\", which is not a registered env",
                                    hint: "pass the env: load_trainer(path, env: ...)")
        }
        source = try CoreBridge.run { try EnvSource.registered(savedEnv) }
      } else {
        source = try envSource(args[1], args.interpreter, copies: nil, "load_trainer")
      }
      let trainer = try CoreBridge.run { try loader(path, source) }
      return .object(TrainerValue(trainer, envName: source.name))
    }
  }

  /// What every `evaluate` returns: {mean_return, std_return, returns, lengths}.
  static func evaluationRecord(_ result: EvalResult) -> Value {
    .record(PRecord([
      ("mean_return", .float(result.meanReturn)),
      ("std_return", .float(result.stdReturn)),
      ("returns", .list(PList(result.returns.map { .float($0) }))),
      ("lengths", .list(PList(result.lengths.map { .int($0) }))),
    ]))
  }

  static func trainerValue(_ v: Value) throws -> TrainerValue {
    guard case .object(let t as TrainerValue) = v else { throw PavlovError.runtime("expected a trainer, got \(v.typeName)") }
    return t
  }

  /// An `env` argument as a source of fresh copies:
  /// - a registered id: `make(id)` per copy;
  /// - an env value: a copy of it per copy (its wrappers and options included);
  /// - a function: called per copy (with the copy's index if it takes one), must return a new env;
  /// - an env that cannot be copied (a Pavlov-written env record): only with `copies` 1, and
  ///   then the trainer trains on that very env and cannot evaluate on a separate one.
  static func envSource(_ value: Value, _ interpreter: Interpreter, copies: Int?, _ context: String) throws -> EnvSource {
    switch value {
    case .string(let id):
      return try CoreBridge.run { try EnvSource.registered(id.value) }
    case .function(let f):
      let takesIndex = (f as? Closure)?.parameterCount ?? 0 > 0
      var made: [ObjectIdentifier] = []
      return EnvSource(name: "custom", threadSafe: false) { i in
        let result = try interpreter.call(value, takesIndex ? [.int(i)] : [], labels: nil)
        let env = try EnvBindings.environment(result, interpreter).env
        // A function that hands back the same env twice would have copies share one state.
        guard !made.contains(ObjectIdentifier(env)) else {
          throw PavlovError.runtime("\(context): the env function returned the same env twice; it must make a new one on every call")
        }
        made.append(ObjectIdentifier(env))
        return env
      }
    case .object(let e as EnvValue):
      if e.env.copy() != nil {
        return EnvSource(name: e.name, threadSafe: !(e.env.unwrapped is ScriptEnvironment)) { _ in
          guard let copy = e.env.copy() else { throw PavlovError.runtime("\(context): \(e.name) could not be copied") }
          return copy
        }
      }
      return try single(e, copies, context)
    case .record:
      return try single(try EnvBindings.environment(value, interpreter), copies, context)
    default:
      throw PavlovError.runtime("\(context): env must be an id like \"CartPole-v1\", an env, or a function making one, got \(value.typeName)")
    }
  }

  /// The one env a Pavlov-written env gives: usable once, for a single copy.
  private static func single(_ e: EnvValue, _ copies: Int?, _ context: String) throws -> EnvSource {
    if let copies, copies != 1 {
      throw PavlovError.runtime("\(context): \(e.name) is written in Pavlov and cannot be copied, so n_envs must be 1 (got \(copies))",
                                hint: "pass a function that makes a fresh env for each copy: put `i =>` before the call that makes yours, as in \(context)(i => my_env(), n_envs: \(copies)) (i is the copy's index, 0 to \(copies - 1))")
    }
    var used = false
    return EnvSource(name: e.name, threadSafe: false) { _ in
      guard !used else {
        throw PavlovError.runtime("\(context): \(e.name) is written in Pavlov and cannot be copied, so the trainer has no second env (to evaluate on, or to reload into)",
                                  hint: "pass a function that makes a fresh env on each call instead of the env itself, as in \(context)(() => my_env(), ...): then the trainer makes the copies it needs")
      }
      used = true
      return e.env
    }
  }

  /// A trainer's statistics as a record, fixed fields first (nil mean return before any episode).
  static func record(_ stats: TrainStats) -> Value {
    .record(PRecord(stats.all.map { name, value in
      guard let value else { return (name, .null) }
      let integral = ["iteration", "timesteps", "episodes", "updates"].contains(name)
      return (name, integral ? .int(Int(value)) : .float(value))
    }))
  }

  static func makeType() -> NativeType {
    let t = NativeType(name: "trainer", doc: "A deep-RL trainer (ppo, a2c, ...): train it, evaluate it, act with it, save it.")
    t.method("train", [
      Param("steps", default: .null, doc: "env steps to take, exactly (a multiple of n_envs; the last rollout is shortened)"),
      Param("iterations", default: .null, doc: "rollout-and-update rounds to run"),
      Param("callback", default: .null, doc: "called after each iteration with its statistics; return false to stop"),
      Param("until_return", default: .null, doc: "also stop once the mean return of the last 100 episodes reaches this"),
      Param("logdir", default: .null, doc: "also write TensorBoard event files into this folder (tensorboard --logdir it): each statistic as train/NAME by timestep, the hyperparameters, the config"),
      Param("progress", default: .bool(true), doc: "show a progress bar on standard error (redrawn in place on a terminal, a plain line per 2% otherwise); false: none"),
      Param("plot", default: .null, doc: "a statistic to chart as training goes, e.g. \"mean_return\" (live above the bar on a terminal; once at the end otherwise)"),
    ], doc: "Trains until the budget is spent; returns the last iteration's statistics {iteration, timesteps, episodes, mean_return, mean_length, fps, learning_rate, losses...}.") { args in
      let value = try trainerValue(args.receiver)
      var board: TrainingBoard? = nil
      if !args.isNull(4) {
        let dir = try args.string(4)
        if let (open, existing) = value.board, open == dir { board = existing } else {
          let trainer = value.trainer
          board = try CoreBridge.run("train") { try TrainingBoard(directory: dir, trainer: trainer, config: trainer.configJSON) }
          value.board = (dir, board!)
        }
      }
      var budget = Budget(timesteps: args.isNull(0) ? nil : try args.int(0), iterations: args.isNull(1) ? nil : try args.int(1))
      if !args.isNull(3) { budget.meanReturnAtLeast = try args.float(3) }
      let callback: Value? = args.isNull(2) ? nil : try args.callable(2)
      let interpreter = args.interpreter
      let plot: String? = args.isNull(6) ? nil : try args.string(6)
      let progress = try args.bool(5) || plot != nil
        ? TrainStatsProgress(total: budget, display: .status(of: interpreter, plot: plot), plot: plot) : nil
      // The last frame stays on screen however training ends (budget, false, Ctrl-C, an error).
      defer { progress?.display.finish() }
      let stats = try CoreBridge.run {
        try value.trainer.train(budget) { stats in
          // Ctrl-C between iterations stops training with the trainer whole.
          if pavlov_take_interrupt() != 0 { throw PavlovError.interrupted() }
          try board?.log(stats)
          try progress?.update(stats)
          guard let callback else { return .proceed }
          progress?.display.clear()
          let answer = try interpreter.call(callback, [record(stats)], labels: nil)
          if case .bool(false) = answer { return .stop }
          return .proceed
        }
      }
      return stats.map(record) ?? .null
    }
    t.method("evaluate", [
      Param("episodes", default: .int(Evaluation.episodes), doc: "how many whole episodes to run", range: .count),
      Param("deterministic", default: .bool(true), doc: "take the most likely action (false: sample from the policy)"),
      Param("seed", default: .int(Int(Evaluation.seed)), doc: "episode k is reset with seed + k (a fresh copy of the env; training is untouched)", range: .finite),
    ], doc: "Runs episodes without learning; returns {mean_return, std_return, returns, lengths}.") { args in
      let value = try trainerValue(args.receiver)
      let episodes = try args.int(0)
      let seed = UInt64(bitPattern: Int64(try args.int(2)))
      let result = try CoreBridge.run { try value.trainer.evaluate(episodes: episodes, deterministic: try args.bool(1), seed: seed) }
      return evaluationRecord(result)
    }
    t.method("act", [
      Param("obs", doc: "one observation of the env"),
      Param("deterministic", default: .bool(true), doc: "the most likely action (false: a sample)"),
    ], doc: "The policy's action for one observation, ready for env.step.") { args in
      let value = try trainerValue(args.receiver)
      let trainer = value.trainer
      let observation = try SpaceBindings.point(args[0], for: trainer.observationSpace, "trainer.act", what: "the observation")
      let action = try CoreBridge.run { try trainer.act(observation, deterministic: try args.bool(1)) }
      return SpaceBindings.value(action, space: trainer.actionSpace)
    }
    t.method("save", [Param("path", doc: "where to write the checkpoint (a .safetensors file)")],
             doc: "Writes a checkpoint that load_trainer continues exactly from.") { args in
      let value = try trainerValue(args.receiver)
      let path = try args.string(0)
      try CoreBridge.run { try value.trainer.save(to: path) }
      return .null
    }
    t.property("algorithm", doc: "\"ppo\", \"a2c\", ...") { v in .str(try trainerValue(v).trainer.algorithm) }
    t.property("timesteps", doc: "Env steps taken so far (all copies, across saves).") { v in .int(try trainerValue(v).trainer.timesteps) }
    t.property("iterations", doc: "Iterations finished so far.") { v in .int(try trainerValue(v).trainer.iterations) }
    for (name, what) in [("policy", "the policy network (ppo, a2c, reinforce): observations → action logits or Gaussian means"),
                         ("value", "the value network (ppo, a2c, reinforce's baseline): observations → V(s)"),
                         ("q", "the Q-network (dqn): observations → one value per action"),
                         ("target_q", "the target Q-network (dqn)"),
                         ("q1", "the first critic (sac, td3, ddpg): observation and action concatenated → Q"),
                         ("q2", "the second critic (sac, td3)"),
                         ("target_policy", "the target policy (td3, ddpg)")] {
      t.property(name, doc: "\(what.prefix(1).uppercased() + what.dropFirst()), as a model: the live network the trainer trains (observations as the trainer sees them, normalized if it normalizes).") { v in
        let trainer = try trainerValue(v).trainer
        guard let open = trainer as? any TrainerNetworks, let module = open.network(named: name) else {
          let has = (trainer as? any TrainerNetworks)?.networks.map(\.name).joined(separator: ", ") ?? "none"
          throw PavlovError.runtime("\(trainer.algorithm) has no \(name) network", hint: "its networks: \(has)")
        }
        return .object(ModelValue(module))
      }
    }
    t.method("distribution", [Param("obs", doc: "a batch of observations (batch, size), as the trainer sees them (normalized if it normalizes)")],
             doc: "ppo and a2c: the policy's action distribution for the batch (categorical, or normal for Box actions), with the policy's gradient.") { args in
      let trainer = try trainerValue(args.receiver).trainer
      guard let ppo = trainer as? PPOTrainer else {
        throw PavlovError.runtime("\(trainer.algorithm) has no action distribution", hint: trainer.algorithm == "dqn" ? "its Q-values for a batch are agent.q(obs)" : "ppo and a2c have one")
      }
      let obs = try TensorBindings.tensor(args[0])
      guard obs.rank == 2, obs.shape[1] == ppo.envs.features.size else {
        throw PavlovError.runtime("distribution: obs must be (batch, \(ppo.envs.features.size)), got shape \(Shape.describe(obs.shape))", hint: "one observation: obs.unsqueeze(0)")
      }
      switch try CoreBridge.run("distribution", { try ppo.model.distribution(obs) }) {
      case .categorical(let d): return .object(CategoricalValue(d))
      case .gaussian(let d): return .object(NormalValue(d))
      }
    }
    t.property("networks", doc: "Every network by name, with the prefix its parameters have in a saved checkpoint: {policy: {model, prefix}, ...}.") { v in
      let trainer = try trainerValue(v).trainer
      guard let open = trainer as? any TrainerNetworks else { throw PavlovError.runtime("\(trainer.algorithm) exposes no networks") }
      return .record(PRecord(open.networks.map { ($0.name, .record(PRecord([("model", .object(ModelValue($0.module))), ("prefix", .str($0.prefix))]))) }))
    }
    t.property("optimizer", doc: "The optimizer the trainer steps (its lr, its state), as an optimizer value.") { v in
      let trainer = try trainerValue(v).trainer
      guard let open = trainer as? any TrainerNetworks else { throw PavlovError.runtime("\(trainer.algorithm) has no optimizer") }
      return .object(OptimizerValue(open.networkOptimizer))
    }
    t.property("config", doc: "The hyperparameters, as a record.") { v in
      let json = try trainerValue(v).trainer.configJSON
      do { return try JSONParser.parse(json).pavlovValue } catch { throw PavlovError.runtime("trainer.config: \(error)") }
    }
    return t
  }
}
