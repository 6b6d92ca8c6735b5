import PavlovLang
import PavlovRL

/// `dqn(env, ...)`: a deep Q-learning trainer whose keyword arguments are SB3's DQN
/// hyperparameters, with SB3's defaults.
enum DQNBindings {
  static func register(_ r: Registry) {
    let params: [Param] = [
      Param("env", doc: "a registered id (\"CartPole-v1\"), an env, or a function making one; the action space must be discrete"),
      Param("lr", default: .float(1e-4), doc: "Adam's learning rate"),
      Param("buffer_size", default: .int(1_000_000), doc: "transitions kept in the replay ring (the oldest are overwritten)"),
      Param("learning_starts", default: .int(100), doc: "steps of uniformly random actions before ε-greedy acting and learning begin"),
      Param("batch_size", default: .int(32), doc: "transitions per gradient step, drawn uniformly from the buffer"),
      Param("tau", default: .float(1), doc: "target update weight: 1 copies the network, less blends it in (a soft update)"),
      Param("gamma", default: .float(0.99), doc: "the discount factor"),
      Param("train_freq", default: .int(4), doc: "env steps between training phases (one iteration)"),
      Param("gradient_steps", default: .int(1), doc: "gradient steps per training phase (-1: as many as env steps since the last)"),
      Param("target_update_interval", default: .int(10_000), doc: "env steps between target-network updates"),
      Param("exploration_fraction", default: .float(0.1), doc: "share of total_steps over which ε falls to its final value"),
      Param("exploration_initial_eps", default: .float(1), doc: "ε at the start"),
      Param("exploration_final_eps", default: .float(0.05), doc: "ε after the exploration fraction"),
      Param("max_grad_norm", default: .float(10), doc: "gradients are clipped to this total L2 norm"),
      Param("hidden", default: .list(PList([.int(64), .int(64)])), doc: "hidden layer sizes of the Q-network (ReLU)"),
      Param("double", default: .bool(false), doc: "double DQN: the online network picks the next action, the target network values it"),
      Param("total_steps", default: .null, doc: "the horizon of the ε schedule (nil: the steps of the first train call)"),
      Param("seed", default: .null, doc: "seeds weights, exploration, minibatches and env episodes (nil: drawn from the session seed)"),
    ]
    r.function("dqn", params,
               doc: "A DQN trainer (replay buffer, target network, ε-greedy, Huber loss; SB3's details): call .train(steps: n) on it.") { args in
      let a = TrainerArguments(args: args, params: params, name: "dqn")
      var c = DQNConfig()
      if let v = try a.number("lr") { c.lr = v }
      if let v = try a.int("buffer_size") { c.bufferSize = v }
      if let v = try a.int("learning_starts") { c.learningStarts = v }
      if let v = try a.int("batch_size") { c.batchSize = v }
      if let v = try a.number("tau") { c.tau = v }
      if let v = try a.number("gamma") { c.gamma = v }
      if let v = try a.int("train_freq") { c.trainFreq = v }
      if let v = try a.int("gradient_steps") { c.gradientSteps = v }
      if let v = try a.int("target_update_interval") { c.targetUpdateInterval = v }
      if let v = try a.number("exploration_fraction") { c.explorationFraction = v }
      if let v = try a.number("exploration_initial_eps") { c.explorationInitialEps = v }
      if let v = try a.number("exploration_final_eps") { c.explorationFinalEps = v }
      if let v = try a.number("max_grad_norm") { c.maxGradNorm = v }
      if let v = try a.ints("hidden") { c.hidden = v }
      if let v = try a.bool("double") { c.double = v }
      c.totalSteps = try a.int("total_steps")
      c.seed = try a.seed()
      let source = try TrainerBindings.envSource(args[0], args.interpreter, copies: 1, "dqn")
      let trainer = try CoreBridge.run { try DQNTrainer(env: source, config: c) }
      return .object(TrainerValue(trainer, envName: source.name))
    }
  }
}
