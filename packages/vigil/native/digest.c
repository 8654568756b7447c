/*
 * The digests hashFiles computes, behind one shape: OpenSSL's (EVP: "SHA256", "SHA512",
 * "SHA1", "MD5", ...) and, when the addon was built with BLAKE3's C sources (VIGIL_BLAKE3:
 * see binding.gyp), "BLAKE3" with its run-time SIMD dispatch. A digest is opened once per
 * call, started and finished once per file, and closed when the call ends.
 */
#include <string.h>

#include "vigil.h"

int digest_open(napi_env env, napi_value name_value, digest *d) {
  char name[32];
  size_t length;
  memset(d, 0, sizeof *d);
  if (napi_get_value_string_utf8(env, name_value, name, sizeof name, &length) != napi_ok) {
    throw_type_error(env, "hashFiles: algorithm must be a string");
    return 0;
  }
  if (length >= sizeof name - 1) {
    throw_error(env, "ERR_VIGIL_UNKNOWN_DIGEST", "hashFiles: unknown algorithm (its name is too long)");
    return 0;
  }
#ifdef VIGIL_BLAKE3
  if (strcmp(name, "BLAKE3") == 0) {
    d->length = BLAKE3_OUT_LEN;
    return 1;
  }
#endif
  d->md = EVP_MD_fetch(NULL, name, NULL);
  if (d->md == NULL) {
    throw_error(env, "ERR_VIGIL_UNKNOWN_DIGEST", "hashFiles: unknown algorithm");
    return 0;
  }
  int size = EVP_MD_get_size(d->md);
  d->ctx = size > 0 ? EVP_MD_CTX_new() : NULL;
  if (d->ctx == NULL) {
    digest_close(d);
    throw_error(env, "ERR_VIGIL_OUT_OF_MEMORY", "hashFiles: cannot make a digest context");
    return 0;
  }
  d->length = (size_t)size;
  return 1;
}

int digest_start(digest *d) {
  if (d->md != NULL) return EVP_DigestInit_ex2(d->ctx, d->md, NULL) == 1;
#ifdef VIGIL_BLAKE3
  blake3_hasher_init(&d->blake3);
#endif
  return 1;
}

int digest_update(void *context, const uint8_t *bytes, size_t length) {
  digest *d = context;
  if (d->md != NULL) return EVP_DigestUpdate(d->ctx, bytes, length) == 1;
#ifdef VIGIL_BLAKE3
  blake3_hasher_update(&d->blake3, bytes, length);
#endif
  return 1;
}

int digest_finish(digest *d, uint8_t *out) {
  if (d->md != NULL) return EVP_DigestFinal_ex(d->ctx, out, NULL) == 1;
#ifdef VIGIL_BLAKE3
  blake3_hasher_finalize(&d->blake3, out, BLAKE3_OUT_LEN);
#endif
  return 1;
}

void digest_close(digest *d) {
  EVP_MD_CTX_free(d->ctx);
  EVP_MD_free(d->md);
  d->ctx = NULL, d->md = NULL;
}
