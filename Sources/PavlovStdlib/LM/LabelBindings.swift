import CPavlovSupport
import Glibc
import PavlovCore
import PavlovLang
import PavlovLM

/// `label(items, by:, out:)`: turns pairs of answers into preferences, labeled by a Pavlov
/// function, a scoring model or a human at the terminal. With `out:`, every label reaches the
/// file as soon as it is given, and a second run skips what the file already holds.
enum LabelBindings {
  static func register(_ r: Registry) {
    r.function("label", [
      Param("items", doc: "a list of records {prompt, a, b}: two answers to the same prompt"),
      Param("by", doc: "a function (prompt, text) => score (higher wins), a scoring model, or \"human\" (asks at the terminal)"),
      Param("out", default: .null, doc: "a JSONL file that gets each label as it is given; items it already labels are not asked again"),
      Param("input", default: .null, doc: "for \"human\": a list of typed lines to use instead of standard input (scripted sessions)"),
    ], doc: "Labels pairs of answers; returns records {prompt, chosen, rejected} in item order (ties and skips left out).") { args in
      let items = try parseItems(args[0])
      let outPath: String? = args.isNull(2) ? nil : try args.string(2)
      if !args.isNull(3), case .string(let s) = args[1], s.value == "human" {} else if !args.isNull(3) {
        throw PavlovError.runtime("label: `input` (typed lines) is only for by: \"human\"", hint: "drop input:, or label with by: \"human\"")
      }
      var session = try Session(items: items, outPath: outPath, warn: args.interpreter.writeStatus)
      switch args[1] {
      case .function:
        try session.label { i in
          let item = items[i]
          return (try score(args.call(args[1], [.str(item.prompt), .str(item.a)])), try score(args.call(args[1], [.str(item.prompt), .str(item.b)])))
        }
      case .object(let o as ScoringValue):
        let pending = session.pending.map { items[$0] }
        let scores = try o.scores(prompts: pending.flatMap { [$0.prompt, $0.prompt] }, texts: pending.flatMap { [$0.a, $0.b] })
        guard scores.count == 2 * pending.count else {
          throw PavlovError.runtime("label: the scoring model gave \(scores.count) scores for \(2 * pending.count) texts")
        }
        if scores.contains(where: \.isNaN) { throw PavlovError.runtime("label: the scoring model gave a nan score", hint: "check the model for nan weights") }
        var byItem: [Int: (Double, Double)] = [:]
        for (k, i) in session.pending.enumerated() { byItem[i] = (scores[2 * k], scores[2 * k + 1]) }
        try session.label { i in byItem[i] ?? (0, 0) }
      case .string(let s) where s.value == "human":
        let input: LineInput = args.isNull(3) ? .standardInput : .lines(try DataBindings.strings(args[3], "label", "input"))
        try session.askHuman(input, write: args.interpreter.write)
      default:
        throw PavlovError.runtime("label: `by` must be a function (prompt, text) => score, a scoring model or \"human\", got \(Format.repr(args[1], limit: 40))",
                                  hint: "label(items, by: (prompt, text) => gold_score(prompt, text)) or label(items, by: \"human\")")
      }
      return .list(PList(session.results.compactMap { $0.map(DataBindings.record) }))
    }
  }

  /// One comparison to make.
  struct Item {
    let prompt: String, a: String, b: String
    /// Identifies the comparison whatever the order of the answers.
    var key: Key { Key(prompt: prompt, first: min(a, b), second: max(a, b)) }
  }

  struct Key: Hashable { let prompt: String, first: String, second: String }

  private static func parseItems(_ v: Value) throws(PavlovError) -> [Item] {
    guard case .list(let list) = v else {
      throw PavlovError.runtime("label: `items` must be a list of records {prompt, a, b}, got \(v.typeName)",
                                hint: "items = [{prompt: \"review of the pizza:\", a: \" the pizza was great.\", b: \" the pizza was bad.\"}]")
    }
    var items: [Item] = []
    for (i, item) in list.items.enumerated() {
      let f = try DataBindings.fields(item, ["prompt", "a", "b"], "label", "items[\(i)]")
      items.append(Item(prompt: f[0], a: f[1], b: f[2]))
    }
    return items
  }

  private static func score(_ v: Value) throws(PavlovError) -> Double {
    let d: Double
    switch v.scalarOrSelf {
    case .int(let i): d = Double(i)
    case .float(let x): d = x
    default: throw PavlovError.runtime("label: the `by` function must return a number (higher is better), got \(v.typeName)")
    }
    guard !d.isNaN else { throw PavlovError.runtime("label: the `by` function returned nan", hint: "return a number: higher means a better answer") }
    return d
  }

  /// Where a human's answers come from.
  enum LineInput {
    case standardInput
    case lines([String])
  }

  /// The state of one `label` call: what is known, what is left, and the log file.
  struct Session {
    let items: [Item]
    var results: [PreferencePair?]
    /// Indices of items still to label, in order.
    var pending: [Int] = []
    var known: [Key: PreferencePair] = [:]
    var resumed = 0
    let log: LabelLog?

