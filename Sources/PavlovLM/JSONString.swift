/// JSON string literals, for the files PavlovLM writes by hand (tokenizers, preference lines).
enum JSONString {
  /// `s` as a JSON string: quotes, backslashes and control characters escaped, the rest as UTF-8.
  static func quoted(_ s: String) -> String {
    var out = "\""
    for c in s.unicodeScalars {
      switch c {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      case _ where c.value < 0x20:
        let hex = String(c.value, radix: 16)
        out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
      default: out.unicodeScalars.append(c)
      }
    }
    return out + "\""
  }
}
