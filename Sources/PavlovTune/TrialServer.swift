import Glibc
import PavlovCore

/// The driver's end of the trial connections: one TCP listener that every worker — a local
/// process or a Ray task on another machine — connects back to, then one line of JSON per
/// message each way. A worker's first line names its trial and the sweep's token, so a stray
/// connection cannot pose as a trial.
final class TrialServer {
  let port: UInt16
  let token: String
  private let listener: Int32
  /// Connections not yet identified, with what they sent so far.
  private var greeting: [Int32: LineBuffer] = [:]
  private var connections: [Int: (fd: Int32, buffer: LineBuffer)] = [:]

  enum Event {
    case line(trial: Int, text: String)
    /// The worker's connection closed.
    case closed(trial: Int)
  }

  /// Listens on `host` ("127.0.0.1" for local workers, "0.0.0.0" for a cluster) at a free port.
  init(host: String, token: String) throws(CoreError) {
    self.token = token
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { throw CoreError("tune: cannot open a socket for the trials: \(Files.reason(errno))") }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else {
      Glibc.close(fd)
      throw CoreError("tune: \(host) is not an IPv4 address")
    }
    let bound = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard bound == 0, listen(fd, 128) == 0 else {
      let reason = Files.reason(errno)
      Glibc.close(fd)
      throw CoreError("tune: cannot listen on \(host) for the trials: \(reason)")
    }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    port = UInt16(bigEndian: address.sin_port)
    listener = fd
  }

  deinit {
    for fd in greeting.keys { Glibc.close(fd) }
    for connection in connections.values { Glibc.close(connection.fd) }
    Glibc.close(listener)
  }

  func isConnected(_ trial: Int) -> Bool { connections[trial] != nil }

  /// Waits up to `milliseconds` for connections and lines; also watches `extra` descriptors and
  /// returns those that became readable.
  func poll(extra: [Int32], milliseconds: Int32) -> (events: [Event], readable: [Int32]) {
    var watched = [pollfd(fd: listener, events: Int16(POLLIN), revents: 0)]
    let greetingFDs = Array(greeting.keys)
    let trialFDs = connections.map { ($0.key, $0.value.fd) }.sorted { $0.0 < $1.0 }
    watched += greetingFDs.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
    watched += trialFDs.map { pollfd(fd: $0.1, events: Int16(POLLIN), revents: 0) }
    watched += extra.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
    guard Glibc.poll(&watched, nfds_t(watched.count), milliseconds) > 0 else { return ([], []) }
    var events: [Event] = []
    if watched[0].revents != 0 { accept() }
    for (i, fd) in greetingFDs.enumerated() where watched[1 + i].revents != 0 { readGreeting(fd, into: &events) }
    for (i, (trial, _)) in trialFDs.enumerated() where watched[1 + greetingFDs.count + i].revents != 0 {
      readLines(trial, into: &events)
    }
    let offset = 1 + greetingFDs.count + trialFDs.count
    let readable = extra.enumerated().filter { watched[offset + $0.offset].revents != 0 }.map(\.element)
    return (events, readable)
  }

  /// Sends one line to a trial; false if its connection is gone.
  @discardableResult
  func send(_ trial: Int, _ line: String) -> Bool {
    guard let fd = connections[trial]?.fd else { return false }
    return TrialConnection.sendAll(fd, Array((line + "\n").utf8))
  }

  /// Closes a trial's connection (it has ended).
  func close(_ trial: Int) {
    guard let connection = connections.removeValue(forKey: trial) else { return }
    Glibc.close(connection.fd)
  }

  private func accept() {
    let fd = Glibc.accept(listener, nil, nil)
    guard fd >= 0 else { return }
    _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
    var one: Int32 = 1
    setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    greeting[fd] = LineBuffer()
  }

  private func readGreeting(_ fd: Int32, into events: inout [Event]) {
    var buffer = greeting[fd] ?? LineBuffer()
    guard buffer.read(from: fd) else {
      greeting[fd] = nil
      Glibc.close(fd)
      return
    }
    guard let text = buffer.nextLine() else {
      // A greeting is short; anything longer is not one of ours.
      if buffer.count > 4096 { greeting[fd] = nil; Glibc.close(fd) } else { greeting[fd] = buffer }
      return
    }
    greeting[fd] = nil
    guard let hello = try? JSONParser.parse(text), hello["token"]?.string == token, let trial = hello["trial"]?.int,
          connections[trial] == nil else {
      Glibc.close(fd)
      return
    }
    connections[trial] = (fd, buffer)
    emitLines(trial, into: &events)
  }

  private func readLines(_ trial: Int, into events: inout [Event]) {
    guard var connection = connections[trial] else { return }
    let open = connection.buffer.read(from: connection.fd)
    connections[trial] = connection
    emitLines(trial, into: &events)
    if !open {
      close(trial)
      events.append(.closed(trial: trial))
    }
  }

  private func emitLines(_ trial: Int, into events: inout [Event]) {
    guard var connection = connections[trial] else { return }
    while let line = connection.buffer.nextLine() { events.append(.line(trial: trial, text: line)) }
    connections[trial] = connection
  }
}
