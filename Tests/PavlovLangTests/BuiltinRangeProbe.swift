import CPavlovSupport
import Foundation
import PavlovLang

/// Issue 25's check of argument ranges: every builtin with a numeric setting is called once with
/// arguments that work (found by trying the fuzzer's argument pool for its required parameters),
/// then again with each setting set to values just outside each bound it declares (and NaN, the
/// infinities, ±1e300). Every such call must fail with an error that names the setting.
struct RangeProbe {
  let interp: Interpreter

  struct Report {
    /// Settings without a declared range: `f(x)`.
    var undeclared: [String] = []
    /// Calls with an out-of-range value that returned a value or failed without naming it.
    var accepted: [String] = []
    var refused = 0
    var settings = 0
    /// Builtins no argument list from the pool could call: their settings went unprobed.
    var withoutBaseline: [String] = []
    var interrupted = 0

    var summary: String {
      """
      range probe: \(settings) numeric settings, \(refused) out-of-range calls refused naming the setting, \
      \(accepted.count) accepted, \(undeclared.count) settings without a range, \(interrupted) stopped by Ctrl-C
        builtins with settings no pooled arguments could call (unprobed): \(withoutBaseline.isEmpty ? "none" : withoutBaseline.joined(separator: ", "))
      """
    }
  }

  /// A number set by position or by name: a parameter whose default is a number, or that declares a range.
  static func isSetting(_ p: Param) -> Bool {
    guard p.kind == .positional || p.kind == .keywordOnly else { return false }
    if p.range != nil { return true }
    switch p.defaultValue {
    case .int?, .float?: return true
    default: return false
    }
  }

  /// Values outside `range`: NaN, the infinities, ±1e300, and each finite bound's neighbours.
  static func outside(_ range: ParamRange) -> [Double] {
    var values: [Double] = [.nan, .infinity, -.infinity, -1e300, 1e300, -1, 0, 1]
    for bound in [range.lower, range.upper] where bound.isFinite {
      values += [bound, bound - 1, bound + 1, bound - 1e-3, bound + 1e-3]
    }
    var seen = Set<Double>()
    return values.filter { !range.contains($0) && ($0.isNaN || seen.insert($0).inserted) }
  }

  static func literal(_ x: Double) -> String {
    if x.isNaN { return "float(\"nan\")" }
    if x.isInfinite { return x > 0 ? "float(\"inf\")" : "-float(\"inf\")" }
    if x == x.rounded() && abs(x) < 1e15 { return String(Int(x)) }
    return "float(\"\(x)\")"
  }

  func run(_ targets: [BuiltinFuzzTests.Target]) -> Report {
    var report = Report()
    let probed = targets.filter { $0.params.contains(where: Self.isSetting) }
    var random = FuzzRandom(seed: 0x2A_9E5)
    do { _ = try interp.run(SourceFile(name: "probe setup", text: Self.setup), replMode: true) } catch {
      report.accepted.append("the probe's setup failed: \(error.message)")
      return report
    }
    var settings = RobustnessTests.Settings()
    settings.count = probed.count
    settings.hangSeconds = 120
    settings.interruptSeconds = 20
    FuzzHarness.run(label: "range probe", settings: settings) { index in
      let target = probed[index]
      let settingParams = target.params.enumerated().filter { Self.isSetting($0.element) }
      report.settings += settingParams.count
      for (_, p) in settingParams where p.range == nil { report.undeclared.append("\(target.name)(\(p.name))") }
      let found = baseline(target, &random)
      guard case .success(let baseline) = found else {
        if case .failure(let last) = found { report.withoutBaseline.append("\(target.name) (\(last.message.prefix(100)))") }
        return
      }
      for (slot, p) in settingParams {
        guard let range = p.range else { continue }
        for value in Self.outside(range) {
          var parts = baseline
          if slot < parts.count { parts[slot] = Self.literal(value) } else { parts.append("\(p.name): \(Self.literal(value))") }
          let call = "\(callee(target))(\(parts.joined(separator: ", ")))"
          CrashReport.setCurrent("range probe of \(target.name)", call)
          switch outcome(call) {
          case .value(let shown): report.accepted.append("\(call) returned \(shown)")
          case .error(let message) where message.contains(p.name): report.refused += 1
          case .error(let message):
            // A stateful receiver may refuse every later call: only a still-working baseline counts.
            if case .success = works(target, baseline) {
              report.accepted.append("\(call) failed without naming `\(p.name)`: \(message.prefix(160))")
            }
          case .interrupted: report.interrupted += 1
          }
        }
      }
    }
    return report
  }

  func callee(_ target: BuiltinFuzzTests.Target) -> String {
    guard let receiver = Self.knownReceivers[target.name] else { return BuiltinFuzzTests.callee(target) }
    return "\(receiver).\(target.name.split(separator: ".")[1])"
  }

