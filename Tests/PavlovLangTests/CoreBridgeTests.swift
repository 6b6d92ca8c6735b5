import PavlovCore
import PavlovLang
@testable import PavlovStdlib
import XCTest

/// The one bridge from the cores' errors to Pavlov errors.
final class CoreBridgeTests: XCTestCase {
  private func caught(_ function: String?, _ error: Error) -> PavlovError? {
    do {
      _ = try CoreBridge.run(function) { () throws -> Int in throw error }
      return nil
    } catch {
      return error
    }
  }

  func testCoreErrorKeepsItsPlaceAndHintAndIsNamedOnce() throws {
    let placed = try XCTUnwrap(caught("read_prefs", CoreError("missing key \"prompt\"", hint: "add it", at: "p.jsonl:3")))
    XCTAssertEqual(placed.kind, .runtime)
    XCTAssertEqual(placed.message, "read_prefs: p.jsonl:3: missing key \"prompt\"")
    XCTAssertEqual(placed.hint, "add it")
    XCTAssertEqual(caught("dpo", CoreError("dpo: there are no preference pairs"))?.message, "dpo: there are no preference pairs")
    XCTAssertEqual(caught(nil, CoreError("shape mismatch"))?.message, "shape mismatch")
  }

  func testInterruptAndPavlovErrorsPassAsThemselves() throws {
    XCTAssertEqual(caught("q_learning", Interrupted())?.kind, .interrupt)
    let own = PavlovError.runtime("from a callback", hint: "h")
    XCTAssertTrue(caught("ppo", own) === own, "a Pavlov error from a callback keeps its location and message")
  }

  func testAnyOtherErrorIsARuntimeErrorNamingTheBuiltin() {
    struct Odd: Error, CustomStringConvertible { var description: String { "odd" } }
    XCTAssertEqual(caught("load", Odd())?.message, "load: odd")
  }
}
