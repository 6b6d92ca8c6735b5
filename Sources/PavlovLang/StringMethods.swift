/// Methods of strings: `s.split(",")`, `s.upper()`, ...
///
/// Strings are sequences of Unicode code points, as in Python: `len`, indexing, slicing and every
/// method count and match code points (searches match UTF-8 bytes, which is the same thing),
/// never grapheme clusters. So "\r\n" is two characters, `"a\r\n".ends_with("\n")` is true, and
/// "e" followed by a combining accent is two.
enum StringMethods {
  static func string(_ args: Args) -> String {
    if case .string(let s) = args.receiver { return s.value }
    return ""
  }

  static func register(_ t: NativeType) {
    t.method("split", [Param("sep", default: .null, doc: "nil splits on runs of whitespace"), Param("limit", default: .int(-1), range: .atLeast(-1))],
             doc: "The parts between occurrences of `sep`.") { args in
      let s = string(args)
      let limit = try args.int(1)
      if args.isNull(0) {
        let parts = s.unicodeScalars.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" })
        return .list(PList(parts.map { .str(String($0)) }))
      }
      let sep = try args.string(0)
      guard !sep.isEmpty else { throw PavlovError.runtime("split: the separator cannot be empty", hint: "use list(s) to get characters") }
      // Cut at byte offsets: a match of whole UTF-8 sequences starts and ends on code points.
      var cuts: [Int] = []
      s.forEachUTF8Occurrence(of: sep) { if limit < 0 || cuts.count < limit { cuts.append($0) } }
      let bytes = Array(s.utf8), width = sep.utf8.count
      var parts: [Value] = []
      var start = 0
      for cut in cuts {
        parts.append(.str(String(decoding: bytes[start..<cut], as: UTF8.self)))
        start = cut + width
      }
      parts.append(.str(String(decoding: bytes[start...], as: UTF8.self)))
      return .list(PList(parts))
    }
    t.method("lines", doc: "The lines of the text, without their line breaks.") { args in
      .list(PList(string(args).unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false)
        .map { .str(String($0.last == "\r" ? $0.dropLast() : $0)) }))
    }
    t.method("strip", [Param("chars", default: .str(" \t\n\r"))], doc: "Without leading and trailing `chars` (whitespace by default).") { args in
      .str(string(args).trimmingCharacters(in: try args.string(0)))
    }
    t.method("upper", doc: "In upper case.") { args in .str(string(args).uppercased()) }
    t.method("lower", doc: "In lower case.") { args in .str(string(args).lowercased()) }
    t.method("replace", [Param("old"), Param("new")], doc: "Every `old` replaced by `new`.") { args in
      let old = try args.string(0), new = try args.string(1)
      guard !old.isEmpty else { throw PavlovError.runtime("replace: `old` cannot be empty") }
      let s = string(args)
      // Check the size before building it: repeated replacing can grow a string without end.
      if new.utf8.count > old.utf8.count {
        let occurrences = s.count(of: old)
        try Ops.checkStringSize(s.utf8.count + occurrences * (new.utf8.count - old.utf8.count))
      }
      return .str(s.replacingAll(old, with: new))
    }
    t.method("starts_with", [Param("prefix")], doc: "True if the text begins with `prefix`.") { args in
      .bool(string(args).utf8.starts(with: try args.string(0).utf8))
    }
    t.method("ends_with", [Param("suffix")], doc: "True if the text ends with `suffix`.") { args in
      .bool(string(args).utf8.reversed().starts(with: try args.string(0).utf8.reversed()))
    }
    t.method("find", [Param("sub")], doc: "The character position of the first `sub`, or -1.") { args in
      let s = string(args), sub = try args.string(0)
      if sub.isEmpty { return .int(0) }
      var first: Int?
      s.forEachUTF8Occurrence(of: sub) { if first == nil { first = $0 } }
      guard let first else { return .int(-1) }
      // The code point index: the bytes before the match that start a code point.
      return .int(s.utf8.prefix(first).reduce(0) { $0 + ($1 & 0xC0 == 0x80 ? 0 : 1) })
    }
    t.method("contains", [Param("sub")], doc: "True if `sub` occurs in the text (the same as `sub in s`).") { args in
      .bool(string(args).containsCodePoints(try args.string(0)))
    }
    t.method("count", [Param("sub")], doc: "How many non-overlapping times `sub` occurs.") { args in
      let sub = try args.string(0)
      guard !sub.isEmpty else { throw PavlovError.runtime("count: `sub` cannot be empty") }
      var n = 0
      var rest = Substring(string(args))
      while let range = rest.range(of: sub) { n += 1; rest = rest[range.upperBound...] }
      return .int(n)
    }
    t.method("format", [Param("values", kind: .variadic)], doc: "Fills `{}` (in order) or `{0}` (by position) placeholders, with optional specs: \"{:.2f}\".format(x).") { args in
      guard case .list(let values) = args[0] else { return .null }
      return .str(try formatPlaceholders(string(args), values.items))
    }
    t.method("join", [Param("items")], doc: "The items as text with this string between them: \", \".join(xs).") { args in
      .str(try joined(try CoreLibrary.iterate(args[0], args.interpreter), separator: string(args)))
    }
    t.method("slice", [Param("start", default: .null), Param("end", default: .null)], doc: "The characters from `start` to `end`.") { args in
      try Ops.slice(args.receiver, args[0], args[1], .null)
    }
    t.method("is_digit", doc: "True if non-empty and every character is 0-9.") { args in
      let s = string(args)
      return .bool(!s.isEmpty && s.unicodeScalars.allSatisfy { $0.value >= 48 && $0.value <= 57 })
    }
    t.method("pad_left", [Param("width", range: padRange), Param("fill", default: .str(" "))], doc: "Right-aligned in `width` characters.") { args in
      let s = string(args), w = try padWidth(args), fill = try args.string(1)
      let n = max(0, w - s.unicodeScalars.count)
      return .str(String(repeating: fill.isEmpty ? " " : fill, count: n) + s)
    }
    t.method("pad_right", [Param("width", range: padRange), Param("fill", default: .str(" "))], doc: "Left-aligned in `width` characters.") { args in
      let s = string(args), w = try padWidth(args), fill = try args.string(1)
      let n = max(0, w - s.unicodeScalars.count)
      return .str(s + String(repeating: fill.isEmpty ? " " : fill, count: n))
    }
    t.property("length", doc: "The number of characters.") { v in
      if case .string(let s) = v { return .int(s.count) }
      return .int(0)
    }
  }

  /// A padding width: more than 100,000 is an error, not a silent cut.
  /// Widths up to 100,000 characters; a negative one pads nothing, as in Python.
  static let padRange = ParamRange(lower: -.infinity, lowerOpen: true, upper: 100_000)

  static func padWidth(_ args: Args) throws(PavlovError) -> Int { max(0, try args.int(0)) }

  /// The items' text joined by `separator`, refusing (before allocating) a result past the cap.
  static func joined(_ items: [Value], separator: String) throws(PavlovError) -> String {
    var parts: [String] = []
    parts.reserveCapacity(items.count)
    var total = separator.utf8.count * max(0, items.count - 1)
    for item in items {
      let text = try Format.checkedText(item, quoted: false)
      total += text.utf8.count
      try Ops.checkStringSize(total)
      parts.append(text)
    }
    return parts.joined(separator: separator)
  }

  /// `"{} of {:.1f}".format(a, b)` and `"{1} {0}"`.
  static func formatPlaceholders(_ template: String, _ values: [Value]) throws(PavlovError) -> String {
    var out = ""
    var auto = 0
    let chars = Array(template)
    var i = 0
    while i < chars.count {
      let c = chars[i]
      if c == "{" {
        if i + 1 < chars.count && chars[i + 1] == "{" { out.append("{"); i += 2; continue }
        guard let close = chars[i...].firstIndex(of: "}") else {
          throw PavlovError.runtime("format: `{` without a closing `}`", hint: "write `{{` for a literal brace")
        }
        let inside = String(chars[(i + 1)..<close])
        let parts = inside.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        let field = parts.first.map(String.init) ?? ""
        let spec = parts.count > 1 ? String(parts[1]) : ""
        let index: Int
        if field.isEmpty { index = auto; auto += 1 }
        else if let n = Int(field) { index = n }
        else { throw PavlovError.runtime("format: placeholder `{\(inside)}` must be empty or a position like {0}") }
        guard index >= 0 && index < values.count else {
          throw PavlovError.runtime("format: placeholder {\(index)} has no value (\(values.count) given)")
        }
        out += try Format.format(values[index], spec: spec)
        i = close + 1
        continue
      }
      if c == "}" {
        if i + 1 < chars.count && chars[i + 1] == "}" { out.append("}"); i += 2; continue }
        throw PavlovError.runtime("format: single `}`", hint: "write `}}` for a literal brace")
      }
      out.append(c)
      i += 1
    }
    return out
  }
}

