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
