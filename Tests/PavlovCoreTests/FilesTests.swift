import Foundation
import PavlovCore
import XCTest

/// The one file layer: reads, atomic replacement and appends.
final class FilesTests: XCTestCase {
  private var folder = ""

  override func setUp() {
    folder = "/tmp/pavlov-files-\(getpid())-\(Files.monotonicNanoseconds())"
    mkdir(folder, 0o755)
  }

  override func tearDown() {
    for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] { unlink("\(folder)/\(name)") }
    rmdir(folder)
  }

  func testAtomicWriteReplacesKeepsTheModeFollowsLinksAndLeavesNoTemporaryFile() throws {
    let path = "\(folder)/a.txt"
    try Files.writeAtomically(path, Array("old".utf8))
    chmod(path, 0o600)
    try Files.writeAtomically(path, Array("new".utf8))
    XCTAssertEqual(try Files.read(path), Array("new".utf8))
    XCTAssertEqual(Files.info(path).map { $0.st_mode & 0o777 }, 0o600)
    symlink(path, "\(folder)/link")
    try Files.writeAtomically("\(folder)/link", Array("via link".utf8))
    XCTAssertEqual(try Files.read(path), Array("via link".utf8))
    XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder).sorted(), ["a.txt", "link"])
  }

  /// Issue 23: saves used to open `path.tmp-PID` with O_CREAT|O_TRUNC, so a link planted at that
  /// name made the save overwrite the link's target. Temporary files are now created exclusively
  /// and never through a link.
  func testALinkPlantedAtATemporaryNameIsNeverWrittenThrough() throws {
    let victim = "\(folder)/victim"
    try Files.writeAtomically(victim, Array("keep me".utf8))
    let path = "\(folder)/model.safetensors"
    symlink(victim, "\(path).tmp-\(getpid())")
    let planted = "\(folder)/.model.safetensors.tmp-\(getpid())-1"
    symlink(victim, planted)
    XCTAssertEqual(Files.createNew(planted), -1)
    XCTAssertEqual(errno, EEXIST)
    try Files.writeAtomically(path, Array("checkpoint".utf8))
    XCTAssertEqual(try Files.read(path), Array("checkpoint".utf8))
    XCTAssertEqual(try Files.read(victim), Array("keep me".utf8))
  }

  /// Found by the builtin fuzzer (issue 23): run as root, `save("/dev/null")` renamed a new file
  /// over the device. A save replaces regular files only.
  func testASaveNeverReplacesADeviceOrAPipe() throws {
    let fifo = "\(folder)/pipe"
    XCTAssertEqual(mkfifo(fifo, 0o600), 0)
    for path in ["/dev/null", fifo] {
      XCTAssertThrowsError(try Files.writeAtomically(path, Array("x".utf8))) { error in
        XCTAssertTrue("\(error)".contains("not a regular file"), "\(error)")
      }
    }
    XCTAssertEqual(Files.info("/dev/null").map { $0.st_mode & S_IFMT }, S_IFCHR)
    XCTAssertEqual(Files.info(fifo).map { $0.st_mode & S_IFMT }, S_IFIFO)
  }

  /// Issue 24: a process killed mid-save leaves its full-size temporary file; the next save of the
  /// same file removes those of processes that no longer run, and leaves a running one's alone.
  func testTheNextSaveRemovesTemporariesOfDeadProcessesOnly() throws {
    let child = fork()
    if child == 0 { _exit(0) }
    var status: Int32 = 0
    waitpid(child, &status, 0)
    let path = "\(folder)/agent.safetensors"
    let dead = "\(folder)/.agent.safetensors.tmp-\(child)-7"
    let running = "\(folder)/.agent.safetensors.tmp-1-7"  // pid 1 always runs
    let other = "\(folder)/.other.safetensors.tmp-\(child)-7"
    for name in [dead, running, other] { try Files.writeAtomically(name, Array("partial".utf8)) }
    try Files.writeAtomically(path, Array("new".utf8))
    XCTAssertNil(Files.info(dead), "the dead process's temporary file is removed")
    XCTAssertNotNil(Files.info(running), "a running process's temporary file is kept")
    XCTAssertNotNil(Files.info(other), "only temporaries of the file being saved are touched")
    XCTAssertEqual(try Files.read(path), Array("new".utf8))
  }

  func testAppendsStartANewLineAfterACutOne() throws {
    let path = "\(folder)/log.jsonl"
    try Files.writeAtomically(path, Array("{\"a\": 1}\n{\"cut".utf8))
    try Files.append(path, Array("{\"b\": 2}\n".utf8), separateFromPartialLine: true)
    XCTAssertEqual(String(decoding: try Files.read(path), as: UTF8.self), "{\"a\": 1}\n{\"cut\n{\"b\": 2}\n")
  }

  func testFailuresNameTheActionThePathAndAFix() {
    XCTAssertThrowsError(try Files.read("\(folder)/missing")) { error in
      XCTAssertEqual((error as? FileError)?.message, "cannot read \(folder)/missing: No such file or directory")
    }
    XCTAssertThrowsError(try Files.writeAtomically("\(folder)/no/such/x", [1])) { error in
      XCTAssertEqual((error as? FileError)?.hint, "the folder \"\(folder)/no/such\" does not exist; create it first")
    }
    XCTAssertThrowsError(try Files.read(folder)) { error in XCTAssertEqual((error as? FileError)?.code, EISDIR) }
    XCTAssertThrowsError(try Files.writeAtomically("", [1])) { error in
      XCTAssertEqual((error as? FileError)?.message, "cannot write a file: the path is empty")
    }
  }
}
