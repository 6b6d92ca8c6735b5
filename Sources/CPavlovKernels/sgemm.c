// Matrix products with one summation order on every CPU.
//
// Each element of C is one chain of fused multiply-adds over k in increasing order, started from
// 0 (beta = 0) or from beta·C: c = fma(a[i,k], b[k,j], c). A fused multiply-add rounds once, so
// the chain has one correct result whatever computes it — a 16-lane AVX-512 register, an 8-lane
// AVX2 one, or the portable loop's fmaf. The paths differ in how many elements they compute at
// once (their register tiles), never in the order one element accumulates; k is blocked, but a
// block continues from the float its predecessor stored, which is the chain unbroken. Threads
// (Tensor.sgemm) split C's rows or columns, never k.
//
// The layout is the usual one for fast products (Goto's): a KC×NC panel of B and an MC×KC block
// of A are copied into the order the register tile reads them, so the innermost loop streams
// through contiguous memory while the tile stays in registers.
#include "CPavlovKernels.h"
#include "paths.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#if PV_HAS_X86_PATHS
#include <immintrin.h>
#endif

#pragma clang fp contract(off)

// Block sizes, the same on every path (they only change which floats sit in cache).
enum { PV_KC = 256, PV_MC = 96, PV_NC = 1024 };
// The largest register tile of any path, for edge tiles computed aside.
enum { PV_MAX_MR = 8, PV_MAX_NR = 32 };

// A register tile reads A's element (i, p) at ap[i·rs + p·cs]: packed (rs 1, cs = the tile's
// rows) or in place (an untransposed A: rs = lda, cs 1; a transposed one: rs 1, cs = lda).
typedef void (*pv_tile_kernel)(size_t kc, const float *ap, size_t rs, size_t cs, const float *bp, float *c, size_t ldc,
                               int load);

// MARK: register tiles

// Portable: fmaf is the one rounding of a·b + c on every platform (NEON's vfma on ARM64).
enum { PV_BASE_MR = 4, PV_BASE_NR = 8 };
static void pv_tile_baseline(size_t kc, const float *ap, size_t rs, size_t cs, const float *bp, float *c, size_t ldc,
                             int load) {
  float acc[PV_BASE_MR][PV_BASE_NR];
  for (int i = 0; i < PV_BASE_MR; i++)
    for (int j = 0; j < PV_BASE_NR; j++) acc[i][j] = load ? c[i * ldc + j] : 0.0f;
  for (size_t p = 0; p < kc; p++, ap += cs, bp += PV_BASE_NR)
    for (int i = 0; i < PV_BASE_MR; i++)
      for (int j = 0; j < PV_BASE_NR; j++) acc[i][j] = __builtin_fmaf(ap[i * rs], bp[j], acc[i][j]);
  for (int i = 0; i < PV_BASE_MR; i++)
    for (int j = 0; j < PV_BASE_NR; j++) c[i * ldc + j] = acc[i][j];
}

#if PV_HAS_X86_PATHS
// AVX2: 6 rows × 16 columns, twelve 8-lane accumulators of the sixteen registers.
enum { PV_AVX2_MR = 6, PV_AVX2_NR = 16 };
PV_TARGET_AVX2 static void pv_tile_avx2(size_t kc, const float *ap, size_t rs, size_t cs, const float *bp, float *c,
                                        size_t ldc, int load) {
  __m256 acc[PV_AVX2_MR][2];
#pragma clang loop unroll(full)
  for (int i = 0; i < PV_AVX2_MR; i++) {
    acc[i][0] = load ? _mm256_loadu_ps(c + i * ldc) : _mm256_setzero_ps();
    acc[i][1] = load ? _mm256_loadu_ps(c + i * ldc + 8) : _mm256_setzero_ps();
  }
  for (size_t p = 0; p < kc; p++, ap += cs, bp += PV_AVX2_NR) {
    __m256 b0 = _mm256_loadu_ps(bp), b1 = _mm256_loadu_ps(bp + 8);
#pragma clang loop unroll(full)
    for (int i = 0; i < PV_AVX2_MR; i++) {
      __m256 a = _mm256_broadcast_ss(ap + i * rs);
      acc[i][0] = _mm256_fmadd_ps(a, b0, acc[i][0]);
      acc[i][1] = _mm256_fmadd_ps(a, b1, acc[i][1]);
    }
  }
#pragma clang loop unroll(full)
  for (int i = 0; i < PV_AVX2_MR; i++) {
    _mm256_storeu_ps(c + i * ldc, acc[i][0]);
    _mm256_storeu_ps(c + i * ldc + 8, acc[i][1]);
  }
}

