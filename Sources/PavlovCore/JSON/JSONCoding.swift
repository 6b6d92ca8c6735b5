/// Codable values (trainer configs, checkpoint counters) to and from `JSONValue`, so they are
/// written and read by the one JSON implementation. Keys are in snake_case (Pavlov's spelling:
/// `gae_lambda`, `n_envs`) and sorted, so equal configs give equal text; a float is written by its
/// shortest digits (`0.0003`, not `0.0003000000142492354`); a UInt64 beyond Int.max as a string
/// of its digits; nil optionals are left out.
public enum JSONCoding {
  public static func encode<T: Encodable>(_ value: T) throws -> JSONValue {
    let encoder = ValueEncoder(Box())
    try value.encode(to: encoder)
    return encoder.node.finished
  }

  public static func decode<T: Decodable>(_ type: T.Type, from json: JSONValue) throws -> T {
    try T(from: ValueDecoder(json, path: []))
  }

  /// `gaeLambda` → `gae_lambda`.
  static func snakeCase(_ key: String) -> String {
    var out = ""
    for c in key {
      if c.isUppercase {
        if !out.isEmpty { out.append("_") }
        out.append(contentsOf: c.lowercased())
      } else {
        out.append(c)
      }
    }
    return out
  }
}

/// Why a JSON value does not decode: the path to the field and what was wrong.
public struct JSONDecodingError: Error, CustomStringConvertible {
  public let path: String
  public let problem: String
  public var description: String { path.isEmpty ? problem : "\"\(path)\" \(problem)" }
}

// MARK: - Encoding

/// A node under construction; containers share it by reference while they fill it.
private final class Box {
  var value: JSONValue = .null
  var members: [(key: String, box: Box)]? = nil
  var items: [Box]? = nil

  /// The finished value (keys sorted).
  var finished: JSONValue {
    if let members { return .object(members.sorted { $0.key < $1.key }.map { ($0.key, $0.box.finished) }) }
    if let items { return .array(items.map(\.finished)) }
    return value
  }
}

private final class ValueEncoder: Encoder {
  let node: Box
  var codingPath: [any CodingKey] = []
  var userInfo: [CodingUserInfoKey: Any] = [:]

  init(_ node: Box) { self.node = node }

  func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
    if node.members == nil { node.members = [] }
    return KeyedEncodingContainer(Keyed<Key>(node: node))
  }

  func unkeyedContainer() -> any UnkeyedEncodingContainer {
    if node.items == nil { node.items = [] }
    return Unkeyed(node: node)
  }

  func singleValueContainer() -> any SingleValueEncodingContainer { Single(node: node) }

  static func scalar<T: Encodable>(_ value: T) throws -> Box {
    let node = Box()
    switch value {
    case let v as Bool: node.value = .bool(v)
    case let v as String: node.value = .string(v)
    case let v as Double: node.value = .float(v)
    case let v as Float: node.value = .float(Double(v.description) ?? Double(v))
    case let v as Int: node.value = .int(v)
    case let v as Int64: node.value = .int(Int(v))
    case let v as Int32: node.value = .int(Int(v))
    case let v as UInt64:
      // JSON ints are signed 64-bit here; a larger one (a seed) is written as its digits, as
      // protobuf's JSON mapping does.
      node.value = Int(exactly: v).map { .int($0) } ?? .string(String(v))
    default: try value.encode(to: ValueEncoder(node))
    }
    return node
  }

  struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: Box
    var codingPath: [any CodingKey] = []
    mutating func encodeNil(forKey key: Key) throws { node.members!.append((JSONCoding.snakeCase(key.stringValue), Box())) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
      node.members!.append((JSONCoding.snakeCase(key.stringValue), try ValueEncoder.scalar(value)))
    }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
      let child = Box()
      child.members = []
      node.members!.append((JSONCoding.snakeCase(key.stringValue), child))
      return KeyedEncodingContainer(Keyed<NestedKey>(node: child))
    }
    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
      let child = Box()
      child.items = []
      node.members!.append((JSONCoding.snakeCase(key.stringValue), child))
      return Unkeyed(node: child)
    }
    mutating func superEncoder() -> any Encoder { ValueEncoder(node) }
    mutating func superEncoder(forKey key: Key) -> any Encoder { ValueEncoder(node) }
  }

  struct Unkeyed: UnkeyedEncodingContainer {
    let node: Box
    var codingPath: [any CodingKey] = []
    var count: Int { node.items!.count }
    mutating func encodeNil() throws { node.items!.append(Box()) }
    mutating func encode<T: Encodable>(_ value: T) throws { node.items!.append(try ValueEncoder.scalar(value)) }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
      let child = Box()
      child.members = []
      node.items!.append(child)
      return KeyedEncodingContainer(Keyed<NestedKey>(node: child))
    }
    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
      let child = Box()
      child.items = []
      node.items!.append(child)
      return Unkeyed(node: child)
    }
    mutating func superEncoder() -> any Encoder { ValueEncoder(node) }
  }

  struct Single: SingleValueEncodingContainer {
    let node: Box
    var codingPath: [any CodingKey] = []
    mutating func encodeNil() throws { node.value = .null }
    mutating func encode<T: Encodable>(_ value: T) throws {
      let scalar = try ValueEncoder.scalar(value)
      node.value = scalar.finished
    }
  }
}

