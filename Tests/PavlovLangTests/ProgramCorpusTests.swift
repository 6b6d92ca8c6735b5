import Foundation
import PavlovLang
import PavlovTestSupport
import XCTest

/// Runs every `.pav` program under `Tests/programs` and checks the expectations written in its
/// comments (the clox habit: adding a language test means adding a file, not Swift code).
///
/// - `# expect: TEXT`: the next line of standard output (one per printed line, in order).
/// - `# expect error: FRAGMENT`: the program must fail, and the error report (without its echoed
///   source lines, which contain this very comment) must contain FRAGMENT.
/// - `# expect error line: N`: the error is reported at line N.
///
/// Files inside a folder named `lib` are helper modules for `import`, not tests.
final class ProgramCorpusTests: XCTestCase {
  /// Fewer programs than this means the corpus was not found (or was emptied): fail loudly.
  static let minimumProgramCount = 100
  /// Stops a program that loops forever instead of hanging the test run.
  static let stepLimit = 50_000_000
  /// Deep Pavlov recursion (up to the interpreter's depth limit) needs more than the default
  /// 8 MiB of native stack in debug builds; the CLI runs scripts on a large stack too.
  static let stackBytes = 1 << 30

  static var programsDirectory: URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("programs")
  }

  func testEveryProgramMeetsItsExpectations() throws {
    let files = try Self.programFiles()
    XCTAssertGreaterThanOrEqual(files.count, Self.minimumProgramCount,
                                "only \(files.count) programs found under \(Self.programsDirectory.path)")
    var failures: [(String, String)] = []
    Self.runOnLargeStack {
      for file in files {
        if let problem = Self.check(file) { failures.append((file.path, problem)) }
      }
    }
    let root = Self.programsDirectory.path + "/"
    for (path, problem) in failures {
      XCTFail("\(path.replacingOccurrences(of: root, with: "")): \(problem)")
    }
    if !failures.isEmpty {
      let names = failures.map { $0.0.replacingOccurrences(of: root, with: "") }
      XCTFail("\(failures.count) of \(files.count) programs failed:\n  " + names.joined(separator: "\n  "))
    }
  }

  // MARK: - Finding programs

  /// Every `.pav` file under `Tests/programs`, sorted, skipping `lib` folders (import helpers).
  static func programFiles() throws -> [URL] {
    let root = programsDirectory
    guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isDirectoryKey]) else {
      throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: root.path])
    }
    var files: [URL] = []
    for case let url as URL in walker {
      if (try? url.resourceValues(forKeys: [.isDirectoryKey]).isDirectory) == true {
        if url.lastPathComponent == "lib" { walker.skipDescendants() }
        continue
      }
      if url.pathExtension == "pav" { files.append(url) }
    }
    return files.sorted { $0.path < $1.path }
  }

  // MARK: - Expectations

  struct Expectations {
    var output: [String] = []
    var errorFragments: [String] = []
    var errorLine: Int?
  }

  static func expectations(in source: String) -> Expectations {
    var result = Expectations()
    for line in source.split(separator: "\n", omittingEmptySubsequences: false) {
      if let range = line.range(of: "# expect error line: ") {
        result.errorLine = Int(line[range.upperBound...].trimmingCharacters(in: .whitespaces))
      } else if let range = line.range(of: "# expect error: ") {
        result.errorFragments.append(String(line[range.upperBound...]).trimmingTrailingWhitespace())
      } else if let range = line.range(of: "# expect: ") {
        result.output.append(String(line[range.upperBound...]).trimmingTrailingCarriageReturn())
      } else if line.trimmingTrailingWhitespace().hasSuffix("# expect:") {
        result.output.append("")
      }
    }
    return result
  }

  // MARK: - Running one program

  /// Runs `file` in a fresh session; returns a description of what went wrong, or nil.
  static func check(_ file: URL) -> String? {
    let source: String
    do { source = try String(contentsOf: file, encoding: .utf8) } catch { return "cannot read: \(error)" }
    let expected = expectations(in: source)
    let session = TestSession()
    session.interpreter.stepLimit = stepLimit
    var failure: PavlovError?
    do {
      try session.run(source, name: file.path)
    } catch {
      // `exit()` or `exit(0)` ends a script successfully.
      if !(error.kind == .exit && isZero(error.value)) { failure = error }
    }
    var problems: [String] = []
    let actual = lines(of: session.output)
    if actual != expected.output {
      problems.append("output differs:\n" + diff(expected: expected.output, actual: actual))
    }
    if expected.errorFragments.isEmpty {
      if let failure { problems.append("unexpected error:\n" + indent(failure.render())) }
    } else if let failure {
      let report = reportWithoutSourceLines(failure.render())
      for fragment in expected.errorFragments where !report.contains(fragment) {
        problems.append("the error report lacks \"\(fragment)\"")
      }
      if let line = expected.errorLine, failure.location?.line != line {
        problems.append("expected the error at line \(line), got \(failure.location.map { String($0.line) } ?? "no location")")
      }
      if problems.contains(where: { !$0.hasPrefix("output") }) {
        problems.append("the error was:\n" + indent(failure.render()))
      }
    } else {
      problems.append("expected an error containing \(expected.errorFragments.map { "\"\($0)\"" }.joined(separator: ", ")), but the program ran to the end")
    }
    return problems.isEmpty ? nil : problems.joined(separator: "\n")
  }

  static func isZero(_ value: Value?) -> Bool {
    guard let value else { return true }
    if case .int(let code) = value { return code == 0 }
    return false
  }

  /// Printed text as lines; a final newline does not start another line.
  static func lines(of output: String) -> [String] {
    if output.isEmpty { return [] }
    var parts = output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    if parts.last == "" { parts.removeLast() }
    return parts
  }

  /// The report minus the echoed source lines (`12 | code`), which contain the expectation
  /// comments themselves and would make every fragment match.
  static func reportWithoutSourceLines(_ report: String) -> String {
    report.split(separator: "\n", omittingEmptySubsequences: false).filter { line in
      let digits = line.prefix { $0.isNumber }
      return digits.isEmpty || !line.dropFirst(digits.count).hasPrefix(" |")
    }.joined(separator: "\n")
  }

  /// A line-by-line comparison: `-` expected, `+` actual, ` ` both.
  static func diff(expected: [String], actual: [String]) -> String {
    var out: [String] = []
    for i in 0..<max(expected.count, actual.count) {
      let e = i < expected.count ? expected[i] : nil
      let a = i < actual.count ? actual[i] : nil
      if e == a {
        out.append("    \(i + 1)   \(e ?? "")")
      } else {
        if let e { out.append("    \(i + 1) - \(e)") } else { out.append("    \(i + 1) - (no line expected)") }
        if let a { out.append("    \(i + 1) + \(a)") } else { out.append("    \(i + 1) + (no line printed)") }
      }
    }
    return out.joined(separator: "\n")
  }

  static func indent(_ text: String) -> String {
    text.split(separator: "\n", omittingEmptySubsequences: false).map { "    " + $0 }.joined(separator: "\n")
  }

  /// Runs `body` on a thread with a large stack and waits for it.
  static func runOnLargeStack(_ body: @escaping () -> Void) {
    let done = DispatchSemaphore(value: 0)
    let thread = Thread {
      body()
      done.signal()
    }
    thread.stackSize = stackBytes
    thread.start()
    done.wait()
  }
}

private extension StringProtocol {
  func trimmingTrailingWhitespace() -> String {
    var s = Substring(self)
    while let c = s.last, c == " " || c == "\t" || c == "\r" { s = s.dropLast() }
    return String(s)
  }

  func trimmingTrailingCarriageReturn() -> String {
    hasSuffix("\r") ? String(dropLast()) : String(self)
  }
}
