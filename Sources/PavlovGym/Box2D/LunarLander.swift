import Glibc
import PavlovCore

/// Gymnasium's `LunarLander-v3`: land a craft on the pad at (0, 0) with its main and side engines,
/// on Box2D. Discrete actions (nothing, left engine, main engine, right engine) or, with
/// `continuous`, two throttles in [-1, 1] (main: off below 0, 50–100% from 0 to 1; lateral: left
/// below -0.5, right above 0.5, 50–100%). Optional wind and turbulence push the craft while no leg
/// touches the ground.
///
/// The observation (x, y, vx, vy, angle, angular velocity, left leg down, right leg down) and the
/// reward follow Gymnasium: the change in shaping −100·distance − 100·speed − 100·|angle| + 10 per
/// leg down, minus 0.3 per frame of main engine and 0.03 of a side engine (times the throttle);
/// −100 and the end for a crash or leaving the screen, +100 and the end when the craft comes to rest.
/// Box2D is 2.4 here and 2.3 under Gymnasium, so episodes match it in distribution, not step by step.
public final class LunarLander: Environment {
  static let fps = 50.0, scale = 30.0
  static let mainEnginePower = 13.0, sideEnginePower = 0.6
  static let initialRandom = 1000.0
  static let landerPolygon: [(Double, Double)] = [(-14, 17), (-17, 0), (-17, -10), (17, -10), (17, 0), (14, 17)]
  static let legAway = 20.0, legDown = 18.0, legWidth = 2.0, legHeight = 8.0, legSpringTorque = 40.0
  static let sideEngineHeight = 14.0, sideEngineAway = 12.0, mainEngineYLocation = 4.0
  static let viewportWidth = 600.0, viewportHeight = 400.0
  static var width: Double { viewportWidth / scale }
  static var height: Double { viewportHeight / scale }
  static let chunks = 11

  public let continuous: Bool
  public let gravity: Double
  public let enableWind: Bool
  public let windPower: Double
  public let turbulencePower: Double

  public let observationSpace = Space.box(
    low: [-2.5, -2.5, -10, -10, -2 * Double.pi, -10, 0, 0],
    high: [2.5, 2.5, 10, 10, 2 * Double.pi, 10, 1, 1], shape: [8])
  public let actionSpace: Space

  private let generator: SeededGenerator
  private var scene: Scene?
  /// The engines fired by the last step (main, side throttle), for the picture.
  private var lastPower = (main: 0.0, side: 0.0)

  /// One episode's world and the handles into it, replaced together on reset.
  private struct Scene {
    let world: PhysicsWorld
    let lander: PhysicsBody
    let legs: [PhysicsBody]
    let terrain: [(Double, Double)]
    let helipad: (x1: Double, x2: Double, y: Double)
    var legContact = [false, false]
    var gameOver = false
    var previousShaping: Double?
    var windIndex = 0, torqueIndex = 0
  }

  private enum Tag { static let moon = 0, lander = 1, leftLeg = 2, rightLeg = 3 }

  public init(continuous: Bool = false, gravity: Double = -10, enableWind: Bool = false,
              windPower: Double = 15, turbulencePower: Double = 1.5, seed: UInt64 = 0) throws {
    guard gravity > -12, gravity < 0 else {
      throw CoreError("LunarLander-v3: gravity must be between -12 and 0 (exclusive), got \(gravity)")
    }
    for (name, value) in [("wind_power", windPower), ("turbulence_power", turbulencePower)] where !value.isFinite {
      throw CoreError("LunarLander-v3: option \(name) must be a finite number, got \(value)")
    }
    self.continuous = continuous
    self.gravity = gravity
    self.enableWind = enableWind
    self.windPower = windPower
    self.turbulencePower = turbulencePower
    actionSpace = continuous ? .box(low: -1, high: 1, shape: [2]) : .discrete(4)
    generator = SeededGenerator(seed: seed)
  }

