import Glibc

/// Bytes read from a stream, handed out a whole line at a time: the trial connections' JSON
/// lines (both ends) and the Ray bridge's.
struct LineBuffer {
  private var bytes: [UInt8] = []

  /// Bytes held that do not yet end a line.
  var count: Int { bytes.count }

  /// Reads what `fd` has (blocking if it has nothing); false at the end of the stream or on an
  /// error other than an interruption.
  mutating func read(from fd: Int32) -> Bool {
    var chunk = [UInt8](repeating: 0, count: 65_536)
    let n = Glibc.read(fd, &chunk, chunk.count)
    if n > 0 { bytes += chunk[0..<n]; return true }
    return n < 0 && (errno == EINTR || errno == EAGAIN)
  }

  /// The next complete line, without its newline; nil until one has arrived.
  mutating func nextLine() -> String? {
    guard let newline = bytes.firstIndex(of: 0x0A) else { return nil }
    let line = String(decoding: bytes[..<newline], as: UTF8.self)
    bytes.removeFirst(newline + 1)
    return line
  }
}
