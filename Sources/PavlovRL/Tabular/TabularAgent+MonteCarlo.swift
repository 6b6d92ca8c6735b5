/// First-visit Monte Carlo control with ε-soft policies: play a whole episode ε-greedily, then
/// walk it backwards accumulating the discounted return G, and move Q(s, a) toward G at the first
/// visit of each pair — by 1/N(s, a) (the average of all first-visit returns) or by a constant α.
extension TabularAgent {
  func monteCarloEpisode(epsilon: Double) throws -> (total: Double, length: Int) {
    var trajectory: [(state: Int, action: Int, reward: Double)] = []
    var state = try beginEpisode()
    while true {
      let action = behave(state, epsilon: epsilon)
      let outcome = try step(action, length: trajectory.count)
      trajectory.append((state, action, outcome.reward))
      if outcome.done { break }
      state = outcome.next
    }
    // The step of each pair's first visit, so the backward pass updates only that one.
    var firstVisit: [Int: Int] = [:]
    for (t, step) in trajectory.enumerated() where firstVisit[step.state * spaces.actions + step.action] == nil {
      firstVisit[step.state * spaces.actions + step.action] = t
    }
    var g = 0.0
    for t in stride(from: trajectory.count - 1, through: 0, by: -1) {
      let (s, a, r) = trajectory[t]
      g = settings.gamma * g + r
      guard firstVisit[s * spaces.actions + a] == t else { continue }
      visits[s][a] += 1
      let size = settings.alpha ?? 1 / Double(visits[s][a])
      q[s][a] += size * (g - q[s][a])
    }
    return (trajectory.reduce(0) { $0 + $1.reward }, trajectory.count)
  }
}
