import CBox2D
import Glibc
import PavlovCore

/// A Box2D world (Debian's libbox2d through CBox2D) owned by one environment episode. Its bodies
/// and joints are handles into it and live exactly as long as it does, so an environment keeps
/// the world and its handles together and replaces them together on reset.
final class PhysicsWorld {
  private let handle: OpaquePointer

  init(gravity: (Double, Double)) {
    handle = pvb2_world_create(pvb2_vec(x: Float(gravity.0), y: Float(gravity.1)))
  }

  deinit { pvb2_world_destroy(handle) }

  /// Advances by `dt` with Gymnasium's solver iterations (6·30 velocity, 2·30 position).
  func step(dt: Double, velocityIterations: Int32 = 6 * 30, positionIterations: Int32 = 2 * 30) {
    pvb2_world_step(handle, Float(dt), velocityIterations, positionIterations)
  }

  /// The contacts that began or ended during the last step, in Box2D's order.
  var contactEvents: [ContactEvent] {
    (0..<pvb2_world_contact_event_count(handle)).map { index in
      let event = pvb2_world_contact_event(handle, index)
      return ContactEvent(began: event.begin, tags: (Int(event.tag_a), Int(event.tag_b)))
    }
  }

  /// The fraction of the way from `start` to `end` at which the ray first meets a fixture whose
  /// category shares a bit with `categoryMask`; 1 when it meets none.
  func rayCastClosest(from start: (Double, Double), to end: (Double, Double), categoryMask: UInt16) -> Double {
    Double(pvb2_world_ray_cast_closest(handle, vector(start), vector(end), categoryMask))
  }

  func makeBody(dynamic: Bool, at position: (Double, Double), angle: Double = 0, tag: Int) -> PhysicsBody {
    PhysicsBody(handle: pvb2_body_create(handle, dynamic, vector(position), Float(angle), Int32(tag)))
  }

  func makeRevoluteJoint(_ a: PhysicsBody, _ b: PhysicsBody, _ definition: RevoluteJointDefinition) -> RevoluteJoint {
    let d = definition
    let def = pvb2_revolute_def(
      anchor_a: vector(d.anchorA), anchor_b: vector(d.anchorB), enable_motor: true, enable_limit: true,
      max_motor_torque: Float(d.maxMotorTorque), motor_speed: Float(d.motorSpeed),
      lower_angle: Float(d.lowerAngle), upper_angle: Float(d.upperAngle))
    return RevoluteJoint(handle: pvb2_revolute_create(handle, a.handle, b.handle, def))
  }
}

/// Two tagged bodies started (`began`) or stopped touching.
struct ContactEvent {
  var began: Bool
  var tags: (Int, Int)
  func involves(_ tag: Int) -> Bool { tags.0 == tag || tags.1 == tag }
}

/// A fixture's material and collision filter, as Box2D's fixture definition has them.
struct Material {
  var density = 0.0, friction = 0.2, restitution = 0.0
  var categoryBits: UInt16 = 0x0001, maskBits: UInt16 = 0xFFFF

  var c: pvb2_material {
    pvb2_material(density: Float(density), friction: Float(friction), restitution: Float(restitution),
                  category_bits: categoryBits, mask_bits: maskBits)
  }
}

/// A motorised revolute joint with limits (every joint Gymnasium's Box2D envs build is one).
struct RevoluteJointDefinition {
  var anchorA: (Double, Double), anchorB: (Double, Double)
  var maxMotorTorque: Double, motorSpeed: Double
  var lowerAngle: Double, upperAngle: Double
}

/// A handle to a body of a `PhysicsWorld`; valid while that world lives.
struct PhysicsBody {
  fileprivate let handle: OpaquePointer

  /// Adds a convex polygon fixture; throws when Box2D would reject its vertices.
  func addPolygon(_ vertices: [(Double, Double)], _ material: Material) throws {
    let points = vertices.map(vector)
    guard pvb2_body_add_polygon(handle, points, Int32(points.count), material.c) else {
      throw CoreError("Box2D rejects the polygon \(vertices) (it needs 3 to 8 distinct vertices enclosing an area)")
    }
  }

  func addBox(halfWidth: Double, halfHeight: Double, _ material: Material) {
    pvb2_body_add_box(handle, Float(halfWidth), Float(halfHeight), material.c)
  }

  /// Adds a two-sided edge fixture; throws when its ends coincide.
  func addEdge(_ a: (Double, Double), _ b: (Double, Double), _ material: Material) throws {
    guard pvb2_body_add_edge(handle, vector(a), vector(b), material.c) else {
      throw CoreError("Box2D rejects the edge from \(a) to \(b) (its ends coincide)")
    }
  }

  var position: (x: Double, y: Double) { let p = pvb2_body_position(handle); return (Double(p.x), Double(p.y)) }
  var angle: Double { Double(pvb2_body_angle(handle)) }
  var linearVelocity: (x: Double, y: Double) { let v = pvb2_body_linear_velocity(handle); return (Double(v.x), Double(v.y)) }
  var angularVelocity: Double { Double(pvb2_body_angular_velocity(handle)) }
  /// False once Box2D has put the body to sleep (it came to rest).
  var isAwake: Bool { pvb2_body_is_awake(handle) }

  func applyForceToCenter(_ force: (Double, Double)) { pvb2_body_apply_force_to_center(handle, vector(force), true) }
  func applyLinearImpulse(_ impulse: (Double, Double), at point: (Double, Double)) {
    pvb2_body_apply_linear_impulse(handle, vector(impulse), vector(point), true)
  }
  func applyTorque(_ torque: Double) { pvb2_body_apply_torque(handle, Float(torque), true) }

  /// A point fixed to the body, given in its own frame, in world coordinates (for the pictures).
  func worldPoint(_ local: (Double, Double)) -> (Double, Double) {
    let (p, a) = (position, angle)
    let (c, s) = (cos(a), sin(a))
    return (p.x + c * local.0 - s * local.1, p.y + s * local.0 + c * local.1)
  }
}

/// A handle to a revolute joint of a `PhysicsWorld`; valid while that world lives.
struct RevoluteJoint {
  fileprivate let handle: OpaquePointer
  var angle: Double { Double(pvb2_revolute_angle(handle)) }
  var speed: Double { Double(pvb2_revolute_speed(handle)) }
  func setMotor(speed: Double, maxTorque: Double) {
    pvb2_revolute_set_motor_speed(handle, Float(speed))
    pvb2_revolute_set_max_motor_torque(handle, Float(maxTorque))
  }
}

private func vector(_ point: (Double, Double)) -> pvb2_vec { pvb2_vec(x: Float(point.0), y: Float(point.1)) }
