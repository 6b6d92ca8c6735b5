import Glibc
import PavlovCore

/// A worker's end of its trial connection: it connects to the driver's `TrialServer`, says
/// which trial it runs, then sends one JSON line per message and reads one per reply.
public final class TrialConnection {
  private let fd: Int32
  private var buffer = LineBuffer()

  /// Connects to `address` ("host:port") and introduces trial `trial` with the sweep's token.
  public init(address: String, token: String, trial: Int) throws(CoreError) {
    guard let colon = address.lastIndex(of: ":"), let port = UInt16(address[address.index(after: colon)...]) else {
      throw CoreError("tune worker: \"\(address)\" is not host:port")
    }
    let host = String(address[..<colon])
    var hints = addrinfo()
    hints.ai_family = AF_INET
    hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
    var found: UnsafeMutablePointer<addrinfo>?
    guard getaddrinfo(host, String(port), &hints, &found) == 0, let first = found else {
      throw CoreError("tune worker: cannot resolve the driver's host \(host)")
    }
    defer { freeaddrinfo(found) }
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { throw CoreError("tune worker: cannot open a socket: \(Files.reason(errno))") }
    guard connect(fd, first.pointee.ai_addr, first.pointee.ai_addrlen) == 0 else {
      let reason = Files.reason(errno)
      close(fd)
      throw CoreError("tune worker: cannot reach the sweep's driver at \(address): \(reason)",
                      hint: "the driver listens there while the sweep runs; on a cluster, the workers must be able to reach the driver's machine")
    }
    var one: Int32 = 1
    setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    self.fd = fd
    try send(.object([("trial", .int(trial)), ("token", .string(token))]))
  }

  deinit { close(fd) }

  public func send(_ message: JSONValue) throws(CoreError) {
    let line = try JSONWriter.string(message) + "\n"
    guard Self.sendAll(fd, Array(line.utf8)) else { throw CoreError("tune worker: the sweep's driver is gone (the sweep was stopped)") }
  }

  /// The next line from the driver, parsed.
  public func receive() throws(CoreError) -> JSONValue {
    while true {
      if let text = buffer.nextLine() {
        do { return try JSONParser.parse(text) } catch { throw CoreError("tune worker: the driver sent a line that is not JSON: \(text.prefix(80))") }
      }
      guard buffer.read(from: fd) else { throw CoreError("tune worker: the sweep's driver is gone (the sweep was stopped)") }
    }
  }

  /// Writes all of `bytes` to a socket; false once the peer is gone (never a SIGPIPE).
  static func sendAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
    var done = 0
    return bytes.withUnsafeBytes { raw -> Bool in
      guard let base = raw.baseAddress else { return true }
      while done < bytes.count {
        let n = Glibc.send(fd, base + done, bytes.count - done, Int32(MSG_NOSIGNAL))
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { return false }
        done += n
      }
      return true
    }
  }
}