  /// Arguments that work for builtins whose required arguments the pool cannot make (a model
  /// with its tokenizer, preference pairs, tensors of matching shapes). `__lm` and `__tok` are
  /// defined by `setup`.
  static let setup = """
  let __tok = char_tokenizer(["ab."])
  let __lm = gpt(__tok.size, d: 8, layers: 1, heads: 1, ctx: 64)
  let __rlhf = ppo_lm(__lm.copy(), __tok, ["a"], (p, t) => 1.0, batch: 2, minibatch: 2, max_tokens: 2)
  let __venv = vec_env("CartPole-v1", n: 2)
  """
  /// Builtins that cannot finish here but read every setting before they stop: this error is
  /// where a good call ends (tune's trials re-run a script file, and the probe has none).
  static let knownEndings = ["tune": "needs a script file"]
  /// Receivers for methods the fuzzer's receiver of that type does not have (an mlp cannot generate).
  static let knownReceivers = ["model.generate": "__lm", "rlhf_trainer.train": "__rlhf"]
  static let knownBaselines: [String: [String]] = [
    "best_of_n": ["__lm", "__tok", "[\"a\"]", "(p, t) => 1.0"],
    "cat": ["[tensor([1.0]), tensor([2.0])]"],
    "stack": ["[tensor([1.0]), tensor([2.0])]"],
    "dpo": ["__lm.copy()", "__tok", "[{prompt: \"a\", chosen: \"b.\", rejected: \"a.\"}]"],
    "exit": [],
    "gae": ["zeros(2, 1)", "zeros(2, 1)", "zeros(2, 1)", "zeros(2, 1)", "zeros(1)"],
    "generate": ["__lm", "__tok", "\"a\""],
    "grpo": ["__lm", "__tok", "[\"a\"]", "(p, t) => 1.0"],
    "rloo": ["__lm", "__tok", "[\"a\"]", "(p, t) => 1.0"],
    "ppo_lm": ["__lm", "__tok", "[\"a\"]", "(p, t) => 1.0"],
    "kl_to": ["__lm", "__lm", "__tok", "[\"a\"]"],
    "win_rate": ["__lm", "__lm", "__tok", "[\"a\"]", "(p, t) => 1.0"],
    "ppo_loss": ["zeros(2)", "zeros(2)", "zeros(2)", "zeros(2)", "zeros(2)", "zeros(2)", "zeros(2)"],
    "pretrain": ["__lm.copy()", "__tok", "[\"ab.\"]"],
    "sft": ["__lm.copy()", "__tok", "[{prompt: \"a\", response: \"b.\"}]"],
    "rollout": ["__venv", "__venv.reset()", "mlp([4, 2])", "mlp([4, 1])"],
    "bandit_agent": ["make(\"GaussianBandit-v0\")"],
    "td_target": ["zeros(2)", "zeros(2, 3)", "zeros(2)"],
    "model.generate": ["[1]"],
    "rlhf_trainer.train": [],
    "review_corpus.answers": ["\"describe the pizza:\""],
    "pbt": ["{lr: [0.1, 0.2]}"],
    "ope": ["[1, 0]", "[0, 1]", "[0.5, 0.5]", "[[1.0, 0.0], [0.5, 0.5]]"],
    "ope_episodes": ["[{rewards: [1, 0], ratios: [1, 2]}]"],
    "tune": ["c => {score: 1.0}"],  // ends at knownEndings
    "reward_model.fit": ["[{prompt: \"a\", chosen: \"b\", rejected: \"a\"}]"],
  ]

  /// Arguments for the required parameters that make a call succeed: a known list, or one from
  /// the fuzzer's pool.
  func baseline(_ target: BuiltinFuzzTests.Target, _ random: inout FuzzRandom) -> Result<[String], LastError> {
    var last = LastError(message: "")
    if let known = Self.knownBaselines[target.name] {
      switch works(target, known) {
      case .success: return .success(known)
      case .failure(let error): last = error
      }
    }
    let required = target.params.filter { $0.kind == .positional && $0.defaultValue == nil }
    let pool = BuiltinFuzzTests.arguments
    for _ in 0..<(required.isEmpty ? 1 : 400) {
      let parts = required.map { _ in pool[random.below(pool.count)] }
      switch works(target, parts) {
      case .success: return .success(parts)
      case .failure(let error): last = error
      }
    }
    return .failure(last)
  }

  /// Whether the call with these arguments works (or ends where `knownEndings` says it must).
  func works(_ target: BuiltinFuzzTests.Target, _ parts: [String]) -> Result<Void, LastError> {
    switch outcome("\(callee(target))(\(parts.joined(separator: ", ")))") {
    case .value: return .success(())
    case .error(let message) where Self.knownEndings[target.name].map(message.contains) ?? false: return .success(())
    case .error(let message): return .failure(LastError(message: message))
    case .interrupted: return .failure(LastError(message: "stopped by Ctrl-C"))
    }
  }

  struct LastError: Error { var message: String }

  enum Outcome { case value(String), error(String), interrupted }

  func outcome(_ call: String) -> Outcome {
    interp.stepLimit = 200_000
    defer { _ = pavlov_take_interrupt() }
    do throws(PavlovError) {
      let value = try interp.run(SourceFile(name: "probe", text: call), replMode: true)
      return .value(Format.repr(value, limit: 80))
    } catch {
      switch error.kind {
      case .interrupt: return .interrupted
      case .exit: return .value("exit")  // exit(0) works by ending the script
      default: return .error(error.message)
      }
    }
  }
}
