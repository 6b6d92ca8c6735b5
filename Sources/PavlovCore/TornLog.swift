import Glibc

extension Files {
  /// Repairs an append-only JSON Lines log (labels, metrics) whose last line a crash or a full
  /// disk cut short: when the file does not end in a newline and its last line is not valid JSON,
  /// that line is cut off, keeping every complete line before it. Returns how many complete
  /// lines were kept, or nil when the file was whole (a last line that parses, without its newline, is kept: a
  /// person may have written the file by hand).
  public static func cutTornJSONLine(_ path: String) throws(FileError) -> Int? {
    let bytes = try read(path, limit: 1 << 28)
    guard let last = bytes.last, last != 0x0A else { return nil }
    let start = (bytes.lastIndex(of: 0x0A) ?? -1) + 1
    let tail = Array(bytes[start...])
    if tail.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) || (try? JSONParser.parse(tail)) != nil { return nil }
    let fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC)
    guard fd >= 0 else { throw FileError("repair", path, code: errno, writing: true) }
    defer { close(fd) }
    guard ftruncate(fd, off_t(start)) == 0, fsync(fd) == 0 || errno == EINVAL else {
      throw FileError("repair", path, code: errno, writing: true)
    }
    return bytes[..<start].reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
  }

  /// The one warning a repaired log gets.
  public static func tornLineWarning(_ path: String, kept lines: Int) -> String {
    "warning: \(path): the last line was cut short (a crash or a full disk while writing?); " +
      "removed it and resuming from the \(lines) complete line\(lines == 1 ? "" : "s")\n"
  }
}
