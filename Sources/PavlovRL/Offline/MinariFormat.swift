import Glibc
import PavlovCore
import PavlovGym

/// Minari 0.5's on-disk layout (HDF5 backend), so `minari.load_dataset` reads what `record`
/// writes and `load_dataset` reads Minari's datasets:
///
///     FOLDER/data/metadata.json    dataset_id, minari_version, data_format, totals, spaces (as JSON strings)
///     FOLDER/data/main_data.hdf5   episode_0 … episode_{N-1}: observations (T+1 rows), actions,
///                                  rewards (float64), terminations and truncations (h5py's bool
///                                  enum), an infos group (with `cost` when the env reported
///                                  costs); attributes id, total_steps, seed
///
/// FOLDER is `MINARI_DATASETS_PATH/<dataset_id>`, and the id is "namespace/name-vN".
public enum MinariFormat {
  public static let version = "0.5.4"

  /// The dataset id a folder stands for: its last two path components, checked as Minari checks them.
  public static func datasetID(forFolder folder: String) throws -> String {
    let parts = folder.split(separator: "/").filter { $0 != "." && !$0.isEmpty }.suffix(2).map(String.init)
    let id = parts.joined(separator: "/")
    let word: (Character) -> Bool = { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }
    // NAME-vN: a version after the last dash.
    let versioned = parts.count == 2 && parts[1].lastIndex(of: "-").map { dash in
      let version = parts[1][parts[1].index(after: dash)...]
      return dash != parts[1].startIndex && version.first == "v" && version.count > 1 && version.dropFirst().allSatisfy(\.isNumber)
    } == true
    guard versioned, parts[0].count >= 2, parts[0].allSatisfy(word), parts[1].allSatisfy(word) else {
      throw CoreError("the dataset folder \(folder) must end in NAMESPACE/NAME-vN (e.g. datasets/cartpole/expert-v0), as Minari's dataset ids",
                      hint: "the namespace needs at least two characters; letters, digits, _ and - only")
    }
    return id
  }

  public static func write(_ dataset: EpisodeDataset, to folder: String) throws {
    try checkStorable(dataset.observationSpace, dataset.actionSpace)
    let data = folder + "/data"
    try Files.makeDirectories(data)
    // Written beside, then renamed: a reader never sees half a file, and the new file is created
    // exclusively (a stale temporary of this process's id, or a link planted there, is removed first).
    let target = data + "/main_data.hdf5", temporary = target + ".tmp-\(getpid())"
    unlink(temporary)
    do {
      try writeEpisodes(dataset, to: temporary)
    } catch {
      unlink(temporary)  // a failed write leaves nothing behind
      throw error
    }
    guard rename(temporary, target) == 0 else {
      unlink(temporary)
      throw CoreError("cannot move the dataset into \(target): \(Files.reason(errno))")
    }
    var metadata: [(key: String, value: JSONValue)] = [
      ("dataset_id", .string(dataset.id)),
      ("minari_version", .string(version)),
      ("data_format", .string("hdf5")),
      ("total_episodes", .int(dataset.episodes.count)),
      ("total_steps", .int(dataset.totalSteps)),
      ("observation_space", .string(MinariSpace.json(dataset.observationSpace))),
      ("action_space", .string(MinariSpace.json(dataset.actionSpace))),
      ("jpeg_encoding", .bool(true)),
      ("algorithm_name", .string("pavlov record_episodes")),
    ]
    if let envID = dataset.envID { metadata.append(("env_id", .string(envID))) }
    try Files.writeAtomically(data + "/metadata.json", Array(try JSONWriter.string(.object(metadata)).utf8))
  }

  /// The episode groups of main_data.hdf5, in a new file at `path` (closed on return).
  static func writeEpisodes(_ dataset: EpisodeDataset, to path: String) throws {
    let file = try HDF5Group.create(path)
    for (i, episode) in dataset.episodes.enumerated() {
      let group = try file.createGroup("episode_\(i)")
      try group.setAttribute("id", Int64(i))
      try group.setAttribute("total_steps", Int64(episode.steps))
      if let seed = episode.seed { try group.setAttribute("seed", seed) }
      let t = episode.steps
      try group.write("observations", episode.observations, shape: [t + 1] + dataset.observationSpace.elementShape,
                      as: storage(dataset.observationSpace))
      try group.write("actions", episode.actions, shape: [t] + dataset.actionSpace.elementShape, as: storage(dataset.actionSpace))
      try group.write("rewards", episode.rewards, shape: [t], as: .float64)
      try group.write("terminations", episode.terminations.map { $0 ? 1 : 0 }, shape: [t], as: .bool)
      try group.write("truncations", episode.truncations.map { $0 ? 1 : 0 }, shape: [t], as: .bool)
      let infos = try group.createGroup("infos")
      // Minari logs the reset's info first, so a cost column has one entry per observation.
      if episode.costs.count == t { try infos.write(EpisodeDataset.costKey, [0] + episode.costs, shape: [t + 1], as: .float64) }
    }
  }