extension String {
  /// Whether `needle` occurs, matching code points (UTF-8 bytes), not grapheme clusters.
  func containsCodePoints(_ needle: String) -> Bool {
    if needle.isEmpty { return true }
    var found = false
    forEachUTF8Occurrence(of: needle) { _ in found = true }
    return found
  }

  /// Calls `found` with the byte offset of each non-overlapping occurrence of `needle` (not
  /// empty) in the UTF-8 text. Matching whole UTF-8 sequences on bytes is exact, and much
  /// faster than matching by scalar.
  func forEachUTF8Occurrence(of needle: String, _ found: (Int) -> Void) {
    var hay = self, pattern = needle
    hay.withUTF8 { h in
      pattern.withUTF8 { p in
        guard let first = p.first, p.count <= h.count else { return }
        var i = 0
        let last = h.count - p.count
        while i <= last {
          if h[i] == first {
            var k = 1
            while k < p.count && h[i + k] == p[k] { k += 1 }
            if k == p.count { found(i); i += p.count; continue }
          }
          i += 1
        }
      }
    }
  }

  /// Non-overlapping occurrences of `needle` (not empty).
  func count(of needle: String) -> Int {
    var n = 0
    forEachUTF8Occurrence(of: needle) { _ in n += 1 }
    return n
  }

  func replacingAll(_ old: String, with new: String) -> String {
    var hay = self
    let replacement = Array(new.utf8), width = old.utf8.count
    var out: [UInt8] = []
    var start = 0
    hay.withUTF8 { h in
      out.reserveCapacity(h.count)
      forEachUTF8Occurrence(of: old) { p in
        out.append(contentsOf: h[start..<p])
        out.append(contentsOf: replacement)
        start = p + width
      }
      out.append(contentsOf: h[start...])
    }
    return String(decoding: out, as: UTF8.self)
  }
}

extension StringProtocol {
  /// A plain substring search (the standard library has one only through Foundation).
  func range(of needle: String) -> Range<Index>? {
    let n = needle.unicodeScalars
    guard let first = n.first else { return startIndex..<startIndex }
    var i = unicodeScalars.startIndex
    while i < unicodeScalars.endIndex {
      if unicodeScalars[i] == first {
        var j = i, k = n.startIndex
        while k < n.endIndex, j < unicodeScalars.endIndex, unicodeScalars[j] == n[k] {
          j = unicodeScalars.index(after: j)
          k = n.index(after: k)
        }
        if k == n.endIndex { return i..<j }
      }
      i = unicodeScalars.index(after: i)
    }
    return nil
  }
}
