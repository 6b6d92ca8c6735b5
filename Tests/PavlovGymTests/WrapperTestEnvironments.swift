import PavlovGym
import PavlovTensor

// Small deterministic environments for the wrapper, vector-env and checkEnv tests (the registry's
// environments are written elsewhere). Names end in "TestEnv" so they do not clash with them.

/// Observation `[steps taken, offset]` where `offset` is drawn at reset from the env's generator;
/// reward `action + 1`; terminates after `limit` steps.
final class CounterTestEnv: Environment {
  let limit: Int
  let generator = SeededGenerator(seed: 12345)
  var count = 0
  var offset = 0.0

  init(limit: Int) { self.limit = limit }

  var observationSpace: Space { .box(low: [0, 0], high: [Double(limit), 1], shape: [2]) }
  var actionSpace: Space { .discrete(2) }
  var observation: Point { .reals([Double(count), offset]) }

  func reset(seed: UInt64?) throws -> Reset {
    if let seed { generator.reseed(seed) }
    count = 0
    offset = generator.nextDouble()
    return Reset(observation: observation, info: ["offset": .double(offset)])
  }

  func step(_ action: Point) throws -> Step {
    guard case .int(let a) = action else { throw CoreError("CounterTestEnv takes an integer action") }
    count += 1
    return Step(observation: observation, reward: Double(a + 1), terminated: count >= limit, info: ["count": .int(count)])
  }

  func render() -> String { "count \(count)" }

  func copy() -> Environment? {
    let twin = CounterTestEnv(limit: limit)
    twin.generator.copyState(from: generator)
    twin.count = count
    twin.offset = offset
    return twin
  }
}

/// A walk on `0..<size` with a Discrete observation, starting at a random cell; action 1 moves
/// right, 0 left; terminates at the right end; reward -1 a step.
final class WalkTestEnv: Environment {
  let size: Int
  let generator = SeededGenerator(seed: 99)
  var position = 0

  init(size: Int) { self.size = size }

  var observationSpace: Space { .discrete(size) }
  var actionSpace: Space { .discrete(2) }

  func reset(seed: UInt64?) throws -> Reset {
    if let seed { generator.reseed(seed) }
    position = generator.nextInt(below: size - 1)
    return Reset(observation: .int(position))
  }

  func step(_ action: Point) throws -> Step {
    position = action == .int(1) ? position + 1 : Swift.max(0, position - 1)
    return Step(observation: .int(position), reward: -1, terminated: position == size - 1)
  }

  func render() -> String { String(repeating: ".", count: position) + "@" }

  func copy() -> Environment? {
    let twin = WalkTestEnv(size: size)
    twin.generator.copyState(from: generator)
    twin.position = position
    return twin
  }
}

/// Never terminates; truncates after `limit` steps. Observation `[steps]`, reward 0.5.
final class TruncatingTestEnv: Environment {
  let limit: Int
  var count = 0

  init(limit: Int) { self.limit = limit }

  var observationSpace: Space { .box(low: 0, high: .infinity, shape: [1]) }
  var actionSpace: Space { .discrete(3) }

  func reset(seed: UInt64?) throws -> Reset {
    count = 0
    return Reset(observation: .reals([0]))
  }

  func step(_ action: Point) throws -> Step {
    count += 1
    return Step(observation: .reals([Double(count)]), reward: 0.5, terminated: false, truncated: count >= limit)
  }

  func render() -> String { "t=\(count)" }

  func copy() -> Environment? {
    let twin = TruncatingTestEnv(limit: limit)
    twin.count = count
    return twin
  }
}

/// A Box(-1, 1, [2]) action space; the observation is the last action received, the reward its
/// sum. Terminates after `limit` steps.
final class EchoTestEnv: Environment {
  let limit: Int
  var last: [Double] = [0, 0]
  var count = 0

  init(limit: Int = 1000) { self.limit = limit }

  var observationSpace: Space { .box(low: -1, high: 1, shape: [2]) }
  var actionSpace: Space { .box(low: -1, high: 1, shape: [2]) }

  func reset(seed: UInt64?) throws -> Reset {
    last = [0, 0]
    count = 0
    return Reset(observation: .reals(last))
  }

  func step(_ action: Point) throws -> Step {
    guard case .reals(let values) = action else { throw CoreError("EchoTestEnv takes two numbers") }
    last = values
    count += 1
    return Step(observation: .reals(values), reward: values.reduce(0, +), terminated: count >= limit)
  }

  func render() -> String { "\(last)" }

  func copy() -> Environment? {
    let twin = EchoTestEnv(limit: limit)
    twin.last = last
    twin.count = count
    return twin
  }
}

/// Plays a fixed script: reset gives `observations[cursor]` (a seeded reset rewinds to 0), step k
/// gives `observations[k + 1]` and `rewards[k]`, terminating where `ends` says. Obs is Box([1]).
final class ScriptedTestEnv: Environment {
  let observations: [Double]
  let rewards: [Double]
  let ends: Set<Int>
  var cursor = 0

  init(observations: [Double], rewards: [Double] = [], ends: Set<Int> = []) {
    self.observations = observations
    self.rewards = rewards
    self.ends = ends
  }

  var observationSpace: Space { .box(low: -.infinity, high: .infinity, shape: [1]) }
  var actionSpace: Space { .discrete(1) }

  func reset(seed: UInt64?) throws -> Reset {
    if seed != nil { cursor = 0 }
    return Reset(observation: .reals([observations[cursor % observations.count]]))
  }

  func step(_ action: Point) throws -> Step {
    let k = cursor
    cursor += 1
    return Step(observation: .reals([observations[cursor % observations.count]]),
                reward: rewards.isEmpty ? 0 : rewards[k % rewards.count], terminated: ends.contains(k))
  }

  func render() -> String { "cursor \(cursor)" }
}

/// Discrete(2) actions; throws on every step.
final class ThrowingTestEnv: Environment {
  var observationSpace: Space { CounterTestEnv(limit: 5).observationSpace }
  var actionSpace: Space { .discrete(2) }
  func reset(seed: UInt64?) throws -> Reset { Reset(observation: .reals([0, 0])) }
  func step(_ action: Point) throws -> Step { throw CoreError("broken on purpose") }
  func render() -> String { "broken" }
}