  /// Minari keeps Text, Tuple and Dict elements in their own HDF5 layouts (strings, groups per
  /// key), which this writer does not make yet.
  public static func checkStorable(_ spaces: Space...) throws {
    for space in spaces {
      switch space {
      case .discrete, .box, .multiDiscrete: continue
      case .text, .tuple, .dict:
        throw CoreError("datasets of \(space.description) spaces are not supported yet: Pavlov logs Box, Discrete and MultiDiscrete observations and actions")
      }
    }
  }

  /// Box spaces are stored as float32 (as Gymnasium's), Discrete and MultiDiscrete as int64.
  static func storage(_ space: Space) -> HDF5Group.Kind {
    if case .box = space { return .float32 }
    return .int64
  }

  public static func read(_ folder: String) throws -> EpisodeDataset {
    let data = folder + "/data"
    let metadataPath = data + "/metadata.json"
    let metadata: JSONValue
    do {
      metadata = try JSONParser.parse(try Files.read(metadataPath))
    } catch let error as FileError {
      throw CoreError("\(folder) is not a Minari dataset: \(error.message)", hint: "a dataset folder holds data/metadata.json and data/main_data.hdf5")
    }
    func field(_ key: String) throws -> JSONValue {
      guard let value = metadata[key] else { throw CoreError("\(metadataPath): there is no \"\(key)\"") }
      return value
    }
    guard let format = try field("data_format").string, format == "hdf5" else {
      throw CoreError("\(metadataPath): data_format is \(metadata["data_format"].map { "\($0)" } ?? "missing"); Pavlov reads Minari's hdf5 datasets")
    }
    guard let id = try field("dataset_id").string else { throw CoreError("\(metadataPath): dataset_id must be a string") }
    guard let total = try field("total_episodes").int, total >= 0 else { throw CoreError("\(metadataPath): total_episodes must be a count") }
    guard let observationText = try field("observation_space").string, let actionText = try field("action_space").string else {
      throw CoreError("\(metadataPath): observation_space and action_space must be Minari's space descriptions (strings)")
    }
    let observationSpace = try MinariSpace.parse(observationText, "\(metadataPath): observation_space")
    let actionSpace = try MinariSpace.parse(actionText, "\(metadataPath): action_space")
    var dataset = EpisodeDataset(id: id, observationSpace: observationSpace, actionSpace: actionSpace, envID: metadata["env_id"]?.string)
    let file = try HDF5Group.open(data + "/main_data.hdf5")
    for i in 0..<total {
      try Interruption.check()
      let group = try file.group("episode_\(i)")
      let rewards = try group.read("rewards")
      guard rewards.shape.count == 1 else { throw CoreError("\(file.file): episode_\(i)/rewards must have one axis, got \(rewards.shape)") }
      let t = rewards.shape[0]
      func rows(_ name: String, _ count: Int, _ width: Int) throws -> [Double] {
        let set = try group.read(name)
        guard set.shape.first == count, set.values.count == count * width else {
          throw CoreError("\(file.file): episode_\(i)/\(name) has shape \(set.shape); expected \(count) rows of \(width) numbers",
                          hint: "observations have one row more than the steps (the reset's)")
        }
        return set.values
      }
      var episode = LoggedEpisode(seed: try group.attribute("seed"))
      episode.rewards = rewards.values
      episode.observations = try rows("observations", t + 1, dataset.observationWidth)
      episode.actions = try rows("actions", t, dataset.actionWidth)
      episode.terminations = try rows("terminations", t, 1).map { $0 != 0 }
      episode.truncations = try rows("truncations", t, 1).map { $0 != 0 }
      if group.has("infos"), case let infos = try group.group("infos"), infos.has(EpisodeDataset.costKey) {
        let costs = try infos.read(EpisodeDataset.costKey)
        guard costs.shape == [t + 1] else {
          throw CoreError("\(file.file): episode_\(i)/infos/\(EpisodeDataset.costKey) has shape \(costs.shape); expected \(t + 1) numbers (the reset's info, then one per step)")
        }
        episode.costs = Array(costs.values.dropFirst())
      }
      dataset.episodes.append(episode)
    }
    return dataset
  }
}

