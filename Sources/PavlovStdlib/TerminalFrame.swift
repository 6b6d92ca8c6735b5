/// A block of text a terminal shows and redraws in place: each new frame backs up over the one
/// before and clears from there down, so what the terminal showed earlier stays in its history
/// (no clear-screen). `play` and the training progress display both draw through it.
struct TerminalFrame {
  /// Newlines in the frame on screen — how far below its first line the cursor stands; nil
  /// when no frame is shown.
  private var rowsBelowStart: Int?

  var isShown: Bool { rowsBelowStart != nil }

  /// The text that puts `frame` where the previous one stood.
  mutating func replace(with frame: String) -> String {
    let text = backUp() + frame
    rowsBelowStart = frame.reduce(0) { $1 == "\n" ? $0 + 1 : $0 }
    return text
  }

  /// Counts lines the terminal added below the frame (a typed answer, a message about it), so
  /// the next frame replaces them too.
  mutating func grew(by rows: Int) {
    if let shown = rowsBelowStart { rowsBelowStart = shown + rows }
  }

  /// The text that removes the frame on screen, leaving the cursor where the frame began.
  mutating func erase() -> String {
    let text = backUp()
    rowsBelowStart = nil
    return text
  }

  private func backUp() -> String {
    guard let rows = rowsBelowStart else { return "" }
    return (rows > 0 ? "\u{1b}[\(rows)F" : "\r") + "\u{1b}[J"
  }
}
