import PavlovTensor

/// Picks uniformly among the indices of the largest values, drawing once even when there is only
/// one (so the stream advances the same way whatever the values; the Pavlov teaching versions
/// in stdlib/ do the same with `choice`, and give the very same runs).
func argmaxBreakingTies(_ values: [Double], _ generator: SeededGenerator) -> Int {
  // Two passes instead of collecting the ties: this runs at every step of every learner.
  var top = -Double.infinity, ties = 0
  for v in values {
    if v > top {
      top = v
      ties = 1
    } else if v == top {
      ties += 1
    }
  }
  if ties == 0 { return generator.nextInt(below: values.count) }  // all NaN
  var k = generator.nextInt(below: ties)
  for (i, v) in values.enumerated() where v == top {
    if k == 0 { return i }
    k -= 1
  }
  return 0
}

/// The first index of the largest value: the deterministic greedy choice shown to users.
func firstArgmax(_ values: [Double]) -> Int {
  var best = 0
  for i in values.indices where values[i] > values[best] { best = i }
  return best
}
