import CPavlovKernels
import Glibc

/// The instruction set the float kernels (products, element-wise math, layer norm, Adam) run on.
/// Every path gives the same bits; they differ only in speed. The best the CPU supports is
/// chosen at load time, unless the environment variable PAVLOV_KERNELS names another.
public enum KernelPath: Int32, CaseIterable, Sendable {
  case baseline = 0, avx2 = 1, avx512 = 2

  /// "baseline", "avx2" or "avx512", as PAVLOV_KERNELS spells it.
  public var name: String { String(cString: pv_kernel_path_name(rawValue)) }
  public var isSupported: Bool { pv_kernel_path_supported(rawValue) != 0 }

  public static var current: KernelPath { KernelPath(rawValue: pv_kernel_path()) ?? .baseline }
  public static var best: KernelPath { KernelPath(rawValue: pv_best_kernel_path()) ?? .baseline }
  public static var supported: [KernelPath] { allCases.filter(\.isSupported) }

  /// Switches every kernel to `path`; false (and no change) if this CPU cannot run it.
  @discardableResult
  public static func use(_ path: KernelPath) -> Bool { pv_set_kernel_path(path.rawValue) != 0 }
}

/// The CPU results were computed on, for benchmark tables and failure messages (results do not
/// depend on it; speed does).
public enum CPU {
  /// The model name from /proc/cpuinfo ("unknown" where there is none).
  public static let model: String = {
    guard let file = fopen("/proc/cpuinfo", "r") else { return "unknown" }
    defer { fclose(file) }
    var line: UnsafeMutablePointer<CChar>?
    var capacity = 0
    defer { free(line) }
    while getline(&line, &capacity, file) > 0, let line {
      let text = String(cString: line)
      if text.hasPrefix("model name"), let colon = text.firstIndex(of: ":") {
        return String(text[text.index(after: colon)...].filter { $0 != "\n" }).trimmingSpaces
      }
    }
    return "unknown"
  }()
}
