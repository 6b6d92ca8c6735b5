import Foundation
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// Finds the `pavlov` executable these tests run.
enum PavlovBinary {
  /// `$PAVLOV_BIN`; else the `pavlov` next to the running test bundle (same build
  /// configuration); else the newest of `<repo>/.build/{debug,release}/pavlov`.
  static let path: String? = {
    let fm = FileManager.default
    if let env = ProcessInfo.processInfo.environment["PAVLOV_BIN"], !env.isEmpty {
      return fm.isExecutableFile(atPath: env) ? env : nil
    }
    // The test bundle lives in .build/<triple>/<configuration>/, beside the products it was built with.
    if let exe = try? fm.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
      let sibling = URL(fileURLWithPath: exe).deletingLastPathComponent().appendingPathComponent("pavlov").path
      if fm.isExecutableFile(atPath: sibling) { return sibling }
    }
    let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let candidates = ["debug", "release"]
      .map { repo.appendingPathComponent(".build/\($0)/pavlov").path }
      .filter { fm.isExecutableFile(atPath: $0) }
    func modified(_ p: String) -> Date {
      ((try? fm.attributesOfItem(atPath: p))?[.modificationDate] as? Date) ?? .distantPast
    }
    return candidates.max { modified($0) < modified($1) }
  }()

  static func require() throws -> String {
    guard let path else {
      throw XCTSkip("no pavlov executable: build it (swift build) or set PAVLOV_BIN")
    }
    return path
  }

  /// Runs `pavlov arguments...` in `directory` with `stdin` as its input (never the test's own terminal).
  /// Output goes to files, so a large report cannot fill a pipe and block the child.
  static func run(_ arguments: [String], in directory: URL, stdin: String = "", timeout: TimeInterval = 20,
                  environment: [String: String] = [:], file: StaticString = #filePath, line: UInt = #line) throws -> CLIResult {
    let binary = try PavlovBinary.require()
    let id = UUID().uuidString
    let inURL = directory.appendingPathComponent("in-\(id)")
    let outURL = directory.appendingPathComponent("out-\(id)")
    let errURL = directory.appendingPathComponent("err-\(id)")
    try Data(stdin.utf8).write(to: inURL)
    FileManager.default.createFile(atPath: outURL.path, contents: nil)
    FileManager.default.createFile(atPath: errURL.path, contents: nil)
    let input = try FileHandle(forReadingFrom: inURL)
    let output = try FileHandle(forWritingTo: outURL)
    let errors = try FileHandle(forWritingTo: errURL)
    defer {
      try? input.close()
      try? output.close()
      try? errors.close()
    }

    let process = Process()
    process.executableURL = URL(fileURLWithPath: binary)
    process.arguments = arguments
    if !environment.isEmpty {
      process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, given in given }
    }
    process.currentDirectoryURL = directory
    process.standardInput = input
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    let deadline = Date().addingTimeInterval(timeout)
    while process.isRunning && Date() < deadline { usleep(5_000) }
    if process.isRunning {
      process.terminate()
      process.waitUntilExit()
      let partial = (try? String(contentsOf: outURL, encoding: .utf8)) ?? ""
      XCTFail("pavlov \(arguments) did not finish in \(timeout) s; stdout so far:\n\(partial)", file: file, line: line)
    }
    process.waitUntilExit()
    return CLIResult(
      status: process.terminationStatus,
      signaled: process.terminationReason == .uncaughtSignal,
      stdout: (try? String(contentsOf: outURL, encoding: .utf8)) ?? "",
      stderr: (try? String(contentsOf: errURL, encoding: .utf8)) ?? "")
  }
}

/// What a finished `pavlov` run left behind.
struct CLIResult: CustomStringConvertible {
let status: Int32
/// True if the process died of a signal (a crash) instead of exiting.
let signaled: Bool
let stdout: String
let stderr: String

var description: String {
  "status \(status)\(signaled ? " (signal)" : "")\n--- stdout ---\n\(stdout)\n--- stderr ---\n\(stderr.prefix(4000))"
}
}
