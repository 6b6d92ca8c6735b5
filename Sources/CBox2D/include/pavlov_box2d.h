// A small C interface over Debian's Box2D 2.4 (a C++ library), so Swift needs no C++ interop.
// It exposes only what Gymnasium's Box2D environments use: static and dynamic bodies with
// polygon, box and edge fixtures, revolute joints with motors and limits, begin/end contact
// events reported by body tag, and a closest-hit ray cast filtered by category bits.
#ifndef PAVLOV_BOX2D_H
#define PAVLOV_BOX2D_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pvb2_world pvb2_world;
typedef struct pvb2_body pvb2_body;
typedef struct pvb2_joint pvb2_joint;

typedef struct { float x, y; } pvb2_vec;

/// A fixture's material and collision filter (Box2D's b2FixtureDef fields).
typedef struct {
  float density, friction, restitution;
  uint16_t category_bits, mask_bits;
} pvb2_material;

/// Two bodies started (begin) or stopped touching during a step, named by their tags.
typedef struct {
  bool begin;
  int32_t tag_a, tag_b;
} pvb2_contact_event;

/// The settings of a revolute joint between body a and body b (Box2D's b2RevoluteJointDef).
typedef struct {
  pvb2_vec anchor_a, anchor_b;
  bool enable_motor, enable_limit;
  float max_motor_torque, motor_speed, lower_angle, upper_angle;
} pvb2_revolute_def;

pvb2_world *pvb2_world_create(pvb2_vec gravity);
void pvb2_world_destroy(pvb2_world *world);
/// Advances the world; the contact events of the previous step are cleared first.
void pvb2_world_step(pvb2_world *world, float dt, int32_t velocity_iterations, int32_t position_iterations);
int32_t pvb2_world_contact_event_count(const pvb2_world *world);
pvb2_contact_event pvb2_world_contact_event(const pvb2_world *world, int32_t index);
/// The fraction along p1→p2 of the closest fixture whose category shares a bit with
/// `category_mask`, or 1 when nothing is hit (or the ray is degenerate).
float pvb2_world_ray_cast_closest(pvb2_world *world, pvb2_vec p1, pvb2_vec p2, uint16_t category_mask);

/// A body at `position`, turned by `angle`; `tag` names it in contact events.
pvb2_body *pvb2_body_create(pvb2_world *world, bool dynamic, pvb2_vec position, float angle, int32_t tag);
/// A convex polygon of 3 to 8 vertices; false (and nothing added) when Box2D would reject it.
bool pvb2_body_add_polygon(pvb2_body *body, const pvb2_vec *vertices, int32_t count, pvb2_material material);
void pvb2_body_add_box(pvb2_body *body, float half_width, float half_height, pvb2_material material);
/// A two-sided edge; false when the ends coincide.
bool pvb2_body_add_edge(pvb2_body *body, pvb2_vec v1, pvb2_vec v2, pvb2_material material);

pvb2_vec pvb2_body_position(const pvb2_body *body);
float pvb2_body_angle(const pvb2_body *body);
pvb2_vec pvb2_body_linear_velocity(const pvb2_body *body);
float pvb2_body_angular_velocity(const pvb2_body *body);
bool pvb2_body_is_awake(const pvb2_body *body);
void pvb2_body_apply_force_to_center(pvb2_body *body, pvb2_vec force, bool wake);
void pvb2_body_apply_linear_impulse(pvb2_body *body, pvb2_vec impulse, pvb2_vec point, bool wake);
void pvb2_body_apply_torque(pvb2_body *body, float torque, bool wake);

pvb2_joint *pvb2_revolute_create(pvb2_world *world, pvb2_body *a, pvb2_body *b, pvb2_revolute_def def);
float pvb2_revolute_angle(const pvb2_joint *joint);
float pvb2_revolute_speed(const pvb2_joint *joint);
void pvb2_revolute_set_motor_speed(pvb2_joint *joint, float speed);
void pvb2_revolute_set_max_motor_torque(pvb2_joint *joint, float torque);

#ifdef __cplusplus
}
#endif

#endif
