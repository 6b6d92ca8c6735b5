import CPavlovSupport
import Foundation
import Glibc
import XCTest
@testable import PavlovLang
@testable import PavlovStdlib
import PavlovGym
import PavlovTestSupport
import PavlovTensor

final class StdlibTests: XCTestCase {
  // MARK: - Helpers

  private func makeInterpreter() -> (Interpreter, () -> String) {
    let registry = Registry()
    Stdlib.register(into: registry)
    let interp = Interpreter(registry: registry)
    var out = ""
    interp.write = { out += $0 }
    return (interp, { out })
  }

  /// Runs `source` in a fresh interpreter and returns what it printed.
  @discardableResult
  private func run(_ source: String, file: StaticString = #filePath, line: UInt = #line) -> String {
    let (interp, output) = makeInterpreter()
    do {
      try interp.run(source: source)
    } catch {
      XCTFail("script failed: \(error.render())\n--- source ---\n\(source)", file: file, line: line)
    }
    return output()
  }

  /// Runs `source`, which must fail; returns the error.
  private func failure(_ source: String, file: StaticString = #filePath, line: UInt = #line) -> PavlovError? {
    let (interp, _) = makeInterpreter()
    do {
      try interp.run(source: source)
      XCTFail("expected an error from: \(source)", file: file, line: line)
      return nil
    } catch {
      return error
    }
  }

  private var tempDirs: [String] = []

  /// A fresh empty folder under /tmp, removed after the test.
  private func tempDir() -> String {
    var template = Array("/tmp/pavlov-stdlib-test-XXXXXX".utf8CString)
    let made = template.withUnsafeMutableBufferPointer { buffer -> String? in
      guard let base = buffer.baseAddress, mkdtemp(base) != nil else { return nil }
      return String(cString: base)
    }
    guard let dir = made else {
      XCTFail("mkdtemp failed")
      return "/tmp"
    }
    tempDirs.append(dir)
    return dir
  }

  override func tearDown() {
    for dir in tempDirs { removeTree(dir) }
    tempDirs = []
    super.tearDown()
  }

  private func removeTree(_ path: String) {
    if let dir = opendir(path) {
      var names: [String] = []
      while let entry = readdir(dir) {
        let name = withUnsafePointer(to: &entry.pointee.d_name) {
          $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
        }
        if name != "." && name != ".." { names.append(name) }
      }
      closedir(dir)
      for name in names { removeTree(path + "/" + name) }
      rmdir(path)
    } else {
      unlink(path)
    }
  }

  private func readFile(_ path: String) -> String? {
    try? Interpreter.readFile(path)
  }

  private func writeFile(_ path: String, _ text: String) {
    guard let f = fopen(path, "wb") else { return XCTFail("cannot create \(path)") }
    _ = text.utf8CString.withUnsafeBufferPointer { fwrite($0.baseAddress, 1, $0.count - 1, f) }
    fclose(f)
  }

  // MARK: - Generator

  func testGeneratorMatchesReferenceXoshiro256StarStar() {
    // Reference values of xoshiro256** seeded through splitmix64.
    let zero = SeededGenerator(seed: 0)
    XCTAssertEqual([zero.next(), zero.next(), zero.next()],
                   [11091344671253066420, 13793997310169335082, 1900383378846508768])
    let g = SeededGenerator(seed: 42)
    XCTAssertEqual([g.next(), g.next(), g.next()],
                   [1546998764402558742, 6990951692964543102, 12544586762248559009])
    XCTAssertEqual(SeededGenerator(seed: 42).nextDouble(), 0.08386297105988216)
  }

  func testGeneratorHelpers() {
    let g = SeededGenerator(seed: 7)
    var counts = [Int](repeating: 0, count: 6)
    for _ in 0..<6000 {
      let v = g.nextInt(below: 6)
      XCTAssertTrue((0..<6).contains(v))
      counts[v] += 1
    }
    XCTAssertTrue(counts.allSatisfy { $0 > 850 && $0 < 1150 }, "\(counts)")
    for _ in 0..<1000 {
      let d = g.nextDouble()
      XCTAssertTrue(d >= 0 && d < 1)
      let v = g.nextInt(from: -3, to: 2)
      XCTAssertTrue(v >= -3 && v < 2)
    }
    // Extreme bounds do not trap.
    let wide = g.nextInt(from: Int.min, to: Int.max)
    XCTAssertTrue(wide < Int.max)
    XCTAssertEqual(g.nextInt(below: 0), 0)

    // split: the child continues independently and is reproducible.
    let a = SeededGenerator(seed: 1), b = SeededGenerator(seed: 1)
    let childA = a.split(), childB = b.split()
    let fromChild = (0..<4).map { _ in childA.next() }
    XCTAssertEqual(fromChild, (0..<4).map { _ in childB.next() })
    XCTAssertNotEqual(fromChild, (0..<4).map { _ in a.next() })

    // The portable log agrees with libm to within a couple of ulps.
    for x in [1e-300, 0.001, 0.5, 0.7071, 1.0, 1.5, 2.0, 10.0, 12345.678, 1e300] {
      XCTAssertEqual(SeededGenerator.portableLog(x), Glibc.log(x), accuracy: abs(Glibc.log(x)) * 4e-16 + 1e-300, "log(\(x))")
    }
  }

