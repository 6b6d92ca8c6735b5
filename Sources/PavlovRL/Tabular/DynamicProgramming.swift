import PavlovGym

/// What dynamic programming finds: the state values, a greedy policy, the action values, and how
/// many sweeps (value iteration) or improvement rounds (policy iteration) it took.
public struct PlanningResult: Equatable, Sendable {
  public var values: [Double]
  public var policy: [Int]
  public var q: [[Double]]
  public var iterations: Int
  /// Whether it stopped by its criterion rather than by `maxIterations`.
  public var converged: Bool
}

/// Value iteration and policy iteration (Sutton and Barto, chapter 4) on a tabular env's model,
/// `transitions[s][a]`. A terminated outcome contributes its reward only: the episode has no
/// future there.
public enum DynamicProgramming {
  /// The model of `env`, or an error that names the envs with one.
  public static func model(of env: Environment, owner: String, envName: String) throws -> [[[Transition]]] {
    guard let tabular = env.unwrapped as? TabularEnvironment else {
      throw CoreError("\(owner) needs an env with a transition model (FrozenLake, CliffWalking, Taxi, GridWorld); \(envName) has none",
                    hint: "model-free learners such as q_learning(env) need no model")
    }
    return tabular.transitions
  }

  static func validate(_ owner: String, gamma: Double, theta: Double, maxIterations: Int) throws {
    guard gamma >= 0, gamma <= 1 else { throw CoreError("\(owner): gamma is a discount and must be from 0 to 1, got \(gamma)") }
    guard theta > 0, theta.isFinite else { throw CoreError("\(owner): theta is a tolerance and must be a finite number > 0, got \(theta)") }
    guard maxIterations >= 1 else { throw CoreError("\(owner): max_iterations must be at least 1, got \(maxIterations)") }
  }

  /// Σ p·(r + γ·V(s')) over the outcomes of `a` in `s`, without V(s') after termination.
  static func actionValue(_ outcomes: [Transition], _ values: [Double], gamma: Double) -> Double {
    var sum = 0.0
    for o in outcomes {
      let future = o.terminated ? 0 : gamma * values[o.next]
      sum += o.probability * (o.reward + future)
    }
    return sum
  }

  static func actionValues(_ model: [[[Transition]]], _ values: [Double], gamma: Double) -> [[Double]] {
    model.map { actions in actions.map { actionValue($0, values, gamma: gamma) } }
  }

  /// The first action within rounding of the best: actions that tie in exact arithmetic should
  /// not be told apart by the last bits of a sum.
  static func greedy(_ q: [Double]) -> Int {
    guard let top = q.max() else { return 0 }
    let tolerance = 1e-9 * max(1, Swift.abs(top))
    return q.firstIndex { $0 >= top - tolerance } ?? 0
  }

  /// Sweeps V(s) ← max_a Σ p·(r + γV(s')) in place until no value moves by theta or more.
  public static func valueIteration(_ model: [[[Transition]]], gamma: Double = 0.99, theta: Double = 1e-10,
                                    maxIterations: Int = 10_000, owner: String = "value_iteration",
                                    shouldStop: () -> Bool = { false }) throws -> PlanningResult {
    try validate(owner, gamma: gamma, theta: theta, maxIterations: maxIterations)
    var values = Array(repeating: 0.0, count: model.count)
    var sweeps = 0, converged = false
    while sweeps < maxIterations, !converged {
      if shouldStop() { throw Interrupted() }
      var delta = 0.0
      for s in model.indices {
        let best = model[s].map { actionValue($0, values, gamma: gamma) }.max() ?? 0
        delta = max(delta, Swift.abs(best - values[s]))
        values[s] = best
      }
      sweeps += 1
      converged = delta < theta
    }
    let q = actionValues(model, values, gamma: gamma)
    return PlanningResult(values: values, policy: q.map(greedy), q: q, iterations: sweeps, converged: converged)
  }

  /// Alternates evaluating the current policy and making it greedy, starting from action 0
  /// everywhere, until no state's action changes and the evaluation has converged. An action
  /// changes only for a strictly better one, so ties cannot make it cycle.
  ///
  /// Each evaluation runs at most `evaluationSweeps` sweeps and the next round continues from
  /// its values (Puterman's modified policy iteration): with γ = 1 a policy that never ends an
  /// episode has no finite value, and evaluating it to convergence would never finish.
  public static func policyIteration(_ model: [[[Transition]]], gamma: Double = 0.99, theta: Double = 1e-10,
                                     maxIterations: Int = 1_000, evaluationSweeps: Int = 1_000,
                                     owner: String = "policy_iteration", shouldStop: () -> Bool = { false }) throws -> PlanningResult {
    try validate(owner, gamma: gamma, theta: theta, maxIterations: maxIterations)
    var policy = Array(repeating: 0, count: model.count)
    var values = Array(repeating: 0.0, count: model.count)
    var rounds = 0, stable = false
    while rounds < maxIterations, !stable {
      let evaluated = try evaluate(policy, model, &values, gamma: gamma, theta: theta, sweeps: evaluationSweeps, shouldStop: shouldStop)
      stable = evaluated
      for s in model.indices where !model[s].isEmpty {
        let q = model[s].map { actionValue($0, values, gamma: gamma) }
        let best = greedy(q)
        if q[best] > q[policy[s]] + 1e-9 * max(1, Swift.abs(q[best])) {
          policy[s] = best
          stable = false
        }
      }
      rounds += 1
    }
    return PlanningResult(values: values, policy: policy, q: actionValues(model, values, gamma: gamma),
                          iterations: rounds, converged: stable)
  }

  /// Iterative policy evaluation in place, for at most `sweeps` sweeps; true if it converged.
  static func evaluate(_ policy: [Int], _ model: [[[Transition]]], _ values: inout [Double], gamma: Double, theta: Double,
                       sweeps: Int, shouldStop: () -> Bool) throws -> Bool {
    for _ in 0..<sweeps {
      if shouldStop() { throw Interrupted() }
      var delta = 0.0
      for s in model.indices where policy[s] < model[s].count {
        let v = actionValue(model[s][policy[s]], values, gamma: gamma)
        delta = max(delta, Swift.abs(v - values[s]))
        values[s] = v
      }
      if delta < theta { return true }
    }
    return false
  }
}
