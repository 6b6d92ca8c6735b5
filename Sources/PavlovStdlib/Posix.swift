import Glibc
import PavlovCore
import PavlovLang

/// The io builtins' side of the file layer (`Files` in PavlovCore): every failure becomes a
/// catchable `PavlovError` naming the builtin, the path, the reason and a fix in the language's
/// terms; folders are listed and created here.
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
    case EISDIR: hint = "that path is a folder, not a file; list it with list_dir(...)"
    default: hint = Files.hint(for: code, path: path, writing: writing)  // the file layer's, for the rest
    }
    return .runtime("\(function): cannot \(action) \(path): \(reason(code))", hint: hint)
  }

  /// Rejects paths the C calls would misread (empty, or with a NUL character).
  static func check(_ path: String, _ function: String) throws(PavlovError) {
    if path.isEmpty { throw PavlovError.runtime("\(function): the path is empty", hint: "give a file name such as \"out.txt\"") }
    if path.utf8.contains(0) { throw PavlovError.runtime("\(function): the path contains a NUL character (\\0)", hint: "remove it from the path") }
  }

  static func directory(of path: String) -> String { Files.directory(of: path) }

  static func fileInfo(_ path: String) -> stat? { Files.info(path) }

  static func isDirectory(_ info: stat) -> Bool { Files.isDirectory(info) }

  static func exists(_ path: String) -> Bool { fileInfo(path) != nil }

  /// A file layer error as the builtin `function`'s error, with the language's hints.
  static func failure(_ function: String, _ error: FileError) -> PavlovError {
    guard error.code != 0 else { return .runtime("\(function): \(error.message)", hint: error.hint) }
    return failure(function, error.action, error.path, error.code, writing: error.action != "read")
  }

  // MARK: Reading

  /// The whole contents of a file; `text` files are capped like strings (256 MiB).
  static func readBytes(_ path: String, _ function: String, text: Bool = true) throws(PavlovError) -> [UInt8] {
    try check(path, function)
    do { return try Files.read(path, limit: text ? PString.maxBytes : Files.maxReadBytes) } catch { throw failure(function, error) }
  }

  // MARK: Writing

  /// Replaces `path` with `bytes` atomically (see `Files.writeAtomically`).
  static func writeAtomically(_ path: String, _ bytes: [UInt8], _ function: String) throws(PavlovError) {
    try check(path, function)
    do { try Files.writeAtomically(path, bytes) } catch { throw failure(function, error) }
  }

  /// Appends `bytes` to `path` (creating it) and flushes them to disk (see `Files.append`).
  static func append(_ path: String, _ bytes: [UInt8], _ function: String, separateFromPartialLine: Bool = false) throws(PavlovError) {
    try check(path, function)
    do { try Files.append(path, bytes, separateFromPartialLine: separateFromPartialLine) } catch { throw failure(function, error) }
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

  /// `mkdir -p` (see `Files.makeDirectories`).
  static func makeDirectories(_ path: String, _ function: String) throws(PavlovError) {
    try check(path, function)
    do { try Files.makeDirectories(path) } catch { throw failure(function, error) }
  }

  // MARK: Clocks

  static func monotonicNanoseconds() -> Int64 { Files.monotonicNanoseconds() }

  static func seconds(_ clock: clockid_t) -> Double {
    var ts = timespec()
    clock_gettime(clock, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
  }
}
