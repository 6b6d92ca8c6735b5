import Glibc
import PavlovCore

/// Gymnasium's `BipedalWalker-v3`: a two-legged robot walks right over rough ground by torquing
/// its hips and knees, on Box2D; with `hardcore` the ground has stumps, stairs and pits. Actions
/// are four motor commands in [-1, 1] (hip, knee, hip, knee: the sign picks the direction, the
/// size the torque, up to 80). The 24 observations are the hull's angle and angular velocity, its
/// velocity, each joint's angle and speed, the legs' ground contact, and ten lidar distances.
///
/// Reward, as Gymnasium's: 130 × forward progress / 30 − 5 × change in |hull angle|, minus
/// 0.028 per unit of torque used; −100 and the end when the hull touches the ground or the robot
/// walks off the left edge; the episode ends at the far end. Box2D is 2.4 here and 2.3 under
/// Gymnasium, so episodes match it in distribution, not step by step.
public final class BipedalWalker: Environment {
  static let fps = 50.0, scale = 30.0
  static let motorsTorque = 80.0, speedHip = 4.0, speedKnee = 6.0
  static let lidarRange = 160 / scale
  static let initialRandom = 5.0
  static let hullPolygon: [(Double, Double)] = [(-30, 9), (6, 9), (34, 1), (34, -8), (-30, -8)]
  static let legDown = -8 / scale, legWidth = 8 / scale, legHeight = 34 / scale
  static let viewportWidth = 600.0, viewportHeight = 400.0
  static let friction = 2.5

  public let hardcore: Bool
  public let observationSpace = Space.box(
    low: [-Double.pi, -5, -5, -5, -Double.pi, -5, -Double.pi, -5, 0, -Double.pi, -5, -Double.pi, -5, 0]
      + Array(repeating: -1, count: 10),
    high: [Double.pi, 5, 5, 5, Double.pi, 5, Double.pi, 5, 5, Double.pi, 5, Double.pi, 5, 5]
      + Array(repeating: 1, count: 10),
    shape: [24])
  public let actionSpace = Space.box(low: -1, high: 1, shape: [4])

  private let generator: SeededGenerator
  private var scene: Scene?

  /// One episode's world and the handles into it, replaced together on reset.
  private struct Scene {
    let world: PhysicsWorld
    let terrain: BipedalTerrain
    let hull: PhysicsBody
    /// Upper left, lower left, upper right, lower right (Gymnasium's `legs`).
    let legs: [PhysicsBody]
    /// Left hip, left knee, right hip, right knee (Gymnasium's `joints`).
    let joints: [RevoluteJoint]
    var footContact = [false, false]
    var gameOver = false
    var previousShaping: Double?
    var lidar = [Double](repeating: 1, count: 10)
  }

  private enum Tag { static let ground = 0, hull = 1, leftFoot = 3, rightFoot = 5 }

  public init(hardcore: Bool = false, seed: UInt64 = 0) {
    self.hardcore = hardcore
    generator = SeededGenerator(seed: seed)
  }

  /// Where the hull is (metres from the course's start), nil before the first reset.
  public var hullPosition: (x: Double, y: Double)? { scene?.hull.position }

  private var id: String { hardcore ? "BipedalWalkerHardcore-v3" : "BipedalWalker-v3" }

  public func reset(seed: UInt64?) throws -> Reset {
    if let seed { generator.reseed(seed) }
    let world = PhysicsWorld(gravity: (0, -10))
    let terrain = BipedalTerrain(hardcore: hardcore, generator: generator)
    let ground = world.makeBody(dynamic: false, at: (0, 0), tag: Tag.ground)
    for obstacle in terrain.obstacles { try ground.addPolygon(obstacle, Material(friction: Self.friction)) }
    for (a, b) in zip(terrain.profile, terrain.profile.dropFirst()) {
      try ground.addEdge(a, b, Material(friction: Self.friction))
    }

    let start = (x: BipedalTerrain.step * Double(BipedalTerrain.startPad) / 2, y: BipedalTerrain.height + 2 * Self.legHeight)
    let hull = world.makeBody(dynamic: true, at: (start.x, start.y), tag: Tag.hull)
    try hull.addPolygon(Self.hullPolygon.map { ($0.0 / Self.scale, $0.1 / Self.scale) },
                        Material(density: 5, friction: 0.1, categoryBits: 0x0020, maskBits: 0x0001))
    hull.applyForceToCenter((generator.uniform(-Self.initialRandom, Self.initialRandom), 0))

    var legs: [PhysicsBody] = [], joints: [RevoluteJoint] = []
    let limb = Material(density: 1, categoryBits: 0x0020, maskBits: 0x0001)
    for (index, side) in [-1.0, 1.0].enumerated() {
      let upper = world.makeBody(dynamic: true, at: (start.x, start.y - Self.legHeight / 2 - Self.legDown),
                                 angle: side * 0.05, tag: 2 + 2 * index)
      upper.addBox(halfWidth: Self.legWidth / 2, halfHeight: Self.legHeight / 2, limb)
      joints.append(world.makeRevoluteJoint(hull, upper, RevoluteJointDefinition(
        anchorA: (0, Self.legDown), anchorB: (0, Self.legHeight / 2),
        maxMotorTorque: Self.motorsTorque, motorSpeed: side, lowerAngle: -0.8, upperAngle: 1.1)))
      let lower = world.makeBody(dynamic: true, at: (start.x, start.y - Self.legHeight * 3 / 2 - Self.legDown),
                                 angle: side * 0.05, tag: 3 + 2 * index)
      lower.addBox(halfWidth: 0.8 * Self.legWidth / 2, halfHeight: Self.legHeight / 2, limb)
      joints.append(world.makeRevoluteJoint(upper, lower, RevoluteJointDefinition(
        anchorA: (0, -Self.legHeight / 2), anchorB: (0, Self.legHeight / 2),
        maxMotorTorque: Self.motorsTorque, motorSpeed: 1, lowerAngle: -1.6, upperAngle: -0.1)))
      legs += [upper, lower]
    }
    scene = Scene(world: world, terrain: terrain, hull: hull, legs: legs, joints: joints)
    // Gymnasium's reset returns the observation of one step with the motors idle.
    return Reset(observation: try step(.reals([0, 0, 0, 0])).observation)
  }