// MARK: - Decoding

private struct ValueDecoder: Decoder {
  let json: JSONValue
  let path: [String]
  var codingPath: [any CodingKey] { [] }
  var userInfo: [CodingUserInfoKey: Any] { [:] }

  init(_ json: JSONValue, path: [String]) {
    self.json = json
    self.path = path
  }

  func failure(_ problem: String) -> JSONDecodingError { JSONDecodingError(path: path.joined(separator: "."), problem: problem) }

  func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
    guard case .object = json else { throw failure("has the wrong type (expected an object, got \(json.kind))") }
    return KeyedDecodingContainer(Keyed<Key>(decoder: self))
  }

  func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
    guard let items = json.array else { throw failure("has the wrong type (expected a list, got \(json.kind))") }
    return Unkeyed(items: items, path: path)
  }

  func singleValueContainer() throws -> any SingleValueDecodingContainer { Single(decoder: self) }

  func scalar<T: Decodable>(_ type: T.Type) throws -> T {
    let value: Any?
    switch type {
    case is Bool.Type: value = json.bool
    case is String.Type: value = json.string
    case is Double.Type: value = json.double
    case is Float.Type: value = json.double.map { Float($0) }
    case is Int.Type: value = json.int
    case is Int64.Type: value = json.int.map { Int64($0) }
    case is Int32.Type: value = json.int.flatMap { Int32(exactly: $0) }
    case is UInt64.Type: value = json.int.flatMap { UInt64(exactly: $0) } ?? json.string.flatMap { UInt64($0) }
    default: return try T(from: self)
    }
    guard let typed = value as? T else { throw failure("has the wrong type (expected \(T.self), got \(json.kind))") }
    return typed
  }

  struct Keyed<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: ValueDecoder
    var codingPath: [any CodingKey] { [] }
    var allKeys: [Key] {
      guard case .object(let members) = decoder.json else { return [] }
      return members.compactMap { Key(stringValue: $0.key) }
    }
    func name(_ key: Key) -> String { JSONCoding.snakeCase(key.stringValue) }
    func contains(_ key: Key) -> Bool { decoder.json[name(key)] != nil }
    func child(_ key: Key) throws -> ValueDecoder {
      guard let value = decoder.json[name(key)] else {
        throw JSONDecodingError(path: (decoder.path + [name(key)]).joined(separator: "."), problem: "is missing")
      }
      return ValueDecoder(value, path: decoder.path + [name(key)])
    }
    func decodeNil(forKey key: Key) throws -> Bool { (decoder.json[name(key)] ?? .null) == .null }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try child(key).scalar(type) }
    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
      try child(key).container(keyedBy: type)
    }
    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer { try child(key).unkeyedContainer() }
    func superDecoder() throws -> any Decoder { decoder }
    func superDecoder(forKey key: Key) throws -> any Decoder { try child(key) }
  }

  struct Unkeyed: UnkeyedDecodingContainer {
    let items: [JSONValue]
    let path: [String]
    var codingPath: [any CodingKey] { [] }
    var currentIndex = 0
    var count: Int? { items.count }
    var isAtEnd: Bool { currentIndex >= items.count }

    init(items: [JSONValue], path: [String]) {
      self.items = items
      self.path = path
    }

    mutating func next() throws -> ValueDecoder {
      guard !isAtEnd else { throw JSONDecodingError(path: path.joined(separator: "."), problem: "has too few items") }
      defer { currentIndex += 1 }
      return ValueDecoder(items[currentIndex], path: path + ["\(currentIndex)"])
    }
    mutating func decodeNil() throws -> Bool {
      guard !isAtEnd, items[currentIndex] == .null else { return false }
      currentIndex += 1
      return true
    }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try next().scalar(type) }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
      try next().container(keyedBy: type)
    }
    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer { try next().unkeyedContainer() }
    mutating func superDecoder() throws -> any Decoder { try next() }
  }

  struct Single: SingleValueDecodingContainer {
    let decoder: ValueDecoder
    var codingPath: [any CodingKey] { [] }
    func decodeNil() -> Bool { decoder.json == .null }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try decoder.scalar(type) }
  }
}
