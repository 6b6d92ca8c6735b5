import PavlovTensor

/// A trainer's checkpoint: one safetensors file with the network weights, optimizer state,
/// normalizer statistics, generator state and environment positions as tensors, and in
/// `__metadata__`:
///
///     format     "pavlov-trainer"
///     version    "1"
///     algorithm  "ppo", "a2c", ...
///     config     the hyperparameters, a JSON object
///     counters   timesteps, iterations, ... , a JSON object of integers
///
/// Numbers that must come back bit for bit but are doubles (normalizer statistics, episode
/// returns) are stored as int64 tensors holding their IEEE-754 bit patterns, under names ending
/// in ".f64"; safetensors files from Pavlov hold float32 otherwise.
public struct TrainerCheckpoint {
  public static let format = "pavlov-trainer"
  public static let version = "1"

  public var algorithm: String
  /// The hyperparameters as JSON object text.
  public var config: String
  /// The counters as JSON object text.
  public var counters: String
  public var tensors: [(String, Tensor)]
  /// Where it was read from, for messages ("" for one made in memory).
  public private(set) var source = ""

  public init(algorithm: String, config: String, counters: String, tensors: [(String, Tensor)] = []) {
    self.algorithm = algorithm
    self.config = config
    self.counters = counters
    self.tensors = tensors
  }

  // MARK: - Files

  public func write(to path: String) throws {
    let metadata = ["format": Self.format, "version": Self.version, "algorithm": algorithm, "config": config, "counters": counters]
    try Safetensors.write(tensors, metadata: metadata, to: path)
  }

  /// Reads a checkpoint, checking its format, version and (when given) algorithm first; each
  /// mismatch is an error naming what was found and what was expected.
  public static func read(_ path: String, algorithm expected: String? = nil) throws -> TrainerCheckpoint {
    let contents = try Safetensors.read(path)
    let meta = contents.metadata
    guard let format = meta["format"] else {
      throw CoreError("\(path) is not a trainer checkpoint: its metadata has no \"format\" entry (expected \"\(Self.format)\")",
                         hint: "it was probably written by save_tensors or another program; load it with load_tensors")
    }
    guard format == Self.format else {
      throw CoreError("\(path) is not a trainer checkpoint: its format is \"\(format)\", expected \"\(Self.format)\"",
                         hint: "load it with the function that reads that format")
    }
    let version = meta["version"] ?? "(none)"
    guard version == Self.version else {
      throw CoreError("\(path) has trainer checkpoint version \(version), but this Pavlov reads version \(Self.version)",
                         hint: "load it with the Pavlov version that wrote it")
    }
    guard let algorithm = meta["algorithm"] else {
      throw CoreError("\(path) names no algorithm in its metadata", hint: "the checkpoint is damaged")
    }
    if let expected, algorithm != expected {
      throw CoreError("\(path) holds a \(algorithm) trainer, expected \(expected)",
                         hint: "load it as \(algorithm) (load_trainer picks the algorithm from the file)")
    }
    var checkpoint = TrainerCheckpoint(algorithm: algorithm, config: meta["config"] ?? "{}", counters: meta["counters"] ?? "{}",
                                       tensors: contents.tensors)
    checkpoint.source = path
    return checkpoint
  }

  /// The algorithm recorded in a checkpoint file (after the format and version checks).
  public static func algorithm(at path: String) throws -> String { try read(path).algorithm }

  // MARK: - Tensors

  private var where_: String { source.isEmpty ? "the checkpoint" : source }

  /// The tensor called `name`; missing is an error naming it.
  public func tensor(_ name: String) throws -> Tensor {
    guard let t = tensors.first(where: { $0.0 == name })?.1 else {
      throw CoreError("\(where_) has no tensor \"\(name)\"", hint: "the checkpoint is damaged or from another trainer layout")
    }
    return t
  }

  /// The tensors whose names start with `prefix`, with the prefix removed.
  public func tensors(prefix: String) -> [(String, Tensor)] {
    tensors.compactMap { name, t in name.hasPrefix(prefix) ? (String(name.dropFirst(prefix.count)), t) : nil }
  }

  /// Adds `values` exactly, as their bit patterns (the name gets ".f64").
  public mutating func add(_ name: String, doubles values: [Double]) {
    tensors.append((name + ".f64", Tensor(shape: [values.count], ints: values.map { Int64(bitPattern: $0.bitPattern) })))
  }

