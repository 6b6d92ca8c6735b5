// The C interface of pavlov_box2d.h over Box2D 2.4. Debian builds Box2D with its assertions on,
// so every call that Box2D would assert on is checked here first and refused instead.
#include "pavlov_box2d.h"

#include <box2d/box2d.h>

#include <cmath>
#include <vector>

struct pvb2_world final : b2ContactListener {
  b2World world;
  std::vector<pvb2_contact_event> events;

  explicit pvb2_world(b2Vec2 gravity) : world(gravity) { world.SetContactListener(this); }

  void BeginContact(b2Contact *contact) override { record(true, contact); }
  void EndContact(b2Contact *contact) override { record(false, contact); }

 private:
  void record(bool begin, b2Contact *contact) {
    auto tag = [](b2Fixture *fixture) { return static_cast<int32_t>(fixture->GetBody()->GetUserData().pointer); };
    events.push_back({begin, tag(contact->GetFixtureA()), tag(contact->GetFixtureB())});
  }
};

static b2Vec2 vec(pvb2_vec v) { return b2Vec2(v.x, v.y); }
static pvb2_vec vec(b2Vec2 v) { return {v.x, v.y}; }
static b2Body *body(pvb2_body *b) { return reinterpret_cast<b2Body *>(b); }
static const b2Body *body(const pvb2_body *b) { return reinterpret_cast<const b2Body *>(b); }
static b2RevoluteJoint *revolute(pvb2_joint *j) { return reinterpret_cast<b2RevoluteJoint *>(j); }
static const b2RevoluteJoint *revolute(const pvb2_joint *j) { return reinterpret_cast<const b2RevoluteJoint *>(j); }

static b2FixtureDef fixture(const b2Shape *shape, pvb2_material material) {
  b2FixtureDef def;
  def.shape = shape;
  def.density = material.density;
  def.friction = material.friction;
  def.restitution = material.restitution;
  def.filter.categoryBits = material.category_bits;
  def.filter.maskBits = material.mask_bits;
  return def;
}

