#ifndef CPAVLOV_KERNELS_H
#define CPAVLOV_KERNELS_H
#include <stddef.h>

/// Element-wise float32 kernels over whole buffers (`out` may alias `x`). Each lane does exactly
/// the same IEEE operations whatever the vector width the CPU offers (no FMA contraction), so
/// results are bit-identical on every x86-64 machine.
void pv_exp(const float *x, float *out, size_t n);
void pv_tanh(const float *x, float *out, size_t n);
void pv_sigmoid(const float *x, float *out, size_t n);
/// x·Φ(x), GELU with the exact normal CDF.
void pv_gelu(const float *x, float *out, size_t n);
/// d/dx of x·Φ(x) = Φ(x) + x·φ(x), times the incoming gradient g.
void pv_gelu_backward(const float *x, const float *g, float *out, size_t n);
#endif
