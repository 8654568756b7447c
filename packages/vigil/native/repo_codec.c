/*
 * The per-blob work of repository format 2 that wants C speed (docs/format-v2-crypto.md):
 *
 *   blake3Keyed(key, data, out)           out = BLAKE3 keyed with the 32-byte key, 32 bytes
 *                                         (when built with BLAKE3's C sources: VIGIL_BLAKE3)
 *   zstdCompress(data, level) -> Buffer   one zstd frame, content size in its header
 *   zstdDecompress(frame, size) -> Buffer exactly `size` (< 2^32) bytes or an error: never more
 *                                         (when built with libzstd: VIGIL_ZSTD, see binding.gyp)
 *
 * Each thread (worker) that loads the addon gets its own zstd contexts, kept in the addon's
 * per-environment instance data and freed with it, so contexts are reused across blobs
 * without locks and without a leak when a worker ends.
 */
#include <stdlib.h>
#include <string.h>

#include "vigil.h"

#ifdef VIGIL_ZSTD
#include <zstd.h>
#endif

#define KEYED_KEY_BYTES 32
#define KEYED_OUT_BYTES 32
/* The largest blob the framing records (a u32; src/repo/compression.ts). */
#define MAX_BLOB_BYTES 4294967295.0

#ifdef VIGIL_BLAKE3
static napi_value blake3_keyed(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  view key, data, out;
  if (!get_args(env, info, 3, argv) || !get_view(env, argv[0], napi_uint8_array, &key) ||
      !get_view(env, argv[1], napi_uint8_array, &data) || !get_view(env, argv[2], napi_uint8_array, &out) ||
      key.length != KEYED_KEY_BYTES || out.length < KEYED_OUT_BYTES) {
    return throw_type_error(env, "blake3Keyed(key: 32-byte Uint8Array, data: Uint8Array, out: 32-byte Uint8Array)");
  }
  blake3_hasher hasher;
  blake3_hasher_init_keyed(&hasher, key.data);
  blake3_hasher_update(&hasher, data.data, data.length);
  blake3_hasher_finalize(&hasher, out.data, KEYED_OUT_BYTES);
  return NULL;
}
#endif

#ifdef VIGIL_ZSTD
typedef struct {
  ZSTD_CCtx *compress;
  ZSTD_DCtx *decompress;
  void *scratch; /* compressBound-sized output, copied out into a Buffer of the frame's size */
  size_t scratch_size;
} zstd_state;

static void free_zstd_state(napi_env env, void *data, void *hint) {
  (void)env, (void)hint;
  zstd_state *state = data;
  ZSTD_freeCCtx(state->compress);
  ZSTD_freeDCtx(state->decompress);
  free(state->scratch);
  free(state);
}

static zstd_state *get_zstd_state(napi_env env) {
  zstd_state *state = NULL;
  if (napi_get_instance_data(env, (void **)&state) != napi_ok) return NULL;
  return state;
}

/* The arguments both zstd calls take: bytes, and a whole number in [min, max]. The range is
   checked before the cast that tests wholeness, so NaN, infinities and huge numbers never
   reach it (that would be undefined). */
static int get_bytes_and_count(napi_env env, napi_callback_info info, double min, double max, view *bytes,
                               double *count) {
  napi_value argv[2];
  return get_args(env, info, 2, argv) && get_view(env, argv[0], napi_uint8_array, bytes) &&
         get_number(env, argv[1], count) && *count >= min && *count <= max &&
         *count == (double)(long long)*count;
}

