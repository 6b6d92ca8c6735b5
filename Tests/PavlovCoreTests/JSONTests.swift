import PavlovCore
import XCTest

/// The one JSON parser, writer and Codable bridge (the language's `json_parse` and `json_string`
/// are tested through programs in PavlovLangTests).
final class JSONTests: XCTestCase {
  func testMembersKeepTheirOrderAndIntsStayApartFromFloats() throws {
    let value = try JSONParser.parse(#"{"b": 1, "a": [1.0, -0, 9223372036854775807, 9223372036854775808], "c": null}"#)
    guard case .object(let members) = value else { return XCTFail("not an object") }
    XCTAssertEqual(members.map(\.key), ["b", "a", "c"])
    XCTAssertEqual(value["a"], .array([.float(1), .int(0), .int(Int.max), .float(9223372036854775808)]))
    XCTAssertEqual(try JSONWriter.string(value), #"{"b":1,"a":[1.0,0,9223372036854775807,9.223372036854776e+18],"c":null}"#)
    XCTAssertEqual(try JSONWriter.string(.object([("k", .array([.int(1)]))]), indent: 2), "{\n  \"k\": [\n    1\n  ]\n}")
  }

  func testDuplicateKeysAreKeptOrRejected() throws {
    XCTAssertEqual(try JSONParser.parse(#"{"k": 1, "k": 2}"#)["k"], .int(2), "the last one wins, as in Python")
    XCTAssertThrowsError(try JSONParser.parse(#"{"k": 1, "k": 2}"#, duplicateKeys: .reject)) { error in
      let e = error as? JSONSyntaxError
      XCTAssertEqual(e?.message, #"the key "k" appears twice in this object"#)
      XCTAssertEqual(e?.place, "line 1, column 10")
    }
  }

  func testErrorsSayWhereAndWhatAndCapTheDepth() {
    func failure(_ text: [UInt8], maxDepth: Int = JSONParser.defaultMaxDepth) -> JSONSyntaxError? {
      do { _ = try JSONParser.parse(text, maxDepth: maxDepth); return nil } catch { return error }
    }
    XCTAssertEqual(failure(Array("{\n  \"a\" 1}".utf8))?.placedMessage, "line 2, column 7: expected ':' after the key \"a\", got '1'")
    XCTAssertEqual(failure([0x22, 0xC3, 0x28, 0x22])?.message, "a string is not valid UTF-8")
    XCTAssertEqual(failure([0xFF])?.message, "expected a JSON value (object, array, string, number, true, false or null), got byte 0xff")
    XCTAssertEqual(failure(Array("[[[1]]]".utf8), maxDepth: 2)?.message, "nesting deeper than 2 levels")
    XCTAssertEqual(failure(Array(#""\ud800""#.utf8))?.message, #"lone surrogate \uD800 in a string"#)
  }

  func testStringsRoundTripWithEveryEscape() throws {
    let text = "q\"b\\n\nt\tr\rb\u{08}f\u{0C}c\u{01}é😀"
    let quoted = JSONWriter.quoted(text)
    XCTAssertEqual(quoted, #""q\"b\\n\nt\tr\rb\bf\fc\u0001é😀""#)
    XCTAssertEqual(try JSONParser.parse(quoted), .string(text))
  }

  func testNonFiniteFloatsAreAnErrorNotANull() {
    XCTAssertThrowsError(try JSONWriter.string(.array([.float(.nan)])))
    XCTAssertThrowsError(try JSONWriter.string(.float(-.infinity)))
  }

  private struct Config: Codable, Equatable {
    var learningRate: Float = 0.0003
    var gaeLambda: Double = 0.95
    var nEnvs = 8
    var seed: UInt64 = 11_091_344_671_253_066_420
    var targetKl: Double? = nil
    var hidden = [64, 64]
    var name = "ppo"
    var normalize = true
  }

  func testCodableValuesGoThroughTheOneJSON() throws {
    let config = Config()
    let text = try JSONWriter.string(try JSONCoding.encode(config))
    XCTAssertEqual(text, #"{"gae_lambda":0.95,"hidden":[64,64],"learning_rate":0.0003,"n_envs":8,"name":"ppo","normalize":true,"seed":"11091344671253066420"}"#)
    XCTAssertEqual(try JSONCoding.decode(Config.self, from: try JSONParser.parse(text)), config)
    var other = config
    other.targetKl = 0.02
    other.seed = 7
    XCTAssertEqual(try JSONCoding.decode(Config.self, from: try JSONCoding.encode(other)), other)
    XCTAssertThrowsError(try JSONCoding.decode(Config.self, from: try JSONParser.parse(#"{"n_envs": "x"}"#))) { error in
      XCTAssertEqual("\(error)", #""learning_rate" is missing"#)
    }
  }

  /// Python's json writes NaN and ±Infinity tokens (Minari's space descriptions hold them); they
  /// are read only when asked for, and strict JSON still refuses them.
  func testNonFiniteTokensOnlyWhenAllowed() throws {
    let text = "[Infinity, -Infinity, NaN, 1.5]"
    let values = try JSONParser.parse(text, allowsNonFinite: true).array!.map { $0.double! }
    XCTAssertEqual(values[0], .infinity)
    XCTAssertEqual(values[1], -.infinity)
    XCTAssertTrue(values[2].isNaN)
    XCTAssertEqual(values[3], 1.5)
    XCTAssertThrowsError(try JSONParser.parse(text))
    XCTAssertThrowsError(try JSONParser.parse("[-Infinity]"))
  }
}
