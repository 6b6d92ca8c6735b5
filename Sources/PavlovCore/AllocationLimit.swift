import Glibc

/// The most elements one tensor, space or buffer may hold. Every allocation whose size a script
/// chooses (a shape, a broadcast, a layer, a file's header) is checked against it before it is
/// made, so an absurd size is an error naming the operation instead of an abort from the
/// allocator or a wrapped multiplication.
///
/// The default is the machine's memory divided by 32 bytes — an int64 tensor costs 12 bytes an
/// element (the values and their float32 mirror), and an operation needs its inputs, its output
/// and a gradient beside them — clamped to [2^24, 2^31]. `PAVLOV_MAX_ELEMENTS` overrides it.
public enum AllocationLimit {
  public static let maxElements: Int = {
    if let text = getenv("PAVLOV_MAX_ELEMENTS").map({ String(cString: $0) }),
       let n = Int(text.filter { $0 != "_" }), n > 0 {
      return n
    }
    let bytes = Int(sysconf(Int32(_SC_PHYS_PAGES))) &* Int(sysconf(Int32(_SC_PAGESIZE)))
    return Swift.min(Swift.max(bytes / 32, 1 << 24), 1 << 31)
  }()

  /// The element count of `shape`, or an error when it exceeds the limit. Zero-size axes do not
  /// hide the others: `(0, 2^62)` is refused too, since reducing over its first axis would
  /// allocate the second.
  @discardableResult
  public static func elements(_ shape: [Int], _ operation: String) throws(CoreError) -> Int {
    var nonzero = 1
    var hasZero = false
    for n in shape {
      guard n >= 0 else { throw CoreError("\(operation): a size cannot be negative (shape \(describe(shape)))") }
      if n == 0 { hasZero = true; continue }
      let (product, overflow) = nonzero.multipliedReportingOverflow(by: n)
      guard !overflow, product <= maxElements else { throw tooLarge(shape, operation) }
      nonzero = product
    }
    return hasZero ? 0 : nonzero
  }

  /// A count computed in floating point (it may be beyond any Int), checked before converting.
  public static func count(_ count: Double, _ operation: String) throws(CoreError) -> Int {
    guard count <= Double(maxElements) else {
      let size = count.isFinite ? format(count) : "infinitely many"
      throw CoreError("\(operation): \(size) elements are more than the limit of \(maxElements)", hint: hint)
    }
    return count > 0 ? Int(count) : 0
  }

  static func format(_ x: Double) -> String {
    if x < 1e15 { return String(Int(x)) }
    let exponent = Int(log10(x).rounded(.down))
    let mantissa = (x / pow(10, Double(exponent)) * 10).rounded() / 10
    return "about \(mantissa)e\(exponent)"
  }

  static func tooLarge(_ shape: [Int], _ operation: String) -> CoreError {
    var total = 1.0
    for n in shape where n > 0 { total *= Double(n) }
    return CoreError("\(operation): shape \(describe(shape)) has \(format(total)) elements, more than the limit of \(maxElements)", hint: hint)
  }

  static let hint = "the limit guards the machine's memory; set PAVLOV_MAX_ELEMENTS to change it"

  public static func describe(_ shape: [Int]) -> String {
    "(" + shape.map(String.init).joined(separator: ", ") + (shape.count == 1 ? ",)" : ")")
  }
}
