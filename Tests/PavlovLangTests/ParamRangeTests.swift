import PavlovLang
import PavlovStdlib
import XCTest

/// `ParamRange` itself, and the range probe on builtins written to fail it.
final class ParamRangeTests: XCTestCase {
  func testBoundsAndTheirText() {
    XCTAssertTrue(ParamRange.positive.contains(1e-300))
    XCTAssertFalse(ParamRange.positive.contains(0))
    XCTAssertFalse(ParamRange.positive.contains(.infinity))
    XCTAssertFalse(ParamRange.probability.contains(.nan))
    XCTAssertTrue(ParamRange.probability.contains(1))
    XCTAssertFalse(ParamRange(lower: 0, lowerOpen: true, upper: 1).contains(0))
    XCTAssertTrue(ParamRange.any.contains(.nan))
    XCTAssertFalse(ParamRange.finite.contains(-.infinity))
    XCTAssertEqual(ParamRange.positive.text, "> 0")
    XCTAssertEqual(ParamRange.count.text, ">= 1")
    XCTAssertEqual(ParamRange.probability.text, "in [0, 1]")
    XCTAssertEqual(ParamRange(lower: 0, lowerOpen: true, upper: 0.5).text, "in (0, 0.5]")
    XCTAssertEqual(ParamRange.finite.text, "finite")
    XCTAssertEqual(Param("seed", default: .int(0), range: .finite).described, "(any int)")
    XCTAssertEqual(Param("lr", default: .float(0.1), doc: "the step", range: .positive).described, "the step (> 0)")
  }

  func testArgsCheckTheDeclaredRangeAndNameTheArgument() throws {
    let registry = Registry()
    Stdlib.register(into: registry)
    registry.function("scaled", [Param("x"), Param("by", default: .float(1), doc: "the factor", range: .positive)], doc: "x · by") { args in
      .float(try args.float(0) * args.float(1))
    }
    let interp = Interpreter(registry: registry)
    XCTAssertEqual(Format.repr(try interp.run(SourceFile(name: "t", text: "scaled(2, by: 3)"), replMode: true)), "6.0")
    XCTAssertThrowsError(try interp.run(SourceFile(name: "t", text: "scaled(2, by: -1)"), replMode: true)) { error in
      XCTAssertEqual((error as? PavlovError)?.message, "scaled: argument `by` must be > 0, got -1")
    }
  }

  /// The probe catches a builtin that declares a range but reads the argument around the check,
  /// and a numeric setting that declares none.
  func testTheProbeReportsSettingsThatAreNotChecked() throws {
    let registry = Registry()
    Stdlib.register(into: registry)
    let loose = [Param("p", default: .float(0.5), range: .probability)]
    registry.function("loose", loose, doc: "reads p without the check") { args in args[0] }
    let undeclared = [Param("n", default: .int(3))]
    registry.function("undeclared", undeclared, doc: "a count with no range") { args in .int(try args.int(0)) }
    let interp = Interpreter(registry: registry)
    interp.write = { _ in }
    let report = RangeProbe(interp: interp).run([.init(name: "loose", params: loose), .init(name: "undeclared", params: undeclared)])
    XCTAssertEqual(report.undeclared, ["undeclared(n)"])
    XCTAssertTrue(report.accepted.contains { $0.hasPrefix("loose(p: -1) returned -1") }, report.accepted.joined(separator: "\n"))
    XCTAssertEqual(report.refused, 0)
  }
}
