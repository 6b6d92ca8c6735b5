import Glibc
import PavlovLang

/// Thin, error-explaining wrappers over the POSIX file calls the io builtins need. Every
/// failure becomes a catchable `PavlovError` naming the builtin, the path, the reason and a fix.
enum Posix {
  /// The C library's text for an errno value.
  static func reason(_ code: Int32) -> String {
    guard let text = strerror(code) else { return "error \(code)" }
    return String(cString: text)
  }

  static func currentDirectory() -> String {
    var buffer = [CChar](repeating: 0, count: 4096)
    guard getcwd(&buffer, buffer.count) != nil else { return "." }
    return buffer.withUnsafeBufferPointer { $0.baseAddress.map { String(cString: $0) } ?? "." }
  }

  /// `function: cannot ACTION PATH: REASON`, with a hint chosen by the errno value.
  static func failure(_ function: String, _ action: String, _ path: String, _ code: Int32, writing: Bool = false) -> PavlovError {
    var hint: String
    switch code {
    case ENOENT:
      if writing {
        hint = "the folder \(Format.quoted(directory(of: path))) does not exist; create it first with make_dir(\(Format.quoted(directory(of: path))))"
      } else {
        hint = "check the path; relative paths start in \(currentDirectory())"
      }
    case EACCES, EPERM: hint = "permission denied: check the permissions of the file and of its folder"
    case EISDIR: hint = "that path is a folder, not a file; list it with list_dir(...)"
    case ENOTDIR: hint = "a part of the path before the last `/` is a file, not a folder"
    case ENOSPC, EDQUOT: hint = "the disk (or your quota) is full; free some space and retry"
    case EROFS: hint = "the file system is read-only; write somewhere else"
    case ENAMETOOLONG: hint = "the path is too long"
    case EMFILE, ENFILE: hint = "too many files are open at once"
    default: hint = "check the path and try again"
    }
    return .runtime("\(function): cannot \(action) \(path): \(reason(code))", hint: hint)
  }

  /// Rejects paths the C calls would misread (empty, or with a NUL character).
  static func check(_ path: String, _ function: String) throws(PavlovError) {
    if path.isEmpty { throw PavlovError.runtime("\(function): the path is empty", hint: "give a file name such as \"out.txt\"") }
    if path.utf8.contains(0) { throw PavlovError.runtime("\(function): the path contains a NUL character (\\0)", hint: "remove it from the path") }
  }

