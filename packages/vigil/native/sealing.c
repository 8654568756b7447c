/*
 * Repository format 2's sealed blobs (docs/format-v2-crypto.md, src/repo/sealer.ts) in C:
 * AES-256-GCM through OpenSSL's EVP, the OpenSSL node:crypto uses (node exports its symbols).
 * The layout is sealer.ts's: nonce (12 bytes) || ciphertext || tag (16 bytes).
 *
 *   sealBlob(key, nonce, plain, aad) -> Buffer   nonce || AES-256-GCM(key, nonce, plain, aad) || tag
 *   openBlob(key, sealed, aad) -> Buffer | null  the plaintext, or null when the tag does not
 *                                                check (nothing of the plaintext is returned)
 *
 * Why in C: node:crypto's Cipheriv is an object per blob, a Buffer per update and a copy into
 * the result; a restore of /usr/share opens 49k blobs per run and spent about 0.25 s of each
 * worker's time there. Here it is one call, and the output is written where it stays.
 */
#include <string.h>

#include "vigil.h"

#define KEY_BYTES 32
#define NONCE_BYTES 12
#define TAG_BYTES 16

/*
 * One context per thread and direction, kept with its key: setting up a context (OpenSSL 3
 * fetches the cipher from its provider, expands the key, builds GHASH's table) cost more than
 * sealing a 4 KiB blob, and a repository's blobs share one key. Freed when the thread's
 * environment ends (a worker's exit).
 */
typedef struct {
  EVP_CIPHER_CTX *ctx;
  uint8_t key[KEY_BYTES];
} keyed_context;

static __thread keyed_context contexts[2];
static __thread int cleanup_registered;

static void free_contexts(void *unused) {
  (void)unused;
  for (int i = 0; i < 2; i++) {
    EVP_CIPHER_CTX_free(contexts[i].ctx);
    contexts[i].ctx = NULL;
    OPENSSL_cleanse(contexts[i].key, KEY_BYTES);
  }
  cleanup_registered = 0;
}

/* This thread's context for `encrypt`, keyed with `key`, ready for a nonce; NULL on failure. */
static EVP_CIPHER_CTX *context_for(napi_env env, int encrypt, const uint8_t *key) {
  keyed_context *kc = &contexts[encrypt ? 1 : 0];
  if (kc->ctx != NULL && memcmp(kc->key, key, KEY_BYTES) == 0) return kc->ctx;
  if (!cleanup_registered && napi_add_env_cleanup_hook(env, free_contexts, NULL) == napi_ok) cleanup_registered = 1;
  if (kc->ctx == NULL) {
    EVP_CIPHER *cipher = EVP_CIPHER_fetch(NULL, "AES-256-GCM", NULL);
    kc->ctx = EVP_CIPHER_CTX_new();
    int ok = cipher != NULL && kc->ctx != NULL && EVP_CipherInit_ex(kc->ctx, cipher, NULL, NULL, NULL, encrypt) == 1 &&
             EVP_CIPHER_CTX_ctrl(kc->ctx, EVP_CTRL_GCM_SET_IVLEN, NONCE_BYTES, NULL) == 1;
    EVP_CIPHER_free(cipher); /* the context holds its own reference */
    if (!ok) {
      EVP_CIPHER_CTX_free(kc->ctx);
      kc->ctx = NULL;
      return NULL;
    }
  }
  if (EVP_CipherInit_ex(kc->ctx, NULL, NULL, key, NULL, encrypt) != 1) return NULL;
  memcpy(kc->key, key, KEY_BYTES);
  return kc->ctx;
}

/* Runs one AES-256-GCM pass over `in` into `out` (encrypting when `encrypt`), with the tag read
   from or written to `tag`. Returns 1, or 0 when OpenSSL failed (or the tag did not check). */
