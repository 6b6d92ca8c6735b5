import PavlovLang

/// One field of a CSV file, and whether it was written in quotes (a quoted field is always
/// text: `"12"` stays a string and `""` an empty string, while 12 and an empty field are
/// a number and nil).
struct CSVField {
  var text: String
  var quoted: Bool
}

/// RFC 4180 CSV: comma-separated fields, double-quoted fields may hold commas, newlines and
/// doubled quotes; lines end with LF or CRLF; empty lines are skipped.
enum CSVParser {
  struct Row {
    var fields: [CSVField]
    /// The line of the file where the row starts (1-based).
    var line: Int
  }

  static func parse(_ buffer: UnsafeBufferPointer<UInt8>, path: String, function: String) throws(PavlovError) -> [Row] {
    let n = buffer.count
    var pos = 0
    if n >= 3, buffer[0] == 0xEF, buffer[1] == 0xBB, buffer[2] == 0xBF { pos = 3 }
    var line = 1
    var rows: [Row] = []
    let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), lf: UInt8 = 0x0A, cr: UInt8 = 0x0D

    /// Consumes a line end at `pos` (LF, CRLF or CR).
    func endLine(_ pos: inout Int, _ line: inout Int) {
      if buffer[pos] == cr, pos + 1 < n, buffer[pos + 1] == lf { pos += 2 } else { pos += 1 }
      line += 1
    }

    while pos < n {
      if buffer[pos] == lf || buffer[pos] == cr {
        endLine(&pos, &line)
        continue
      }
      let rowLine = line
      var fields: [CSVField] = []
      fieldLoop: while true {
        if pos < n, buffer[pos] == quote {
          let openLine = line
          pos += 1
          var bytes: [UInt8] = []
          var closed = false
          while pos < n {
            let b = buffer[pos]
            if b == quote {
              if pos + 1 < n, buffer[pos + 1] == quote {
                bytes.append(quote)
                pos += 2
                continue
              }
              pos += 1
              closed = true
              break
            }
            if b == lf || (b == cr && !(pos + 1 < n && buffer[pos + 1] == lf)) { line += 1 }
            bytes.append(b)
            pos += 1
          }
          guard closed else {
            throw PavlovError.runtime("\(function): \(path):\(openLine): a quoted field (field \(fields.count + 1)) is never closed",
                                      hint: "add the closing \"; inside quotes, write a quote as two quotes: \"\"")
          }
          fields.append(CSVField(text: String(decoding: bytes, as: UTF8.self), quoted: true))
          if pos >= n { break fieldLoop }
          switch buffer[pos] {
          case comma:
            pos += 1
          case lf, cr:
            endLine(&pos, &line)
            break fieldLoop
          default:
            let shown = String(decoding: UnsafeBufferPointer(rebasing: buffer[pos..<min(n, pos + 1)]), as: UTF8.self)
            throw PavlovError.runtime("\(function): \(path):\(line): unexpected \(Format.quoted(shown)) after the closing quote of field \(fields.count)",
                                      hint: "a quoted field must be followed by a comma or the end of the line; inside quotes, write a quote as two quotes: \"\"")
          }
        } else {
          let start = pos
          while pos < n, buffer[pos] != comma, buffer[pos] != lf, buffer[pos] != cr { pos += 1 }
          fields.append(CSVField(text: String(decoding: UnsafeBufferPointer(rebasing: buffer[start..<pos]), as: UTF8.self), quoted: false))
          if pos >= n { break fieldLoop }
          if buffer[pos] == comma {
            pos += 1
          } else {
            endLine(&pos, &line)
            break fieldLoop
          }
        }
      }
      rows.append(Row(fields: fields, line: rowLine))
    }
    return rows
  }

  /// What a field means with `types: true`: quoted → string; empty → nil; number-like → int or float.
  static func typed(_ field: CSVField) -> Value {
    if field.quoted { return .str(field.text) }
    if field.text.isEmpty { return .null }
    if let number = number(field.text) { return number }
    return .str(field.text)
  }

  /// An int or float if the text is one (spaces around it allowed), else nil.
  static func number(_ text: String) -> Value? {
    var s = Substring(text)
    while let c = s.first, c == " " || c == "\t" { s = s.dropFirst() }
    while let c = s.last, c == " " || c == "\t" { s = s.dropLast() }
    guard !s.isEmpty, s.utf8.count <= 64 else { return nil }
    var body = s
    if let c = body.first, c == "+" || c == "-" { body = body.dropFirst() }
    switch body.lowercased() {
    case "nan": return .float(.nan)
    case "inf", "infinity": return .float(s.first == "-" ? -.infinity : .infinity)
    default: break
    }
    // [digits][.digits][e[+-]digits], with at least one digit in the mantissa.
    let bytes = Array(body.utf8)
    var i = 0
    var mantissaDigits = 0
    var isInteger = true
    while i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39 { i += 1; mantissaDigits += 1 }
    if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
      isInteger = false
      i += 1
      while i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39 { i += 1; mantissaDigits += 1 }
    }
    guard mantissaDigits > 0 else { return nil }
    if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
      isInteger = false
      i += 1
      if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
      var exponentDigits = 0
      while i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39 { i += 1; exponentDigits += 1 }
      guard exponentDigits > 0 else { return nil }
    }
    guard i == bytes.count else { return nil }
    if isInteger, let v = Int(s) { return .int(v) }
    if let d = Double(s) { return .float(d) }
    return nil
  }
}

