// Vectorized transcendental kernels. The scalar helpers are branch-free (selects, not jumps) so
// clang vectorizes the loops; PV_KERNEL builds each kernel for every path (paths.h) and calls the
// one chosen at load time. The polynomials are Cephes' (exp: degree 6 after range reduction by
// ln 2; erfc: two rational fits split at 2), each lane doing exactly the scalar arithmetic.
#include "CPavlovKernels.h"
#include "paths.h"
#include <stdint.h>
#include <string.h>

#pragma clang fp contract(off)

static inline float pv_bits_to_float(int32_t bits) { float f; memcpy(&f, &bits, 4); return f; }
static inline int32_t pv_float_to_bits(float f) { int32_t b; memcpy(&b, &f, 4); return b; }
static inline float pv_abs(float x) { return pv_bits_to_float(pv_float_to_bits(x) & 0x7fffffff); }

static inline float pv_exp1(float x) {
  const float low = -87.33654f, high = 88.72283f;
  float c = x < low ? low : x;
  c = x > high ? high : c;
  // Adding 1.5·2^23 rounds to the nearest integer and leaves it in the low mantissa bits.
  float shifted = c * 1.442695041f + 12582912.0f;
  float n = shifted - 12582912.0f;
  float r = c - n * 0.693359375f + n * 2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  float er = p * r * r + r + 1.0f;
  float capped = n > 127.0f ? 127.0f : n;  // 2^128 is built as 2^127 · 2
  int32_t whole = pv_float_to_bits(capped + 12582912.0f) - 0x4B400000;
  float y = er * pv_bits_to_float((whole + 127) << 23);
  y = n > 127.0f ? y * 2.0f : y;
  y = x > high ? pv_bits_to_float(0x7f800000) : y;
  y = x < low ? 0.0f : y;
  return x != x ? x : y;
}

static inline float pv_tanh1(float x) {
  float a = pv_abs(x);
  float z = x * x;
  float p = -5.70498872745e-3f;
  p = p * z + 2.06390887954e-2f;
  p = p * z - 5.37397155531e-2f;
  p = p * z + 1.33314422036e-1f;
  p = p * z - 3.33332819422e-1f;
  float small = x + x * z * p;
  float doubled = 2.0f * a;
  doubled = doubled > 88.0f ? 88.0f : doubled;
  float e = pv_exp1(doubled);
  float large = 1.0f - 2.0f / (e + 1.0f);
  large = x < 0.0f ? -large : large;
  float y = a < 0.625f ? small : large;
  return x != x ? x : y;
}

/// ln x (Cephes' logf: x = m·2^e with √½ ≤ m < √2, a degree-9 polynomial in m − 1), within
/// about 1 ulp. Branch-free; 0 gives −inf, negatives NaN, +inf itself.
static inline float pv_log1(float x) {
  int32_t bits = pv_float_to_bits(x);
  // Subnormals are scaled into the normal range first (2^25 leaves them exact).
  int subnormal = (bits & 0x7f800000) == 0;
  float scaled = subnormal ? x * 33554432.0f : x;
  int32_t sb = pv_float_to_bits(scaled);
  int32_t e = ((sb >> 23) & 0xff) - 126 - (subnormal ? 25 : 0);
  float m = pv_bits_to_float((sb & 0x007fffff) | 0x3f000000);  // in [0.5, 1)
  int below = m < 0.707106781186547524f;
  e = below ? e - 1 : e;
  float f = below ? m + m - 1.0f : m - 1.0f;
  float z = f * f;
  float p = 7.0376836292e-2f;
  p = p * f - 1.1514610310e-1f;
  p = p * f + 1.1676998740e-1f;
  p = p * f - 1.2420140846e-1f;
  p = p * f + 1.4249322787e-1f;
  p = p * f - 1.6668057665e-1f;
  p = p * f + 2.0000714765e-1f;
  p = p * f - 2.4999993993e-1f;
  p = p * f + 3.3333331174e-1f;
  float fe = (float)e;
  float y = p * f * z;
  y = y + fe * -2.12194440e-4f;
  y = y - 0.5f * z;
  float r = f + y;
  r = r + fe * 0.693359375f;
  r = x == 0.0f ? -__builtin_inff() : r;
  r = x < 0.0f ? __builtin_nanf("") : r;
  r = x == __builtin_inff() ? x : r;
  return x != x ? x : r;
}

