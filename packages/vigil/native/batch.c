/*
 * The batch entry points: each takes many paths and does their system calls in one call
 * from a worker (through node:fs, one small file costs six calls into C++ and the objects
 * they build, about 12 us; here about 3 us). All share the argument layout of `batch` in
 * vigil.h and the cursor protocol: they start at cursor = [index, byte position in paths],
 * write one record per path, and leave the cursor where they stopped. That loop is
 * batch_loop.c's; each entry point here is the work it does on one path.
 *
 *   readFiles(paths, flags, bases, cursor, arena, records, stats, deferAbove)
 *     reads files whole into the arena, back to back. Returns when every path is done; when
 *     the next file does not fit what is left of the arena (the caller takes what was read
 *     and calls again); or right after a LARGE file (bigger than the whole arena), which is
 *     left open for the caller to stream, with its descriptor in the record.
 *   hashFiles(paths, flags, bases, cursor, arena, records, stats, deferAbove, algorithm, digests, byteBudget[, reading])
 *     reads and hashes with the OpenSSL inside Node (EVP; "SHA256", "SHA512", "SHA1", "MD5") or,
 *     when built in, BLAKE3's C code ("BLAKE3"; see digest.c),
 *     streaming files of any size through the arena (no LARGE): the digest of path i goes to
 *     digests at i x digest length. Stops before starting a file once byteBudget is hashed.
 *     `reading` (a BigInt64Array of one, in shared memory) counts the pieces of a file longer
 *     than the arena as they are read, for the progress bar (src/fs/reading-bytes.ts): a file
 *     read whole leaves its size there for the caller to take off; a failed one takes its own.
 *   statFiles(paths, flags, bases, cursor, arena, records, stats)
 *     lstat beneath the root (never following the last component); a symlink's target is
 *     read into the arena (READ, slot 1 offset, slot 2 length). Stops when a target does
 *     not fit what is left of the arena.
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "vigil.h"

/* readFiles: the arena is filled from the front. */
typedef struct {
  double defer_above;
  size_t used; /* bytes of the arena taken */
} read_job;

static entry_step read_one(void *context, const batch *b, resolver *r, const batch_entry *e) {
  read_job *job = context;
  double *record = e->record;
  struct stat before;
  int fd = open_entry(r, e->path, e->base, e->flags, job->defer_above, &before, record);
  if (fd < 0) return ENTRY_DONE;
  if ((size_t)before.st_size > b->arena.length) {
    record[0] = LARGE, record[1] = fd, record[2] = (double)before.st_size;
    put_stats(b, e->index, &before);
    return ENTRY_LAST;
  }
  if (job->used + (size_t)before.st_size > b->arena.length) {
    close(fd);
    return ENTRY_NEXT_CALL; /* the arena is full */
  }
  size_t total;
  if (read_verified(fd, &before, (uint8_t *)b->arena.data + job->used, (size_t)before.st_size, NULL, NULL, record,
                    &total) == 1) {
    record[0] = READ, record[1] = (double)job->used, record[2] = (double)total;
    put_stats(b, e->index, &before);
    job->used += total;
  }
  close(fd);
  return ENTRY_DONE;
}

napi_value read_files(napi_env env, napi_callback_info info) {
  napi_value argv[8];
  batch b;
  read_job job = {.used = 0};
  if (!begin_batch(env, info, 8, argv, &b, &job.defer_above,
                   "readFiles(paths, flags, bases, cursor, arena, records, stats, deferAbove)")) {
    return NULL;
  }
  for_each_entry(env, &b, read_one, &job);
  return NULL;
}

/* hashFiles: the arena is the buffer every file streams through. */
typedef struct {
  double defer_above, budget;
  double hashed; /* bytes */
  digest d;
  uint8_t *digests;
  int64_t *reading; /* NULL, or the shared count of bytes read of files not yet finished */
  int64_t counted;  /* of this file, added to *reading */
} hash_job;

/* A chunk_sink: hashes a piece, then counts it where the main thread's bar reads it. */
static int hash_and_count(void *context, const uint8_t *bytes, size_t length) {
  hash_job *job = context;
  if (!digest_update(&job->d, bytes, length)) return 0;
  __atomic_fetch_add(job->reading, (int64_t)length, __ATOMIC_RELAXED);
  job->counted += (int64_t)length;
  return 1;
}

