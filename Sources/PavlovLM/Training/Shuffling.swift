import PavlovTensor

extension SeededGenerator {
  /// 0..<n in a uniformly random order (Fisher–Yates, from the back).
  public func permutation(_ n: Int) -> [Int] {
    var order = Array(0..<n)
    if n > 1 { for i in stride(from: n - 1, to: 0, by: -1) { order.swapAt(i, nextInt(below: i + 1)) } }
    return order
  }
}
