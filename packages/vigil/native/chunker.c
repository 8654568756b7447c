/*
 * chunkScan: the per-byte loop of repository format 2's content-defined chunking (FastCDC's
 * gear hash with normalized chunking). src/repo/chunker-scan.ts has the contract and a
 * JavaScript loop that must find the same cut points; docs/format-v2-storage.md the rule.
 *
 *   chunkScan(gear: Uint32Array(512), state: Uint32Array(2), bytes: Uint8Array, chunkLength,
 *             minSize, normalSize, maxSize, smallMaskBits, largeMaskBits) -> number
 *
 * Returns how many of `bytes` end the current chunk, or -1 when it goes on past them (the
 * hash is then left in `state` for the next piece).
 */
#include <string.h>

#include "vigil.h"

#define GEAR_WINDOW 64

typedef struct {
  double min, normal, max, small_bits, large_bits, chunk_length;
} scan_params;

static int get_params(napi_env env, napi_value *argv, scan_params *p) {
  return get_number(env, argv[3], &p->chunk_length) && get_number(env, argv[4], &p->min) &&
         get_number(env, argv[5], &p->normal) && get_number(env, argv[6], &p->max) &&
         get_number(env, argv[7], &p->small_bits) && get_number(env, argv[8], &p->large_bits) &&
         p->min >= GEAR_WINDOW && p->normal >= p->min && p->max >= p->normal && p->max < 4294967296.0 &&
         p->chunk_length >= 0 && p->chunk_length < p->max && p->small_bits >= 1 && p->small_bits <= 32 &&
         p->large_bits >= 1 && p->large_bits <= 32;
}

/* The index in this piece at which the chunk's length would reach `limit` (clamped to the piece). */
static size_t bound(size_t limit, size_t chunk_length, size_t length) {
  if (limit <= chunk_length) return 0;
  return limit - chunk_length < length ? limit - chunk_length : length;
}

/* The loop itself: see the rule in src/repo/chunker-scan.ts. */
static int64_t scan(const uint64_t *gear, uint64_t *state, const uint8_t *bytes, size_t length, size_t chunk_length,
                    size_t min, size_t normal, size_t max, unsigned small_shift, unsigned large_shift) {
  size_t i = 0;
  size_t warm = min - GEAR_WINDOW;
  if (chunk_length < warm) {
    i = warm - chunk_length;
    if (i >= length) return -1;
  }
  uint64_t h = *state;
  /* Lengths below min: hash only. */
  size_t end = bound(min - 1, chunk_length, length);
  for (; i < end; i++) h = (h << 1) + gear[bytes[i]];
  /* Lengths min..normal-1: the harder mask. */
  end = bound(normal - 1, chunk_length, length);
  for (; i < end; i++) {
    h = (h << 1) + gear[bytes[i]];
    if ((h >> small_shift) == 0) goto cut;
  }
  /* Lengths normal..max: the easier mask, and max ends the chunk in any case. */
  end = bound(max, chunk_length, length);
  for (; i < end; i++) {
    h = (h << 1) + gear[bytes[i]];
    if ((h >> large_shift) == 0) goto cut;
  }
  if (chunk_length + i >= max) {
    *state = 0;
    return (int64_t)i;
  }
  *state = h;
  return -1;
cut:
  *state = 0;
  return (int64_t)i + 1;
}

napi_value chunk_scan(napi_env env, napi_callback_info info) {
  size_t argc = 9;
  napi_value argv[9];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  view gear_view, state_view, bytes_view;
  scan_params p;
  if (argc < 9 || !get_view(env, argv[0], napi_uint32_array, &gear_view) || gear_view.length != 512 ||
      !get_view(env, argv[1], napi_uint32_array, &state_view) || state_view.length != 2 ||
      !get_view(env, argv[2], napi_uint8_array, &bytes_view) || !get_params(env, argv, &p)) {
    return throw_type_error(env, "chunkScan(gear: Uint32Array(512), state: Uint32Array(2), bytes: Uint8Array, "
                                 "chunkLength, minSize, normalSize, maxSize, smallMaskBits, largeMaskBits)");
  }
  /* The table arrives as (low, high) 32-bit halves; one 64-bit copy per call costs 2 KiB. */
  const uint32_t *halves = gear_view.data;
  uint64_t gear[256];
  for (int b = 0; b < 256; b++) gear[b] = ((uint64_t)halves[2 * b + 1] << 32) | halves[2 * b];
  uint32_t *state_halves = state_view.data;
  uint64_t state = ((uint64_t)state_halves[1] << 32) | state_halves[0];
  int64_t cut = scan(gear, &state, bytes_view.data, bytes_view.length, (size_t)p.chunk_length, (size_t)p.min,
                     (size_t)p.normal, (size_t)p.max, 64 - (unsigned)p.small_bits, 64 - (unsigned)p.large_bits);
  state_halves[0] = (uint32_t)state;
  state_halves[1] = (uint32_t)(state >> 32);
  napi_value result;
  if (napi_create_double(env, (double)cut, &result) != napi_ok) return NULL;
  return result;
}