// AVX-512: 8 rows × 32 columns, sixteen 16-lane accumulators (RL's 64- and 256-wide layers are
// whole tiles).
enum { PV_AVX512_MR = 8, PV_AVX512_NR = 32 };
PV_TARGET_AVX512 static void pv_tile_avx512(size_t kc, const float *ap, size_t rs, size_t cs, const float *bp, float *c,
                                            size_t ldc, int load) {
  __m512 acc[PV_AVX512_MR][2];
#pragma clang loop unroll(full)
  for (int i = 0; i < PV_AVX512_MR; i++) {
    acc[i][0] = load ? _mm512_loadu_ps(c + i * ldc) : _mm512_setzero_ps();
    acc[i][1] = load ? _mm512_loadu_ps(c + i * ldc + 16) : _mm512_setzero_ps();
  }
  for (size_t p = 0; p < kc; p++, ap += cs, bp += PV_AVX512_NR) {
    __m512 b0 = _mm512_loadu_ps(bp), b1 = _mm512_loadu_ps(bp + 16);
#pragma clang loop unroll(full)
    for (int i = 0; i < PV_AVX512_MR; i++) {
      __m512 a = _mm512_set1_ps(ap[i * rs]);
      acc[i][0] = _mm512_fmadd_ps(a, b0, acc[i][0]);
      acc[i][1] = _mm512_fmadd_ps(a, b1, acc[i][1]);
    }
  }
#pragma clang loop unroll(full)
  for (int i = 0; i < PV_AVX512_MR; i++) {
    _mm512_storeu_ps(c + i * ldc, acc[i][0]);
    _mm512_storeu_ps(c + i * ldc + 16, acc[i][1]);
  }
}
#endif

// MARK: packing

// op(A)[ic..ic+mc, pc..pc+kc] as strips of mr rows, each stored k-major (mr values per k),
// rows past mc zero.
static void pv_pack_a(int transpose, const float *a, size_t lda, size_t ic, size_t mc, size_t pc, size_t kc, size_t mr,
                      float *out) {
  for (size_t ir = 0; ir < mc; ir += mr) {
    size_t rows = mc - ir < mr ? mc - ir : mr;
    for (size_t p = 0; p < kc; p++, out += mr) {
      size_t i = 0;
      if (transpose) {
        const float *src = a + (pc + p) * lda + ic + ir;
        for (; i < rows; i++) out[i] = src[i];
      } else {
        const float *src = a + (ic + ir) * lda + pc + p;
        for (; i < rows; i++) out[i] = src[i * lda];
      }
      for (; i < mr; i++) out[i] = 0.0f;
    }
  }
}

// op(B)[pc..pc+kc, jc..jc+nc] as strips of nr columns, each stored k-major, columns past nc zero.
// An untransposed B's strips are row pieces copied as they are (18 → 5.5 µs for 256×256); a
// transposed B is gathered down its columns (reading along its rows and writing down the strip
// was slower: 29 µs against 18).
static void pv_pack_b(int transpose, const float *b, size_t ldb, size_t pc, size_t kc, size_t jc, size_t nc, size_t nr,
                      float *out) {
  for (size_t jr = 0; jr < nc; jr += nr, out += kc * nr) {
    size_t cols = nc - jr < nr ? nc - jr : nr;
    if (transpose) {
      if (cols < nr)
        for (size_t p = 0; p < kc; p++) memset(out + p * nr + cols, 0, (nr - cols) * sizeof(float));
      for (size_t p = 0; p < kc; p++) {
        const float *src = b + (jc + jr) * ldb + pc + p;
        for (size_t j = 0; j < cols; j++) out[p * nr + j] = src[j * ldb];
      }
    } else {
      for (size_t p = 0; p < kc; p++) {
        const float *src = b + (pc + p) * ldb + jc + jr;
        memcpy(out + p * nr, src, cols * sizeof(float));
        if (cols < nr) memset(out + p * nr + cols, 0, (nr - cols) * sizeof(float));
      }
    }
  }
}

// MARK: the blocked loops

// Packing buffers, kept warm between calls in a few slots that any thread may take: a buffer per
// thread was paid for again (1.1 MB of fresh pages) whenever Dispatch ran a half on a new worker.
// A call that finds every slot taken allocates a buffer of its own for that call.
enum { PV_BUFFER_SLOTS = 4 };
static const size_t pv_buffer_floats = (size_t)PV_KC * (PV_NC + PV_MAX_NR) + (size_t)(PV_MC + PV_MAX_MR) * PV_KC;
static float *pv_buffers[PV_BUFFER_SLOTS];
static int pv_buffer_taken[PV_BUFFER_SLOTS];

