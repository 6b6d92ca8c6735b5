import CPavlovKernels
import Glibc
import Synchronization

/// Lends a second core to threads that split work in halves.
///
/// A thread offers one half of a split (the second block of a product, the second part of a
/// kernel) and does the other half; a free helper takes the offer at once, a busy or sleeping one
/// leaves it, and the offering thread then does it too. Either way the halves are the ones a
/// one-core run computes, so the bits do not depend on who took what, and nobody ever waits for
/// a helper that is not there.
///
/// Two helpers exist: the second thread of `Parallel.side(by:_:)`, once its own work is done, and
/// `Parallel`'s worker for every other split. A helper spins while it waits: a hand-off through
/// Dispatch's thread pool cost ~50 µs (two 33 µs halves took 87 µs through `concurrentPerform`,
/// 33 µs through a spinning thread), more than half of a 256×256 product. The worker stops
/// spinning after `idleSleep` seconds without an offer and sleeps until the next one.
final class PartHelper: @unchecked Sendable {
  private enum State: Int { case empty, claimed, offered, taken, done }
  private let state = Atomic<Int>(State.empty.rawValue)
  private let finished = Atomic<Bool>(false)
  private let sleeping = Atomic<Bool>(false)
  private let resting = Atomic<Bool>(false)
  private var lock = pthread_mutex_t()
  private var wake = pthread_cond_t()
  /// Set by the thread that claimed the offer slot, cleared before it releases the slot.
  private var job: (() -> Void)?

  init() {
    pthread_mutex_init(&lock, nil)
    pthread_cond_init(&wake, nil)
  }

  deinit {
    pthread_cond_destroy(&wake)
    pthread_mutex_destroy(&lock)
  }

  /// Runs `mine` here and `offered` here or on the helper, both finished on return. Any thread may
  /// call it; one whose offer slot is taken (by another thread's split, or because this runs
  /// inside the helper's own job) runs both halves itself.
  func split(_ mine: () -> Void, _ offered: () -> Void) {
    guard state.compareExchange(expected: State.empty.rawValue, desired: State.claimed.rawValue,
                                ordering: .acquiringAndReleasing).exchanged else {
      mine()
      offered()
      return
    }
    resting.store(false, ordering: .relaxed)
    withoutActuallyEscaping(offered) { offered in
      job = offered
      state.store(State.offered.rawValue, ordering: .sequentiallyConsistent)
      if sleeping.load(ordering: .sequentiallyConsistent) { signal() }
      mine()
      if state.compareExchange(expected: State.offered.rawValue, desired: State.claimed.rawValue,
                               ordering: .acquiringAndReleasing).exchanged {
        offered()
      } else {
        while state.load(ordering: .acquiring) != State.done.rawValue { pv_pause() }
      }
      job = nil
      state.store(State.empty.rawValue, ordering: .releasing)
    }
  }

  /// The helper's loop: takes offers until `finish()`. With `idleSleep`, it sleeps once that
  /// long has passed without an offer, until the next one.
  func serve(idleSleep: Double? = nil) {
    var lastWork = Self.now()
    var spins = 0
    while !finished.load(ordering: .acquiring) {
      if state.compareExchange(expected: State.offered.rawValue, desired: State.taken.rawValue,
                               ordering: .acquiringAndReleasing).exchanged {
        job?()
        state.store(State.done.rawValue, ordering: .releasing)
        lastWork = Self.now()
        spins = 0
        continue
      }
      pv_pause()
      spins += 1
      // The clock is read now and then: a read costs more than a pause.
      guard let idleSleep, resting.load(ordering: .relaxed) || (spins % 1024 == 0 && Self.now() - lastWork > idleSleep) else { continue }
      pthread_mutex_lock(&lock)
      sleeping.store(true, ordering: .sequentiallyConsistent)
      while state.load(ordering: .sequentiallyConsistent) != State.offered.rawValue && !finished.load(ordering: .acquiring) {
        pthread_cond_wait(&wake, &lock)
      }
      sleeping.store(false, ordering: .sequentiallyConsistent)
      pthread_mutex_unlock(&lock)
      lastWork = Self.now()
    }
  }

  /// Sends a helper serving with `idleSleep` to sleep now, until the next offer: while
  /// `Parallel.side(by:_:)` keeps both cores busy, a third thread spinning would take turns with them.
  func rest() { resting.store(true, ordering: .relaxed) }

  /// Ends `serve`.
  func finish() {
    finished.store(true, ordering: .releasing)
    signal()
  }

  private func signal() {
    pthread_mutex_lock(&lock)
    pthread_cond_signal(&wake)
    pthread_mutex_unlock(&lock)
  }

  private static func now() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
  }
}