/// `read_csv` and `write_csv`.
enum CSVLibrary {
  static func register(_ r: Registry) {
    r.function("read_csv", [Param("path", doc: "the CSV file to read"),
                            Param("header", default: .bool(true), doc: "true: the first row names the columns and each row becomes a record; false: rows are lists"),
                            Param("types", default: .bool(true), doc: "true: unquoted numbers become ints/floats and empty fields nil; false: every field is a string")],
               doc: "Reads a CSV file (RFC 4180 quoting) as a list of records (or of lists with header: false).") { args in
      let path = try args.string(0)
      let header = try args.bool(1)
      let types = try args.bool(2)
      let bytes = try Posix.readBytes(path, "read_csv")
      let rows = try bytes.withUnsafeBufferPointer { (buffer) throws(PavlovError) -> [CSVParser.Row] in
        try CSVParser.parse(buffer, path: path, function: "read_csv")
      }
      func convert(_ field: CSVField) -> Value { types ? CSVParser.typed(field) : .str(field.text) }
      guard let first = rows.first else { return .list([]) }
      var out: [Value] = []
      out.reserveCapacity(rows.count)
      if header {
        let names = first.fields.map(\.text)
        var seen: [String: Int] = [:]
        for (k, name) in names.enumerated() {
          if let earlier = seen[name] {
            throw PavlovError.runtime("read_csv: \(path):\(first.line): the column name \(Format.quoted(name)) appears twice (columns \(earlier + 1) and \(k + 1))",
                                      hint: "rename one of them, or read with header: false")
          }
          seen[name] = k
        }
        for row in rows.dropFirst() {
          try checkWidth(row, expected: names.count, path: path, against: "the header (line \(first.line))")
          let record = PRecord()
          for (k, field) in row.fields.enumerated() { record[names[k]] = convert(field) }
          out.append(.record(record))
        }
      } else {
        for row in rows {
          try checkWidth(row, expected: first.fields.count, path: path, against: "the first row (line \(first.line))")
          out.append(.list(PList(row.fields.map(convert))))
        }
      }
      return .list(PList(out))
    }

    r.function("write_csv", [Param("path", doc: "the CSV file to (re)write"),
                             Param("rows", doc: "a list of records (columns from the keys) or of lists"),
                             Param("header", default: .null, doc: "column names; nil uses the first record's keys (no header line for lists)")],
               doc: "Writes rows as CSV (quoting fields that need it) atomically; records missing a column get an empty field.") { args in
      let path = try args.string(0)
      let rows = try args.list(1).items
      var header: [String]? = nil
      if !args.isNull(2) {
        guard case .list(let names) = args[2] else { throw args.typeError(2, "a list of column names or nil") }
        header = []
        for (k, name) in names.items.enumerated() {
          switch name {
          case .string(let s): header?.append(s.value)
          case .int(let i): header?.append(String(i))
          default:
            throw PavlovError.runtime("write_csv: header[\(k)] must be a string, got \(name.typeName)", hint: "column names are strings: [\"step\", \"reward\"]")
          }
        }
      }
      var out: [UInt8] = []
      func line(_ cells: [String]) {
        for (k, cell) in cells.enumerated() {
          if k > 0 { out.append(UInt8(ascii: ",")) }
          out.append(contentsOf: cell.utf8)
        }
        out.append(0x0A)
      }

      guard let first = rows.first else {
        if let header { line(header.map { quoteIfNeeded($0, protectTypes: false) }) }
        try Posix.writeAtomically(path, out, "write_csv")
        return .null
      }
      switch first {
      case .record(let firstRecord):
        let implicit = header == nil
        let columns: [RecordKey] = header.map { names in names.map { RecordKey.string($0) } } ?? firstRecord.keys
        let columnSet = Set(columns)
        line(columns.map { quoteIfNeeded($0.text, protectTypes: false) })
        for (k, row) in rows.enumerated() {
          guard case .record(let record) = row else {
            throw PavlovError.runtime("write_csv: rows[\(k)] is \(article(row.typeName)) \(row.typeName) but rows[0] is a record",
                                      hint: "give every row as a record, or every row as a list")
          }
          if implicit, let extra = record.keys.first(where: { !columnSet.contains($0) }) {
            throw PavlovError.runtime("write_csv: rows[\(k)] has the key \(Format.quoted(extra.text)), which is not a column (the columns come from rows[0]: \(columns.map(\.text).joined(separator: ", ")))",
                                      hint: "pass header: [...] listing every column (rows missing a column get an empty field)")
          }
          var cells: [String] = []
          cells.reserveCapacity(columns.count)
          for column in columns {
            var value = record[column]
            if value == nil, case .string(let s) = column, let i = Int(s) { value = record[.int(i)] }
            cells.append(try cell(value ?? .null, row: k, column: Format.quoted(column.text)))
          }
          line(cells)
        }
      case .list(let firstList):
        let width = header?.count ?? firstList.items.count
        if let header { line(header.map { quoteIfNeeded($0, protectTypes: false) }) }
        for (k, row) in rows.enumerated() {
          guard case .list(let items) = row else {
            throw PavlovError.runtime("write_csv: rows[\(k)] is \(article(row.typeName)) \(row.typeName) but rows[0] is a list",
                                      hint: "give every row as a list, or every row as a record")
          }
          guard items.items.count == width else {
            let against = header == nil ? "rows[0] has" : "the header has"
            throw PavlovError.runtime("write_csv: rows[\(k)] has \(items.items.count) fields but \(against) \(width)",
                                      hint: "every row needs the same number of fields; use nil for an empty field")
          }
          var cells: [String] = []
          for (c, value) in items.items.enumerated() { cells.append(try cell(value, row: k, column: String(c))) }
          line(cells)
        }
      default:
        throw PavlovError.runtime("write_csv: rows[0] is \(article(first.typeName)) \(first.typeName); each row must be a record or a list",
                                  hint: "for one row, wrap it in a list: write_csv(path, [row])")
      }
      try Posix.writeAtomically(path, out, "write_csv")
      return .null
    }
  }

