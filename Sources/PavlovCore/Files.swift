import Glibc

/// Why a file operation failed: the action, the path and the C library's reason (`errno`), so
/// each layer can add the hint its users need (a Pavlov builtin names `make_dir`).
public struct FileError: ExplainedError, Sendable {
  public let action: String
  public let path: String
  /// The `errno` value, or 0 for a problem with the path itself.
  public let code: Int32
  public let message: String
  public let hint: String?
  public var place: String? { nil }

  init(_ action: String, _ path: String, code: Int32, writing: Bool = false) {
    self.action = action
    self.path = path
    self.code = code
    message = "cannot \(action) \(path): \(Files.reason(code))"
    hint = Files.hint(for: code, path: path, writing: writing)
  }

  init(_ action: String, _ path: String, problem: String, hint: String) {
    self.action = action
    self.path = path
    code = 0
    message = "cannot \(action) \(path.isEmpty ? "a file" : path): \(problem)"
    self.hint = hint
  }
}

/// The one file layer: whole-file reads, atomic replacement (temporary file, fsync, rename) and
/// appends that reach the disk. The language's io builtins, checkpoints, tokenizers and
/// preference files all write through it, so a crash leaves the old file or the new one.
public enum Files {
  /// The C library's text for an errno value.
  public static func reason(_ code: Int32) -> String {
    guard let text = strerror(code) else { return "error \(code)" }
    return String(cString: text)
  }

  /// What to do about an errno value, for any caller.
  public static func hint(for code: Int32, path: String, writing: Bool) -> String {
    switch code {
    case ENOENT: return writing ? "the folder \"\(directory(of: path))\" does not exist; create it first" : "check the path"
    case EACCES, EPERM: return "permission denied: check the permissions of the file and of its folder"
    case EISDIR: return "that path is a folder, not a file"
    case ENOTDIR: return "a part of the path before the last `/` is a file, not a folder"
    case ENOSPC, EDQUOT: return "the disk (or your quota) is full; free some space and retry"
    case EFBIG: return "the file would pass this process's file-size limit (ulimit -f); raise it or write less"
    case EROFS: return "the file system is read-only; write somewhere else"
    case ENAMETOOLONG: return "the path is too long"
    case EMFILE, ENFILE: return "too many files are open at once"
    default: return "check the path and try again"
    }
  }

  /// Rejects paths the C calls would misread (empty, or with a NUL character).
  public static func check(_ path: String, _ action: String) throws(FileError) {
    if path.isEmpty { throw FileError(action, path, problem: "the path is empty", hint: "give a file name such as \"out.txt\"") }
    if path.utf8.contains(0) { throw FileError(action, path, problem: "the path contains a NUL character (\\0)", hint: "remove it from the path") }
  }

  /// The folder part of a path: "a/b.txt" → "a", "b.txt" → ".", "/b" → "/".
  public static func directory(of path: String) -> String {
    var trimmed = Substring(path)
    while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
    guard let slash = trimmed.lastIndex(of: "/") else { return "." }
    let dir = trimmed[..<slash]
    return dir.isEmpty ? "/" : String(dir)
  }

