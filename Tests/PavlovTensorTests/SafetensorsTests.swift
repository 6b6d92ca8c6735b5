import Glibc
import PavlovTensor
import XCTest

final class SafetensorsTests: XCTestCase {
  // MARK: - Helpers

  /// A file from a header written by hand and raw data bytes (header padded as written).
  func file(_ header: String, _ data: [UInt8] = []) -> [UInt8] {
    let h = Array(header.utf8)
    var out: [UInt8] = []
    var n = UInt64(h.count)
    for _ in 0..<8 { out.append(UInt8(n & 0xFF)); n >>= 8 }
    return out + h + data
  }

  func rawFile(_ header: [UInt8]) -> [UInt8] {
    le(UInt64(header.count)) + header
  }

  func le<T: FixedWidthInteger>(_ v: T) -> [UInt8] {
    withUnsafeBytes(of: v.littleEndian) { Array($0) }
  }

  /// Decoding must throw a CoreError whose message contains every fragment.
  func assertRejects(_ bytes: [UInt8], _ fragments: String..., file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertThrowsError(try Safetensors.decode(bytes), file: file, line: line) { error in
      guard let e = error as? CoreError else { return XCTFail("not a CoreError: \(error)", file: file, line: line) }
      for f in fragments {
        XCTAssertTrue(e.message.contains(f), "\(Self.self): \(e.message) does not contain \(f)", file: file, line: line)
      }
    }
  }

  func makeTempDir() throws -> String {
    var template = Array("/tmp/pavlov-safetensors-XXXXXX".utf8CString)
    guard let made = mkdtemp(&template) else { throw CoreError("mkdtemp failed") }
    return String(cString: made)
  }

  func listDir(_ path: String) -> [String] {
    guard let dir = opendir(path) else { return [] }
    defer { closedir(dir) }
    var names: [String] = []
    while let entry = readdir(dir) {
      let name = withUnsafePointer(to: &entry.pointee.d_name) {
        $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
      }
      if name != "." && name != ".." { names.append(name) }
    }
    return names.sorted()
  }

  func removeTree(_ dir: String) {
    for name in listDir(dir) { unlink("\(dir)/\(name)") }
    rmdir(dir)
  }

  // MARK: - Round trips

  func testRoundTripKeepsValuesDtypesAndMetadata() throws {
    let w = try Tensor.make(shape: [2, 3], data: [0.1, -2.5, .infinity, -0.0, 1e-40, .greatestFiniteMagnitude])
    let ids = Tensor(shape: [4], ints: [0, -7, 1 << 40, Int64.max])
    let mask = Tensor(shape: [2, 2], ints: [1, 0, 0, 1], dtype: .bool)
    let scalar = Tensor(scalar: 3.25)
    let empty = Tensor.zeros([0, 5])
    let metadata = ["lr": "0.001", "name": "ünïcode \"quoted\"\n", "": "empty key"]
    let bytes = try Safetensors.encode([("w", w), ("ids", ids), ("mask", mask), ("s", scalar), ("empty", empty)], metadata: metadata)
    XCTAssertEqual(Int(bytes[0]) % 8, 0, "header length is a multiple of 8")

    let (tensors, meta) = try Safetensors.decode(bytes)
    XCTAssertEqual(meta, metadata)
    XCTAssertEqual(tensors.map(\.0), ["empty", "ids", "mask", "s", "w"], "sorted by name")
    let byName = Dictionary(uniqueKeysWithValues: tensors)
    XCTAssertEqual(byName["w"]!.dtype, .float32)
    XCTAssertEqual(byName["w"]!.shape, [2, 3])
    XCTAssertEqual(byName["w"]!.data.map(\.bitPattern), w.data.map(\.bitPattern), "bit-identical floats")
    XCTAssertEqual(byName["ids"]!.dtype, .int64)
    XCTAssertEqual(byName["ids"]!.ints, [0, -7, 1 << 40, Int64.max])
    XCTAssertEqual(byName["mask"]!.dtype, .bool)
    XCTAssertEqual(byName["mask"]!.ints, [1, 0, 0, 1])
    XCTAssertEqual(byName["s"]!.shape, [])
    XCTAssertEqual(byName["s"]!.data, [3.25])
    XCTAssertEqual(byName["empty"]!.shape, [0, 5])
  }