static entry_step hash_one(void *context, const batch *b, resolver *r, const batch_entry *e) {
  hash_job *job = context;
  if (job->hashed >= job->budget) return ENTRY_NEXT_CALL; /* the budget is spent before this file starts */
  double *record = e->record;
  struct stat before;
  int fd = open_entry(r, e->path, e->base, e->flags, job->defer_above, &before, record);
  if (fd < 0) return ENTRY_DONE;
  size_t total;
  int read = -1;
  /* Only files read in more than one piece are counted while read: a smaller one is done at once. */
  int counting = job->reading != NULL && (size_t)before.st_size > b->arena.length;
  job->counted = 0;
  if (digest_start(&job->d)) {
    read = counting ? read_verified(fd, &before, b->arena.data, b->arena.length, hash_and_count, job, record, &total)
                    : read_verified(fd, &before, b->arena.data, b->arena.length, digest_update, &job->d, record, &total);
  }
  close(fd);
  if (read != 1 && job->counted != 0) __atomic_fetch_sub(job->reading, job->counted, __ATOMIC_RELAXED);
  if (read == 1) {
    if (!digest_finish(&job->d, job->digests + (size_t)e->index * job->d.length)) read = -1;
    record[0] = READ, record[2] = (double)total;
    put_stats(b, e->index, &before);
    job->hashed += (double)total;
  }
  return read == -1 ? ENTRY_FAILED : ENTRY_DONE;
}

/* hashFiles' optional twelfth argument: NULL when absent or undefined, else its count (1 if well-formed). */
static int get_reading(napi_env env, napi_callback_info info, int64_t **reading) {
  napi_value argv[12];
  size_t argc = 12;
  *reading = NULL;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return 0;
  if (argc < 12) return 1;
  napi_valuetype type;
  if (napi_typeof(env, argv[11], &type) != napi_ok) return 0;
  if (type == napi_undefined) return 1;
  view counter;
  if (!get_view(env, argv[11], napi_bigint64_array, &counter) || counter.length < 1) return 0;
  *reading = counter.data;
  return 1;
}

napi_value hash_files(napi_env env, napi_callback_info info) {
  napi_value argv[11];
  batch b;
  view digests;
  hash_job job = {.hashed = 0};
  if (!begin_batch(env, info, 11, argv, &b, &job.defer_above,
                   "hashFiles(paths, flags, bases, cursor, arena, records, stats, deferAbove, algorithm, digests, "
                   "byteBudget)")) {
    return NULL;
  }
  if (!get_view(env, argv[9], napi_uint8_array, &digests) || !get_number(env, argv[10], &job.budget)) {
    return throw_type_error(env, "hashFiles: digests must be a Uint8Array and byteBudget a number");
  }
  if (!get_reading(env, info, &job.reading)) {
    return throw_type_error(env, "hashFiles: reading must be a BigInt64Array of one (or undefined)");
  }
  if (!digest_open(env, argv[8], &job.d)) return NULL;
  if (digests.length < b.flags.length * job.d.length) {
    digest_close(&job.d);
    return throw_type_error(env, "hashFiles: digests too short");
  }
  job.digests = digests.data;
  int hashed = for_each_entry(env, &b, hash_one, &job);
  digest_close(&job.d);
  if (!hashed) return throw_error(env, "ERR_VIGIL_DIGEST", "hashFiles: the digest failed to hash");
  return NULL;
}

/* statFiles: link targets fill the arena from the front. */
static entry_step stat_one(void *context, const batch *b, resolver *r, const batch_entry *e) {
  size_t *used = context;
  double *record = e->record;
  char *arena = b->arena.data;
  /* A followed path (an operand) is stat'ed through its links; nothing is opened either way. */
  int follow = e->flags & FLAG_FOLLOW;
  const char *name = e->path;
  int parent = follow ? AT_FDCWD : resolve_parent(r, e->path, e->base, &name);
  struct stat st;
  if (!follow && parent < 0) {
    record[0] = FAILED, record[1] = -parent;
  } else if (fstatat(parent, name, &st, follow ? 0 : AT_SYMLINK_NOFOLLOW) != 0) {
    record[0] = FAILED, record[1] = errno;
  } else if (S_ISLNK(st.st_mode) && *used + PATH_MAX > b->arena.length && *used > 0) {
    return ENTRY_NEXT_CALL; /* a target (at most PATH_MAX) may not fit what is left */
  } else {
    record[0] = READ, record[1] = (double)*used, record[2] = 0;
    put_stats(b, e->index, &st);
    if (S_ISLNK(st.st_mode)) {
      ssize_t n = readlinkat(parent, name, arena + *used, b->arena.length - *used);
      if (n < 0) {
        record[0] = FAILED, record[1] = errno;
      } else {
        record[2] = (double)n;
        *used += (size_t)n;
      }
    }
  }
  return ENTRY_DONE;
}

napi_value stat_files(napi_env env, napi_callback_info info) {
  size_t used = 0;
  run_batch_call(env, info, "statFiles(paths, flags, bases, cursor, arena, records, stats)", stat_one, &used);
  return NULL;
}