  /// The folder part of a path: "a/b.txt" → "a", "b.txt" → ".", "/b" → "/".
  static func directory(of path: String) -> String {
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

  static func fileInfo(_ path: String) -> stat? {
    var info = stat()
    return stat(path, &info) == 0 ? info : nil
  }

  static func isDirectory(_ info: stat) -> Bool { (info.st_mode & S_IFMT) == S_IFDIR }

  static func exists(_ path: String) -> Bool { fileInfo(path) != nil }

  // MARK: Reading

  /// The whole contents of a file.
  static func readBytes(_ path: String, _ function: String) throws(PavlovError) -> [UInt8] {
    try check(path, function)
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw failure(function, "read", path, errno) }
    defer { close(fd) }
    var info = stat()
    if fstat(fd, &info) == 0, isDirectory(info) { throw failure(function, "read", path, EISDIR) }
    var bytes: [UInt8] = []
    if info.st_size > 0 { bytes.reserveCapacity(Int(info.st_size) + 1) }
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
      let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
      if n < 0 {
        if errno == EINTR { continue }
        throw failure(function, "read", path, errno)
      }
      if n == 0 { break }
      bytes.append(contentsOf: chunk[0..<n])
    }
    return bytes
  }

  // MARK: Writing

  /// Writes every byte, retrying short writes and interrupted calls; returns errno on failure.
  static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Int32? {
    var done = 0
    let total = bytes.count
    return bytes.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> Int32? in
      guard let base = raw.baseAddress else { return nil }
      while done < total {
        let n = write(fd, base + done, total - done)
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

  /// Replaces `path` with `bytes` atomically: writes a temporary file in the same folder,
  /// flushes it to disk, then renames it over the target. Readers see the old file or the
  /// new one, never a half-written one; a failure leaves the old file untouched.
  static func writeAtomically(_ path: String, _ bytes: [UInt8], _ function: String) throws(PavlovError) {
    try check(path, function)
    var target = path
    var info = stat()
    var existingMode: mode_t? = nil
    if lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFLNK, let resolved = realpath(path, nil) {
      // Replace the file the link points to, not the link.
      target = String(cString: resolved)
      free(resolved)
    }
    if let existing = fileInfo(target) {
      if isDirectory(existing) { throw failure(function, "write", path, EISDIR) }
      existingMode = existing.st_mode & 0o7777
    }
    let folder = directory(of: target)
    let base = baseName(of: target)
    var temp = ""
    var fd: Int32 = -1
    var stamp = UInt64(monotonicNanoseconds())
    for _ in 0..<100 {
      temp = "\(folder)/.\(base).tmp-\(getpid())-\(stamp)"
      fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
      if fd >= 0 || errno != EEXIST { break }
      stamp &+= 1
    }
    guard fd >= 0 else { throw failure(function, "write", path, errno, writing: true) }
    if let existingMode { _ = fchmod(fd, existingMode) }
    if let code = writeAll(fd, bytes) {
      close(fd)
      unlink(temp)
      throw failure(function, "write", path, code, writing: true)
    }
    if fsync(fd) != 0 {
      let code = errno
      close(fd)
      unlink(temp)
      throw failure(function, "write", path, code, writing: true)
    }
    if close(fd) != 0 {
      let code = errno
      unlink(temp)
      throw failure(function, "write", path, code, writing: true)
    }
    if rename(temp, target) != 0 {
      let code = errno
      unlink(temp)
      throw failure(function, "write", path, code, writing: true)
    }
    // Make the rename itself durable (best effort: some file systems refuse to sync folders).
    let dirFD = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    if dirFD >= 0 {
      _ = fsync(dirFD)
      close(dirFD)
    }
  }

  /// Appends `bytes` to `path` (creating it) with one O_APPEND descriptor. With
  /// `separateFromPartialLine`, a file whose last byte is not a newline (a writer stopped
  /// mid-line) first gets a newline, so the new lines never merge with the broken one.
  static func append(_ path: String, _ bytes: [UInt8], _ function: String, separateFromPartialLine: Bool = false) throws(PavlovError) {
    try check(path, function)
    if let existing = fileInfo(path), isDirectory(existing) { throw failure(function, "append to", path, EISDIR) }
    var canRead = true
    var fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0o666)
    if fd < 0 && (errno == EACCES || errno == EPERM) {
      canRead = false
      fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o666)
    }
    guard fd >= 0 else { throw failure(function, "append to", path, errno, writing: true) }
    var data = bytes
    if separateFromPartialLine && canRead {
      var info = stat()
      if fstat(fd, &info) == 0, info.st_size > 0 {
        var last: UInt8 = 0
        if pread(fd, &last, 1, info.st_size - 1) == 1, last != 0x0A {
          data.insert(0x0A, at: 0)
        }
      }
    }
    if let code = writeAll(fd, data) {
      close(fd)
      throw failure(function, "append to", path, code, writing: true)
    }
    if close(fd) != 0 { throw failure(function, "append to", path, errno, writing: true) }
  }

  // MARK: Folders

  /// The names in a folder (without "." and ".."), sorted.
  static func listDirectory(_ path: String, _ function: String) throws(PavlovError) -> [String] {
    try check(path, function)
    guard let dir = opendir(path) else {
      let code = errno
      if code == ENOTDIR, let info = fileInfo(path), !isDirectory(info) {
        throw PavlovError.runtime("\(function): cannot list \(path): it is a file, not a folder", hint: "read it with read_text(...), or list its folder")
      }
      throw failure(function, "list", path, code)
    }
    defer { closedir(dir) }
    var names: [String] = []
    while let entry = readdir(dir) {
      let name = withUnsafePointer(to: &entry.pointee.d_name) { pointer in
        pointer.withMemoryRebound(to: CChar.self, capacity: MemoryLayout.size(ofValue: entry.pointee.d_name)) { String(cString: $0) }
      }
      if name != "." && name != ".." { names.append(name) }
    }
    return names.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
  }

  /// `mkdir -p`: creates the folder and any missing parents; an existing folder is fine.
  static func makeDirectories(_ path: String, _ function: String) throws(PavlovError) {
    try check(path, function)
    var prefix = path.hasPrefix("/") ? "/" : ""
    let parts = path.split(separator: "/", omittingEmptySubsequences: true)
    for part in parts {
      prefix += (prefix.isEmpty || prefix.hasSuffix("/") ? "" : "/") + part
      if part == "." || part == ".." { continue }
      if mkdir(prefix, 0o777) != 0 {
        let code = errno
        if code == EEXIST {
          if let info = fileInfo(prefix), isDirectory(info) { continue }
          throw PavlovError.runtime("\(function): cannot create the folder \(path): \(prefix) exists and is not a folder",
                                    hint: "remove or rename the file \(prefix), or choose another path")
        }
        throw failure(function, "create the folder", prefix, code, writing: true)
      }
    }
  }

  // MARK: Clocks

  static func monotonicNanoseconds() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Int64(ts.tv_sec) &* 1_000_000_000 &+ Int64(ts.tv_nsec)
  }

  static func seconds(_ clock: clockid_t) -> Double {
    var ts = timespec()
    clock_gettime(clock, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
  }
}
