import PavlovCore

/// Upper bounds every trainer's `validate()` applies, beside its own lower bounds: a size a typo
/// or a tampered checkpoint makes absurd (`n_envs: 1e15`, `hidden: [10000000, 10000000]`) is an
/// error naming the setting before anything is allocated, not an allocator abort.
public enum ConfigBounds {
  /// Env copies stepped by one trainer.
  public static let maxEnvCopies = 4096
  /// Threads one trainer may start.
  public static let maxThreads = 256
  /// Transitions in one rollout, one replay buffer, or one minibatch.
  public static let maxTransitions = 1 << 28

  /// `value` of the setting `name` must be at most `limit`.
  public static func check(_ owner: String, _ name: String, _ value: Int, atMost limit: Int) throws {
    guard value <= limit else { throw CoreError("\(owner): \(name) must be at most \(limit), got \(value)") }
  }

  /// Hidden layer sizes: each weight matrix between two of them (and a 4096-wide input or output
  /// beside the first and last) must fit the allocation limit.
  public static func checkHidden(_ owner: String, _ hidden: [Int]) throws {
    let widths = [4096] + hidden + [4096]
    for (a, b) in zip(widths, widths.dropFirst()) {
      do { try AllocationLimit.elements([a, b], owner) } catch {
        throw CoreError("\(owner): hidden \(hidden) makes a layer too large to allocate", hint: error.hint)
      }
    }
  }
}
