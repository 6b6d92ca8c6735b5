import Foundation
import PavlovCore
@testable import PavlovTune
import XCTest

/// Workers as threads of the test: each connects back like a process would, reports a curve
/// that depends only on its config, and sleeps a random while between results, so results
/// reach the driver in a different order on every run.
final class ThreadLauncher: TrialLauncher {
  let listenHost = "127.0.0.1", driverHost = "127.0.0.1"
  let watched: [Int32] = []
  let jitter: SeededGenerator
  /// Trials whose worker dies before connecting.
  let crashing: Set<Int>
  /// Trials whose worker vanishes after its first result (a crash: the connection closes).
  var vanishing: Set<Int> = []
  private var crashed: [Int] = []
  private let lock = NSLock()

  init(jitterSeed: UInt64, crashing: Set<Int> = []) {
    jitter = SeededGenerator(seed: jitterSeed)
    self.crashing = crashing
  }

  func launch(trial: Int, command: [String], environment: [(String, String)], output: String) throws(CoreError) {
    if crashing.contains(trial) { lock.withLock { crashed.append(trial) }; return }
    let spec = try! JSONParser.parse(environment[0].1)
    let delays = (0..<20).map { _ in UInt32(jitter.nextInt(below: 3000)) }
    let vanishes = vanishing.contains(trial)
    Thread {
      let connection = try! TrialConnection(address: spec["address"]!.string!, token: spec["token"]!.string!, trial: trial)
      let x = spec["config"]!["x"]!.double!
      for i in 1...10 {
        usleep(delays[i])
        let row: JSONValue = .object([("score", .float(-(x - 3) * (x - 3) + Double(i) / 10)), ("steps", .int(100 * i))])
        try? connection.send(SweepDriver.encode(.result(row)))
        guard let reply = try? SweepDriver.reply(connection.receive()), reply == .proceed else { return }
        if vanishes { return }  // the connection closes with the thread's end, as with a dead process
      }
      try? connection.send(SweepDriver.encode(.done))
    }.start()
  }

  func ended(readable: [Int32]) throws(CoreError) -> [(trial: Int, how: String)] {
    lock.withLock {
      defer { crashed = [] }
      return crashed.map { ($0, "exit status 1") }
    }
  }

  func finish() {}
  func shutdown() {}
}

final class SweepTests: XCTestCase {
  static let settings = SweepSettings(
    space: .record([("x", .uniform(0, 6)), ("k", .grid([.int(1), .int(2)]))]), samples: 6,
    scheduler: .asha(maxT: 10, gracePeriod: 1, reductionFactor: 2), metric: "score", mode: .max, maxConcurrent: 3, seed: 5)

  /// Runs a sweep through a driver whose workers are threads.
  func sweep(_ settings: SweepSettings, jitter: UInt64, crashing: Set<Int> = [], vanishing: Set<Int> = []) throws -> (Sweep, [String]) {
    let sweep = try Sweep(settings)
    var driver: SweepDriver!
    var log: [String] = []
    let launcher = ThreadLauncher(jitterSeed: jitter, crashing: crashing)
    launcher.vanishing = vanishing
    driver = try SweepDriver(sweep: sweep, launcher: launcher, token: "secret") { trial, config in
      let spec: JSONValue = .object([("address", .string(driver.address)), ("token", .string("secret")), ("config", config)])
      return ([], [("spec", try! JSONWriter.string(spec))], "")
    }
    driver.observe = { trial, message, reply in
      log.append("\(trial) \(try! JSONWriter.string(SweepDriver.encode(message))) \(reply.map { "\($0)" } ?? "-")")
    }
    try driver.run()
    return (sweep, log)
  }

  func testTheDriverDecidesAlikeWhateverOrderResultsArriveIn() throws {
    let (first, firstLog) = try sweep(Self.settings, jitter: 1)
    XCTAssertTrue(first.isFinished)
    XCTAssertEqual(first.trials.count, 12)
    XCTAssert(first.trials.contains { $0.status == .stopped }, "ASHA stopped no trial")
    XCTAssert(first.trials.contains { $0.status == .done && $0.results == 10 })
    for jitter in [2, 3] as [UInt64] {
      let (again, againLog) = try sweep(Self.settings, jitter: jitter)
      XCTAssertEqual(againLog, firstLog, "jitter \(jitter)")
      XCTAssertEqual(again.trials.map(\.status), first.trials.map(\.status))
      XCTAssertEqual(again.best?.id, first.best?.id)
    }
  }