  func testNaNPayloadSurvives() throws {
    let nan = Float(bitPattern: 0x7FC0_1234)
    let (tensors, _) = try Safetensors.decode(try Safetensors.encode([("x", Tensor(shape: [1], data: [nan]))]))
    XCTAssertEqual(tensors[0].1.data[0].bitPattern, 0x7FC0_1234)
  }

  func testEncodeRejectsDuplicateAndReservedNames() {
    XCTAssertThrowsError(try Safetensors.encode([("a", Tensor.zeros([1])), ("a", Tensor.zeros([2]))])) { error in
      XCTAssertTrue("\(error)".contains("two tensors are named \"a\""), "\(error)")
    }
    XCTAssertThrowsError(try Safetensors.encode([("__metadata__", Tensor.zeros([1]))]))
  }

  // MARK: - Exact bytes

  func testExactBytesOfATinyFile() throws {
    let bytes = try Safetensors.encode([("a", try Tensor.make(shape: [2], data: [1.0, -2.0]))], metadata: ["k": "v"])
    // 79 bytes of JSON, padded with one space to 80 = 0x50.
    let header = #"{"__metadata__":{"k":"v"},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}} "#
    let expected: [UInt8] = [0x50, 0, 0, 0, 0, 0, 0, 0] + Array(header.utf8)
      + [0x00, 0x00, 0x80, 0x3F]  // 1.0
      + [0x00, 0x00, 0x00, 0xC0]  // -2.0
    XCTAssertEqual(bytes, expected)
  }

  func testExactBytesOfIntAndBoolTensors() throws {
    let bytes = try Safetensors.encode([
      ("i", Tensor(shape: [], ints: [-1])),
      ("b", Tensor(shape: [3], ints: [1, 0, 1], dtype: .bool)),
    ])
    // 108 bytes of JSON, padded with four spaces to 112 = 0x70; no metadata key when there is none.
    let header = #"{"b":{"dtype":"BOOL","shape":[3],"data_offsets":[0,3]},"i":{"dtype":"I64","shape":[],"data_offsets":[3,11]}}    "#
    let expected: [UInt8] = [0x70, 0, 0, 0, 0, 0, 0, 0] + Array(header.utf8)
      + [1, 0, 1]
      + [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]
    XCTAssertEqual(bytes, expected)
  }

  // MARK: - Reading other dtypes

