import PavlovGym
import PavlovLang
import PavlovTensor

/// Reward transform by a Pavlov function (the Swift `TransformReward` takes a non-throwing
/// closure; a Pavlov function may raise an error, which must reach the script).
final class ScriptRewardTransform: Wrapper, ThreadBound {
  let interpreter: Interpreter
  let function: Value

  init(_ inner: Environment, _ function: Value, interpreter: Interpreter) {
    self.interpreter = interpreter
    self.function = function
    super.init(inner)
  }

  override func step(_ action: Point) throws -> Step {
    var result = try inner.step(action)
    let value = try interpreter.call(function, [.float(result.reward)])
    result.reward = try SpaceBindings.reals(value, "transform_reward", "the function's result").first ?? .nan
    return result
  }
}

/// Gymnasium's wrappers as functions of an env (or a Pavlov env record): each returns a new env
/// value over the old one, so they stack: `normalize_obs(record_episode_stats(make(...)))`.
enum WrapperBindings {
  static func register(_ r: Registry) {
    let envParam = Param("env", doc: "an environment (or a Pavlov env record)")
    r.function("time_limit", [envParam, Param("max_steps", doc: "steps before the episode is truncated")],
               doc: "Truncates episodes after max_steps steps (truncated = true).") { args in
      let e = try EnvBindings.environment(args[0], args.interpreter)
      let steps = try args.int(1)
      guard steps >= 1 else { throw PavlovError.runtime("time_limit: max_steps must be at least 1, got \(steps)") }
      return wrapped(e, TimeLimit(e.env, maxEpisodeSteps: steps), args)
    }
    r.function("record_episode_stats", [envParam, Param("buffer", default: .int(100), doc: "how many recent episodes env.episode_returns keeps", range: .count)],
               doc: "Adds info.episode = {r: return, l: length} when an episode ends; env.episode_returns / episode_lengths keep the recent ones.") { args in
      let e = try EnvBindings.environment(args[0], args.interpreter)
      return wrapped(e, RecordEpisodeStatistics(e.env, bufferLength: try args.int(1)), args)
    }
    r.function("normalize_obs", [envParam, Param("epsilon", default: .float(1e-8), doc: "added to the variance", range: .nonNegative)],
               doc: "Observations standardized by a running mean and variance (Gymnasium's NormalizeObservation).") { args in
      let e = try EnvBindings.environment(args[0], args.interpreter)
      return wrapped(e, NormalizeObservation(e.env, epsilon: try args.float(1)), args)
    }
    r.function("normalize_reward", [envParam, Param("gamma", default: .float(0.99), doc: "the discount of the running return", range: .discount),
                                    Param("epsilon", default: .float(1e-8), doc: "added to the variance", range: .positive)],
               doc: "Rewards scaled by the running std of the discounted return (Gymnasium's NormalizeReward).") { args in
      let e = try EnvBindings.environment(args[0], args.interpreter)
      let gamma = try args.float(1), epsilon = try args.float(2)
      return wrapped(e, NormalizeReward(e.env, gamma: gamma, epsilon: epsilon), args)
    }
    r.function("clip_action", [envParam], doc: "Clips box actions into the action space's bounds (any real action is then accepted).") { args in
      let e = try EnvBindings.environment(args[0], args.interpreter)
      return wrapped(e, try CoreBridge.run { try ClipAction(clipping: e.env) }, args)
    }
    r.function("transform_reward", [envParam, Param("f", doc: "a function from reward to reward, e.g. r => clip(r, -1, 1)")],
               doc: "Every reward passed through f.") { args in
      let e = try EnvBindings.environment(args[0], args.interpreter)
      return wrapped(e, ScriptRewardTransform(e.env, try args.callable(1), interpreter: args.interpreter), args)
    }
    r.function("frame_stack", [envParam, Param("k", doc: "how many recent observations to stack"),
                               Param("padding", default: .str("reset"), doc: "\"reset\": start filled with the first observation; \"zero\": with zeros")],
               doc: "The observation becomes the last k observations, oldest first (shape [k] + the inner shape).") { args in
      let e = try EnvBindings.environment(args[0], args.interpreter)
      let padding: FrameStack.Padding
      switch try args.string(2) {
      case "reset": padding = .reset
      case "zero": padding = .zero
      case let other: throw PavlovError.runtime("frame_stack: padding must be \"reset\" or \"zero\", got \"\(other)\"")
      }
      let k = try args.int(1)
      return wrapped(e, try CoreBridge.run { try FrameStack(e.env, size: k, padding: padding) }, args)
    }
    r.function("check_env", [envParam, Param("steps", default: .int(200), doc: "random steps to take", range: .count),
                             Param("seed", default: .int(0), doc: "seeds the random actions and the resets", range: .finite)],
               doc: "Every way the env breaks Gymnasium's contract (PettingZoo's for a multi-agent env), one sentence each (an empty list: it passes).") { args in
      let steps = try args.int(1)
      guard steps >= 0, steps <= 1_000_000 else {
        throw PavlovError.runtime("check_env: steps must be between 0 and 1000000, got \(steps)", hint: "a few hundred random steps find most problems")
      }
      if case .object(let multi as MultiEnvValue) = args[0] {
        let problems = checkMultiAgentEnv(multi.env, steps: steps, seed: UInt64(bitPattern: Int64(try args.int(2))))
        multi.started = true
        return .list(PList(problems.map { .str($0) }))
      }
      let e = try EnvBindings.environment(args[0], args.interpreter)
      let problems = checkEnv(e.env, steps: steps, seed: UInt64(bitPattern: Int64(try args.int(2))))
      return .list(PList(problems.map { .str($0) }))
    }
  }

  private static func wrapped(_ e: EnvValue, _ wrapper: Environment, _ args: Args) -> Value {
    .object(EnvValue(wrapper, name: e.name, fallbackGenerator: Stdlib.generator(for: args.interpreter), below: e))
  }
}
