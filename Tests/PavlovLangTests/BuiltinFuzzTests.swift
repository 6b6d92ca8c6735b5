import CPavlovSupport
import Foundation
import Glibc
import PavlovLang
import PavlovStdlib
import XCTest

/// Issue 23: the parser is fuzzed by `RobustnessTests`; this fuzzes what scripts call. Every
/// builtin function and every method and property of every native type — read from the registry,
/// so a new builtin is covered the day it is registered — is called with adversarial arguments
/// (huge and negative ints, NaN and infinities, empty and zero-size tensors, mismatched dtypes,
/// lists and records that contain themselves, wrong types, hostile paths), and each call must end
/// in a value or a Pavlov error: a trap kills the test with the call printed first, and a call
/// that ignores Ctrl-C for `hangSeconds` is a hang.
///
/// Knobs (environment variables):
/// - `PAVLOV_BUILTIN_FUZZ_CALLS`: calls per builtin (default 100; `bash scripts/dev.sh fuzz` runs 1,000).
/// - `PAVLOV_FUZZ_SEED`: the seed (default fixed, so the calls are the same on every run).
/// - `PAVLOV_BUILTIN_FUZZ_ONLY`: comma-separated names (`randn`, `tensor.sum`) to fuzz alone.
/// - `PAVLOV_BUILTIN_FUZZ_VERBOSE=1`: print each call and how it ended.
final class BuiltinFuzzTests: XCTestCase {
  /// The argument pool, as Pavlov expressions. `__cycle` and `__rcycle` contain themselves.
  static let arguments: [String] = [
    "0", "1", "-1", "2", "3", "7", "64", "100000", "2147483648", "4611686018427387904",
    "9223372036854775807", "-9223372036854775807 - 1",
    "0.5", "-0.0", "1e-20", "1e300", "-1e300", "float(\"nan\")", "float(\"inf\")", "-float(\"inf\")",
    "true", "false", "nil",
    "\"\"", "\"x\"", "\"fuzz.txt\"", "\"missing/dir/f.txt\"", "\"a\\u{0}b\"", "\"é🙂\\r\\n\"", "\"x\" * 5000",
    "\"/dev/zero\"", "\"/dev/null\"", "\".\"", "\"CartPole-v1\"", "\"relu\"", "\"mean\"", "\"float32\"", "\"int64\"",
    "[]", "[1, 2, 3]", "[0.5, float(\"nan\")]", "[[1, 2], [3]]", "__cycle", "[\"a\", 1, nil]", "[[1.0, 2.0], [3.0, 4.0]]",
    "{}", "{a: 1}", "__rcycle", "{lr: -1, steps: 9223372036854775807, hidden: [100000, 100000]}",
    "zeros(0)", "zeros(0, 3)", "tensor(3.0)", "tensor([1, 2, 3])", "tensor([true, false])",
    "tensor([float(\"nan\"), float(\"inf\"), -float(\"inf\")])", "randn(2, 3)", "arange(6).reshape(2, 3)", "ones(1, 1, 1, 1)",
    "x => x", "(a, b) => nil", "() => 1", "x => error(\"boom\")",
    "range(5)", "range(-10, 9223372036854775807)", "0..0",
  ] + (0..<seedCount).map { "__seeds[\($0)]" }

  /// Receivers for the methods, and objects (envs, models, trainers) to pass as arguments.
  static let seedCount = 36
  static let receiverSetup = """
  let __cycle = []
  __cycle.push(__cycle)
  let __rcycle = {x: 1}
  __rcycle.me = __rcycle
  let __error = nil
  try { error("caught") } catch e { __error = e }
  let __seeds = [make("CartPole-v1"), make("FrozenLake-v1"), make("Pendulum-v1"), vec_env("CartPole-v1", n: 2),
                 mlp([4, 8, 2]), linear(2, 2), adam(linear(2, 2), lr: 0.01), box(0, 1, [2]), discrete(3),
                 "text", [1, 2], {a: 1}, 0..3, randn(2, 2), normal(zeros(2), ones(2)), categorical(zeros(3)),
                 ppo(make("CartPole-v1")), dqn(make("CartPole-v1")), replay_buffer(16),
                 char_tokenizer(["ab"]), gpt(8, d: 8, layers: 1, heads: 1, ctx: 4), 7, 2.5, true, x => x,
                 kl_controller(), running_mean_std(2), generator(1), review_corpus(), q_learning(make("FrozenLake-v1")),
                 bandit_agent(make("GaussianBandit-v0")), __error, record_episodes("CartPole-v1", episodes: 2, seed: 1),
                 bc(record_episodes("CartPole-v1", episodes: 1, seed: 2)),
                 reward_model(gpt(8, d: 8, layers: 1, heads: 1, ctx: 4), char_tokenizer(["ab"])),
                 ppo_lm(gpt(char_tokenizer(["ab"]).size, d: 8, layers: 1, heads: 1, ctx: 4), char_tokenizer(["ab"]), ["a"], (p, t) => 1.0, batch: 2, minibatch: 2, max_tokens: 2)]
  """

