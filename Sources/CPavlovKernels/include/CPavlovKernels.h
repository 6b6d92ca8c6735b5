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
/// max(x, 0), NaN kept (as PyTorch); and its backward g·[x > 0].
void pv_relu(const float *x, float *out, size_t n);
void pv_relu_backward(const float *x, const float *g, float *out, size_t n);
/// One Adam/AdamW update of n parameters in place, PyTorch's arithmetic: decoupled decay
/// (p *= decay) or L2 (g + l2·p); m = m + (1−β1)(g − m); v = β2·v + (1−β2)·g²;
/// p −= step · m / (√v · invBc2 + eps).
void pv_adam(float *param, const float *grad, float *m, float *v, size_t n, int decoupled, float decay, float l2,
             float one_minus_beta1, float beta2, float one_minus_beta2, float inv_bc2, float eps, float step);
#endif
