import Dispatch
import Glibc

/// Splits work over the cores for the big element-wise and per-row kernels.
///
/// The split is fixed by the work's size, never by how many cores answer: each part always
/// covers the same elements and sums in the same order, so results are bit-identical on one core
/// or two. PyTorch gets half of its CPU speed-up on small models from this intra-op parallelism.
enum Parallel {
  /// Parts every large piece of work is cut into (this machine class has two cores).
  static let parts = 2
  /// The cores work may run on: those online, or fewer if PAVLOV_NUM_THREADS says so (the RL
  /// benchmarks set it to their THREADS, so "one thread each side" holds for Pavlov too). On a
  /// machine whose other core is busy, waiting for a preempted second half cost more than it
  /// saved (DQN: 14.4 s on one core, 15.6–23.7 s on two, with the load average at 3).
  static let cores: Int = {
    let online = Swift.max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
    guard let setting = getenv("PAVLOV_NUM_THREADS"), let wanted = Int(String(cString: setting)), wanted >= 1 else { return online }
    return Swift.min(wanted, online)
  }()

  /// Calls `body(part, range)` for `parts` contiguous ranges covering 0..<count — concurrently
  /// when each range holds at least `minimumPerPart` items, else one after another. `body` must
  /// only write to locations its own range owns.
  static func forEachPart(_ count: Int, minimumPerPart: Int, _ body: (Int, Range<Int>) -> Void) {
    guard count >= parts * minimumPerPart, cores > 1 else {
      body(0, 0..<count)
      return
    }
    let size = (count + parts - 1) / parts
    DispatchQueue.concurrentPerform(iterations: parts) { part in
      let start = Swift.min(count, part * size)
      body(part, start..<Swift.min(count, start + size))
    }
  }
}
