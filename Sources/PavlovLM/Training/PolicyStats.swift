import PavlovRL
import Glibc

/// What one iteration of RLHF policy training measured: the numbers users of TRL and
/// OpenRLHF watch for reward hacking (length drift, answers that never end, KL running away).
public struct PolicyStats: Sendable {
  public var iteration = 0
  /// The mean score the reward gave (before the KL penalty), and after it.
  public var score = 0.0, reward = 0.0
  /// The mean per-answer KL to the reference (summed over tokens), with the estimator used.
  public var kl = 0.0
  public var klEstimator = KLEstimator.k1
  /// β during this iteration (it moves with an adaptive target).
  public var klCoef = 0.0
  /// The mean per-token policy/reference probability ratio π/π_ref.
  public var refRatio = 0.0
  /// The mean per-token entropy of the policy on its answers, in nats.
  public var entropy = 0.0
  /// Over the update: the fraction of tokens whose ratio left [1 − ε, 1 + ε], the approximate KL
  /// between the policy after and before (k3), and the value head's squared error.
  public var clipFraction = 0.0, approxKL = 0.0, valueError = 0.0
  public var loss = 0.0
  /// The mean answer length in tokens, and the fraction of answers that ended (end-of-text).
  public var length = 0.0, endRate = 0.0
  /// Seconds spent generating, scoring (reward and reference/policy passes) and updating.
  public var generateSeconds = 0.0, scoreSeconds = 0.0, updateSeconds = 0.0
  /// Generated tokens per second over the whole iteration.
  public var tokensPerSecond = 0.0
  /// Resident memory at the end of the iteration, and its peak so far, in MB.
  public var memoryMB = 0.0, peakMemoryMB = 0.0
  /// A few (prompt, answer, score) triples, token ids.
  public var samples: [(prompt: [Int64], answer: [Int64], score: Double)] = []

  public init() {}
}

/// Resident and peak resident memory of this process in MB (Linux's /proc/self/status).
public enum MemoryReport {
  public static func residentMB() -> (current: Double, peak: Double) {
    guard let file = fopen("/proc/self/status", "r") else { return (0, 0) }
    defer { fclose(file) }
    var current = 0.0, peak = 0.0
    var line = [CChar](repeating: 0, count: 256)
    while fgets(&line, Int32(line.count), file) != nil {
      let text = String(cString: line)
      let kb = Double(text.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first ?? "") ?? 0
      if text.hasPrefix("VmRSS:") { current = kb / 1024 }
      if text.hasPrefix("VmHWM:") { peak = kb / 1024 }
    }
    return (current, peak)
  }
}
