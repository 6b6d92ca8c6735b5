import PavlovLM
import PavlovRL
import PavlovTensor
import XCTest

/// ILQL's four losses against a hand computation that reads every head one state at a time, its
/// gradients against finite differences, and credit assignment across turns on a task whose
/// values are known.
final class ILQLTests: XCTestCase {
  func tinyModel(seed: UInt64 = 1) throws -> GPT {
    try GPT(vocab: 8, dim: 16, layers: 1, heads: 2, context: 16, generator: SeededGenerator(seed: seed))
  }

  /// Two dialogues: one of two turns (rewards 0.5 then 2), one of a single turn (reward −1).
  let dialogues: [[DialogueTurn]] = [
    [DialogueTurn(prompt: [0, 1], response: [3, 4, 0], reward: 0.5), DialogueTurn(prompt: [0, 1, 3, 4, 2], response: [5, 0], reward: 2)],
    [DialogueTurn(prompt: [0, 2, 2], response: [6, 0], reward: -1)],
  ]

  func trainer(_ config: ILQLConfig = ILQLConfig()) throws -> ILQLTrainer {
    let t = try ILQLTrainer(model: try tinyModel(), dialogues: dialogues, config: config, padding: 0, generator: SeededGenerator(seed: 2))
    // Move the target heads off the online ones so min(Q̂₁, Q̂₂) and Qₖ differ.
    SoftUpdate.blend(t.heads.target1, toward: try t.heads.q2.typedCopy(), tau: 0.5)
    return t
  }

  typealias StateHeads = (q1: [Float], q2: [Float], target: [Float], v: Float, lm: [Float])

  /// Every head read at one state on its own: the prefix before a response token.
  func heads(_ t: ILQLTrainer, _ prefix: [Int64]) throws -> StateHeads {
    try Autograd.noGrad {
      let f = try t.model.features(Tensor(shape: [1, prefix.count], ints: prefix))
      let h = try f.picking([1, 16], Array(((prefix.count - 1) * 16)..<(prefix.count * 16)), "last")
      return (try t.heads.q1.forward(h).data, try t.heads.q2.forward(h).data, try t.heads.targetQ(h).data,
              try t.heads.v.forward(h).data[0], try t.model.logits(fromFeatures: h).logSoftmax(axis: -1).data)
    }
  }

  func testLossesMatchAStateByStateComputation() throws {
    var config = ILQLConfig()
    config.gamma = 0.9
    config.expectile = 0.8
    let t = try trainer(config)
    let (_, stats) = try Autograd.noGrad { try t.losses([0, 1, 2]) }

    func heads(_ prefix: [Int64]) throws -> StateHeads { try self.heads(t, prefix) }
    let next: [Int?] = [1, nil, nil]
    var q = 0.0, v = 0.0, cql = 0.0, bc = 0.0, n = 0.0
    var q1Terms: [Double] = [], q2Terms: [Double] = []
    for (i, turn) in t.turns.enumerated() {
      for (j, a) in turn.response.enumerated() {
        let s = try heads(turn.prompt + Array(turn.response.prefix(j)))
        let goal: Double
        if j + 1 < turn.response.count {
          goal = Double(try heads(turn.prompt + Array(turn.response.prefix(j + 1))).v)
        } else {
          goal = turn.reward + 0.9 * (try next[i].map { Double(try heads(t.turns[$0].prompt).v) } ?? 0)
        }
        let k = Int(a)
        q1Terms.append(pow(Double(s.q1[k]) - goal, 2))
        q2Terms.append(pow(Double(s.q2[k]) - goal, 2))
        let u = Double(s.target[k] - s.v)
        v += (u < 0 ? 0.2 : 0.8) * u * u
        func logsumexp(_ x: [Float]) -> Double { let m = Double(x.max()!); return m + log(x.reduce(0.0) { $0 + exp(Double($1) - m) }) }
        cql += logsumexp(s.q1) - Double(s.q1[k]) + logsumexp(s.q2) - Double(s.q2[k])
        bc -= Double(s.lm[k])
        n += 1
      }
    }
    q = (q1Terms.reduce(0, +) + q2Terms.reduce(0, +)) / n
    XCTAssertEqual(stats.qLoss, q, accuracy: 1e-4)
    XCTAssertEqual(stats.vLoss, v / n, accuracy: 1e-5)
    XCTAssertEqual(stats.cqlLoss, cql / n, accuracy: 1e-4)
    XCTAssertEqual(stats.bcLoss, bc / n, accuracy: 1e-4)
    XCTAssertEqual(stats.loss, q + v / n + 0.1 * cql / n + bc / n, accuracy: 1e-3)
  }

  /// MC targets: every token of a turn regresses to the discounted return from that turn on.
  func testMonteCarloTargetsAreTheLoggedReturns() throws {
    var config = ILQLConfig()
    config.targets = .mc
    config.gamma = 0.9
    let t = try trainer(config)
    let (_, stats) = try Autograd.noGrad { try t.losses([0, 1, 2]) }
    let returns = [0.5 + 0.9 * 2, 2, -1]
    var q = 0.0, n = 0.0
    for (i, turn) in t.turns.enumerated() {
      for (j, a) in turn.response.enumerated() {
        let s = try heads(t, turn.prompt + Array(turn.response.prefix(j)))
        q += pow(Double(s.q1[Int(a)]) - returns[i], 2) + pow(Double(s.q2[Int(a)]) - returns[i], 2)
        n += 1
      }
    }
    XCTAssertEqual(stats.qLoss, q / n, accuracy: 1e-4)
  }