  func testReadsEveryNumericDtype() throws {
    // F16: 1.0 = 0x3C00, -2.0 = 0xC000, 65504 = 0x7BFF, smallest subnormal = 0x0001, inf = 0x7C00.
    // BF16: 1.0 = 0x3F80, -3.0 = 0xC040.
    var data: [UInt8] = []
    data += le(Double(0.1).bitPattern) + le(Double(-1e300).bitPattern)  // F64, 16 bytes
    data += le(UInt16(0x3C00)) + le(UInt16(0xC000)) + le(UInt16(0x7BFF)) + le(UInt16(0x0001)) + le(UInt16(0x7C00))  // F16, 10
    data += le(UInt16(0x3F80)) + le(UInt16(0xC040))  // BF16, 4
    data += le(Int32(-5)) + le(Int32(Int32.max))  // I32, 8
    data += le(Int16(-300)) + le(Int16(7))  // I16, 4
    data += [0xFF, 0x7F]  // I8: -1, 127
    data += [0xFF, 0x00]  // U8: 255, 0
    data += le(UInt32.max)  // U32, 4
    data += [0, 2]  // BOOL: nonzero is true
    let header = """
      {"d":{"dtype":"F64","shape":[2],"data_offsets":[0,16]},
       "h":{"dtype":"F16","shape":[5],"data_offsets":[16,26]},
       "bf":{"dtype":"BF16","shape":[2],"data_offsets":[26,30]},
       "i32":{"dtype":"I32","shape":[2,1],"data_offsets":[30,38]},
       "i16":{"dtype":"I16","shape":[2],"data_offsets":[38,42]},
       "i8":{"dtype":"I8","shape":[2],"data_offsets":[42,44]},
       "u8":{"dtype":"U8","shape":[2],"data_offsets":[44,46]},
       "u32":{"dtype":"U32","shape":[],"data_offsets":[46,50]},
       "b":{"dtype":"BOOL","shape":[2],"data_offsets":[50,52]}}
      """
    let (tensors, metadata) = try Safetensors.decode(file(header, data))
    XCTAssertEqual(metadata, [:])
    XCTAssertEqual(tensors.map(\.0), ["d", "h", "bf", "i32", "i16", "i8", "u8", "u32", "b"], "header order")
    let t = Dictionary(uniqueKeysWithValues: tensors)
    XCTAssertEqual(t["d"]!.data, [Float(0.1), -.infinity])
    XCTAssertEqual(t["h"]!.data, [1, -2, 65504, 0x1p-24, .infinity])
    XCTAssertEqual(t["bf"]!.data, [1, -3])
    XCTAssertEqual(t["i32"]!.ints, [-5, Int64(Int32.max)])
    XCTAssertEqual(t["i32"]!.shape, [2, 1])
    XCTAssertEqual(t["i32"]!.dtype, .int64)
    XCTAssertEqual(t["i16"]!.ints, [-300, 7])
    XCTAssertEqual(t["i8"]!.ints, [-1, 127])
    XCTAssertEqual(t["u8"]!.ints, [255, 0])
    XCTAssertEqual(t["u32"]!.ints, [Int64(UInt32.max)])
    XCTAssertEqual(t["b"]!.dtype, .bool)
    XCTAssertEqual(t["b"]!.ints, [0, 1])
  }

  func testAcceptsWhitespaceEscapesAndUnknownFields() throws {
    let header = "  {\"__metadata__\" : {\"t\\u00e9\\ud83d\\ude00\": \"a\\/b\"} ,\n \"x\": {\"extra\": [1, {\"y\": null}], \"data_offsets\": [0, 4], \"shape\": [1], \"dtype\": \"F32\"}}   "
    let (tensors, metadata) = try Safetensors.decode(file(header, le(Float(2).bitPattern)))
    XCTAssertEqual(metadata, ["té😀": "a/b"])
    XCTAssertEqual(tensors[0].1.data, [2])
  }

  // MARK: - Malformed input

