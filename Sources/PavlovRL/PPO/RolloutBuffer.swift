/// One rollout's transitions, T steps × N copies, rows step-major (row t·N + i). Allocated for
/// the full `nSteps` once; a shortened last rollout uses the first `steps` rows.
final class RolloutBuffer {
  let capacity: Int
  let copies: Int
  let inputSize: Int
  let actionSize: Int
  /// How many steps the current rollout holds.
  var steps = 0

  var observations: [Float]
  /// Raw actions as sampled (a Gaussian sample before clipping; an index as a float).
  var actions: [Float]
  var logProbs: [Float]
  var values: [Float]
  var rewards: [Float]
  var terminated: [Bool]
  var truncated: [Bool]
  /// V(final observation) for truncated rows.
  var truncationValues: [Float]
  var advantages: [Float] = []
  var returns: [Float] = []

  init(steps: Int, copies: Int, inputSize: Int, actionSize: Int) {
    capacity = steps
    self.copies = copies
    self.inputSize = inputSize
    self.actionSize = actionSize
    let rows = steps * copies
    observations = Array(repeating: 0, count: rows * inputSize)
    actions = Array(repeating: 0, count: rows * actionSize)
    logProbs = Array(repeating: 0, count: rows)
    values = logProbs
    rewards = logProbs
    truncationValues = logProbs
    terminated = Array(repeating: false, count: rows)
    truncated = terminated
  }

  var rows: Int { steps * copies }

  /// Fills `advantages` and `returns` for the rows in use.
  func finish(lastValues: [Float], gamma: Double, lambda: Double) {
    let n = rows
    let result = GAE.compute(rewards: Array(rewards[0..<n]), values: Array(values[0..<n]), terminated: Array(terminated[0..<n]),
                             truncated: Array(truncated[0..<n]), truncationValues: Array(truncationValues[0..<n]),
                             lastValues: lastValues, steps: steps, copies: copies, gamma: gamma, lambda: lambda)
    advantages = result.advantages
    returns = result.returns
  }

  /// Copies rows `indices` of a per-row array with `width` numbers per row into a new array.
  static func gather(_ source: [Float], width: Int, _ indices: ArraySlice<Int>) -> [Float] {
    var out = [Float](repeating: 0, count: indices.count * width)
    source.withUnsafeBufferPointer { src in
      out.withUnsafeMutableBufferPointer { dst in
        var o = 0
        for row in indices {
          let base = row * width
          for e in 0..<width { dst[o + e] = src[base + e] }
          o += width
        }
      }
    }
    return out
  }
}
