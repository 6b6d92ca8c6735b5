import CPavlovKernels
import Synchronization

/// Lends the second core to the first thread of `Parallel.side(by:_:)` while the second thread
/// has nothing of its own to do.
///
/// The first thread offers one half of a split (the second block of a product, the second part
/// of a kernel) and does the other half; a free second thread takes the offer at once, a busy
/// one leaves it, and the first thread then does it too. Either way the halves are the ones a
/// one-core run computes, so the bits do not depend on who took what. The second thread spins
/// while it waits (a hand-off through Dispatch's thread pool cost tens of µs, more than a
/// 64-row product's half), and only inside `side(by:_:)`.
final class PartHelper: @unchecked Sendable {
  private enum State: Int { case empty, offered, taken, done }
  private let state = Atomic<Int>(State.empty.rawValue)
  private let finished = Atomic<Bool>(false)
  /// Set before an offer is published and cleared after it is settled.
  private var job: (() -> Void)?

  /// Runs `mine` here and `offered` here or on the helper, both finished on return.
  func split(_ mine: () -> Void, _ offered: () -> Void) {
    guard state.load(ordering: .acquiring) == State.empty.rawValue else {
      mine()
      offered()
      return
    }
    withoutActuallyEscaping(offered) { offered in
      job = offered
      state.store(State.offered.rawValue, ordering: .releasing)
      mine()
      if state.compareExchange(expected: State.offered.rawValue, desired: State.empty.rawValue, ordering: .acquiringAndReleasing).exchanged {
        offered()
      } else {
        while state.load(ordering: .acquiring) != State.done.rawValue { pv_pause() }
        state.store(State.empty.rawValue, ordering: .releasing)
      }
      job = nil
    }
  }

  /// The second thread's loop: takes offers until `finish()`.
  func serve() {
    while !finished.load(ordering: .acquiring) {
      if state.compareExchange(expected: State.offered.rawValue, desired: State.taken.rawValue, ordering: .acquiringAndReleasing).exchanged {
        job?()
        state.store(State.done.rawValue, ordering: .releasing)
      } else {
        pv_pause()
      }
    }
  }

  /// Ends `serve` (called by the first thread when its own work is done).
  func finish() { finished.store(true, ordering: .releasing) }
}
