#ifndef CPAVLOV_KERNELS_H
#define CPAVLOV_KERNELS_H
#include <stddef.h>

/// Kernel paths (instruction sets). Every kernel below is built for each and gives the same bits on
/// each; the best the CPU supports is chosen at load time unless PAVLOV_KERNELS names another.
enum { PV_PATH_BASELINE = 0, PV_PATH_AVX2 = 1, PV_PATH_AVX512 = 2 };
int pv_kernel_path(void);
int pv_best_kernel_path(void);
int pv_kernel_path_supported(int path);
/// Switches every kernel to `path`; 0 (and no change) if this CPU cannot run it.
int pv_set_kernel_path(int path);
const char *pv_kernel_path_name(int path);

/// C (m×n, row stride ldc) = op(A)·op(B) + beta·C, row-major, op transposing when asked. Each
/// element is one chain of fused multiply-adds over k in increasing order, started from beta·C
/// (from 0 when beta is 0: C is not read), so the bits are the same on every path and CPU.
/// Single-threaded: callers split C's rows or columns over threads, never k.
void pv_sgemm(int transpose_a, int transpose_b, size_t m, size_t n, size_t k, const float *a, size_t lda,
              const float *b, size_t ldb, float beta, float *c, size_t ldc);
/// The same chains one element at a time, without packing: the reference the paths are tested against.
void pv_sgemm_portable(int transpose_a, int transpose_b, size_t m, size_t n, size_t k, const float *a, size_t lda,
                       const float *b, size_t ldb, float beta, float *c, size_t ldc);

/// Element-wise float32 kernels over whole buffers (`out` may alias `x`). Each lane does exactly
/// the same IEEE operations whatever the vector width the path offers (no FMA contraction), so
/// results are bit-identical on every path.
void pv_exp(const float *x, float *out, size_t n);
void pv_tanh(const float *x, float *out, size_t n);
/// ln x within about 1 ulp (0 → −inf, negative → NaN).
void pv_log(const float *x, float *out, size_t n);
/// The same functions one value at a time: e^x, ln x and ln(1 + x), built only from IEEE
/// operations, so they give the same bits on every CPU and platform (libm's may not).
float pv_expf(float x);
float pv_logf(float x);
float pv_log1pf(float x);
void pv_sigmoid(const float *x, float *out, size_t n);
/// Backward rules from the output y: g·(1 − y²) for tanh, g·y·(1 − y) for the sigmoid.
void pv_tanh_backward(const float *y, const float *g, float *out, size_t n);
void pv_sigmoid_backward(const float *y, const float *g, float *out, size_t n);
/// x·Φ(x), GELU with the exact normal CDF.
void pv_gelu(const float *x, float *out, size_t n);
/// pv_gelu that also keeps Φ(x) in `cdf` for the backward.
void pv_gelu_keeping_cdf(const float *x, float *out, float *cdf, size_t n);
/// d/dx of x·Φ(x) = Φ(x) + x·φ(x), times the incoming gradient g, with Φ(x) from the forward.
void pv_gelu_backward_from_cdf(const float *x, const float *cdf, const float *g, float *out, size_t n);
/// max(x, 0), NaN kept (as PyTorch); and its backward g·[x > 0].
void pv_relu(const float *x, float *out, size_t n);
void pv_relu_backward(const float *x, const float *g, float *out, size_t n);
/// One Adam/AdamW update of n parameters in place, PyTorch's arithmetic: decoupled decay
/// (p *= decay) or L2 (g + l2·p); m = m + (1−β1)(g − m); v = β2·v + (1−β2)·g²;
/// p −= step · m / (√v · invBc2 + eps).
void pv_adam(float *param, const float *grad, float *m, float *v, size_t n, int decoupled, float decay, float l2,
             float one_minus_beta1, float beta2, float one_minus_beta2, float inv_bc2, float eps, float step);
/// out = a op b element by element; a step of 0 repeats that side's first value (a scalar), 1
/// walks it. `out` may alias an operand that walks.
void pv_add(const float *a, int a_step, const float *b, int b_step, float *out, size_t n);
void pv_sub(const float *a, int a_step, const float *b, int b_step, float *out, size_t n);
void pv_mul(const float *a, int a_step, const float *b, int b_step, float *out, size_t n);
void pv_div(const float *a, int a_step, const float *b, int b_step, float *out, size_t n);
/// sums[c] += Σ_r g[r·cols + c], rows taken in order (a bias gradient; a broadcast undone).
void pv_column_sums_add(const float *g, size_t rows, size_t cols, float *sums);
/// Layer norm of rows first..<end (each of d values): normalized = (x − mean)/√(var + eps)
/// (biased variance), out = normalized·w + b, inv_std[r] = 1/√(var + eps).
void pv_layer_norm(const float *x, const float *w, const float *b, size_t first, size_t end, size_t d, float eps,
                   float *out, float *normalized, float *inv_std);
/// Its backward for rows first..<end: writes gx, and adds the rows' weight and bias gradients
/// into gw and gb (row by row, in order).
void pv_layer_norm_backward(const float *g, const float *w, const float *normalized, const float *inv_std, size_t first,
                            size_t end, size_t d, float *gx, float *gw, float *gb);
/// Attention probabilities in place: row i of p (rows × keys) sees keys 0..<min(keys, offset + i + 1);
/// those are scaled, shifted by their maximum, exponentiated and normalized; the rest become 0.
void pv_causal_softmax(float *p, size_t rows, size_t keys, size_t offset, float scale);
/// dS = P ⊙ (dP − Σ_j dP⊙P) · scale for a causal t × t block, in place over dp (masked entries 0).
void pv_causal_softmax_backward(float *dp, const float *p, size_t t, float scale);
/// A spin-wait hint to the CPU (x86's pause).
static inline void pv_pause(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}
#endif
