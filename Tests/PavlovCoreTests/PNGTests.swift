import Foundation
import PavlovCore
import XCTest

/// PNG files are checked by a decoder we did not write: Python's zlib inflates the pixel data
/// (checking the DEFLATE stream and its Adler-32) and recomputes every chunk's CRC.
final class PNGTests: XCTestCase {
  private func decodedByPython(_ png: [UInt8]) throws -> (width: Int, height: Int, rgb: [UInt8]) {
    let python = "/usr/bin/python3"
    guard FileManager.default.isExecutableFile(atPath: python) else { throw XCTSkip("no \(python) to decode with") }
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("pavlov-png-\(UUID().uuidString).png")
    defer { try? FileManager.default.removeItem(at: file) }
    try Data(png).write(to: file)
    let script = """
      import struct, sys, zlib
      data = open(sys.argv[1], 'rb').read()
      assert data[:8] == b'\\x89PNG\\r\\n\\x1a\\n'
      pos, idat, size = 8, b'', None
      while pos < len(data):
          (n,) = struct.unpack('>I', data[pos:pos + 4]); kind = data[pos + 4:pos + 8]; body = data[pos + 8:pos + 8 + n]
          (crc,) = struct.unpack('>I', data[pos + 8 + n:pos + 12 + n])
          assert crc == zlib.crc32(kind + body), kind
          if kind == b'IHDR': size = struct.unpack('>II', body[:8]); assert body[8:] == bytes([8, 2, 0, 0, 0])
          if kind == b'IDAT': idat += body
          pos += 12 + n
      w, h = size; raw = zlib.decompress(idat); out = bytearray(); stride = w * 3
      for y in range(h):
          row = raw[y * (stride + 1):(y + 1) * (stride + 1)]; assert row[0] == 1
          line = bytearray(row[1:])
          for i in range(3, stride): line[i] = (line[i] + line[i - 3]) & 255
          out += line
      sys.stdout.write('%d %d %s' % (w, h, out.hex()))
      """
    let process = Process()
    process.executableURL = URL(fileURLWithPath: python)
    process.arguments = ["-c", script, file.path]
    let pipe = Pipe(), errors = Pipe()
    process.standardOutput = pipe
    process.standardError = errors
    try process.run()
    let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    let failure = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    XCTAssertEqual(process.terminationStatus, 0, failure)
    let parts = output.split(separator: " ")
    guard parts.count == 3, let w = Int(parts[0]), let h = Int(parts[1]) else { XCTFail("decoder said: \(output) \(failure)"); return (0, 0, []) }
    let hex = Array(parts[2].utf8)
    let bytes = stride(from: 0, to: hex.count, by: 2).map { UInt8(String(decoding: hex[$0...$0 + 1], as: UTF8.self), radix: 16) ?? 0 }
    return (w, h, bytes)
  }

  func testTinyImageRoundTrips() throws {
    let rgb: [UInt8] = [255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30, 255, 255, 255, 0, 0, 0]
    let decoded = try decodedByPython(PNG.encode(width: 3, height: 2, rgb: rgb))
    XCTAssertEqual(decoded.width, 3)
    XCTAssertEqual(decoded.height, 2)
    XCTAssertEqual(decoded.rgb, rgb)
  }

  func testMostlyFlatImageRoundTripsAndCompresses() throws {
    // A chart-like picture: white, a grey frame, a diagonal line, long runs for back-references.
    let (w, h) = (300, 200)
    var rgb = [UInt8](repeating: 255, count: w * h * 3)
    for y in 0..<h { for x in 0..<w where x == 0 || y == 0 || x == w - 1 || y == h - 1 || x == y + 50 || (x * 7 + y * 3) % 97 == 0 {
      let i = (y * w + x) * 3
      rgb[i] = UInt8(x % 256); rgb[i + 1] = UInt8(y % 256); rgb[i + 2] = 0x44
    } }
    let png = PNG.encode(width: w, height: h, rgb: rgb)
    XCTAssertLessThan(png.count, rgb.count / 4, "runs are compressed")
    let decoded = try decodedByPython(png)
    XCTAssertEqual(decoded.rgb, rgb)
  }
}
