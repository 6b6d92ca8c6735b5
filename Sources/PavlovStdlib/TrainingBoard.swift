import PavlovCore
import PavlovLang
import PavlovRL

/// A trainer's TensorBoard log: its hyperparameters and config once, then every number of
/// each iteration's statistics as a scalar `train/NAME` at the iteration's timestep (SB3 logs
/// by timesteps too). `pavlov train` and `agent.train(logdir:)` both write through it.
public final class TrainingBoard {
  let writer: TensorBoardWriter
  public var path: String { writer.path }

  /// A new event file in `directory`, headed by the trainer's hyperparameters and `config`
  /// (JSON text shown on the Text dashboard).
  public init(directory: String, trainer: any Trainer, config: String) throws {
    writer = try TensorBoardWriter(directory: directory)
    var parameters: [(name: String, value: TensorBoardWriter.HyperParameter)] = [("algorithm", .string(trainer.algorithm))]
    if case .object(let fields) = try JSONParser.parse(trainer.configJSON) {
      for (name, value) in fields {
        switch value {
        case .int(let n): parameters.append((name, .number(Double(n))))
        case .float(let x): parameters.append((name, .number(x)))
        case .string(let s): parameters.append((name, .string(s)))
        case .bool(let b): parameters.append((name, .bool(b)))
        case .null: continue
        case .array, .object: parameters.append((name, .string(try JSONWriter.string(value))))
        }
      }
    }
    try writer.hyperparameters(parameters)
    try writer.text("config", "```\n\(config)\n```")
  }

  /// One iteration's numbers (every int or float field of its statistics record).
  public func log(_ stats: TrainStats) throws {
    guard case .record(let row) = TrainerBindings.record(stats) else { return }
    var scalars: [(tag: String, value: Double)] = []
    for (key, value) in zip(row.keys, row.values) {
      guard case .string(let name) = key else { continue }
      switch value {
      case .int(let n): scalars.append(("train/" + name, Double(n)))
      case .float(let x) where x.isFinite: scalars.append(("train/" + name, x))
      default: continue
      }
    }
    try writer.scalars(scalars, step: stats.timesteps)
  }
}
