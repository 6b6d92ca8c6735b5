// A small C interface over Debian's HDF5 (libhdf5-dev, serial), for Minari's dataset files: groups,
// n-dimensional datasets of float32, float64, int64 and h5py's bool enum, and int64 attributes.
// HDF5's type ids are macros that call into the library, which Swift cannot import; this layer
// also silences HDF5's own error printing so Pavlov reports errors its way.
#ifndef PAVLOV_HDF5_H
#define PAVLOV_HDF5_H

#include <stdint.h>

typedef int64_t pvh5_id;  // an HDF5 hid_t; negative on failure

// Element kinds, in memory: float, double, int64_t, and bools as int8 (0/1; h5py's FALSE/TRUE enum on disk).
enum { PVH5_F32 = 0, PVH5_F64 = 1, PVH5_I64 = 2, PVH5_BOOL = 3 };

// Why the library could not be loaded (it is opened on the first create or open), or NULL.
const char *pvh5_load_error(void);
pvh5_id pvh5_create(const char *path);      // a new file; fails if anything (a link too) is at the path
pvh5_id pvh5_open(const char *path);        // read-only
pvh5_id pvh5_group_create(pvh5_id loc, const char *name);
pvh5_id pvh5_group_open(pvh5_id loc, const char *name);
int pvh5_close(pvh5_id id);                 // a file or a group
int pvh5_exists(pvh5_id loc, const char *name);  // 1 yes, 0 no, < 0 error
int pvh5_is_group(pvh5_id loc, const char *name);
// Writes a chunked dataset with an unlimited first axis (as h5py's maxshape=(None, ...)).
int pvh5_write(pvh5_id loc, const char *name, int kind, int rank, const int64_t *dims, const void *data);
// The rank of a dataset (dims filled up to max_rank), or < 0; *stored gets the stored kind
// (PVH5_F32, PVH5_F64, PVH5_I64 for any integer, PVH5_BOOL for an enum), or -1 for other types.
int pvh5_shape(pvh5_id loc, const char *name, int64_t *dims, int max_rank, int *stored);
// Reads a whole dataset converted to `kind` (PVH5_F64 or PVH5_I64; an enum reads as its integers).
int pvh5_read(pvh5_id loc, const char *name, int kind, void *out);
int pvh5_attr_write_i64(pvh5_id loc, const char *name, int64_t value);
// Reads a scalar integer attribute (signed or unsigned 64-bit); 1 if present, 0 if absent, < 0 on error.
int pvh5_attr_read_i64(pvh5_id loc, const char *name, int64_t *value);

#endif