  func testGradientsMatchFiniteDifferences() throws {
    let t = try trainer()
    // A few weights of each head and of the shared trunk; the expectile's weights are constant
    // away from u = 0, so the loss is smooth there.
    let probes: [(Tensor, [Int])] = [
      (t.heads.v.allParameters[0], [0, 7, 40]), (t.heads.q1.allParameters[2], [3, 100]), (t.heads.q2.allParameters[0], [11]),
      (t.model.blocks[0].attn.allParameters[0], [5, 300]), (t.model.tokenEmbedding.allParameters[0], [20]),
    ]
    for (p, _) in probes { p.zeroGrad() }
    let (loss, _) = try t.losses([0, 1, 2])
    try loss.backward()
    for (p, elements) in probes {
      for i in elements {
        let analytic = p.grad!.data[i], original = p.data[i], eps: Float = 1e-2
        p.setElement(i, original + eps)
        let plus = try Autograd.noGrad { try t.losses([0, 1, 2]).stats.loss }
        p.setElement(i, original - eps)
        let minus = try Autograd.noGrad { try t.losses([0, 1, 2]).stats.loss }
        p.setElement(i, original)
        let numeric = Float((plus - minus) / Double(2 * eps))
        XCTAssertEqual(analytic, numeric, accuracy: 2e-2 * max(1, abs(numeric)), "element \(i)")
      }
    }
  }

  /// Turn 1 answers 1 or 2 at random and pays nothing; turn 2 pays 1 after a 2, 0 after a 1.
  /// The behaviour policy is 50/50; V must learn 1 after a 2, 0 after a 1, and the expectile
  /// of {0, 1} at the start; decoding with a large β answers 2.
  func testCreditAssignmentAcrossTurns() throws {
    let g = SeededGenerator(seed: 5)
    var logs: [[DialogueTurn]] = []
    for _ in 0..<64 {
      let first: Int64 = g.nextInt(below: 2) == 0 ? 1 : 2
      logs.append([DialogueTurn(prompt: [0, 3], response: [first, 0], reward: 0),
                   DialogueTurn(prompt: [0, 3, first, 0, 4], response: [5, 0], reward: first == 2 ? 1 : 0)])
    }
    var config = ILQLConfig()
    config.lr = 3e-3
    config.gamma = 1
    let t = try ILQLTrainer(model: try tinyModel(), dialogues: logs, config: config, padding: 0, generator: SeededGenerator(seed: 6))
    _ = try t.fit(steps: 800, generator: SeededGenerator(seed: 7))
    let v = try t.values(prompts: [[0, 3], [0, 3, 1, 0, 4], [0, 3, 2, 0, 4]])
    XCTAssertEqual(v[1], 0, accuracy: 0.15)
    XCTAssertEqual(v[2], 1, accuracy: 0.15)
    XCTAssertEqual(v[0], 0.7, accuracy: 0.2)  // the 0.7-expectile of Q ∈ {0, 1}, equally often
    let greedy = try t.generate([[0, 3]], beta: 8, maxTokens: 1, temperature: 0, stop: [0], generator: SeededGenerator(seed: 0))
    XCTAssertEqual(greedy[0], [2])
    let sampled = try t.generate([[Int64]](repeating: [0, 3], count: 100), beta: 8, maxTokens: 1, temperature: 1, stop: [0], generator: SeededGenerator(seed: 8))
    XCTAssertGreaterThan(sampled.filter { $0 == [2] }.count, 90)
  }

  /// β = 0 is the behaviour policy alone: greedy answers equal the model's own.
  func testBetaZeroDecodesAsTheLanguageModel() throws {
    let t = try trainer()
    _ = try t.fit(steps: 20, generator: SeededGenerator(seed: 1))
    let prompts: [[Int64]] = [[0, 1], [0, 2, 2], [0, 1, 3, 4, 2]]
    let ilql = try t.generate(prompts, beta: 0, maxTokens: 6, temperature: 0, stop: [0], generator: SeededGenerator(seed: 0))
    let plain = try t.model.generate(prompts, maxTokens: 6, temperature: 0, stop: [0], generator: SeededGenerator(seed: 0))
    XCTAssertEqual(ilql, plain)
  }

  func testBadSettingsAndDataAreErrors() throws {
    var config = ILQLConfig()
    config.expectile = 1
    XCTAssertThrowsError(try ILQLTrainer(model: try tinyModel(), dialogues: dialogues, config: config, padding: 0, generator: SeededGenerator(seed: 0))) {
      XCTAssertTrue("\($0)".contains("expectile must be in (0, 1)"), "\($0)")
    }
    XCTAssertThrowsError(try ILQLTrainer(model: try tinyModel(), dialogues: [[]], config: ILQLConfig(), padding: 0, generator: SeededGenerator(seed: 0)))
    let long = [DialogueTurn(prompt: [Int64](repeating: 1, count: 15), response: [2, 3, 0], reward: 0)]
    XCTAssertThrowsError(try ILQLTrainer(model: try tinyModel(), dialogues: [long], config: ILQLConfig(), padding: 0, generator: SeededGenerator(seed: 0))) {
      XCTAssertTrue("\($0)".contains("context"), "\($0)")
    }
  }
}