  public func reset(seed: UInt64?) throws -> Reset {
    if let seed { generator.reseed(seed) }
    let (w, h) = (Self.width, Self.height)
    let world = PhysicsWorld(gravity: (0, gravity))

    // The terrain: 11 chunks of random height, flattened around the pad, then smoothed.
    var heights = (0...Self.chunks).map { _ in generator.uniform(0, h / 2) }
    let chunkX = (0..<Self.chunks).map { w / Double(Self.chunks - 1) * Double($0) }
    let middle = Self.chunks / 2
    let helipad = (x1: chunkX[middle - 1], x2: chunkX[middle + 1], y: h / 4)
    for i in (middle - 2)...(middle + 2) { heights[i] = helipad.y }
    let smooth = (0..<Self.chunks).map { i in 0.33 * (heights[(i - 1 + heights.count) % heights.count] + heights[i] + heights[i + 1]) }
    let moon = world.makeBody(dynamic: false, at: (0, 0), tag: Tag.moon)
    try moon.addEdge((0, 0), (w, 0), Material())
    let ground = Material(friction: 0.1)
    var terrain: [(Double, Double)] = []
    for i in 0..<(Self.chunks - 1) {
      try moon.addEdge((chunkX[i], smooth[i]), (chunkX[i + 1], smooth[i + 1]), ground)
      terrain.append((chunkX[i], smooth[i]))
    }
    terrain.append((chunkX[Self.chunks - 1], smooth[Self.chunks - 1]))

    let start = (x: w / 2, y: h)
    let lander = world.makeBody(dynamic: true, at: (start.x, start.y), tag: Tag.lander)
    try lander.addPolygon(Self.landerPolygon.map { ($0.0 / Self.scale, $0.1 / Self.scale) },
                          Material(density: 5, friction: 0.1, categoryBits: 0x0010, maskBits: 0x0001))
    lander.applyForceToCenter((generator.uniform(-Self.initialRandom, Self.initialRandom),
                               generator.uniform(-Self.initialRandom, Self.initialRandom)))
    let windStart = enableWind ? generator.nextInt(from: -9999, to: 9999) : 0
    let torqueStart = enableWind ? generator.nextInt(from: -9999, to: 9999) : 0

    var legs: [PhysicsBody] = []
    for (side, tag) in [(-1.0, Tag.leftLeg), (1.0, Tag.rightLeg)] {
      let leg = world.makeBody(dynamic: true, at: (start.x - side * Self.legAway / Self.scale, start.y),
                               angle: side * 0.05, tag: tag)
      leg.addBox(halfWidth: Self.legWidth / Self.scale, halfHeight: Self.legHeight / Self.scale,
                 Material(density: 1, categoryBits: 0x0020, maskBits: 0x0001))
      // Gymnasium's limits: each leg swings through half a radian, angled outwards.
      let (lower, upper) = side < 0 ? (0.9 - 0.5, 0.9) : (-0.9, -0.9 + 0.5)
      _ = world.makeRevoluteJoint(lander, leg, RevoluteJointDefinition(
        anchorA: (0, 0), anchorB: (side * Self.legAway / Self.scale, Self.legDown / Self.scale),
        maxMotorTorque: Self.legSpringTorque, motorSpeed: 0.3 * side, lowerAngle: lower, upperAngle: upper))
      legs.append(leg)
    }
    scene = Scene(world: world, lander: lander, legs: legs, terrain: terrain, helipad: helipad,
                  windIndex: windStart, torqueIndex: torqueStart)
    // Gymnasium's reset returns the observation of one idle step.
    let first = try step(continuous ? .reals([0, 0]) : .int(0))
    return Reset(observation: first.observation)
  }

  public func step(_ action: Point) throws -> Step {
    guard var scene else { throw CoreError("LunarLander-v3: step() before reset()") }
    let (mainThrottle, lateral) = try engines(action)
    let lander = scene.lander

    if enableWind, !scene.legContact[0], !scene.legContact[1] {
      // tanh(sin(2k·t) + sin(π·k·t)) with k = 0.01, never periodic (Gymnasium's wind).
      func wind(_ t: Int) -> Double { tanh(sin(0.02 * Double(t)) + sin(Double.pi * 0.01 * Double(t))) }
      lander.applyForceToCenter((wind(scene.windIndex) * windPower, 0))
      scene.windIndex += 1
      lander.applyTorque(wind(scene.torqueIndex) * turbulencePower)
      scene.torqueIndex += 1
    }

    let angle = lander.angle
    let tip = (sin(angle), cos(angle))
    let side = (-tip.1, tip.0)
    let dispersion = (generator.uniform(-1, 1) / Self.scale, generator.uniform(-1, 1) / Self.scale)
    let position = lander.position

    var mainPower = 0.0
    if let throttle = mainThrottle {
      mainPower = throttle
      let offset = Self.mainEngineYLocation / Self.scale + 2 * dispersion.0
      let ox = tip.0 * offset + side.0 * dispersion.1
      let oy = -tip.1 * offset - side.1 * dispersion.1
      lander.applyLinearImpulse((-ox * Self.mainEnginePower * mainPower, -oy * Self.mainEnginePower * mainPower),
                                at: (position.x + ox, position.y + oy))
    }
    var sidePower = 0.0
    if let (direction, throttle) = lateral {
      sidePower = throttle
      let away = 3 * dispersion.1 + direction * Self.sideEngineAway / Self.scale
      let ox = tip.0 * dispersion.0 + side.0 * away
      let oy = -tip.1 * dispersion.0 - side.1 * away
      // 17 where SIDE_ENGINE_HEIGHT (14) was surely meant: Gymnasium's orientation-dependent torque, kept.
      let point = (position.x + ox - tip.0 * 17 / Self.scale, position.y + oy + tip.1 * Self.sideEngineHeight / Self.scale)
      lander.applyLinearImpulse((-ox * Self.sideEnginePower * sidePower, -oy * Self.sideEnginePower * sidePower), at: point)
    }
    lastPower = (mainPower, sidePower)

    scene.world.step(dt: 1 / Self.fps)
    for event in scene.world.contactEvents {
      if event.began, event.involves(Tag.lander) { scene.gameOver = true }
      if event.involves(Tag.leftLeg) { scene.legContact[0] = event.began }
      if event.involves(Tag.rightLeg) { scene.legContact[1] = event.began }
    }

    let state = observation(scene)
    let shaping = -100 * (state[0] * state[0] + state[1] * state[1]).squareRoot()
      - 100 * (state[2] * state[2] + state[3] * state[3]).squareRoot()
      - 100 * Swift.abs(state[4]) + 10 * state[6] + 10 * state[7]
    var reward = scene.previousShaping.map { shaping - $0 } ?? 0
    scene.previousShaping = shaping
    reward -= mainPower * 0.30
    reward -= sidePower * 0.03

    var terminated = false
    if scene.gameOver || Swift.abs(state[0]) >= 1 {
      terminated = true
      reward = -100
    }
    if !lander.isAwake {
      terminated = true
      reward = 100
    }
    self.scene = scene
    return Step(observation: .reals(state), reward: reward, terminated: terminated)
  }