  // MARK: - Random builtins

  func testSameSeedGivesSameSequence() {
    let script = """
    seed(123)
    print(rand(), randint(1000), randint(-5, 5), randn(), choice([10, 20, 30, 40]))
    let xs = [1, 2, 3, 4, 5, 6, 7, 8]
    shuffle(xs)
    print(xs, sample(0..100, 5))
    """
    let first = run(script)
    let second = run(script)
    XCTAssertEqual(first, second)
    XCTAssertEqual(first.split(separator: "\n").count, 2)

    // The interpreter's rand() is the generator's nextDouble() for that seed.
    XCTAssertEqual(run("seed(42)\nprint(rand())"), "\(SeededGenerator(seed: 42).nextDouble())\n")
    // The default seed is 0.
    XCTAssertEqual(run("print(rand())"), "\(SeededGenerator(seed: 0).nextDouble())\n")
    // seed() restarts the sequence.
    let again = run("seed(5)\nlet a = [rand(), rand()]\nseed(5)\nlet b = [rand(), rand()]\nprint(a == b, a[0] != a[1])")
    XCTAssertEqual(again, "true true\n")
  }

  func testDifferentSeedsDiffer() {
    let a = run("seed(1)\nprint([rand(), rand(), rand()])")
    let b = run("seed(2)\nprint([rand(), rand(), rand()])")
    XCTAssertNotEqual(a, b)
    let c = run("seed(1)\nlet xs = list(0..20)\nshuffle(xs)\nprint(xs)")
    let d = run("seed(2)\nlet xs = list(0..20)\nshuffle(xs)\nprint(xs)")
    XCTAssertNotEqual(c, d)
  }

  func testCLISeedHelperReseeds() throws {
    let (interp, output) = makeInterpreter()
    Stdlib.seed(interp, 42)
    try interp.run(source: "print(rand())")
    XCTAssertEqual(output(), "\(SeededGenerator(seed: 42).nextDouble())\n")
    XCTAssertTrue(Stdlib.generator(for: interp) === Stdlib.generator(for: interp))
  }

  func testRandintBounds() {
    let out = run("""
    let seen = {}
    let ok = true
    for i in 0..5000 {
      let v = randint(3, 7)
      if v < 3 or v >= 7 or type(v) != "int" { ok = false }
      seen[str(v)] = true
      let w = randint(5)
      if w < 0 or w >= 5 { ok = false }
      let f = rand()
      if f < 0.0 or f >= 1.0 { ok = false }
    }
    print(ok, sorted(list(seen)))
    print(randint(-2, -1), randint(1))
    """)
    XCTAssertEqual(out, "true [\"3\", \"4\", \"5\", \"6\"]\n-2 0\n")

    let empty = failure("randint(5, 5)")
    XCTAssertEqual(empty?.message, "randint(5, 5): the range is empty (the upper bound is excluded)")
    XCTAssertNotNil(failure("randint(0)"))
    XCTAssertNotNil(failure("randint(9, 2)"))
    XCTAssertTrue(failure("randint(\"x\")")?.message.contains("must be an int") ?? false)
  }

  func testShuffleIsAPermutationInPlace() {
    let out = run("""
    seed(3)
    let xs = list(0..50)
    let same = xs
    let r = shuffle(xs)
    print(r, len(xs), sorted(xs) == list(0..50), xs != list(0..50), same == xs)
    let empty = []
    shuffle(empty)
    let one = [7]
    shuffle(one)
    print(empty, one)
    """)
    XCTAssertEqual(out, "nil 50 true true true\n[] [7]\n")
    XCTAssertNotNil(failure("shuffle(0..3)"))
  }

  func testSampleChoiceAndRandn() {
    let out = run("""
    seed(11)
    let s = sample(list(0..30), 10)
    let distinct = {}
    for x in s { distinct[str(x)] = true }
    print(len(s), len(distinct), all(map(x => x >= 0 and x < 30, s)))
    print(len(sample([1, 2], 0)), sorted(sample([1, 2, 3], 3)))
    let hits = 0
    for i in 0..200 { if choice(["a", "b"]) == "a" { hits += 1 } }
    print(hits > 60 and hits < 140, choice("x"), choice(5..6))
    let total = 0.0
    let squares = 0.0
    let n = 20000
    for i in 0..n {
      let z = randn()
      total += z
      squares += z * z
    }
    let mean = total / n
    let std = sqrt(squares / n - mean * mean)
    print(abs(mean) < 0.05, abs(std - 1.0) < 0.05)
    """)
    XCTAssertEqual(out, "10 10 true\n0 [1, 2, 3]\ntrue x 5\ntrue true\n")
    XCTAssertEqual(failure("choice([])")?.message, "choice: cannot choose from an empty sequence")
    XCTAssertEqual(failure("sample([1, 2], 3)")?.message, "sample: cannot take 3 distinct items from 2")
    XCTAssertNotNil(failure("sample([1, 2], -1)"))
  }

