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
  /// Where history is kept; nil (no history file) when $HOME is unset.
  let historyPath: String?
  /// The instance the C callbacks talk to (there is one terminal).
  nonisolated(unsafe) static var active: ReadlineFrontend?
  var received: String??
  var candidates: [String] = []

  public init(session: ReplSession) {
    self.session = session
    historyPath = getenv("HOME").map { String(cString: $0) + "/.pavlov_history" }
  }

  enum Read { case line(String), endOfInput, interrupted }

  /// Runs until `:quit` or Ctrl-D; returns the exit code.
  public func run(banner: String) -> Int32 {
    Self.active = self
    session.color = isatty(2) != 0
    pavlov_install_sigint_handler()
    // Three presses the evaluator has not noticed (a long builtin) quit the REPL.
    pavlov_set_force_quit_after(3)
    rl_catch_signals = 0
    // Pasted text arrives line by line, so each line is an entry (and a history line).
    _ = rl_variable_bind("enable-bracketed-paste", "off")
    rl_readline_name = UnsafePointer(strdup("pavlov"))
    rl_basic_word_break_characters = UnsafePointer(strdup(" \t\n\"'@><=;|&{([,+-*/%"))
    // Inside "…" the whole string so far is the word, so env ids with '-' complete whole.
    rl_completer_quote_characters = UnsafePointer(strdup("\""))
    rl_attempted_completion_function = { text, _, _ in
      rl_attempted_completion_over = 1
      rl_completion_append_character = 0
      return rl_completion_matches(text) { text, state in ReadlineFrontend.active?.nextCandidate(text, state) }
    }
    using_history()
    stifle_history(2000)
    if let historyPath, read_history(historyPath) != 0 {
      _ = write_history(historyPath) // create it, so entries can be appended as they are typed
    }
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
        if !line.trimmingCharacters(in: " \t").isEmpty {
          add_history(line)
          // Saved as it is typed, so a killed session or a second window loses nothing.
          if let historyPath { _ = append_history(1, historyPath) }
        }
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
    if let historyPath { _ = history_truncate_file(historyPath, 2000) }
  }

  func readLine(prompt: String) -> Read {
    received = nil
    // A Ctrl-C that arrived since the last line is kept: it cancels this one at once.
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
