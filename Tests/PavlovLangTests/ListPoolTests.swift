import Foundation
@testable import PavlovLang
import PavlovTestSupport
import XCTest

/// The pool of dead short lists (`PList.inline(count:_:_:_:)`): which lists it takes, that the
/// next literals reuse them, that it stops at its capacity, and that each thread has its own.
/// Counts are read while the session that made the lists is alive, as changes of the count
/// across one statement (the first use of a builtin may run prelude code with literals of its own).
final class ListPoolTests: XCTestCase {
  private var session: TestSession!

  override func setUpWithError() throws {
    session = TestSession()
    try session.run("""
      fn tree(d) {
        if d == 0 { return [d, nil, nil] }
        return [d, tree(d - 1), tree(d - 1)]
      }
      print(len(tree(1)))
      """)
  }

  override func tearDown() {
    session = nil
    PList.drainPool()
  }

  /// How much the pool's count changes while `code` runs.
  private func poolChange(_ code: String) throws -> Int {
    let before = PList.pooledCount
    try session.run(code)
    return PList.pooledCount - before
  }

  func testADeadTreesNodesArePooledButNotItsRoot() throws {
    try session.run("let t = tree(5)")
    XCTAssertEqual(try poolChange("t = nil"), 62)  // 63 nodes; the root frees itself
  }

  func testANodeHeldElsewhereIsNotPooledNorAnythingUnderIt() throws {
    try session.run("let t = tree(5)\nlet kept = t[1]")
    XCTAssertEqual(try poolChange("t = nil"), 31)  // the other child's subtree only
    // Literals that take those 31 lists leave the kept subtree as it was.
    try session.run("let fresh = []\nfor i in range(40) { fresh.push([i, [i], [i, i]]) }")
    try session.run("print(kept[0], len(kept), kept[1][2][1][2], fresh[39])")
    XCTAssertTrue(session.output.hasSuffix("4 3 [0, nil, nil] [39, [39], [39, 39]]\n"), session.output)
  }

  func testTheNodesUnderARecordOrAnArrayArePooledAndTheirParentsFreed() throws {
    try session.run("let r = {a: tree(2), b: 5}")
    XCTAssertEqual(try poolChange("r = nil"), 6)  // tree(2)'s root is the record's to free
    try session.run("let wide = [tree(1), tree(1), tree(1), tree(1)]")  // four items: an array
    XCTAssertEqual(try poolChange("wide = nil"), 8)
    // A pooled node that holds a record holding a tree: releasing the record pools that tree's nodes.
    try session.run("let t = [0, [1, {sub: tree(2)}, nil], nil]")
    XCTAssertEqual(try poolChange("t = nil"), 1 + 6)
  }

  func testAPooledListReleasesWhatItHeldAtOnce() {
    PList.drainPool()
    weak var held: PRecord?
    var tree: Value?
    do {
      let record = PRecord()
      held = record
      tree = .list(PList.inline(count: 2, .int(0), .list(PList.inline(count: 1, .record(record)))))
    }
    XCTAssertNotNil(held)
    tree = nil
    XCTAssertEqual(PList.pooledCount, 1)
    XCTAssertNil(held, "a pooled list kept a record alive")
  }

  func testShortLiteralsTakeFromThePool() throws {
    try session.run("let t = tree(3)\nt = nil")
    XCTAssertEqual(try poolChange("let a = [1]\nlet b = [2, 3]\nlet c = [4, 5, 6]"), -3)
    try session.run("print(a, b, c)")
    XCTAssertTrue(session.output.hasSuffix("[1] [2, 3] [4, 5, 6]\n"), session.output)
  }

  func testListsWhoseItemsMovedOutAreNotPooled() throws {
    try session.run("let t = [0, [1, 2, 3], [4]]\nt[1].push(9)")
    XCTAssertEqual(try poolChange("t = nil"), 1)  // [4]; [1, 2, 3, 9] keeps its items in an array
  }

  /// The lists past the capacity are freed, through the teardown (recursion, then a loop).
  func testThePoolStopsAtItsCapacityAndTheRestIsFreed() throws {
    try session.run("let t = tree(14)")  // 32,767 nodes
    try session.run("t = nil")
    XCTAssertEqual(PList.pooledCount, PList.poolCapacity)
    XCTAssertEqual(try poolChange("t = tree(2)"), -7)
    try session.run("print(t)")
    XCTAssertTrue(session.output.hasSuffix("[2, [1, [0, nil, nil], [0, nil, nil]], [1, [0, nil, nil], [0, nil, nil]]]\n"))
  }

  /// Drops a list holding `leaves` short lists, which are pooled.
  private static func dropATree(leaves: Int) {
    let leaf = { Value.list(PList.inline(count: 3, .int(1), .null, .null)) }
    var root: Value? = .list(PList.inline(count: 2, leaf(), leaves == 2 ? leaf() : .null))
    XCTAssertNotNil(root)
    root = nil
  }

  func testEachThreadHasItsOwnPool() {
    PList.drainPool()
    Self.dropATree(leaves: 1)
    XCTAssertEqual(PList.pooledCount, 1)
    final class Count: @unchecked Sendable { var onThread = -1 }
    let count = Count()
    let done = DispatchSemaphore(value: 0)
    let thread = Thread {
      Self.dropATree(leaves: 2)
      count.onThread = PList.pooledCount
      PList.drainPool()
      done.signal()
    }
    thread.start()
    done.wait()
    XCTAssertEqual(count.onThread, 2)
    XCTAssertEqual(PList.pooledCount, 1)
    PList.drainPool()
    XCTAssertEqual(PList.pooledCount, 0)
  }
}