  // MARK: - JSON

  func testJSONParseTypesAndEscapes() {
    let out = run(#"""
    let r = json_parse('{"a": 1, "b": [1.5, -2, 1e3, 1.0, 0], "s": "h\\u00e9\\ud83d\\ude00\\n\\"\\\\\\/\\t", "n": null, "t": true, "f": false, "e": {}, "l": []}')
    print(type(r.a), type(r.b[0]), type(r.b[1]), type(r.b[2]), type(r.b[3]), type(r.b[4]))
    print(r.b, r.n, r.t, r.f, r.e, r.l)
    print(r.s == "hé😀\n\"\\/\t", len(r.s))
    print(list(r))
    print(json_parse("9223372036854775807"), type(json_parse("9223372036854775808")), json_parse(" -0 "), json_parse("2.5E-3"))
    print(json_parse('"\\u00E9"'), json_parse('{"k": 1, "k": 2}'))
    """#)
    XCTAssertEqual(out, """
    int float int float float int
    [1.5, -2, 1000.0, 1.0, 0] nil true false {} []
    true 8
    ["a", "b", "s", "n", "t", "f", "e", "l"]
    9223372036854775807 float 0 0.0025
    é {k: 2}

    """)
  }

  func testJSONRoundTrip() {
    let out = run(#"""
    let data = {name: "run \"1\"", "with space": [1, 2.0, -3.25, 1e-07, 1e+16], nested: {deep: [[[]], {}], ok: true, none: nil}, uni: "é😀\u{1}", 3: "int key"}
    let text = json_string(data)
    print(text)
    let back = json_parse(text)
    print(back["3"], back["with space"], back.nested.deep, back.uni == data.uni)
    print(json_string(json_parse(text)) == text)
    print(json_string(1.0), json_string(0.1), json_string(-0.0), json_string(1e300), json_string(42), json_string("a\tb"))
    print(json_string(0..3), json_string(nil), json_string([]))
    """#)
    let expected = #"""
    {"name":"run \"1\"","with space":[1,2.0,-3.25,1e-07,1e+16],"nested":{"deep":[[[]],{}],"ok":true,"none":null},"uni":"é😀\u0001","3":"int key"}
    int key [1, 2.0, -3.25, 1e-07, 1e+16] [[[]], {}] true
    true
    1.0 0.1 -0.0 1e+300 42 "a\tb"
    [0,1,2] null []

    """#
    XCTAssertEqual(out, expected)
  }

  func testJSONIndent() {
    let out = run(#"print(json_string({a: [1, {b: nil}], c: {}, d: []}, indent: 2))"#)
    XCTAssertEqual(out, """
    {
      "a": [
        1,
        {
          "b": null
        }
      ],
      "c": {},
      "d": []
    }

    """)
    XCTAssertEqual(run(#"print(json_string([1, 2], indent: 0))"#), "[\n1,\n2\n]\n")
    XCTAssertNotNil(failure("json_string([1], indent: -1)"))
  }

  func testJSONErrorsSayLineAndColumn() {
    let colon = failure(#"json_parse("{\n  \"a\": 1,\n  \"b\" 2\n}")"#)
    XCTAssertEqual(colon?.message, #"json_parse: line 3, column 7: expected ':' after the key "b", got '2'"#)

    let trailing = failure(#"json_parse("[1, 2,]")"#)
    XCTAssertEqual(trailing?.message, "json_parse: line 1, column 7: expected a value after ',', got ']'")
    XCTAssertEqual(trailing?.hint, "JSON allows no comma after the last item")

    let unclosed = failure(#"json_parse("{\"a\": [1, 2")"#)
    XCTAssertEqual(unclosed?.message, "json_parse: line 1, column 12: expected ',' or ']' after an array item, got end of input")
    XCTAssertEqual(unclosed?.hint, "the array opened at line 1, column 7 is not closed")

    let cases: [(String, String)] = [
      (#"json_parse("")"#, "line 1, column 1: expected a JSON value, got end of input"),
      (#"json_parse("{a: 1}")"#, "line 1, column 2: expected a string key in double quotes, got 'a'"),
      (#"json_parse("'x'")"#, "line 1, column 1: expected a JSON value, got a single quote"),
      (#"json_parse("NaN")"#, "NaN and Infinity are not JSON values"),
      (#"json_parse("01")"#, "a JSON number cannot have a leading zero"),
      (#"json_parse("1.")"#, "line 1, column 3: expected a digit after the decimal point"),
      (#"json_parse("[1] 2")"#, "line 1, column 5: unexpected '2' after the JSON value"),
      (#"json_parse("\"abc")"#, "unterminated string"),
      (#"json_parse("\"a\\qb\"")"#, #"line 1, column 3: invalid escape \q in a string"#),
      (#"json_parse("\"\\ud83d\"")"#, #"lone surrogate \uD83D"#),
      (#"json_parse("\"\\u12\"")"#, "invalid \\u escape: expected 4 hex digits"),
      (#"json_parse("tru")"#, "invalid literal; expected `true`"),
      (#"json_parse("\"a\nb\"")"#, "a raw newline inside a string"),
      (#"json_parse("[1 2]")"#, "line 1, column 4: expected ',' or ']' after an array item, got '2'"),
      (#"json_parse("é")"#, "got 'é'"),
    ]
    for (source, expected) in cases {
      guard let error = failure(source) else { continue }
      XCTAssertTrue(error.message.contains(expected), "\(source): \(error.message)")
      XCTAssertTrue(error.isCatchable)
    }
    // Scripts can catch it.
    XCTAssertEqual(run("try { json_parse(\"[\") } catch e { print(e.message) }"),
                   "json_parse: line 1, column 2: expected a JSON value, got end of input\n")
  }

  func testJSONNestingCap() {
    let deep = failure("json_parse(\"[\" * 100000)")
    XCTAssertEqual(deep?.message, "json_parse: line 1, column 513: nesting deeper than 512 levels")
    let objects = failure(#"json_parse("{\"a\":" * 600)"#)
    XCTAssertTrue(objects?.message.contains("nesting deeper than 512 levels") ?? false)
    XCTAssertEqual(run(#"print(len(json_parse("[" * 512 + "]" * 512)))"#), "1\n")
    XCTAssertNotNil(failure(#"json_parse("[" * 513 + "]" * 513)"#))
    // Writing is capped too, so a deep structure is an error rather than a stack overflow.
    let writeDeep = failure("""
    let x = []
    for i in 0..600 { x = [x] }
    json_string(x)
    """)
    XCTAssertTrue(writeDeep?.message.contains("nested deeper than 512 levels") ?? false, writeDeep?.message ?? "")
  }

  func testJSONStringRejectsNaNFunctionsAndCycles() {
    XCTAssertEqual(failure(#"json_string({loss: float("nan")})"#)?.message, "json_string: value at .loss is nan; JSON has no NaN")
    XCTAssertEqual(failure(#"json_string({a: [1, {"b c": float("-inf")}]})"#)?.message,
                   #"json_string: value at .a[1]["b c"] is -inf; JSON has no Infinity"#)
    XCTAssertEqual(failure(#"json_string(float("inf"))"#)?.message, "json_string: value is inf; JSON has no Infinity")
    XCTAssertEqual(failure("json_string({f: print})")?.message,
                   "json_string: value at .f is a function (`print`); JSON holds only nil, bools, numbers, strings, lists and records")
    let cycle = failure("let xs = [1]\nxs.push(xs)\njson_string(xs)")
    XCTAssertEqual(cycle?.message, "json_string: value at [1] contains itself (a cycle); JSON cannot represent cycles")
    let recordCycle = failure("let r = {a: 1}\nr.me = {again: r}\njson_string(r)")
    XCTAssertEqual(recordCycle?.message, "json_string: value at .me.again contains itself (a cycle); JSON cannot represent cycles")
    // Shared (non-cyclic) references are fine.
    XCTAssertEqual(run("let s = [1]\nprint(json_string([s, s]))"), "[[1],[1]]\n")
    // Errors objects are not data.
    let object = failure("try { error(\"x\") } catch e { json_string([e]) }")
    XCTAssertEqual(object?.message, "json_string: value at [0] is an error; JSON holds only nil, bools, numbers, strings, lists and records")
  }

  // MARK: - Text files

  func testTextFilesAndAtomicWrite() {
    let dir = tempDir()
    let out = run("""
    let p = "\(dir)/notes.txt"
    print(file_exists(p))
    write_text(p, "héllo\\n")
    append_text(p, "more")
    print(read_text(p) == "héllo\\nmore", file_exists(p))
    for i in 0..20 { write_text(p, f"version {i}") }
    print(read_text(p))
    print(list_dir("\(dir)"))
    """)
    XCTAssertEqual(out, "false\ntrue true\nversion 19\n[\"notes.txt\"]\n")
    XCTAssertEqual(readFile("\(dir)/notes.txt"), "version 19")

    let missing = failure("write_text(\"\(dir)/no/such/dir/x.txt\", \"x\")")
    XCTAssertEqual(missing?.message, "write_text: cannot write \(dir)/no/such/dir/x.txt: No such file or directory")
    XCTAssertEqual(missing?.hint, "the folder \"\(dir)/no/such/dir\" does not exist; create it first with make_dir(\"\(dir)/no/such/dir\")")
    XCTAssertEqual(failure("read_text(\"\(dir)/absent.txt\")")?.message, "read_text: cannot read \(dir)/absent.txt: No such file or directory")
    XCTAssertTrue(failure("read_text(\"\(dir)\")")?.message.contains("Is a directory") ?? false)
    XCTAssertTrue(failure("write_text(\"\(dir)\", \"x\")")?.message.contains("Is a directory") ?? false)
    XCTAssertNotNil(failure("write_text(\"\(dir)/a.txt\", [1])"))
    XCTAssertNotNil(failure("read_text(\"\")"))
    // Nothing but the target is left in the folder (no temp files).
    XCTAssertEqual(run("print(list_dir(\"\(dir)\"))"), "[\"notes.txt\"]\n")
  }

  func testAtomicWriteKeepsPermissionsAndFollowsSymlinks() {
    let dir = tempDir()
    writeFile("\(dir)/target.txt", "old")
    chmod("\(dir)/target.txt", 0o600)
    symlink("\(dir)/target.txt", "\(dir)/link.txt")
    run("write_text(\"\(dir)/link.txt\", \"new\")")
    XCTAssertEqual(readFile("\(dir)/target.txt"), "new")
    var info = stat()
    XCTAssertEqual(lstat("\(dir)/link.txt", &info), 0)
    XCTAssertEqual(info.st_mode & S_IFMT, S_IFLNK)
    XCTAssertEqual(stat("\(dir)/target.txt", &info), 0)
    XCTAssertEqual(info.st_mode & 0o777, 0o600)
    XCTAssertEqual(run("print(list_dir(\"\(dir)\"))"), "[\"link.txt\", \"target.txt\"]\n")
  }

  func testFoldersAndEnv() {
    let dir = tempDir()
    let out = run("""
    make_dir("\(dir)/a/b/c")
    make_dir("\(dir)/a/b/c")
    make_dir("\(dir)/a/./b/../b2/")
    write_text("\(dir)/a/z.txt", "")
    write_text("\(dir)/a/B.txt", "")
    print(list_dir("\(dir)/a"), file_exists("\(dir)/a/b/c"), file_exists("\(dir)/a/nope"))
    print(env_var("PAVLOV_SURELY_UNSET_VAR"), env_var("PAVLOV_SURELY_UNSET_VAR", "dflt"), type(env_var("PATH")))
    """)
    XCTAssertEqual(out, "[\"B.txt\", \"b\", \"b2\", \"z.txt\"] true false\nnil dflt string\n")
    let blocked = failure("make_dir(\"\(dir)/a/z.txt/sub\")")
    XCTAssertEqual(blocked?.message, "make_dir: cannot create the folder \(dir)/a/z.txt/sub: \(dir)/a/z.txt exists and is not a folder")
    XCTAssertTrue(failure("list_dir(\"\(dir)/missing\")")?.message.contains("list_dir: cannot list \(dir)/missing") ?? false)
    XCTAssertEqual(failure("list_dir(\"\(dir)/a/z.txt\")")?.message, "list_dir: cannot list \(dir)/a/z.txt: it is a file, not a folder")
  }

  // MARK: - JSON Lines

  func testWriteThenReadJSONL() {
    let dir = tempDir()
    let p = "\(dir)/log.jsonl"
    let out = run("""
    write_jsonl("\(p)", [{step: 1, reward: 0.5, tag: "a,b"}, {step: 2, reward: -1.0, tag: "é\\n"}])
    write_jsonl("\(p)", {step: 3, reward: 2, tag: nil})
    let rows = read_jsonl("\(p)")
    print(len(rows), rows[0].step, rows[1].reward, rows[1].tag == "é\\n", rows[2])
    print(type(rows[2].reward), type(rows[1].reward))
    write_jsonl("\(p)", [[1, 2], "x", 3], append: false)
    print(read_jsonl("\(p)"))
    write_jsonl("\(p)", [], append: false)
    print(read_jsonl("\(p)"))
    """)
    XCTAssertEqual(out, "3 1 -1.0 true {step: 3, reward: 2, tag: nil}\nint float\n[[1, 2], \"x\", 3]\n[]\n")
    writeFile(p, "{\"a\": 1}\n")
    run("write_jsonl(\"\(p)\", [{b: 2}])")
    XCTAssertEqual(readFile(p), "{\"a\": 1}\n{\"b\":2}\n")
    XCTAssertEqual(run("print(list_dir(\"\(dir)\"))"), "[\"log.jsonl\"]\n")
  }

  func testAppendAfterPartialLastLine() {
    let dir = tempDir()
    let p = "\(dir)/log.jsonl"
    writeFile(p, "{\"step\":1}\n{\"step\":2,\"rew")
    let bad = failure("read_jsonl(\"\(p)\")")
    XCTAssertEqual(bad?.message, "read_jsonl: \(p):2:15: unterminated string: expected a closing '\"', got end of input")
    XCTAssertTrue(bad?.hint?.contains("does not end with a newline") ?? false)

    run("write_jsonl(\"\(p)\", [{step: 3}])")
    XCTAssertEqual(readFile(p), "{\"step\":1}\n{\"step\":2,\"rew\n{\"step\":3}\n")
    // The broken line stays an error with its own line number; the new row is intact.
    XCTAssertEqual(failure("read_jsonl(\"\(p)\")")?.message.hasPrefix("read_jsonl: \(p):2:"), true)
  }

  func testReadJSONLBadLineAndBlankLines() {
    let dir = tempDir()
    let p = "\(dir)/data.jsonl"
    writeFile(p, "{\"a\": 1}\n\n   \n[1, 2]\r\n{\"a\": 2,}\n")
    let error = failure("read_jsonl(\"\(p)\")")
    XCTAssertEqual(error?.message, "read_jsonl: \(p):5:9: expected a key after ',', got '}'")
    writeFile(p, "{\"a\": 1}\n\n   \n[1, 2]\r\n")
    XCTAssertEqual(run("print(read_jsonl(\"\(p)\"))"), "[{a: 1}, [1, 2]]\n")
    XCTAssertTrue(failure("read_jsonl(\"\(dir)/none.jsonl\")")?.message.contains("No such file") ?? false)
  }

  func testWriteJSONLWritesNothingOnBadRow() {
    let dir = tempDir()
    let p = "\(dir)/log.jsonl"
    writeFile(p, "{\"ok\":true}\n")
    let error = failure("write_jsonl(\"\(p)\", [{a: 1}, {a: 2}, {loss: float(\"nan\")}])")
    XCTAssertEqual(error?.message, "write_jsonl: row 2: value at .loss is nan; JSON has no NaN")
    XCTAssertTrue(error?.hint?.hasSuffix("nothing was written to \(p)") ?? false)
    XCTAssertEqual(readFile(p), "{\"ok\":true}\n")
    XCTAssertNotNil(failure("write_jsonl(\"\(p)\", [print], append: false)"))
    XCTAssertEqual(readFile(p), "{\"ok\":true}\n")
    XCTAssertNotNil(failure("write_jsonl(\"\(p)\", 5)"))
  }

  // MARK: - CSV

  func testCSVRoundTripWithQuoting() {
    let dir = tempDir()
    let p = "\(dir)/t.csv"
    let out = run("""
    let rows = [
      {name: "plain", note: "a, b", q: "say \\"hi\\"", n: 1, x: 2.5},
      {name: "multi", note: "line1\\nline2", q: "", n: -7, x: nil},
      {name: " padded ", note: "12", q: "1e5", n: 0, x: 1e-07},
    ]
    write_csv("\(p)", rows)
    let back = read_csv("\(p)")
    print(back == rows)
    print(type(back[0].n), type(back[0].x), back[1].x, type(back[2].note), back[2].name == " padded ")
    let raw = read_csv("\(p)", types: false)
    print(raw[0].n, type(raw[0].n), raw[1].x == "")
    """)
    XCTAssertEqual(out, "true\nint float nil string true\n1 string true\n")
    XCTAssertEqual(readFile(p), #"""
    name,note,q,n,x
    plain,"a, b","say ""hi""",1,2.5
    multi,"line1
    line2","",-7,
    " padded ","12","1e5",0,1e-07

    """#)
  }

  func testCSVReadingHandlesRFC4180() {
    let dir = tempDir()
    let p = "\(dir)/in.csv"
    writeFile(p, "\u{FEFF}id,text,score\r\n1,\"he said \"\"go\"\", then left\",3.5\r\n\r\n2,\"two\r\nlines\",\r\n3,,nan\r\n4,\"\",-1e3")
    let out = run("""
    let rows = read_csv("\(p)")
    print(len(rows), list(rows[0]))
    print(rows[0].text, rows[1].text == "two\\r\\nlines", rows[1].score, rows[2].text, is_nan(rows[2].score), rows[3].text == "", rows[3].score)
    let plain = read_csv("\(p)", header: false)
    print(plain[0], len(plain))
    """)
    XCTAssertEqual(out, """
    4 ["id", "text", "score"]
    he said "go", then left true nil nil true true -1000.0
    ["id", "text", "score"] 5

    """)
  }

  func testCSVBadRowErrorNamesPathAndLine() {
    let dir = tempDir()
    let p = "\(dir)/bad.csv"
    writeFile(p, "a,b\n1,2\n\"x\ny\",3\n4\n")
    let error = failure("read_csv(\"\(p)\")")
    XCTAssertEqual(error?.message, "read_csv: \(p):5: row has 1 field but the header (line 1) has 2")
    writeFile(p, "a,b\n1,2,3\n")
    let tooMany = failure("read_csv(\"\(p)\")")
    XCTAssertEqual(tooMany?.message, "read_csv: \(p):2: row has 3 fields but the header (line 1) has 2")
    XCTAssertEqual(tooMany?.hint, "a field containing a comma must be quoted: \"a, b\"")
    writeFile(p, "a,b\n1,\"open\n2,3\n")
    XCTAssertEqual(failure("read_csv(\"\(p)\")")?.message, "read_csv: \(p):2: a quoted field (field 2) is never closed")
    writeFile(p, "a,b\n\"x\"y,2\n")
    XCTAssertEqual(failure("read_csv(\"\(p)\")")?.message, "read_csv: \(p):2: unexpected \"y\" after the closing quote of field 1")
    writeFile(p, "a,a\n1,2\n")
    XCTAssertTrue(failure("read_csv(\"\(p)\")")?.message.contains("appears twice") ?? false)
    writeFile(p, "")
    XCTAssertEqual(run("print(read_csv(\"\(p)\"))"), "[]\n")
  }

  func testWriteCSVListsHeadersAndErrors() {
    let dir = tempDir()
    let p = "\(dir)/l.csv"
    run("write_csv(\"\(p)\", [[1, \"a\"], [2.5, nil], [true, \"x,y\"]], header: [\"num\", \"txt\"])")
    XCTAssertEqual(readFile(p), "num,txt\n1,a\n2.5,\ntrue,\"x,y\"\n")
    run("write_csv(\"\(p)\", [[1, 2], [3, 4]])")
    XCTAssertEqual(readFile(p), "1,2\n3,4\n")
    run("write_csv(\"\(p)\", [{a: 1, b: 2}, {b: 3}])")
    XCTAssertEqual(readFile(p), "a,b\n1,2\n,3\n")
    run("write_csv(\"\(p)\", [{a: 1, b: 2, c: 3}], header: [\"c\", \"a\"])")
    XCTAssertEqual(readFile(p), "c,a\n3,1\n")

    XCTAssertEqual(failure("write_csv(\"\(p)\", [{a: 1}, {a: 2, z: 3}])")?.message,
                   "write_csv: rows[1] has the key \"z\", which is not a column (the columns come from rows[0]: a)")
    XCTAssertEqual(failure("write_csv(\"\(p)\", [[1, 2], [3]])")?.message, "write_csv: rows[1] has 1 fields but rows[0] has 2")
    XCTAssertEqual(failure("write_csv(\"\(p)\", [{a: [1]}])")?.message,
                   "write_csv: rows[0], column \"a\" is a list; CSV cells hold nil, bools, numbers and strings")
    XCTAssertNotNil(failure("write_csv(\"\(p)\", [{a: 1}, [1]])"))
    XCTAssertNotNil(failure("write_csv(\"\(p)\", [1, 2])"))
    // A failed write leaves the previous file.
    XCTAssertEqual(readFile(p), "c,a\n3,1\n")
    XCTAssertEqual(run("print(list_dir(\"\(dir)\"))"), "[\"l.csv\"]\n")
  }

  // MARK: - Time

  func testTimeClockAndSleep() {
    let out = run("""
    let t = time()
    let start = clock()
    sleep(0.12)
    let elapsed = clock() - start
    print(t > 1600000000.0, type(t), elapsed >= 0.12, elapsed < 2.0)
    sleep(0)
    """)
    XCTAssertEqual(out, "true float true true\n")
    XCTAssertNotNil(failure("sleep(-1)"))
    XCTAssertNotNil(failure("sleep(float(\"nan\"))"))
  }

  func testSleepStopsPromptlyOnInterrupt() {
    let (interp, _) = makeInterpreter()
    let start = Posix.seconds(CLOCK_MONOTONIC)
    pavlov_raise_interrupt()
    do {
      try interp.run(source: "sleep(5)")
      XCTFail("sleep should have been interrupted")
    } catch {
      XCTAssertEqual(error.kind, .interrupt)
      XCTAssertFalse(error.isCatchable)
    }
    XCTAssertLessThan(Posix.seconds(CLOCK_MONOTONIC) - start, 1.0)
    XCTAssertEqual(pavlov_interrupt_pending(), 0)
  }

  // MARK: - Registration

  func testEveryBuiltinIsDocumentedAndGrouped() {
    let registry = Registry()
    Stdlib.register(into: registry)
    let expected: [String: [String]] = [
      "random": ["seed", "rand", "randint", "randn", "choice", "shuffle", "sample", "generator", "split_generator"],
      "envs": ["make", "as_env", "env_ids", "discrete", "box", "multi_discrete", "text", "tuple", "dict", "time_limit", "record_episode_stats",
               "normalize_obs", "normalize_reward", "clip_action", "transform_reward", "frame_stack", "check_env",
               "vec_env", "play"],
      "json": ["json_parse", "json_string"],
      "blocks": ["randperm", "minibatches", "gae", "ppo_loss", "td_target", "running_mean_std", "kl_controller", "rollout", "replay_buffer", "load_replay_buffer"],
      "io": ["read_text", "write_text", "append_text", "file_exists", "list_dir", "make_dir", "read_jsonl",
             "write_jsonl", "env_var", "input", "read_csv", "write_csv", "machine"],
      "time": ["time", "clock", "sleep"],
      "sweeps": ["tune", "report", "tune_grid", "tune_choice", "tune_uniform", "tune_loguniform", "tune_randint", "asha", "pbt"],
      "text": ["char_tokenizer", "bpe_tokenizer", "load_tokenizer"],
      "rlhf": ["review_corpus", "gold_score", "gold_report", "read_preferences", "write_preferences", "ranked_pairs", "label",
               "pretrain", "sft", "generate", "log_probs", "token_log_probs", "reward_model", "dpo", "best_of_n", "win_rate", "kl_to", "ppo_lm", "grpo", "rloo", "ilql"],
      "multiagent": ["multi_env_ids", "as_multi_env", "to_aec", "to_parallel", "agent_indicator", "bot", "ma_ppo", "ma_dqn", "match"],
    ]
    for (family, names) in expected {
      let members = registry.families.first { $0.name == family }?.members ?? []
      XCTAssertEqual(Set(members), Set(names), family)
      for name in names {
        guard let f = registry.allFunctions[name] else { XCTFail("\(name) missing"); continue }
        XCTAssertFalse(f.doc.isEmpty, name)
        XCTAssertFalse(f.doc.contains("\n"), name)
        for p in f.params { XCTAssertFalse(p.doc.isEmpty, "\(name).\(p.name)") }
      }
    }
  }

  /// `:help TYPE` and `:help TYPE.METHOD` read the registry, so every native type declared in the
  /// sources must be registered (rlhf_trainer and reward_model once were not) and documented.
  func testEveryNativeTypeIsRegisteredForHelp() throws {
    let registry = try Startup.makeInterpreter(seed: 0).registry
    let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Sources").standardized
    let files = try XCTUnwrap(FileManager.default.enumerator(atPath: sources.path)).compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") }
    var declared: Set<String> = []
    let marker = "NativeType(name: \""
    for file in files {
      let text = try String(contentsOfFile: sources.appendingPathComponent(file).path, encoding: .utf8)
      var rest = Substring(text)
      while let range = rest.range(of: marker) {
        rest = rest[range.upperBound...]
        if let end = rest.firstIndex(of: "\"") { declared.insert(String(rest[..<end])) }
      }
    }
    XCTAssertGreaterThan(declared.count, 20)
    for name in declared.sorted() {
      guard let type = registry.types[name] else { XCTFail("type \(name) is declared but not registered: :help \(name) finds nothing"); continue }
      XCTAssertFalse(type.doc.isEmpty, name)
      for (method, f) in type.methods { XCTAssertFalse(f.doc.isEmpty, "\(name).\(method)") }
      for (property, p) in type.properties { XCTAssertFalse(p.doc.isEmpty, "\(name).\(property)") }
    }
  }

  /// `play` animates by backing up over its last frame, not by clearing the screen, so the
  /// terminal's history survives; without a terminal it prints each frame once.
  func testPlayRedrawsInPlaceWithoutClearingTheScreen() throws {
    let session = TestSession()
    try session.run("play(make(\"CartPole-v1\", seed: 0), policy: o => 0, max_steps: 3, fps: 1000, animate: true)")
    let frames = session.output.components(separatedBy: "\u{1b}[7F\u{1b}[J")
    XCTAssertEqual(frames.count, 4, "the first frame, then three drawn over the one before:\n\(session.output)")
    XCTAssertFalse(session.output.contains("\u{1b}[2J"), "the screen is never cleared")
    XCTAssertTrue(frames[3].contains("step 3"), frames[3])

    let plain = TestSession()
    try plain.run("play(make(\"CartPole-v1\", seed: 0), policy: o => 0, max_steps: 2, animate: false)")
    XCTAssertFalse(plain.output.contains("\u{1b}"), plain.output)
    XCTAssertEqual(plain.output.components(separatedBy: "episode 1/1").count - 1, 3, "three frames, one after another")
  }

  func testPlayRunsAtTheEnvsOwnPace() throws {
    // Gymnasium's render_fps: 50 for CartPole (10 steps ≈ 0.2 s), 4 for FrozenLake.
    XCTAssertEqual((try EnvRegistry.make("CartPole-v1").unwrapped as? RenderSpeed)?.renderFPS, 50)
    XCTAssertEqual((try EnvRegistry.make("FrozenLake-v1").unwrapped as? RenderSpeed)?.renderFPS, 4)
  }

  func testSavePlotWritesSVGOrPNGByExtension() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pavlov-plot-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let session = TestSession()
    try session.run("save_plot(\"\(dir.path)/a.png\", {a: [1, 2, 3], b: [3, 1, 2]}, title: \"Two lines\")")
    try session.run("save_plot(\"\(dir.path)/a.svg\", [1, 2, 3])")
    let png = try [UInt8](Data(contentsOf: dir.appendingPathComponent("a.png")))
    XCTAssertEqual(Array(png.prefix(4)), [0x89, 0x50, 0x4E, 0x47])
    XCTAssertTrue(try String(contentsOf: dir.appendingPathComponent("a.svg"), encoding: .utf8).hasPrefix("<svg"))
    XCTAssertThrowsError(try session.run("save_plot(\"\(dir.path)/a.gif\", [1, 2])")) { error in
      XCTAssertTrue((error as? PavlovError)?.hint?.contains("FILE.png") ?? false, "\(error)")
    }
  }

  func testAxisLabelsKeepThreeSignificantDigitsBelowOne() {
    XCTAssertEqual(axisLabel(0.0003), "0.0003")
    XCTAssertEqual(axisLabel(0.000123456), "0.000123")
    XCTAssertEqual(axisLabel(0.5), "0.5")
    XCTAssertEqual(axisLabel(12.345), "12.3")
    XCTAssertEqual(axisLabel(30_700), "30.7k")
    XCTAssertEqual(axisLabel(0), "0")
  }
}