  static func checkWidth(_ row: CSVParser.Row, expected: Int, path: String, against: String) throws(PavlovError) {
    guard row.fields.count != expected else { return }
    let count = row.fields.count
    let hint = count > expected
      ? "a field containing a comma must be quoted: \"a, b\""
      : "every row needs all \(expected) fields; leave a field empty with nothing between commas: a,,c"
    throw PavlovError.runtime("read_csv: \(path):\(row.line): row has \(count) field\(count == 1 ? "" : "s") but \(against) has \(expected)", hint: hint)
  }

  /// A value as CSV cell text.
  static func cell(_ value: Value, row: Int, column: String) throws(PavlovError) -> String {
    switch value {
    case .null, .undefined: return ""
    case .bool(let b): return b ? "true" : "false"
    case .int(let i): return String(i)
    case .float(let d): return Format.float(d)
    case .string(let s): return quoteIfNeeded(s.value, protectTypes: true)
    case .cell(let c): return try cell(c.value, row: row, column: column)
    default:
      throw PavlovError.runtime("write_csv: rows[\(row)], column \(column) is \(article(value.typeName)) \(value.typeName); CSV cells hold nil, bools, numbers and strings",
                                hint: "convert it first, for example with json_string(x) or str(x)")
    }
  }

  /// Quotes a field that holds a comma, quote, line break or surrounding spaces. With
  /// `protectTypes`, also strings that read_csv would turn into a number or nil ("12", ""),
  /// so a written string reads back as a string.
  static func quoteIfNeeded(_ text: String, protectTypes: Bool) -> String {
    var needs = false
    for b in text.utf8 where b == UInt8(ascii: ",") || b == UInt8(ascii: "\"") || b == 0x0A || b == 0x0D {
      needs = true
      break
    }
    if let first = text.utf8.first, first == 0x20 || first == 0x09 { needs = true }
    if let last = text.utf8.last, last == 0x20 || last == 0x09 { needs = true }
    if protectTypes && (text.isEmpty || CSVParser.number(text) != nil) { needs = true }
    guard needs else { return text }
    var out = "\""
    for c in text.unicodeScalars {
      if c == "\"" { out += "\"\"" } else { out.unicodeScalars.append(c) }
    }
    return out + "\""
  }
}