  struct Tally {
    var calls = 0, values = 0, errors = 0, interrupted = 0
    var internalErrors: [String] = []
    var slowest: [(seconds: Double, call: String)] = []
  }

  func testEveryBuiltinEndsInAValueOrAPavlovErrorOnAdversarialArguments() throws {
    let environment = ProcessInfo.processInfo.environment
    let perBuiltin = environment["PAVLOV_BUILTIN_FUZZ_CALLS"].flatMap { Int($0) } ?? 100
    let seed = environment["PAVLOV_FUZZ_SEED"].flatMap { UInt64($0) } ?? 0xB017_1B5
    let verbose = environment["PAVLOV_BUILTIN_FUZZ_VERBOSE"] == "1"
    let only = environment["PAVLOV_BUILTIN_FUZZ_ONLY"].map { Set($0.split(separator: ",").map(String.init)) }

    try withFuzzedRegistry { interp, targets, receivers in
      var calls: [String] = []
      var fuzzed = 0
      var random = FuzzRandom(seed: seed)
      for target in targets where only == nil || only!.contains(target.name) {
        if let type = target.receiverType, receivers[type] == nil { continue }
        fuzzed += 1
        for _ in 0..<(target.isProperty ? 1 : perBuiltin) { calls.append(Self.call(target, &random)) }
      }
      let missing = targets.filter { $0.receiverType != nil && receivers[$0.receiverType!] == nil }.map(\.name)
      fuzz(interp, calls, fuzzed: fuzzed, missing: missing, perBuiltin: perBuiltin, seed: seed, verbose: verbose)
    }
  }

  /// Runs `body` with an interpreter whose globals hold one receiver of each native type the
  /// setup makes (`__recv_TYPE`), every builtin as a `Target`, in a scratch folder with empty stdin;
  /// afterwards checks that the devices given as paths are still devices.
  func withFuzzedRegistry(_ body: (Interpreter, [Target], [String: Value]) throws -> Void) throws {
    // Files the calls write land in a scratch folder; stdin is empty (input() meets its end).
    let scratch = "/tmp/pavlov-builtin-fuzz-\(getpid())"
    mkdir(scratch, 0o755)
    let home = FileManager.default.currentDirectoryPath
    chdir(scratch)
    let savedStdin = dup(0)
    let devNull = open("/dev/null", O_RDONLY)
    dup2(devNull, 0)
    close(devNull)
    defer {
      dup2(savedStdin, 0)
      close(savedStdin)
      chdir(home)
      try? FileManager.default.removeItem(atPath: scratch)
    }

    let registry = Registry()
    Stdlib.register(into: registry)
    let interp = Interpreter(registry: registry)
    interp.write = { _ in }
    interp.statusIsTerminal = false
    do { _ = try interp.run(SourceFile(name: "setup", text: Self.receiverSetup), replMode: true) } catch {
      return XCTFail("the receiver setup failed: \(error.render())")
    }

    // Every builtin, in a fixed order: functions by name, then each type's members by name.
    var targets: [Target] = []
    for name in registry.allFunctions.keys.sorted() {
      targets.append(Target(name: name, params: registry.allFunctions[name]!.params))
    }
    for typeName in registry.types.keys.sorted() {
      let type = registry.types[typeName]!
      for name in type.methods.keys.sorted() {
        targets.append(Target(name: "\(typeName).\(name)", params: type.methods[name]!.params, receiverType: typeName))
      }
      for name in type.properties.keys.sorted() {
        targets.append(Target(name: "\(typeName).\(name)", params: [], receiverType: typeName, isProperty: true))
      }
    }

    var receivers: [String: Value] = [:]
    if case .list(let seeds)? = interp.globals.value(named: "__seeds") {
      for value in seeds.items where receivers[value.typeName] == nil { receivers[value.typeName] = value }
    }
    // Methods run on one receiver of their type, which earlier calls may change (as a user's would).
    for (type, value) in receivers { interp.globals.define(Self.receiverName(type), value) }
    try body(interp, targets, receivers)
    interp.tearDown()
    // The calls ran with the user's rights (root in CI): the devices they were given as paths
    // must still be devices (a save once renamed a file over /dev/null).
    for device in ["/dev/null", "/dev/zero"] {
      var info = stat()
      XCTAssertTrue(stat(device, &info) == 0 && (info.st_mode & S_IFMT) == S_IFCHR, "\(device) is no longer a device")
    }
  }

