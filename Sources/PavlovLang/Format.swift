import Glibc

/// Turning values into text: `str` (display), `repr` (quoted strings, for containers and the
/// REPL echo), and Python's format-spec mini-language for f-strings (`{x:.3f}`, `{n:>5}`).
public enum Format {
  /// What `print(x)` and `str(x)` show.
  public static func display(_ v: Value) -> String {
    if case .string(let s) = v { return s.value }
    return repr(v)
  }

  /// The source-like form: strings quoted; containers show their elements' repr.
  public static func repr(_ v: Value, limit: Int = Int.max) -> String {
    var out = ""
    var seen: [ObjectIdentifier] = []
    var truncated = false
    write(v, to: &out, seen: &seen, limit: limit, truncated: &truncated)
    if limit != Int.max && out.utf8.count > limit { return String(out.prefix(limit)) + "..." }
    return out
  }

  /// Python's `repr` of a float: the shortest digits that read back exactly, in fixed notation
  /// for 1e-4 <= |d| < 1e16 and scientific otherwise (`1e-05`, `1e+16`, `9500000000000000.0`).
  public static func float(_ d: Double) -> String {
    if d.isNaN { return "nan" }
    if d.isInfinite { return d < 0 ? "-inf" : "inf" }
    if d == 0 { return d.sign == .minus ? "-0.0" : "0.0" }
    let (digits, exponent) = shortestDigits(d.magnitude)
    let sign = d < 0 ? "-" : ""
    if exponent >= -4 && exponent < 16 {
      if exponent >= 0 {
        let whole = digits.count > exponent + 1 ? String(digits.prefix(exponent + 1))
          : digits + String(repeating: "0", count: exponent + 1 - digits.count)
        let fraction = digits.count > exponent + 1 ? String(digits.dropFirst(exponent + 1)) : "0"
        return sign + whole + "." + fraction
      }
      return sign + "0." + String(repeating: "0", count: -exponent - 1) + digits
    }
    let mantissa = digits.count > 1 ? "\(digits.prefix(1)).\(digits.dropFirst())" : digits
    let e = abs(exponent) < 10 ? "0\(abs(exponent))" : "\(abs(exponent))"
    return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + e
  }

  /// The shortest round-trip significant digits of a positive finite `d` (Swift's algorithm),
  /// without trailing zeros, and the decimal exponent of the first digit.
  static func shortestDigits(_ d: Double) -> (String, Int) {
    let text = d.description
    var digits = ""
    var exponent = 0
    let parts = text.split(whereSeparator: { $0 == "e" || $0 == "E" })
    let mantissa = parts.first.map(String.init) ?? text
    if parts.count > 1 { exponent = Int(parts[1]) ?? 0 }
    let pieces = mantissa.split(separator: ".", omittingEmptySubsequences: false)
    let whole = pieces.first.map(String.init) ?? ""
    let fraction = pieces.count > 1 ? String(pieces[1]) : ""
    if whole != "0" {
      digits = whole + fraction
      exponent += whole.count - 1
    } else {
      let zeros = fraction.prefix(while: { $0 == "0" }).count
      digits = String(fraction.dropFirst(zeros))
      exponent -= zeros + 1
    }
    while digits.count > 1 && digits.hasSuffix("0") { digits.removeLast() }
    return (digits.isEmpty ? "0" : digits, exponent)
  }

