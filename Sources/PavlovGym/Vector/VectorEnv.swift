import Dispatch
import Glibc
import PavlovCore

/// N copies of an environment stepped as one, with flat observation rows for batched policies.
///
/// **Autoreset: same step** (SB3, Gymnasium's `AutoresetMode.SAME_STEP`). When copy i's episode
/// ends (terminated or truncated) in a step, the copy is reset inside that same step:
/// `observations` row i is the next episode's first observation, `infos[i]` its reset info, and
/// the ended episode's last observation and info are in `finalObservations[i]` / `finalInfos[i]`.
/// `rewards[i]`, `terminated[i]` and `truncated[i]` still describe the step that ended the
/// episode. A trainer bootstraps a truncated episode from `finalObservations[i]`, and never
/// passes an action to an episode that is over.
///
/// **Seeding.** `reset(seed: s)` resets copy i with `s + i`, as Gymnasium does with
/// `seed=[s, s+1, ...]`; the first `reset()` without a seed does the same with the constructor's
/// seed. Other resets, autoresets included, pass no seed, so each copy continues its generator.
///
/// **Threads.** `threads` splits the copies into that many contiguous chunks stepped
/// concurrently (Dispatch's `concurrentPerform`). Each copy owns its generator and is always
/// stepped by one thread, so results are identical for any thread count. Waking a parked worker
/// costs tens of µs on our 2-vCPU Linux VM, so threads pay only for expensive steps. 8 copies,
/// 2 threads vs 1, release build, an env step of a given cost
/// (`PAVLOV_BENCH=1 swift test -c release -Xswiftc -enable-testing --filter VectorEnvTests/testThreadingCrossover`):
/// 0.5 µs → 0.5× (slower), 5 µs → 0.65×, 16 µs → 1.1×, 50 µs → 1.6×, 165 µs → 1.85×.
/// The crossover is near 15 µs a step; CartPole-sized steps (~0.1 µs) want `threads: 1`, where
/// the vector env's own cost is small (8 copies of a near-free env step in 1.5 µs).
public final class VectorEnv {
  public let count: Int
  /// The space of one copy's observation and action.
  public let observationSpace: Space
  public let actionSpace: Space
  /// Numbers per observation row (`observationSpace.flatCount`).
  public let observationSize: Int
  /// Chunks stepped concurrently (1 to min(count, cores)).
  public let threads: Int
  /// The copies, for reading their wrappers' state (episode statistics); step them only through
  /// the vector env.
  public var envs: [Environment] { slots.map(\.env) }

  let slots: [CopySlot]
  private var pendingSeed: UInt64?
  private var started = false
  /// The last reset's or step's results, filled in place (see `gather`).
  private var latest: VectorStep

  /// The current observation rows (`count × observationSize`).
  public var observations: [Double] { latest.observations }

  /// Builds `count` copies with `factory(i)`. Throws if count or threads is less than 1 or the
  /// copies disagree on their spaces.
  public init(count: Int, seed: UInt64? = nil, threads: Int = 1, factory: (Int) throws -> Environment) throws {
    guard count >= 1 else { throw CoreError("VectorEnv: count must be at least 1, got \(count)") }
    guard threads >= 1 else { throw CoreError("VectorEnv: threads must be at least 1, got \(threads)") }
    var slots: [CopySlot] = []
    for i in 0..<count { slots.append(CopySlot(try factory(i))) }
    let first = slots[0].env
    for (i, slot) in slots.enumerated().dropFirst() {
      if slot.env.observationSpace != first.observationSpace || slot.env.actionSpace != first.actionSpace {
        throw CoreError("VectorEnv: copy \(i) has spaces \(slot.env.observationSpace.description) / \(slot.env.actionSpace.description), but copy 0 has \(first.observationSpace.description) / \(first.actionSpace.description); all copies must match")
      }
    }
    self.count = count
    self.slots = slots
    observationSpace = first.observationSpace
    actionSpace = first.actionSpace
    observationSize = first.observationSpace.flatCount
    // Script code runs only on the interpreter's thread: a wrapper holding a Pavlov function
    // once reported a false stack overflow from a worker thread.
    let threadBound = slots.contains { $0.env.isThreadBound }
    self.threads = threadBound ? 1 : Swift.min(threads, count, Processors.online)
    pendingSeed = seed
    latest = VectorStep(
      observations: Array(repeating: 0, count: count * observationSize), rewards: Array(repeating: 0, count: count),
      terminated: Array(repeating: false, count: count), truncated: Array(repeating: false, count: count),
      finalObservations: Array(repeating: nil, count: count), finalInfos: Array(repeating: nil, count: count),
      infos: Array(repeating: [:], count: count))
  }

