import Dispatch
import Glibc
import PavlovCore

/// Splits work over the cores for the big element-wise and per-row kernels.
///
/// The split is fixed by the work's size, never by how many cores answer: each part always
/// covers the same elements and sums in the same order, so results are bit-identical on one core
/// or two. PyTorch gets half of its CPU speed-up on small models from this intra-op parallelism.
public enum Parallel {
  /// Parts every large piece of work is cut into (this machine class has two cores): the
  /// halves of `halves(_:_:)`.
  static let parts = 2
  /// The cores work may run on: those online, or fewer if PAVLOV_NUM_THREADS says so (the RL
  /// benchmarks set it to their THREADS, so "one thread each side" holds for Pavlov too). On a
  /// machine whose other core is busy, waiting for a preempted second half cost more than it
  /// saved (DQN: 14.4 s on one core, 15.6–23.7 s on two, with the load average at 3).
  public static let cores: Int = {
    let online = Processors.online
    guard let setting = getenv("PAVLOV_NUM_THREADS"), let wanted = Int(String(cString: setting)), wanted >= 1 else { return online }
    return Swift.min(wanted, online)
  }()

  /// Calls `body(part, range)` for `parts` contiguous ranges covering 0..<count — concurrently
  /// when each range holds at least `minimumPerPart` items, else one after another. `body` must
  /// only write to locations its own range owns.
  static func forEachPart(_ count: Int, minimumPerPart: Int, _ body: (Int, Range<Int>) -> Void) {
    forEachPart(count, splitAt: splitPoint(count, minimumPerPart: minimumPerPart), body)
  }

  /// Where `forEachPart` starts its second part, or nil when it runs the items as one.
  static func splitPoint(_ count: Int, minimumPerPart: Int) -> Int? {
    count >= parts * minimumPerPart ? (count + parts - 1) / parts : nil
  }

  /// `body(0, 0..<split)` and `body(1, split..<count)`, concurrently; `body(0, 0..<count)` alone
  /// when `split` is nil.
  static func forEachPart(_ count: Int, splitAt split: Int?, _ body: (Int, Range<Int>) -> Void) {
    guard let split else {
      body(0, 0..<count)
      return
    }
    halves({ body(0, 0..<split) }, { body(1, split..<count) })
  }

  /// Runs the two halves of a fixed split: on both cores, or — on one core, or on a thread
  /// already sharing the cores with another — one after the other (the second lent to a free
  /// helper inside `side(by:_:)`). Who runs a half never changes what it computes, so partial
  /// sums (layer norm's weight gradient) keep their bits.
  static func halves(_ first: () -> Void, _ second: () -> Void) {
    if spreads {
      worker.split(first, second)
    } else if let helper {
      helper.split(first, second)
    } else {
      first()
      second()
    }
  }

  /// The thread that takes the second half of `halves` (see `PartHelper`), started on first use.
  /// It spins for 200 µs after each half — a training step's products and kernels come back to
  /// back — then sleeps until the next offer. If it cannot be started, the caller runs both halves.
  private static let worker: PartHelper = {
    let worker = PartHelper()
    var thread = pthread_t()
    let context = Unmanaged.passRetained(worker).toOpaque()
    if pthread_create(&thread, nil, { context in
      Unmanaged<PartHelper>.fromOpaque(context!).takeUnretainedValue().serve(idleSleep: 200e-6)
      return nil
    }, context) == 0 {
      pthread_detach(thread)
    }
    return worker
  }()

  /// Whether work on this thread is spread over the cores: not with one core, nor inside
  /// `side(by:_:)`, whose two threads already keep both busy.
  private static var spreads: Bool { cores > 1 && pthread_getspecific(sideKey) == nil }

  /// On the first thread of `side(by:_:)`: the second thread, lent while it is free.
  private static var helper: PartHelper? {
    guard let value = pthread_getspecific(sideKey), Int(bitPattern: value) != secondSide else { return nil }
    return Unmanaged<PartHelper>.fromOpaque(value).takeUnretainedValue()
  }

  /// Runs `first` and `second` at the same time (on two cores; one after the other on one).
  /// Neither spreads its own work over the cores, but once `second` is done its thread takes
  /// halves of `first`'s products and kernels (see `PartHelper`). Neither may throw: the
  /// caller keeps the error.
  public static func side(by first: () -> Void, _ second: () -> Void) {
    guard spreads else {
      first()
      second()
      return
    }
    let lent = PartHelper()
    worker.rest()
    withExtendedLifetime(lent) {
      DispatchQueue.concurrentPerform(iterations: 2) { which in
        pthread_setspecific(sideKey, which == 0 ? UnsafeRawPointer(Unmanaged.passUnretained(lent).toOpaque()) : UnsafeRawPointer(bitPattern: secondSide))
        defer { pthread_setspecific(sideKey, nil) }
        if which == 0 {
          first()
          lent.finish()
        } else {
          second()
          lent.serve()
        }
      }
    }
  }

  /// The key's value on the second thread (not an object's address).
  private static let secondSide = 1

  /// Set on a thread running one side of `side(by:_:)`: the first side's helper, or `secondSide`.
  private static let sideKey: pthread_key_t = {
    var key = pthread_key_t()
    pthread_key_create(&key, nil)
    return key
  }()
}
