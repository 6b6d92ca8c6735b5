import Glibc

/// The machine's online cores, read once. Kept here rather than taken from Foundation's
/// ProcessInfo so no layer pulls in Foundation: its ICU library alone costs a few milliseconds of
/// loading at every start (issue 16's startup budget is 10 ms).
public enum Processors {
  public static let online: Int = Swift.max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
}
