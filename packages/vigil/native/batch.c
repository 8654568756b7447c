/*
 * The batch entry points: each takes many paths and does their system calls in one call
 * from a worker (through node:fs, one small file costs six calls into C++ and the objects
 * they build, about 12 us; here about 3 us). All share the argument layout of `batch` in
 * vigil.h and the cursor protocol: they start at cursor = [index, byte position in paths],
 * write one record per path, and leave the cursor where they stopped.
 *
 *   readFiles(paths, flags, bases, cursor, arena, records, stats, deferAbove)
 *     reads files whole into the arena, back to back. Returns when every path is done; when
 *     the next file does not fit what is left of the arena (the caller takes what was read
 *     and calls again); or right after a LARGE file (bigger than the whole arena), which is
 *     left open for the caller to stream, with its descriptor in the record.
 *   hashFiles(paths, flags, bases, cursor, arena, records, stats, deferAbove, algorithm, digests, byteBudget)
 *     reads and hashes with the OpenSSL inside Node (EVP; "SHA256", "SHA512", "SHA1", "MD5") or,
 *     when built in, BLAKE3's C code ("BLAKE3"; see digest.c),
 *     streaming files of any size through the arena (no LARGE): the digest of path i goes to
 *     digests at i x digest length. Stops before starting a file once byteBudget is hashed.
 *   statFiles(paths, flags, bases, cursor, arena, records, stats)
 *     lstat beneath the root (never following the last component); a symlink's target is
 *     read into the arena (READ, slot 1 offset, slot 2 length). Stops when a target does
 *     not fit what is left of the arena.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "vigil.h"

double *record_of(const batch *b, uint32_t index) {
  return (double *)b->records.data + (size_t)index * RECORD_SLOTS;
}

static int get_number(napi_env env, napi_value value, double *out) {
  napi_valuetype type;
  if (napi_typeof(env, value, &type) != napi_ok || type != napi_number) return 0;
  return napi_get_value_double(env, value, out) == napi_ok;
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

void save_cursor(const batch *b, uint32_t index, size_t position) {
  uint32_t *cursor = b->cursor.data;
  cursor[0] = index;
  cursor[1] = (uint32_t)position;
}

napi_value read_files(napi_env env, napi_callback_info info) {
  napi_value argv[8];
  batch b;
  double defer_above;
  if (!begin_batch(env, info, 8, argv, &b, &defer_above,
             "readFiles(paths, flags, bases, cursor, arena, records, stats, deferAbove)")) {
    return NULL;
  }
  const uint8_t *flags = b.flags.data;
  const uint32_t *bases = b.bases.data;
  uint8_t *arena = b.arena.data;
  uint32_t index = ((uint32_t *)b.cursor.data)[0];
  size_t position = ((uint32_t *)b.cursor.data)[1];
  size_t used = 0;
  resolver r;
  resolver_init(&r);
  for (; index < b.flags.length; index++) {
    size_t next_position;
    const char *path = next_path(env, &b, position, &next_position);
    if (path == NULL) break;
    double *record = record_of(&b, index);
    struct stat before;
    int fd = open_entry(&r, path, bases[index], flags[index], defer_above, &before, record);
    if (fd >= 0 && (size_t)before.st_size > b.arena.length) {
      record[0] = LARGE, record[1] = fd, record[2] = (double)before.st_size;
      put_stats(&b, index, &before);
      position = next_position;
      index++;
      break;
    }
    if (fd >= 0 && used + (size_t)before.st_size > b.arena.length) {
      close(fd);
      break; /* the arena is full: this path is first in the next call */
    }
    if (fd >= 0) {
      size_t total;
      if (read_verified(fd, &before, arena + used, (size_t)before.st_size, NULL, NULL, record, &total) == 1) {
        record[0] = READ, record[1] = (double)used, record[2] = (double)total;
        put_stats(&b, index, &before);
        used += total;
      }
      close(fd);
    }
    position = next_position;
  }
  resolver_close(&r);
  save_cursor(&b, index, position);
  return NULL;
}

