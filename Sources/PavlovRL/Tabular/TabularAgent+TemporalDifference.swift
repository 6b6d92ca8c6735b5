/// Q-learning, SARSA and expected SARSA: after every step, move Q(s, a) by α toward
/// r + γ·(value of the next state), where that value is, respectively, max_a' Q(s', a'),
/// Q(s', a') for the next action a' actually chosen, or Σ π(a'|s') Q(s', a') under the ε-greedy
/// policy. A terminated step has no next state (its target is r alone); a truncated one still
/// bootstraps, since the state it stopped in has a future.
extension TabularAgent {
  func temporalDifferenceEpisode(epsilon: Double) throws -> (total: Double, length: Int) {
    let alpha = settings.alpha ?? 0.1, gamma = settings.gamma
    var state = try beginEpisode()
    var action = behave(state, epsilon: epsilon)
    var total = 0.0, length = 0
    while true {
      let outcome = try step(action, length: length)
      length += 1
      total += outcome.reward
      var target = outcome.reward
      var chosenNext: Int?
      if !outcome.terminated {
        switch method {
        case .sarsa:
          let next = behave(outcome.next, epsilon: epsilon)
          chosenNext = next
          target += gamma * q[outcome.next][next]
        case .expectedSarsa:
          target += gamma * expectedValue(outcome.next, epsilon: epsilon)
        case .qLearning, .monteCarlo:
          target += gamma * (q[outcome.next].max() ?? 0)
        }
      }
      q[state][action] += alpha * (target - q[state][action])
      if outcome.done { break }
      state = outcome.next
      action = chosenNext ?? behave(state, epsilon: epsilon)
    }
    return (total, length)
  }

  /// Σ_a π(a|s) Q(s, a) for the ε-greedy policy that `behave` follows: ε/n for every action,
  /// plus (1 − ε) shared by the best ones.
  func expectedValue(_ state: Int, epsilon: Double) -> Double {
    let values = q[state]
    guard let top = values.max() else { return 0 }
    let ties = Double(values.filter { $0 == top }.count)
    var sum = 0.0
    for v in values {
      let p = epsilon / Double(values.count) + (v == top ? (1 - epsilon) / ties : 0)
      sum += p * v
    }
    return sum
  }
}
