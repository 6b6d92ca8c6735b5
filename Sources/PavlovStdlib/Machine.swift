import PavlovLang
import PavlovTensor

/// What machine a result was computed on: benchmarks print it beside their figures, and
/// `pavlov --version` shows it. Results do not depend on it (every kernel path gives the same
/// bits); speed does.
public enum Machine {
  /// One line: the CPU, its cores, and the kernel path in use with those it supports.
  public static var summary: String {
    let supported = KernelPath.supported.map(\.name).joined(separator: ", ")
    return "\(CPU.model), \(Parallel.cores) cores; kernels \(KernelPath.current.name) (this CPU runs \(supported))"
  }

  static func register(_ r: Registry) {
    r.function("machine", doc: "The machine this runs on: a record {cpu, cores, kernels, supported_kernels}. Every kernel path (PAVLOV_KERNELS=baseline, avx2 or avx512) computes the same bits; benchmarks print this beside their figures.") { _ in
      .record(PRecord([
        ("cpu", .str(CPU.model)),
        ("cores", .int(Parallel.cores)),
        ("kernels", .str(KernelPath.current.name)),
        ("supported_kernels", .list(PList(KernelPath.supported.map { .str($0.name) }))),
      ]))
    }
  }
}
