#include "pavlov_hdf5.h"

#include <hdf5.h>
#include <string.h>

static void quiet(void) {
  static int done = 0;
  if (!done) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); done = 1; }
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
  hid_t t = H5Tenum_create(base);
  int8_t no = 0, yes = 1;
  H5Tenum_insert(t, "FALSE", &no);
  H5Tenum_insert(t, "TRUE", &yes);
  return t;
}

// O_EXCL underneath: never through a link planted at the path.
pvh5_id pvh5_create(const char *path) { quiet(); return H5Fcreate(path, H5F_ACC_EXCL, H5P_DEFAULT, H5P_DEFAULT); }
pvh5_id pvh5_open(const char *path) { quiet(); return H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT); }
pvh5_id pvh5_group_create(pvh5_id loc, const char *name) { return H5Gcreate2(loc, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT); }
pvh5_id pvh5_group_open(pvh5_id loc, const char *name) { return H5Gopen2(loc, name, H5P_DEFAULT); }

int pvh5_close(pvh5_id id) {
  switch (H5Iget_type(id)) {
  case H5I_FILE: return H5Fclose(id);
  case H5I_GROUP: return H5Gclose(id);
  default: return -1;
  }
}

int pvh5_exists(pvh5_id loc, const char *name) { return H5Lexists(loc, name, H5P_DEFAULT); }

int pvh5_is_group(pvh5_id loc, const char *name) {
  if (H5Lexists(loc, name, H5P_DEFAULT) <= 0) return 0;
  H5O_info_t info;
  if (H5Oget_info_by_name(loc, name, &info, H5P_DEFAULT) < 0) return -1;
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
  hid_t space = H5Screate_simple(rank, size, max);
  hid_t plist = H5Pcreate(H5P_DATASET_CREATE);
  H5Pset_chunk(plist, rank, chunk);
  hid_t file_type, mem_type;
  if (kind == PVH5_BOOL) {
    file_type = bool_type(H5T_STD_I8LE);
    mem_type = bool_type(H5T_NATIVE_INT8);
  } else {
    mem_type = memory_type(kind);
    file_type = kind == PVH5_F32 ? H5T_IEEE_F32LE : kind == PVH5_F64 ? H5T_IEEE_F64LE : H5T_STD_I64LE;
  }
  int status = -1;
  hid_t set = H5Dcreate2(loc, name, file_type, space, H5P_DEFAULT, plist, H5P_DEFAULT);
  if (set >= 0) {
    status = H5Dwrite(set, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0 ? -1 : 0;
    H5Dclose(set);
  }
  if (kind == PVH5_BOOL) { H5Tclose(file_type); H5Tclose(mem_type); }
  H5Pclose(plist);
  H5Sclose(space);
  return status;
}

int pvh5_shape(pvh5_id loc, const char *name, int64_t *dims, int max_rank, int *stored) {
  hid_t set = H5Dopen2(loc, name, H5P_DEFAULT);
  if (set < 0) return -1;
  hid_t space = H5Dget_space(set), type = H5Dget_type(set);
  int rank = H5Sget_simple_extent_ndims(space);
  if (rank >= 0 && rank <= max_rank) {
    hsize_t size[32];
    H5Sget_simple_extent_dims(space, size, NULL);
    for (int i = 0; i < rank; i++) dims[i] = (int64_t)size[i];
  } else if (rank > max_rank) {
    rank = -2;
  }
  switch (H5Tget_class(type)) {
  case H5T_FLOAT: *stored = H5Tget_size(type) == 4 ? PVH5_F32 : PVH5_F64; break;
  case H5T_INTEGER: *stored = PVH5_I64; break;
  case H5T_ENUM: *stored = PVH5_BOOL; break;
  default: *stored = -1;
  }
  H5Tclose(type);
  H5Sclose(space);
  H5Dclose(set);
  return rank;
}

int pvh5_read(pvh5_id loc, const char *name, int kind, void *out) {
  hid_t set = H5Dopen2(loc, name, H5P_DEFAULT);
  if (set < 0) return -1;
  hid_t type = H5Dget_type(set);
  int status = -1;
  if (H5Tget_class(type) == H5T_ENUM) {
    // An enum converts only to an enum: read its integer values, then widen them.
    hid_t base = H5Tget_super(type);
    size_t width = H5Tget_size(base);
    hid_t space = H5Dget_space(set);
    hssize_t count = H5Sget_simple_extent_npoints(space);
    H5Sclose(space);
    if (width == 1 && count >= 0) {
      hid_t native = H5Tget_native_type(type, H5T_DIR_ASCEND);
      int8_t *raw = count ? (int8_t *)H5allocate_memory((size_t)count, 0) : NULL;
      if (count == 0 || raw) {
        if (count == 0 || H5Dread(set, native, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw) >= 0) {
          for (hssize_t i = 0; i < count; i++) {
            if (kind == PVH5_F64) ((double *)out)[i] = raw[i];
            else ((int64_t *)out)[i] = raw[i];
          }
          status = 0;
        }
        if (raw) H5free_memory(raw);
      }
      H5Tclose(native);
    }
    H5Tclose(base);
  } else {
    status = H5Dread(set, memory_type(kind), H5S_ALL, H5S_ALL, H5P_DEFAULT, out) < 0 ? -1 : 0;
  }
  H5Tclose(type);
  H5Dclose(set);
  return status;
}

int pvh5_attr_write_i64(pvh5_id loc, const char *name, int64_t value) {
  hid_t space = H5Screate(H5S_SCALAR);
  hid_t attr = H5Acreate2(loc, name, H5T_STD_I64LE, space, H5P_DEFAULT, H5P_DEFAULT);
  int status = attr < 0 ? -1 : (H5Awrite(attr, H5T_NATIVE_INT64, &value) < 0 ? -1 : 0);
  if (attr >= 0) H5Aclose(attr);
  H5Sclose(space);
  return status;
}

int pvh5_attr_read_i64(pvh5_id loc, const char *name, int64_t *value) {
  if (H5Aexists(loc, name) <= 0) return 0;
  hid_t attr = H5Aopen(loc, name, H5P_DEFAULT);
  if (attr < 0) return -1;
  hid_t type = H5Aget_type(attr);
  int status = -1;
  if (H5Tget_class(type) == H5T_INTEGER) {
    if (H5Tget_sign(type) == H5T_SGN_NONE) {
      uint64_t u;
      if (H5Aread(attr, H5T_NATIVE_UINT64, &u) >= 0) { *value = (int64_t)u; status = 1; }
    } else if (H5Aread(attr, H5T_NATIVE_INT64, value) >= 0) {
      status = 1;
    }
  }
  H5Tclose(type);
  H5Aclose(attr);
  return status;
}
