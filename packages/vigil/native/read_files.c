/*
 * vigil's native batch reader: reads (or reads and hashes) many files in one call from a
 * hashing worker.
 *
 * Why native: in a worker, reading one small file through node:fs costs six calls from
 * JavaScript into C++ (open, fstat, read, fstat, close, plus the Stats objects they build),
 * about 12 us a file; the same system calls made here cost about 2.5 us. readFiles leaves the
 * hashing to JavaScript (BLAKE3 and xxh3 come from native packages that take a view of the
 * arena); hashFiles also hashes here, with the OpenSSL inside Node (SHA-2, SHA-1, MD5).
 *
 * readFiles(paths, flags, cursor, arena, records, deferAbove[, afterRead[, stats]])
 *   paths     Uint8Array: every path followed by a NUL byte (batch-protocol.ts's encoding)
 *   flags     Uint8Array: one byte per path; bit 1 follow symlinks, bit 2 read even if hard-linked
 *   cursor    Uint32Array [index, byte position in paths]: where to start; updated on return
 *   arena     Uint8Array: file contents are read into it back to back
 *   records   Float64Array: RECORD_SLOTS numbers per path, indexed by path number
 *   deferAbove  a regular file bigger than this is not read (TOO_BIG)
 *   afterRead   optional function(index), called between a file's read and its second fstat
 *               (the test seam that makes a file change while it is read); undefined for none
 *   stats     optional BigInt64Array, STAT_SLOTS numbers per path: for each file READ, its
 *             st_mode, st_size, mtime and ctime in nanoseconds, and st_ino (what a backup records)
 * It returns when every path is done; when the next file does not fit in what is left of the
 * arena (the caller hashes what was read and calls again with the arena free); or right after
 * a LARGE file, so the caller reads that one, and checks its byte budget, before going on.
 *
 * Every check the JavaScript reader (src/scan/read-file.ts) makes is made here the same way:
 * open with O_NOFOLLOW unless following (stat first then, so a device is never opened), and
 * O_NONBLOCK so a file swapped for a FIFO does not hang; not regular, hard-linked and big
 * files are handed back unread; a file whose size, mtime or ctime moved while it was read,
 * or that did not read back its full size, is CHANGED, never READ.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <node_api.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* What happened to a path; the record's other slots depend on it. Mirrored in native-reader.ts. */
enum outcome {
  READ = 0,        /* slot 1: offset in the arena, slot 2: size */
  FAILED = 1,      /* slot 1: errno */
  NOT_REGULAR = 2, /* slot 1: st_mode */
  TOO_BIG = 3,     /* slot 2: size */
  LINKED = 4,      /* slot 1: st_dev, slot 2: st_ino, slot 3: st_nlink */
  CHANGED = 5,     /* nothing more */
  LARGE = 6,       /* slot 1: byte position of its path, slot 2: size; bigger than the arena: the caller reads it */
};
#define RECORD_SLOTS 4
#define STAT_SLOTS 5
#define FLAG_FOLLOW 1
#define FLAG_READ_LINKED 2

typedef struct {
  void *data;
  size_t length; /* in elements */
} view;

static int get_view(napi_env env, napi_value value, napi_typedarray_type want, view *out) {
  napi_typedarray_type type;
  napi_value buffer;
  size_t offset;
  if (napi_get_typedarray_info(env, value, &type, &out->length, &out->data, &buffer, &offset) != napi_ok) return 0;
  return type == want;
}

static napi_value throw_usage(napi_env env, const char *message) {
  napi_throw_type_error(env, NULL, message);
  return NULL;
}