  func fuzz(_ interp: Interpreter, _ calls: [String], fuzzed: Int, missing: [String], perBuiltin: Int, seed: UInt64, verbose: Bool) {
    var tally = Tally()
    var settings = RobustnessTests.Settings()
    settings.count = calls.count
    settings.hangSeconds = 60
    settings.interruptSeconds = 1
    let started = Date()
    FuzzHarness.run(label: "builtin fuzz", settings: settings) { index in
      let call = calls[index]
      CrashReport.setCurrent("builtin call #\(index) (replay with PAVLOV_FUZZ_SEED=\(seed) and PAVLOV_BUILTIN_FUZZ_ONLY)", call)
      interp.stepLimit = 200_000
      let t0 = Date()
      do throws(PavlovError) {
        let value = try interp.run(SourceFile(name: "fuzz", text: call), replMode: true)
        let shown = Format.repr(value, limit: 1_000)
        if verbose { print("\(call)\n  = \(shown.prefix(100))") }
        tally.values += 1
      } catch {
        _ = error.render()
        if verbose { print("\(call)\n  ! \(error.message.prefix(100))") }
        if error.kind == .interrupt { tally.interrupted += 1 } else { tally.errors += 1 }
        if error.message.contains("internal error") && tally.internalErrors.count < 10 {
          tally.internalErrors.append("\(call)\n  → \(error.message)")
        }
      }
      _ = pavlov_take_interrupt()
      tally.calls += 1
      let seconds = Date().timeIntervalSince(t0)
      if tally.slowest.count < 5 || seconds > tally.slowest.last!.seconds {
        tally.slowest.append((seconds, call))
        tally.slowest.sort { $0.seconds > $1.seconds }
        if tally.slowest.count > 5 { tally.slowest.removeLast() }
      }
    }
    print("""
    builtin fuzz: \(tally.calls) calls of \(fuzzed) builtins (\(perBuiltin) each, seed \(seed)) in \(Int(Date().timeIntervalSince(started))) s: \
    \(tally.values) values, \(tally.errors) Pavlov errors, \(tally.interrupted) stopped by the watchdog's Ctrl-C
      types without a receiver (members not fuzzed): \(missing.isEmpty ? "none" : Set(missing.map { $0.split(separator: ".")[0] }).sorted().joined(separator: ", "))
      slowest: \(tally.slowest.map { String(format: "%.2f s %@", $0.seconds, String($0.call.prefix(80))) }.joined(separator: "; "))
    """)
    XCTAssertEqual(tally.calls, calls.count, "every call must end in a value or a Pavlov error")
    XCTAssertTrue(tally.internalErrors.isEmpty, "internal errors are bugs:\n" + tally.internalErrors.joined(separator: "\n"))
    XCTAssertGreaterThan(tally.values, 0)
    XCTAssertGreaterThan(tally.errors, 0)
  }

  /// Issue 25: every numeric setting declares the numbers it accepts (`Param.range`), and a value
  /// on the wrong side of any bound is an error naming the argument — never silent nonsense.
  func testEveryNumericSettingRefusesValuesOutsideItsRange() throws {
    try withFuzzedRegistry { interp, targets, receivers in
      let report = RangeProbe(interp: interp).run(targets.filter { !$0.isProperty && ($0.receiverType.map { receivers[$0] != nil } ?? true) })
      print(report.summary)
      XCTAssertTrue(report.undeclared.isEmpty, """
        these numeric settings declare no range (give their Param a `range:`, `.any` if every number is fine):
        \(report.undeclared.joined(separator: ", "))
        """)
      XCTAssertTrue(report.accepted.isEmpty, "values outside the declared range were not refused with an error naming the argument:\n"
                      + report.accepted.joined(separator: "\n"))
      XCTAssertGreaterThan(report.refused, 0)
    }
  }

  static func receiverName(_ type: String) -> String {
    "__recv_" + String(type.map { $0.isLetter || $0.isNumber ? $0 : "_" })
  }

  /// One call as source text: a random number of positional arguments (sometimes more than the
  /// builtin takes) and, now and then, a keyword argument by a parameter's own name.
  struct Target {
    var name: String
    var params: [Param]
    var receiverType: String? = nil
    var isProperty = false
  }

  /// How a call names the builtin: `randn`, or `__recv_tensor.sum` for a method.
  static func callee(_ target: Target) -> String {
    guard let receiverType = target.receiverType else { return target.name }
    return "\(receiverName(receiverType)).\(target.name.dropFirst(receiverType.count + 1))"
  }

  static func call(_ target: Target, _ random: inout FuzzRandom) -> String {
    let params = target.params
    let callee = callee(target)
    if target.isProperty { return callee }
    var parts: [String] = []
    let positional = random.below(params.count + 2)
    for _ in 0..<positional { parts.append(arguments[random.below(arguments.count)]) }
    let named = params.enumerated().filter { $0.offset >= positional && $0.element.kind == .positional }
    if !named.isEmpty && random.below(2) == 0 {
      let param = named[random.below(named.count)].element
      parts.append("\(param.name): \(arguments[random.below(arguments.count)])")
    }
    return "\(callee)(\(parts.joined(separator: ", ")))"
  }
}
