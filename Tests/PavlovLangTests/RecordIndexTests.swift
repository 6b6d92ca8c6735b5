@testable import PavlovLang
import XCTest

/// Records against a plain model (an array of key/value pairs in insertion order) under random
/// inserts, updates, removals and re-adds: the hashed index, the holes removals leave, the
/// compaction that closes them and the count of string keys must never change what a script
/// sees.
final class RecordIndexTests: XCTestCase {
  private func check(_ record: PRecord, _ model: [(RecordKey, Int)], _ step: Int, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(record.count, model.count, "step \(step)", file: file, line: line)
    XCTAssertEqual(record.keys, model.map(\.0), "step \(step)", file: file, line: line)
    // A count too low would make a hint miss a string key the record has (`findPosition`).
    let strings = model.filter { if case .string = $0.0 { return true } else { return false } }.count
    XCTAssertEqual(record.stringKeys, strings, "step \(step)", file: file, line: line)
    for (key, value) in model {
      guard case .int(let v)? = record[key] else { return XCTFail("step \(step): \(key) missing", file: file, line: line) }
      XCTAssertEqual(v, value, "step \(step)", file: file, line: line)
    }
  }

  func testRandomEditsMatchAnOrderedModel() {
    var state: UInt64 = 12345
    func next(_ n: Int) -> Int {
      state = state &* 6364136223846793005 &+ 1442695040888963407
      return Int((state >> 33) % UInt64(n))
    }
    // Keys that collide on purpose: multiples of 1024, ints and the strings spelling them.
    let universe: [RecordKey] = (0..<40).map { .int($0 * 1024) } + (0..<40).map { .string(String($0 * 1024)) } + (0..<20).map { .int(-$0) }
    for round in 0..<20 {
      let record = PRecord()
      var model: [(RecordKey, Int)] = []
      // One hint per key, as each piece of compiled code has one per field name; the
      // positions they remember go stale as keys come and go.
      var hints: [RecordKey: FieldHint] = [:]
      func hint(_ key: RecordKey) -> FieldHint {
        if let h = hints[key] { return h }
        let h = FieldHint(key)
        hints[key] = h
        return h
      }
      for step in 0..<600 {
        let key = universe[next(universe.count)]
        let value = next(1000)
        switch next(10) {
        case 0...4:
          if let i = model.firstIndex(where: { $0.0 == key }) { model[i].1 = value } else { model.append((key, value)) }
          if next(2) == 0 { record[key] = .int(value) } else { record.set(hint(key), .int(value)) }
        case 5...7:
          let had = model.firstIndex(where: { $0.0 == key })
          if let had { model.remove(at: had) }
          XCTAssertEqual(record.remove(key) != nil, had != nil, "round \(round) step \(step)")
        case 8:
          let expected = model.first(where: { $0.0 == key }).map { Value.int($0.1) }
          XCTAssertEqual(record.value(hint(key)).map { Format.repr($0) }, expected.map { Format.repr($0) }, "round \(round) step \(step)")
        default:
          let twin = record.copy()
          check(twin, model, step)
        }
        if step % 50 == 0 { check(record, model, step) }
      }
      check(record, model, 600)
    }
  }

  func testCanonicallyEquivalentStringsAreOneKey() {
    // Swift's string equality takes "é" precomposed and decomposed as equal; the index agrees.
    for i in 0..<50 {
      let record = PRecord()
      record[.string("\(i)\u{e9}")] = .int(1)
      record[.string("\(i)e\u{301}")] = .int(2)
      XCTAssertEqual(record.count, 1, "key \(i)")
      XCTAssertTrue(record.has(.string("\(i)e\u{301}")))
    }
  }

  func testRemovingAMillionKeysOldestFirstIsLinear() {
    let record = PRecord()
    for i in 0..<1_000_000 { record[.int(i)] = .int(i) }
    for i in 0..<999_990 { record.remove(.int(i)) }
    XCTAssertEqual(record.keys, (999_990..<1_000_000).map { .int($0) })
  }

  /// A removal leaves its hole; insertions close the holes once they are most of the record,
  /// so a window sliding over a million keys (insert the newest, remove the oldest) stays
  /// small, and removing the last entry empties the record for what comes next.
  func testHolesAreClosedByInsertionsAndAnEmptiedRecordStartsAfresh() {
    let record = PRecord()
    let hint = FieldHint(.string("name"))
    record.set(hint, .int(-1))
    for i in 0..<1_000_000 {
      record[.int(i)] = .int(i)
      if i >= 100 { XCTAssertNotNil(record.remove(.int(i - 100))) }
      if i % 100_000 == 0 { XCTAssertLessThanOrEqual(record.positionsInUse, 2 * 101 + 10, "step \(i)") }
    }
    XCTAssertEqual(record.count, 101)
    XCTAssertEqual(record.keys, [.string("name")] + (999_900..<1_000_000).map { .int($0) })
    guard case .int(-1)? = record.value(hint) else { return XCTFail("the field written through the hint is lost") }
    for key in record.keys { record.remove(key) }
    XCTAssertEqual(record.positionsInUse, 0)
    XCTAssertNil(record.value(hint))
    record.set(hint, .int(7))
    record[.int(3)] = .int(3)
    XCTAssertEqual(record.keys, [.string("name"), .int(3)])
    guard case .int(7)? = record.value(hint) else { return XCTFail("the hint does not find the field written again") }
  }
}