/// A buffer and its slot (-1: allocated for this call only); NULL when memory is short.
static float *pv_take_buffer(int *slot) {
  for (int i = 0; i < PV_BUFFER_SLOTS; i++) {
    if (__atomic_exchange_n(&pv_buffer_taken[i], 1, __ATOMIC_ACQUIRE)) continue;
    if (!pv_buffers[i]) pv_buffers[i] = aligned_alloc(64, pv_buffer_floats * sizeof(float));
    if (!pv_buffers[i]) {
      __atomic_store_n(&pv_buffer_taken[i], 0, __ATOMIC_RELEASE);
      break;
    }
    *slot = i;
    return pv_buffers[i];
  }
  *slot = -1;
  return aligned_alloc(64, pv_buffer_floats * sizeof(float));
}

static void pv_give_buffer(float *buffer, int slot) {
  if (slot < 0) free(buffer);
  else __atomic_store_n(&pv_buffer_taken[slot], 0, __ATOMIC_RELEASE);
}

static void pv_sgemm_blocked(pv_tile_kernel tile, size_t mr, size_t nr, int ta, int tb, size_t m, size_t n, size_t k,
                             const float *a, size_t lda, const float *b, size_t ldb, int load_first, float *c, size_t ldc,
                             float *packed_b) {
  float *packed_a = packed_b + (size_t)PV_KC * (PV_NC + PV_MAX_NR);
  float edge[PV_MAX_MR * PV_MAX_NR];
  for (size_t jc = 0; jc < n; jc += PV_NC) {
    size_t nc = n - jc < PV_NC ? n - jc : PV_NC;
    for (size_t pc = 0; pc < k; pc += PV_KC) {
      size_t kc = k - pc < PV_KC ? k - pc : PV_KC;
      int load = pc > 0 || load_first;
      pv_pack_b(tb, b, ldb, pc, kc, jc, nc, nr, packed_b);
      // A's block is packed when many column strips reuse it; with few (RL's 64-wide layers), the
      // copy cost as much as the arithmetic it fed, so whole row strips are read in place.
      int pack_a = nc > 4 * nr;
      for (size_t ic = 0; ic < m; ic += PV_MC) {
        size_t mc = m - ic < PV_MC ? m - ic : PV_MC;
        size_t whole = pack_a ? 0 : mc - mc % mr;  // rows read in place; the rest are packed
        if (whole < mc) pv_pack_a(ta, a, lda, ic + whole, mc - whole, pc, kc, mr, packed_a);
        for (size_t jr = 0; jr < nc; jr += nr) {
          size_t cols = nc - jr < nr ? nc - jr : nr;
          const float *bp = packed_b + jr * kc;
          for (size_t ir = 0; ir < mc; ir += mr) {
            size_t rows = mc - ir < mr ? mc - ir : mr;
            const float *ap;
            size_t rs, cs;
            if (ir < whole) {
              ap = ta ? a + pc * lda + ic + ir : a + (ic + ir) * lda + pc;
              rs = ta ? 1 : lda;
              cs = ta ? lda : 1;
            } else {
              ap = packed_a + (ir - whole) * kc;
              rs = 1;
              cs = mr;
            }
            float *ct = c + (ic + ir) * ldc + jc + jr;
            if (rows == mr && cols == nr) {
              tile(kc, ap, rs, cs, bp, ct, ldc, load);
              continue;
            }
            // An edge tile: computed whole aside (the padding is zeros), its valid part copied.
            if (load)
              for (size_t i = 0; i < rows; i++) memcpy(edge + i * nr, ct + i * ldc, cols * sizeof(float));
            tile(kc, ap, rs, cs, bp, edge, nr, load);
            for (size_t i = 0; i < rows; i++) memcpy(ct + i * ldc, edge + i * nr, cols * sizeof(float));
          }
        }
      }
    }
  }
}

// The portable chain, one element at a time: when no packing buffer can be had, and the
// reference the paths are tested against.
static void pv_sgemm_reference(int ta, int tb, size_t m, size_t n, size_t k, const float *a, size_t lda, const float *b,
                               size_t ldb, int load_first, float *c, size_t ldc) {
  for (size_t i = 0; i < m; i++)
    for (size_t j = 0; j < n; j++) {
      float acc = load_first ? c[i * ldc + j] : 0.0f;
      for (size_t p = 0; p < k; p++) {
        float x = ta ? a[p * lda + i] : a[i * lda + p];
        float y = tb ? b[j * ldb + p] : b[p * ldb + j];
        acc = __builtin_fmaf(x, y, acc);
      }
      c[i * ldc + j] = acc;
    }
}

