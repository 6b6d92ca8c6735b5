import PavlovCore
import PavlovTune
import XCTest

final class PBTTests: XCTestCase {
  private func config(_ lr: Double, _ batch: Int) -> JSONValue {
    .object([("lr", .float(lr)), ("model", .object([("batch", .int(batch))]))])
  }

  private func population(seed: UInt64, resample: Double = 0.25) throws -> PBT {
    let pbt = try PBT(perturbationInterval: 10,
                      mutations: [(["lr"], .domain(.logUniform(1e-4, 1e-1))), (["model", "batch"], .values([.int(16), .int(32), .int(64)]))],
                      resampleProbability: resample, seed: seed)
    for i in 0..<8 { pbt.addTrial(i, config: config(0.01 * Double(i + 1), 32)) }
    return pbt
  }

  /// Round one gives every trial a score; in round two the top quarter checkpoints and the
  /// bottom quarter clones one of them (only a trial that has saved can be cloned).
  func testBottomQuarterClonesTheTopQuarter() throws {
    let pbt = try population(seed: 0)
    for i in (0..<8).reversed() {
      XCTAssertEqual(pbt.onResult(trial: i, t: 5, value: Double(i)), .proceed, "before the interval")
    }
    var firstRound: [PBTDecision] = []
    for i in (0..<8).reversed() { firstRound.append(pbt.onResult(trial: i, t: 10, value: Double(i))) }
    XCTAssertFalse(firstRound.contains { if case .exploit = $0 { return true } else { return false } }, "nobody had saved yet")
    var decisions: [Int: PBTDecision] = [:]
    for i in (0..<8).reversed() { decisions[i] = pbt.onResult(trial: i, t: 20, value: Double(i)) }
    XCTAssertEqual(decisions[7], .saveCheckpoint)
    XCTAssertEqual(decisions[6], .saveCheckpoint)
    for i in 2...5 { XCTAssertEqual(decisions[i], .proceed, "trial \(i) is in the middle") }
    for i in 0...1 {
      guard case .exploit(let source, let explored)? = decisions[i] else { return XCTFail("trial \(i): \(String(describing: decisions[i]))") }
      XCTAssertTrue([6, 7].contains(source))
      XCTAssertEqual(pbt.config(of: i), explored, "the trial goes on with the explored config")
      let batch = try XCTUnwrap(explored["model"]?["batch"]?.int)
      XCTAssertTrue([16, 32, 64].contains(batch))
    }
  }

  func testExploreMultipliesByTheFactorsOrStepsToANeighbour() throws {
    let pbt = try population(seed: 3, resample: 0)
    for i in (0..<8).reversed() { _ = pbt.onResult(trial: i, t: 10, value: Double(i)) }
    for i in (0..<8).reversed() {
      if case .exploit(let source, let explored) = pbt.onResult(trial: i, t: 20, value: Double(i)) {
        let lr = try XCTUnwrap(explored["lr"]?.double)
        let sourceLR = 0.01 * Double(source + 1)
        XCTAssertTrue(lr == sourceLR * 1.2 || lr == sourceLR * 0.8, "\(lr) from \(sourceLR)")
        XCTAssertTrue([16, 64].contains(explored["model"]?["batch"]?.int ?? 0), "a neighbour of 32")
      }
    }
  }

  func testTheSameSeedMakesTheSameMoves() throws {
    func run(_ seed: UInt64) throws -> [PBTDecision] {
      let pbt = try population(seed: seed)
      var out: [PBTDecision] = []
      for t in stride(from: 10, through: 60, by: 10) {
        for i in 0..<8 { out.append(pbt.onResult(trial: i, t: t, value: Double((i * 5 + t) % 8))) }
      }
      return out
    }
    XCTAssertEqual(try run(1), try run(1))
    XCTAssertNotEqual(try run(1), try run(2))
  }

  func testBadSettingsAreErrors() {
    XCTAssertThrowsError(try PBT(perturbationInterval: 0, mutations: [(["lr"], .values([.int(1)]))]))
    XCTAssertThrowsError(try PBT(perturbationInterval: 5, mutations: []))
    XCTAssertThrowsError(try PBT(perturbationInterval: 5, mutations: [(["lr"], .values([]))]))
    XCTAssertThrowsError(try PBT(perturbationInterval: 5, mutations: [(["lr"], .domain(.uniform(1, 0)))]))
    XCTAssertThrowsError(try PBT(perturbationInterval: 5, mutations: [(["lr"], .values([.int(1)]))], quantileFraction: 0.7))
  }
}