static int gcm(napi_env env, int encrypt, const uint8_t *key, const uint8_t *nonce, const view *aad,
               const uint8_t *in, size_t length, uint8_t *out, uint8_t *tag) {
  EVP_CIPHER_CTX *ctx = context_for(env, encrypt, key);
  if (ctx == NULL) return 0;
  int ok = EVP_CipherInit_ex(ctx, NULL, NULL, NULL, nonce, encrypt) == 1;
  int written = 0;
  if (ok && aad->length > 0) ok = EVP_CipherUpdate(ctx, NULL, &written, aad->data, (int)aad->length) == 1;
  /* In pieces that fit an int, as EVP counts. */
  for (size_t at = 0; ok && at < length;) {
    size_t piece = length - at < (1u << 30) ? length - at : (1u << 30);
    ok = EVP_CipherUpdate(ctx, out + at, &written, in + at, (int)piece) == 1;
    at += piece;
  }
  if (ok && !encrypt) ok = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, TAG_BYTES, tag) == 1;
  if (ok) ok = EVP_CipherFinal_ex(ctx, out + length, &written) == 1;
  if (ok && encrypt) ok = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, TAG_BYTES, tag) == 1;
  return ok;
}

static napi_value seal_blob(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  view key, nonce, plain, aad;
  if (!get_args(env, info, 4, argv) || !get_view(env, argv[0], napi_uint8_array, &key) ||
      !get_view(env, argv[1], napi_uint8_array, &nonce) || !get_view(env, argv[2], napi_uint8_array, &plain) ||
      !get_view(env, argv[3], napi_uint8_array, &aad) || key.length != KEY_BYTES || nonce.length != NONCE_BYTES ||
      aad.length > (1u << 20)) {
    return throw_type_error(env,
                            "sealBlob(key: 32 bytes, nonce: 12 bytes, plain: Uint8Array, aad: Uint8Array up to 1 MiB)");
  }
  void *data;
  napi_value result;
  if (napi_create_buffer(env, NONCE_BYTES + plain.length + TAG_BYTES, &data, &result) != napi_ok) return NULL;
  uint8_t *out = data;
  memcpy(out, nonce.data, NONCE_BYTES);
  if (!gcm(env, 1, key.data, nonce.data, &aad, plain.data, plain.length, out + NONCE_BYTES,
           out + NONCE_BYTES + plain.length)) {
    return throw_error(env, "ERR_VIGIL_SEAL", "sealBlob: OpenSSL's AES-256-GCM failed");
  }
  return result;
}

static napi_value open_blob(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  view key, sealed, aad;
  if (!get_args(env, info, 3, argv) || !get_view(env, argv[0], napi_uint8_array, &key) ||
      !get_view(env, argv[1], napi_uint8_array, &sealed) || !get_view(env, argv[2], napi_uint8_array, &aad) ||
      key.length != KEY_BYTES || sealed.length < NONCE_BYTES + TAG_BYTES || aad.length > (1u << 20)) {
    return throw_type_error(env,
                            "openBlob(key: 32 bytes, sealed: at least 28 bytes, aad: Uint8Array up to 1 MiB)");
  }
  const uint8_t *in = sealed.data;
  size_t length = sealed.length - NONCE_BYTES - TAG_BYTES;
  /* The tag is copied out: EVP takes it as writable, and `sealed` is the caller's. */
  uint8_t tag[TAG_BYTES];
  memcpy(tag, in + NONCE_BYTES + length, TAG_BYTES);
  void *data;
  napi_value result;
  if (napi_create_buffer(env, length, &data, &result) != napi_ok) return NULL;
  if (!gcm(env, 0, key.data, in, &aad, in + NONCE_BYTES, length, data, tag)) {
    /* Nothing of what was decrypted leaves: the Buffer is wiped and dropped. */
    memset(data, 0, length);
    return null_value(env);
  }
  return result;
}

int export_sealing(napi_env env, napi_value exports) {
  napi_value seal, open;
  return napi_create_function(env, "sealBlob", NAPI_AUTO_LENGTH, seal_blob, NULL, &seal) == napi_ok &&
         napi_set_named_property(env, exports, "sealBlob", seal) == napi_ok &&
         napi_create_function(env, "openBlob", NAPI_AUTO_LENGTH, open_blob, NULL, &open) == napi_ok &&
         napi_set_named_property(env, exports, "openBlob", open) == napi_ok;
}