// One row of C (m = 1: a query of generation's attention against its cached keys): the same
// chains, read in place; packing and a 6-row tile for one row cost several times the arithmetic.
PV_KERNEL(pv_sgemm_row, (int tb, size_t n, size_t k, const float *a, size_t a_step, const float *b, size_t ldb, int load,
                         float *c), (tb, n, k, a, a_step, b, ldb, load, c)) {
  if (!tb) {
    // Row p of B scales into every chain at once.
    if (!load)
      for (size_t j = 0; j < n; j++) c[j] = 0.0f;
    for (size_t p = 0; p < k; p++) {
      float x = a[p * a_step];
      const float *row = b + p * ldb;
      PV_ELEMENTWISE
      for (size_t j = 0; j < n; j++) c[j] = __builtin_fmaf(x, row[j], c[j]);
    }
    return;
  }
  // Dot products with B's rows, four chains side by side.
  size_t j = 0;
  for (; j + 4 <= n; j += 4) {
    const float *b0 = b + j * ldb, *b1 = b0 + ldb, *b2 = b1 + ldb, *b3 = b2 + ldb;
    float c0 = load ? c[j] : 0.0f, c1 = load ? c[j + 1] : 0.0f, c2 = load ? c[j + 2] : 0.0f, c3 = load ? c[j + 3] : 0.0f;
    for (size_t p = 0; p < k; p++) {
      float x = a[p * a_step];
      c0 = __builtin_fmaf(x, b0[p], c0);
      c1 = __builtin_fmaf(x, b1[p], c1);
      c2 = __builtin_fmaf(x, b2[p], c2);
      c3 = __builtin_fmaf(x, b3[p], c3);
    }
    c[j] = c0;
    c[j + 1] = c1;
    c[j + 2] = c2;
    c[j + 3] = c3;
  }
  for (; j < n; j++) {
    float acc = load ? c[j] : 0.0f;
    for (size_t p = 0; p < k; p++) acc = __builtin_fmaf(a[p * a_step], b[j * ldb + p], acc);
    c[j] = acc;
  }
}

// beta·C before the chains continue from C (one rounding); beta 0 never reads C (it may hold NaN
// garbage) and beta 1 leaves it as it is.
static void pv_scale_by_beta(size_t m, size_t n, float beta, float *c, size_t ldc) {
  if (beta == 0.0f || beta == 1.0f) return;
  for (size_t i = 0; i < m; i++)
    for (size_t j = 0; j < n; j++) c[i * ldc + j] *= beta;
}

void pv_sgemm_portable(int transpose_a, int transpose_b, size_t m, size_t n, size_t k, const float *a, size_t lda,
                       const float *b, size_t ldb, float beta, float *c, size_t ldc) {
  if (m == 0 || n == 0) return;
  pv_scale_by_beta(m, n, beta, c, ldc);
  pv_sgemm_reference(transpose_a, transpose_b, m, n, k, a, lda, b, ldb, beta != 0.0f, c, ldc);
}

static void pv_sgemm_path(int transpose_a, int transpose_b, size_t m, size_t n, size_t k, const float *a, size_t lda,
                          const float *b, size_t ldb, int load_first, float *c, size_t ldc, float *buffer) {
  switch (pv_path) {
#if PV_HAS_X86_PATHS
  case PV_PATH_AVX512:
    pv_sgemm_blocked(pv_tile_avx512, PV_AVX512_MR, PV_AVX512_NR, transpose_a, transpose_b, m, n, k, a, lda, b, ldb,
                     load_first, c, ldc, buffer);
    return;
  case PV_PATH_AVX2:
    pv_sgemm_blocked(pv_tile_avx2, PV_AVX2_MR, PV_AVX2_NR, transpose_a, transpose_b, m, n, k, a, lda, b, ldb, load_first,
                     c, ldc, buffer);
    return;
#endif
  default:
    pv_sgemm_blocked(pv_tile_baseline, PV_BASE_MR, PV_BASE_NR, transpose_a, transpose_b, m, n, k, a, lda, b, ldb,
                     load_first, c, ldc, buffer);
  }
}

void pv_sgemm(int transpose_a, int transpose_b, size_t m, size_t n, size_t k, const float *a, size_t lda, const float *b,
              size_t ldb, float beta, float *c, size_t ldc) {
  if (m == 0 || n == 0) return;
  pv_scale_by_beta(m, n, beta, c, ldc);
  int load_first = beta != 0.0f;
  if (k == 0) {
    if (!load_first)
      for (size_t i = 0; i < m; i++) memset(c + i * ldc, 0, n * sizeof(float));
    return;
  }
  if (m == 1) {
    pv_sgemm_row(transpose_b, n, k, a, transpose_a ? lda : 1, b, ldb, load_first, c);
    return;
  }
  int slot;
  float *buffer = pv_take_buffer(&slot);
  if (!buffer) {
    pv_sgemm_reference(transpose_a, transpose_b, m, n, k, a, lda, b, ldb, load_first, c, ldc);
    return;
  }
  pv_sgemm_path(transpose_a, transpose_b, m, n, k, a, lda, b, ldb, load_first, c, ldc, buffer);
  pv_give_buffer(buffer, slot);
}
