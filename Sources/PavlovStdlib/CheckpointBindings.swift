import PavlovLang
import PavlovTensor

/// Checkpoints: `save_tensors`, `load_tensors` and `tensor_metadata` read and write the
/// safetensors format (the one PyTorch users share), through PavlovTensor's `Safetensors`.
/// Files go through `Posix`, so errors read like the other io builtins'.
enum CheckpointBindings {
  static func register(_ r: Registry) {
    r.family("tensors")

    r.function("save_tensors", [
      Param("path", doc: "the file to (re)write, such as \"model.safetensors\"; its folder must exist"),
      Param("tensors", doc: "a record of name -> tensor, such as {w: w, b: b}"),
      Param("metadata", default: .null, doc: "a record of name -> string, number or bool (stored as text); nil for none"),
    ], doc: "Saves tensors (and metadata) to a safetensors file, atomically; PyTorch's safetensors can load it.") { args in
      let path = try args.string(0)
      guard case .record(let record) = args[1] else { throw args.typeError(1, "a record of name -> tensor") }
      var tensors: [(String, Tensor)] = []
      for (key, value) in zip(record.keys, record.values) {
        guard case .object(let o) = value, let t = (o as? TensorValue)?.tensor else {
          throw PavlovError.runtime("save_tensors: tensors[\(Format.quoted(key.text))] must be a tensor, got \(value.typeName)",
                                    hint: "every value of the record must be a tensor; make one with tensor(...)")
        }
        tensors.append((key.text, t))
      }
      var metadata: [String: String] = [:]
      if !args.isNull(2) {
        guard case .record(let meta) = args[2] else { throw args.typeError(2, "a record of name -> string (or nil)") }
        for (key, value) in zip(meta.keys, meta.values) {
          switch value {
          case .string, .int, .float, .bool: metadata[key.text] = Format.display(value)
          default:
            throw PavlovError.runtime("save_tensors: metadata[\(Format.quoted(key.text))] must be a string, number or bool, got \(value.typeName)",
                                      hint: "metadata is stored as text: convert it first, e.g. with json_string(x)")
          }
        }
      }
      let bytes = try CoreBridge.run("save_tensors") { try Safetensors.encode(tensors, metadata: metadata) }
      try Posix.writeAtomically(path, bytes, "save_tensors")
      return .null
    }

    r.function("load_tensors", [Param("path", doc: "a safetensors file (written by save_tensors or by PyTorch)")],
               doc: "The tensors of a safetensors file, as a record of name -> tensor in file order.") { args in
      let path = try args.string(0)
      let bytes = try Posix.readBytes(path, "load_tensors", text: false)
      let contents = try CoreBridge.run { try Safetensors.decode(bytes, source: "load_tensors: \(path)") }
      let out = PRecord()
      for (name, t) in contents.tensors { out[name] = TensorValue.wrap(t) }
      return .record(out)
    }

    r.function("digest", [Param("value", doc: "a tensor, a model, or a list or record of them (nested)")],
               doc: "A fingerprint of the exact bits: 16 hex digits (FNV-1a, 64 bits) over each tensor's dtype, shape and elements, the names of a record's fields and a model's parameters, in order. Equal digests mean the same numbers to the bit: print one to check that a run reproduces, on this machine or another.") { args in
      var print = Fingerprint()
      try addToDigest(args[0], &print, depth: 0)
      return .str(print.hex)
    }

    r.function("tensor_metadata", [Param("path", doc: "a safetensors file")],
               doc: "The metadata of a safetensors file, as a record of name -> string (sorted by name).") { args in
      let path = try args.string(0)
      let bytes = try Posix.readBytes(path, "tensor_metadata", text: false)
      let metadata = try CoreBridge.run { try Safetensors.decodeMetadata(bytes, source: "tensor_metadata: \(path)") }
      let out = PRecord()
      for key in metadata.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) { out[key] = .str(metadata[key]!) }
      return .record(out)
    }
  }

  /// Nesting deeper than this is an error (a list that contains itself would never end).
  static let digestDepthLimit = 64

  private static func addToDigest(_ value: Value, _ print: inout Fingerprint, depth: Int) throws {
    guard depth < digestDepthLimit else {
      throw PavlovError.runtime("digest: the value is nested more than \(digestDepthLimit) deep (does a list contain itself?)",
                                hint: "pass the tensors, a model, or a record of them")
    }
    switch value {
    case .object(let o as TensorValue):
      print.add("tensor")
      print.add(o.tensor)
    case .object(let o as ModelValue):
      print.add("model")
      for (name, t) in o.module.namedParameters() {
        print.add(name)
        print.add(t)
      }
    case .list(let l):
      print.add("list")
      print.add(UInt64(l.items.count))
      for item in l.items { try addToDigest(item, &print, depth: depth + 1) }
    case .record(let r):
      print.add("record")
      print.add(UInt64(r.keys.count))
      for (key, item) in zip(r.keys, r.values) {
        switch key {
        case .string(let s): print.add(s)
        case .int(let i): print.add(String(i))
        }
        try addToDigest(item, &print, depth: depth + 1)
      }
    default:
      throw PavlovError.runtime("digest: expected a tensor, a model, or a list or record of them, got \(value.typeName)",
                                hint: "for a trainer, save it and digest load_tensors(path)")
    }
  }
}

private extension String {
  func replacingPrefix(_ prefix: String) -> String { hasPrefix(prefix) ? String(dropFirst(prefix.count)) : self }
}
