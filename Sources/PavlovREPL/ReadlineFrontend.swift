import CPavlovSupport
import CReadline
import Glibc
import PavlovLang

/// The interactive REPL on GNU readline: history in ~/.pavlov_history, multi-line entries,
/// tab completion, Ctrl-C to cancel a line or stop a computation, Ctrl-D to leave.
///
/// Readline's callback interface lets us poll for Ctrl-C between keystrokes and cancel the
/// line in normal (not signal-handler) context.
public final class ReadlineFrontend {
  let session: ReplSession
  let historyPath: String
  /// The instance the C callbacks talk to (there is one terminal).
  nonisolated(unsafe) static var active: ReadlineFrontend?
  var received: String??
  var candidates: [String] = []

  public init(session: ReplSession) {
    self.session = session
    let home = getenv("HOME").map { String(cString: $0) } ?? "."
    historyPath = home + "/.pavlov_history"
  }

  enum Read { case line(String), endOfInput, interrupted }

  /// Runs until `:quit` or Ctrl-D; returns the exit code.
  public func run(banner: String) -> Int32 {
    Self.active = self
    session.color = isatty(2) != 0
    pavlov_install_sigint_handler()
    rl_catch_signals = 0
    rl_readline_name = UnsafePointer(strdup("pavlov"))
    rl_basic_word_break_characters = UnsafePointer(strdup(" \t\n\"'@><=;|&{([,+-*/%"))
    rl_attempted_completion_function = { text, _, _ in
      rl_attempted_completion_over = 1
      rl_completion_append_character = 0
      return rl_completion_matches(text) { text, state in ReadlineFrontend.active?.nextCandidate(text, state) }
    }
    using_history()
    stifle_history(2000)
    _ = read_history(historyPath)
    print(banner)
    while true {
      switch readLine(prompt: session.prompt) {
      case .endOfInput:
        print("")
        save()
        return 0
      case .interrupted:
        session.cancelPending()
      case .line(let line):
        if !line.trimmingCharacters(in: " \t").isEmpty { add_history(line) }
        switch session.feed(line) {
        case .quit:
          save()
          return 0
        case .needsMore:
          continue
        case .output(let text):
          fflush(stdout)
          if !text.isEmpty { print(text) }
        }
      }
    }
  }

  func save() {
    _ = write_history(historyPath)
  }

  func readLine(prompt: String) -> Read {
    received = nil
    _ = pavlov_take_interrupt()
    fflush(stdout)
    rl_callback_handler_install(prompt) { line in
      guard let active = ReadlineFrontend.active else { return }
      if let line {
        active.received = .some(String(cString: line))
        free(line)
      } else {
        active.received = .some(nil)
      }
      rl_callback_handler_remove()
    }
    while true {
      var descriptor = pollfd(fd: 0, events: Int16(POLLIN), revents: 0)
      let ready = poll(&descriptor, 1, 100)
      if pavlov_take_interrupt() != 0 {
        // Show what was cancelled, then start a fresh line.
        rl_point = rl_end
        rl_redisplay()
        fputs("^C\n", stdout)
        fflush(stdout)
        rl_free_line_state()
        rl_callback_sigcleanup()
        rl_callback_handler_remove()
        return .interrupted
      }
      if ready > 0 {
        rl_callback_read_char()
        if let got = received {
          if let line = got { return .line(line) }
          return .endOfInput
        }
      } else if ready < 0 && errno != EINTR {
        rl_callback_handler_remove()
        return .endOfInput
      }
    }
  }

  func nextCandidate(_ text: UnsafePointer<CChar>?, _ state: Int32) -> UnsafeMutablePointer<CChar>? {
    if state == 0 {
      let lineBuffer = rl_line_buffer.map { String(cString: $0) } ?? ""
      let cursor = Int(rl_point)
      let prefix = String(decoding: Array(lineBuffer.utf8).prefix(cursor), as: UTF8.self)
      candidates = session.completions(forLine: prefix)
      candidates.reverse()
    }
    guard let next = candidates.popLast() else { return nil }
    return strdup(next)
  }
}
