#ifndef PV_PATHS_H
#define PV_PATHS_H
// Kernel paths. Every kernel is built once for each instruction set it can use and called through
// the path chosen at load time (the best the CPU has, or the one PAVLOV_KERNELS names). The copies
// do the same IEEE operations in the same order — FMA contraction is off, and the products' FMAs
// are written out on every path — so a path changes speed, never bits.
#include "CPavlovKernels.h"

extern int pv_path;

#if defined(__x86_64__)
#define PV_HAS_X86_PATHS 1
#define PV_TARGET_AVX512 __attribute__((target("avx512f,avx512vl,avx2,fma")))
#define PV_TARGET_AVX2 __attribute__((target("avx2,fma")))
#define PV_PATH_COPIES(name, params, args)                                  \
  PV_TARGET_AVX512 static void name##_avx512 params { name##_body args; } \
  PV_TARGET_AVX2 static void name##_avx2 params { name##_body args; }     \
  static void name##_baseline params { name##_body args; }
#define PV_PATH_CALL(name, args)                                            \
  switch (pv_path) {                                                        \
  case PV_PATH_AVX512: name##_avx512 args; return;                          \
  case PV_PATH_AVX2: name##_avx2 args; return;                              \
  default: name##_baseline args; return;                                    \
  }
#else
// Elsewhere (ARM64: NEON) the one portable copy, vectorized by the compiler.
#define PV_HAS_X86_PATHS 0
#define PV_PATH_COPIES(name, params, args)
#define PV_PATH_CALL(name, args) name##_body args;
#endif

// Element i of an element-wise loop reads and writes only index i, so running it in place (out
// == x) is safe; without this clang's overlap check sent in-place calls (the attention's
// softmax rows, DQN's ReLU) down the scalar loop, 10x slower.
#define PV_ELEMENTWISE _Pragma("clang loop vectorize(assume_safety)")

// `PV_KERNEL(pv_f, (float *x, size_t n), (x, n)) { body }` defines pv_f(x, n) as a call to the
// chosen path's copy of body (always inlined into each copy, so each is vectorized for its own
// instruction set).
#define PV_KERNEL(name, params, args)                                     \
  static inline __attribute__((always_inline)) void name##_body params;  \
  PV_PATH_COPIES(name, params, args)                                      \
  void name params { PV_PATH_CALL(name, args) }                           \
  static inline __attribute__((always_inline)) void name##_body params
#endif
