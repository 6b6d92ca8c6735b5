/// Steps from plain action arrays, so a policy's output goes straight in without building a
/// `[Point]` per step.
extension VectorEnv {
  /// Steps with one integer action per copy (a Discrete action space).
  public func step(discreteActions actions: [Int]) throws -> VectorStep {
    try checkStarted()
    guard case .discrete = actionSpace else {
      throw CoreError("VectorEnv: step(discreteActions:) needs a Discrete action space, but it is \(actionSpace.description); use step(actions:)")
    }
    guard actions.count == count else {
      throw CoreError("VectorEnv: got \(actions.count) actions for \(count) copies; pass one action per copy")
    }
    for i in actions.indices where !actionSpace.contains(.int(actions[i])) {
      throw CoreError("VectorEnv: invalid action for copy \(i): \(actionSpace.whyNotContains(.int(actions[i])))")
    }
    return try stepCopies { .int(actions[$0]) }
  }

  /// Steps with `count × actionSize` numbers, row i being copy i's action (a Box action space).
  public func step(continuousActions actions: [Double]) throws -> VectorStep {
    try checkStarted()
    guard case .box(let low, let high, _) = actionSpace else {
      throw CoreError("VectorEnv: step(continuousActions:) needs a Box action space, but it is \(actionSpace.description); use step(actions:)")
    }
    let size = low.count
    guard actions.count == count * size else {
      throw CoreError("VectorEnv: got \(actions.count) numbers for \(count) copies of \(size) each; pass \(count * size)")
    }
    for k in actions.indices where !(actions[k] >= low[k % size] && actions[k] <= high[k % size]) {
      let row = Array(actions[(k / size * size)..<(k / size * size + size)])
      throw CoreError("VectorEnv: invalid action for copy \(k / size): \(actionSpace.whyNotContains(.reals(row)))")
    }
    return try stepCopies { .reals(Array(actions[($0 * size)..<($0 * size + size)])) }
  }
}