  /// The main engine's throttle (nil when off) and the side engine's direction and throttle.
  private func engines(_ action: Point) throws -> (main: Double?, side: (Double, Double)?) {
    switch action {
    case .int(let a) where !continuous:
      return (a == 2 ? 1 : nil, a == 1 || a == 3 ? (Double(a - 2), 1) : nil)
    case .reals(let a) where continuous && a.count == 2:
      let main = min(max(a[0], -1), 1), lateral = min(max(a[1], -1), 1)
      return (main > 0 ? (main + 1) * 0.5 : nil,
              Swift.abs(lateral) > 0.5 ? (lateral > 0 ? 1 : -1, Swift.abs(lateral)) : nil)
    default:
      throw CoreError("LunarLander-v3: action must be \(continuous ? "a list of two numbers in [-1, 1]" : "an integer 0-3"), got \(action.description)")
    }
  }

  private func observation(_ scene: Scene) -> [Double] {
    let (p, v) = (scene.lander.position, scene.lander.linearVelocity)
    let (w, h) = (Self.width, Self.height)
    return [
      (p.x - w / 2) / (w / 2),
      (p.y - (scene.helipad.y + Self.legDown / Self.scale)) / (h / 2),
      v.x * (w / 2) / Self.fps,
      v.y * (h / 2) / Self.fps,
      scene.lander.angle,
      20 * scene.lander.angularVelocity / Self.fps,
      scene.legContact[0] ? 1 : 0,
      scene.legContact[1] ? 1 : 0,
    ]
  }

  /// The moon's surface `.`, the pad `=` between its flags `|`, the craft's hull `O` and legs `/` `\`,
  /// and the engines that fired.
  public func render() -> String {
    guard let scene else { return "LunarLander-v3 (not reset)" }
    let columns = 60, rows = 20
    var canvas = TextCanvas(width: columns, height: rows)
    func cell(_ p: (Double, Double)) -> (Double, Double) {
      (p.0 / Self.width * Double(columns - 1), (Self.height - p.1) / Self.height * Double(rows - 1))
    }
    for (a, b) in zip(scene.terrain, scene.terrain.dropFirst()) { canvas.line(".", from: cell(a), to: cell(b)) }
    canvas.line("=", from: cell((scene.helipad.x1, scene.helipad.y)), to: cell((scene.helipad.x2, scene.helipad.y)))
    for x in [scene.helipad.x1, scene.helipad.x2] {
      canvas.line("|", from: cell((x, scene.helipad.y)), to: cell((x, scene.helipad.y + 50 / Self.scale)))
    }
    for (leg, mark) in zip(scene.legs, ["/", "\\"] as [Character]) {
      canvas.line(mark, from: cell(leg.worldPoint((0, Self.legHeight / Self.scale))),
                  to: cell(leg.worldPoint((0, -Self.legHeight / Self.scale))))
    }
    let hull = Self.landerPolygon.map { scene.lander.worldPoint(($0.0 / Self.scale, $0.1 / Self.scale)) }
    for (a, b) in zip(hull, hull.dropFirst() + hull.prefix(1)) { canvas.line("O", from: cell(a), to: cell(b)) }
    let s = observation(scene)
    let engines = [lastPower.main > 0 ? "main \(fixed(lastPower.main, 2))" : nil,
                   lastPower.side > 0 ? "side \(fixed(lastPower.side, 2))" : nil].compactMap { $0 }
    return canvas.text + "\n"
      + "x \(fixed(s[0], 2))  y \(fixed(s[1], 2))  vx \(fixed(s[2], 2))  vy \(fixed(s[3], 2))  "
      + "angle \(fixed(s[4], 2))  legs \(Int(s[6]))\(Int(s[7]))  engines \(engines.isEmpty ? "off" : engines.joined(separator: ", "))"
  }
}
