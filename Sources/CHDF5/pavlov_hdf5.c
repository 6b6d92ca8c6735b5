#include "pavlov_hdf5.h"

#include <dlfcn.h>
#include <hdf5.h>
#include <stdio.h>
#include <string.h>

// HDF5 is opened with dlopen when a dataset file is first created or opened, not linked: linking
// it loads HDF5 and its dependencies (curl, OpenSSL, Kerberos, LDAP: 30 shared libraries) into
// every `pavlov` run, which cost ~8 ms of startup for a library few scripts use.
#define PVH5_FUNCTIONS(X) \
  X(H5Aclose) X(H5Acreate2) X(H5Aexists) X(H5Aget_type) \
  X(H5Aopen) X(H5Aread) X(H5Awrite) X(H5Dclose) \
  X(H5Dcreate2) X(H5Dget_space) X(H5Dget_type) X(H5Dopen2) \
  X(H5Dread) X(H5Dwrite) X(H5Eset_auto2) X(H5Fclose) \
  X(H5Fcreate) X(H5Fopen) X(H5Gclose) X(H5Gcreate2) \
  X(H5Gopen2) X(H5Iget_type) X(H5Lexists) X(H5Oget_info_by_name) \
  X(H5Pclose) X(H5Pcreate) X(H5Pset_chunk) X(H5Sclose) \
  X(H5Screate) X(H5Screate_simple) X(H5Sget_simple_extent_dims) X(H5Sget_simple_extent_ndims) \
  X(H5Sget_simple_extent_npoints) X(H5Tclose) X(H5Tenum_create) X(H5Tenum_insert) \
  X(H5Tget_class) X(H5Tget_native_type) X(H5Tget_sign) X(H5Tget_size) \
  X(H5Tget_super) X(H5allocate_memory) X(H5free_memory)
#define PVH5_VARIABLES(X) \
  X(H5T_IEEE_F32LE_g) X(H5T_IEEE_F64LE_g) X(H5T_NATIVE_DOUBLE_g) \
  X(H5T_NATIVE_FLOAT_g) X(H5T_NATIVE_INT64_g) X(H5T_NATIVE_INT8_g) \
  X(H5T_NATIVE_UINT64_g) X(H5T_STD_I64LE_g) X(H5T_STD_I8LE_g) \
  X(H5P_CLS_DATASET_CREATE_ID_g)

static struct {
#define X(name) __typeof__(name) *p_##name;
  PVH5_FUNCTIONS(X)
  PVH5_VARIABLES(X)
#undef X
} lib;

#define LIB(name) (*lib.p_##name)
// The type and property-list ids are globals the library fills in when it opens (H5OPEN calls
// H5open, which load() has done); read them through the table.
#undef H5OPEN
#define H5OPEN
#undef H5CHECK
#define H5CHECK
#define H5T_IEEE_F32LE_g (*lib.p_H5T_IEEE_F32LE_g)
#define H5T_IEEE_F64LE_g (*lib.p_H5T_IEEE_F64LE_g)
#define H5T_NATIVE_DOUBLE_g (*lib.p_H5T_NATIVE_DOUBLE_g)
#define H5T_NATIVE_FLOAT_g (*lib.p_H5T_NATIVE_FLOAT_g)
#define H5T_NATIVE_INT64_g (*lib.p_H5T_NATIVE_INT64_g)
#define H5T_NATIVE_INT8_g (*lib.p_H5T_NATIVE_INT8_g)
#define H5T_NATIVE_UINT64_g (*lib.p_H5T_NATIVE_UINT64_g)
#define H5T_STD_I64LE_g (*lib.p_H5T_STD_I64LE_g)
#define H5T_STD_I8LE_g (*lib.p_H5T_STD_I8LE_g)
#define H5P_CLS_DATASET_CREATE_ID_g (*lib.p_H5P_CLS_DATASET_CREATE_ID_g)

static char load_error[512];

// Loads the library once; 0 on success, else -1 with load_error set.
static int load(void) {
  static int state = 0;  // 0 not tried, 1 loaded, -1 failed
  if (state) return state > 0 ? 0 : -1;
  state = -1;
  const char *names[] = {"libhdf5_serial.so.103", "libhdf5_serial.so", "libhdf5.so.103", "libhdf5.so"};
  void *handle = NULL;
  for (size_t i = 0; i < sizeof names / sizeof *names && !handle; i++) handle = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    snprintf(load_error, sizeof load_error, "cannot load the HDF5 library (%s)", dlerror());
    return -1;
  }
  herr_t (*start)(void) = (herr_t (*)(void))dlsym(handle, "H5open");
  herr_t (*version)(unsigned *, unsigned *, unsigned *) =
      (herr_t (*)(unsigned *, unsigned *, unsigned *))dlsym(handle, "H5get_libversion");
  unsigned major = 0, minor = 0, release = 0;
  if (!start || !version || version(&major, &minor, &release) < 0) {
    snprintf(load_error, sizeof load_error, "the library found as HDF5 is not HDF5 (no H5open or H5get_libversion)");
    return -1;
  }
  if (major != H5_VERS_MAJOR || minor != H5_VERS_MINOR) {
    snprintf(load_error, sizeof load_error, "the HDF5 library found is %u.%u, Pavlov was built against %d.%d",
             major, minor, H5_VERS_MAJOR, H5_VERS_MINOR);
    return -1;
  }