  public static func quoted(_ s: String) -> String {
    // Most strings need no escapes: copy them whole.
    if !s.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C || $0 == 0x7F }) { return "\"" + s + "\"" }
    // Escape byte by byte (UTF-8 multi-byte sequences never contain these bytes).
    var out: [UInt8] = [0x22]
    out.reserveCapacity(s.utf8.count + s.utf8.count / 8 + 2)
    for byte in s.utf8 {
      switch byte {
      case 0x22: out += [0x5C, 0x22]                 // \"
      case 0x5C: out += [0x5C, 0x5C]                 // \\
      case 0x0A: out += [0x5C, UInt8(ascii: "n")]
      case 0x09: out += [0x5C, UInt8(ascii: "t")]
      case 0x0D: out += [0x5C, UInt8(ascii: "r")]
      case 0x00: out += [0x5C, UInt8(ascii: "0")]
      case 0x01..<0x20, 0x7F: out += Array("\\u{\(String(byte, radix: 16))}".utf8)
      default: out.append(byte)
      }
    }
    out.append(0x22)
    return String(decoding: out, as: UTF8.self)
  }

  /// `str(x)` / `repr(x)` for values a script keeps: an error, never a silently cut string,
  /// when the text would pass the string size cap (`Ops.maxStringBytes`).
  public static func checkedText(_ v: Value, quoted: Bool) throws(PavlovError) -> String {
    if !quoted, case .string(let s) = v { return s.value }
    var out = ""
    var seen: [ObjectIdentifier] = []
    var truncated = false
    write(v, to: &out, seen: &seen, limit: Int.max, truncated: &truncated)
    if truncated || out.utf8.count > Ops.maxStringBytes {
      throw PavlovError.runtime("text of this \(v.typeName) is too large (the limit is \(Ops.maxStringBytes) bytes)",
                                hint: "is a loop growing a value without end?")
    }
    return out
  }

  static func write(_ v: Value, to out: inout String, seen: inout [ObjectIdentifier], limit: Int, truncated: inout Bool) {
    // utf8.count is O(1) for native strings; count (characters) would make printing quadratic.
    // Past the string size cap the caller reports an error, so stop building early.
    let size = out.utf8.count
    if size > Ops.maxStringBytes {
      truncated = true
      return
    }
    if limit != Int.max && size > limit { return }
    switch v {
    case .null, .undefined: out += "nil"
    case .bool(let b): out += b ? "true" : "false"
    case .int(let i): out += String(i)
    case .float(let d): out += float(d)
    case .string(let s):
      // A huge string is not copied (and escaped) only to be cut off afterwards.
      if size + s.value.utf8.count > Ops.maxStringBytes {
        truncated = true
        return
      }
      out += quoted(s.value)
    case .list(let l):
      let id = ObjectIdentifier(l)
      if seen.contains(id) || seen.count > 100 { out += "[...]"; return }
      seen.append(id)
      out += "["
      for (i, item) in l.items.enumerated() {
        if i > 0 { out += ", " }
        if limit != Int.max && out.utf8.count > limit { break }
        write(item, to: &out, seen: &seen, limit: limit, truncated: &truncated)
      }
      out += "]"
      seen.removeLast()
    case .record(let r):
      let id = ObjectIdentifier(r)
      if seen.contains(id) || seen.count > 100 { out += "{...}"; return }
      seen.append(id)
      out += "{"
      for (i, (k, item)) in zip(r.keys, r.values).enumerated() {
        if i > 0 { out += ", " }
        if limit != Int.max && out.utf8.count > limit { break }
        switch k {
        case .string(let s): out += isIdentifier(s) ? s : quoted(s)
        case .int(let n): out += String(n)
        }
        out += ": "
        write(item, to: &out, seen: &seen, limit: limit, truncated: &truncated)
      }
      out += "}"
      seen.removeLast()
    case .range(let r):
      out += r.step == 1 ? "\(r.start)..\(r.end)" : "range(\(r.start), \(r.end), \(r.step))"
    case .function(let f):
      switch f {
      case let c as Closure: out += "<fn \(c.name)(\(c.parameterNames.joined(separator: ", ")))>"
      case let b as BuiltinFunction: out += "<builtin \(b.signature)>"
      case let m as BoundMethod: out += "<method \(m.method.signature)>"
      default: out += "<fn \(f.name)>"
      }
    case .object(let o): out += o.displayString
    case .cell(let c): write(c.value, to: &out, seen: &seen, limit: limit, truncated: &truncated)
    }
  }

  static func isIdentifier(_ s: String) -> Bool {
    guard let first = s.utf8.first, Lexer.isIdentStart(first), first < 0x80 else { return false }
    if Keyword(rawValue: s) != nil { return false }
    return s.utf8.allSatisfy { ($0 < 0x80 && Lexer.isIdentStart($0)) || Lexer.isDigit($0) }
  }

  // MARK: - Format specs

  struct Spec {
    var fill: Character = " "
    var align: Character? = nil
    var sign: Character = "-"
    var zero = false
    var width = 0
    var grouping: Character? = nil
    var precision: Int? = nil
    var type: Character? = nil
  }

  static func parseSpec(_ text: String) throws(PavlovError) -> Spec {
    var spec = Spec()
    var chars = Array(text)
    var i = 0
    func isAlign(_ c: Character) -> Bool { c == "<" || c == ">" || c == "^" || c == "=" }
    if chars.count >= 2 && isAlign(chars[1]) {
      spec.fill = chars[0]; spec.align = chars[1]; i = 2
    } else if let c = chars.first, isAlign(c) {
      spec.align = c; i = 1
    }
    if i < chars.count, chars[i] == "+" || chars[i] == "-" || chars[i] == " " { spec.sign = chars[i]; i += 1 }
    if i < chars.count, chars[i] == "0" { spec.zero = true; i += 1 }
    var width = ""
    while i < chars.count, chars[i].isASCII, chars[i].isNumber { width.append(chars[i]); i += 1 }
    if !width.isEmpty {
      // Past the caps the result would be useless or huge: an error, never a silent cut.
      guard let w = Int(width), w <= 10_000 else { throw badSpec(text, "the width \(width) is more than 10000") }
      spec.width = w
    }
    if i < chars.count, chars[i] == "," || chars[i] == "_" { spec.grouping = chars[i]; i += 1 }
    if i < chars.count, chars[i] == "." {
      i += 1
      var p = ""
      while i < chars.count, chars[i].isASCII, chars[i].isNumber { p.append(chars[i]); i += 1 }
      guard !p.isEmpty else { throw badSpec(text, "a precision must follow `.`") }
      guard let precision = Int(p), precision <= 100 else { throw badSpec(text, "the precision \(p) is more than 100") }
      spec.precision = precision
    }
    if i < chars.count { spec.type = chars[i]; i += 1 }
    if i < chars.count { throw badSpec(text, "unexpected `\(String(chars[i...]))`") }
    chars.removeAll()
    return spec
  }

  static func badSpec(_ text: String, _ why: String) -> PavlovError {
    .runtime("invalid format spec `\(text)`: \(why)",
             hint: "specs look like `.3f` (3 decimals), `>8` (right-align in 8), `,d` (thousands), `.1%` (percent), `08.2f`")
  }

  /// Formats `v` by a Python-style format spec.
  public static func format(_ given: Value, spec text: String) throws(PavlovError) -> String {
    if text.isEmpty { return try checkedText(given, quoted: false) }
    let v = given.scalarOrSelf
    let spec = try parseSpec(text)
    var body: String
    var isNumber = false
    switch (v, spec.type) {
    case (.int(let i), nil), (.int(let i), "d"), (.int(let i), "n"):
      isNumber = true
      if spec.precision != nil && spec.type == nil { body = cFormat(Double(i), precision: spec.precision ?? 6, conversion: "f") }
      else { body = group(String(i.magnitude), spec.grouping) }
      if spec.precision == nil || spec.type != nil { body = (i < 0 ? "-" : "") + body }
    case (.bool(let b), nil): body = b ? "true" : "false"
    case (.int(let i), "x"): isNumber = true; body = (i < 0 ? "-" : "") + String(i.magnitude, radix: 16)
    case (.int(let i), "X"): isNumber = true; body = (i < 0 ? "-" : "") + String(i.magnitude, radix: 16).uppercased()
    case (.int(let i), "o"): isNumber = true; body = (i < 0 ? "-" : "") + String(i.magnitude, radix: 8)
    case (.int(let i), "b"): isNumber = true; body = (i < 0 ? "-" : "") + String(i.magnitude, radix: 2)
    case (.float, "d"), (.float, "x"), (.float, "X"), (.float, "o"), (.float, "b"), (.float, "n"), (.float, "s"):
      throw badSpec(text, "type `\(spec.type.map(String.init) ?? "")` is for ints; format a float with f, e, g or %")
    case (.int, "f"), (.int, "F"), (.int, "e"), (.int, "E"), (.int, "g"), (.int, "G"), (.int, "%"),
         (.float, _), (.bool, "f"):
      isNumber = true
      guard let d = Ops.asDouble(v) else { throw badSpec(text, "not a number") }
      body = try formatFloat(d, spec, text)
    case (.string(let s), nil), (.string(let s), "s"):
      body = s.value
      if let p = spec.precision { body = String(body.unicodeScalars.prefix(p).map(Character.init)) }
    case (_, nil), (_, "s"):
      body = try checkedText(v, quoted: false)
    default:
      throw badSpec(text, "type `\(spec.type.map(String.init) ?? "")` does not apply to \(v.typeName)")
    }
    if isNumber {
      if spec.sign == "+" && !body.hasPrefix("-") { body = "+" + body }
      else if spec.sign == " " && !body.hasPrefix("-") { body = " " + body }
    }
    return pad(body, spec, numeric: isNumber)
  }

  static func formatFloat(_ d: Double, _ spec: Spec, _ text: String) throws(PavlovError) -> String {
    if let type = spec.type, !"fFeEgG%".contains(type) {
      throw badSpec(text, "type `\(type)` does not apply to a float; use f, e, g or % (or none)")
    }
    if d.isNaN { return "nan" }
    if d.isInfinite { return d < 0 ? "-inf" : "inf" }
    switch spec.type {
    case "f", "F":
      return groupFloat(cFormat(d, precision: spec.precision ?? 6, conversion: "f"), spec.grouping)
    case "e", "E":
      let s = cFormat(d, precision: spec.precision ?? 6, conversion: "e")
      return spec.type == "E" ? s.uppercased() : s
    case "g", "G":
      let s = cFormat(d, precision: spec.precision ?? 6, conversion: "g")
      return spec.type == "G" ? s.uppercased() : s
    case "%":
      return cFormat(d * 100, precision: spec.precision ?? 6, conversion: "f") + "%"
    default:
      if let p = spec.precision { return groupFloat(generalWithoutType(d, precision: max(p, 1)), spec.grouping) }
      return groupFloat(float(d), spec.grouping)
    }
  }

  /// Python's format for a float with a precision and no type: like `g`, but scientific from
  /// exponent p-1 on, and fixed notation keeps a digit after the point ({1.0:.3} is 1.0).
  static func generalWithoutType(_ d: Double, precision p: Int) -> String {
    let scientific = cFormat(d, precision: p - 1, conversion: "e")
    let exponent = Int(scientific.split(separator: "e").last ?? "0") ?? 0
    if exponent < -4 || exponent >= p - 1 {
      let parts = scientific.split(separator: "e")
      var mantissa = String(parts.first ?? "")
      if mantissa.contains(".") {
        while mantissa.hasSuffix("0") { mantissa.removeLast() }
        if mantissa.hasSuffix(".") { mantissa.removeLast() }
      }
      return mantissa + "e" + (parts.count > 1 ? String(parts[1]) : "+00")
    }
    var fixed = cFormat(d, precision: max(0, p - 1 - exponent), conversion: "f")
    if fixed.contains(".") {
      while fixed.hasSuffix("0") { fixed.removeLast() }
      if fixed.hasSuffix(".") { fixed += "0" }
    } else {
      fixed += ".0"
    }
    return fixed
  }

  static func cFormat(_ d: Double, precision: Int, conversion: Character) -> String {
    var buffer = [CChar](repeating: 0, count: 512)
    let format = "%.\(precision)\(conversion)"
    let n = withVaList([d]) { args in vsnprintf(&buffer, buffer.count, format, args) }
    if n >= buffer.count {
      buffer = [CChar](repeating: 0, count: Int(n) + 1)
      _ = withVaList([d]) { args in vsnprintf(&buffer, buffer.count, format, args) }
    }
    return String(cString: buffer)
  }

  static func group(_ digits: String, _ separator: Character?) -> String {
    guard let separator else { return digits }
    var out: [Character] = []
    for (i, c) in digits.reversed().enumerated() {
      if i > 0 && i % 3 == 0 { out.append(separator) }
      out.append(c)
    }
    return String(out.reversed())
  }

  static func groupFloat(_ s: String, _ separator: Character?) -> String {
    guard separator != nil else { return s }
    let negative = s.hasPrefix("-")
    let body = negative ? String(s.dropFirst()) : s
    let parts = body.split(separator: ".", maxSplits: 1)
    guard let intPart = parts.first, intPart.allSatisfy(\.isNumber) else { return s }
    let grouped = group(String(intPart), separator) + (parts.count > 1 ? "." + parts[1] : "")
    return (negative ? "-" : "") + grouped
  }

  static func pad(_ body: String, _ spec: Spec, numeric: Bool) -> String {
    let length = body.count
    guard spec.width > length else { return body }
    let n = spec.width - length
    if spec.zero && spec.align == nil && numeric {
      let signed = body.hasPrefix("-") || body.hasPrefix("+") || body.hasPrefix(" ")
      let sign = signed ? String(body.prefix(1)) : ""
      return sign + String(repeating: "0", count: n) + (signed ? String(body.dropFirst()) : body)
    }
    let fill = String(spec.fill)
    switch spec.align ?? (numeric ? ">" : "<") {
    case ">": return String(repeating: fill, count: n) + body
    case "^": return String(repeating: fill, count: n / 2) + body + String(repeating: fill, count: n - n / 2)
    case "=":
      let signed = body.hasPrefix("-") || body.hasPrefix("+")
      return signed ? String(body.prefix(1)) + String(repeating: fill, count: n) + body.dropFirst()
        : String(repeating: fill, count: n) + body
    default: return body + String(repeating: fill, count: n)
    }
  }
}