  public func step(_ action: Point) throws -> Step {
    guard var scene else { throw CoreError("\(id): step() before reset()") }
    guard case .reals(let raw) = action, raw.count == 4 else {
      throw CoreError("\(id): action must be a list of four numbers in [-1, 1], got \(action.description)")
    }
    let commands = raw.map { min(max($0, -1), 1) }
    for (joint, (command, speed)) in zip(scene.joints, zip(commands, [Self.speedHip, Self.speedKnee, Self.speedHip, Self.speedKnee])) {
      let direction: Double = command > 0 ? 1 : command < 0 ? -1 : 0
      joint.setMotor(speed: speed * direction, maxTorque: Self.motorsTorque * Swift.abs(command))
    }

    scene.world.step(dt: 1 / Self.fps)
    for event in scene.world.contactEvents {
      if event.began, event.involves(Tag.hull) { scene.gameOver = true }
      if event.involves(Tag.leftFoot) { scene.footContact[0] = event.began }
      if event.involves(Tag.rightFoot) { scene.footContact[1] = event.began }
    }

    let position = scene.hull.position
    for i in scene.lidar.indices {
      let ray = 1.5 * Double(i) / 10
      scene.lidar[i] = scene.world.rayCastClosest(
        from: (position.x, position.y),
        to: (position.x + sin(ray) * Self.lidarRange, position.y - cos(ray) * Self.lidarRange), categoryMask: 0x0001)
    }
    let state = observation(scene)

    // Forward progress (normalised to about 300 for the whole course) and a straight hull.
    let shaping = 130 * position.x / Self.scale - 5 * Swift.abs(state[0])
    var reward = scene.previousShaping.map { shaping - $0 } ?? 0
    scene.previousShaping = shaping
    for command in commands { reward -= 0.00035 * Self.motorsTorque * Swift.abs(command) }

    var terminated = false
    if scene.gameOver || position.x < 0 {
      reward = -100
      terminated = true
    }
    if position.x > Double(BipedalTerrain.length - BipedalTerrain.grass) * BipedalTerrain.step { terminated = true }
    self.scene = scene
    return Step(observation: .reals(state), reward: reward, terminated: terminated)
  }

  private func observation(_ scene: Scene) -> [Double] {
    let v = scene.hull.linearVelocity
    let j = scene.joints
    return [
      scene.hull.angle,
      2 * scene.hull.angularVelocity / Self.fps,
      0.3 * v.x * (Self.viewportWidth / Self.scale) / Self.fps,
      0.3 * v.y * (Self.viewportHeight / Self.scale) / Self.fps,
      j[0].angle, j[0].speed / Self.speedHip, j[1].angle + 1, j[1].speed / Self.speedKnee,
      scene.footContact[0] ? 1 : 0,
      j[2].angle, j[2].speed / Self.speedHip, j[3].angle + 1, j[3].speed / Self.speedKnee,
      scene.footContact[1] ? 1 : 0,
    ] + scene.lidar
  }

  /// The stretch of ground around the walker (`_` surface, `#` obstacles), its hull `H` and legs
  /// (`/`, `\` left and right), and how far along the course it is.
  public func render() -> String {
    guard let scene else { return "\(id) (not reset)" }
    let columns = 60, rows = 16
    let width = Self.viewportWidth / Self.scale, height = Self.viewportHeight / Self.scale
    let left = scene.hull.position.x - width / 5
    var canvas = TextCanvas(width: columns, height: rows)
    func cell(_ p: (Double, Double)) -> (Double, Double) {
      ((p.0 - left) / width * Double(columns - 1), (height - p.1) / height * Double(rows - 1))
    }
    for obstacle in scene.terrain.obstacles {
      for (a, b) in zip(obstacle, obstacle.dropFirst() + obstacle.prefix(1)) { canvas.line("#", from: cell(a), to: cell(b)) }
    }
    for (a, b) in zip(scene.terrain.profile, scene.terrain.profile.dropFirst()) where b.0 >= left && a.0 <= left + width {
      canvas.line("_", from: cell(a), to: cell(b))
    }
    for (index, leg) in scene.legs.enumerated() {
      canvas.line(index < 2 ? "/" : "\\", from: cell(leg.worldPoint((0, Self.legHeight / 2))),
                  to: cell(leg.worldPoint((0, -Self.legHeight / 2))))
    }
    let hull = Self.hullPolygon.map { scene.hull.worldPoint(($0.0 / Self.scale, $0.1 / Self.scale)) }
    for (a, b) in zip(hull, hull.dropFirst() + hull.prefix(1)) { canvas.line("H", from: cell(a), to: cell(b)) }
    let finish = Double(BipedalTerrain.length - BipedalTerrain.grass) * BipedalTerrain.step
    let progress = Int((100 * scene.hull.position.x / finish).rounded())
    let s = observation(scene)
    return canvas.text + "\n"
      + "x \(fixed(scene.hull.position.x, 2)) (\(progress)% of the course)  hull angle \(fixed(s[0], 2))  "
      + "feet \(Int(s[8]))\(Int(s[13]))"
  }
}
