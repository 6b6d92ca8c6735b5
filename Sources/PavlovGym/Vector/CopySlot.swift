/// One copy of a vector env and what its last call produced. Each slot is touched by exactly one
/// thread during a step, so copies can be stepped concurrently without sharing mutable arrays;
/// the vector env gathers the slots into its flat buffers afterwards, on one thread.
final class CopySlot {
  /// Copy i's row of a `VectorStep`.
  struct Outcome {
    var observation: Point = .int(0)
    var reward = 0.0
    var terminated = false
    var truncated = false
    var info: Info = [:]
    var finalObservation: Point?
    var finalInfo: Info?
  }

  let env: Environment
  // Written once per call, so the gather reads each slot with one exclusivity check.
  var outcome = Outcome()
  var failure: Error?

  init(_ env: Environment) { self.env = env }

  func reset(seed: UInt64?) {
    do {
      let result = try env.reset(seed: seed)
      outcome = Outcome(observation: result.observation, info: result.info)
      failure = nil
    } catch {
      failure = error
    }
  }

  /// Steps, and if the episode ends, resets at once and keeps the ended episode's last
  /// observation and info as the final ones.
  func step(_ action: Point) {
    do {
      let result = try env.step(action)
      var next = Outcome(observation: result.observation, reward: result.reward, terminated: result.terminated,
                         truncated: result.truncated, info: result.info)
      if result.done {
        let restart = try env.reset(seed: nil)
        next.finalObservation = result.observation
        next.finalInfo = result.info
        next.observation = restart.observation
        next.info = restart.info
      }
      outcome = next
      failure = nil
    } catch {
      failure = error
    }
  }
}
