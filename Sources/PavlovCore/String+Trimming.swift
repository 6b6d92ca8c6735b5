extension String {
  /// The text without spaces (U+0020) at either end, by code points: a combining mark after a
  /// space keeps that space.
  public var trimmingSpaces: String {
    var scalars = Substring(self).unicodeScalars
    while scalars.first == " " { scalars.removeFirst() }
    while scalars.last == " " { scalars.removeLast() }
    return String(scalars)
  }
}