/// Minari's space descriptions (`minari.serialization.serialize_space`): JSON inside a JSON
/// string, with Python's `Infinity` tokens for unbounded boxes.
enum MinariSpace {
  static func json(_ space: Space) -> String {
    switch space {
    case .discrete(let n, let start):
      return "{\"type\": \"Discrete\", \"dtype\": \"int64\", \"start\": \(start), \"n\": \(n)}"
    case .box(let low, let high, let shape):
      let shapeText = "[" + shape.map(String.init).joined(separator: ", ") + "]"
      return "{\"type\": \"Box\", \"dtype\": \"float32\", \"shape\": \(shapeText), \"low\": \(nested(low, shape)), \"high\": \(nested(high, shape))}"
    case .multiDiscrete(let nvec):
      let list = "[" + nvec.map(String.init).joined(separator: ", ") + "]"
      return "{\"type\": \"MultiDiscrete\", \"dtype\": \"int64\", \"nvec\": \(list), \"start\": [\(nvec.map { _ in "0" }.joined(separator: ", "))]}"
    case .text(let minLength, let maxLength, let charset):
      return "{\"type\": \"Text\", \"max_length\": \(maxLength), \"min_length\": \(minLength), \"charset\": \(JSONWriter.quoted(String(charset)))}"
    case .tuple(let spaces):
      return "{\"type\": \"Tuple\", \"subspaces\": [" + spaces.map(json).joined(separator: ", ") + "]}"
    case .dict(let keys, let spaces):
      return "{\"type\": \"Dict\", \"subspaces\": {" + zip(keys, spaces).map { "\(JSONWriter.quoted($0)): \(json($1))" }.joined(separator: ", ") + "}}"
    }
  }

  /// Row-major values as nested lists of `shape`, each number as Python prints the float32 value.
  static func nested(_ values: [Double], _ shape: [Int]) -> String {
    func number(_ x: Double) -> String {
      if x.isInfinite { return x > 0 ? "Infinity" : "-Infinity" }
      return "\(Double(Float(x)))"
    }
    func level(_ offset: Int, _ axis: Int) -> String {
      if axis == shape.count { return number(values[offset]) }
      let stride = shape[(axis + 1)...].reduce(1, *)
      return "[" + (0..<shape[axis]).map { level(offset + $0 * stride, axis + 1) }.joined(separator: ", ") + "]"
    }
    return level(0, 0)
  }

  static func parse(_ text: String, _ context: String) throws -> Space {
    let value = try JSONParser.parse(text, allowsNonFinite: true)
    guard let type = value["type"]?.string else { throw CoreError("\(context) has no \"type\"") }
    switch type {
    case "Discrete":
      guard let n = value["n"]?.int, n >= 1 else { throw CoreError("\(context): a Discrete space needs n ≥ 1") }
      return .discrete(n: n, start: value["start"]?.int ?? 0)
    case "Box":
      guard let shape = value["shape"]?.array?.compactMap(\.int), let low = value["low"], let high = value["high"] else {
        throw CoreError("\(context): a Box space needs shape, low and high")
      }
      let count = try AllocationLimit.elements(shape, context)
      let lows = flatten(low), highs = flatten(high)
      guard lows.count == count, highs.count == count else {
        throw CoreError("\(context): low and high must hold \(count) numbers for shape \(shape)")
      }
      return .box(low: lows, high: highs, shape: shape.isEmpty ? [1] : shape)
    case "MultiDiscrete":
      guard let nvec = value["nvec"]?.array?.compactMap(\.int), !nvec.isEmpty, nvec.allSatisfy({ $0 >= 1 }) else {
        throw CoreError("\(context): a MultiDiscrete space needs nvec, a list of counts ≥ 1")
      }
      if let start = value["start"]?.array?.compactMap(\.int), start.contains(where: { $0 != 0 }) {
        throw CoreError("\(context): Pavlov's MultiDiscrete spaces start at 0, this one at \(start)")
      }
      return .multiDiscrete(nvec: nvec)
    default:
      throw CoreError("\(context) is a \(type) space; Pavlov reads Box, Discrete and MultiDiscrete spaces")
    }
  }

  static func flatten(_ value: JSONValue) -> [Double] {
    if let items = value.array { return items.flatMap(flatten) }
    return value.double.map { [$0] } ?? [.nan]
  }
}
