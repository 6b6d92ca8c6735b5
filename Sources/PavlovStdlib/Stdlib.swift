import PavlovGym
import PavlovLang
import PavlovTensor

/// Every builtin beyond the language's core: seeded randomness, JSON, files (text, JSON Lines,
/// CSV), time and the machine; tensors, layers, optimizers and distributions; environments,
/// wrappers and trainers; tokenizers and the RLHF builtins. Everything goes through PavlovLang's
/// registration API.
public enum Stdlib {
  /// The registered environment ids (what `env_ids()` returns), for the REPL's completion.
  public static var environmentIDs: [String] { EnvRegistry.ids }

  /// Registers every stdlib builtin into `registry` (call once per Registry).
  public static func register(into registry: Registry) {
    // The cores' long loops (evaluations, reads) stop on Ctrl-C through this hook.
    Interruption.requested = CoreBridge.interruptRequested
    registry.family("random")
    RandomLibrary.register(registry)
    GeneratorValue.register(registry)
    registry.family("json")
    JSONLibrary.register(registry)
    registry.family("io")
    FileLibrary.register(registry)
    CSVLibrary.register(registry)
    Machine.register(registry)  // machine(): the CPU and the kernel path, beside env_var
    registry.family("time")
    TimeLibrary.register(registry)
    registry.family("tensors")
    TensorBindings.register(registry)
    CheckpointBindings.register(registry)  // save_tensors, load_tensors, tensor_metadata, digest
    DistributionBindings.register(registry)  // family "distributions"
    registry.family("nn")
    NNBindings.register(registry)
    OptimBindings.register(registry)  // family "optimizers": sgd, adam, adamw, clip_grad_norm
    EnvBindings.register(registry)  // family "envs": make, spaces, env values, Pavlov-written envs
    WrapperBindings.register(registry)  // wrappers and check_env
    VecEnvBindings.register(registry)
    PlayBindings.register(registry)
    BanditBindings.register(registry)  // family "trainers": bandit_agent, run_bandit
    TabularBindings.register(registry)  // q_learning, sarsa, expected_sarsa, mc_control, value_iteration, policy_iteration
    registry.family("trainers")
    TrainerBindings.register(registry)  // the trainer type, load_trainer
    // The trainers register when a script first names one (`Registry.deferred`): building
    // their option tables (a key path per option) took a third of every start.
    registry.deferred(["ppo", "a2c"], PPOBindings.register)
    registry.deferred(["dqn"], DQNBindings.register)
    registry.deferred(["sac"], SACBindings.register)
    registry.deferred(["td3", "ddpg"], TD3Bindings.register)
    registry.deferred(["reinforce"], ReinforceBindings.register)
    registry.deferred(["es"], ESBindings.register)
    registry.family("sweeps")
    SearchSpaceBindings.register(registry)  // tune_grid, tune_choice, ..., asha, pbt
    TuneBindings.register(registry)  // tune, report
    registry.family("offline")
    DatasetBindings.register(registry)  // record_episodes, load_dataset, the dataset type
    OfflineBindings.register(registry)  // ope, ope_episodes
    registry.addType(OfflineLearnerValue.nativeType)
    registry.deferred(["bc", "marwil", "cql", "cql_continuous", "iql", "dt"], OfflineLearnerBindings.register)
    registry.family("blocks")
    RolloutBlock.register(registry)
    RLBlocks.register(registry)  // randperm, minibatches, gae, ppo_loss, td_target, replay_buffer, ...
    PlotBindings.register(registry)  // family "plots": plot, save_plot
    registry.family("text")
    TokenizerBindings.register(registry)  // char_tokenizer, bpe_tokenizer, load_tokenizer, the tokenizer type
    registry.family("rlhf")
    DataBindings.register(registry)  // review_corpus, gold_score, gold_report, preference files, ranked_pairs
    LabelBindings.register(registry)  // label
    LMBindings.register(registry)  // pretrain, sft, generate, log_probs, reward_model, dpo, best_of_n, win_rate, kl_to
    registry.addType(PolicyTrainerValue.nativeType)
    registry.deferred(PolicyBindings.builtinNames, PolicyBindings.register)  // ppo_lm, grpo, rloo
    registry.addType(ILQLValue.nativeType)
    registry.deferred(["ilql"], ILQLBindings.register)
    registry.family("multiagent")
    MultiEnvBindings.register(registry)  // the multi_env type, as_multi_env, to_aec, to_parallel, bot, multi_env_ids
    registry.addType(MATrainerValue.nativeType)
    registry.deferred(["ma_ppo", "ma_dqn", "match"], MultiAgentTrainerBindings.register)
  }

  /// The key of the interpreter's generator in `Interpreter.extensions`.
  static let generatorKey = "rng"

  /// The interpreter's one seeded generator, made on first use with seed 0 so runs are
  /// reproducible unless a script (`seed(n)`) or the CLI (`--seed N`) says otherwise.
  public static func generator(for interpreter: Interpreter) -> SeededGenerator {
    if let existing = interpreter.randomSource as? SeededGenerator { return existing }
    let made = SeededGenerator(seed: 0)
    interpreter.randomSource = made
    interpreter.extensions[generatorKey] = made
    return made
  }

  /// Reseeds the interpreter's generator (in place, so holders of it see the new sequence).
  public static func seed(_ interpreter: Interpreter, _ seed: UInt64) {
    generator(for: interpreter).reseed(seed)
  }
}
