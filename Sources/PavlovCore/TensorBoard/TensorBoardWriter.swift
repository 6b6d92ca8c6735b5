import Glibc
import Synchronization

/// Writes TensorBoard event files (`events.out.tfevents.*`), so `tensorboard --logdir runs`
/// shows a run: scalars by step, text, and hyperparameters for the HParams dashboard.
///
/// The file is TFRecord framing (length, masked CRC-32C of the length, the record, its masked
/// CRC-32C) around `tensorflow.Event` messages, written field by field from TensorBoard's
/// protos (event.proto, summary.proto, tensor.proto, plugins/hparams/plugin_data.proto). Each
/// event is written whole as it comes (not synced: DQN logs thousands of iterations), so a run
/// stopped at any point leaves a file TensorBoard reads to its last event.
public final class TensorBoardWriter {
  public let path: String
  private let log: AppendLog

  /// A new event file in `directory` (created if missing), named as TensorFlow names them.
  public init(directory: String) throws(FileError) {
    try Files.makeDirectories(directory)
    var host = [CChar](repeating: 0, count: 256)
    gethostname(&host, host.count - 1)
    let name = String(decoding: host.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    let serial = Self.opened.add(1, ordering: .relaxed).oldValue
    path = "\(directory)/events.out.tfevents.\(Int(Self.wallTime())).\(name.isEmpty ? "localhost" : name).\(getpid()).\(serial)"
    log = try AppendLog(path)
    var event = ProtobufMessage()
    event.double(1, Self.wallTime())
    event.string(3, "brain.Event:2")
    try write(event)
  }

  /// Scalars at one step (SB3 logs by timesteps): tag → value, in the order given.
  public func scalars(_ values: [(tag: String, value: Double)], step: Int) throws(FileError) {
    var summary = ProtobufMessage()
    for (tag, value) in values {
      var v = ProtobufMessage()
      v.string(1, tag)
      v.float(2, Float(value))
      summary.message(1, v)
    }
    try write(summary: summary, step: step)
  }

  /// A text (Markdown) for TensorBoard's Text dashboard.
  public func text(_ tag: String, _ text: String, step: Int = 0) throws(FileError) {
    var tensor = ProtobufMessage()
    tensor.int(1, 7)                      // DT_STRING
    tensor.message(2, ProtobufMessage())  // shape: a scalar
    tensor.string(8, text)
    var value = ProtobufMessage()
    value.string(1, tag)
    value.message(9, Self.metadata(plugin: "text", content: []))
    value.message(8, tensor)
    var summary = ProtobufMessage()
    summary.message(1, value)
    try write(summary: summary, step: step)
  }

  /// A hyperparameter value: a number, a string or a bool (google.protobuf.Value).
  public enum HyperParameter: Sendable, Equatable {
    case number(Double)
    case string(String)
    case bool(Bool)
  }

  /// The run's hyperparameters (the HParams dashboard's session start).
  public func hyperparameters(_ values: [(name: String, value: HyperParameter)]) throws(FileError) {
    var start = ProtobufMessage()
    for (name, value) in values {
      var v = ProtobufMessage()
      switch value {
      case .number(let x): v.double(2, x)
      case .string(let s): v.string(3, s)
      case .bool(let b): v.int(4, b ? 1 : 0)
      }
      var entry = ProtobufMessage()
      entry.string(1, name)
      entry.message(2, v)
      start.message(1, entry)
    }
    start.double(5, Self.wallTime())
    var data = ProtobufMessage()
    data.int(1, 0)            // version
    data.message(3, start)    // session_start_info
    var value = ProtobufMessage()
    value.string(1, "_hparams_/session_start_info")
    value.message(9, Self.metadata(plugin: "hparams", content: data.bytes))
    var summary = ProtobufMessage()
    summary.message(1, value)
    try write(summary: summary, step: 0)
  }

  // MARK: - Framing

  private static func metadata(plugin: String, content: [UInt8]) -> ProtobufMessage {
    var pluginData = ProtobufMessage()
    pluginData.string(1, plugin)
    if !content.isEmpty { pluginData.data(2, content) }
    var metadata = ProtobufMessage()
    metadata.message(1, pluginData)
    return metadata
  }

  private func write(summary: ProtobufMessage, step: Int) throws(FileError) {
    var event = ProtobufMessage()
    event.double(1, Self.wallTime())
    event.int(2, Int64(step))
    event.message(5, summary)
    try write(event)
  }

  private func write(_ event: ProtobufMessage) throws(FileError) {
    let data = event.bytes
    var header: [UInt8] = []
    withUnsafeBytes(of: UInt64(data.count).littleEndian) { header += $0 }
    var record = header
    withUnsafeBytes(of: CRC32C.masked(header).littleEndian) { record += $0 }
    record += data
    withUnsafeBytes(of: CRC32C.masked(data).littleEndian) { record += $0 }
    try log.append(record)
  }

  private static func wallTime() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_REALTIME, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
  }

  /// Distinguishes event files one process opens in the same second.
  private static let opened = Atomic<Int>(0)
}
