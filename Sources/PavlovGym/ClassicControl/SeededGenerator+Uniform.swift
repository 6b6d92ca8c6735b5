extension SeededGenerator {
  /// A float uniformly drawn from [low, high), computed as NumPy's `uniform` does
  /// (`low + (high - low) * u`) so the same draw gives the same start state.
  func uniform(_ low: Double, _ high: Double) -> Double {
    low + (high - low) * nextDouble()
  }
}