  static func baseName(of path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return path }
    return String(path[path.index(after: slash)...])
  }

  public static func info(_ path: String) -> stat? {
    var info = stat()
    return stat(path, &info) == 0 ? info : nil
  }

  public static func isDirectory(_ info: stat) -> Bool { (info.st_mode & S_IFMT) == S_IFDIR }

  // MARK: Reading

  /// The most bytes `read` takes by default (2 GiB); text readers pass the string cap.
  public static let maxReadBytes = 1 << 31

  /// The whole contents of a file, of at most `limit` bytes. The limit is applied while reading,
  /// so a pipe or a device that never ends (`/dev/zero`) is an error, not a process the kernel
  /// kills.
  public static func read(_ path: String, limit: Int = maxReadBytes) throws(FileError) -> [UInt8] {
    try check(path, "read")
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw FileError("read", path, code: errno) }
    defer { close(fd) }
    var info = stat()
    if fstat(fd, &info) == 0, isDirectory(info) { throw FileError("read", path, code: EISDIR) }
    func tooLarge() -> FileError {
      FileError("read", path, problem: "it holds more than \(limit) bytes, the most this reader takes",
                hint: "split the data into smaller files")
    }
    if Int(info.st_size) > limit { throw tooLarge() }
    var bytes: [UInt8] = []
    if info.st_size > 0 { bytes.reserveCapacity(Int(info.st_size) + 1) }
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
      let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
      // Ctrl-C stops a read from a pipe, a terminal or a device that may never end.
      if Interruption.requested() { throw FileError("read", path, problem: "stopped by Ctrl-C", hint: "nothing was read") }
      if n < 0 {
        if errno == EINTR { continue }
        throw FileError("read", path, code: errno)
      }
      if n == 0 { break }
      if bytes.count + n > limit { throw tooLarge() }
      bytes.append(contentsOf: chunk[0..<n])
    }
    return bytes
  }

  // MARK: Writing

  /// Writes every byte, retrying short writes and interrupted calls; returns errno on failure.
  public static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Int32? {
    var done = 0
    let total = bytes.count
    return bytes.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> Int32? in
      guard let base = raw.baseAddress else { return nil }
      while done < total {
        let n = Glibc.write(fd, base + done, total - done)
        if n < 0 {
          if errno == EINTR { continue }
          return errno
        }
        if n == 0 { return EIO }
        done += n
      }
      return nil
    }
  }

  /// Replaces `path` with `bytes` atomically: writes a new temporary file in the same folder
  /// (created exclusively, never through a link), flushes it to disk, then renames it over the
  /// target. Readers see the old file or the new one, never a half-written one; a failure leaves
  /// the old file untouched. A link is followed to the file it names; the file's mode is kept.
  public static func writeAtomically(_ path: String, _ bytes: [UInt8]) throws(FileError) {
    try check(path, "write")
    var target = path
    var linkInfo = stat()
    if lstat(path, &linkInfo) == 0 && (linkInfo.st_mode & S_IFMT) == S_IFLNK, let resolved = realpath(path, nil) {
      target = String(cString: resolved)
      free(resolved)
    }
    var existingMode: mode_t? = nil
    if let existing = info(target) {
      if isDirectory(existing) { throw FileError("write", path, code: EISDIR) }
      // Renaming over a device or a pipe would replace it with a file (as root, /dev/null too).
      guard (existing.st_mode & S_IFMT) == S_IFREG else {
        throw FileError("write", path, problem: "it is a device, a pipe or a socket, not a regular file",
                        hint: "a save replaces the whole file; give the path of a regular file")
      }
      existingMode = existing.st_mode & 0o7777
    }
    let folder = directory(of: target)
    let base = baseName(of: target)
    removeStaleTemporaries(of: base, in: folder)
    var temp = ""
    var fd: Int32 = -1
    var stamp = UInt64(monotonicNanoseconds())
    for _ in 0..<100 {
      temp = "\(folder)/\(temporaryPrefix(of: base))\(getpid())-\(stamp)"
      fd = createNew(temp)
      if fd >= 0 || errno != EEXIST { break }
      stamp &+= 1
    }
    guard fd >= 0 else { throw FileError("write", path, code: errno, writing: true) }
    func abandon(_ code: Int32, closing: Bool) -> FileError {
      if closing { close(fd) }
      unlink(temp)
      return FileError("write", path, code: code, writing: true)
    }
    if let existingMode { _ = fchmod(fd, existingMode) }
    if let code = writeAll(fd, bytes) { throw abandon(code, closing: true) }
    if fsync(fd) != 0 { throw abandon(errno, closing: true) }
    if close(fd) != 0 { throw abandon(errno, closing: false) }
    if rename(temp, target) != 0 { throw abandon(errno, closing: false) }
    syncFolder(folder)
  }

  /// Creates a new file for writing, or fails with EEXIST: never opens an existing file, and never
  /// follows a link planted at `path` (the link's target stays untouched). Returns -1 and sets
  /// errno on failure, like `open`.
  public static func createNew(_ path: String, mode: mode_t = 0o666) -> Int32 {
    open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
  }

  /// The start of the temporary files that replace `base`: `.base.tmp-PID-STAMP`.
  static func temporaryPrefix(of base: String) -> String { ".\(base).tmp-" }

  /// Removes temporary files of `base` left by processes that no longer run (killed mid-save):
  /// they are full-size copies that nothing else would ever delete. A file of a running process
  /// (another save in progress) is left alone; links are removed, never followed.
  static func removeStaleTemporaries(of base: String, in folder: String) {
    guard let dir = opendir(folder) else { return }
    defer { closedir(dir) }
    let prefix = temporaryPrefix(of: base)
    var stale: [String] = []
    while let entry = readdir(dir) {
      let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
        String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
      }
      guard name.hasPrefix(prefix) else { continue }
      let owner = name.dropFirst(prefix.count).prefix { $0 != "-" }
      guard let pid = pid_t(owner), pid > 0, pid != getpid() else { continue }
      if kill(pid, 0) != 0 && errno == ESRCH { stale.append(name) }
    }
    for name in stale { unlink("\(folder)/\(name)") }
  }

  /// Makes a rename in `folder` durable (best effort: some file systems refuse to sync folders).
  static func syncFolder(_ folder: String) {
    let fd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    if fd >= 0 {
      _ = fsync(fd)
      close(fd)
    }
  }

  /// Appends `bytes` to `path` (creating it) and flushes them to disk. With
  /// `separateFromPartialLine`, a file whose last byte is not a newline (a writer stopped
  /// mid-line) first gets a newline, so the new lines never merge with the broken one.
  public static func append(_ path: String, _ bytes: [UInt8], separateFromPartialLine: Bool = false) throws(FileError) {
    let log = try AppendLog(path, separateFromPartialLine: separateFromPartialLine)
    try log.append(bytes)
    try log.sync()
  }

  // MARK: Folders

  /// `mkdir -p`: creates the folder and any missing parents; an existing folder is fine.
  public static func makeDirectories(_ path: String) throws(FileError) {
    try check(path, "create the folder")
    var prefix = path.hasPrefix("/") ? "/" : ""
    for part in path.split(separator: "/", omittingEmptySubsequences: true) {
      prefix += (prefix.isEmpty || prefix.hasSuffix("/") ? "" : "/") + part
      if part == "." || part == ".." { continue }
      guard mkdir(prefix, 0o777) != 0 else { continue }
      let code = errno
      guard code == EEXIST else { throw FileError("create the folder", prefix, code: code, writing: true) }
      if let existing = info(prefix), isDirectory(existing) { continue }
      throw FileError("create the folder", path, problem: "\(prefix) exists and is not a folder",
                      hint: "remove or rename the file \(prefix), or choose another path")
    }
  }

  public static func monotonicNanoseconds() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Int64(ts.tv_sec) &* 1_000_000_000 &+ Int64(ts.tv_nsec)
  }
}

