import PavlovLang
import PavlovRL
import PavlovTensor

/// The pieces the deep trainers are built from, as builtins running the trainers' own code:
/// minibatch shuffles, GAE, the PPO loss and DQN's TD targets. A script that writes PPO or DQN
/// by hand (stdlib's teaching twins) computes exactly what `ppo(...)` and `dqn(...)` compute.
/// Defaults are the trainers' (`PPOConfig`, `DQNConfig`).
enum RLBlocks {
  static func register(_ r: Registry) {
    let ppo = PPOConfig(), dqn = DQNConfig()

    r.function("randperm", [Param("n", doc: "how many indices")],
               doc: "0, 1, ..., n − 1 in a random order from the session's generator (Fisher–Yates, as the trainers shuffle).") { args in
      let n = try count(args, 0, "randperm")
      return .list(PList(Stdlib.generator(for: args.interpreter).permutation(n).map { .int($0) }))
    }

    r.function("minibatches", [Param("n", doc: "how many rows"), Param("size", doc: "rows per minibatch"),
                               Param("shuffle", default: .bool(true), doc: "false keeps the rows in order")],
               doc: "Lists of row indices covering 0..n − 1, `size` at a time (the last may be shorter): PPO's minibatch loop.") { args in
      let n = try count(args, 0, "minibatches"), size = try args.int(1)
      guard size >= 1 else { throw PavlovError.runtime("minibatches: size must be at least 1, got \(size)") }
      var order = Array(0..<n)
      if try args.bool(2) { Stdlib.generator(for: args.interpreter).shuffle(&order) }
      return .list(PList(stride(from: 0, to: n, by: size).map { start in
        .list(PList(order[start..<Swift.min(start + size, n)].map { .int($0) }))
      }))
    }

    r.function("gae", [Param("rewards", doc: "(T, N): step t of env copy i"),
                       Param("values", doc: "(T, N): V of the observation each step started from"),
                       Param("terminated", doc: "(T, N): 1 where the episode ended for good (nothing is bootstrapped past it)"),
                       Param("truncated", doc: "(T, N): 1 where a time limit cut the episode"),
                       Param("last_values", doc: "(N): V of the observations after the rollout"),
                       Param("gamma", default: .float(ppo.gamma), doc: "the discount factor"),
                       Param("lam", default: .float(ppo.gaeLambda), doc: "GAE's λ"),
                       Param("truncation_values", default: .null, doc: "(T, N): V(final observation) where truncated; γ·V is added to that reward (SB3)")],
               doc: "Generalized advantage estimation over a rollout, with SB3's handling of episode ends: {advantages, returns}, each (T, N) — the code ppo and a2c run.") { args in
      let rewards = try TensorBindings.tensor(args[0]), shape = rewards.shape
      guard shape.count == 2 else { throw PavlovError.runtime("gae: rewards must be (steps, envs), got shape \(Shape.describe(shape))") }
      let steps = shape[0], copies = shape[1]
      func grid(_ i: Int, _ name: String) throws(PavlovError) -> [Float] {
        let t = try TensorBindings.tensor(args[i])
        guard t.shape == shape else {
          throw PavlovError.runtime("gae: \(name) must have the shape of rewards \(Shape.describe(shape)), got \(Shape.describe(t.shape))")
        }
        return t.data
      }
      let values = try grid(1, "values")
      let terminated = try grid(2, "terminated").map { $0 != 0 }, truncated = try grid(3, "truncated").map { $0 != 0 }
      let last = try TensorBindings.tensor(args[4])
      guard last.count == copies else { throw PavlovError.runtime("gae: last_values must hold one value per env (\(copies)), got \(last.count)") }
      let truncationValues = args.isNull(7) ? [Float](repeating: 0, count: steps * copies) : try grid(7, "truncation_values")
      let (advantages, returns) = GAE.compute(rewards: rewards.data, values: values, terminated: terminated, truncated: truncated,
                                              truncationValues: truncationValues, lastValues: last.data, steps: steps, copies: copies,
                                              gamma: try args.float(5), lambda: try args.float(6))
      return .record(PRecord([("advantages", TensorValue.wrap(Tensor(shape: shape, data: advantages))),
                              ("returns", TensorValue.wrap(Tensor(shape: shape, data: returns)))]))
    }

    r.function("ppo_loss", [Param("log_probs", doc: "(B) log π(a|s) of the taken actions, with a graph"),
                            Param("old_log_probs", doc: "(B) the same under the policy that collected them"),
                            Param("advantages", doc: "(B), normalized already if wanted"),
                            Param("values", doc: "(B) V(s) with a graph"),
                            Param("old_values", doc: "(B) V(s) at collection"),
                            Param("returns", doc: "(B) the value targets"),
                            Param("entropy", doc: "(B) the policy's entropy at each s, with a graph"),
                            Param("clip", default: .float(ppo.clip), doc: "ε of the clipped surrogate; nil: A2C's plain policy gradient"),
                            Param("clip_value", default: .null, doc: "when set, V moves at most this far from old_values"),
                            Param("ent_coef", default: .float(ppo.entCoef), doc: "weight of the entropy bonus"),
                            Param("vf_coef", default: .float(ppo.vfCoef), doc: "weight of the value loss")],
               doc: "SB3's PPO loss for one minibatch — the code ppo and a2c run: {loss, policy_loss, value_loss, entropy_loss, approx_kl, clip_fraction}; call loss.backward().") { args in
      let logProbs = try flat(args, 0, "log_probs"), b = logProbs.count
      func same(_ i: Int, _ name: String) throws(PavlovError) -> Tensor {
        let t = try flat(args, i, name)
        guard t.count == b else { throw PavlovError.runtime("ppo_loss: \(name) has \(t.count) values, log_probs \(b)") }
        return t
      }
      let loss = try CoreBridge.run("ppo_loss") {
        try PPOLoss(logProbs: logProbs, oldLogProbs: try same(1, "old_log_probs").data, advantages: try same(2, "advantages").data,
                    values: try same(3, "values"), oldValues: try same(4, "old_values").data, returns: try same(5, "returns").data,
                    entropy: try same(6, "entropy"), clip: args.isNull(7) ? nil : try args.float(7),
                    clipValue: args.isNull(8) ? nil : try args.float(8), entCoef: try args.float(9), vfCoef: try args.float(10))
      }
      return .record(PRecord([("loss", TensorValue.wrap(loss.total)), ("policy_loss", TensorValue.wrap(loss.policyLoss)),
                              ("value_loss", TensorValue.wrap(loss.valueLoss)), ("entropy_loss", TensorValue.wrap(loss.entropyLoss)),
                              ("approx_kl", .float(loss.approxKl)), ("clip_fraction", .float(loss.clipFraction))]))
    }

    r.function("td_target", [Param("rewards", doc: "(B) rewards of the sampled transitions"),
                             Param("next_q", doc: "(B, actions) the target network's Q-values of the next observations"),
                             Param("terminated", doc: "(B) 1 where the episode ended for good"),
                             Param("gamma", default: .float(dqn.gamma), doc: "the discount factor"),
                             Param("next_q_online", default: .null, doc: "(B, actions) the online network's: double DQN picks the action with it")],
               doc: "DQN's targets r + γ·(1 − terminated)·Q_target(s', a*), a* = argmax of next_q (or of next_q_online: double DQN) — the code dqn runs.") { args in
      let rewards = try flat(args, 0, "rewards"), next = try TensorBindings.tensor(args[1]), b = rewards.count
      guard next.rank == 2, next.shape[0] == b else {
        throw PavlovError.runtime("td_target: next_q must be (batch, actions) with batch \(b), got shape \(Shape.describe(next.shape))")
      }
      let terminated = try flat(args, 2, "terminated")
      guard terminated.count == b else { throw PavlovError.runtime("td_target: terminated has \(terminated.count) values, rewards \(b)") }
      var online: [Float]? = nil
      if !args.isNull(4) {
        let o = try TensorBindings.tensor(args[4])
        guard o.shape == next.shape else { throw PavlovError.runtime("td_target: next_q_online must have next_q's shape \(Shape.describe(next.shape))") }
        online = o.data
      }
      let targets = TDTargets.compute(rewards: rewards.data, terminals: terminated.data.map { $0 != 0 ? 1 : 0 }, nextTarget: next.data,
                                      nextOnline: online, actions: next.shape[1], gamma: Float(try args.float(3)))
      return TensorValue.wrap(Tensor(shape: [b], data: targets))
    }
  }

  private static func count(_ args: Args, _ i: Int, _ name: String) throws(PavlovError) -> Int {
    let n = try args.int(i)
    guard n >= 0, n <= 1 << 28 else { throw PavlovError.runtime("\(name): n must be between 0 and 2^28, got \(n)") }
    return n
  }

  /// A tensor argument as a vector (a (B, 1) column is read as (B), keeping its graph).
  private static func flat(_ args: Args, _ i: Int, _ name: String) throws(PavlovError) -> Tensor {
    let t = try TensorBindings.tensor(args[i])
    guard t.rank != 1 else { return t }
    guard t.rank == 2, t.shape[1] == 1 else { throw PavlovError.runtime("expected a vector (batch) for \(name), got shape \(Shape.describe(t.shape))") }
    return try CoreBridge.run(name) { try t.reshaped([t.count]) }
  }
}
