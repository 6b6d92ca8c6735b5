import Glibc
import CPavlovSupport
import PavlovLang

/// `time`, `clock`, `sleep`.
enum TimeLibrary {
  /// The longest single nap of `sleep`, so Ctrl-C is noticed quickly.
  static let sliceSeconds = 0.05

  static func register(_ r: Registry) {
    r.function("time", doc: "Wall-clock time: seconds since 1970-01-01 UTC, as a float.") { _ in
      .float(Posix.seconds(CLOCK_REALTIME))
    }

    r.function("clock", doc: "Monotonic seconds (a float) for measuring durations: clock() - start.") { _ in
      .float(Posix.seconds(CLOCK_MONOTONIC))
    }

    r.function("sleep", [Param("seconds", doc: "how long to wait (a number ≥ 0)")],
               doc: "Waits `seconds` (in slices of at most 50 ms, so Ctrl-C stops it promptly).") { args in
      let seconds = try args.float(0)
      guard seconds.isFinite, seconds >= 0 else {
        throw PavlovError.runtime("sleep: seconds must be a finite number ≥ 0, got \(Format.float(seconds))", hint: "sleep(0.5) waits half a second")
      }
      guard seconds <= 1e9 else {
        throw PavlovError.runtime("sleep: \(Format.float(seconds)) seconds is too long", hint: "the limit is 1e9 seconds")
      }
      let deadline = Posix.seconds(CLOCK_MONOTONIC) + seconds
      while true {
        if pavlov_take_interrupt() != 0 {
          throw PavlovError.interrupted()
        }
        let remaining = deadline - Posix.seconds(CLOCK_MONOTONIC)
        if remaining <= 0 { break }
        let slice = min(remaining, sliceSeconds)
        var request = timespec(tv_sec: 0, tv_nsec: Int(slice * 1e9))
        var left = timespec()
        _ = nanosleep(&request, &left)  // EINTR just ends the slice early
      }
      return .null
    }
  }
}
