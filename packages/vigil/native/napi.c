/*
 * Argument checks and errors for the entry points. Every napi_status is checked: a failed
 * call leaves a pending exception (napi's own, or ours) and the entry point returns NULL.
 * Wrong argument types are TypeErrors; everything else is an Error with a code.
 */
#include <string.h>

#include "vigil.h"

napi_value throw_type_error(napi_env env, const char *message) {
  bool pending = false;
  if (napi_is_exception_pending(env, &pending) == napi_ok && !pending) napi_throw_type_error(env, NULL, message);
  return NULL;
}

napi_value throw_error(napi_env env, const char *code, const char *message) {
  bool pending = false;
  if (napi_is_exception_pending(env, &pending) == napi_ok && !pending) napi_throw_error(env, code, message);
  return NULL;
}

int get_view(napi_env env, napi_value value, napi_typedarray_type want, view *out) {
  bool is_typed = false;
  if (napi_is_typedarray(env, value, &is_typed) != napi_ok || !is_typed) return 0;
  napi_typedarray_type type;
  napi_value buffer;
  size_t offset;
  if (napi_get_typedarray_info(env, value, &type, &out->length, &out->data, &buffer, &offset) != napi_ok) return 0;
  return type == want;
}

int get_number(napi_env env, napi_value value, double *out) {
  napi_valuetype type;
  if (napi_typeof(env, value, &type) != napi_ok || type != napi_number) return 0;
  return napi_get_value_double(env, value, out) == napi_ok;
}

/* argv[0..6]: paths, flags, bases, cursor, arena, records, stats. */
int get_batch(napi_env env, napi_value *argv, batch *b) {
  if (!get_view(env, argv[0], napi_uint8_array, &b->paths) || !get_view(env, argv[1], napi_uint8_array, &b->flags) ||
      !get_view(env, argv[2], napi_uint32_array, &b->bases) || !get_view(env, argv[3], napi_uint32_array, &b->cursor) ||
      !get_view(env, argv[4], napi_uint8_array, &b->arena) || !get_view(env, argv[5], napi_float64_array, &b->records) ||
      !get_view(env, argv[6], napi_bigint64_array, &b->stats)) {
    throw_type_error(env, "expected (paths: Uint8Array, flags: Uint8Array, bases: Uint32Array, cursor: Uint32Array, "
                          "arena: Uint8Array, records: Float64Array, stats: BigInt64Array, ...)");
    return 0;
  }
  size_t count = b->flags.length;
  if (b->cursor.length < 2 || b->arena.length == 0 || b->bases.length < count ||
      b->records.length < count * RECORD_SLOTS || b->stats.length < count * STAT_SLOTS) {
    throw_type_error(env, "a batch needs a cursor of 2, an arena, and bases, records and stats for every path");
    return 0;
  }
  return 1;
}

/* The path at `position`, or NULL (with an exception) if `paths` has no NUL-terminated one there. */
const char *next_path(napi_env env, const batch *b, size_t position, size_t *next_position) {
  const uint8_t *bytes = b->paths.data;
  const uint8_t *end = position < b->paths.length ? memchr(bytes + position, 0, b->paths.length - position) : NULL;
  if (end == NULL) {
    throw_type_error(env, "fewer NUL-terminated paths than flags");
    return NULL;
  }
  *next_position = (size_t)(end - bytes) + 1;
  return (const char *)bytes + position;
}

void put_stats(const batch *b, uint32_t index, const struct stat *s) {
  int64_t *st = (int64_t *)b->stats.data + (size_t)index * STAT_SLOTS;
  st[ST_MODE] = s->st_mode;
  st[ST_SIZE] = s->st_size;
  st[ST_MTIME_NS] = (int64_t)s->st_mtim.tv_sec * 1000000000 + s->st_mtim.tv_nsec;
  st[ST_CTIME_NS] = (int64_t)s->st_ctim.tv_sec * 1000000000 + s->st_ctim.tv_nsec;
  st[ST_INO] = (int64_t)s->st_ino;
  st[ST_DEV] = (int64_t)s->st_dev;
  st[ST_NLINK] = (int64_t)s->st_nlink;
  st[ST_UID] = s->st_uid;
  st[ST_GID] = s->st_gid;
}

napi_value number(napi_env env, double value) {
  napi_value result;
  return napi_create_double(env, value, &result) == napi_ok ? result : NULL;
}

napi_value null_value(napi_env env) {
  napi_value result;
  return napi_get_null(env, &result) == napi_ok ? result : NULL;
}

int get_int(napi_env env, napi_value value, long long *out) {
  double d;
  if (!get_number(env, value, &d) || d != (double)(long long)d) return 0;
  *out = (long long)d;
  return 1;
}

int get_args(napi_env env, napi_callback_info info, size_t want, napi_value *argv) {
  size_t argc = want;
  return napi_get_cb_info(env, info, &argc, argv, NULL, NULL) == napi_ok && argc >= want;
}

int export_functions(napi_env env, napi_value exports, const exported_function *functions, size_t count) {
  for (size_t i = 0; i < count; i++) {
    napi_value fn;
    if (napi_create_function(env, functions[i].name, NAPI_AUTO_LENGTH, functions[i].callback, NULL, &fn) != napi_ok ||
        napi_set_named_property(env, exports, functions[i].name, fn) != napi_ok) {
      return 0;
    }
  }
  return 1;
}
