import CPavlovSupport
import Glibc
import PavlovLang

/// Lines typed at the terminal (or piped in), for `input()` and `label(..., by: "human")`.
enum StandardInput {
  /// One line of standard input without its newline; nil at the end of the input (or if it is
  /// closed). Ctrl-C while waiting raises the interrupt. The wait polls: the script may run on another thread than the one the signal
  /// interrupts, so a blocking read would not notice Ctrl-C.
  static func readLine() throws(PavlovError) -> String? {
    var bytes: [UInt8] = []
    var byte: UInt8 = 0
    while true {
      if pavlov_take_interrupt() != 0 { throw PavlovError.interrupted() }
      var descriptor = pollfd(fd: 0, events: Int16(POLLIN), revents: 0)
      let ready = poll(&descriptor, 1, 100)
      if ready == 0 || (ready < 0 && errno == EINTR) { continue }
      if ready < 0 || descriptor.revents & Int16(POLLNVAL) != 0 { return nil }
      let n = read(0, &byte, 1)
      if n == 1 {
        if byte == 0x0A { break }
        bytes.append(byte)
      } else if n == 0 {
        if bytes.isEmpty { return nil }
        break
      } else if errno != EINTR && errno != EAGAIN {
        return nil
      }
    }
    return String(decoding: bytes, as: UTF8.self)
  }
}
