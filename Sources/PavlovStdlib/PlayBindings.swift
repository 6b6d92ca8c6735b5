import Glibc
import PavlovGym
import PavlovLang
import PavlovTensor

/// `play(env, policy)`: runs episodes and shows every frame — animated in place on a terminal,
/// printed one after another otherwise (a log, a notebook, a test). On a multi-agent env, people
/// at the terminal can play some of the agents (`MultiAgentPlay`).
enum PlayBindings {
  static func register(_ r: Registry) {
    r.function("play", [
      Param("env", doc: "an environment, a Pavlov env record, or a multi-agent env such as make(\"TicTacToe-v0\")"),
      Param("policy", default: .null, doc: "a function from observation to action (nil: random actions from the action space); multi-agent: one policy for every agent not in humans (a bot, a trained ma_trainer or a function obs => action) or a record {agent: policy} (nil: random legal moves)"),
      Param("fps", default: .null, doc: "frames per second when animating (nil: the env's own pace, e.g. 50 for CartPole and 4 for FrozenLake, as Gymnasium's render_fps; 10 for envs without one; 2 moves a second for multi-agent envs)", range: .atLeast(0.1)),
      Param("episodes", default: .int(1), doc: "how many episodes to play", range: .count),
      Param("max_steps", default: .null, doc: "stop an episode after this many steps (multi-agent: moves) (nil: when it ends)"),
      Param("animate", default: .null, doc: "true: redraw in place; false: print each frame; nil: animate only on a terminal"),
      Param("humans", default: .null, doc: "multi-agent: the agents people play, typing each move at the terminal (q quits), e.g. [\"player_1\"]; nil: policies play every agent"),
    ], doc: "Plays episodes, drawing env.render() each step; returns {returns, lengths}. On a multi-agent env, people type the moves of the agents in humans and policies play the rest; returns {returns: {agent: [per episode]}, winners (nil: a draw), episodes}.") { args in
      if case .object(let multi as MultiEnvValue) = args[0] { return try playMulti(multi, args) }
      if !args.isNull(6) {
        throw PavlovError.runtime("play: humans is for multi-agent envs (make(\"TicTacToe-v0\")); a single-agent env is played by its policy")
      }
      let e = try EnvBindings.environment(args[0], args.interpreter)
      let policy = args[1]
      if !policy.isNull, case .function = policy {} else if !policy.isNull {
        throw PavlovError.runtime("play: policy must be a function from observation to action, got \(policy.typeName)")
      }
      let fps = args.isNull(2) ? (e.env.unwrapped as? RenderSpeed)?.renderFPS ?? 10 : try args.float(2)
      let episodes = try args.int(3)
      let maxSteps: Int? = args.isNull(4) ? nil : try args.int(4)
      let animate = args.isNull(5) ? isatty(1) != 0 : try args.bool(5)
      let out = args.interpreter
      var returns: [Value] = [], lengths: [Value] = []
      var screen = TerminalFrame()
      for episode in 1...Swift.max(1, episodes) {
        let reset = try CoreBridge.run { try e.env.reset(seed: nil) }
        e.info = reset.info
        e.episodeEnded = false
        var observation = reset.observation
        var total = 0.0, steps = 0
        show(e, episode, episodes, steps, nil, total, animate, out, &screen)
        while maxSteps.map({ steps < $0 }) ?? true {
          let action: Point
          if policy.isNull {
            action = e.actionSpaceValue.space.sample(e.actionSpaceValue.generator)
          } else {
            let chosen = try args.call(policy, [SpaceBindings.value(observation, space: e.env.observationSpace)])
            action = try CoreBridge.run { try SpaceBindings.point(chosen, for: e.env.actionSpace, "play: the policy's action") }
          }
          let result = try CoreBridge.run { try e.env.step(action) }
          e.info = result.info
          e.episodeEnded = result.terminated || result.truncated
          observation = result.observation
          total += result.reward
          steps += 1
          if animate { usleep(useconds_t(1_000_000 / fps)) }
          show(e, episode, episodes, steps, result, total, animate, out, &screen)
          if result.terminated || result.truncated { break }
        }
        returns.append(.float(total))
        lengths.append(.int(steps))
      }
      return .record(PRecord([("returns", .list(PList(returns))), ("lengths", .list(PList(lengths)))]))
    }
  }

  /// A multi-agent env: the AEC loop, with people playing the agents in `humans`.
  private static func playMulti(_ e: MultiEnvValue, _ args: Args) throws -> Value {
    // Board games have no render_fps; two moves a second can be followed by eye.
    let fps = args.isNull(2) ? 2 : try args.float(2)
    let players = try MultiAgentPlay.players(e, humans: args[6], policy: args[1], args.interpreter)
    var game = MultiAgentPlay(e, players: players, generator: Stdlib.generator(for: args.interpreter), fps: fps,
                              animate: args.isNull(5) ? isatty(1) != 0 : try args.bool(5), out: args.interpreter)
    return try game.run(episodes: try args.int(3), maxMoves: args.isNull(4) ? nil : try args.int(4))
  }

  private static func show(_ e: EnvValue, _ episode: Int, _ episodes: Int, _ step: Int, _ result: Step?,
                           _ total: Double, _ animate: Bool, _ out: Interpreter, _ screen: inout TerminalFrame) {
    var status = "episode \(episode)/\(episodes)  step \(step)  return \(Format.display(.float((total * 1e4).rounded() / 1e4)))"
    if let result {
      status += "  reward \(Format.display(.float(result.reward)))"
      if result.terminated { status += "  (terminated)" } else if result.truncated { status += "  (truncated)" }
    }
    let frame = e.env.render() + "\n" + status + "\n"
    // Animated, each frame replaces the one before where it stood.
    out.write(animate ? screen.replace(with: frame) : frame + "\n")
  }
}
