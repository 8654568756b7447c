/*
 * vigil's native batch reader: reads many small files in one call from a hashing worker.
 *
 * Why native: in a worker, reading one small file through node:fs costs six calls from
 * JavaScript into C++ (open, fstat, read, fstat, close, plus the Stats objects they build),
 * about 17-26 us a file; the same system calls made here cost about 4 us. Hashing stays in
 * JavaScript (the digest libraries are native already and take a view of the arena).
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
 * It returns when every path is done, or when the next file does not fit in what is left of
 * the arena: the caller hashes what was read and calls again with the arena free.
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

static napi_value read_files(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value argv[8];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 6) {
    return throw_usage(env, "readFiles(paths, flags, cursor, arena, records, deferAbove[, afterRead[, stats]])");
  }
  view paths, flags, cursor, arena, records;
  double defer_above;
  if (!get_view(env, argv[0], napi_uint8_array, &paths) || !get_view(env, argv[1], napi_uint8_array, &flags) ||
      !get_view(env, argv[2], napi_uint32_array, &cursor) || cursor.length < 2 ||
      !get_view(env, argv[3], napi_uint8_array, &arena) || !get_view(env, argv[4], napi_float64_array, &records) ||
      napi_get_value_double(env, argv[5], &defer_above) != napi_ok) {
    return throw_usage(env, "readFiles: wrong argument types");
  }
  if (records.length < flags.length * RECORD_SLOTS) return throw_usage(env, "readFiles: records too short");
  napi_value after_read = NULL;
  if (argc >= 7) {
    napi_valuetype type;
    napi_typeof(env, argv[6], &type);
    if (type == napi_function) after_read = argv[6];
  }
  int64_t *stat_out = NULL;
  if (argc >= 8) {
    napi_valuetype type;
    napi_typeof(env, argv[7], &type);
    if (type != napi_undefined) {
      view stats;
      if (!get_view(env, argv[7], napi_bigint64_array, &stats) || stats.length < flags.length * STAT_SLOTS) {
        return throw_usage(env, "readFiles: stats must be a BigInt64Array of STAT_SLOTS per path");
      }
      stat_out = stats.data;
    }
  }

  const uint8_t *path_bytes = paths.data;
  const uint8_t *flag_bytes = flags.data;
  uint32_t *cur = cursor.data;
  uint8_t *arena_bytes = arena.data;
  double *rec_all = records.data;
  uint32_t index = cur[0];
  size_t position = cur[1];
  size_t used = 0;

  for (; index < flags.length; index++) {
    /* The path must end with its NUL inside `paths`, or it is not one of ours. */
    const uint8_t *end = position < paths.length ? memchr(path_bytes + position, 0, paths.length - position) : NULL;
    if (end == NULL) return throw_usage(env, "readFiles: fewer NUL-terminated paths than flags");
    const char *path = (const char *)path_bytes + position;
    size_t next_position = (size_t)(end - path_bytes) + 1;
    double *rec = rec_all + (size_t)index * RECORD_SLOTS;
    int follow = flag_bytes[index] & FLAG_FOLLOW;
    int read_linked = flag_bytes[index] & FLAG_READ_LINKED;
    struct stat before, after;

    if (follow) {
      if (stat(path, &before) != 0) {
        rec[0] = FAILED, rec[1] = errno;
        position = next_position;
        continue;
      }
      if (!S_ISREG(before.st_mode)) {
        rec[0] = NOT_REGULAR, rec[1] = before.st_mode;
        position = next_position;
        continue;
      }
    }
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW));
    if (fd < 0) {
      rec[0] = FAILED, rec[1] = errno;
      position = next_position;
      continue;
    }
    if (fstat(fd, &before) != 0) {
      rec[0] = FAILED, rec[1] = errno;
    } else if (!S_ISREG(before.st_mode)) {
      rec[0] = NOT_REGULAR, rec[1] = before.st_mode;
    } else if (!read_linked && before.st_nlink > 1) {
      rec[0] = LINKED, rec[1] = (double)before.st_dev, rec[2] = (double)before.st_ino, rec[3] = before.st_nlink;
    } else if ((double)before.st_size > defer_above) {
      rec[0] = TOO_BIG, rec[2] = (double)before.st_size;
    } else if ((size_t)before.st_size > arena.length) {
      rec[0] = LARGE, rec[1] = (double)position, rec[2] = (double)before.st_size;
    } else if (used + (size_t)before.st_size > arena.length) {
      close(fd);
      break; /* the arena is full: this path is first in the next call */
    } else {
      ssize_t got = read_fully(fd, arena_bytes + used, (size_t)before.st_size);
      if (got < 0) {
        rec[0] = FAILED, rec[1] = errno;
      } else {
        if (after_read != NULL) {
          napi_value global, argument, ignored;
          napi_get_global(env, &global);
          napi_create_uint32(env, index, &argument);
          if (napi_call_function(env, global, after_read, 1, &argument, &ignored) != napi_ok) {
            close(fd);
            return NULL; /* the hook threw: its exception goes to the caller */
          }
        }
        if (fstat(fd, &after) != 0) {
          rec[0] = FAILED, rec[1] = errno;
        } else if ((size_t)got != (size_t)before.st_size || !same_state(&before, &after)) {
          rec[0] = CHANGED;
        } else {
          rec[0] = READ, rec[1] = (double)used, rec[2] = (double)got;
          used += (size_t)got;
          if (stat_out != NULL) {
            int64_t *st = stat_out + (size_t)index * STAT_SLOTS;
            st[0] = before.st_mode;
            st[1] = before.st_size;
            st[2] = (int64_t)before.st_mtim.tv_sec * 1000000000 + before.st_mtim.tv_nsec;
            st[3] = (int64_t)before.st_ctim.tv_sec * 1000000000 + before.st_ctim.tv_nsec;
            st[4] = (int64_t)before.st_ino;
          }
        }
      }
    }
    close(fd);
    position = next_position;
  }
  cur[0] = index;
  cur[1] = (uint32_t)position;
  return NULL;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  if (napi_create_function(env, "readFiles", NAPI_AUTO_LENGTH, read_files, NULL, &fn) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "readFiles", fn) != napi_ok) return NULL;
  return exports;
}
