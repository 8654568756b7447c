/*
 * What every batch entry point (batch.c, xattrs.c) does first and last, written once: take
 * and check the call's arguments, then walk the paths from the cursor with one resolver for
 * the call, hand each path to the entry point's own work, and leave the cursor where the
 * walk stopped. The cursor protocol (vigil.h, `batch`) lives here and nowhere else.
 */
#include "vigil.h"

static double *record_of(const batch *b, uint32_t index) {
  return (double *)b->records.data + (size_t)index * RECORD_SLOTS;
}

int begin_batch(napi_env env, napi_callback_info info, size_t want, napi_value *argv, batch *b, double *defer_above,
                const char *usage) {
  size_t argc = want;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return 0;
  if (argc < want) {
    throw_type_error(env, usage);
    return 0;
  }
  if (!get_batch(env, argv, b)) return 0;
  if (defer_above != NULL && !get_number(env, argv[7], defer_above)) {
    throw_type_error(env, "deferAbove must be a number");
    return 0;
  }
  return 1;
}

int run_batch_call(napi_env env, napi_callback_info info, const char *usage, entry_work work, void *context) {
  napi_value argv[7];
  batch b;
  if (!begin_batch(env, info, 7, argv, &b, NULL, usage)) return 0;
  return for_each_entry(env, &b, work, context);
}

int for_each_entry(napi_env env, const batch *b, entry_work work, void *context) {
  const uint8_t *flags = b->flags.data;
  const uint32_t *bases = b->bases.data;
  uint32_t *cursor = b->cursor.data;
  uint32_t index = cursor[0];
  size_t position = cursor[1];
  int failed = 0;
  resolver r;
  resolver_init(&r);
  for (; index < b->flags.length; index++) {
    size_t next_position;
    const char *path = next_path(env, b, position, &next_position);
    if (path == NULL) break; /* an exception is pending; the entry point returns NULL */
    batch_entry entry = {index, path, bases[index], flags[index], record_of(b, index)};
    entry_step step = work(context, b, &r, &entry);
    if (step == ENTRY_NEXT_CALL) break;
    if (step == ENTRY_FAILED) {
      failed = 1;
      break;
    }
    position = next_position;
    if (step == ENTRY_LAST) {
      index++;
      break;
    }
  }
  resolver_close(&r);
  if (failed) return 0;
  cursor[0] = index;
  cursor[1] = (uint32_t)position;
  return 1;
}