  /// `count` copies of the registered environment `id`, each made by `EnvRegistry.make`.
  public convenience init(id: String, count: Int, seed: UInt64? = nil, threads: Int = 1,
                          options: [String: EnvOption] = [:]) throws {
    try self.init(count: count, seed: seed, threads: threads) { _ in try EnvRegistry.make(id, options: options) }
  }

  /// Resets every copy: with a seed (or, the first time, the constructor's), copy i gets
  /// `seed + i`; without, each copy continues its generator.
  public func reset(seed: UInt64? = nil) throws -> (observations: [Double], infos: [Info]) {
    let base = seed ?? pendingSeed
    pendingSeed = nil
    started = false
    runChunks { slot, i in slot.reset(seed: base.map { $0 &+ UInt64(i) }) }
    let result = try gather(after: "reset")
    started = true
    return (result.observations, result.infos)
  }

  /// Steps copy i with `actions[i]` (checked against the action space first, so a bad action
  /// leaves every copy untouched).
  public func step(actions: [Point]) throws -> VectorStep {
    try checkStarted()
    guard actions.count == count else {
      throw CoreError("VectorEnv: got \(actions.count) actions for \(count) copies; pass one action per copy")
    }
    for i in actions.indices where !actionSpace.contains(actions[i]) {
      throw CoreError("VectorEnv: invalid action for copy \(i): \(actionSpace.whyNotContains(actions[i]))")
    }
    return try stepCopies { actions[$0] }
  }

  func checkStarted() throws {
    guard started else { throw CoreError("VectorEnv: step() before reset(); call reset() first (also after a step that threw)") }
  }

  /// Steps every copy with `action(i)`, concurrently by chunk, and gathers the results.
  func stepCopies(_ action: (Int) -> Point) throws -> VectorStep {
    runChunks { slot, i in slot.step(action(i)) }
    return try gather(after: "step")
  }

  /// Runs `body` on every slot; chunk c (contiguous copies) runs on its own thread.
  private func runChunks(_ body: (CopySlot, Int) -> Void) {
    let slots = self.slots, count = self.count, threads = self.threads
    if threads == 1 {
      for i in 0..<count { body(slots[i], i) }
      return
    }
    DispatchQueue.concurrentPerform(iterations: threads) { chunk in
      for i in (chunk * count / threads)..<((chunk + 1) * count / threads) { body(slots[i], i) }
    }
  }

  /// Copies the slots' results into `latest` and returns it; throws the first copy's failure (the
  /// vector env then needs a reset, since the other copies did step).
  private func gather(after call: String) throws -> VectorStep {
    for (i, slot) in slots.enumerated() {
      if let failure = slot.failure {
        started = false
        throw CoreError("VectorEnv: copy \(i) failed in \(call)(): \(failure)")
      }
      let observation = slot.outcome.observation
      // A text has no numbers of its own: its row is the space's encoding of it.
      let size = observation.isNumeric ? observation.realCount : (observationSpace.contains(observation) ? observationSize : -1)
      if size != observationSize {
        started = false
        throw CoreError("VectorEnv: copy \(i) returned observation \(slot.outcome.observation.description) with \(size) numbers; its space \(observationSpace.description) has \(observationSize)")
      }
    }
    // Work on a local: its arrays stay uniquely referenced (so they are written in place, as long
    // as the caller dropped the previous result) and skip per-element exclusivity checks.
    var out = latest
    latest = VectorStep.empty
    let size = observationSize
    out.observations.withUnsafeMutableBufferPointer { rows in
      for (i, slot) in slots.enumerated() {
        let observation = slot.outcome.observation
        if observation.isNumeric {
          observation.writeReals(into: rows, at: i * size)
        } else {
          for (k, x) in observationSpace.flatten(observation).enumerated() { rows[i * size + k] = x }
        }
      }
    }
    for (i, slot) in slots.enumerated() {
      let outcome = slot.outcome
      out.rewards[i] = outcome.reward
      out.terminated[i] = outcome.terminated
      out.truncated[i] = outcome.truncated
      out.finalObservations[i] = outcome.finalObservation
      out.finalInfos[i] = outcome.finalInfo
      out.infos[i] = outcome.info
    }
    latest = out
    return out
  }
}
