import PavlovLang
import PavlovStdlib
import XCTest

/// `Registry.deferred`: builtins declared at start-up and registered when first looked up.
final class DeferredRegistrationTests: XCTestCase {
  func testADeferredGroupRegistersOnceWhenOneOfItsNamesIsLookedUp() throws {
    let registry = Registry()
    var runs = 0
    registry.family("first")
    registry.function("before", doc: "eager") { _ in .int(0) }
    registry.deferred(["late_a", "late_b"]) { r in
      runs += 1
      r.function("late_a", [Param("x", default: .int(1), doc: "a number")], doc: "deferred a") { args in args[0] }
      r.function("late_b", doc: "deferred b") { _ in .int(2) }
    }
    registry.family("second")
    registry.function("after", doc: "eager") { _ in .int(3) }

    // Declared: named and grouped in place, nothing run yet.
    XCTAssertEqual(runs, 0)
    XCTAssertEqual(Set(registry.functionNames), ["before", "late_a", "late_b", "after"])
    XCTAssertEqual(registry.families.map(\.name), ["first", "second"])
    XCTAssertEqual(registry.families[0].members, ["before", "late_a", "late_b"])
    XCTAssertEqual(registry.families[1].members, ["after"])
    XCTAssertNil(registry.function(named: "late_c"))
    XCTAssertEqual(runs, 0)

    let b = try XCTUnwrap(registry.function(named: "late_b"))
    XCTAssertEqual(b.doc, "deferred b")
    XCTAssertEqual(runs, 1)
    XCTAssertEqual(registry.function(named: "late_a")?.params.first?.name, "x")
    XCTAssertTrue(registry.function(named: "late_b") === b)
    XCTAssertEqual(runs, 1)
    // Registering did not add the names to a family twice, nor to the family current then.
    XCTAssertEqual(registry.families[0].members, ["before", "late_a", "late_b"])
    XCTAssertEqual(registry.families[1].members, ["after"])
    XCTAssertFalse(registry.isDeferred("late_a"))
    XCTAssertEqual(Set(registry.allFunctions.keys), ["before", "late_a", "late_b", "after"])
  }

  /// `allFunctions` registers the groups still pending; the names stay in their families once.
  func testAllFunctionsRegistersEveryPendingGroup() {
    let registry = Registry()
    var runs = 0
    registry.family("only")
    registry.deferred(["x1"]) { r in runs += 1; r.function("x1", doc: "one") { _ in .int(1) } }
    registry.deferred(["x2", "x3"]) { r in
      runs += 1
      r.function("x2", doc: "two") { _ in .int(2) }
      r.function("x3", doc: "three") { _ in .int(3) }
    }
    XCTAssertTrue(registry.isDeferred("x2"))
    XCTAssertEqual(Set(registry.allFunctions.keys), ["x1", "x2", "x3"])
    XCTAssertEqual(runs, 2)
    XCTAssertFalse(registry.isDeferred("x2"))
    XCTAssertEqual(registry.families.first?.members, ["x1", "x2", "x3"])
    _ = registry.allFunctions
    XCTAssertEqual(runs, 2)
  }

  /// A script calling a deferred builtin finds it, its defaults and its errors, and a misspelt
  /// name is matched against the deferred names.
  func testScriptsAndTheDocsSeeDeferredBuiltins() throws {
    let registry = Registry()
    var runs = 0
    registry.deferred(["scaled"]) { r in
      runs += 1
      r.function("scaled", [Param("x"), Param("by", default: .float(2), doc: "the factor", range: .positive)], doc: "x · by") { args in
        .float(try args.float(0) * args.float(1))
      }
    }
    let interp = Interpreter(registry: registry)
    defer { interp.tearDown() }
    XCTAssertEqual(runs, 0)
    XCTAssertEqual(Format.repr(try interp.run(SourceFile(name: "t", text: "scaled(3)"), replMode: true)), "6.0")
    XCTAssertThrowsError(try interp.run(SourceFile(name: "t", text: "scaled(2, by: -1)"), replMode: true)) { error in
      XCTAssertEqual((error as? PavlovError)?.message, "scaled: argument `by` must be > 0, got -1")
    }
    XCTAssertThrowsError(try interp.run(SourceFile(name: "t", text: "scaledd(2)"), replMode: true)) { error in
      XCTAssertEqual((error as? PavlovError)?.hint, "did you mean `scaled`?")
    }
    XCTAssertEqual(runs, 1)
  }

  /// A started interpreter (builtins and prelude) has not registered the trainers: the start
  /// is where deferring them pays, and one lookup anywhere would undo it.
  func testAStartLeavesTheTrainersDeferred() throws {
    let interp = try Startup.makeInterpreter(seed: 0)
    defer { interp.tearDown() }
    for name in ["ppo", "dqn", "sac", "bc", "ppo_lm", "ilql", "ma_ppo"] {
      XCTAssertTrue(interp.registry.isDeferred(name), name)
    }
    XCTAssertNotNil(interp.registry.types["ma_trainer"])  // their types are there for :help
  }

  /// The stdlib defers its trainers; every one of them registers with its documented options.
  func testTheStdlibsDeferredTrainersAreAllRegistered() throws {
    let registry = Registry()
    Stdlib.register(into: registry)
    let trainers = ["ppo", "a2c", "dqn", "sac", "td3", "ddpg", "reinforce", "es", "bc", "marwil", "cql", "cql_continuous", "iql", "dt",
                    "ppo_lm", "grpo", "rloo", "ilql", "ma_ppo", "ma_dqn", "match"]
    for name in trainers {
      XCTAssertTrue(registry.functionNames.contains(name), name)
      let f = try XCTUnwrap(registry.function(named: name), name)
      XCTAssertEqual(f.name, name)
      XCTAssertFalse(f.params.isEmpty, name)
    }
    XCTAssertEqual(registry.function(named: "ppo")?.params.first { $0.name == "lr" }?.defaultValue.map { Format.repr($0) }, "0.0003")
  }
}