static int same_state(const struct stat *a, const struct stat *b) {
  return a->st_size == b->st_size && a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
         a->st_mtim.tv_nsec == b->st_mtim.tv_nsec && a->st_ctim.tv_sec == b->st_ctim.tv_sec &&
         a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

/* Reads exactly `want` bytes unless the file ends first; returns bytes read, or -1 with errno. */
static ssize_t read_fully(int fd, uint8_t *into, size_t want) {
  size_t got = 0;
  while (got < want) {
    ssize_t n = read(fd, into + got, want - got);
    if (n < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    if (n == 0) break;
    got += (size_t)n;
  }
  return (ssize_t)got;
}

/* Calls the test hook, if any, with the path's index; 0 if it threw (its exception is pending). */
static int call_after_read(napi_env env, napi_value after_read, uint32_t index) {
  if (after_read == NULL) return 1;
  napi_value global, argument, ignored;
  napi_get_global(env, &global);
  napi_create_uint32(env, index, &argument);
  return napi_call_function(env, global, after_read, 1, &argument, &ignored) == napi_ok;
}

/*
 * Opens one path as the readers must (see the top of this file) and classifies it. Returns
 * an open descriptor of a regular file that is to be read, with `before` filled; or -1 with
 * the record written (FAILED, NOT_REGULAR, LINKED or TOO_BIG) and nothing left open.
 */
static int open_checked(const char *path, uint8_t flags, double defer_above, struct stat *before, double *rec) {
  int follow = flags & FLAG_FOLLOW;
  if (follow) {
    if (stat(path, before) != 0) {
      rec[0] = FAILED, rec[1] = errno;
      return -1;
    }
    if (!S_ISREG(before->st_mode)) {
      rec[0] = NOT_REGULAR, rec[1] = before->st_mode;
      return -1;
    }
  }
  int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW));
  if (fd < 0) {
    rec[0] = FAILED, rec[1] = errno;
    return -1;
  }
  if (fstat(fd, before) != 0) {
    rec[0] = FAILED, rec[1] = errno;
  } else if (!S_ISREG(before->st_mode)) {
    rec[0] = NOT_REGULAR, rec[1] = before->st_mode;
  } else if (!(flags & FLAG_READ_LINKED) && before->st_nlink > 1) {
    rec[0] = LINKED, rec[1] = (double)before->st_dev, rec[2] = (double)before->st_ino, rec[3] = before->st_nlink;
  } else if ((double)before->st_size > defer_above) {
    rec[0] = TOO_BIG, rec[2] = (double)before->st_size;
  } else {
    return fd;
  }
  close(fd);
  return -1;
}

/* The common arguments of both functions. */
typedef struct {
  view paths, flags, cursor, arena, records;
  double defer_above;
  napi_value after_read;
} batch_args;

static int get_batch_args(napi_env env, napi_value *argv, size_t argc, batch_args *a) {
  if (!get_view(env, argv[0], napi_uint8_array, &a->paths) || !get_view(env, argv[1], napi_uint8_array, &a->flags) ||
      !get_view(env, argv[2], napi_uint32_array, &a->cursor) || a->cursor.length < 2 ||
      !get_view(env, argv[3], napi_uint8_array, &a->arena) || a->arena.length == 0 ||
      !get_view(env, argv[4], napi_float64_array, &a->records) ||
      napi_get_value_double(env, argv[5], &a->defer_above) != napi_ok) {
    throw_usage(env, "wrong argument types");
    return 0;
  }
  if (a->records.length < a->flags.length * RECORD_SLOTS) {
    throw_usage(env, "records too short");
    return 0;
  }
  a->after_read = NULL;
  if (argc >= 7) {
    napi_valuetype type;
    napi_typeof(env, argv[6], &type);
    if (type == napi_function) a->after_read = argv[6];
  }
  return 1;
}

/* The next path at `position`, or NULL (and an exception) if `paths` has no NUL-terminated one there. */
static const char *next_path(napi_env env, const view *paths, size_t position, size_t *next_position) {
  const uint8_t *bytes = paths->data;
  const uint8_t *end = position < paths->length ? memchr(bytes + position, 0, paths->length - position) : NULL;
  if (end == NULL) {
    throw_usage(env, "fewer NUL-terminated paths than flags");
    return NULL;
  }
  *next_position = (size_t)(end - bytes) + 1;
  return (const char *)bytes + position;
}

