import Glibc
import PavlovCore
import PavlovLang

/// Text files, JSON Lines, folders and environment variables.
enum FileLibrary {
  static func register(_ r: Registry) {
    r.function("read_text", [Param("path", doc: "the file to read")],
               doc: "The whole contents of a text file (UTF-8) as a string.") { args in
      let path = try args.string(0)
      return .str(String(decoding: try Posix.readBytes(path, "read_text"), as: UTF8.self))
    }

    r.function("write_text", [Param("path", doc: "the file to (re)write; its folder must exist"),
                              Param("text", doc: "the new contents")],
               doc: "Replaces a file's contents atomically (a crash leaves the old file or the new one, never half of it).") { args in
      let path = try args.string(0)
      try Posix.writeAtomically(path, Array(try text(args, 1, "write_text").utf8), "write_text")
      return .null
    }

    r.function("append_text", [Param("path", doc: "the file to append to (created if missing)"),
                               Param("text", doc: "what to add at the end")],
               doc: "Adds text at the end of a file, creating it if needed.") { args in
      let path = try args.string(0)
      try Posix.append(path, Array(try text(args, 1, "append_text").utf8), "append_text")
      return .null
    }

    r.function("file_exists", [Param("path", doc: "a file or folder path")],
               doc: "True if something (a file or a folder) exists at `path`.") { args in
      let path = try args.string(0)
      if path.isEmpty || path.utf8.contains(0) { return .bool(false) }
      return .bool(Posix.exists(path))
    }

    r.function("list_dir", [Param("path", default: .str("."), doc: "the folder to list")],
               doc: "The names of the files and folders in a folder, sorted (without \".\" and \"..\").") { args in
      let names = try Posix.listDirectory(try args.string(0), "list_dir")
      return .list(PList(names.map { .str($0) }))
    }

    r.function("make_dir", [Param("path", doc: "the folder to create, with any missing parents")],
               doc: "Creates a folder and its missing parents; does nothing if it already exists.") { args in
      try Posix.makeDirectories(try args.string(0), "make_dir")
      return .null
    }

    r.function("read_jsonl", [Param("path", doc: "a JSON Lines file: one JSON value per line")],
               doc: "The values of a JSON Lines file, one per non-empty line, as a list.") { args in
      let path = try args.string(0)
      let bytes = try Posix.readBytes(path, "read_jsonl")
      return .list(PList(try parseJSONLines(bytes, path: path)))
    }

    r.function("write_jsonl", [Param("path", doc: "the JSON Lines file to write"),
                               Param("rows", doc: "a list of values (one line each), or a single record (one line)"),
                               Param("append", default: .bool(true), doc: "true adds lines at the end; false replaces the file atomically")],
               doc: "Writes values as JSON Lines; all rows are checked before anything is written.") { args in
      let path = try args.string(0)
      let rows: [Value]
      var single = false
      switch args[1] {
      case .list(let l): rows = l.items
      case .record: rows = [args[1]]; single = true
      default: throw args.typeError(1, "a list of rows or a record")
      }
      let append = try args.bool(2)
      var bytes: [UInt8] = []
      for (k, row) in rows.enumerated() {
        var writer = JSONWriter()
        do throws(JSONWriteError) {
          try JSONConversion.write(row, to: &writer)
        } catch {
          let place = single ? "" : "row \(k): "
          let where_ = error.path.isEmpty ? "value" : "value at \(error.renderedPath)"
          throw PavlovError.runtime("write_jsonl: \(place)\(where_) \(error.problem)",
                                    hint: (error.hint.map { $0 + "; " } ?? "") + "nothing was written to \(path)")
        }
        bytes.append(contentsOf: writer.out)
        bytes.append(0x0A)
      }
      if append {
        try Posix.append(path, bytes, "write_jsonl", separateFromPartialLine: true)
      } else {
        try Posix.writeAtomically(path, bytes, "write_jsonl")
      }
      return .null
    }

    r.function("input", [Param("prompt", default: .str(""), doc: "printed first, without a newline")],
               doc: "One line typed at the terminal (or read from piped input), without its newline; nil at the end of the input. Ctrl-C stops the script as anywhere else.") { args in
      let prompt = try args.string(0)
      if !prompt.isEmpty {
        args.interpreter.write(prompt)
        fflush(stdout)
      }
      return try StandardInput.readLine().map { .str($0) } ?? .null
    }

    r.function("env_var", [Param("name", doc: "the variable's name, such as \"HOME\""),
                           Param("default", default: .null, doc: "what to return when it is not set")],
               doc: "The value of an environment variable, or `default` (nil) if it is not set.") { args in
      let name = try args.string(0)
      if name.isEmpty || name.utf8.contains(0) || name.contains("=") {
        throw PavlovError.runtime("env_var: \(Format.quoted(name)) is not a valid variable name", hint: "names are like \"HOME\" or \"CUDA_VISIBLE_DEVICES\"")
      }
      guard let value = getenv(name) else { return args[1] }
      return .str(String(cString: value))
    }
  }

  /// The text argument of write/append: strings as they are; other values are an error
  /// (a silent `str(x)` would hide mistakes such as writing a list).
  static func text(_ args: Args, _ i: Int, _ function: String) throws(PavlovError) -> String {
    if case .string(let s) = args[i] { return s.value }
    throw PavlovError.runtime("\(function): argument `text` must be a string, got \(args[i].typeName)",
                              hint: "convert it first: str(x), or json_string(x) for data")
  }

  /// Parses JSON Lines; an error names `path:LINE:COLUMN` and the JSON problem.
  static func parseJSONLines(_ bytes: [UInt8], path: String) throws(PavlovError) -> [Value] {
    try bytes.withUnsafeBufferPointer { (buffer) throws(PavlovError) -> [Value] in
      var out: [Value] = []
      let n = buffer.count
      var start = 0
      if n >= 3, buffer[0] == 0xEF, buffer[1] == 0xBB, buffer[2] == 0xBF { start = 3 }
      var line = 1
      while start < n {
        var stop = start
        while stop < n, buffer[stop] != 0x0A { stop += 1 }
        var blank = true
        for k in start..<stop {
          let b = buffer[k]
          if b != 0x20 && b != 0x09 && b != 0x0D { blank = false; break }
        }
        if !blank {
          do throws(JSONSyntaxError) {
            out.append(try JSONParser.parse(buffer, from: start, to: stop).pavlovValue)
          } catch {
            let column = JSONParser.lineAndColumn(buffer, error.offset, from: start).column
            var hint = error.hint
            if stop == n && buffer[n - 1] != 0x0A {
              hint = "the last line does not end with a newline: the program writing the file may have stopped mid-line; delete that line"
            }
            throw PavlovError.runtime("read_jsonl: \(path):\(line):\(column): \(error.message)", hint: hint)
          }
        }
        start = stop + 1
        line += 1
      }
      return out
    }
  }
}
