import Foundation
import PavlovTensor
import XCTest

/// Golden bits of whole runs: tiny-GPT training, PPO and DQN on CartPole (digests of their
/// checkpoints) and the RLHF pipeline's smoke table, each compared with `Tests/golden/NAME.expected`
/// on every kernel path this CPU supports (PAVLOV_KERNELS), so CI on any machine catches a
/// divergence. `PAVLOV_GOLDEN_WRITE=1` rewrites the files from the best path.
final class GoldenBitsTests: XCTestCase {
  static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
  private var tempDir: URL!

  override func setUpWithError() throws {
    tempDir = FileManager.default.temporaryDirectory.appendingPathComponent("pavlov-golden-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: tempDir, withIntermediateDirectories: true)
  }

  override func tearDown() {
    if let tempDir { try? FileManager.default.removeItem(at: tempDir) }
  }

  func testGPTTraining() throws {
    try check("gpt_training", ["run", path("Tests/golden/gpt_training.pav")], paths: KernelPath.supported)
  }

  func testPPOCartPole() throws {
    try check("ppo_cartpole", ["run", path("Tests/golden/ppo_cartpole.pav"), tempDir.path], paths: KernelPath.supported)
  }

  /// The baseline path (fmaf one element at a time) needs ~90 s for DQN's 256-wide layers, so it
  /// is checked on the cases above and in GoldenKernelTests, where its products are the same code.
  func testDQNCartPole() throws {
    try check("dqn_cartpole", ["run", path("Tests/golden/dqn_cartpole.pav"), tempDir.path], paths: KernelPath.supported.filter { $0 != .baseline })
  }

  /// The pipeline's table and sample answers (its other lines carry timings).
  func testRLHFPipelineSmokeTable() throws {
    try check("rlhf_smoke", ["run", path("examples/rlhf_pipeline.pav"), "smoke"], paths: KernelPath.supported.filter { $0 != .baseline },
              timeout: 120) { output in
      let lines = output.split(separator: "\n", omittingEmptySubsequences: false)
      guard let start = lines.firstIndex(where: { $0.hasPrefix("win rate vs SFT") }) else { return output }
      return lines[start...].filter { !$0.hasPrefix("total time") }.joined(separator: "\n")
    }
  }

  // MARK: helpers

  private func path(_ relative: String) -> String { Self.repo.appendingPathComponent(relative).path }

  private func check(_ name: String, _ arguments: [String], paths: [KernelPath], timeout: TimeInterval = 180,
                     keep: (String) -> String = { $0 }, file: StaticString = #filePath, line: UInt = #line) throws {
    let expectedURL = Self.repo.appendingPathComponent("Tests/golden/\(name).expected")
    var outputs: [(KernelPath, String)] = []
    for kernelPath in paths {
      let result = try PavlovBinary.run(arguments, in: tempDir, timeout: timeout, environment: ["PAVLOV_KERNELS": kernelPath.name],
                                        file: file, line: line)
      XCTAssertEqual(result.status, 0, "\(name) on the \(kernelPath.name) path:\n\(result)", file: file, line: line)
      outputs.append((kernelPath, keep(result.stdout)))
    }
    if ProcessInfo.processInfo.environment["PAVLOV_GOLDEN_WRITE"] == "1", let best = outputs.last {
      try best.1.write(to: expectedURL, atomically: true, encoding: .utf8)
    }
    let expected = try String(contentsOf: expectedURL, encoding: .utf8)
    for (kernelPath, output) in outputs where output != expected {
      XCTFail("""
        golden bits differ: \(name) on the \(kernelPath.name) path of \(CPU.model) \
        (Tests/golden/\(name).expected; rewrite with PAVLOV_GOLDEN_WRITE=1 only for an intended change)
        --- expected ---
        \(expected)
        --- got ---
        \(output)
        """, file: file, line: line)
    }
  }
}