extern "C" {

pvb2_world *pvb2_world_create(pvb2_vec gravity) { return new pvb2_world(vec(gravity)); }

void pvb2_world_destroy(pvb2_world *world) {
  world->world.SetContactListener(nullptr);
  delete world;
}

void pvb2_world_step(pvb2_world *world, float dt, int32_t velocity_iterations, int32_t position_iterations) {
  world->events.clear();
  world->world.Step(dt, velocity_iterations, position_iterations);
}

int32_t pvb2_world_contact_event_count(const pvb2_world *world) { return static_cast<int32_t>(world->events.size()); }

pvb2_contact_event pvb2_world_contact_event(const pvb2_world *world, int32_t index) { return world->events[index]; }

namespace {
// Keeps the closest hit: returning the hit's fraction clips the ray there, and -1 skips fixtures
// outside the mask (Gymnasium's LidarCallback).
struct ClosestHit final : b2RayCastCallback {
  uint16_t mask;
  float fraction = 1;
  explicit ClosestHit(uint16_t mask) : mask(mask) {}
  float ReportFixture(b2Fixture *fixture, const b2Vec2 &, const b2Vec2 &, float hit) override {
    if ((fixture->GetFilterData().categoryBits & mask) == 0) return -1;
    fraction = hit;
    return hit;
  }
};
}  // namespace

float pvb2_world_ray_cast_closest(pvb2_world *world, pvb2_vec p1, pvb2_vec p2, uint16_t category_mask) {
  b2Vec2 a = vec(p1), b = vec(p2);
  // Box2D asserts on a ray of zero or non-finite length.
  if (!a.IsValid() || !b.IsValid() || !((b - a).LengthSquared() > 0)) return 1;
  ClosestHit hit(category_mask);
  world->world.RayCast(&hit, a, b);
  return hit.fraction;
}

pvb2_body *pvb2_body_create(pvb2_world *world, bool dynamic, pvb2_vec position, float angle, int32_t tag) {
  b2BodyDef def;
  def.type = dynamic ? b2_dynamicBody : b2_staticBody;
  def.position = vec(position);
  def.angle = angle;
  def.userData.pointer = static_cast<uintptr_t>(tag);
  return reinterpret_cast<pvb2_body *>(world->world.CreateBody(&def));
}

bool pvb2_body_add_polygon(pvb2_body *b, const pvb2_vec *vertices, int32_t count, pvb2_material material) {
  if (count < 3 || count > b2_maxPolygonVertices) return false;
  b2Vec2 points[b2_maxPolygonVertices];
  for (int32_t i = 0; i < count; ++i) {
    points[i] = vec(vertices[i]);
    if (!points[i].IsValid()) return false;
  }
  // Box2D asserts when fewer than three points stay apart after it welds those closer than half
  // the linear slop, or when its convex hull of them is flat.
  int32_t distinct = 0;
  for (int32_t i = 0; i < count; ++i) {
    bool unique = true;
    for (int32_t j = 0; j < i; ++j) {
      if (b2DistanceSquared(points[i], points[j]) < 0.25f * b2_linearSlop * b2_linearSlop) unique = false;
    }
    distinct += unique;
  }
  float twiceArea = 0;
  for (int32_t i = 0; i < count; ++i) twiceArea += b2Cross(points[i], points[(i + 1) % count]);
  if (distinct < 3 || !(std::fabs(twiceArea) > b2_linearSlop * b2_linearSlop)) return false;
  b2PolygonShape shape;
  shape.Set(points, count);
  b2FixtureDef def = fixture(&shape, material);
  body(b)->CreateFixture(&def);
  return true;
}

void pvb2_body_add_box(pvb2_body *b, float half_width, float half_height, pvb2_material material) {
  b2PolygonShape shape;
  shape.SetAsBox(half_width, half_height);
  b2FixtureDef def = fixture(&shape, material);
  body(b)->CreateFixture(&def);
}

bool pvb2_body_add_edge(pvb2_body *b, pvb2_vec v1, pvb2_vec v2, pvb2_material material) {
  b2Vec2 a = vec(v1), c = vec(v2);
  if (!a.IsValid() || !c.IsValid() || !(b2DistanceSquared(a, c) > b2_linearSlop * b2_linearSlop)) return false;
  b2EdgeShape shape;
  shape.SetTwoSided(a, c);
  b2FixtureDef def = fixture(&shape, material);
  body(b)->CreateFixture(&def);
  return true;
}

pvb2_vec pvb2_body_position(const pvb2_body *b) { return vec(body(b)->GetPosition()); }
float pvb2_body_angle(const pvb2_body *b) { return body(b)->GetAngle(); }
pvb2_vec pvb2_body_linear_velocity(const pvb2_body *b) { return vec(body(b)->GetLinearVelocity()); }
float pvb2_body_angular_velocity(const pvb2_body *b) { return body(b)->GetAngularVelocity(); }
bool pvb2_body_is_awake(const pvb2_body *b) { return body(b)->IsAwake(); }

void pvb2_body_apply_force_to_center(pvb2_body *b, pvb2_vec force, bool wake) {
  body(b)->ApplyForceToCenter(vec(force), wake);
}

void pvb2_body_apply_linear_impulse(pvb2_body *b, pvb2_vec impulse, pvb2_vec point, bool wake) {
  body(b)->ApplyLinearImpulse(vec(impulse), vec(point), wake);
}

void pvb2_body_apply_torque(pvb2_body *b, float torque, bool wake) { body(b)->ApplyTorque(torque, wake); }

pvb2_joint *pvb2_revolute_create(pvb2_world *world, pvb2_body *a, pvb2_body *b, pvb2_revolute_def d) {
  b2RevoluteJointDef def;
  def.bodyA = body(a);
  def.bodyB = body(b);
  def.localAnchorA = vec(d.anchor_a);
  def.localAnchorB = vec(d.anchor_b);
  // pybox2d, under Gymnasium, sets the reference angle to the bodies' angle difference at creation.
  def.referenceAngle = body(b)->GetAngle() - body(a)->GetAngle();
  def.enableMotor = d.enable_motor;
  def.enableLimit = d.enable_limit;
  def.maxMotorTorque = d.max_motor_torque;
  def.motorSpeed = d.motor_speed;
  def.lowerAngle = d.lower_angle;
  def.upperAngle = d.upper_angle;
  return reinterpret_cast<pvb2_joint *>(world->world.CreateJoint(&def));
}

float pvb2_revolute_angle(const pvb2_joint *j) { return revolute(j)->GetJointAngle(); }
float pvb2_revolute_speed(const pvb2_joint *j) { return revolute(j)->GetJointSpeed(); }
void pvb2_revolute_set_motor_speed(pvb2_joint *j, float speed) { revolute(j)->SetMotorSpeed(speed); }
void pvb2_revolute_set_max_motor_torque(pvb2_joint *j, float torque) { revolute(j)->SetMaxMotorTorque(torque); }

}  // extern "C"
