import PavlovGym
import PavlovLM
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
    registerNormalizer(r)
    registerKLController(r)
    ReplayBufferValue.register(r)

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
                       Param("gamma", default: .float(ppo.gamma), doc: "the discount factor", range: .discount),
                       Param("lam", default: .float(ppo.gaeLambda), doc: "GAE's λ", range: .discount),
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
                            Param("advantages", doc: "(B) the advantage of each row"),
                            Param("values", doc: "(B) V(s) with a graph"),
                            Param("old_values", doc: "(B) V(s) at collection"),
                            Param("returns", doc: "(B) the value targets"),
                            Param("entropy", doc: "(B) the policy's entropy at each s, with a graph"),
                            Param("clip", default: .float(ppo.clip), doc: "ε of the clipped surrogate; nil: A2C's plain policy gradient", range: .nonNegative),
                            Param("clip_value", default: .null, doc: "when set, V moves at most this far from old_values", range: .positive),
                            Param("ent_coef", default: .float(ppo.entCoef), doc: "weight of the entropy bonus", range: .nonNegative),
                            Param("vf_coef", default: .float(ppo.vfCoef), doc: "weight of the value loss", range: .nonNegative),
                            Param("normalize", default: .bool(false), doc: "true: standardize the advantages first, as ppo does per minibatch (normalize_advantage)")],
               doc: "SB3's PPO loss for one minibatch — the code ppo and a2c run: {loss, policy_loss, value_loss, entropy_loss, approx_kl, clip_fraction}; call loss.backward().") { args in
      let logProbs = try flat(args, 0, "log_probs"), b = logProbs.count
      func same(_ i: Int, _ name: String) throws(PavlovError) -> Tensor {
        let t = try flat(args, i, name)
        guard t.count == b else { throw PavlovError.runtime("ppo_loss: \(name) has \(t.count) values, log_probs \(b)") }
        return t
      }
      var advantages = try same(2, "advantages").data
      if try args.bool(11) { advantages = PPOLoss.normalized(advantages) }
      let loss = try CoreBridge.run("ppo_loss") {
        try PPOLoss(logProbs: logProbs, oldLogProbs: try same(1, "old_log_probs").data, advantages: advantages,
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
                             Param("gamma", default: .float(dqn.gamma), doc: "the discount factor, or (B) discounts: a replay sample's, for n-step targets", range: .discount),
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
      var gamma: Float = 1, discounts: [Float]? = nil
      if case .object(let o) = args[3], let t = o as? TensorValue {
        guard t.tensor.count == b else { throw PavlovError.runtime("td_target: gamma has \(t.tensor.count) discounts, rewards \(b)") }
        discounts = t.tensor.data
      } else {
        gamma = Float(try args.float(3))
      }
      let targets = TDTargets.compute(rewards: rewards.data, terminals: terminated.data.map { $0 != 0 ? 1 : 0 }, nextTarget: next.data,
                                      nextOnline: online, actions: next.shape[1], gamma: gamma, discounts: discounts)
      return TensorValue.wrap(Tensor(shape: [b], data: targets))
    }
  }

  static func registerNormalizer(_ r: Registry) {
    r.addType(RunningStatsValue.nativeType)
    r.function("running_mean_std", [Param("size", doc: "how many numbers a sample has")],
               doc: "Running mean and variance of samples (Gymnasium's RunningMeanStd, what normalize_obs and the trainers' normalizers keep): .update(x), .normalize(x).") { args in
      let size = try args.int(0)
      guard size >= 1, size <= 1 << 20 else { throw PavlovError.runtime("running_mean_std: size must be between 1 and 2^20, got \(size)") }
      return .object(RunningStatsValue(size: size))
    }
  }

  static func registerKLController(_ r: Registry) {
    r.addType(KLControllerValue.nativeType)
    let d = PolicyConfig()
    r.function("kl_controller", [Param("init", default: .float(d.klCoef), doc: "β to start from", range: .nonNegative),
                                 Param("target", default: .null, doc: "the KL to track (nil: β stays fixed)", range: .positive),
                                 Param("horizon", default: .float(d.klHorizon), doc: "samples over which β may move by ±20%", range: .positive)],
               doc: "β for a KL penalty, fixed or adaptive (Ziegler et al.; what ppo_lm's target_kl runs): .update(kl, n), .value.") { args in
      let target = args.isNull(1) ? nil : try args.float(1)
      let horizon = try args.float(2)
      return .object(KLControllerValue(KLController(value: try args.float(0), target: target, horizon: horizon)))
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

/// `running_mean_std(size)`: Gymnasium's running statistics as a value scripts update and
/// normalize with — the statistics the observation normalizers keep.
final class RunningStatsValue: PObject {
  var stats: RunningMeanStd
  nonisolated(unsafe) static let nativeType: NativeType = makeType()

  init(size: Int) {
    stats = RunningMeanStd(size: size)
    super.init(type: RunningStatsValue.nativeType)
  }

  override var displayString: String { "<running_mean_std: size \(stats.mean.count), count \(Format.display(.float(stats.count)))>" }

  static func value(_ v: Value) throws(PavlovError) -> RunningStatsValue {
    guard case .object(let o as RunningStatsValue) = v else { throw PavlovError.runtime("expected running statistics, got \(v.typeName)") }
    return o
  }

  /// The rows of a (size) or (batch, size) tensor.
  func rows(_ v: Value, _ what: String) throws(PavlovError) -> [[Double]] {
    let t = try TensorBindings.tensor(v), size = stats.mean.count
    guard t.shape.last == size, t.rank == 1 || t.rank == 2 else {
      throw PavlovError.runtime("\(what): expected shape (\(size)) or (batch, \(size)), got \(Shape.describe(t.shape))")
    }
    return stride(from: 0, to: t.count, by: size).map { t.data[$0..<($0 + size)].map(Double.init) }
  }

  static func makeType() -> NativeType {
    let t = NativeType(name: "running_mean_std", doc: "Running mean and variance (Gymnasium's RunningMeanStd): update with samples, normalize with them.")
    t.method("update", [Param("x", doc: "one sample (size) or a batch (batch, size), merged one row at a time")],
             doc: "Merges the samples into the statistics; returns nil.") { args in
      let s = try value(args.receiver)
      for row in try s.rows(args[0], "update") { s.stats.update(row) }
      return .null
    }
    t.method("normalize", [Param("x", doc: "a sample (size) or a batch (batch, size)"),
                           Param("clip", default: .float(10), doc: "results are clipped to ±clip (nil: not clipped)", range: .positive),
                           Param("epsilon", default: .float(1e-8), doc: "added to the variance", range: .nonNegative)],
             doc: "(x − mean) / √(var + ε), clipped, as the observation normalizers compute it; the same shape as x.") { args in
      let s = try value(args.receiver)
      let t = try TensorBindings.tensor(args[0]), rows = try s.rows(args[0], "normalize")
      let clip = args.isNull(1) ? Double.infinity : try args.float(1), epsilon = try args.float(2)
      let out = rows.flatMap { row in row.indices.map { Float(Swift.min(Swift.max(s.stats.standardized(row[$0], at: $0, epsilon: epsilon), -clip), clip)) } }
      return TensorValue.wrap(Tensor(shape: t.shape, data: out))
    }
    t.property("mean", doc: "The running mean, a (size) tensor.") { v in
      TensorValue.wrap(Tensor(shape: [try value(v).stats.mean.count], data: try value(v).stats.mean.map(Float.init)))
    }
    t.property("var", doc: "The running (population) variance, a (size) tensor.") { v in
      TensorValue.wrap(Tensor(shape: [try value(v).stats.variance.count], data: try value(v).stats.variance.map(Float.init)))
    }
    t.property("count", doc: "How many samples were merged (plus the 1e-4 prior).") { v in .float(try value(v).stats.count) }
    return t
  }
}

/// `kl_controller(...)`: the KL coefficient as a value a hand-written RLHF loop updates.
final class KLControllerValue: PObject {
  var controller: KLController
  nonisolated(unsafe) static let nativeType: NativeType = makeType()

  init(_ controller: KLController) {
    self.controller = controller
    super.init(type: KLControllerValue.nativeType)
  }

  override var displayString: String {
    "<kl_controller: β \(Format.display(.float(controller.value)))\(controller.target.map { ", target \(Format.display(.float($0)))" } ?? ", fixed")>"
  }

  static func makeType() -> NativeType {
    let t = NativeType(name: "kl_controller", doc: "β for a KL penalty, fixed or adaptive: .update(kl, n), .value.")
    t.method("update", [Param("kl", doc: "the mean KL measured"), Param("n", doc: "how many samples it was measured over")],
             doc: "Adapts β towards the target (nothing when fixed); returns the new β.") { args in
      guard case .object(let o as KLControllerValue) = args.receiver else { throw PavlovError.runtime("expected a kl_controller") }
      o.controller.update(kl: try args.float(0), count: try args.int(1))
      return .float(o.controller.value)
    }
    t.property("value", doc: "β now.") { v in
      guard case .object(let o as KLControllerValue) = v else { throw PavlovError.runtime("expected a kl_controller") }
      return .float(o.controller.value)
    }
    return t
  }
}
