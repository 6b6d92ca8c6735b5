/// A 64-bit FNV-1a fingerprint of exact bits: equal fingerprints mean the same numbers to the
/// bit. Golden tests pin results with it, and `digest(...)` shows it to scripts.
public struct Fingerprint: Sendable {
  public private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

  public init() {}

  public mutating func add<C: Sequence>(bytes: C) where C.Element == UInt8 {
    for byte in bytes {
      value ^= UInt64(byte)
      value &*= 0x0000_0100_0000_01b3
    }
  }

  public mutating func add(_ text: String) {
    add(bytes: text.utf8)
    add(bytes: [0])  // so "ab" + "c" differs from "a" + "bc"
  }

  public mutating func add(_ word: UInt64) {
    withUnsafeBytes(of: word.littleEndian) { add(bytes: $0) }
  }

  /// A float's bits; every NaN counts as the same NaN: which payload a NaN carries differs
  /// between CPUs (x86 keeps an operand's, ARM makes a default one) and no result depends on it.
  public mutating func add(floatBits x: Float) {
    let bits = x.isNaN ? Float.nan.bitPattern : x.bitPattern
    withUnsafeBytes(of: bits.littleEndian) { add(bytes: $0) }
  }

  /// Sixteen lowercase hex digits.
  public var hex: String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: 16 - digits.count) + digits
  }
}
