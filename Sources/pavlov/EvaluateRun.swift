import PavlovLang
import PavlovRL
import PavlovStdlib

/// `pavlov evaluate CHECKPOINT`: loads a trainer, runs deterministic episodes and prints the
/// mean return; `--render` then plays one episode in the terminal. Written as Pavlov calls, so
/// it behaves exactly like `load_trainer(path).evaluate(...)` in a script.
public enum EvaluateRun {
  public static func run(checkpoint: String, episodes: Int, render: Bool, env: String?, interpreter: Interpreter) throws -> String {
    guard episodes >= 1 else { throw PavlovError.runtime("pavlov evaluate: --episodes must be at least 1, got \(episodes)") }
    let envArgument = env.map { ", env: \(Format.quoted($0))" } ?? ""
    let trainer = try interpreter.run(source: "load_trainer(\(Format.quoted(checkpoint))\(envArgument))", name: "evaluate")
    interpreter.globals.define("trainer", trainer)
    let result = try interpreter.run(source: "trainer.evaluate(episodes: \(episodes), deterministic: true)", name: "evaluate")
    guard case .record(let record) = result, case .float(let mean)? = record["mean_return"],
          case .float(let std)? = record["std_return"], let value = FrontEndAccess.trainer(trainer) else {
      throw PavlovError.runtime("pavlov evaluate: unexpected result from the trainer")
    }
    if render {
      _ = try interpreter.run(source: "play(make(\(Format.quoted(env ?? value.envName)), seed: 0), policy: obs => trainer.act(obs), fps: 30)",
                              name: "evaluate --render")
    }
    let shown = { (x: Double) in Format.display(.float((x * 100).rounded() / 100)) }
    return "\(value.trainer.algorithm) on \(value.envName) (\(value.trainer.timesteps) training steps): mean return \(shown(mean)) ± \(shown(std)) over \(episodes) episodes (deterministic)"
  }
}
