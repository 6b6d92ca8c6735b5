import Glibc
import PavlovLang

/// Builds a ready interpreter: every builtin registered, the prelude loaded, `import` able to
/// find `stdlib/`. The CLI, the REPL and the tests all start here.
public enum Startup {
  /// The `stdlib/` folder, looked for only in these places, in order (never in arbitrary parent
  /// folders, where anyone who can write `/tmp/stdlib/` could plant a prelude):
  /// 1. `$PAVLOV_STDLIB`;
  /// 2. the install layout, `BIN/../share/pavlov/stdlib` beside `BIN/pavlov`;
  /// 3. `BIN/stdlib`, beside the binary;
  /// 4. a SwiftPM build in a checkout, `CHECKOUT/.build*/TRIPLE/CONFIG/pavlov` → `CHECKOUT/stdlib`
  ///    (the checkout must hold `Package.swift`).
  public static func locateStdlib() -> String? {
    if let env = getenv("PAVLOV_STDLIB") {
      let path = String(cString: env)
      if access(path + "/prelude.pav", R_OK) == 0 { return path }
    }
    var buffer = [CChar](repeating: 0, count: 4096)
    let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
    guard n > 0 else { return nil }
    let executable = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    var parts = executable.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
    parts.removeLast()  // the binary's folder
    let bin = parts.joined(separator: "/")
    var candidates = [parts.dropLast().joined(separator: "/") + "/share/pavlov/stdlib", bin + "/stdlib"]
    if parts.count >= 4, parts[parts.count - 3].hasPrefix(".build") {
      let checkout = parts.dropLast(3).joined(separator: "/")
      if access(checkout + "/Package.swift", R_OK) == 0 { candidates.append(checkout + "/stdlib") }
    }
    return candidates.first { access($0 + "/prelude.pav", R_OK) == 0 }
  }

  /// A new interpreter with builtins, prelude and import paths set up; `seed` reseeds the
  /// generator behind every random draw.
  public static func makeInterpreter(seed: UInt64? = nil) throws(PavlovError) -> Interpreter {
    let registry = Registry()
    Stdlib.register(into: registry)
    let interp = Interpreter(registry: registry)
    if let seed { Stdlib.seed(interp, seed) }
    guard let stdlib = locateStdlib() else {
      throw PavlovError.runtime("cannot find Pavlov's stdlib/prelude.pav",
                                hint: "run pavlov from its checkout (.build/release/pavlov) or set PAVLOV_STDLIB to the stdlib folder")
    }
    interp.importPaths = [stdlib]
    let path = stdlib + "/prelude.pav"
    try interp.loadPrelude(SourceFile(name: path, text: try Interpreter.readFile(path)))
    return interp
  }
}