static void put_stats(int64_t *st, const struct stat *s) {
  st[0] = s->st_mode;
  st[1] = s->st_size;
  st[2] = (int64_t)s->st_mtim.tv_sec * 1000000000 + s->st_mtim.tv_nsec;
  st[3] = (int64_t)s->st_ctim.tv_sec * 1000000000 + s->st_ctim.tv_nsec;
  st[4] = (int64_t)s->st_ino;
}

static napi_value read_files(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value argv[8];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 6) {
    return throw_usage(env, "readFiles(paths, flags, cursor, arena, records, deferAbove[, afterRead[, stats]])");
  }
  batch_args a;
  if (!get_batch_args(env, argv, argc, &a)) return NULL;
  int64_t *stat_out = NULL;
  if (argc >= 8) {
    napi_valuetype type;
    napi_typeof(env, argv[7], &type);
    if (type != napi_undefined) {
      view stats;
      if (!get_view(env, argv[7], napi_bigint64_array, &stats) || stats.length < a.flags.length * STAT_SLOTS) {
        return throw_usage(env, "readFiles: stats must be a BigInt64Array of STAT_SLOTS per path");
      }
      stat_out = stats.data;
    }
  }

  const uint8_t *flag_bytes = a.flags.data;
  uint32_t *cur = a.cursor.data;
  uint8_t *arena_bytes = a.arena.data;
  uint32_t index = cur[0];
  size_t position = cur[1];
  size_t used = 0;

  for (; index < a.flags.length; index++) {
    size_t next_position;
    const char *path = next_path(env, &a.paths, position, &next_position);
    if (path == NULL) return NULL;
    double *rec = (double *)a.records.data + (size_t)index * RECORD_SLOTS;
    struct stat before, after;
    int fd = open_checked(path, flag_bytes[index], a.defer_above, &before, rec);
    if (fd < 0) {
      position = next_position;
      continue;
    }
    if ((size_t)before.st_size > a.arena.length) {
      rec[0] = LARGE, rec[1] = (double)position, rec[2] = (double)before.st_size;
      close(fd);
      position = next_position;
      index++;
      break;
    } else if (used + (size_t)before.st_size > a.arena.length) {
      close(fd);
      break; /* the arena is full: this path is first in the next call */
    } else {
      ssize_t got = read_fully(fd, arena_bytes + used, (size_t)before.st_size);
      if (got < 0) {
        rec[0] = FAILED, rec[1] = errno;
      } else if (!call_after_read(env, a.after_read, index)) {
        close(fd);
        return NULL; /* the hook threw: its exception goes to the caller */
      } else if (fstat(fd, &after) != 0) {
        rec[0] = FAILED, rec[1] = errno;
      } else if ((size_t)got != (size_t)before.st_size || !same_state(&before, &after)) {
        rec[0] = CHANGED;
      } else {
        rec[0] = READ, rec[1] = (double)used, rec[2] = (double)got;
        used += (size_t)got;
        if (stat_out != NULL) put_stats(stat_out + (size_t)index * STAT_SLOTS, &before);
      }
    }
    close(fd);
    position = next_position;
  }
  cur[0] = index;
  cur[1] = (uint32_t)position;
  return NULL;
}

/*
 * hashFiles(paths, flags, cursor, arena, records, deferAbove, afterRead, algorithm, digests, byteBudget)
 * Like readFiles, but hashes each file here with OpenSSL (the copy inside Node, whose EVP
 * functions every Node addon can call): `algorithm` is an OpenSSL digest name ("SHA256",
 * "SHA512", "SHA1", "MD5"); the digest of path i goes to digests at i x its length. Files of
 * any size stream through the arena, so there is no LARGE; a READ record has its size in
 * slot 2 (slot 1 is unused). It returns when every path is done, or before starting a file
 * once it has hashed byteBudget bytes (the cursor says where: the caller sends the rest on).
 */
