/// A value in an `info` record. Kept small and closed so the binding layer can turn every
/// case into a Pavlov value.
public indirect enum InfoValue: Equatable, Sendable {
  case double(Double)
  case int(Int)
  case bool(Bool)
  case string(String)
  case point(Point)
  case record([String: InfoValue])
}

public typealias Info = [String: InfoValue]

/// What `reset` returns.
public struct Reset {
  public var observation: Point
  public var info: Info
  public init(observation: Point, info: Info = [:]) {
    self.observation = observation
    self.info = info
  }
}

/// What `step` returns, with Gymnasium's meaning: `terminated` — the episode reached a terminal
/// state of the task (no bootstrapping past it); `truncated` — it was cut short from outside
/// (a time limit), so the value of `observation` still counts.
public struct Step {
  public var observation: Point
  public var reward: Double
  public var terminated: Bool
  public var truncated: Bool
  public var info: Info
  public init(observation: Point, reward: Double, terminated: Bool, truncated: Bool = false, info: Info = [:]) {
    self.observation = observation
    self.reward = reward
    self.terminated = terminated
    self.truncated = truncated
    self.info = info
  }
  public var done: Bool { terminated || truncated }
}

/// An environment with Gymnasium's contract. Implementations only model the task; the order of
/// calls, action checking and time limits are enforced by the wrappers `make` puts around them,
/// so `step` may assume a valid action after a `reset`.
public protocol Environment: AnyObject {
  var observationSpace: Space { get }
  var actionSpace: Space { get }
  /// Starts an episode. A seed reseeds the environment's generator; nil continues its stream.
  func reset(seed: UInt64?) throws -> Reset
  func step(_ action: Point) throws -> Step
  /// The current state as text for a terminal (a few lines, no trailing newline).
  func render() -> String
  /// A copy with identical state and generator, independent from then on (vector envs and
  /// tests use it); nil if the environment cannot be copied.
  func copy() -> Environment?
}

extension Environment {
  public func copy() -> Environment? { nil }
  /// The innermost environment under any wrappers.
  public var unwrapped: Environment {
    var env: Environment = self
    while let wrapper = env as? Wrapper { env = wrapper.inner }
    return env
  }

  /// Whether any layer must run on the thread that made it (it calls script code).
  public var isThreadBound: Bool { layer((any ThreadBound).self) != nil }

  /// The outermost layer of type `T` in the wrapper stack (this env included), if any.
  public func layer<T>(_ type: T.Type) -> T? {
    var env: Environment = self
    while true {
      if let found = env as? T { return found }
      guard let wrapper = env as? Wrapper else { return nil }
      env = wrapper.inner
    }
  }
}

/// One outcome of taking an action in a state of a tabular environment (Gymnasium's `P[s][a]`
/// entries): with `probability`, move to `next`, receive `reward`, and end if `terminated`.
public struct Transition: Equatable, Sendable {
  public var probability: Double
  public var next: Int
  public var reward: Double
  public var terminated: Bool
  public init(probability: Double, next: Int, reward: Double, terminated: Bool) {
    self.probability = probability
    self.next = next
    self.reward = reward
    self.terminated = terminated
  }
}

/// A tabular environment that exposes its model, so dynamic programming can be taught on it.
public protocol TabularEnvironment: Environment {
  /// `transitions[state][action]`: every outcome of the action in the state.
  var transitions: [[[Transition]]] { get }
}

/// An environment or wrapper that calls script code (a Pavlov function): it must be stepped on
/// the interpreter's thread, whose stack the evaluator's overflow guard knows. Vector envs step
/// a stack that holds one on the calling thread, whatever `threads` says.
public protocol ThreadBound: AnyObject {}

/// Base of every wrapper: forwards everything to `inner`; subclasses override what they change.
open class Wrapper: Environment {
  public let inner: Environment
  // The inner spaces, read once: a getter that asked `inner` each time made every space read
  // walk the whole stack (10,000 wrappers took seconds to build).
  private let innerObservationSpace: Space
  private let innerActionSpace: Space
  public init(_ inner: Environment) {
    self.inner = inner
    innerObservationSpace = inner.observationSpace
    innerActionSpace = inner.actionSpace
  }
  open var observationSpace: Space { innerObservationSpace }
  open var actionSpace: Space { innerActionSpace }
  open func reset(seed: UInt64?) throws -> Reset { try inner.reset(seed: seed) }
  open func step(_ action: Point) throws -> Step { try inner.step(action) }
  open func render() -> String { inner.render() }
  open func copy() -> Environment? { nil }
}