  func testEveryMalformedInputIsAClearError() {
    let f32 = #""dtype":"F32""#
    assertRejects([], "too short (0 bytes)")
    assertRejects([1, 2, 3], "too short (3 bytes)")
    assertRejects([100, 0, 0, 0, 0, 0, 0, 0, 0x7B, 0x7D], "header length 100 is beyond the end of the file (only 2 bytes follow it)")
    assertRejects([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF], "header length 18446744073709551615 is beyond the end")
    assertRejects(file(""), "not valid JSON", "expected a JSON value, got end of input")
    assertRejects(file("{"), "not valid JSON")
    assertRejects(file(#"{"a":}"#), "not valid JSON", "got '}' (at byte 5 of the header)")
    assertRejects(file(#"{"a":1,}"#), "not valid JSON")
    assertRejects(file(#"{} x"#), "not valid JSON", "unexpected 'x' after the JSON value")
    assertRejects(file(#"{"a":01}"#), "cannot have a leading zero")
    assertRejects(file("{\"\u{01}\":1}"), "control character")
    assertRejects(rawFile(Array(#"{""#.utf8) + [0xC3, 0x28] + Array(#"":1}"#.utf8)), "not valid UTF-8")
    assertRejects(rawFile([0x7B, 0xFF, 0x7D]), "expected a string key in double quotes, got byte 0xff")
    assertRejects(rawFile([0xFF]), "expected a JSON value (object, array, string, number, true, false or null), got byte 0xff")
    assertRejects(file(#"{"a":"\x"}"#), "invalid escape")
    assertRejects(file(#"{"a":"\ud800"}"#), "surrogate")
    assertRejects(file(String(repeating: "[", count: 100) + String(repeating: "]", count: 100)), "nesting deeper than 64 levels")
    assertRejects(file("[]"), "the header must be a JSON object, got a list")
    assertRejects(file(#"{"__metadata__":{"a":"b"},"__metadata__":{}}"#), "appears twice")
    assertRejects(file(#"{"__metadata__":[]}"#), "__metadata__ must be an object")
    assertRejects(file(#"{"__metadata__":{"lr":0.1}}"#), "\"lr\" is a number")
    assertRejects(file(#"{"x":5}"#), "tensor \"x\": expected an object")
    assertRejects(file(#"{"x":{"shape":[1],"data_offsets":[0,4]}}"#, [0, 0, 0, 0]), "tensor \"x\": the header does not give its \"dtype\"")
    assertRejects(file(#"{"x":{"dtype":"F32","data_offsets":[0,4]}}"#, [0, 0, 0, 0]), "does not give its \"shape\"")
    assertRejects(file(#"{"x":{"dtype":"F32","shape":[1]}}"#, [0, 0, 0, 0]), "does not give its \"data_offsets\"")
    assertRejects(file(#"{"x":{"dtype":"C64","shape":[1],"data_offsets":[0,8]}}"#, [UInt8](repeating: 0, count: 8)),
                  "tensor \"x\" has dtype \"C64\", which Pavlov cannot read")
    assertRejects(file(#"{"x":{"dtype":7,"shape":[1],"data_offsets":[0,4]}}"#, [0, 0, 0, 0]), "dtype must be a string")
    assertRejects(file("{\"x\":{\(f32),\"shape\":[2,-1],\"data_offsets\":[0,0]}}"), "shape [2,-1] has a negative size")
    assertRejects(file("{\"x\":{\(f32),\"shape\":[1.5],\"data_offsets\":[0,4]}}", [0, 0, 0, 0]), "integer sizes")
    assertRejects(file("{\"x\":{\(f32),\"shape\":3,\"data_offsets\":[0,12]}}"), "shape must be a list")
    assertRejects(file("{\"x\":{\(f32),\"shape\":[4611686018427387904,4],\"data_offsets\":[0,4]}}"),
                  "tensor \"x\": shape (4611686018427387904, 4) has about 1.8e19 elements, more than the limit of")
    // Issue 23: zero elements, but summing over the first axis would allocate 2^62 of them.
    assertRejects(file("{\"x\":{\(f32),\"shape\":[0,4611686018427387904],\"data_offsets\":[0,0]}}"),
                  "tensor \"x\": shape (0, 4611686018427387904) has about 4.6e18 elements, more than the limit of")
    assertRejects(file("{\"x\":{\(f32),\"shape\":[99999999999999999999],\"data_offsets\":[0,4]}}"), "integer sizes")
    assertRejects(file("{\"x\":{\(f32),\"shape\":[1],\"data_offsets\":[0]}}", [0, 0, 0, 0]), "data_offsets must be two integers")
    assertRejects(file("{\"x\":{\(f32),\"shape\":[1],\"data_offsets\":[-4,0]}}", [0, 0, 0, 0]), "not a valid range")
    assertRejects(file("{\"x\":{\(f32),\"shape\":[1],\"data_offsets\":[4,0]}}", [0, 0, 0, 0]), "not a valid range")
    assertRejects(file("{\"x\":{\(f32),\"shape\":[2],\"data_offsets\":[0,8]}}", [0, 0, 0, 0]),
                  "data_offsets [0, 8] go past the end of the data (4 bytes)")
    assertRejects(file("{\"x\":{\(f32),\"shape\":[2,3],\"data_offsets\":[0,20]}}", [UInt8](repeating: 0, count: 24)),
                  "shape (2, 3) of F32 needs 24 bytes, but data_offsets [0, 20] hold 20")
    assertRejects(file("{\"a\":{\(f32),\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\(f32),\"shape\":[2],\"data_offsets\":[4,12]}}",
                       [UInt8](repeating: 0, count: 12)),
                  "tensors \"a\" [0, 8] and \"b\" [4, 12] overlap")
    assertRejects(file("{\"a\":{\(f32),\"shape\":[1],\"data_offsets\":[0,4]},\"b\":{\(f32),\"shape\":[1],\"data_offsets\":[8,12]}}",
                       [UInt8](repeating: 0, count: 12)),
                  "data bytes 4..<8 after tensor \"a\" belong to no tensor")
    assertRejects(file("{\"a\":{\(f32),\"shape\":[1],\"data_offsets\":[4,8]}}", [UInt8](repeating: 0, count: 8)),
                  "before the first tensor")
    assertRejects(file("{\"a\":{\(f32),\"shape\":[1],\"data_offsets\":[0,4]}}", [UInt8](repeating: 0, count: 6)),
                  "the last 2 bytes of the data belong to no tensor")
    assertRejects(file(#"{"x":{"dtype":"U64","shape":[1],"data_offsets":[0,8]}}"#, le(UInt64.max)), "does not fit in int64")
  }

  func testErrorsNameTheSourceAndHint() {
    XCTAssertThrowsError(try Safetensors.decode([1, 2], source: "ckpt.safetensors")) { error in
      let e = error as! CoreError
      XCTAssertTrue(e.message.hasPrefix("ckpt.safetensors: the file is too short"), e.message)
      XCTAssertNotNil(e.hint)
    }
  }

  /// Corrupting any byte of a valid file, or cutting it short, gives a result or an error:
  /// never a crash.
  func testDamagedFilesNeverTrap() throws {
    let good = try Safetensors.encode([
      ("a", try Tensor.make(shape: [2, 2], data: [1, 2, 3, 4])),
      ("b", Tensor(shape: [3], ints: [1, 2, 3])),
      ("c", Tensor(shape: [2], ints: [1, 0], dtype: .bool)),
    ], metadata: ["k": "v"])
    var state: UInt64 = 42
    func next() -> UInt64 {
      state = state &* 6364136223846793005 &+ 1442695040888963407
      return state >> 33
    }
    for cut in 0..<good.count { _ = try? Safetensors.decode(Array(good.prefix(cut))) }
    for _ in 0..<3000 {
      var bad = good
      for _ in 0...(next() % 3) {
        let i = Int(next() % UInt64(bad.count))
        bad[i] = next() % 4 == 0 ? UInt8(ascii: "9") : UInt8(truncatingIfNeeded: next())
      }
      _ = try? Safetensors.decode(bad)
    }
  }

  // MARK: - Files

  func testAtomicWriteLeavesOnlyTheTargetAndReadsBack() throws {
    let dir = try makeTempDir()
    defer { removeTree(dir) }
    let path = "\(dir)/model.safetensors"
    try Safetensors.write([("w", Tensor.ones([3]))], metadata: ["step": "1"], to: path)
    XCTAssertEqual(listDir(dir), ["model.safetensors"])
    // Overwriting replaces the file and still leaves no temporary behind.
    try Safetensors.write([("w", Tensor.full([2], 7))], metadata: ["step": "2"], to: path)
    XCTAssertEqual(listDir(dir), ["model.safetensors"])
    let (tensors, metadata) = try Safetensors.read(path)
    XCTAssertEqual(metadata, ["step": "2"])
    XCTAssertEqual(tensors[0].1.data, [7, 7])
  }

  func testFileErrorsNameThePathAndReason() throws {
    let dir = try makeTempDir()
    defer { removeTree(dir) }
    XCTAssertThrowsError(try Safetensors.write([("w", Tensor.ones([1]))], to: "\(dir)/missing/m.safetensors")) { error in
      XCTAssertTrue("\(error)".contains("cannot write \(dir)/missing/m.safetensors: No such file or directory"), "\(error)")
    }
    // A target that is a folder: the rename fails, and the temporary file is removed.
    mkdir("\(dir)/folder", 0o755)
    XCTAssertThrowsError(try Safetensors.write([("w", Tensor.ones([1]))], to: "\(dir)/folder")) { error in
      XCTAssertTrue("\(error)".contains("cannot write \(dir)/folder: Is a directory"), "\(error)")
    }
    XCTAssertEqual(listDir(dir), ["folder"])
    rmdir("\(dir)/folder")
    XCTAssertThrowsError(try Safetensors.read("\(dir)/nope.safetensors")) { error in
      XCTAssertTrue("\(error)".contains("cannot read \(dir)/nope.safetensors: No such file or directory"), "\(error)")
    }
    XCTAssertThrowsError(try Safetensors.read(dir)) { error in
      XCTAssertTrue("\(error)".contains("Is a directory"), "\(error)")
    }
    let junk = "\(dir)/junk.safetensors"
    let fd = open(junk, O_WRONLY | O_CREAT, 0o644)
    _ = Glibc.write(fd, "hello", 5)
    close(fd)
    XCTAssertThrowsError(try Safetensors.read(junk)) { error in
      XCTAssertTrue("\(error)".contains("\(junk): the file is too short (5 bytes)"), "\(error)")
    }
  }

  // MARK: - Loading into a model

  func testMatchCopiesValuesInPlace() throws {
    let w = Tensor.zeros([2, 2]).requiringGrad()
    let steps = Tensor(shape: [1], ints: [0])
    let mask = Tensor(shape: [2], ints: [0, 0], dtype: .bool)
    let loaded: [(String, Tensor)] = [
      ("w", try Tensor.make(shape: [2, 2], data: [1, 2, 3, 4])),
      ("steps", Tensor(shape: [1], ints: [(1 << 40) + 1])),
      ("mask", Tensor(shape: [2], ints: [1, 0], dtype: .bool)),
    ]
    try Safetensors.match(loaded, into: [("w", w), ("steps", steps), ("mask", mask)])
    XCTAssertEqual(w.data, [1, 2, 3, 4])
    XCTAssertTrue(w.requiresGrad)
    XCTAssertEqual(steps.ints, [(1 << 40) + 1], "int64 values load exactly")
    XCTAssertEqual(mask.ints, [1, 0])
    // Integer values load into float tensors.
    let f = Tensor.zeros([2])
    try Safetensors.match([("f", Tensor(shape: [2], ints: [3, -4]))], into: [("f", f)])
    XCTAssertEqual(f.data, [3, -4])
  }

  func testMatchListsEveryMismatchAndChangesNothing() throws {
    let weight = Tensor.zeros([64, 8])
    let bias = Tensor.zeros([64])
    let ids = Tensor(shape: [2], ints: [0, 0])
    let loaded: [(String, Tensor)] = [
      ("layers.0.weight", Tensor.ones([64, 4])),
      ("layers.0.bias", Tensor.ones([64])),
      ("ids", Tensor.ones([2])),
      ("extra", Tensor.ones([1])),
      ("more", Tensor.ones([1])),
    ]
    let expected: [(String, Tensor)] = [
      ("layers.0.weight", weight), ("layers.0.bias", bias), ("ids", ids),
      ("layers.1.weight", Tensor.zeros([2])), ("layers.1.bias", Tensor.zeros([2])),
    ]
    XCTAssertThrowsError(try Safetensors.match(loaded, into: expected)) { error in
      let message = (error as! CoreError).message
      XCTAssertEqual(message, """
        the checkpoint does not match the model:
          missing from the file: layers.1.weight, layers.1.bias
          not in the model: extra, more
          layers.0.weight: file has (64, 4), model has (64, 8)
          ids: file has float32 values, model has int64
        """)
    }
    XCTAssertEqual(bias.data, [Float](repeating: 0, count: 64), "nothing is copied when anything mismatches")
  }
}