/// ln(1 + x), accurate for tiny x: with u = 1 + x rounded, ln(u)·x/(u − 1) cancels u's rounding
/// error (Goldberg's trick); u = 1 means x is below half an ulp of 1 and ln(1 + x) rounds to x.
static inline float pv_log1p1(float x) {
  float u = 1.0f + x;
  float r = u == 1.0f ? x : pv_log1(u) * (x / (u - 1.0f));
  r = u == __builtin_inff() ? u : r;
  return x != x ? x : r;
}

/// erfc(x) for 1 ≤ x ≤ 10.
static inline float pv_erfc_tail(float x) {
  float z = x * x;
  float expNegZ = pv_exp1(-z);
  float q = 1.0f / x;
  float y = 1.0f / z;
  float near = 2.326819970068386e-2f;
  near = near * y - 1.387039388740657e-1f;
  near = near * y + 3.687424674597105e-1f;
  near = near * y - 5.824733027278666e-1f;
  near = near * y + 6.210004621745983e-1f;
  near = near * y - 4.944515323274145e-1f;
  near = near * y + 3.404879937665872e-1f;
  near = near * y - 2.741127028184656e-1f;
  near = near * y + 5.638259427386472e-1f;
  float far = -1.047766399936249e1f;
  far = far * y + 1.297719955372516e1f;
  far = far * y - 7.495518717768503f;
  far = far * y + 2.921019019210786f;
  far = far * y - 1.015265279202700f;
  far = far * y + 4.218463358204948e-1f;
  far = far * y - 2.820767439740514e-1f;
  far = far * y + 5.641895067754075e-1f;
  float poly = x < 2.0f ? near : far;
  return expNegZ * q * poly;
}

/// Φ(x): ½(1 + erf(x/√2)) near zero, ½·erfc(|x|/√2) (or 1 minus it) in the tails, so the left
/// tail keeps its relative precision.
static inline float pv_normal_cdf(float x) {
  float z = x * 0.70710678118654752f;
  float a = pv_abs(z);
  float zz = z * z;
  float p = 7.853861353153693e-5f;
  p = p * zz - 8.010193625184903e-4f;
  p = p * zz + 5.188327685732524e-3f;
  p = p * zz - 2.685381193529856e-2f;
  p = p * zz + 1.128358514861418e-1f;
  p = p * zz - 3.761262582423300e-1f;
  p = p * zz + 1.128379165726710f;
  float central = 0.5f + 0.5f * (z * p);
  float bounded = a < 1.0f ? 1.0f : a;
  bounded = a > 10.0f ? 10.0f : bounded;
  float tail = 0.5f * pv_erfc_tail(bounded);
  float y = z > 0.0f ? 1.0f - tail : tail;
  y = a < 1.0f ? central : y;
  return x != x ? x : y;
}

PV_KERNEL(pv_exp, (const float *x, float *out, size_t n), (x, out, n)) {
  PV_ELEMENTWISE
  for (size_t i = 0; i < n; i++) out[i] = pv_exp1(x[i]);
}

PV_KERNEL(pv_log, (const float *x, float *out, size_t n), (x, out, n)) {
  PV_ELEMENTWISE
  for (size_t i = 0; i < n; i++) out[i] = pv_log1(x[i]);
}

// One value at a time, for Swift's scalar loops (the same arithmetic as the vector kernels).
float pv_expf(float x) { return pv_exp1(x); }
float pv_logf(float x) { return pv_log1(x); }
float pv_log1pf(float x) { return pv_log1p1(x); }

