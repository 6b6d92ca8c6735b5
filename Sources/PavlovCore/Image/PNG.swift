/// PNG files from RGB pixels, with no image library: each row is filtered with PNG's "Sub"
/// filter (a chart's flat areas become runs of zero bytes) and the rows are compressed with
/// DEFLATE's fixed Huffman codes, using back-references for runs — enough to make a mostly
/// white 720×440 chart a few tens of kilobytes instead of a megabyte.
public enum PNG {
  /// The bytes of a PNG file of `width` × `height` pixels, `rgb` holding 3 bytes a pixel, row
  /// by row from the top.
  public static func encode(width: Int, height: Int, rgb: [UInt8]) -> [UInt8] {
    precondition(width > 0 && height > 0 && rgb.count == width * height * 3, "PNG.encode: \(rgb.count) bytes for \(width)×\(height)")
    var raw: [UInt8] = []
    raw.reserveCapacity((width * 3 + 1) * height)
    for y in 0..<height {
      raw.append(1)  // filter type Sub: each byte minus the byte one pixel to its left
      let row = y * width * 3
      for i in 0..<(width * 3) {
        let left: UInt8 = i >= 3 ? rgb[row + i - 3] : 0
        raw.append(rgb[row + i] &- left)
      }
    }
    var header: [UInt8] = []
    appendBigEndian(&header, UInt32(width))
    appendBigEndian(&header, UInt32(height))
    header += [8, 2, 0, 0, 0]  // 8 bits a channel, RGB, deflate, adaptive filtering, no interlace
    var out: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
    chunk(&out, "IHDR", header)
    chunk(&out, "IDAT", zlib(raw))
    chunk(&out, "IEND", [])
    return out
  }

  private static func chunk(_ out: inout [UInt8], _ type: String, _ data: [UInt8]) {
    appendBigEndian(&out, UInt32(data.count))
    let typed = Array(type.utf8) + data
    out += typed
    appendBigEndian(&out, crc32(typed))
  }

  private static func appendBigEndian(_ out: inout [UInt8], _ v: UInt32) {
    out += [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)]
  }

  /// CRC-32 (ISO 3309, the one PNG and zlib use).
  static func crc32(_ bytes: [UInt8]) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for b in bytes {
      crc ^= UInt32(b)
      for _ in 0..<8 { crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
    }
    return crc ^ 0xFFFF_FFFF
  }

  /// A zlib stream: header, one final DEFLATE block with fixed codes, Adler-32.
  static func zlib(_ data: [UInt8]) -> [UInt8] {
    var bits = BitWriter()
    bits.write(1, count: 1)  // the final block
    bits.write(1, count: 2)  // fixed Huffman codes
    var i = 0
    while i < data.count {
      // A run of the byte before this one (distance 1), or of the byte a pixel back (distance 3).
      var best = 0, bestDistance = 0
      for distance in [1, 3] where i >= distance {
        var n = 0
        while n < 258, i + n < data.count, data[i + n] == data[i + n - distance] { n += 1 }
        if n > best { best = n; bestDistance = distance }
      }
      if best >= 3 {
        writeLength(&bits, best)
        bits.write(reversing: UInt32(bestDistance - 1), count: 5)  // distance codes 0 and 2: 1 and 3, no extra bits
        i += best
      } else {
        writeLiteral(&bits, Int(data[i]))
        i += 1
      }
    }
    writeLiteral(&bits, 256)  // end of block
    var out: [UInt8] = [0x78, 0x01]  // deflate, 32 KB window, no dictionary (0x7801 is a multiple of 31)
    out += bits.bytes()
    var a: UInt32 = 1, b: UInt32 = 0
    for byte in data { a = (a + UInt32(byte)) % 65521; b = (b + a) % 65521 }
    appendBigEndian(&out, (b << 16) | a)
    return out
  }

  /// A literal byte (0-255), the end of block (256) or a length code (257-285) in the fixed code.
  private static func writeLiteral(_ bits: inout BitWriter, _ symbol: Int) {
    switch symbol {
    case 0...143: bits.write(reversing: UInt32(0x30 + symbol), count: 8)
    case 144...255: bits.write(reversing: UInt32(0x190 + symbol - 144), count: 9)
    case 256...279: bits.write(reversing: UInt32(symbol - 256), count: 7)
    default: bits.write(reversing: UInt32(0xC0 + symbol - 280), count: 8)
    }
  }

  // DEFLATE's length codes 257...285: the first length each covers and its extra bits.
  private static let lengthBase = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
  private static let lengthExtra = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]

  private static func writeLength(_ bits: inout BitWriter, _ length: Int) {
    var code = lengthBase.count - 1
    while lengthBase[code] > length { code -= 1 }
    writeLiteral(&bits, 257 + code)
    if lengthExtra[code] > 0 { bits.write(UInt32(length - lengthBase[code]), count: lengthExtra[code]) }
  }

  /// Bits packed from the least significant end of each byte, as DEFLATE stores them.
  struct BitWriter {
    private var buffer: [UInt8] = []
    private var current: UInt32 = 0
    private var used = 0

    mutating func write(_ value: UInt32, count: Int) {
      for k in 0..<count {
        current |= ((value >> UInt32(k)) & 1) << UInt32(used)
        used += 1
        if used == 8 { buffer.append(UInt8(current)); current = 0; used = 0 }
      }
    }

    /// Huffman codes go most significant bit first.
    mutating func write(reversing code: UInt32, count: Int) {
      for k in stride(from: count - 1, through: 0, by: -1) { write((code >> UInt32(k)) & 1, count: 1) }
    }

    func bytes() -> [UInt8] { used > 0 ? buffer + [UInt8(current)] : buffer }
  }
}