static napi_value zstd_compress(napi_env env, napi_callback_info info) {
  view data;
  double level;
  if (!get_bytes_and_count(env, info, ZSTD_minCLevel(), ZSTD_maxCLevel(), &data, &level)) {
    return throw_type_error(env, "zstdCompress(data: Uint8Array, level: a zstd level)");
  }
  zstd_state *state = get_zstd_state(env);
  if (state == NULL) return throw_error(env, "ERR_VIGIL_ZSTD", "zstdCompress: no zstd state");
  size_t bound = ZSTD_compressBound(data.length);
  if (state->scratch_size < bound) {
    void *grown = realloc(state->scratch, bound);
    if (grown == NULL) return throw_error(env, "ERR_VIGIL_OUT_OF_MEMORY", "zstdCompress: out of memory");
    state->scratch = grown, state->scratch_size = bound;
  }
  if (state->compress == NULL && (state->compress = ZSTD_createCCtx()) == NULL) {
    return throw_error(env, "ERR_VIGIL_OUT_OF_MEMORY", "zstdCompress: cannot make a context");
  }
  size_t size = ZSTD_CCtx_setParameter(state->compress, ZSTD_c_compressionLevel, (int)level);
  if (!ZSTD_isError(size)) size = ZSTD_compress2(state->compress, state->scratch, bound, data.data, data.length);
  if (ZSTD_isError(size)) return throw_error(env, "ERR_VIGIL_ZSTD", ZSTD_getErrorName(size));
  napi_value result;
  if (napi_create_buffer_copy(env, size, state->scratch, NULL, &result) != napi_ok) return NULL;
  return result;
}

static napi_value zstd_decompress(napi_env env, napi_callback_info info) {
  view frame;
  double expected;
  if (!get_bytes_and_count(env, info, 0, MAX_BLOB_BYTES, &frame, &expected)) {
    return throw_type_error(env, "zstdDecompress(frame: Uint8Array, size: a byte count)");
  }
  zstd_state *state = get_zstd_state(env);
  if (state == NULL) return throw_error(env, "ERR_VIGIL_ZSTD", "zstdDecompress: no zstd state");
  if (state->decompress == NULL && (state->decompress = ZSTD_createDCtx()) == NULL) {
    return throw_error(env, "ERR_VIGIL_OUT_OF_MEMORY", "zstdDecompress: cannot make a context");
  }
  size_t size = (size_t)expected;
  void *out;
  napi_value result;
  /* The output is exactly the size the caller recorded: a frame that decodes to more fails
     with "Destination buffer is too small" instead of growing anything. */
  if (napi_create_buffer(env, size, &out, &result) != napi_ok) return NULL;
  size_t got = ZSTD_decompressDCtx(state->decompress, out, size, frame.data, frame.length);
  if (ZSTD_isError(got)) return throw_error(env, "ERR_VIGIL_ZSTD", ZSTD_getErrorName(got));
  if (got != size) return throw_error(env, "ERR_VIGIL_ZSTD", "frame decodes to fewer bytes than recorded");
  return result;
}
#endif

static int export_named(napi_env env, napi_value exports, const char *name, napi_callback callback) {
  napi_value fn;
  return napi_create_function(env, name, NAPI_AUTO_LENGTH, callback, NULL, &fn) == napi_ok &&
         napi_set_named_property(env, exports, name, fn) == napi_ok;
}

int export_repo_codec(napi_env env, napi_value exports) {
#ifdef VIGIL_BLAKE3
  if (!export_named(env, exports, "blake3Keyed", blake3_keyed)) return 0;
#endif
#ifdef VIGIL_ZSTD
  zstd_state *state = calloc(1, sizeof *state);
  if (state == NULL || napi_set_instance_data(env, state, free_zstd_state, NULL) != napi_ok) {
    free(state);
    return 0;
  }
  napi_value version;
  if (!export_named(env, exports, "zstdCompress", zstd_compress) ||
      !export_named(env, exports, "zstdDecompress", zstd_decompress) ||
      napi_create_string_utf8(env, ZSTD_versionString(), NAPI_AUTO_LENGTH, &version) != napi_ok ||
      napi_set_named_property(env, exports, "zstd", version) != napi_ok) {
    return 0;
  }
#endif
  /* Built with neither BLAKE3 nor libzstd, this file exports nothing: keep -Werror quiet. */
  (void)env, (void)exports, (void)export_named;
  return 1;
}
