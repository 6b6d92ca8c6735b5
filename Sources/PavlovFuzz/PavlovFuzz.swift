import Glibc
import PavlovLang
import PavlovStdlib

// Coverage-guided fuzzing of every file reader (issue 23): libFuzzer hands each input to
// `LLVMFuzzerTestOneInput`, which writes it to a scratch file and has every reader builtin load
// it. Each must end in a value or a Pavlov error; a trap, an abort or a hang is a finding that
// libFuzzer saves as `crash-*` / `timeout-*`. Built only by `scripts/fuzz.sh` (with
// `--sanitize fuzzer`); in a plain build this executable does nothing.

/// The readers, as the calls a script makes; `P` is replaced by the scratch file's path.
let readers = [
  "load_tensors(P)", "tensor_metadata(P)", "load_trainer(P)", "load_tokenizer(P)",
  "read_preferences(P)", "read_csv(P)", "read_csv(P, header: false)", "read_jsonl(P)",
  "json_parse(read_text(P))", "load_replay_buffer(P)", "__model.load(P)",
]

final class Harness {
  let interpreter: Interpreter
  let path: String
  let calls: [SourceFile]

  init() {
    let folder = "/tmp/pavlov-fuzz-\(getpid())"
    mkdir(folder, 0o700)
    path = folder + "/input"
    let registry = Registry()
    Stdlib.register(into: registry)
    interpreter = Interpreter(registry: registry)
    interpreter.write = { _ in }
    interpreter.statusIsTerminal = false
    let only = getenv("PAVLOV_FUZZ_READER").map { String(cString: $0) }
    let quoted = "\"" + path + "\""
    calls = readers.filter { only == nil || $0.hasPrefix(only!) }.map {
      SourceFile(name: "fuzz", text: $0.replacing("P", with: quoted))
    }
    _ = try? interpreter.run(SourceFile(name: "setup", text: "let __model = mlp([4, 8, 2])"), replMode: true)
  }

  func run(_ bytes: UnsafeBufferPointer<UInt8>) {
    guard let file = fopen(path, "wb") else { return }
    if let base = bytes.baseAddress, bytes.count > 0 { fwrite(base, 1, bytes.count, file) }
    fclose(file)
    for call in calls {
      interpreter.stepLimit = 100_000
      _ = try? interpreter.run(call, replMode: true)
    }
  }
}

nonisolated(unsafe) let harness = Harness()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  harness.run(UnsafeBufferPointer(start: data, count: size))
  return 0
}