/// A file opened once for appending (a label log, a metrics file): each `append` is one `write`,
/// so Ctrl-C cannot cut a line in two; `sync` flushes what was appended to disk.
public final class AppendLog {
  public let path: String
  private let fd: Int32
  private var unsynced = false

  public init(_ path: String, separateFromPartialLine: Bool = false) throws(FileError) {
    try Files.check(path, "append to")
    if let existing = Files.info(path), Files.isDirectory(existing) { throw FileError("append to", path, code: EISDIR) }
    self.path = path
    var canRead = true
    var fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0o666)
    if fd < 0 && (errno == EACCES || errno == EPERM) {
      canRead = false  // a write-only file can still be appended to
      fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o666)
    }
    guard fd >= 0 else { throw FileError("append to", path, code: errno, writing: true) }
    self.fd = fd
    var info = stat()
    var last: UInt8 = 0
    if separateFromPartialLine, canRead, fstat(fd, &info) == 0, info.st_size > 0,
       pread(fd, &last, 1, info.st_size - 1) == 1, last != 0x0A {
      try append([0x0A])
    }
  }

  deinit { close(fd) }

  public func append(_ bytes: [UInt8]) throws(FileError) {
    if let code = Files.writeAll(fd, bytes) { throw FileError("append to", path, code: code, writing: true) }
    unsynced = true
  }

  /// Flushes appended bytes to disk (a pipe or a terminal cannot be, and need not be).
  public func sync() throws(FileError) {
    guard unsynced else { return }
    unsynced = false
    if fsync(fd) != 0 && errno != EINVAL { throw FileError("write", path, code: errno, writing: true) }
  }
}