napi_value hash_files(napi_env env, napi_callback_info info) {
  napi_value argv[11];
  batch b;
  view digests;
  double defer_above, budget;
  if (!begin_batch(env, info, 11, argv, &b, &defer_above,
             "hashFiles(paths, flags, bases, cursor, arena, records, stats, deferAbove, algorithm, digests, "
             "byteBudget)")) {
    return NULL;
  }
  if (!get_view(env, argv[9], napi_uint8_array, &digests) || !get_number(env, argv[10], &budget)) {
    return throw_type_error(env, "hashFiles: digests must be a Uint8Array and byteBudget a number");
  }
  digest d;
  if (!digest_open(env, argv[8], &d)) return NULL;
  if (digests.length < b.flags.length * d.length) {
    digest_close(&d);
    return throw_type_error(env, "hashFiles: digests too short");
  }
  const uint8_t *flags = b.flags.data;
  const uint32_t *bases = b.bases.data;
  uint8_t *digest_bytes = digests.data;
  uint32_t index = ((uint32_t *)b.cursor.data)[0];
  size_t position = ((uint32_t *)b.cursor.data)[1];
  double hashed = 0;
  const char *failure = NULL;
  resolver r;
  resolver_init(&r);
  for (; index < b.flags.length && hashed < budget; index++) {
    size_t next_position;
    const char *path = next_path(env, &b, position, &next_position);
    if (path == NULL) break;
    position = next_position;
    double *record = record_of(&b, index);
    struct stat before;
    int fd = open_entry(&r, path, bases[index], flags[index], defer_above, &before, record);
    if (fd < 0) continue;
    size_t total;
    int read = -1;
    if (digest_start(&d)) {
      read = read_verified(fd, &before, b.arena.data, b.arena.length, digest_update, &d, record, &total);
    }
    close(fd);
    if (read == 1) {
      if (!digest_finish(&d, digest_bytes + (size_t)index * d.length)) read = -1;
      record[0] = READ, record[2] = (double)total;
      put_stats(&b, index, &before);
      hashed += (double)total;
    }
    if (read == -1) {
      failure = "hashFiles: the digest failed to hash";
      break;
    }
  }
  resolver_close(&r);
  digest_close(&d);
  if (failure != NULL) return throw_error(env, "ERR_VIGIL_DIGEST", failure);
  save_cursor(&b, index, position);
  return NULL;
}

napi_value stat_files(napi_env env, napi_callback_info info) {
  napi_value argv[7];
  batch b;
  if (!begin_batch(env, info, 7, argv, &b, NULL, "statFiles(paths, flags, bases, cursor, arena, records, stats)")) {
    return NULL;
  }
  const uint32_t *bases = b.bases.data;
  char *arena = b.arena.data;
  uint32_t index = ((uint32_t *)b.cursor.data)[0];
  size_t position = ((uint32_t *)b.cursor.data)[1];
  size_t used = 0;
  resolver r;
  resolver_init(&r);
  for (; index < b.flags.length; index++) {
    size_t next_position;
    const char *path = next_path(env, &b, position, &next_position);
    if (path == NULL) break;
    double *record = record_of(&b, index);
    /* A followed path (an operand) is stat'ed through its links; nothing is opened either way. */
    int follow = ((const uint8_t *)b.flags.data)[index] & FLAG_FOLLOW;
    const char *name = path;
    int parent = follow ? AT_FDCWD : resolve_parent(&r, path, bases[index], &name);
    struct stat st;
    if (!follow && parent < 0) {
      record[0] = FAILED, record[1] = -parent;
    } else if (fstatat(parent, name, &st, follow ? 0 : AT_SYMLINK_NOFOLLOW) != 0) {
      record[0] = FAILED, record[1] = errno;
    } else if (S_ISLNK(st.st_mode) && used + PATH_MAX > b.arena.length && used > 0) {
      break; /* a target (at most PATH_MAX) may not fit what is left: this path is first in the next call */
    } else {
      record[0] = READ, record[1] = (double)used, record[2] = 0;
      put_stats(&b, index, &st);
      if (S_ISLNK(st.st_mode)) {
        ssize_t n = readlinkat(parent, name, arena + used, b.arena.length - used);
        if (n < 0) {
          record[0] = FAILED, record[1] = errno;
        } else {
          record[2] = (double)n;
          used += (size_t)n;
        }
      }
    }
    position = next_position;
  }
  resolver_close(&r);
  save_cursor(&b, index, position);
  return NULL;
}
