import PavlovCore

/// Whether a sweep maximizes its metric or minimizes it. Schedulers and searchers compare
/// `sign · value`, so "better" is always "larger" inside them.
public enum MetricMode: String, Sendable {
  case max, min

  /// Reads `mode:` as scripts and the command line give it; `who` names the caller in the error.
  public init(_ text: String, for who: String) throws(CoreError) {
    guard let mode = MetricMode(rawValue: text) else { throw CoreError("\(who): mode must be \"max\" or \"min\", got \"\(text)\"") }
    self = mode
  }

  public var sign: Double { self == .max ? 1 : -1 }
}
