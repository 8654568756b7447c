/*
 * dataRanges: where an open file has data, by lseek(2) SEEK_DATA / SEEK_HOLE, so that the
 * holes of a sparse file are neither read nor stored (src/repo/data-ranges.ts).
 *
 *   dataRanges(fd, from, out: Float64Array) -> number
 *
 * Writes [start, end) pairs of the data ranges at or after `from` into `out` (as many as fit)
 * and returns how many it wrote; fewer than fit means there are no more. Returns -errno when
 * lseek fails otherwise than by "no data past here" (ENXIO): EINVAL or EOPNOTSUPP mean the
 * file system cannot tell, and the caller takes the whole file as data. Moves the file
 * position, which the readers do not use (they read at offsets).
 */
#include <errno.h>
#include <unistd.h>

#include "vigil.h"

napi_value data_ranges(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  double fd_number, from;
  view out;
  if (argc < 3 || !get_number(env, argv[0], &fd_number) || !get_number(env, argv[1], &from) ||
      !get_view(env, argv[2], napi_float64_array, &out) || fd_number < 0 || fd_number > INT_MAX || from < 0 ||
      from > 9007199254740991.0) {
    return throw_type_error(env, "dataRanges(fd: number, from: number, out: Float64Array)");
  }
  int fd = (int)fd_number;
  off_t offset = (off_t)from;
  double *pairs = out.data;
  size_t capacity = out.length / 2, count = 0;
  int32_t result = 0;
  while (count < capacity) {
    off_t data = lseek(fd, offset, SEEK_DATA);
    if (data < 0) {
      if (errno != ENXIO) result = -errno;
      break;
    }
    off_t hole = lseek(fd, data, SEEK_HOLE);
    if (hole < 0) {
      result = -errno;
      break;
    }
    pairs[2 * count] = (double)data;
    pairs[2 * count + 1] = (double)hole;
    count++;
    offset = hole;
  }
  if (result == 0) result = (int32_t)count;
  napi_value value;
  if (napi_create_int32(env, result, &value) != napi_ok) return NULL;
  return value;
}
