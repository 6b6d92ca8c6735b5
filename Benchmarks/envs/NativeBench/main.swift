// CartPole-v1 steps per second with random actions, natively in Swift: one env through `make`
// (time limit and checks included) and an 8-copy vector env on 1 and 2 threads.
//
//   swift build -c release --product pavlov-env-bench && .build/release/pavlov-env-bench [--smoke]
import Dispatch
import PavlovGym
import PavlovTensor

let smoke = CommandLine.arguments.contains("--smoke")
let steps = smoke ? 20_000 : 2_000_000
let reps = smoke ? 1 : 3

func seconds(_ body: () throws -> Void) rethrows -> Double {
  let start = DispatchTime.now().uptimeNanoseconds
  try body()
  return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

func best(_ run: () throws -> Int) rethrows -> Double {
  var rates: [Double] = []
  for _ in 0..<reps {
    var done = 0
    let time = try seconds { done = try run() }
    rates.append(Double(done) / time)
  }
  return rates.max() ?? 0
}

func single() throws -> Int {
  let env = try EnvRegistry.make("CartPole-v1", seed: 0)
  _ = try env.reset(seed: nil)
  for _ in 0..<steps {
    let result = try env.step(env.actionSpace.sample(env.actionSampler))
    if result.terminated || result.truncated { _ = try env.reset(seed: nil) }
  }
  return steps
}

func vector(threads: Int) throws -> Int {
  let n = 8
  let envs = try VectorEnv(count: n, seed: 0, threads: threads) { _ in try EnvRegistry.make("CartPole-v1") }
  _ = try envs.reset()
  let random = SeededGenerator(seed: 1)
  var actions = [Int](repeating: 0, count: n)
  for _ in 0..<(steps / n) {
    for i in 0..<n { actions[i] = random.nextInt(below: 2) }
    _ = try envs.step(discreteActions: actions)
  }
  return steps / n * n
}

do {
  print("# native CartPole-v1, \(steps) steps x \(reps) reps (best)")
  print("RESULT native_single_steps_per_s \(Int(try best(single))) steps/s")
  print("RESULT native_vector8_steps_per_s \(Int(try best { try vector(threads: 1) })) steps/s")
  print("RESULT native_vector8_2threads_steps_per_s \(Int(try best { try vector(threads: 2) })) steps/s")
} catch {
  print("pavlov-env-bench: \(error)")
}