  /// Doubles saved with `add(_:doubles:)`; `count` checks the length when given.
  public func doubles(_ name: String, count: Int? = nil) throws -> [Double] {
    let t = try tensor(name + ".f64")
    guard t.dtype == .int64, t.rank == 1 else {
      throw CoreError("\(where_): \"\(name).f64\" must be a vector of int64 bit patterns, got \(t.dtype.rawValue) of shape \(t.shape)")
    }
    if let count, t.count != count {
      throw CoreError("\(where_): \"\(name).f64\" has \(t.count) values, expected \(count)",
                         hint: "it was saved for an environment or model of another size")
    }
    return t.ints.map { Double(bitPattern: UInt64(bitPattern: $0)) }
  }

  /// Adds integers exactly.
  public mutating func add(_ name: String, ints values: [Int]) {
    tensors.append((name, Tensor(shape: [values.count], ints: values.map { Int64($0) })))
  }

  public func ints(_ name: String, count: Int? = nil) throws -> [Int] {
    let t = try tensor(name)
    guard t.dtype == .int64 else { throw CoreError("\(where_): \"\(name)\" must hold int64 values, got \(t.dtype.rawValue)") }
    if let count, t.count != count {
      throw CoreError("\(where_): \"\(name)\" has \(t.count) values, expected \(count)",
                         hint: "it was saved for an environment or model of another size")
    }
    return t.ints.map { Int($0) }
  }

  /// Adds a generator's exact state: [w0, w1, w2, w3, has_spare, spare_bits] as int64.
  public mutating func add(_ name: String, generator: SeededGenerator) {
    let s = generator.state
    let words = [s.words.0, s.words.1, s.words.2, s.words.3].map { Int64(bitPattern: $0) }
    let spare: [Int64] = s.spareGaussian.map { [1, Int64(bitPattern: $0.bitPattern)] } ?? [0, 0]
    tensors.append((name, Tensor(shape: [6], ints: words + spare)))
  }

  /// Puts `generator` where the saved one stood.
  public func restore(_ name: String, generator: SeededGenerator) throws {
    let v = try ints(name, count: 6).map { UInt64(bitPattern: Int64($0)) }
    let spare: Double? = v[4] != 0 ? Double(bitPattern: v[5]) : nil
    try generator.restore(SeededGenerator.State(words: (v[0], v[1], v[2], v[3]), spareGaussian: spare))
  }

  /// Adds a module's parameters under `prefix` (e.g. "policy.").
  public mutating func add(prefix: String, module: Module) {
    tensors += module.namedParameters(prefix: prefix).map { ($0.0, $0.1.detached()) }
  }

  /// Loads parameters saved with `add(prefix:module:)`; names and shapes must match exactly
  /// (one error lists every difference).
  public func load(prefix: String, into module: Module) throws {
    do {
      try Safetensors.match(tensors(prefix: prefix), into: module.namedParameters())
    } catch let e as CoreError {
      throw CoreError("\(where_): the \(prefix.dropLast()) network does not match this trainer's: \(e.message)",
                         hint: "it was saved with another env (observation or action size) or hidden sizes; build the trainer with the saved config")
    }
  }

  /// Adds an optimizer's state under `prefix` (e.g. "optimizer.").
  public mutating func add(prefix: String, optimizer: Optimizer) {
    tensors += optimizer.stateTensors().map { (prefix + $0.0, $0.1) }
  }

  public func load(prefix: String, into optimizer: Optimizer) throws {
    do {
      try optimizer.loadState(tensors(prefix: prefix))
    } catch let e as CoreError {
      throw CoreError("\(where_): the optimizer state does not fit: \(e.description)")
    }
  }

  // MARK: - JSON

  /// JSON text of a Codable value, keys sorted (so equal configs give equal text) and in
  /// snake_case.
  public static func json<T: Encodable>(_ value: T) throws -> String {
    try JSONWriter.string(try JSONCoding.encode(value))
  }

  /// Decodes this checkpoint's config or counters; `what` names the part in errors.
  public func decode<T: Decodable>(_ type: T.Type, from text: String, what: String) throws -> T {
    let problem: String
    do {
      return try JSONCoding.decode(type, from: try JSONParser.parse(text))
    } catch let error as JSONSyntaxError {
      problem = "it is not valid JSON: \(error.placedMessage)"
    } catch {
      problem = "\(error)"
    }
    throw CoreError("\(where_): its \(what) cannot be read (\(problem))", hint: "the checkpoint is damaged or from another version")
  }
}
