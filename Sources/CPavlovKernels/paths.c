// Chooses the kernel path at load time: the best the CPU supports, unless PAVLOV_KERNELS names
// another (to test that every path gives the same bits, or to measure one).
#include "paths.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int pv_path = PV_PATH_BASELINE;

static const char *const pv_path_names[] = {"baseline", "avx2", "avx512"};

const char *pv_kernel_path_name(int path) {
  return path >= PV_PATH_BASELINE && path <= PV_PATH_AVX512 ? pv_path_names[path] : "unknown";
}

int pv_kernel_path_supported(int path) {
  switch (path) {
  case PV_PATH_BASELINE: return 1;
#if PV_HAS_X86_PATHS
  case PV_PATH_AVX2:
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  case PV_PATH_AVX512:
    __builtin_cpu_init();
    return pv_kernel_path_supported(PV_PATH_AVX2) && __builtin_cpu_supports("avx512f") &&
           __builtin_cpu_supports("avx512vl");
#endif
  default: return 0;
  }
}

int pv_kernel_path(void) { return pv_path; }

int pv_set_kernel_path(int path) {
  if (!pv_kernel_path_supported(path)) return 0;
  pv_path = path;
  return 1;
}

int pv_best_kernel_path(void) {
  int best = PV_PATH_BASELINE;
  for (int path = PV_PATH_AVX2; path <= PV_PATH_AVX512; path++)
    if (pv_kernel_path_supported(path)) best = path;
  return best;
}

__attribute__((constructor)) static void pv_choose_path(void) {
  int best = pv_best_kernel_path();
  pv_path = best;
  const char *wanted = getenv("PAVLOV_KERNELS");
  if (!wanted || !*wanted) return;
  for (int path = PV_PATH_BASELINE; path <= PV_PATH_AVX512; path++)
    if (strcmp(wanted, pv_path_names[path]) == 0) {
      if (pv_set_kernel_path(path)) return;
      fprintf(stderr, "pavlov: warning: PAVLOV_KERNELS=%s: this CPU cannot run that path; using %s\n", wanted,
              pv_path_names[best]);
      return;
    }
  fprintf(stderr, "pavlov: warning: PAVLOV_KERNELS=%s is not a kernel path (baseline, avx2, avx512); using %s\n", wanted,
          pv_path_names[best]);
}