static napi_value hash_files(napi_env env, napi_callback_info info) {
  size_t argc = 10;
  napi_value argv[10];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 10) {
    return throw_usage(env,
                       "hashFiles(paths, flags, cursor, arena, records, deferAbove, afterRead, algorithm, digests, "
                       "byteBudget)");
  }
  batch_args a;
  if (!get_batch_args(env, argv, argc, &a)) return NULL;
  char name[16];
  size_t name_length;
  view digests;
  double budget;
  if (napi_get_value_string_utf8(env, argv[7], name, sizeof name, &name_length) != napi_ok ||
      !get_view(env, argv[8], napi_uint8_array, &digests) || napi_get_value_double(env, argv[9], &budget) != napi_ok) {
    return throw_usage(env, "hashFiles: algorithm must be a string, digests a Uint8Array and byteBudget a number");
  }
  EVP_MD *md = EVP_MD_fetch(NULL, name, NULL);
  if (md == NULL) return throw_usage(env, "hashFiles: unknown algorithm");
  size_t digest_length = (size_t)EVP_MD_get_size(md);
  if (digests.length < a.flags.length * digest_length) {
    EVP_MD_free(md);
    return throw_usage(env, "hashFiles: digests too short");
  }
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  if (ctx == NULL) {
    EVP_MD_free(md);
    return throw_usage(env, "hashFiles: out of memory");
  }

  const uint8_t *flag_bytes = a.flags.data;
  uint32_t *cur = a.cursor.data;
  uint8_t *arena_bytes = a.arena.data;
  uint8_t *digest_bytes = digests.data;
  uint32_t index = cur[0];
  size_t position = cur[1];
  napi_value result = NULL;
  int ok = 1;
  double hashed = 0;

  for (; ok && index < a.flags.length && hashed < budget; index++) {
    size_t next_position;
    const char *path = next_path(env, &a.paths, position, &next_position);
    if (path == NULL) {
      ok = 0;
      break;
    }
    double *rec = (double *)a.records.data + (size_t)index * RECORD_SLOTS;
    struct stat before, after;
    int fd = open_checked(path, flag_bytes[index], a.defer_above, &before, rec);
    position = next_position;
    if (fd < 0) continue;
    size_t want = (size_t)before.st_size, total = 0;
    int err = 0;
    EVP_DigestInit_ex2(ctx, md, NULL);
    /* Stop at the size fstat gave: a file that grew meanwhile shows in the second fstat. */
    while (total < want) {
      size_t piece = want - total < a.arena.length ? want - total : a.arena.length;
      ssize_t got = read_fully(fd, arena_bytes, piece);
      if (got < 0) {
        err = errno;
        break;
      }
      if (got == 0) break;
      EVP_DigestUpdate(ctx, arena_bytes, (size_t)got);
      total += (size_t)got;
      if ((size_t)got < piece) break;
    }
    if (err) {
      rec[0] = FAILED, rec[1] = err;
    } else if (!call_after_read(env, a.after_read, index)) {
      ok = 0; /* the hook threw: its exception goes to the caller */
    } else if (fstat(fd, &after) != 0) {
      rec[0] = FAILED, rec[1] = errno;
    } else if (total != want || !same_state(&before, &after)) {
      rec[0] = CHANGED;
    } else {
      EVP_DigestFinal_ex(ctx, digest_bytes + (size_t)index * digest_length, NULL);
      rec[0] = READ, rec[2] = (double)total;
      hashed += (double)total;
    }
    close(fd);
  }
  EVP_MD_CTX_free(ctx);
  EVP_MD_free(md);
  if (!ok) return result;
  cur[0] = index;
  cur[1] = (uint32_t)position;
  return result;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  if (napi_create_function(env, "readFiles", NAPI_AUTO_LENGTH, read_files, NULL, &fn) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "readFiles", fn) != napi_ok) return NULL;
  if (napi_create_function(env, "hashFiles", NAPI_AUTO_LENGTH, hash_files, NULL, &fn) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "hashFiles", fn) != napi_ok) return NULL;
  return exports;
}