  func testReplayingALogEndsWhereTheWholeSweepDid() throws {
    let (whole, log) = try sweep(Self.settings, jitter: 4)
    // The messages of the first half, replayed; the rest run live.
    let messages = log.prefix(log.count / 2).map { line -> (Int, TrialMessage) in
      let parts = line.split(separator: " ", maxSplits: 2)
      return (Int(parts[0])!, try! SweepDriver.decode(String(parts[1])))
    }
    let resumed = try Sweep(Self.settings)
    var driver: SweepDriver!
    driver = try SweepDriver(sweep: resumed, launcher: ThreadLauncher(jitterSeed: 9), token: "secret") { _, config in
      let spec: JSONValue = .object([("address", .string(driver.address)), ("token", .string("secret")), ("config", config)])
      return ([], [("spec", try! JSONWriter.string(spec))], "")
    }
    var rest: [String] = []
    driver.observe = { trial, message, reply in
      rest.append("\(trial) \(try! JSONWriter.string(SweepDriver.encode(message))) \(reply.map { "\($0)" } ?? "-")")
    }
    try driver.run(replaying: messages)
    XCTAssertEqual(Array(log.prefix(log.count / 2)) + rest, log)
    XCTAssertEqual(resumed.trials.map(\.status), whole.trials.map(\.status))
  }

  func testAWorkerThatNeverConnectsFailsItsTrialAndTheSweepGoesOn() throws {
    var settings = Self.settings
    settings.scheduler = .fifo
    let (sweep, _) = try sweep(settings, jitter: 1, crashing: [2])
    XCTAssertEqual(sweep.trials[2].status, .failed)
    XCTAssert(sweep.trials[2].error?.contains("before it reached tune(...) (exit status 1)") ?? false, sweep.trials[2].error ?? "")
    XCTAssertEqual(sweep.trials.filter { $0.status == .done }.count, 11)
  }

  func testAWorkerThatDiesMidTrialFailsItAndTheSweepGoesOn() throws {
    var settings = Self.settings
    settings.scheduler = .fifo
    let (sweep, _) = try sweep(settings, jitter: 2, vanishing: [4])
    XCTAssertEqual(sweep.trials[4].status, .failed)
    XCTAssertEqual(sweep.trials[4].results, 1)
    XCTAssert(sweep.trials[4].error?.contains("ended without finishing") ?? false, sweep.trials[4].error ?? "")
    XCTAssertEqual(sweep.trials.filter { $0.status == .done }.count, 11)
  }

  func testStopConditionsTimeAttributeAndLaunchOrder() throws {
    var settings = Self.settings
    settings.scheduler = .fifo
    settings.stop = [("score", -1)]
    settings.timeAttribute = "steps"
    let sweep = try Sweep(settings)
    XCTAssertEqual(sweep.launches().map(\.trial), [0, 1, 2])
    XCTAssertEqual(sweep.launches().count, 0, "no slot is free")
    // Trial 1 reports at virtual time 0 + 100; a result past the threshold ends it.
    XCTAssertEqual(sweep.key(1, .result(.object([("steps", .int(100))]))).time, 100)
    XCTAssertEqual(sweep.handle(1, .result(.object([("steps", .int(100)), ("score", .float(0))]))), .stop)
    XCTAssertEqual(sweep.trials[1].status, .done)
    XCTAssertEqual(sweep.now, 100)
    let next = sweep.launches()
    XCTAssertEqual(next.map(\.trial), [3])
    XCTAssertEqual(sweep.trials[3].start, 100, "a freed slot starts its trial at the virtual time it freed")
    XCTAssertEqual(sweep.handle(0, .result(.object([("score", .float(-5))]))), .stop, "a result without the time attribute fails its trial")
    XCTAssertEqual(sweep.trials[0].status, .failed)
    XCTAssert(sweep.trials[0].error?.contains("time_attr") ?? false)
  }

  func testSchedulersNeedAMetric() {
    var settings = Self.settings
    settings.metric = nil
    XCTAssertThrowsError(try Sweep(settings))
    settings.scheduler = .fifo
    XCTAssertNoThrow(try Sweep(settings))
    settings.search = .tpe
    XCTAssertThrowsError(try Sweep(settings))
  }
}
