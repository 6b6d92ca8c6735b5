import PavlovCore

/// Checkpoints in the safetensors format (the one Hugging Face and PyTorch users share):
///
///     8 bytes   N, the header length (unsigned, little-endian)
///     N bytes   a UTF-8 JSON object, padded with spaces:
///               {"__metadata__": {"k": "v"}, "name": {"dtype": "F32", "shape": [2, 3],
///                                                     "data_offsets": [begin, end]}, ...}
///     rest      the tensors' bytes, little-endian, row-major; offsets count from here
///
/// Pavlov writes F32 (float32), I64 (int64) and BOOL (bool), names sorted, and reads those
/// plus F64, F16 and BF16 (as float32) and I32, I16, I8, U8, U16, U32, U64 (as int64).
/// A malformed file is always a `CoreError` saying what is wrong, never a crash.
public enum Safetensors {
  public typealias Contents = (tensors: [(String, Tensor)], metadata: [String: String])

  /// The element types of a file that Pavlov can read.
  enum FileDType: String, CaseIterable {
    case F64, F32, F16, BF16, I64, I32, I16, I8, U64, U32, U16, U8, BOOL

    var size: Int {
      switch self {
      case .F64, .I64, .U64: return 8
      case .F32, .I32, .U32: return 4
      case .F16, .BF16, .I16, .U16: return 2
      case .I8, .U8, .BOOL: return 1
      }
    }

    var isFloat: Bool { self == .F64 || self == .F32 || self == .F16 || self == .BF16 }

    static var supportedList: String { allCases.map(\.rawValue).joined(separator: ", ") }
  }

  /// The header's record of one tensor.
  struct Entry {
    let name: String
    let dtype: FileDType
    let shape: [Int]
    let begin: Int
    let end: Int
  }

  static let corruptHint = "the file is truncated, damaged, or not a safetensors file"

  // MARK: - Encoding

