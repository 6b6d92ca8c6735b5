/// "Did you mean ...?" suggestions by edit distance.
public enum Suggest {
  /// The candidate closest to `name`, if it is close enough to be a plausible typo.
  public static func closest(to name: String, among candidates: [String]) -> String? {
    // A single letter is too short to guess from (`i` is not a typo of `if`); a two-letter
    // name is only matched to a two-letter one (`lf` → `lr`).
    guard name.count >= 2 else { return nil }
    let limit = max(1, name.count / 3)
    var best: (String, Int)?
    for c in Set(candidates) where c != name && !c.hasPrefix("_") && (name.count > 2 || c.count == name.count) {
      let d = distance(name, c)
      guard d <= limit else { continue }
      if let (bestName, bestDistance) = best, bestDistance < d || (bestDistance == d && bestName < c) { continue }
      best = (c, d)
    }
    return best?.0
  }

  /// Levenshtein distance, with a swap of two neighbours counting as one edit.
  static func distance(_ a: String, _ b: String) -> Int {
    let x = Array(a.lowercased()), y = Array(b.lowercased())
    if x.isEmpty { return y.count }
    if y.isEmpty { return x.count }
    var d = [[Int]](repeating: [Int](repeating: 0, count: y.count + 1), count: x.count + 1)
    for i in 0...x.count { d[i][0] = i }
    for j in 0...y.count { d[0][j] = j }
    for i in 1...x.count {
      for j in 1...y.count {
        let cost = x[i - 1] == y[j - 1] ? 0 : 1
        d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
        if i > 1, j > 1, x[i - 1] == y[j - 2], x[i - 2] == y[j - 1] { d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1) }
      }
    }
    return d[x.count][y.count]
  }
}
