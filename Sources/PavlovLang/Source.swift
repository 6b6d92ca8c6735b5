/// A piece of Pavlov source text with a name (a path, `<repl>`, `-e`) and its line table,
/// so that any location can show the line it points into.
public final class SourceFile: @unchecked Sendable {
  public let name: String
  public let text: String
  /// The text as UTF-8 bytes; the lexer reads these.
  public let bytes: [UInt8]
  /// Byte offset at which each line starts (line 1 is at index 0).
  public let lineStarts: [Int]

  public init(name: String, text: String) {
    self.name = name
    self.text = text
    self.bytes = Array(text.utf8)
    var starts = [0]
    for (i, b) in bytes.enumerated() where b == UInt8(ascii: "\n") { starts.append(i + 1) }
    self.lineStarts = starts
  }

  /// The text of line `line` (1-based), without its newline; empty when out of range.
  public func lineText(_ line: Int) -> String {
    guard line >= 1, line <= lineStarts.count else { return "" }
    let start = lineStarts[line - 1]
    var end = line < lineStarts.count ? lineStarts[line] - 1 : bytes.count
    if end > start, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
    return String(decoding: bytes[start..<max(start, end)], as: UTF8.self)
  }
}

/// A place in a source file: 1-based line and column (columns count characters), and the
/// width of the thing there so carets can underline it.
public final class SourceLocation: CustomStringConvertible {
  public let file: SourceFile
  public let line: Int
  public let column: Int
  public let length: Int

  public init(file: SourceFile, line: Int, column: Int, length: Int = 1) {
    self.file = file
    self.line = line
    self.column = column
    self.length = max(1, length)
  }

  /// `file:line:col`, the form editors and terminals turn into links.
  public var description: String { "\(file.name):\(line):\(column)" }
}