PV_KERNEL(pv_tanh, (const float *x, float *out, size_t n), (x, out, n)) {
  PV_ELEMENTWISE
  for (size_t i = 0; i < n; i++) out[i] = pv_tanh1(x[i]);
}

// Backward rules from the forward's output y and the incoming gradient g, in the order the
// Swift closures they replace multiplied (the same bits): a closure call per element took a
// quarter of a PPO run.
PV_KERNEL(pv_tanh_backward, (const float *y, const float *g, float *out, size_t n), (y, g, out, n)) {
  PV_ELEMENTWISE
  for (size_t i = 0; i < n; i++) out[i] = g[i] * (1.0f - y[i] * y[i]);
}

PV_KERNEL(pv_sigmoid_backward, (const float *y, const float *g, float *out, size_t n), (y, g, out, n)) {
  PV_ELEMENTWISE
  for (size_t i = 0; i < n; i++) out[i] = g[i] * y[i] * (1.0f - y[i]);
}

PV_KERNEL(pv_sigmoid, (const float *x, float *out, size_t n), (x, out, n)) {
  PV_ELEMENTWISE
  for (size_t i = 0; i < n; i++) {
    // exp of a non-positive number only, so neither side overflows.
    float v = x[i];
    float e = pv_exp1(-pv_abs(v));
    float positive = 1.0f / (1.0f + e);
    float negative = e / (1.0f + e);
    out[i] = v < 0.0f ? negative : positive;
  }
}

PV_KERNEL(pv_gelu, (const float *x, float *out, size_t n), (x, out, n)) {
  PV_ELEMENTWISE
  for (size_t i = 0; i < n; i++) out[i] = x[i] * pv_normal_cdf(x[i]);
}

PV_KERNEL(pv_gelu_keeping_cdf, (const float *x, float *out, float *cdf, size_t n), (x, out, cdf, n)) {
  PV_ELEMENTWISE
  for (size_t i = 0; i < n; i++) {
    float c = pv_normal_cdf(x[i]);
    cdf[i] = c;
    out[i] = x[i] * c;
  }
}

PV_KERNEL(pv_gelu_backward_from_cdf, (const float *x, const float *cdf, const float *g, float *out, size_t n), (x, cdf, g, out, n)) {
  PV_ELEMENTWISE
  for (size_t i = 0; i < n; i++) {
    float v = x[i];
    float pdf = pv_exp1(-0.5f * v * v) * 0.39894228f;
    out[i] = g[i] * (cdf[i] + v * pdf);
  }
}

PV_KERNEL(pv_relu, (const float *x, float *out, size_t n), (x, out, n)) {
  PV_ELEMENTWISE
  for (size_t i = 0; i < n; i++) out[i] = (x[i] > 0.0f || x[i] != x[i]) ? x[i] : 0.0f;
}

PV_KERNEL(pv_relu_backward, (const float *x, const float *g, float *out, size_t n), (x, g, out, n)) {
  PV_ELEMENTWISE
  for (size_t i = 0; i < n; i++) out[i] = x[i] > 0.0f ? g[i] : 0.0f;
}

PV_KERNEL(pv_adam, (float *param, const float *grad, float *m, float *v, size_t n, int decoupled, float decay, float l2,
                       float one_minus_beta1, float beta2, float one_minus_beta2, float inv_bc2, float eps, float step), (param, grad, m, v, n, decoupled, decay, l2, one_minus_beta1, beta2, one_minus_beta2, inv_bc2, eps, step)) {
  PV_ELEMENTWISE
  for (size_t i = 0; i < n; i++) {
    float p = param[i];
    if (decoupled) p *= decay;
    float d = l2 != 0.0f ? grad[i] + l2 * p : grad[i];
    float mi = m[i] + one_minus_beta1 * (d - m[i]);  // exp_avg.lerp_(grad, 1 - beta1)
    float vi = beta2 * v[i] + one_minus_beta2 * d * d;
    m[i] = mi;
    v[i] = vi;
    // The elementwise builtin leaves errno alone, so the loop vectorizes (sqrtf may set errno).
    float denom = __builtin_elementwise_sqrt(vi) * inv_bc2 + eps;
    param[i] = p - step * (mi / denom);
  }
}