#define X(name) \
  if (!(lib.p_##name = (__typeof__(lib.p_##name))dlsym(handle, #name))) { \
    snprintf(load_error, sizeof load_error, "the HDF5 library has no %s", #name); \
    return -1; \
  }
  PVH5_FUNCTIONS(X)
  PVH5_VARIABLES(X)
#undef X
  if (start() < 0) { snprintf(load_error, sizeof load_error, "the HDF5 library did not start"); return -1; }
  state = 1;
  return 0;
}

const char *pvh5_load_error(void) { return load_error[0] ? load_error : NULL; }

static void quiet(void) {
  static int done = 0;
  if (!done) { LIB(H5Eset_auto2)(H5E_DEFAULT, NULL, NULL); done = 1; }
}

static hid_t memory_type(int kind) {
  switch (kind) {
  case PVH5_F32: return H5T_NATIVE_FLOAT;
  case PVH5_F64: return H5T_NATIVE_DOUBLE;
  case PVH5_I64: return H5T_NATIVE_INT64;
  default: return -1;
  }
}

// h5py's bool: an enum over a little-endian int8 with FALSE = 0 and TRUE = 1.
static hid_t bool_type(hid_t base) {
  hid_t t = LIB(H5Tenum_create)(base);
  int8_t no = 0, yes = 1;
  LIB(H5Tenum_insert)(t, "FALSE", &no);
  LIB(H5Tenum_insert)(t, "TRUE", &yes);
  return t;
}

// O_EXCL underneath: never through a link planted at the path.
pvh5_id pvh5_create(const char *path) { if (load() < 0) return -1; quiet(); return LIB(H5Fcreate)(path, H5F_ACC_EXCL, H5P_DEFAULT, H5P_DEFAULT); }
pvh5_id pvh5_open(const char *path) { if (load() < 0) return -1; quiet(); return LIB(H5Fopen)(path, H5F_ACC_RDONLY, H5P_DEFAULT); }
pvh5_id pvh5_group_create(pvh5_id loc, const char *name) { return LIB(H5Gcreate2)(loc, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT); }
pvh5_id pvh5_group_open(pvh5_id loc, const char *name) { return LIB(H5Gopen2)(loc, name, H5P_DEFAULT); }

int pvh5_close(pvh5_id id) {
  switch (LIB(H5Iget_type)(id)) {
  case H5I_FILE: return LIB(H5Fclose)(id);
  case H5I_GROUP: return LIB(H5Gclose)(id);
  default: return -1;
  }
}

int pvh5_exists(pvh5_id loc, const char *name) { return LIB(H5Lexists)(loc, name, H5P_DEFAULT); }

int pvh5_is_group(pvh5_id loc, const char *name) {
  if (LIB(H5Lexists)(loc, name, H5P_DEFAULT) <= 0) return 0;
  H5O_info_t info;
  if (LIB(H5Oget_info_by_name)(loc, name, &info, H5P_DEFAULT) < 0) return -1;
  return info.type == H5O_TYPE_GROUP;
}

int pvh5_write(pvh5_id loc, const char *name, int kind, int rank, const int64_t *dims, const void *data) {
  if (rank < 1 || rank > 8) return -1;
  hsize_t size[8], max[8], chunk[8];
  for (int i = 0; i < rank; i++) {
    size[i] = (hsize_t)dims[i];
    max[i] = i == 0 ? H5S_UNLIMITED : (hsize_t)dims[i];
    chunk[i] = dims[i] > 0 ? (hsize_t)dims[i] : 1;
  }
  // Chunks of at most about 64 KiB of rows along the first axis.
  hsize_t row = 1;
  for (int i = 1; i < rank; i++) row *= chunk[i];
  hsize_t rows = (65536 / 8) / (row ? row : 1);
  if (rows < 1) rows = 1;
  if (chunk[0] > rows) chunk[0] = rows;
  hid_t space = LIB(H5Screate_simple)(rank, size, max);
  hid_t plist = LIB(H5Pcreate)(H5P_DATASET_CREATE);
  LIB(H5Pset_chunk)(plist, rank, chunk);
  hid_t file_type, mem_type;
  if (kind == PVH5_BOOL) {
    file_type = bool_type(H5T_STD_I8LE);
    mem_type = bool_type(H5T_NATIVE_INT8);
  } else {
    mem_type = memory_type(kind);
    file_type = kind == PVH5_F32 ? H5T_IEEE_F32LE : kind == PVH5_F64 ? H5T_IEEE_F64LE : H5T_STD_I64LE;
  }
  int status = -1;
  hid_t set = LIB(H5Dcreate2)(loc, name, file_type, space, H5P_DEFAULT, plist, H5P_DEFAULT);
  if (set >= 0) {
    status = LIB(H5Dwrite)(set, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0 ? -1 : 0;
    LIB(H5Dclose)(set);
  }
  if (kind == PVH5_BOOL) { LIB(H5Tclose)(file_type); LIB(H5Tclose)(mem_type); }
  LIB(H5Pclose)(plist);
  LIB(H5Sclose)(space);
  return status;
}

int pvh5_shape(pvh5_id loc, const char *name, int64_t *dims, int max_rank, int *stored) {
  hid_t set = LIB(H5Dopen2)(loc, name, H5P_DEFAULT);
  if (set < 0) return -1;
  hid_t space = LIB(H5Dget_space)(set), type = LIB(H5Dget_type)(set);
  int rank = LIB(H5Sget_simple_extent_ndims)(space);
  if (rank >= 0 && rank <= max_rank) {
    hsize_t size[32];
    LIB(H5Sget_simple_extent_dims)(space, size, NULL);
    for (int i = 0; i < rank; i++) dims[i] = (int64_t)size[i];
  } else if (rank > max_rank) {
    rank = -2;
  }
  switch (LIB(H5Tget_class)(type)) {
  case H5T_FLOAT: *stored = LIB(H5Tget_size)(type) == 4 ? PVH5_F32 : PVH5_F64; break;
  case H5T_INTEGER: *stored = PVH5_I64; break;
  case H5T_ENUM: *stored = PVH5_BOOL; break;
  default: *stored = -1;
  }
  LIB(H5Tclose)(type);
  LIB(H5Sclose)(space);
  LIB(H5Dclose)(set);
  return rank;
}

int pvh5_read(pvh5_id loc, const char *name, int kind, void *out) {
  hid_t set = LIB(H5Dopen2)(loc, name, H5P_DEFAULT);
  if (set < 0) return -1;
  hid_t type = LIB(H5Dget_type)(set);
  int status = -1;
  if (LIB(H5Tget_class)(type) == H5T_ENUM) {
    // An enum converts only to an enum: read its integer values, then widen them.
    hid_t base = LIB(H5Tget_super)(type);
    size_t width = LIB(H5Tget_size)(base);
    hid_t space = LIB(H5Dget_space)(set);
    hssize_t count = LIB(H5Sget_simple_extent_npoints)(space);
    LIB(H5Sclose)(space);
    if (width == 1 && count >= 0) {
      hid_t native = LIB(H5Tget_native_type)(type, H5T_DIR_ASCEND);
      int8_t *raw = count ? (int8_t *)LIB(H5allocate_memory)((size_t)count, 0) : NULL;
      if (count == 0 || raw) {
        if (count == 0 || LIB(H5Dread)(set, native, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw) >= 0) {
          for (hssize_t i = 0; i < count; i++) {
            if (kind == PVH5_F64) ((double *)out)[i] = raw[i];
            else ((int64_t *)out)[i] = raw[i];
          }
          status = 0;
        }
        if (raw) LIB(H5free_memory)(raw);
      }
      LIB(H5Tclose)(native);
    }
    LIB(H5Tclose)(base);
  } else {
    status = LIB(H5Dread)(set, memory_type(kind), H5S_ALL, H5S_ALL, H5P_DEFAULT, out) < 0 ? -1 : 0;
  }
  LIB(H5Tclose)(type);
  LIB(H5Dclose)(set);
  return status;
}

int pvh5_attr_write_i64(pvh5_id loc, const char *name, int64_t value) {
  hid_t space = LIB(H5Screate)(H5S_SCALAR);
  hid_t attr = LIB(H5Acreate2)(loc, name, H5T_STD_I64LE, space, H5P_DEFAULT, H5P_DEFAULT);
  int status = attr < 0 ? -1 : (LIB(H5Awrite)(attr, H5T_NATIVE_INT64, &value) < 0 ? -1 : 0);
  if (attr >= 0) LIB(H5Aclose)(attr);
  LIB(H5Sclose)(space);
  return status;
}

int pvh5_attr_read_i64(pvh5_id loc, const char *name, int64_t *value) {
  if (LIB(H5Aexists)(loc, name) <= 0) return 0;
  hid_t attr = LIB(H5Aopen)(loc, name, H5P_DEFAULT);
  if (attr < 0) return -1;
  hid_t type = LIB(H5Aget_type)(attr);
  int status = -1;
  if (LIB(H5Tget_class)(type) == H5T_INTEGER) {
    if (LIB(H5Tget_sign)(type) == H5T_SGN_NONE) {
      uint64_t u;
      if (LIB(H5Aread)(attr, H5T_NATIVE_UINT64, &u) >= 0) { *value = (int64_t)u; status = 1; }
    } else if (LIB(H5Aread)(attr, H5T_NATIVE_INT64, value) >= 0) {
      status = 1;
    }
  }
  LIB(H5Tclose)(type);
  LIB(H5Aclose)(attr);
  return status;
}
