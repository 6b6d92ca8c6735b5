import CPavlovSupport
import Glibc
import PavlovCore
import PavlovGym
import PavlovLang

/// `play` on a multi-agent env: PettingZoo's AEC loop, where the agents named in `humans` are
/// typed at the terminal and the others are played by policies. A parallel env is played in
/// turns as `to_aec` plays it: each agent chooses without seeing the others' choices, and the
/// env steps once all have chosen.
struct MultiAgentPlay {
  let e: MultiEnvValue
  let aec: AECEnvironment
  /// Each agent's policy; nil for an agent a person plays.
  let players: [Bot?]
  let generator: SeededGenerator
  let fps: Double
  let animate: Bool
  let out: Interpreter
  private var screen = TerminalFrame()

  /// Moves typed by people: a legal move, a request to stop, or something to explain.
  enum Answer: Equatable {
    case move(Int)
    case quit
    case invalid(String)
  }

  init(_ e: MultiEnvValue, players: [Bot?], generator: SeededGenerator, fps: Double, animate: Bool, out: Interpreter) {
    self.e = e
    aec = e.env.asAEC
    self.players = players
    self.generator = generator
    self.fps = fps
    self.animate = animate
    self.out = out
  }

  /// Each agent's player from `play`'s `humans:` and `policy:` arguments: nil for a person;
  /// `policy` is one policy for every other agent or a record {agent: policy} (nil: random
  /// legal moves).
  static func players(_ e: MultiEnvValue, humans: Value, policy: Value, _ interpreter: Interpreter) throws -> [Bot?] {
    let people = try humanAgents(e, humans)
    for agent in people {
      guard case .discrete = e.env.actionSpace(agent) else {
        throw PavlovError.runtime("play: \(e.agentNames[agent]) cannot be typed by a person: its action space is \(e.env.actionSpace(agent)), and people type action numbers")
      }
    }
    var given: [Int: Value] = [:]
    if case .record(let record) = policy {
      for (key, value) in zip(record.keys, record.values) {
        let agent = try e.agent(.str(key.text), "play: policy")
        if people.contains(agent) {
          throw PavlovError.runtime("play: policy gives \(key.text) a policy, but \(key.text) is in humans (played at the keyboard)")
        }
        given[agent] = value
      }
    }
    return try e.agentNames.indices.map { agent -> Bot? in
      if people.contains(agent) { return nil }
      let value: Value
      if case .record = policy {
        guard let chosen = given[agent] else {
          throw PavlovError.runtime("play: policy has no entry for \(e.agentNames[agent])", hint: "give every agent not in humans a policy, or one policy for all of them")
        }
        value = chosen
      } else {
        value = policy
      }
      if value.isNull { return randomPlayer(e, agent) }
      return try MultiAgentTrainerBindings.policy(value, e, agent, interpreter, "play: \(e.agentNames[agent])'s policy")
    }
  }

  /// The agents named in `humans:` (a list of names, or one name).
  private static func humanAgents(_ e: MultiEnvValue, _ humans: Value) throws -> Set<Int> {
    switch humans {
    case .null: return []
    case .string: return [try e.agent(humans, "play: humans")]
    case .list(let names): return Set(try names.items.map { try e.agent($0, "play: humans") })
    default:
      throw PavlovError.runtime("play: humans must be a list of agent names such as [\"\(e.agentNames[0])\"], got \(humans.typeName)")
    }
  }

  /// Uniform over the legal moves (the whole action space where the env has no mask).
  private static func randomPlayer(_ e: MultiEnvValue, _ agent: Int) -> Bot {
    let space = e.env.actionSpace(agent)
    return Bot(name: "random") { observation, generator in
      guard case .discrete(let n, let start) = space, let mask = observation.actionMask, mask.count == n else {
        return space.sample(generator)
      }
      let legal = mask.indices.filter { mask[$0] }
      return legal.isEmpty ? space.sample(generator) : .int(start + legal[generator.nextInt(below: legal.count)])
    }
  }

  // MARK: - Playing

  /// Plays up to `episodes` episodes; returns {returns: {agent: [...]}, winners, episodes},
  /// covering the episodes finished before anyone quit.
  mutating func run(episodes: Int, maxMoves: Int?) throws -> Value {
    var returns: [[Double]] = Array(repeating: [], count: players.count)
    var winners: [Value] = []
    for episode in 1...Swift.max(1, episodes) {
      guard let outcome = try playEpisode(episode, of: episodes, maxMoves: maxMoves) else {
        out.write("stopped: \(winners.count) of \(episodes) episode\(episodes == 1 ? "" : "s") finished\n")
        break
      }
      for agent in outcome.indices { returns[agent].append(outcome[agent]) }
      winners.append(Self.winner(outcome).map { .str(e.agentNames[$0]) } ?? .null)
    }
    return .record(PRecord([
      ("returns", e.byAgent(Array(players.indices)) { .list(PList(returns[$0].map { .float($0) })) }),
      ("winners", .list(PList(winners))),
      ("episodes", .int(winners.count)),
    ]))
  }