// a op b over n elements where either side may be one value repeated (stride 0): the three
// loops are written out so each vectorizes.
#define PV_ARITHMETIC(name, op)                                                              \
  PV_KERNEL(name, (const float *a, int a_step, const float *b, int b_step, float *out, size_t n),           \
            (a, a_step, b, b_step, out, n)) {                                                  \
    if (a_step && b_step) {                                                                  \
      PV_ELEMENTWISE for (size_t i = 0; i < n; i++) out[i] = a[i] op b[i];                   \
    } else if (a_step) {                                                                     \
      const float y = b[0];                                                                  \
      PV_ELEMENTWISE for (size_t i = 0; i < n; i++) out[i] = a[i] op y;                      \
    } else if (b_step) {                                                                     \
      const float x = a[0];                                                                  \
      PV_ELEMENTWISE for (size_t i = 0; i < n; i++) out[i] = x op b[i];                      \
    } else {                                                                                 \
      const float v = a[0] op b[0];                                                          \
      for (size_t i = 0; i < n; i++) out[i] = v;                                             \
    }                                                                                        \
  }

PV_ARITHMETIC(pv_add, +)
PV_ARITHMETIC(pv_sub, -)
PV_ARITHMETIC(pv_mul, *)
PV_ARITHMETIC(pv_div, /)

PV_KERNEL(pv_column_sums_add, (const float *g, size_t rows, size_t cols, float *sums), (g, rows, cols, sums)) {
  for (size_t r = 0; r < rows; r++) {
    const float *row = g + r * cols;
    for (size_t c = 0; c < cols; c++) sums[c] += row[c];
  }
}

// Layer norm. A row's sums are chains of dependent adds (4 cycles each), so one row at a time
// leaves the pipeline idle; PV_LN_BLOCK rows are summed side by side instead. Each row's sums
// still run left to right, so the bits are those of the one-row loop.
#define PV_LN_BLOCK 4

static inline void pv_layer_norm_rows(const float *x, const float *w, const float *b, size_t first, size_t count, size_t d,
                                      float eps, float *out, float *normalized, float *inv_std) {
  float mean[PV_LN_BLOCK] = {0}, variance[PV_LN_BLOCK] = {0};
  for (size_t i = 0; i < d; i++)
    for (size_t j = 0; j < count; j++) mean[j] += x[(first + j) * d + i];
  for (size_t j = 0; j < count; j++) mean[j] /= (float)d;
  for (size_t i = 0; i < d; i++)
    for (size_t j = 0; j < count; j++) {
      float c = x[(first + j) * d + i] - mean[j];
      variance[j] += c * c;
    }
  for (size_t j = 0; j < count; j++) {
    variance[j] /= (float)d;
    float inv = 1.0f / __builtin_sqrtf(variance[j] + eps);
    size_t base = (first + j) * d;
    inv_std[first + j] = inv;
    for (size_t i = 0; i < d; i++) {
      float h = (x[base + i] - mean[j]) * inv;
      normalized[base + i] = h;
      out[base + i] = h * w[i] + b[i];
    }
  }
}

PV_KERNEL(pv_layer_norm, (const float *x, const float *w, const float *b, size_t first, size_t end, size_t d, float eps,
                             float *out, float *normalized, float *inv_std), (x, w, b, first, end, d, eps, out, normalized, inv_std)) {
  size_t r = first;
  for (; r + PV_LN_BLOCK <= end; r += PV_LN_BLOCK) pv_layer_norm_rows(x, w, b, r, PV_LN_BLOCK, d, eps, out, normalized, inv_std);
  if (r < end) pv_layer_norm_rows(x, w, b, r, end - r, d, eps, out, normalized, inv_std);
}

