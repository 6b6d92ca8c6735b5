import Glibc
import PavlovLang

/// Builds a ready interpreter: every builtin registered, the prelude loaded, `import` able to
/// find `stdlib/`. The CLI, the REPL and the tests all start here.
public enum Startup {
  /// The `stdlib/` folder: `$PAVLOV_STDLIB`, else the nearest `stdlib/prelude.pav` above the
  /// executable (a build in `.build/release/` finds the checkout's), else `../share/pavlov/stdlib`.
  public static func locateStdlib() -> String? {
    if let env = getenv("PAVLOV_STDLIB") {
      let path = String(cString: env)
      if access(path + "/prelude.pav", R_OK) == 0 { return path }
    }
    var buffer = [CChar](repeating: 0, count: 4096)
    let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
    guard n > 0 else { return nil }
    var dir = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    for _ in 0..<6 {
      guard let slash = dir.lastIndex(of: "/") else { break }
      dir = String(dir[..<slash])
      if dir.isEmpty { break }
      for candidate in [dir + "/stdlib", dir + "/share/pavlov/stdlib"] where access(candidate + "/prelude.pav", R_OK) == 0 {
        return candidate
      }
    }
    return nil
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