  /// One episode through the AEC loop; each agent's return, or nil if a person quit.
  private mutating func playEpisode(_ episode: Int, of episodes: Int, maxMoves: Int?) throws -> [Double]? {
    try CoreBridge.run { try aec.reset(seed: e.resetSeed(nil)) }
    e.started = true
    var returns = [Double](repeating: 0, count: players.count)
    var moves = 0
    var lastMove: String?
    show("episode \(episode)/\(episodes)", lastMove)
    while !aec.agents.isEmpty {
      let agent = aec.agentSelection
      let last = aec.last()
      returns[agent] += last.reward
      if last.terminated || last.truncated {
        try CoreBridge.run { try aec.step(nil) }
        continue
      }
      if let maxMoves, moves >= maxMoves { break }
      guard let action = try choose(agent, last.observation) else { return nil }
      try CoreBridge.run { try aec.step(action) }
      e.rememberInfos(aec.infos)
      moves += 1
      lastMove = "\(who(agent)) played \(action.description)"
      show("episode \(episode)/\(episodes)", lastMove)
    }
    out.write(result(returns, moves: moves) + "\n")
    // The finished board stays on the terminal; the next episode is drawn below it.
    screen = TerminalFrame()
    return returns
  }

  /// "player_1 wins", "draw", or why the episode stopped before its end.
  private func result(_ returns: [Double], moves: Int) -> String {
    if !aec.agents.isEmpty { return "stopped after \(moves) move\(moves == 1 ? "" : "s") (max_steps)" }
    return Self.winner(returns).map { "\(e.agentNames[$0]) wins" } ?? "draw"
  }

  /// The agent's move: typed by a person or chosen by its policy; nil if the person quit.
  private mutating func choose(_ agent: Int, _ observation: Point) throws -> Point? {
    guard let bot = players[agent] else { return try ask(agent).map { Point.int($0) } }
    if pavlov_take_interrupt() != 0 { throw PavlovError.interrupted() }
    // A pause before each policy move lets the person see the board change.
    if animate { usleep(useconds_t(1_000_000 / fps)) }
    let action = try CoreBridge.run { try bot.act(observation, generator: generator) }
    if let why = aec.whyIllegalAction(action, for: agent) {
      throw PavlovError.runtime("play: \(e.agentNames[agent])'s policy (\(bot.name)) chose \(action.description), which is illegal: \(why)",
                                hint: "a policy should pick among the moves its observation's action_mask allows")
    }
    return action
  }

  /// Asks the person playing `agent` until they type a legal move; nil when they type q or the
  /// input ends.
  private mutating func ask(_ agent: Int) throws -> Int? {
    let legal = aec.legalActions(for: agent).map(String.init).joined(separator: " ")
    // A terminal echoes what is typed; a pipe does not, so the transcript shows it instead.
    let echo = isatty(0) == 0
    while true {
      out.write("\(who(agent)), your move [legal: \(legal)]: ")
      fflush(stdout)
      guard let line = try StandardInput.readLine() else {
        out.write("\n")
        return nil
      }
      if echo { out.write(line + "\n") }
      screen.grew(by: 1)
      switch answer(line, agent) {
      case .move(let move): return move
      case .quit: return nil
      case .invalid(let why):
        out.write(why + "\n")
        screen.grew(by: 1)
      }
    }
  }

  /// What a typed line means for `agent`, with the reason when it is not a legal move.
  func answer(_ line: String, _ agent: Int) -> Answer {
    let text = String(line.unicodeScalars.filter { $0 != "\r" && $0 != "\t" }).trimmingSpaces
    if text.lowercased() == "q" || text.lowercased() == "quit" { return .quit }
    if text.isEmpty { return .invalid("type one of the legal moves, or q to quit") }
    guard let move = Int(text) else { return .invalid("\"\(text)\" is not a number: type one of the legal moves, or q to quit") }
    if let why = aec.whyIllegalAction(.int(move), for: agent) { return .invalid("cannot play \(move): \(why)") }
    return .move(move)
  }


  /// The agent's name with its mark on the board: "player_1 (X)".
  private func who(_ agent: Int) -> String {
    e.agentNames[agent] + (aec.mark(of: agent).map { " (\($0))" } ?? "")
  }

  /// Draws the board and a status line: animated, over the frame before; otherwise below it.
  private mutating func show(_ episode: String, _ lastMove: String?) {
    var status = [episode]
    if let lastMove { status.append(lastMove) }
    if !aec.agents.isEmpty && !aec.selectionIsDone { status.append("\(who(aec.agentSelection)) to move") }
    let frame = aec.render() + "\n" + status.joined(separator: "  ") + "\n"
    out.write(animate ? screen.replace(with: frame) : frame + "\n")
  }

  /// The agent whose return beats every other's; nil for a tie (a draw).
  static func winner(_ returns: [Double]) -> Int? {
    guard let best = returns.indices.max(by: { returns[$0] < returns[$1] }) else { return nil }
    return returns.indices.allSatisfy { $0 == best || returns[$0] < returns[best] } ? best : nil
  }
}