static inline void pv_layer_norm_backward_rows(const float *g, const float *w, const float *normalized, const float *inv_std,
                                               size_t first, size_t count, size_t d, float *gx, float *gw, float *gb) {
  float sum_g[PV_LN_BLOCK] = {0}, sum_gh[PV_LN_BLOCK] = {0};
  for (size_t i = 0; i < d; i++)
    for (size_t j = 0; j < count; j++) {
      size_t at = (first + j) * d + i;
      float gh = g[at] * w[i];
      sum_g[j] += gh;
      sum_gh[j] += gh * normalized[at];
    }
  for (size_t j = 0; j < count; j++) {
    size_t base = (first + j) * d;
    float inv = inv_std[first + j] / (float)d;
    for (size_t i = 0; i < d; i++) {
      float gh = g[base + i] * w[i];
      gx[base + i] = inv * ((float)d * gh - sum_g[j] - normalized[base + i] * sum_gh[j]);
      gw[i] += g[base + i] * normalized[base + i];
      gb[i] += g[base + i];
    }
  }
}

PV_KERNEL(pv_layer_norm_backward, (const float *g, const float *w, const float *normalized, const float *inv_std, size_t first,
                                      size_t end, size_t d, float *gx, float *gw, float *gb), (g, w, normalized, inv_std, first, end, d, gx, gw, gb)) {
  size_t r = first;
  for (; r + PV_LN_BLOCK <= end; r += PV_LN_BLOCK)
    pv_layer_norm_backward_rows(g, w, normalized, inv_std, r, PV_LN_BLOCK, d, gx, gw, gb);
  if (r < end) pv_layer_norm_backward_rows(g, w, normalized, inv_std, r, end - r, d, gx, gw, gb);
}

// Attention's causal softmax. The sums run left to right, as the one-row loops they replace.
PV_KERNEL(pv_causal_softmax, (float *p, size_t rows, size_t keys, size_t offset, float scale), (p, rows, keys, offset, scale)) {
  for (size_t i = 0; i < rows; i++) {
    float *row = p + i * keys;
    size_t visible = offset + i + 1 < keys ? offset + i + 1 : keys;
    float lanes[16];
    for (size_t l = 0; l < 16; l++) lanes[l] = -__builtin_inff();
    PV_ELEMENTWISE
    for (size_t j = 0; j < visible; j++) row[j] *= scale;
    // The maximum is the same whatever the order, so it is taken 16 lanes at a time.
    for (size_t j = 0; j < visible; j++) lanes[j % 16] = row[j] > lanes[j % 16] ? row[j] : lanes[j % 16];
    float top = lanes[0];
    for (size_t l = 1; l < 16; l++) top = lanes[l] > top ? lanes[l] : top;
    // Whole 16-lane vectors: the extra entries are overwritten with 0 below.
    size_t padded = (visible + 15) & ~(size_t)15;
    if (padded > keys) padded = keys;
    PV_ELEMENTWISE
    for (size_t j = 0; j < padded; j++) row[j] = pv_exp1(row[j] - top);
    float total = 0.0f;
    for (size_t j = 0; j < visible; j++) total += row[j];
    float inv = 1.0f / total;
    PV_ELEMENTWISE
    for (size_t j = 0; j < visible; j++) row[j] *= inv;
    for (size_t j = visible; j < keys; j++) row[j] = 0.0f;
  }
}

PV_KERNEL(pv_causal_softmax_backward, (float *dp, const float *p, size_t t, float scale), (dp, p, t, scale)) {
  for (size_t i = 0; i < t; i++) {
    float *d = dp + i * t;
    const float *q = p + i * t;
    float dot = 0.0f;
    for (size_t j = 0; j <= i; j++) dot += d[j] * q[j];
    PV_ELEMENTWISE
    for (size_t j = 0; j <= i; j++) d[j] = q[j] * (d[j] - dot) * scale;
    for (size_t j = i + 1; j < t; j++) d[j] = 0.0f;
  }
}