  /// The bytes of a safetensors file holding `tensors` (F32, I64 or BOOL by dtype) and
  /// `metadata`. The header lists tensors sorted by name, the data follows in that order,
  /// and the header is padded with spaces to a multiple of 8 bytes.
  public static func encode(_ tensors: [(String, Tensor)], metadata: [String: String] = [:]) throws -> [UInt8] {
    var seen = Set<String>()
    for (name, _) in tensors {
      if name == "__metadata__" {
        throw CoreError("a tensor cannot be named \"__metadata__\"", hint: "that key holds the file's metadata; rename the tensor")
      }
      guard seen.insert(name).inserted else {
        throw CoreError("two tensors are named \(quoted(name))", hint: "each tensor needs its own name")
      }
    }
    let sorted = tensors.sorted { byteOrder($0.0, $1.0) }

    var header: [(key: String, value: JSONValue)] = []
    if !metadata.isEmpty {
      let pairs = metadata.keys.sorted(by: byteOrder).map { (key: $0, value: JSONValue.string(metadata[$0]!)) }
      header.append(("__metadata__", .object(pairs)))
    }
    var offset = 0
    var layout: [(Tensor, Int)] = []
    for (name, t) in sorted {
      let code: String
      let size: Int
      switch t.dtype {
      case .float32: code = "F32"; size = 4
      case .int64: code = "I64"; size = 8
      case .bool: code = "BOOL"; size = 1
      }
      let bytes = t.count * size
      header.append((name, .object([
        ("dtype", .string(code)),
        ("shape", .array(t.shape.map { .int($0) })),
        ("data_offsets", .array([.int(offset), .int(offset + bytes)])),
      ])))
      layout.append((t, offset))
      offset += bytes
    }

    var writer = JSONWriter()
    try writer.write(.object(header))  // sizes, offsets and strings only: never fails
    var headerBytes = writer.out
    while headerBytes.count % 8 != 0 { headerBytes.append(0x20) }

    let start = 8 + headerBytes.count
    var out = [UInt8](repeating: 0, count: start + offset)
    out.withUnsafeMutableBytes { raw in
      raw.storeBytes(of: UInt64(headerBytes.count).littleEndian, toByteOffset: 0, as: UInt64.self)
      headerBytes.withUnsafeBytes { raw.baseAddress!.advanced(by: 8).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
      for (t, at) in layout {
        let base = start + at
        switch t.dtype {
        case .float32:
          for (i, v) in t.data.enumerated() {
            raw.storeBytes(of: v.bitPattern.littleEndian, toByteOffset: base + 4 * i, as: UInt32.self)
          }
        case .int64:
          for (i, v) in t.ints.enumerated() {
            raw.storeBytes(of: v.littleEndian, toByteOffset: base + 8 * i, as: Int64.self)
          }
        case .bool:
          for (i, v) in t.ints.enumerated() { raw[base + i] = v != 0 ? 1 : 0 }
        }
      }
    }
    return out
  }

  // MARK: - Decoding

  /// The tensors (in header order) and metadata of a safetensors file's bytes.
  /// `source` starts every error message (e.g. the path).
  public static func decode(_ bytes: [UInt8], source: String = "safetensors") throws -> Contents {
    let (entries, metadata, dataStart) = try parseHeader(bytes, source: source)
    var tensors: [(String, Tensor)] = []
    tensors.reserveCapacity(entries.count)
    try bytes.withUnsafeBytes { raw in
      for e in entries {
        tensors.append((e.name, try convert(raw, from: dataStart + e.begin, e, source: source)))
      }
    }
    return (tensors, metadata)
  }

  /// Only the metadata of a safetensors file's bytes (the header is still fully checked).
  public static func decodeMetadata(_ bytes: [UInt8], source: String = "safetensors") throws -> [String: String] {
    try parseHeader(bytes, source: source).metadata
  }

  /// Reads and checks the header: the entries in header order, the metadata, and where the
  /// data starts.
  static func parseHeader(_ bytes: [UInt8], source: String) throws -> (entries: [Entry], metadata: [String: String], dataStart: Int) {
    func fail(_ problem: String, hint: String? = corruptHint) -> CoreError { CoreError("\(source): \(problem)", hint: hint) }

    guard bytes.count >= 8 else {
      throw fail("the file is too short (\(bytes.count) bytes): a safetensors file starts with an 8-byte header length")
    }
    var length: UInt64 = 0
    for k in 0..<8 { length |= UInt64(bytes[k]) << (8 * UInt64(k)) }
    let available = bytes.count - 8
    guard length <= UInt64(available) else {
      throw fail("the header length \(length) is beyond the end of the file (only \(available) bytes follow it)")
    }
    let headerEnd = 8 + Int(length)
    let json: JSONValue
    do {
      json = try JSONParser.parse(bytes[8..<headerEnd], maxDepth: headerDepthLimit, duplicateKeys: .reject)
    } catch {
      throw fail("the header is not valid JSON: \(error.message) (at byte \(error.offset) of the header)")
    }
    guard case .object(let pairs) = json else { throw fail("the header must be a JSON object, got \(json.kind)") }

    var metadata: [String: String] = [:]
    var entries: [Entry] = []
    let dataLength = bytes.count - headerEnd
    for (name, value) in pairs {
      if name == "__metadata__" {
        guard case .object(let items) = value else { throw fail("__metadata__ must be an object of strings, got \(value.kind)") }
        for (key, v) in items {
          guard case .string(let s) = v else { throw fail("__metadata__ must map strings to strings, but \(quoted(key)) is \(v.kind)") }
          metadata[key] = s
        }
        continue
      }
      let tensor = "tensor \(quoted(name))"
      guard case .object(let fields) = value else {
        throw fail("\(tensor): expected an object with dtype, shape and data_offsets, got \(value.kind)")
      }
      func field(_ key: String) throws -> JSONValue {
        guard let v = fields.first(where: { $0.key == key })?.value else { throw fail("\(tensor): the header does not give its \"\(key)\"") }
        return v
      }
      guard case .string(let code) = try field("dtype") else { throw fail("\(tensor): dtype must be a string such as \"F32\"") }
      guard let dtype = FileDType(rawValue: code) else {
        throw fail("\(tensor) has dtype \(quoted(code)), which Pavlov cannot read", hint: "readable dtypes: \(FileDType.supportedList)")
      }
      guard case .array(let dims) = try field("shape") else { throw fail("\(tensor): shape must be a list of sizes") }
      var shape: [Int] = []
      for d in dims {
        guard let n = d.int else { throw fail("\(tensor): shape must be a list of integer sizes, got \(describe(dims))") }
        guard n >= 0 else { throw fail("\(tensor): shape \(describe(dims)) has a negative size") }
        shape.append(n)
      }
      // A zero-size axis does not excuse the others: reducing (0, 2^62) over its first axis
      // would allocate the second.
      let count: Int
      do { count = try AllocationLimit.elements(shape, tensor) } catch { throw fail(error.message, hint: error.hint) }
      let byteCount = count * dtype.size
      guard case .array(let offsets) = try field("data_offsets"), offsets.count == 2,
            let begin = offsets[0].int, let end = offsets[1].int else {
        throw fail("\(tensor): data_offsets must be two integers [begin, end]")
      }
      guard begin >= 0, end >= begin else {
        throw fail("\(tensor): data_offsets [\(begin), \(end)] are not a valid range (they must satisfy 0 <= begin <= end)")
      }
      guard end <= dataLength else {
        throw fail("\(tensor): data_offsets [\(begin), \(end)] go past the end of the data (\(dataLength) bytes)")
      }
      guard end - begin == byteCount else {
        throw fail("\(tensor): shape \(Shape.describe(shape)) of \(dtype.rawValue) needs \(byteCount) bytes, but data_offsets [\(begin), \(end)] hold \(end - begin)")
      }
      entries.append(Entry(name: name, dtype: dtype, shape: shape, begin: begin, end: end))
    }

    // The tensors must tile the data exactly: no overlaps, no gaps, nothing left over.
    let order = entries.indices.sorted { (entries[$0].begin, entries[$0].end, $0) < (entries[$1].begin, entries[$1].end, $1) }
    var cursor = 0
    var previous: Entry? = nil
    for i in order {
      let e = entries[i]
      if e.begin < cursor, let p = previous {
        throw fail("tensors \(quoted(p.name)) [\(p.begin), \(p.end)] and \(quoted(e.name)) [\(e.begin), \(e.end)] overlap")
      }
      if e.begin > cursor {
        let after = previous.map { " after tensor \(quoted($0.name))" } ?? " before the first tensor"
        throw fail("data bytes \(cursor)..<\(e.begin)\(after) belong to no tensor")
      }
      cursor = e.end
      if e.end > e.begin || previous == nil { previous = e }
    }
    if cursor != dataLength {
      throw fail("the last \(dataLength - cursor) bytes of the data belong to no tensor (the tensors end at byte \(cursor) of \(dataLength))")
    }
    return (entries, metadata, headerEnd)
  }

  /// One tensor's values from the file's bytes.
  static func convert(_ raw: UnsafeRawBufferPointer, from start: Int, _ e: Entry, source: String) throws -> Tensor {
    let n = e.end - e.begin
    let count = n / e.dtype.size
    func floats(_ read: (Int) -> Float) -> Tensor {
      Tensor(shape: e.shape, data: (0..<count).map(read))
    }
    func ints(_ read: (Int) -> Int64) -> Tensor {
      Tensor(shape: e.shape, ints: (0..<count).map(read))
    }
    switch e.dtype {
    case .F32:
      return floats { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: start + 4 * $0, as: UInt32.self))) }
    case .F64:
      return floats { Float(Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: start + 8 * $0, as: UInt64.self)))) }
    case .F16:
      return floats { halfToFloat(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: start + 2 * $0, as: UInt16.self))) }
    case .BF16:
      return floats { Float(bitPattern: UInt32(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: start + 2 * $0, as: UInt16.self))) << 16) }
    case .I64:
      return ints { Int64(littleEndian: raw.loadUnaligned(fromByteOffset: start + 8 * $0, as: Int64.self)) }
    case .I32:
      return ints { Int64(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: start + 4 * $0, as: Int32.self))) }
    case .I16:
      return ints { Int64(Int16(littleEndian: raw.loadUnaligned(fromByteOffset: start + 2 * $0, as: Int16.self))) }
    case .I8:
      return ints { Int64(Int8(bitPattern: raw[start + $0])) }
    case .U8:
      return ints { Int64(raw[start + $0]) }
    case .U16:
      return ints { Int64(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: start + 2 * $0, as: UInt16.self))) }
    case .U32:
      return ints { Int64(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: start + 4 * $0, as: UInt32.self))) }
    case .U64:
      var values: [Int64] = []
      values.reserveCapacity(count)
      for i in 0..<count {
        let v = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: start + 8 * i, as: UInt64.self))
        guard v <= UInt64(Int64.max) else {
          throw CoreError("\(source): tensor \(quoted(e.name)) (U64) holds \(v), which does not fit in int64")
        }
        values.append(Int64(v))
      }
      return Tensor(shape: e.shape, ints: values)
    case .BOOL:
      return Tensor(shape: e.shape, ints: (0..<count).map { Int64(raw[start + $0]) }, dtype: .bool)
    }
  }

  /// IEEE half precision to single (exact: every half is a float).
  static func halfToFloat(_ h: UInt16) -> Float {
    let sign = UInt32(h >> 15) << 31
    let exponent = UInt32((h >> 10) & 0x1F)
    let mantissa = UInt32(h & 0x3FF)
    if exponent == 0 {
      if mantissa == 0 { return Float(bitPattern: sign) }
      let magnitude = Float(mantissa) * 0x1p-24  // subnormal
      return sign != 0 ? -magnitude : magnitude
    }
    if exponent == 31 { return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13)) }  // inf, NaN
    return Float(bitPattern: sign | ((exponent + 112) << 23) | (mantissa << 13))
  }

  // MARK: - Files

  /// Writes a checkpoint atomically: a temporary file in the same folder, flushed to disk,
  /// then renamed over `path`, so a crash leaves the old file or the new one, never half.
  public static func write(_ tensors: [(String, Tensor)], metadata: [String: String] = [:], to path: String) throws {
    try Files.writeAtomically(path, try encode(tensors, metadata: metadata))
  }

  /// Reads a checkpoint: its tensors in header order and its metadata.
  public static func read(_ path: String) throws -> Contents {
    try decode(try Files.read(path), source: path)
  }

  // MARK: - Loading into a model

  /// Copies loaded values into `expected` in place (keeping each target's dtype). First checks
  /// that the names and shapes agree, and throws one error listing every difference.
  /// Integer values load into float tensors; float values do not load into integer ones.
  public static func match(_ loaded: [(String, Tensor)], into expected: [(String, Tensor)]) throws {
    var file: [String: Tensor] = [:]
    var problems: [String] = []
    for (name, t) in loaded {
      if file.updateValue(t, forKey: name) != nil { problems.append("\(quoted(name)) appears twice in the file") }
    }
    var model = Set<String>()
    var missing: [String] = []
    for (name, t) in expected {
      guard model.insert(name).inserted else { problems.append("\(quoted(name)) appears twice in the model"); continue }
      guard let source = file[name] else { missing.append(name); continue }
      if source.shape != t.shape {
        problems.append("\(name): file has \(Shape.describe(source.shape)), model has \(Shape.describe(t.shape))")
      } else if t.isInteger && !source.isInteger {
        problems.append("\(name): file has \(source.dtype.rawValue) values, model has \(t.dtype.rawValue)")
      }
    }
    let unexpected = loaded.map(\.0).filter { !model.contains($0) }
    if !missing.isEmpty { problems.insert("missing from the file: " + missing.joined(separator: ", "), at: 0) }
    if !unexpected.isEmpty {
      problems.insert("not in the model: " + unexpected.joined(separator: ", "), at: missing.isEmpty ? 0 : 1)
    }
    if !problems.isEmpty {
      throw CoreError("the checkpoint does not match the model:\n  " + problems.joined(separator: "\n  "),
                        hint: "it was saved from a model with other names or sizes")
    }
    for (name, t) in expected {
      let source = file[name]!
      switch t.dtype {
      case .float32: t.data = source.data
      case .int64:
        t.ints = source.ints
        t.data = source.data
      case .bool:
        t.ints = source.ints.map { $0 != 0 ? 1 : 0 }
        t.data = t.ints.map { Float($0) }
      }
    }
  }

  // MARK: - Helpers

  /// Byte-wise order of UTF-8 names (as the reference implementation sorts them).
  static func byteOrder(_ a: String, _ b: String) -> Bool { a.utf8.lexicographicallyPrecedes(b.utf8) }

  static func quoted(_ s: String) -> String { JSONWriter.quoted(s) }

  static func describe(_ items: [JSONValue]) -> String { (try? JSONWriter.string(.array(items))) ?? "a list of \(items.count) items" }

  /// Headers nest two levels; a deeper one is damaged or hostile.
  static let headerDepthLimit = 64
}
