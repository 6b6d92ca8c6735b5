import CHDF5
import PavlovCore

/// An HDF5 file or a group in one, closed when released: the few operations Minari's layout needs.
final class HDF5Group {
  let id: pvh5_id
  /// The file, and this group's path in it, for messages.
  let file: String
  let path: String

  private init(id: pvh5_id, file: String, path: String) {
    self.id = id
    self.file = file
    self.path = path
  }

  deinit { _ = pvh5_close(id) }

  static func create(_ file: String) throws -> HDF5Group {
    let id = pvh5_create(file)
    try checkLibrary()
    guard id >= 0 else { throw CoreError("cannot create the HDF5 file \(file)", hint: "check that its folder exists and is writable") }
    return HDF5Group(id: id, file: file, path: "/")
  }

  static func open(_ file: String) throws -> HDF5Group {
    let id = pvh5_open(file)
    try checkLibrary()
    guard id >= 0 else { throw CoreError("\(file) is not a readable HDF5 file") }
    return HDF5Group(id: id, file: file, path: "/")
  }

  /// HDF5 is loaded on the first create or open; say so when it is missing, not "not readable".
  private static func checkLibrary() throws {
    if let reason = pvh5_load_error() {
      throw CoreError("\(String(cString: reason)): HDF5 files cannot be read or written",
                      hint: "install Debian's libhdf5-103 (or libhdf5-dev) with apt-get")
    }
  }

  private func child(_ name: String) -> String { path == "/" ? "/" + name : path + "/" + name }

  func createGroup(_ name: String) throws -> HDF5Group {
    let id = pvh5_group_create(self.id, name)
    guard id >= 0 else { throw CoreError("\(file): cannot create the group \(child(name))") }
    return HDF5Group(id: id, file: file, path: child(name))
  }

  func group(_ name: String) throws -> HDF5Group {
    guard pvh5_is_group(id, name) == 1 else { throw CoreError("\(file): there is no group \(child(name))") }
    let id = pvh5_group_open(self.id, name)
    guard id >= 0 else { throw CoreError("\(file): cannot open the group \(child(name))") }
    return HDF5Group(id: id, file: file, path: child(name))
  }

  func has(_ name: String) -> Bool { pvh5_exists(id, name) > 0 }

  enum Kind: Int32 {
    case float32 = 0, float64 = 1, int64 = 2, bool = 3
  }

  /// Writes `values` (row-major, `shape`) as a dataset of `kind`.
  func write(_ name: String, _ values: [Double], shape: [Int], as kind: Kind) throws {
    precondition(shape.reduce(1, *) == values.count)
    let dims = shape.map(Int64.init)
    let status: Int32
    switch kind {
    case .float32: status = values.map(Float.init).withUnsafeBytes { pvh5_write(id, name, kind.rawValue, Int32(dims.count), dims, $0.baseAddress) }
    case .float64: status = values.withUnsafeBytes { pvh5_write(id, name, kind.rawValue, Int32(dims.count), dims, $0.baseAddress) }
    case .int64: status = values.map { Int64($0) }.withUnsafeBytes { pvh5_write(id, name, kind.rawValue, Int32(dims.count), dims, $0.baseAddress) }
    case .bool: status = values.map { Int8($0 != 0 ? 1 : 0) }.withUnsafeBytes { pvh5_write(id, name, kind.rawValue, Int32(dims.count), dims, $0.baseAddress) }
    }
    guard status >= 0 else { throw CoreError("\(file): cannot write the dataset \(child(name))") }
  }

  /// A dataset of numbers or bools: its values as Doubles (int64 exactly below 2^53) and its shape.
  func read(_ name: String) throws -> (values: [Double], shape: [Int]) {
    guard has(name) else { throw CoreError("\(file): there is no dataset \(child(name))") }
    var dims = [Int64](repeating: 0, count: 8)
    var stored: Int32 = -1
    let rank = pvh5_shape(id, name, &dims, 8, &stored)
    guard rank >= 0 else { throw CoreError("\(file): \(child(name)) is not a dataset of at most 8 axes") }
    let shape = dims.prefix(Int(rank)).map(Int.init)
    let count = try AllocationLimit.elements(shape, "\(file): \(child(name))")
    guard Kind(rawValue: stored) != nil else { throw CoreError("\(file): \(child(name)) holds neither numbers nor bools") }
    var values = [Double](repeating: 0, count: count)
    let status = values.withUnsafeMutableBytes { pvh5_read(id, name, Kind.float64.rawValue, $0.baseAddress) }
    guard status >= 0 else { throw CoreError("\(file): cannot read \(child(name))") }
    return (values, shape)
  }

  func setAttribute(_ name: String, _ value: Int64) throws {
    guard pvh5_attr_write_i64(id, name, value) >= 0 else { throw CoreError("\(file): cannot write the attribute \(name) of \(path)") }
  }

  /// A scalar integer attribute, nil if absent.
  func attribute(_ name: String) throws -> Int64? {
    var value: Int64 = 0
    switch pvh5_attr_read_i64(id, name, &value) {
    case 1: return value
    case 0: return nil
    default: throw CoreError("\(file): the attribute \(name) of \(path) is not an integer")
    }
  }
}