    init(items: [Item], outPath: String?, warn: (String) -> Void) throws(PavlovError) {
      self.items = items
      results = Array(repeating: nil, count: items.count)
      if let outPath, Posix.exists(outPath) {
        for pair in try DataBindings.resumePreferenceLog(outPath, "label", warn: warn) {
          known[Key(prompt: pair.prompt, first: min(pair.chosen, pair.rejected), second: max(pair.chosen, pair.rejected))] = pair
        }
      }
      for (i, item) in items.enumerated() where item.a != item.b {
        if let pair = known[item.key] {
          results[i] = pair
          resumed += 1
        } else {
          pending.append(i)
        }
      }
      if let outPath { log = try LabelLog(outPath) } else { log = nil }
    }

    /// Records a label: in the results, for later duplicates, and in the log.
    mutating func record(_ i: Int, _ pair: PreferencePair, sync: Bool) throws(PavlovError) {
      results[i] = pair
      known[items[i].key] = pair
      try log?.append(pair, sync: sync)
    }

    /// Labels every pending item (by its index in `items`) from two scores; equal scores are a tie (no label).
    mutating func label(_ scores: (Int) throws -> (Double, Double)) throws {
      for i in pending {
        let item = items[i]
        if let pair = known[item.key] { results[i] = pair; continue }
        let (sa, sb) = try scores(i)
        if sa == sb { continue }
        try record(i, PreferencePair(prompt: item.prompt, chosen: sa > sb ? item.a : item.b, rejected: sa > sb ? item.b : item.a), sync: false)
      }
      try log?.sync()
    }

    /// Asks for each pending item: 1 or 2 picks an answer, s skips, q (or the end of the input) stops.
    mutating func askHuman(_ input: LineInput, write: (String) -> Void) throws {
      var lines: [String] = []
      if case .lines(let given) = input { lines = given.reversed() }
      let echo: Bool
      if case .standardInput = input { echo = isatty(0) == 0 } else { echo = true }
      func readLine() throws(PavlovError) -> String? {
        if case .lines = input { return lines.popLast() }
        fflush(stdout)
        return try StandardInput.readLine()
      }

      var intro = "Labeling \(pending.count) pair\(pending.count == 1 ? "" : "s"): type 1 or 2 for the better answer, s to skip, q to stop."
      if resumed > 0 { intro += " (\(resumed) already labeled in \(log?.path ?? "the file"))" }
      write(intro + "\n")
      var labeled = 0, skipped = 0
      var stopped = false
      for (n, i) in pending.enumerated() where !stopped {
        let item = items[i]
        if let pair = known[item.key] { results[i] = pair; continue }
        write("\n[\(n + 1)/\(pending.count)] \(item.prompt)\n  1)\(spaced(item.a))\n  2)\(spaced(item.b))\n")
        while true {
          write("better answer (1/2, s skip, q quit): ")
          guard let line = try readLine() else {
            write("\n")
            stopped = true
            break
          }
          if echo { write(line + "\n") }
          let answer = String(line.unicodeScalars.filter { $0 != "\r" && $0 != "\t" }).trimmingSpaces.lowercased()
          if answer == "1" || answer == "2" {
            let first = answer == "1"
            try record(i, PreferencePair(prompt: item.prompt, chosen: first ? item.a : item.b, rejected: first ? item.b : item.a), sync: true)
            labeled += 1
          } else if answer == "s" {
            skipped += 1
          } else if answer == "q" {
            stopped = true
          } else {
            write("please type 1, 2, s or q\n")
            continue
          }
          break
        }
      }
      var summary = "\nlabeled \(labeled), skipped \(skipped)"
      if stopped { summary += ", stopped with \(pending.count - labeled - skipped) left" }
      if let log { summary += "; labels are in \(log.path)" }
      write(summary + "\n")
    }

    /// Answers usually start with a space (they follow the prompt's colon); show one either way.
    private func spaced(_ text: String) -> String { text.hasPrefix(" ") ? text : " " + text }
  }
}

/// The `out:` file of `label`: opened once for appending; each label is one `write` of a whole
/// line (so Ctrl-C cannot cut one), flushed to disk at once for a human's labels.
final class LabelLog {
  private let log: AppendLog

  init(_ path: String) throws(PavlovError) {
    try Posix.check(path, "label")
    // A file cut mid-line gets a newline first, so the next label starts a line of its own.
    do { log = try AppendLog(path, separateFromPartialLine: true) } catch { throw Posix.failure("label", error) }
  }

  var path: String { log.path }

  func append(_ pair: PreferencePair, sync: Bool) throws(PavlovError) {
    do { try log.append(Array((pair.jsonLine + "\n").utf8)) } catch { throw Posix.failure("label", error) }
    if sync { try self.sync() }
  }

  func sync() throws(PavlovError) {
    do { try log.sync() } catch { throw Posix.failure("label", error) }
  }
}
