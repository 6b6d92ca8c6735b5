extension SeededGenerator {
  /// Shuffles `items` in place: Fisher–Yates from the back, item i swapped with one of 0...i.
  /// The one shuffle of trainers' minibatches, `shuffle(xs)` and `randperm(n)`, so a script that
  /// shuffles with the trainer's seed sees the trainer's order.
  public func shuffle<T>(_ items: inout [T]) {
    var i = items.count - 1
    while i > 0 {
      items.swapAt(i, nextInt(below: i + 1))
      i -= 1
    }
  }

  /// 0..<n in a uniformly random order.
  public func permutation(_ n: Int) -> [Int] {
    var order = Array(0..<n)
    shuffle(&order)
    return order
  }
}
